//! Cases in the database: who may see and act, the locked row with the facts the state machine
//! needs, the write path (`open` for a new case, `record` for every later change) and the event
//! log with the clocks derived from it. Only this module writes `cases.state`.

use super::Access;
use crate::accounts::ssr::User;
use crate::error::AppError;
use crate::notifications::ssr::{
    applicant_message, applicant_text, notify_applicant, notify_applicant_with_link, Addressee,
    SECRET_TEMPLATES,
};
use crate::notifications::Template;
use crate::stored::Known;
use shared::case::{transition, CaseEvent, CaseFacts, CaseState, Channel, HandlingMode, ItemType};
use shared::clocks::{compute_clocks, ClockKind, ClockStatus, TimedEvent};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;

pub const CHANGED: &str = "此代办件刚被他人更新，请刷新页面后再操作";

/// The SQL condition under which `$2` (id), `$3` (role), `$4` (center), `$5` (department) may
/// see case `c`: applicants their own; agents and managers their center's, department's,
/// assigned and forwarded-on cases; an agent responsible for one item of a package application
/// its other items' cases (they share one form and one set of files); supervisors all
/// (read-only). `CaseRow::access` says the same in Rust, and which of those may act.
pub const VISIBLE: &str = "(($3 = 'applicant' AND c.applicant_id = $2)
    OR ($3 IN ('agent', 'manager') AND (c.agent_id = $2 OR c.center_id = $4 OR c.department_id = $5
        OR EXISTS (SELECT 1 FROM case_forwards f WHERE f.case_id = c.id AND f.from_center_id = $4)))
    OR ($3 = 'agent' AND c.package_case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases s
        WHERE s.package_case_id = c.package_case_id AND s.agent_id = $2))
    OR $3 = 'supervisor')";

/// A case with what the rules need besides the event.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub state: CaseState,
    pub version: i32,
    pub item_id: i64,
    pub item_lineage: i64,
    /// The item's name, as the applicant's messages give it.
    pub item_name: String,
    /// The item's promised limit in working days.
    pub promised_days: u32,
    pub applicant_id: i64,
    pub center_id: i64,
    /// Where a forward goes: the parent of the case's center.
    pub parent_center: Option<i64>,
    pub department_id: Option<i64>,
    /// The responsible agent (承办人).
    pub agent_id: Option<i64>,
    pub channel: Channel,
    pub facts: CaseFacts,
    /// The centers that forwarded the case on, which keep read-only sight of it.
    pub forwarded_from: Vec<i64>,
    /// One item of a package application: the responsible agents of its other items' cases,
    /// who may read this one.
    pub package_agents: Vec<i64>,
    /// The package's results go out together and some other item has no result yet.
    pub waits_for_package: bool,
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: i64,
    number: String,
    state: Known<CaseState>,
    version: i32,
    item_id: i64,
    lineage: i64,
    item_name: String,
    promised_days: i32,
    applicant_id: i64,
    center_id: i64,
    center_kind: String,
    parent_id: Option<i64>,
    department_id: Option<i64>,
    agent_id: Option<i64>,
    channel: Known<Channel>,
    item_type: Known<ItemType>,
    mode: Known<HandlingMode>,
    signed: bool,
    guidance_only: bool,
    forwarded_from: Vec<i64>,
    package_agents: Vec<i64>,
    waits_for_package: bool,
}

const ROW: &str = "SELECT c.id, c.number, c.state, c.version, c.item_id, i.lineage,
    i.name AS item_name, i.promised_days, c.applicant_id,
    c.center_id, ce.kind AS center_kind, ce.parent_id, c.department_id, c.agent_id, c.channel,
    i.item_type, c.mode, c.signature_file IS NOT NULL AS signed,
    c.application->'services' = '[\"pre_guidance\"]'::jsonb AS guidance_only,
    ARRAY(SELECT f.from_center_id FROM case_forwards f WHERE f.case_id = c.id) AS forwarded_from,
    ARRAY(SELECT s.agent_id FROM cases s WHERE s.package_case_id = c.package_case_id AND s.id <> c.id
          AND s.agent_id IS NOT NULL) AS package_agents,
    coalesce((SELECT p.deliver_together FROM package_cases p WHERE p.id = c.package_case_id), false)
      AND EXISTS (SELECT 1 FROM cases s WHERE s.package_case_id = c.package_case_id AND s.id <> c.id
          AND s.state NOT IN ('result_issued', 'delivering', 'completed', 'withdrawn', 'terminated', 'guided'))
      AS waits_for_package
    FROM cases c JOIN service_items i ON i.id = c.item_id JOIN centers ce ON ce.id = c.center_id";

