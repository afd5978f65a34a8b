//! Working a case: every agent action runs through the `shared` state machine inside one
//! transaction, with an optimistic version check, and appends an event with its details.

use super::{QueueRow, WorkContext};
use crate::accounts::ssr::User;
use crate::cases::ssr::{append_event_with, facts, parse_state, refresh_due};
use crate::error::{AppError, FieldError};
use crate::notifications::{ssr::notify_applicant, Template};
use shared::case::{transition, CaseEvent, CaseState};
use shared::clocks::{compute_clocks, ClockStatus};
use shared::work::CaseAction;
use sqlx::PgPool;

/// Cases an agent or manager may work: their center's, their department's, or assigned to them.
pub const WORKABLE: &str = "(c.center_id = $2 OR c.department_id = $3 OR c.agent_id = $4)";

pub const CHANGED: &str = "此代办件刚被他人更新，请刷新页面后再操作";

fn invalid(errors: Vec<shared::application::FormFieldError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError {
                field: e.field.into(),
                message: e.message,
            })
            .collect(),
    )
}

fn template(event: &CaseEvent) -> Option<Template> {
    Some(match event {
        CaseEvent::Receive => Template::TakenUp,
        CaseEvent::ReviewMissing => Template::MaterialsMissing,
        CaseEvent::ReviewComplete => Template::MaterialsComplete,
        CaseEvent::GoToWindow | CaseEvent::SubmitToWindow => Template::HandedIn,
        CaseEvent::WindowAccept => Template::Accepted,
        CaseEvent::StartSpecialStep { .. } => Template::SpecialStep,
        CaseEvent::IssueResult => Template::ResultReady,
        CaseEvent::StartDelivery { .. } => Template::Delivering,
        CaseEvent::Complete => Template::Delivered,
        CaseEvent::Terminate { .. } => Template::Terminated,
        CaseEvent::Forward => Template::Forwarded,
        CaseEvent::Handover => Template::HandedOver,
        CaseEvent::EndSpecialStep => Template::SpecialStepEnded,
        _ => return None,
    })
}

/// A case with what the state machine needs besides the event.
#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    state: String,
    version: i32,
    item_id: i64,
    item_type: String,
    mode: String,
    center_kind: String,
}

const CASE_ROW: &str =
    "SELECT c.id, c.state, c.version, c.item_id, i.item_type, c.mode, ce.kind AS center_kind
    FROM cases c JOIN service_items i ON i.id = c.item_id JOIN centers ce ON ce.id = c.center_id";

impl CaseRow {
    fn facts(&self) -> shared::case::CaseFacts {
        facts(&self.item_type, &self.mode, &self.center_kind)
    }
}

