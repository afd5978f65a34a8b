//! Cases in the database: numbering, creation from an application, who may see a case, the
//! event log, and the applicant's own steps.

use super::{CaseSummary, CaseView, FileRef, TimelineEntry};
use crate::accounts::ssr::User;
use crate::error::AppError;
use crate::notifications::{ssr::notify_applicant, Template};
use shared::application::{case_number, Application};
use shared::case::{transition, CaseEvent, CaseFacts, CaseState, HandlingMode, ItemType};
use shared::clocks::{compute_clocks, ClockStatus, TimedEvent};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;

pub fn today_in_beijing() -> chrono::NaiveDate {
    crate::ui::beijing_time(chrono::Utc::now()).date_naive()
}

/// The next case number of the day (Beijing date), counted in the database.
async fn next_number(tx: &mut Transaction<'_, Postgres>) -> Result<String, AppError> {
    let day = today_in_beijing();
    let seq: i32 = sqlx::query_scalar(
        "INSERT INTO case_number_days (day, last) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last = case_number_days.last + 1 RETURNING last",
    )
    .bind(day)
    .fetch_one(&mut **tx)
    .await?;
    Ok(case_number(day, seq as u32))
}

/// A published item's facts, or `NotFound` for anything not public.
pub async fn public_item(pool: &PgPool, item_id: i64) -> Result<(i64, i64, String), AppError> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT d.center_id, d.id, i.name FROM service_items i
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
         WHERE i.id = $1",
    )
    .bind(item_id)
    .fetch_optional(pool)
    .await?;
    row.ok_or(AppError::NotFound)
}

pub struct NewCase<'a> {
    /// The applicant applying online, or the agent registering a phone or walk-in application.
    pub submitter: &'a User,
    pub channel: &'a str,
    pub item_id: i64,
    pub token: &'a str,
    pub application: &'a Application,
    /// The signature image, already stored on disk and checked.
    pub signature: super::files::ssr::Stored,
    pub material_files: &'a [i64],
}

/// Creates the case, or returns the number of the case this token already created (a double
/// click, a retried request). All or nothing: case, first event, files, message.
pub async fn create(pool: &PgPool, new: NewCase<'_>) -> Result<String, AppError> {
    let (center_id, department_id, _) = public_item(pool, new.item_id).await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    if let Some(number) = existing(pool, new.token).await? {
        return Ok(number);
    }
    let mut tx = pool.begin().await?;
    let mut own_files: Vec<i64> = new.material_files.to_vec();
    own_files.extend(new.application.power_of_attorney_file);
    let unattached: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stored_files WHERE id = ANY($1) AND uploaded_by = $2 AND case_id IS NULL",
    )
    .bind(&own_files)
    .bind(new.submitter.id)
    .fetch_one(&mut *tx)
    .await?;
    if unattached as usize != own_files.len() {
        return Err(AppError::field(
            "files",
            "所附文件无效或已用于其他申请，请重新上传",
        ));
    }
    let number = next_number(&mut tx).await?;
    // Registered by an agent: the applicant is found, or created unclaimed, by the handler's
    // phone; the case stays at the agent's center and counts as received now.
    let registrar = (new.submitter.role() != Role::Applicant).then_some(new.submitter);
    let applicant_id = match registrar {
        None => new.submitter.id,
        Some(_) => applicant_for(&mut tx, new.application).await?,
    };
    let center_id = registrar.and_then(|r| r.center_id).unwrap_or(center_id);
    let application = serde_json::to_value(new.application).map_err(AppError::internal)?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO cases (number, applicant_id, item_id, center_id, department_id, channel, mode, state,
             application, applicant_kind, unit_name, handler_phone, submission_token)
         VALUES ($1, $2, $3, $4, $5, $12, $6, 'submitted', $7, $8, $9, $10, $11::uuid)
         RETURNING id",
    )
    .bind(&number)
    .bind(applicant_id)
    .bind(new.item_id)
    .bind(center_id)
    .bind(department_id)
    .bind(new.application.mode.as_str())
    .bind(&application)
    .bind(match new.application.kind {
        shared::application::ApplicantId::Enterprise => "enterprise",
        shared::application::ApplicantId::Citizen => "citizen",
    })
    .bind(&new.application.unit_name)
    .bind(&new.application.handler_phone)
    .bind(new.token)
    .bind(new.channel)
    .fetch_one(&mut *tx)
    .await;
    let case_id = match inserted {
        Ok(id) => id,
        // The same token raced us: the other request created the case.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            return existing(pool, new.token).await?.ok_or(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    };
    let signature = super::files::ssr::record(
        &mut tx,
        &new.signature,
        new.submitter.id,
        Some(case_id),
        "signature",
        "签名.png",
    )
    .await?;
    sqlx::query("UPDATE cases SET signature_file = $2 WHERE id = $1")
        .bind(case_id)
        .bind(signature)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE stored_files SET case_id = $1 WHERE id = ANY($2)")
        .bind(case_id)
        .bind(&own_files)
        .execute(&mut *tx)
        .await?;
    append_event(&mut tx, case_id, new.submitter.id, &CaseEvent::Submit, None).await?;
    if let Some(agent) = registrar {
        let note = if new.channel == "phone" {
            "电话预约登记"
        } else {
            "现场登记"
        };
        append_event(&mut tx, case_id, agent.id, &CaseEvent::Receive, Some(note)).await?;
        sqlx::query(
            "UPDATE cases SET state = 'received', agent_id = $2, received_at = now(), version = version + 1
             WHERE id = $1",
        )
        .bind(case_id)
        .bind(agent.id)
        .execute(&mut *tx)
        .await?;
    }
    refresh_due(&mut tx, &cal, case_id).await?;
    sqlx::query("DELETE FROM application_drafts WHERE applicant_id = $1 AND item_id = $2")
        .bind(new.submitter.id)
        .bind(new.item_id)
        .execute(&mut *tx)
        .await?;
    notify_applicant(&mut tx, case_id, Template::Received).await?;
    tx.commit().await?;
    tracing::info!(case = %number, applicant = new.submitter.id, "case submitted");
    Ok(number)
}