impl From<Raw> for CaseRow {
    fn from(r: Raw) -> Self {
        CaseRow {
            id: r.id,
            number: r.number,
            state: r.state.0,
            version: r.version,
            item_id: r.item_id,
            item_lineage: r.lineage,
            item_name: r.item_name,
            promised_days: r.promised_days.max(0) as u32,
            applicant_id: r.applicant_id,
            center_id: r.center_id,
            parent_center: r.parent_id,
            department_id: r.department_id,
            agent_id: r.agent_id,
            channel: r.channel.0,
            facts: CaseFacts {
                item_type: r.item_type.0,
                mode: r.mode.0,
                at_station: r.center_kind != "county_center",
                signed: r.signed,
                guidance_only: r.guidance_only,
            },
            forwarded_from: r.forwarded_from,
            package_agents: r.package_agents,
            waits_for_package: r.waits_for_package,
        }
    }
}

impl CaseRow {
    /// The case is at the user's center or of the user's department.
    pub fn in_unit_of(&self, user: &User) -> bool {
        user.center_id == Some(self.center_id)
            || (user.department_id.is_some() && user.department_id == self.department_id)
    }

    pub fn access(&self, user: &User) -> Access {
        let in_unit = self.in_unit_of(user);
        let forwarded = user
            .center_id
            .is_some_and(|c| self.forwarded_from.contains(&c));
        match user.role() {
            Role::Applicant if self.applicant_id == user.id => Access::Act,
            Role::Agent if self.agent_id == Some(user.id) => Access::Act,
            Role::Manager if in_unit => Access::Act,
            Role::Agent | Role::Manager if in_unit || forwarded => Access::Read,
            Role::Agent if self.package_agents.contains(&user.id) => Access::Read,
            Role::Supervisor => Access::Read,
            _ => Access::None,
        }
    }

    /// An agent of the unit may take an unassigned case, or one assigned to them (being filed
    /// for the item is checked against the database: `may_receive`).
    pub fn open_to_receive_by(&self, user: &User) -> bool {
        user.role() == Role::Agent
            && self.in_unit_of(user)
            && self.agent_id.is_none_or(|a| a == user.id)
    }

    /// Whether `user` may receive the case now and so become responsible for it.
    pub async fn may_receive<'e, E: sqlx::PgExecutor<'e>>(
        &self,
        db: E,
        user: &User,
    ) -> Result<bool, AppError> {
        Ok(self.state == CaseState::Submitted
            && self.open_to_receive_by(user)
            && covers_item(db, user.id, self.item_lineage).await?)
    }
}

/// Case `number`, locked for the transaction when `lock`; `NotFound` when there is none.
pub async fn find<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    number: &str,
    lock: bool,
) -> Result<CaseRow, AppError> {
    let sql = format!(
        "{ROW} WHERE c.number = $1{}",
        if lock { " FOR UPDATE OF c" } else { "" }
    );
    let raw: Option<Raw> = sqlx::query_as(&sql).bind(number).fetch_optional(db).await?;
    Ok(raw.ok_or(AppError::NotFound)?.into())
}

/// Case `id` (for announcements, which carry ids); `NotFound` when there is none.
pub async fn find_id<'e, E: sqlx::PgExecutor<'e>>(db: E, id: i64) -> Result<CaseRow, AppError> {
    let raw: Option<Raw> = sqlx::query_as(&format!("{ROW} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(raw.ok_or(AppError::NotFound)?.into())
}

/// Case `number` if `user` may see it; `NotFound` otherwise, so guessing reveals nothing.
pub async fn visible<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    user: &User,
    number: &str,
) -> Result<(CaseRow, Access), AppError> {
    let case = find(db, number, false).await?;
    match case.access(user) {
        Access::None => Err(AppError::NotFound),
        access => Ok((case, access)),
    }
}

/// `covers_item` as an SQL condition on `$1` (the account) and `$2` (the item's lineage).
macro_rules! covers_item {
    () => {
        "EXISTS (SELECT 1 FROM team_members m
             JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed'
             JOIN team_member_items mi ON mi.member_id = m.id AND mi.item_lineage = $2
             JOIN accounts a ON a.id = m.account_id AND a.role = 'agent' AND a.disabled_at IS NULL
             WHERE m.account_id = $1)"
    };
}