/// Case `number` if `user` may work it, locked for the transaction when `lock`.
async fn workable_case<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    user: &User,
    number: &str,
    lock: bool,
) -> Result<CaseRow, AppError> {
    let sql = format!(
        "{CASE_ROW} WHERE c.number = $1 AND {WORKABLE}{}",
        if lock { " FOR UPDATE OF c" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(number)
        .bind(user.center_id)
        .bind(user.department_id)
        .bind(user.id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// How many one-time notices the case has had.
async fn notices_before<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    case_id: i64,
) -> Result<usize, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_events WHERE case_id = $1 AND event->>'kind' = 'review_missing'",
    )
    .bind(case_id)
    .fetch_one(db)
    .await?;
    Ok(n as usize)
}

/// Applies `action` to case `number` at `version` as `user`; returns the new version.
pub async fn work(
    pool: &PgPool,
    user: &User,
    number: &str,
    version: i32,
    action: &CaseAction,
) -> Result<i32, AppError> {
    let cal = crate::calendar::ssr::load(pool).await?;
    let mut tx = pool.begin().await?;
    let case = workable_case(&mut *tx, user, number, true).await?;
    if case.version != version {
        return Err(AppError::Rejected(CHANGED.into()));
    }
    let notices = notices_before(&mut *tx, case.id).await?;
    action.check(notices).map_err(invalid)?;

    let mut event = action.event();
    let mut details = serde_json::to_value(action).map_err(AppError::internal)?;
    match action {
        CaseAction::GoToWindow { window_id, .. } | CaseAction::SubmitToWindow { window_id, .. } => {
            let window: Option<String> =
                sqlx::query_scalar("SELECT name FROM windows WHERE id = $1 AND retired_at IS NULL")
                    .bind(window_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let window = window.ok_or_else(|| AppError::field("window_id", "请选择窗口"))?;
            details["window"] = window.into();
        }
        // Whether the step counts toward the limit is the item's rule, not the agent's choice.
        CaseAction::StartSpecialStep { step, .. } => {
            let counts: Option<bool> = sqlx::query_scalar(
                "SELECT counts_toward_limit FROM item_special_steps WHERE item_id = $1 AND kind = $2 LIMIT 1",
            )
            .bind(case.item_id)
            .bind(step.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let counts = counts.ok_or_else(|| AppError::field("step", "本事项没有这个特殊环节"))?;
            event = CaseEvent::StartSpecialStep {
                step: *step,
                counts_toward_limit: counts,
            };
        }
        _ => {}
    }
    let state = parse_state(&case.state);
    let f = case.facts();
    let next = transition(Some(state), &f, user.role(), &event)
        .map_err(|e| AppError::Rejected(e.to_string()))?;

    // Signatures on the agent's device: kept as files with the case.
    if let CaseAction::Handover { signature } | CaseAction::Complete { signature, .. } = action {
        if !signature.is_empty() {
            let png = crate::cases::signature::ssr::check(signature)?;
            let files_dir = leptos::prelude::use_context::<crate::state::AppState>()
                .map(|s| s.files_dir)
                .ok_or_else(|| AppError::internal("AppState missing"))?;
            let stored = crate::cases::files::ssr::store(&files_dir, &png).await?;
            let file = crate::cases::files::ssr::record(
                &mut tx,
                &stored,
                user.id,
                Some(case.id),
                "signature",
                if matches!(action, CaseAction::Handover { .. }) {
                    "交接签名.png"
                } else {
                    "签收签名.png"
                },
            )
            .await?;
            details["signature"] = serde_json::Value::Null;
            details["signature_file"] = file.into();
        }
    }

    let closes = !next.is_open();
    sqlx::query(
        "UPDATE cases SET state = $2, version = version + 1,
             agent_id = CASE WHEN $3 THEN $4 WHEN $5 THEN NULL ELSE agent_id END,
             received_at = CASE WHEN $3 THEN now() ELSE received_at END,
             closed_at = CASE WHEN $6 THEN now() ELSE closed_at END,
             center_id = CASE WHEN $5 THEN (SELECT id FROM centers WHERE kind = 'county_center' ORDER BY id LIMIT 1)
                              ELSE center_id END
         WHERE id = $1",
    )
    .bind(case.id)
    .bind(next.as_str())
    .bind(matches!(event, CaseEvent::Receive))
    .bind(user.id)
    .bind(matches!(event, CaseEvent::Forward))
    .bind(closes)
    .execute(&mut *tx)
    .await?;
    append_event_with(
        &mut tx,
        case.id,
        user.id,
        &event,
        action.note().as_deref(),
        Some(&details),
    )
    .await?;
    refresh_due(&mut tx, &cal, case.id).await?;
    if let Some(t) = template(&event) {
        notify_applicant(&mut tx, case.id, t).await?;
    }
    tx.commit().await?;
    tracing::info!(
        case = number,
        agent = user.id,
        from = state.as_str(),
        to = next.as_str(),
        "case step"
    );
    Ok(version + 1)
}

/// The applicant says the missing materials are in: the review starts again.
pub async fn supplement_by_applicant(
    pool: &PgPool,
    user: &User,
    number: &str,
) -> Result<(), AppError> {
    let cal = crate::calendar::ssr::load(pool).await?;
    let mut tx = pool.begin().await?;
    let sql = format!("{CASE_ROW} WHERE c.number = $1 AND c.applicant_id = $2 FOR UPDATE OF c");
    let row: Option<CaseRow> = sqlx::query_as(&sql)
        .bind(number)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
    let case = row.ok_or(AppError::NotFound)?;
    let f = case.facts();
    let next = transition(
        Some(parse_state(&case.state)),
        &f,
        user.role(),
        &CaseEvent::Supplement,
    )
    .map_err(|e| AppError::Rejected(e.to_string()))?;
    sqlx::query("UPDATE cases SET state = $2, version = version + 1 WHERE id = $1")
        .bind(case.id)
        .bind(next.as_str())
        .execute(&mut *tx)
        .await?;
    append_event_with(
        &mut tx,
        case.id,
        user.id,
        &CaseEvent::Supplement,
        Some("申请人在线补齐材料"),
        None,
    )
    .await?;
    refresh_due(&mut tx, &cal, case.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Which queue, as named in the workbench's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    New,
    Mine,
    DueToday,
    Breached,
    AwaitingApplicant,
    AtWindow,
    SpecialSteps,
    ToDeliver,
}

impl Queue {
    pub const ALL: [Queue; 8] = [
        Queue::New,
        Queue::Mine,
        Queue::DueToday,
        Queue::Breached,
        Queue::AwaitingApplicant,
        Queue::AtWindow,
        Queue::SpecialSteps,
        Queue::ToDeliver,
    ];

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::New => "new",
            Queue::Mine => "mine",
            Queue::DueToday => "due_today",
            Queue::Breached => "breached",
            Queue::AwaitingApplicant => "awaiting_applicant",
            Queue::AtWindow => "at_window",
            Queue::SpecialSteps => "special_steps",
            Queue::ToDeliver => "to_deliver",
        }
    }

    /// The queue's condition over case `c`; `$4` is the agent, `$5` the end of today (Beijing).
    fn condition(self) -> &'static str {
        match self {
            Queue::New => "c.state = 'submitted'",
            Queue::Mine => "c.agent_id = $4",
            Queue::DueToday => "c.due_at >= now() AND c.due_at <= $5",
            Queue::Breached => "c.due_at < now()",
            Queue::AwaitingApplicant => "c.state = 'awaiting_supplement'",
            Queue::AtWindow => "c.state IN ('at_window', 'handed_over', 'submitted_to_window', 'accepted_by_window')",
            Queue::SpecialSteps => "c.state = 'special_step'",
            Queue::ToDeliver => "c.state IN ('result_issued', 'delivering')",
        }
    }
}

fn end_of_today() -> chrono::DateTime<chrono::Utc> {
    let cst = crate::ui::beijing_time(chrono::Utc::now());
    let end = cst
        .date_naive()
        .and_hms_opt(23, 59, 59)
        .and_then(|t| t.and_local_timezone(*cst.offset()).single())
        .map(|t| t.with_timezone(&chrono::Utc));
    end.unwrap_or_else(chrono::Utc::now)
}

pub const PAGE: i64 = 50;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: String,
    item: String,
    applicant: String,
    state: String,
    agent: Option<String>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One page of a queue, nearest due first; `after` is the last row of the previous page
/// (keyset pagination: (due_at, id)).
pub async fn queue(
    pool: &PgPool,
    user: &User,
    q: Queue,
    after: Option<(Option<chrono::DateTime<chrono::Utc>>, i64)>,
) -> Result<Vec<QueueRow>, AppError> {
    let sql = format!(
        "SELECT c.id, c.number, i.name AS item, c.unit_name AS applicant, c.state, a.display_name AS agent, c.due_at
         FROM cases c JOIN service_items i ON i.id = c.item_id LEFT JOIN accounts a ON a.id = c.agent_id
         WHERE c.closed_at IS NULL AND (c.center_id = $1 OR c.department_id = $2 OR c.agent_id = $4)
           AND {}
           AND ($6::bool IS NOT TRUE OR (coalesce(c.due_at, 'infinity'), c.id) > (coalesce($7, 'infinity'), $8))
         ORDER BY coalesce(c.due_at, 'infinity'), c.id
         LIMIT {PAGE}",
        q.condition()
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(user.center_id)
        .bind(user.department_id)
        .bind(0_i32) // $3 unused: keeps parameter numbers aligned with `condition`
        .bind(user.id)
        .bind(end_of_today())
        .bind(after.is_some())
        .bind(after.and_then(|a| a.0))
        .bind(after.map(|a| a.1).unwrap_or(0))
        .fetch_all(pool)
        .await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut histories = crate::cases::ssr::histories(pool, &ids).await?;
    let now = chrono::Utc::now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (events, limit) = histories.remove(&r.id).unwrap_or_default();
            let clock = compute_clocks(&events, limit, &cal, now)
                .into_iter()
                .filter(|c| c.stopped_at.is_none() && c.limit_days.is_some())
                .min_by_key(|c| c.due_at);
            QueueRow {
                number: r.number,
                item: r.item,
                applicant: r.applicant,
                state: CaseState::parse(&r.state).unwrap_or(CaseState::Submitted),
                agent: r.agent,
                due: r
                    .due_at
                    .map(|d| crate::ui::beijing_time(d).format("%m-%d").to_string()),
                due_at: r.due_at,
                clock: clock.as_ref().map(|c| c.kind.label().to_string()),
                warning: clock.as_ref().is_some_and(|c| c.warning),
                breached: clock
                    .as_ref()
                    .is_some_and(|c| c.status == ClockStatus::Breached),
                left_days: clock
                    .as_ref()
                    .and_then(|c| Some(c.limit_days? as i64 - c.used_days as i64))
                    .map(|n| n.max(0)),
                id: r.id,
            }
        })
        .collect())
}

