//! The material handover record (材料交接单) and the entrustment agreement (委托协议) of a proxy
//! case, printable before signing and, once signed, with the applicant's signature.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub handler: String,
    pub agent: String,
    /// Materials found received at the last complete review.
    pub materials: Vec<String>,
    pub signed_at: Option<String>,
    pub signature_file: Option<i64>,
}

#[server(endpoint = "cases/handover")]
pub async fn load_handover(number: String) -> Result<Handover, AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    let pool = crate::state::pool()?;
    let id = crate::case_log::ssr::visible(&pool, &user, &number)
        .await?
        .0
        .id;
    ssr::record(&pool, id).await
}

/// `/cases/:number/handover`.
#[component]
pub fn HandoverPage() -> impl IntoView {
    let record = crate::ui::route_resource("number", load_handover);
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(h) => view! { <Record h/> }.into_any(),
                    Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Record(h: Handover) -> impl IntoView {
    let signature = move || {
        h.signature_file
            .map(|id| view! { <img class="sig" src=format!("/files/{id}") alt="申请人签名"/> })
    };
    view! {
        <crate::ui::PrintStyle/>
        <article class="print-a4 handover">
            <p class="no-print actions"><button type="button" class="button" data-print="">"打印"</button></p>
            <HandoverText h=h.clone()/>
            <p class="print-footer">
                {format!("受托方（代办员）：{}　　委托方签名：", h.agent)}
                {signature}
                {h.signed_at.clone().map(|t| format!("　签署时间：{t}"))}
            </p>
        </article>
    }
}

/// What the applicant signs at handover: the materials handed over and the entrustment
/// agreement, word for word as printed. The agent's panel shows it above the signature pad.
#[component]
pub fn HandoverText(h: Handover) -> impl IntoView {
    view! {
        <div class="handover-text">
            <h1>"材料交接单"</h1>
            <p class="form-number">{format!("编号：{}", h.number)}</p>
            <p>{format!("事项：{}　申请人：{}　经办人：{}", h.item, h.applicant, h.handler)}</p>
            <table class="print-table handover-materials">
                <thead><tr><th>"序号"</th><th>"材料名称"</th></tr></thead>
                <tbody>
                    {h.materials.iter().enumerate().map(|(i, m)| view! { <tr><td>{i + 1}</td><td>{m.clone()}</td></tr> }).collect_view()}
                </tbody>
            </table>
            <h1>"委托协议"</h1>
            <p class="terms entrustment">{format!(
                "申请人（委托方）{}委托内乡县帮办代办员{}（受托方）代为办理“{}”。受托方按规定的时限免费代为递交材料、跟踪办理、领取并送达办理结果，不得收取任何费用；\
                 委托方保证所交材料真实有效，并承担申请事项的法律后果。本协议自双方签字之日起生效，事项办结或终止时自动终止。",
                h.applicant, h.agent, h.item
            )}</p>
        </div>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;
    use sqlx::PgPool;

    /// The handover record: the materials the last complete review found, and the signature.
    pub async fn record(pool: &PgPool, case_id: i64) -> Result<super::Handover, AppError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            number: String,
            item: String,
            applicant: String,
            handler: Option<String>,
            agent: Option<String>,
            review: Option<serde_json::Value>,
            signed: Option<serde_json::Value>,
            signed_at: Option<chrono::DateTime<chrono::Utc>>,
        }
        let r: Row = sqlx::query_as(
            "SELECT c.number, i.name AS item, c.unit_name AS applicant, c.application->>'handler_name' AS handler,
                    a.display_name AS agent,
                    (SELECT e.details FROM case_events e WHERE e.case_id = c.id AND e.event->>'kind' = 'review_complete'
                     ORDER BY e.id DESC LIMIT 1) AS review,
                    h.details AS signed, h.at AS signed_at
             FROM cases c JOIN service_items i ON i.id = c.item_id LEFT JOIN accounts a ON a.id = c.agent_id
             LEFT JOIN LATERAL (SELECT e.details, e.at FROM case_events e
                                WHERE e.case_id = c.id AND e.event->>'kind' = 'handover' ORDER BY e.id DESC LIMIT 1) h ON true
             WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(pool)
        .await?;
        let materials = match r
            .review
            .map(serde_json::from_value::<shared::work::CaseAction>)
        {
            Some(Ok(shared::work::CaseAction::Review { checks, .. })) => checks
                .into_iter()
                .filter(|c| c.status == shared::work::MaterialStatus::Received)
                .map(|c| c.name)
                .collect(),
            _ => Vec::new(),
        };
        Ok(super::Handover {
            number: r.number,
            item: r.item,
            applicant: r.applicant,
            handler: r.handler.unwrap_or_default(),
            agent: r.agent.unwrap_or_default(),
            materials,
            signed_at: r.signed_at.map(|t| {
                crate::ui::beijing_time(t)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            signature_file: r.signed.and_then(|d| d["signature_file"].as_i64()),
        })
    }
}