/// Whether `account` is an active agent of a filed team who covers the item of `lineage`: the
/// only people who may be responsible for a case of it.
pub async fn covers_item<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    account: i64,
    lineage: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(concat!("SELECT ", covers_item!()))
        .bind(account)
        .bind(lineage)
        .fetch_one(db)
        .await?)
}

/// A locked case's events as they stand, and the time the next event will bear (the
/// transaction's): what a step is checked against and its clocks are reckoned from.
pub struct Past {
    pub now: chrono::DateTime<chrono::Utc>,
    pub events: Vec<TimedEvent>,
}

impl Past {
    fn decode(
        now: chrono::DateTime<chrono::Utc>,
        events: Vec<serde_json::Value>,
        ats: Vec<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Past, AppError> {
        let events = events
            .into_iter()
            .zip(ats)
            .map(|(event, at)| {
                Ok(TimedEvent {
                    at,
                    event: serde_json::from_value(event)?,
                })
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .map_err(AppError::internal)?;
        Ok(Past { now, events })
    }

    pub fn notices(&self) -> usize {
        notices(&self.events)
    }
}

/// How many one-time notices (一次性告知) a case with these events has had.
pub fn notices(events: &[TimedEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.event, CaseEvent::ReviewMissing))
        .count()
}

/// The events of the case whose id is parameter `$case`, in order, with the transaction's time.
macro_rules! past {
    ($case:literal) => {
        concat!(
            "SELECT now() AS now, coalesce(array_agg(event ORDER BY at, id), '{}') AS events,
                    coalesce(array_agg(at ORDER BY at, id), '{}') AS ats
             FROM case_events WHERE case_id = ",
            $case
        )
    };
}

type PastRow = (
    chrono::DateTime<chrono::Utc>,
    Vec<serde_json::Value>,
    Vec<chrono::DateTime<chrono::Utc>>,
);

/// The locked case's past (`record` reads it when the caller has not).
async fn past(tx: &mut Transaction<'_, Postgres>, case_id: i64) -> Result<Past, AppError> {
    let (now, events, ats): PastRow = sqlx::query_as(past!("$1"))
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
    Past::decode(now, events, ats)
}

/// What an agent's step on a locked case is checked against, read in one round trip: the
/// case's past, whether the agent may be responsible for it (`covers_item`), and the names of
/// its item's materials, sorted (a review checks every one).
pub struct StepFacts {
    pub past: Past,
    pub covers_item: bool,
    pub materials: Vec<String>,
}

pub async fn step_facts(
    tx: &mut Transaction<'_, Postgres>,
    case: &CaseRow,
    account: i64,
) -> Result<StepFacts, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        now: chrono::DateTime<chrono::Utc>,
        events: Vec<serde_json::Value>,
        ats: Vec<chrono::DateTime<chrono::Utc>>,
        covers_item: bool,
        materials: Vec<String>,
    }
    let mut r: Row = sqlx::query_as(concat!(
        "SELECT p.*, ",
        covers_item!(),
        " AS covers_item, ARRAY(SELECT name FROM item_materials WHERE item_id = $4) AS materials FROM (",
        past!("$3"),
        ") p"
    ))
    .bind(account)
    .bind(case.item_lineage)
    .bind(case.id)
    .bind(case.item_id)
    .fetch_one(&mut **tx)
    .await?;
    r.materials.sort_unstable();
    Ok(StepFacts {
        past: Past::decode(r.now, r.events, r.ats)?,
        covers_item: r.covers_item,
        materials: r.materials,
    })
}

pub const NOT_FILED: &str = "只有已登记备案、承办本事项的帮办代办员才能接收或承办此代办件";