/// The applicant account of the handler's phone, created unclaimed (no password: they claim it
/// by registering with that phone) when the person has never used the system.
async fn applicant_for(
    tx: &mut Transaction<'_, Postgres>,
    a: &Application,
) -> Result<i64, AppError> {
    sqlx::query(
        "INSERT INTO accounts (role, login_name, display_name, phone, password_hash)
         VALUES ('applicant', $1, $2, $1, $3) ON CONFLICT (login_name) DO NOTHING",
    )
    .bind(&a.handler_phone)
    .bind(&a.handler_name)
    .bind(crate::accounts::ssr::UNCLAIMED)
    .execute(&mut **tx)
    .await?;
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE login_name = $1 AND role = 'applicant'")
            .bind(&a.handler_phone)
            .fetch_optional(&mut **tx)
            .await?;
    id.ok_or_else(|| AppError::field("handler_phone", "该手机号不能作为申请人账号"))
}

pub async fn existing(pool: &PgPool, token: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT number FROM cases WHERE submission_token = $1::uuid")
            .bind(token)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn append_event(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    actor: i64,
    event: &CaseEvent,
    note: Option<&str>,
) -> Result<(), AppError> {
    append_event_with(tx, case_id, actor, event, note, None).await
}

/// Appends an event with the step's details (a review's checklist, a window and receipt…).
pub async fn append_event_with(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    actor: i64,
    event: &CaseEvent,
    note: Option<&str>,
    details: Option<&serde_json::Value>,
) -> Result<(), AppError> {
    let event = serde_json::to_value(event).map_err(AppError::internal)?;
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_id, event, note, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(actor)
    .bind(event)
    .bind(note)
    .bind(details)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The SQL condition under which `$2` (id), `$3` (role), `$4` (center), `$5` (department) may
/// see case `c`: applicants their own; agents and managers their center's, department's or
/// assigned cases; supervisors all (read-only supervision).
pub const VISIBLE: &str = "(($3 = 'applicant' AND c.applicant_id = $2)
    OR ($3 IN ('agent', 'manager') AND (c.agent_id = $2 OR c.center_id = $4 OR c.department_id = $5))
    OR $3 = 'supervisor')";

/// The case's id if `user` may see it; `NotFound` otherwise, so guessing reveals nothing.
pub async fn visible_case(pool: &PgPool, user: &User, number: &str) -> Result<i64, AppError> {
    let sql = format!("SELECT c.id FROM cases c WHERE c.number = $1 AND {VISIBLE}");
    let id: Option<i64> = sqlx::query_scalar(&sql)
        .bind(number)
        .bind(user.id)
        .bind(user.role().as_str())
        .bind(user.center_id)
        .bind(user.department_id)
        .fetch_optional(pool)
        .await?;
    id.ok_or(AppError::NotFound)
}

pub fn parse_state(s: &str) -> CaseState {
    CaseState::parse(s).unwrap_or(CaseState::Submitted)
}

/// What the state machine needs besides the state, from the stored columns.
pub fn facts(item_type: &str, mode: &str, center_kind: &str) -> CaseFacts {
    CaseFacts {
        item_type: ItemType::parse(item_type).unwrap_or(ItemType::Promised),
        mode: HandlingMode::parse(mode).unwrap_or(HandlingMode::Assist),
        at_station: center_kind != "county_center",
    }
}

pub async fn mine(pool: &PgPool, user: &User) -> Result<Vec<CaseSummary>, AppError> {
    let rows: Vec<(String, i64, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT c.number, c.id, i.name, c.state, c.submitted_at FROM cases c
         JOIN service_items i ON i.id = c.item_id
         WHERE c.applicant_id = $1 ORDER BY c.submitted_at DESC LIMIT 100",
    )
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let mut all = histories(pool, &ids).await?;
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for (number, id, item, state, submitted_at) in rows {
        let state = parse_state(&state);
        let (events, limit) = all.remove(&id).unwrap_or_default();
        let clocks = compute_clocks(&events, limit, &cal, now);
        let next_due = next_due_clock(&clocks).and_then(|c| c.due_date);
        out.push(CaseSummary {
            number,
            item_name: item,
            state,
            submitted_at: crate::ui::beijing_time(submitted_at)
                .format("%Y-%m-%d")
                .to_string(),
            next_due: next_due.filter(|_| state.is_open()).map(|d| d.to_string()),
        });
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    event: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    note: Option<String>,
    promised_days: i32,
}

/// A case's events with their times, the item's promised limit, and who did each and why.
pub struct History {
    pub events: Vec<TimedEvent>,
    pub limit: u32,
    pub who: Vec<(String, Option<String>)>,
}

pub async fn history<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    case_id: i64,
) -> Result<History, AppError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.event, e.at, a.display_name AS actor, e.note, i.promised_days FROM case_events e
         JOIN accounts a ON a.id = e.actor_id JOIN cases c ON c.id = e.case_id
         JOIN service_items i ON i.id = c.item_id
         WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case_id)
    .fetch_all(db)
    .await?;
    let limit = rows
        .first()
        .map(|r| r.promised_days.max(0) as u32)
        .unwrap_or(0);
    let mut events = Vec::with_capacity(rows.len());
    let mut who = Vec::with_capacity(rows.len());
    for r in rows {
        let event: CaseEvent = serde_json::from_value(r.event).map_err(AppError::internal)?;
        events.push(TimedEvent { at: r.at, event });
        who.push((r.actor, r.note));
    }
    Ok(History { events, limit, who })
}