/// How many open cases each queue holds, for the tabs.
pub async fn counts(pool: &PgPool, user: &User) -> Result<Vec<(String, i64)>, AppError> {
    let filters: Vec<String> = Queue::ALL
        .iter()
        .map(|q| format!("count(*) FILTER (WHERE {})", q.condition()))
        .collect();
    let sql = format!(
        "SELECT ARRAY[{}] FROM cases c
         WHERE c.closed_at IS NULL AND (c.center_id = $1 OR c.department_id = $2 OR c.agent_id = $4)",
        filters.join(", ")
    );
    let counts: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(user.center_id)
        .bind(user.department_id)
        .bind(0_i32)
        .bind(user.id)
        .bind(end_of_today())
        .fetch_one(pool)
        .await?;
    Ok(Queue::ALL
        .iter()
        .zip(counts)
        .map(|(q, n)| (q.as_str().to_string(), n))
        .collect())
}

/// What the case page needs to offer an agent the steps allowed now.
pub async fn context(pool: &PgPool, user: &User, number: &str) -> Result<WorkContext, AppError> {
    let case = workable_case(pool, user, number, false).await?;
    let f = case.facts();
    let state = parse_state(&case.state);
    let allowed = shared::case::allowed_events(state, &f, user.role())
        .into_iter()
        .map(|e| {
            serde_json::to_value(&e)
                .ok()
                .and_then(|v| v["kind"].as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect();
    let (materials, special_steps) = crate::catalog::ssr::item_parts(pool, case.item_id).await?;
    let windows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT w.id, c.name || ' · ' || w.name FROM windows w JOIN centers c ON c.id = w.center_id
         WHERE w.retired_at IS NULL ORDER BY (w.center_id <> $1), c.id, w.id",
    )
    .bind(user.center_id)
    .fetch_all(pool)
    .await?;
    let notices = notices_before(pool, case.id).await?;
    Ok(WorkContext {
        version: case.version,
        allowed,
        materials,
        special_steps,
        windows,
        notices_before: notices,
    })
}