/// One change of a case.
pub struct Step<'a> {
    pub actor: &'a User,
    pub event: CaseEvent,
    /// The version the person saw; `None` for steps that do not come from a page of the case.
    pub expected_version: Option<i32>,
    pub note: Option<String>,
    /// The step's details (a review's checklist, a window and receipt…); a `signature_file`
    /// in them is the applicant's (`Sign`) or the agent's (`Receive`) signature.
    pub details: Option<serde_json::Value>,
    /// Whether the applicant is told of this step.
    pub notify: bool,
    /// The case's past, when the caller has read it already (`step_facts`).
    pub past: Option<Past>,
}

impl<'a> Step<'a> {
    pub fn new(actor: &'a User, event: CaseEvent) -> Self {
        Step {
            actor,
            event,
            expected_version: None,
            note: None,
            details: None,
            notify: true,
            past: None,
        }
    }
}

/// The message the applicant gets for a step, if any.
fn template(event: &CaseEvent) -> Option<Template> {
    Some(match event {
        CaseEvent::Receive => Template::TakenUp,
        CaseEvent::ReviewMissing => Template::MaterialsMissing,
        CaseEvent::ReviewComplete => Template::MaterialsComplete,
        CaseEvent::GoToWindow | CaseEvent::SubmitToWindow => Template::HandedIn,
        CaseEvent::WindowAccept => Template::Accepted,
        CaseEvent::WindowReject { .. } => Template::WindowRejected,
        CaseEvent::StartSpecialStep { .. } => Template::SpecialStep,
        CaseEvent::IssueResult => Template::ResultReady,
        CaseEvent::StartDelivery { .. } => Template::Delivering,
        CaseEvent::Complete => Template::Delivered,
        CaseEvent::Terminate { .. } => Template::Terminated,
        CaseEvent::Withdraw { .. } => Template::Withdrawn,
        CaseEvent::Forward { .. } => Template::Forwarded,
        CaseEvent::Handover => Template::HandedOver,
        CaseEvent::EndSpecialStep => Template::SpecialStepEnded,
        CaseEvent::CloseGuidance => Template::Guided,
        CaseEvent::Submit
        | CaseEvent::Assign { .. }
        | CaseEvent::Sign
        | CaseEvent::HomeVisit
        | CaseEvent::MailIn
        | CaseEvent::Supplement => return None,
    })
}