/// The events and promised limits of many cases at once (for queues), by case id.
pub async fn histories(
    pool: &PgPool,
    ids: &[i64],
) -> Result<HashMap<i64, (Vec<TimedEvent>, u32)>, AppError> {
    let rows: Vec<(i64, serde_json::Value, chrono::DateTime<chrono::Utc>, i32)> = sqlx::query_as(
        "SELECT e.case_id, e.event, e.at, i.promised_days FROM case_events e
         JOIN cases c ON c.id = e.case_id JOIN service_items i ON i.id = c.item_id
         WHERE e.case_id = ANY($1) ORDER BY e.case_id, e.at, e.id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let mut out: HashMap<i64, (Vec<TimedEvent>, u32)> = HashMap::new();
    for (case, event, at, limit) in rows {
        let event: CaseEvent = serde_json::from_value(event).map_err(AppError::internal)?;
        let entry = out
            .entry(case)
            .or_insert_with(|| (Vec::new(), limit.max(0) as u32));
        entry.0.push(TimedEvent { at, event });
    }
    Ok(out)
}

/// The running (or overdue) clock with a limit that falls due first: what a case waits on.
pub fn next_due_clock(clocks: &[shared::clocks::Clock]) -> Option<&shared::clocks::Clock> {
    clocks
        .iter()
        .filter(|c| {
            c.stopped_at.is_none()
                && c.limit_days.is_some()
                && matches!(c.status, ClockStatus::Running | ClockStatus::Breached)
        })
        .min_by_key(|c| c.due_at)
}

/// Keeps `cases.due_at` (the nearest due instant of the running clocks) current for queues.
pub async fn refresh_due(
    tx: &mut Transaction<'_, Postgres>,
    cal: &shared::Calendar,
    case_id: i64,
) -> Result<(), AppError> {
    let h = history(&mut **tx, case_id).await?;
    let clocks = compute_clocks(&h.events, h.limit, cal, chrono::Utc::now());
    let due = next_due_clock(&clocks).and_then(|c| c.due_at);
    sqlx::query("UPDATE cases SET due_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(due)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The latest one-time notice of the case, with its number among the case's notices.
pub async fn latest_notice(
    pool: &PgPool,
    case_id: i64,
) -> Result<Option<super::notice::Notice>, AppError> {
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
    Ok(Some(super::notice::Notice {
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

/// The handover record: the materials the last complete review found, and the signature.
pub async fn handover(pool: &PgPool, case_id: i64) -> Result<super::handover::Handover, AppError> {
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
    Ok(super::handover::Handover {
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

pub async fn view(pool: &PgPool, user: &User, number: &str) -> Result<CaseView, AppError> {
    let id = visible_case(pool, user, number).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        number: String,
        item_id: i64,
        item_name: String,
        item_type: String,
        department: String,
        center: String,
        state: String,
        mode: String,
        channel: String,
        application: serde_json::Value,
        submitted_at: chrono::DateTime<chrono::Utc>,
        received_at: Option<chrono::DateTime<chrono::Utc>>,
        agent_name: Option<String>,
        agent_phone: Option<String>,
        center_kind: String,
        signature_file: Option<i64>,
    }
    let r: Row = sqlx::query_as(
        "SELECT c.number, c.item_id, i.name AS item_name, i.item_type, d.name AS department, ce.name AS center,
                c.state, c.mode, c.channel, c.application, c.submitted_at, c.received_at,
                a.display_name AS agent_name, a.phone AS agent_phone, ce.kind AS center_kind, c.signature_file
         FROM cases c JOIN service_items i ON i.id = c.item_id
         JOIN centers ce ON ce.id = c.center_id
         LEFT JOIN departments d ON d.id = c.department_id
         LEFT JOIN accounts a ON a.id = c.agent_id
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    let application: Application =
        serde_json::from_value(r.application).map_err(AppError::internal)?;
    let History { events, limit, who } = history(pool, id).await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    let clocks = compute_clocks(&events, limit, &cal, chrono::Utc::now());
    let timeline = events
        .iter()
        .zip(who)
        .map(|(e, (actor, note))| TimelineEntry {
            at: crate::ui::beijing_time(e.at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            label: e.event.label().to_string(),
            actor,
            note: note.or_else(|| match &e.event {
                CaseEvent::Withdraw { reason } | CaseEvent::Terminate { reason } => {
                    Some(reason.clone())
                }
                _ => None,
            }),
        })
        .collect();
    let files: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, original_name, purpose, size_bytes FROM stored_files
         WHERE case_id = $1 AND purpose <> 'signature' ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let state = parse_state(&r.state);
    let facts = facts(&r.item_type, &r.mode, &r.center_kind);
    let withdraw = CaseEvent::Withdraw { reason: "-".into() };
    Ok(CaseView {
        number: r.number,
        item_id: r.item_id,
        item_name: r.item_name,
        item_type: facts.item_type,
        department: r.department,
        center: r.center,
        state,
        mode: facts.mode,
        channel: r.channel,
        application,
        submitted_at: crate::ui::beijing_time(r.submitted_at)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        received_at: r.received_at.map(|t| {
            crate::ui::beijing_time(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        agent: r.agent_name.zip(r.agent_phone),
        clocks,
        timeline,
        files: files
            .into_iter()
            .map(|(id, name, purpose, size)| FileRef {
                id,
                name,
                purpose: super::files::purpose_label(&purpose).to_string(),
                size_kb: (size + 1023) / 1024,
            })
            .collect(),
        signature_file: r.signature_file,
        notice: if state == CaseState::AwaitingSupplement {
            latest_notice(pool, id).await?
        } else {
            None
        },
        staff: matches!(user.role(), Role::Agent | Role::Manager),
        can_withdraw: user.role() == Role::Applicant
            && transition(Some(state), &facts, Role::Applicant, &withdraw).is_ok(),
    })
}

/// The applicant withdraws an open case, with a reason; checked by the state machine.
pub async fn withdraw(
    pool: &PgPool,
    user: &User,
    number: &str,
    reason: &str,
) -> Result<(), AppError> {
    let id = visible_case(pool, user, number).await?;
    let mut tx = pool.begin().await?;
    let (state, item_type, mode, kind): (String, String, String, String) = sqlx::query_as(
        "SELECT c.state, i.item_type, c.mode, ce.kind FROM cases c
         JOIN service_items i ON i.id = c.item_id JOIN centers ce ON ce.id = c.center_id
         WHERE c.id = $1 FOR UPDATE OF c",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let facts = facts(&item_type, &mode, &kind);
    let event = CaseEvent::Withdraw {
        reason: reason.to_string(),
    };
    let next = transition(Some(parse_state(&state)), &facts, user.role(), &event)
        .map_err(|e| AppError::Rejected(e.to_string()))?;
    sqlx::query(
        "UPDATE cases SET state = $2, version = version + 1, closed_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(next.as_str())
    .execute(&mut *tx)
    .await?;
    append_event(&mut tx, id, user.id, &event, None).await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    refresh_due(&mut tx, &cal, id).await?;
    notify_applicant(&mut tx, id, Template::Withdrawn).await?;
    tx.commit().await?;
    tracing::info!(case = number, "case withdrawn by applicant");
    Ok(())
}
