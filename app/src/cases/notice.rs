//! The one-time notice (一次性告知书): every missing material with why and how to get it, issued
//! once per review; a second notice is possible but marked as such with its reason.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::work::MaterialCheck;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub issued_at: String,
    pub agent: String,
    /// 1 for the first notice of the case, 2 for a second one…
    pub seq: i64,
    pub second_reason: String,
    pub missing: Vec<MaterialCheck>,
}

#[server(endpoint = "cases/notice")]
pub async fn load_notice(number: String) -> Result<Notice, AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    let pool = crate::state::pool()?;
    let id = crate::case_log::ssr::visible(&pool, &user, &number)
        .await?
        .0
        .id;
    ssr::latest(&pool, id).await?.ok_or(AppError::NotFound)
}

/// The missing materials, as the applicant's case page and the printout show them.
#[component]
pub fn NoticeList(notice: Notice) -> impl IntoView {
    view! {
        <ol class="materials notice-list">
            {notice.missing.into_iter().map(|m| {
                let name = m.name.clone();
                view! {
                <li data-material=name>
                    <strong>{m.name}</strong>
                    {(!m.reason.is_empty()).then(|| view! { <span class="material-meta">{format!("原因：{}", m.reason)}</span> })}
                    <span class="material-source">{format!("获取途径：{}", m.how_to_get)}</span>
                </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// `/cases/:number/notice`: the printable notice.
#[component]
pub fn NoticePage() -> impl IntoView {
    let notice = crate::ui::route_resource("number", load_notice);
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match notice.await {
                    Ok(n) => view! {
                        <article class="print-a4 notice">
                            <p class="no-print actions"><button type="button" class="button" onclick="window.print()">"打印"</button></p>
                            <h1>{if n.seq > 1 { "一次性告知书（再次告知）" } else { "一次性告知书" }}</h1>
                            <p class="form-number">{format!("编号：{}", n.number)}</p>
                            <p>{format!("{}：", n.applicant)}</p>
                            <p>{format!("您申请办理的“{}”经审核，尚缺以下材料，现一次性告知如下。请补齐后联系帮办代办员，补齐之日起重新计算审核时间。", n.item)}</p>
                            {(n.seq > 1).then(|| view! { <p class="form-error">{format!("再次告知原因：{}", n.second_reason)}</p> })}
                            <NoticeList notice=n.clone()/>
                            <p class="print-footer">{format!("帮办代办员：{}　告知时间：{}", n.agent, n.issued_at)}</p>
                        </article>
                    }.into_any(),
                    Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;
    use sqlx::PgPool;

    /// The latest one-time notice of the case, with its number among the case's notices.
    pub async fn latest(pool: &PgPool, case_id: i64) -> Result<Option<super::Notice>, AppError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            details: Option<serde_json::Value>,
            at: chrono::DateTime<chrono::Utc>,
            agent: String,
            seq: i64,
            number: String,
            item: String,
            applicant: String,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.details, e.at, a.display_name AS agent, c.number, i.name AS item, c.unit_name AS applicant,
                    (SELECT count(*) FROM case_events e2
                     WHERE e2.case_id = e.case_id AND e2.event->>'kind' = 'review_missing' AND e2.id <= e.id) AS seq
             FROM case_events e JOIN accounts a ON a.id = e.actor_id JOIN cases c ON c.id = e.case_id
             JOIN service_items i ON i.id = c.item_id
             WHERE e.case_id = $1 AND e.event->>'kind' = 'review_missing'
             ORDER BY e.id DESC LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let (missing, second_reason) = match r
            .details
            .map(serde_json::from_value::<shared::work::CaseAction>)
        {
            Some(Ok(shared::work::CaseAction::Review {
                checks,
                second_notice_reason,
            })) => (
                checks
                    .into_iter()
                    .filter(|c| c.status == shared::work::MaterialStatus::Missing)
                    .collect(),
                second_notice_reason,
            ),
            _ => (Vec::new(), String::new()),
        };
        Ok(Some(super::Notice {
            number: r.number,
            item: r.item,
            applicant: r.applicant,
            issued_at: crate::ui::beijing_time(r.at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            agent: r.agent,
            seq: r.seq,
            second_reason,
            missing,
        }))
    }
}