/// Applies `step` to the locked `case`: runs the state machine, updates state, version,
/// responsibility and place, appends the event, refreshes the due date and queues the
/// applicant's message — all in the caller's transaction. Returns the new state.
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    cal: &shared::Calendar,
    case: &CaseRow,
    step: Step<'_>,
) -> Result<CaseState, AppError> {
    if step.expected_version.is_some_and(|v| v != case.version) {
        return Err(AppError::Rejected(CHANGED.into()));
    }
    let next = transition(
        Some(case.state),
        &case.facts,
        step.actor.role(),
        &step.event,
    )
    .map_err(|e| AppError::Rejected(e.to_string()))?;
    if matches!(step.event, CaseEvent::StartDelivery { .. }) && case.waits_for_package {
        return Err(AppError::Rejected(
            "“一件事”的结果一并送达：其他事项的结果尚未出具，请待全部出具后再送达".into(),
        ));
    }
    let (agent, center) = match &step.event {
        CaseEvent::Receive => (Some(step.actor.id), case.center_id),
        CaseEvent::Assign { agent } => (Some(*agent), case.center_id),
        // The next level takes it up; nobody there is responsible yet.
        CaseEvent::Forward { to_center } => (None, *to_center),
        _ => (case.agent_id, case.center_id),
    };
    let signature_file = step
        .details
        .as_ref()
        .and_then(|d| d.get("signature_file"))
        .and_then(|v| v.as_i64());
    let Past { now, mut events } = match step.past {
        Some(past) => past,
        None => past(tx, case.id).await?,
    };
    events.push(TimedEvent {
        at: now,
        event: step.event.clone(),
    });
    let timing = Timing::of(&events, case.promised_days, cal);
    // The new state with its due and warning times, the event that led to it and the clocks,
    // in one statement: the case row is written once (each write of it touches all of its
    // indexes).
    let event = serde_json::to_value(&step.event).map_err(AppError::internal)?;
    let before = Some((case.center_id, case.agent_id));
    // The applicant's message for the step, written with it.
    let message = template(&step.event).filter(|_| step.notify).map(|t| {
        // A finished case's message asks for a rating, with the page to give it on.
        let link = matches!(
            t,
            Template::Delivered | Template::Terminated | Template::Guided
        )
        .then(crate::state::public_origin)
        .flatten()
        .map(|origin| format!("{origin}/cases/{}", case.number));
        let to = Addressee {
            case_id: case.id,
            applicant: case.applicant_id,
            number: &case.number,
            item: &case.item_name,
        };
        (t, applicant_text(&to, t, link.as_deref()))
    });
    // Built once: the statement is the same for every step.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH moved AS (
               UPDATE cases SET state = $19, version = version + 1, agent_id = $16, center_id = $15,
                 received_at = CASE WHEN $20 THEN now() ELSE received_at END,
                 closed_at = CASE WHEN $21 THEN now() ELSE closed_at END,
                 signature_file = CASE WHEN $22 THEN $23 ELSE signature_file END,
                 agent_signature_file = CASE WHEN $20 THEN coalesce($23, agent_signature_file)
                                             ELSE agent_signature_file END,
                 delivery_mode = coalesce($24, delivery_mode),
                 due_at = $13, warn_at = $14
               WHERE id = $1),
             added AS (
               INSERT INTO case_events (case_id, actor_id, event, note, details)
               VALUES ($1, $25, $26, $27, $28)),
             {},
             {}",
            applicant_message!("$33", "$1", "$29", "$30", "$31", "$32"),
            clocks_sql(
                "SELECT $15::bigint AS center_id, $16::bigint AS agent_id,
                        $17::bigint AS department_id, $18::bigint AS lineage"
            )
        )
    });
    timing
        .bind(sqlx::query(&SQL), case.id, before)
        .bind(center)
        .bind(agent)
        .bind(case.department_id)
        .bind(case.item_lineage)
        .bind(next.as_str())
        .bind(matches!(step.event, CaseEvent::Receive))
        .bind(!next.is_open())
        .bind(matches!(step.event, CaseEvent::Sign))
        .bind(signature_file)
        .bind(match &step.event {
            CaseEvent::StartDelivery { delivery } => Some(delivery.mode()),
            _ => None,
        })
        .bind(step.actor.id)
        .bind(event)
        .bind(step.note.as_deref())
        .bind(step.details.as_ref())
        .bind(message.as_ref().map(|(t, _)| t.as_str()))
        .bind(message.as_ref().map(|(_, text)| text))
        .bind(crate::accounts::ssr::UNCLAIMED)
        .bind(SECRET_TEMPLATES)
        .bind(case.applicant_id)
        .execute(&mut **tx)
        .await?;
    if let CaseEvent::Forward { to_center } = step.event {
        sqlx::query(
            "INSERT INTO case_forwards (case_id, from_center_id, to_center_id) VALUES ($1, $2, $3)
             ON CONFLICT (case_id, from_center_id) DO UPDATE SET to_center_id = $3, at = now()",
        )
        .bind(case.id)
        .bind(case.center_id)
        .bind(to_center)
        .execute(&mut **tx)
        .await?;
    }
    super::alerts::on_step(tx, case, &step.event, step.note.as_deref()).await?;
    tracing::info!(
        case = %case.number,
        actor = step.actor.id,
        from = case.state.as_str(),
        to = next.as_str(),
        "case step"
    );
    Ok(next)
}

/// A new case, as the form was submitted.
pub struct Opening<'a> {
    /// The applicant applying online, or the agent registering a phone or walk-in application.
    pub submitter: &'a User,
    pub number: &'a str,
    pub applicant_id: i64,
    pub item_id: i64,
    pub item_type: ItemType,
    pub center_id: i64,
    pub department_id: i64,
    pub channel: Channel,
    pub application: &'a shared::application::Application,
    pub token: &'a str,
    /// The applicant's signature; a phone booking has none until the applicant signs.
    pub signature_file: Option<i64>,
    /// The site's public address, for the signing link a phone booking's message carries.
    pub public_origin: Option<&'a str>,
    /// The package application this case is one item of: the applicant is told once, of the
    /// whole, not of each item.
    pub package_case_id: Option<i64>,
}

