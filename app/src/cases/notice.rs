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
    /// When it was issued: files given after it answer it.
    pub issued: chrono::DateTime<chrono::Utc>,
    /// The issuing unit: the case's center, and its department when it has one.
    pub center: String,
    pub department: String,
    /// Where to bring the materials: the center's address and phone.
    pub center_address: String,
    pub center_phone: String,
    pub agent: String,
    pub agent_phone: String,
    /// By when the applicant should answer, when the item sets a limit.
    pub reply_by: Option<String>,
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
    let clocks = ssr::clocks(&pool, id).await?;
    ssr::latest(&pool, id, &clocks)
        .await?
        .ok_or(AppError::NotFound)
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

/// The notice as a document: the unit's header, every missing material with why and how to
/// get it, where to bring it and whom to call. The printout and the agent's preview are this.
#[component]
pub fn NoticeDocument(notice: Notice) -> impl IntoView {
    let n = notice;
    let center = super::in_county(&n.center);
    let unit = if n.department.is_empty() {
        center.clone()
    } else {
        format!("{center} · {}", n.department)
    };
    let contact = format!(
        "补齐后请联系帮办代办员 {}（电话 {}），或送至 {}{}。补齐之日起重新计算审核时间。",
        n.agent,
        n.agent_phone,
        n.center,
        if n.center_address.is_empty() {
            String::new()
        } else {
            format!("（{}）", n.center_address)
        }
    );
    view! {
        <div class="notice-document">
            <p class="print-unit">{unit}</p>
            <h1>{if n.seq > 1 { "一次性告知书（再次告知）" } else { "一次性告知书" }}</h1>
            <p class="form-number">{format!("编号：{}", n.number)}</p>
            <p>{format!("{}：", n.applicant)}</p>
            <p>{format!("您申请办理的“{}”经审核，尚缺以下材料，现一次性告知如下：", n.item)}</p>
            {(n.seq > 1).then(|| view! { <p class="second-reason">{format!("再次告知原因：{}", n.second_reason)}</p> })}
            <NoticeList notice=n.clone()/>
            <p class="notice-contact">{contact}</p>
            {n.reply_by.clone().map(|d| view! { <p class="notice-due">{format!("请于 {d} 前补齐。")}</p> })}
            <p class="print-footer">
                {format!("帮办代办员：{}　联系电话：{}", n.agent, n.agent_phone)}<br/>
                {format!("告知单位：{}{}　告知时间：{}", center,
                    if n.center_phone.is_empty() { String::new() } else { format!("（{}）", n.center_phone) }, n.issued_at)}
            </p>
        </div>
    }
}

/// `/cases/:number/notice`: the printable notice, black on white on A4.
#[component]
pub fn NoticePage() -> impl IntoView {
    let notice = crate::ui::route_resource("number", load_notice);
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match notice.await {
                    Ok(n) => view! {
                        <crate::ui::PrintStyle/>
                        <article class="print-a4 notice-print">
                            <p class="no-print actions"><button type="button" class="button" data-print="">"打印"</button></p>
                            <NoticeDocument notice=n/>
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
    use shared::clocks::{compute_clocks, Clock, ClockKind};
    use sqlx::PgPool;

    #[derive(sqlx::FromRow)]
    struct Header {
        number: String,
        item: String,
        applicant: String,
        center: String,
        department: String,
        center_address: String,
        center_phone: String,
    }

    const HEADER: &str = "SELECT c.number, i.name AS item, c.unit_name AS applicant, ce.name AS center,
            coalesce(d.name, '') AS department, ce.address AS center_address, ce.phone AS center_phone
         FROM cases c JOIN service_items i ON i.id = c.item_id JOIN centers ce ON ce.id = c.center_id
         LEFT JOIN departments d ON d.id = c.department_id WHERE c.id = $1";

    /// A notice not yet issued, as `agent` would issue it now: the preview's frame.
    pub async fn draft(
        pool: &PgPool,
        case_id: i64,
        agent: &crate::accounts::ssr::User,
        seq: i64,
    ) -> Result<super::Notice, AppError> {
        let h: Header = sqlx::query_as(HEADER).bind(case_id).fetch_one(pool).await?;
        let phone: String = sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1")
            .bind(agent.id)
            .fetch_one(pool)
            .await?;
        Ok(super::Notice {
            number: h.number,
            item: h.item,
            applicant: h.applicant,
            issued_at: "（发出时填写）".into(),
            issued: chrono::Utc::now(),
            center: h.center,
            department: h.department,
            center_address: h.center_address,
            center_phone: h.center_phone,
            agent: agent.display_name.clone(),
            agent_phone: phone,
            reply_by: None,
            seq,
            second_reason: String::new(),
            missing: Vec::new(),
        })
    }

    /// The case's clocks now, for a caller that has not computed them already.
    pub async fn clocks(pool: &PgPool, case_id: i64) -> Result<Vec<Clock>, AppError> {
        let cal = crate::calendar::ssr::load(pool).await?;
        let history = crate::case_log::ssr::history(pool, case_id).await?;
        Ok(compute_clocks(
            &history.events,
            history.limit,
            &cal,
            chrono::Utc::now(),
        ))
    }

    /// The latest one-time notice of the case, with its number among the case's notices;
    /// `clocks` are the case's clocks now.
    pub async fn latest(
        pool: &PgPool,
        case_id: i64,
        clocks: &[Clock],
    ) -> Result<Option<super::Notice>, AppError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            details: Option<serde_json::Value>,
            at: chrono::DateTime<chrono::Utc>,
            agent: String,
            agent_phone: String,
            seq: i64,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.details, e.at, a.display_name AS agent, a.phone AS agent_phone,
                    (SELECT count(*) FROM case_events e2
                     WHERE e2.case_id = e.case_id AND e2.event->>'kind' = 'review_missing' AND e2.id <= e.id) AS seq
             FROM case_events e JOIN accounts a ON a.id = e.actor_id
             WHERE e.case_id = $1 AND e.event->>'kind' = 'review_missing'
             ORDER BY e.id DESC LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let h: Header = sqlx::query_as(HEADER).bind(case_id).fetch_one(pool).await?;
        // By when the applicant answers: the applicant-waiting clock's due date, when the item
        // sets that wait a limit.
        let reply_by = clocks
            .iter()
            .find(|c| c.kind == ClockKind::ApplicantWaiting && c.limit_days.is_some())
            .and_then(|c| c.due_date)
            .map(|d| d.to_string());
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
            number: h.number,
            item: h.item,
            applicant: h.applicant,
            issued_at: crate::ui::beijing_time(r.at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            issued: r.at,
            center: h.center,
            department: h.department,
            center_address: h.center_address,
            center_phone: h.center_phone,
            agent: r.agent,
            agent_phone: r.agent_phone,
            reply_by,
            seq: r.seq,
            second_reason,
            missing,
        }))
    }
}