/// Creates the case through the state machine's first step and queues the applicant's message.
/// `None` when a case was already made with this submission token (a double click, a retried
/// request racing this one): the transaction is then spent and the caller looks that case up.
pub async fn open(
    tx: &mut Transaction<'_, Postgres>,
    cal: &shared::Calendar,
    o: Opening<'_>,
) -> Result<Option<i64>, AppError> {
    let a = o.application;
    let facts = CaseFacts {
        item_type: o.item_type,
        mode: a.mode,
        at_station: false,
        signed: o.signature_file.is_some(),
        guidance_only: false,
    };
    let state = transition(None, &facts, o.submitter.role(), &CaseEvent::Submit)
        .map_err(|e| AppError::Rejected(e.to_string()))?;
    let application = serde_json::to_value(a).map_err(AppError::internal)?;
    let event = serde_json::to_value(CaseEvent::Submit).map_err(AppError::internal)?;
    // The case and its first event in one statement, as every later step writes its own.
    let inserted = sqlx::query_scalar(
        "WITH opened AS (
           INSERT INTO cases (number, applicant_id, item_id, center_id, intake_center_id, department_id,
               channel, mode, state, application, applicant_kind, unit_name, handler_phone,
               submission_token, signature_file, package_case_id)
           VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::uuid, $14, $15)
           RETURNING id),
         logged AS (INSERT INTO case_events (case_id, actor_id, event) SELECT id, $16, $17 FROM opened)
         SELECT id FROM opened",
    )
    .bind(o.number)
    .bind(o.applicant_id)
    .bind(o.item_id)
    .bind(o.center_id)
    .bind(o.department_id)
    .bind(o.channel.as_str())
    .bind(a.mode.as_str())
    .bind(state.as_str())
    .bind(&application)
    .bind(a.kind.as_str())
    .bind(&a.unit_name)
    .bind(&a.handler_phone)
    .bind(o.token)
    .bind(o.signature_file)
    .bind(o.package_case_id)
    .bind(o.submitter.id)
    .bind(event)
    .fetch_one(&mut **tx)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("cases_submission_token_key") => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    refresh_timing(tx, cal, id, None).await?;
    match o.channel {
        _ if o.package_case_id.is_some() => {}
        Channel::Phone => {
            let link = o
                .public_origin
                .map(|origin| format!("{origin}/cases/{}/sign", o.number));
            notify_applicant_with_link(tx, id, Template::PhoneRegistered, link.as_deref()).await?
        }
        _ => notify_applicant(tx, id, Template::Received).await?,
    }
    if state == CaseState::Submitted {
        let lineage: i64 = sqlx::query_scalar("SELECT lineage FROM service_items WHERE id = $1")
            .bind(o.item_id)
            .fetch_one(&mut **tx)
            .await?;
        super::alerts::new_case(tx, id, o.number, o.center_id, lineage, false).await?;
    }
    Ok(Some(id))
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
    shared::clocks::next_due(clocks)
}

/// Keeps what is derived from the event log current: `cases.due_at` (the nearest due instant
/// of the running clocks) for queues, `warn_at` (when that clock turns amber) for the alert job,
/// and the case's rows of `case_clocks` for supervision. `before` is where the case was and who
/// was responsible before this step: a clock the step stops is theirs (a station's hand-in clock
/// stays the station's when it forwards the case). A clock that has stopped never changes again.
pub async fn refresh_timing(
    tx: &mut Transaction<'_, Postgres>,
    cal: &shared::Calendar,
    case_id: i64,
    before: Option<(i64, Option<i64>)>,
) -> Result<(), AppError> {
    let h = history(&mut **tx, case_id).await?;
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH timing AS (UPDATE cases SET due_at = $13, warn_at = $14 WHERE id = $1), {}",
            clocks_sql(
                "SELECT c.center_id, c.agent_id, c.department_id, i.lineage
                 FROM cases c JOIN service_items i ON i.id = c.item_id WHERE c.id = $1"
            )
        )
    });
    Timing::of(&h.events, h.limit, cal)
        .bind(sqlx::query(&SQL), case_id, before)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The clocks of case `$1` written ($2–$10: `ClockRows`; $11, $12: the center and agent before
/// the step, which clocks stopped by it stay with), and the stopped ones added to their day's
/// figures. `case` selects the case's center_id, agent_id, department_id and lineage as they
/// are after the step.
///
/// The clocks that stop are added to their day's figures in the slot of this database
/// connection (steps running at once are on different connections, so they do not wait on each
/// other's row); rows are taken in key order so two steps never lock each other's rows
/// crosswise.
fn clocks_sql(case: &str) -> String {
    format!(
        "changed AS (
         INSERT INTO case_clocks (case_id, seq, kind, nth, center_id, agent_id, department_id,
             item_lineage, started_at, stopped_at, limit_days, due_at, used_days, breached)
         SELECT $1, k.seq, k.kind, k.nth,
                CASE WHEN k.stopped_at IS NOT NULL AND $11::bigint IS NOT NULL THEN $11 ELSE c.center_id END,
                CASE WHEN k.stopped_at IS NOT NULL AND $11::bigint IS NOT NULL THEN $12 ELSE c.agent_id END,
                c.department_id, c.lineage, k.started_at, k.stopped_at, k.limit_days, k.due_at, k.used_days, k.breached
         FROM unnest($2::smallint[], $3::text[], $4::smallint[], $5::timestamptz[], $6::timestamptz[],
                     $7::int[], $8::timestamptz[], $9::int[], $10::bool[])
              AS k (seq, kind, nth, started_at, stopped_at, limit_days, due_at, used_days, breached)
         CROSS JOIN ({case}) c
         ON CONFLICT (case_id, seq) DO UPDATE SET
             center_id = EXCLUDED.center_id, agent_id = EXCLUDED.agent_id,
             stopped_at = EXCLUDED.stopped_at, limit_days = EXCLUDED.limit_days,
             due_at = EXCLUDED.due_at, used_days = EXCLUDED.used_days, breached = EXCLUDED.breached
         WHERE case_clocks.stopped_at IS NULL
         RETURNING kind, center_id, department_id, stopped_at, limit_days, breached, used_days)
         INSERT INTO clock_days (day, kind, center_id, department_id, slot, finished, met, stopped, days)
         SELECT (stopped_at AT TIME ZONE 'Asia/Shanghai')::date, kind, center_id,
                coalesce(department_id, 0), (pg_backend_pid() % 64)::smallint,
                count(*) FILTER (WHERE limit_days IS NOT NULL),
                count(*) FILTER (WHERE limit_days IS NOT NULL AND NOT breached),
                count(*), sum(used_days)
         FROM changed WHERE stopped_at IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
         ON CONFLICT (day, kind, center_id, department_id, slot) DO UPDATE SET
             finished = clock_days.finished + EXCLUDED.finished,
             met = clock_days.met + EXCLUDED.met,
             stopped = clock_days.stopped + EXCLUDED.stopped,
             days = clock_days.days + EXCLUDED.days"
    )
}

/// A case's clocks and its due and warning times, reckoned from its history now.
struct Timing {
    rows: ClockRows,
    due: Option<chrono::DateTime<chrono::Utc>>,
    warn: Option<chrono::DateTime<chrono::Utc>>,
}

impl Timing {
    fn of(events: &[TimedEvent], limit: u32, cal: &shared::Calendar) -> Timing {
        let now = chrono::Utc::now();
        let clocks = compute_clocks(events, limit, cal, now);
        let due = next_due_clock(&clocks).and_then(|c| c.due_at);
        let warn = shared::clocks::warns_at(events, limit, cal, now);
        let mut nth: HashMap<ClockKind, i16> = HashMap::new();
        let mut rows = ClockRows::default();
        for (seq, c) in clocks.iter().enumerate() {
            let n = nth.entry(c.kind).or_default();
            *n += 1;
            rows.seq.push(seq as i16);
            rows.kind.push(c.kind.as_str());
            rows.nth.push(*n);
            rows.started_at.push(c.started_at);
            rows.stopped_at.push(c.stopped_at);
            rows.limit_days.push(c.limit_days.map(|d| d as i32));
            rows.due_at
                .push(c.due_at.filter(|_| c.status != ClockStatus::Paused));
            rows.used_days.push(c.used_days as i32);
            rows.breached.push(c.status == ClockStatus::Breached);
        }
        Timing { rows, due, warn }
    }

    /// Binds $1–$14 of a statement with `clocks_sql`: the case, the clock rows, the center and
    /// agent before the step, the due and warning times.
    fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
        case_id: i64,
        before: Option<(i64, Option<i64>)>,
    ) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
        let r = &self.rows;
        q.bind(case_id)
            .bind(&r.seq)
            .bind(&r.kind)
            .bind(&r.nth)
            .bind(&r.started_at)
            .bind(&r.stopped_at)
            .bind(&r.limit_days)
            .bind(&r.due_at)
            .bind(&r.used_days)
            .bind(&r.breached)
            .bind(before.map(|b| b.0))
            .bind(before.and_then(|b| b.1))
            .bind(self.due)
            .bind(self.warn)
    }
}

/// `case_clocks` columns, one array each, for one `unnest` insert.
#[derive(Default)]
struct ClockRows {
    seq: Vec<i16>,
    kind: Vec<&'static str>,
    nth: Vec<i16>,
    started_at: Vec<chrono::DateTime<chrono::Utc>>,
    stopped_at: Vec<Option<chrono::DateTime<chrono::Utc>>>,
    limit_days: Vec<Option<i32>>,
    due_at: Vec<Option<chrono::DateTime<chrono::Utc>>>,
    used_days: Vec<i32>,
    breached: Vec<bool>,
}

/// Fills `case_clocks` (and `due_at`, `warn_at`) for cases that have none: those from before the
/// table existed. Run at start-up under the setup lock; a few hundred cases per transaction.
pub async fn backfill_timing(pool: &PgPool, cal: &shared::Calendar) -> Result<u64, AppError> {
    let (mut done, mut after) = (0, 0);
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT c.id FROM cases c
             WHERE c.id > $1 AND NOT EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id)
               AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)
             ORDER BY c.id LIMIT 500",
        )
        .bind(after)
        .fetch_all(pool)
        .await?;
        let Some(&last) = ids.last() else {
            return Ok(done);
        };
        after = last;
        let mut tx = pool.begin().await?;
        for id in &ids {
            refresh_timing(&mut tx, cal, *id, None).await?;
        }
        tx.commit().await?;
        done += ids.len() as u64;
    }
}

/// Reckons the running clocks of every open case again with the calendar as it now stands,
/// while an edit of the calendar is pending (`calendar_refresh`). One process at a time does
/// it (an advisory lock); a few hundred cases per transaction. Answers how many cases were
/// refreshed, or `None` when another process is already at it.
pub async fn refresh_open_cases(pool: &PgPool) -> Result<Option<u64>, AppError> {
    const LOCK: i64 = 0x6361_6c65_6e64_6172; // "calendar"
    let mut lock = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK)
        .fetch_one(&mut *lock)
        .await?;
    if !locked {
        return Ok(None);
    }
    let result = async {
        let mut done = 0;
        loop {
            let pending: Option<chrono::DateTime<chrono::Utc>> =
                sqlx::query_scalar("SELECT pending_since FROM calendar_refresh")
                    .fetch_one(pool)
                    .await?;
            let Some(pending) = pending else {
                return Ok(done);
            };
            // Read from the database, not memory: this process may not have heard of the
            // edit yet.
            let cal = crate::calendar::ssr::fresh(pool).await?;
            let (mut after, mut pass) = (0, 0);
            loop {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM cases WHERE closed_at IS NULL AND id > $1 ORDER BY id LIMIT 200",
                )
                .bind(after)
                .fetch_all(pool)
                .await?;
                let Some(&last) = ids.last() else { break };
                after = last;
                let mut tx = pool.begin().await?;
                for id in &ids {
                    refresh_timing(&mut tx, &cal, *id, None).await?;
                }
                tx.commit().await?;
                pass += ids.len() as i64;
            }
            done += pass as u64;
            // A newer edit keeps the mark, and the loop goes round again.
            sqlx::query(
                "UPDATE calendar_refresh SET pending_since = NULL, refreshed_at = now(),
                     refreshed_cases = $2
                 WHERE pending_since = $1",
            )
            .bind(pending)
            .bind(pass)
            .execute(pool)
            .await?;
        }
    }
    .await;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK)
        .execute(&mut *lock)
        .await?;
    result.map(Some)
}
