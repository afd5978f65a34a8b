//! Working a case: every agent action is checked, turned into an event and applied through the
//! case log's one write path; who may act is decided on the case itself (its responsible agent,
//! its unit's manager; an agent of the unit filed for the item may take it up).

use super::{AgentLoad, AssignRow, Assignments, QueueRow, WorkContext};
use crate::accounts::ssr::User;
use crate::case_log::ssr::{self as log, CaseRow, Step};
use crate::case_log::Access;
use crate::error::AppError;
use leptos::prelude::RenderHtml;
use shared::case::{CaseEvent, CaseState, HandlingMode};
use shared::clocks::{compute_clocks, ClockStatus};
use shared::work::{CaseAction, CheckContext};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};
use std::sync::Arc;

pub const HELD_BY_OTHER: &str = "此代办件由其他帮办代办员承办，您只能查看";
pub const NOT_RECEIVED: &str = "此代办件尚未接收：请先接收，接收后由您承办";

/// Whether `user` may take `action` on `case`, before the state machine is asked;
/// `covers_item`: whether the user is filed for the case's item.
fn may_act(
    user: &User,
    case: &CaseRow,
    action: &CaseAction,
    covers_item: bool,
) -> Result<(), AppError> {
    let receive = matches!(action, CaseAction::Receive { .. });
    match case.access(user) {
        Access::None => return Err(AppError::NotFound),
        Access::Read if receive && case.open_to_receive_by(user) => {}
        Access::Read if case.open_to_receive_by(user) => {
            return Err(AppError::Rejected(NOT_RECEIVED.into()))
        }
        Access::Read => return Err(AppError::Rejected(HELD_BY_OTHER.into())),
        Access::Act => {}
    }
    // Receiving makes the receiver responsible: only a filed agent covering the item.
    if receive && !covers_item {
        return Err(AppError::Rejected(log::NOT_FILED.into()));
    }
    Ok(())
}

/// The agent a manager assigns must be an active agent of the case's unit, filed for the item.
async fn check_assignee(
    tx: &mut Transaction<'_, Postgres>,
    case: &CaseRow,
    agent: i64,
) -> Result<(), AppError> {
    let in_unit: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND role = 'agent' AND disabled_at IS NULL
                        AND (center_id = $2 OR department_id = $3))",
    )
    .bind(agent)
    .bind(case.center_id)
    .bind(case.department_id)
    .fetch_one(&mut **tx)
    .await?;
    if !in_unit || !log::covers_item(&mut **tx, agent, case.item_lineage).await? {
        return Err(AppError::field(
            "agent_id",
            "只能指派给本单位已登记备案、承办本事项的帮办代办员",
        ));
    }
    Ok(())
}

/// How the case's result went out, once delivery started.
fn delivery_of(events: &[shared::clocks::TimedEvent]) -> Option<shared::case::Delivery> {
    events.iter().rev().find_map(|e| match &e.event {
        CaseEvent::StartDelivery { delivery } => Some(delivery.clone()),
        _ => None,
    })
}

/// Stores a signature drawn on the agent's device as a file of the case.
async fn store_signature(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    case_id: i64,
    signature: &str,
    name: &str,
) -> Result<i64, AppError> {
    let png = crate::files::signature::ssr::check(signature)?;
    let files_dir = leptos::prelude::use_context::<crate::state::AppState>()
        .map(|s| s.files_dir)
        .ok_or_else(|| AppError::internal("AppState missing"))?;
    let stored = crate::files::ssr::store(&files_dir, &png).await?;
    crate::files::ssr::record(tx, &stored, user.id, Some(case_id), "signature", name).await
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
    let case = log::find(&mut *tx, number, true).await?;
    if case.access(user) == Access::None {
        return Err(AppError::NotFound);
    }
    // A stale page first: after reloading, the person sees who holds the case now.
    if case.version != version {
        return Err(AppError::Rejected(log::CHANGED.into()));
    }
    let facts = log::step_facts(&mut tx, &case, user.id).await?;
    may_act(user, &case, action, facts.covers_item)?;
    action
        .check(CheckContext {
            // A second one-time notice needs a reason.
            notices_before: facts.past.notices(),
            mode: case.facts.mode,
        })
        .map_err(AppError::Invalid)?;

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
            details["on_behalf"] = (case.facts.mode == HandlingMode::Proxy).into();
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
        CaseAction::Assign { agent_id, .. } => check_assignee(&mut tx, &case, *agent_id).await?,
        // Every line of the item's checklist, each once: a review cannot skip a material.
        CaseAction::Review { checks, .. } => {
            let mut given: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
            given.sort_unstable();
            if !facts.materials.is_empty() && facts.materials != given {
                return Err(AppError::field(
                    "checks",
                    "核对表与本事项的材料清单不一致，请刷新页面后逐项核对",
                ));
            }
        }
        // One who cannot sign on a screen signs the printed form: the agent uploaded it to
        // this case, and it stands for the signature.
        CaseAction::Sign {
            signature,
            paper_form: Some(file),
        } if signature.is_empty() => {
            let uploaded: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM stored_files
                  WHERE id = $1 AND case_id = $2 AND uploaded_by = $3 AND purpose = 'signed_form')",
            )
            .bind(file)
            .bind(case.id)
            .bind(user.id)
            .fetch_one(&mut *tx)
            .await?;
            if !uploaded {
                return Err(AppError::field(
                    "paper_form",
                    "请先上传申请人签字的纸质申请表",
                ));
            }
            details["signature_file"] = (*file).into();
        }
        // One level up the tree: the parent of the case's center.
        CaseAction::Forward { .. } => {
            event = CaseEvent::Forward {
                to_center: case.parent_center.unwrap_or(0),
            }
        }
        _ => {}
    }
    // Signatures on the agent's device, kept as files with the case.
    let signature = match action {
        CaseAction::Receive { signature } => Some((signature, "代办人签名.png")),
        CaseAction::Sign { signature, .. } => Some((signature, "申请人签名.png")),
        CaseAction::Handover { signature } => Some((signature, "交接签名.png")),
        // Only a door delivery is signed for: the recipient signs on the agent's device.
        CaseAction::Complete { signature, .. } => {
            let door = matches!(
                delivery_of(&facts.past.events),
                Some(shared::case::Delivery::Door)
            );
            if door && signature.is_empty() {
                return Err(AppError::field("signature", "上门送达须请签收人签名"));
            }
            door.then_some((signature, "签收签名.png"))
        }
        _ => None,
    };
    if let Some((signature, name)) = signature.filter(|(s, _)| !s.is_empty()) {
        // The state machine first, so a refused step stores nothing.
        shared::case::transition(Some(case.state), &case.facts, user.role(), &event)
            .map_err(|e| AppError::Rejected(e.to_string()))?;
        let file = store_signature(&mut tx, user, case.id, signature, name).await?;
        details["signature"] = serde_json::Value::Null;
        details["signature_file"] = file.into();
    }
    let mut step = Step::new(user, event);
    step.expected_version = Some(version);
    step.note = action.note();
    step.details = Some(details);
    step.past = Some(facts.past);
    log::record(&mut tx, &cal, &case, step).await?;
    tx.commit().await?;
    Ok(version + 1)
}

/// Which queue, as named in the workbench's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    New,
    Mine,
    Unassigned,
    DueToday,
    Breached,
    AwaitingApplicant,
    AtWindow,
    SpecialSteps,
    ToDeliver,
    /// Cases this center forwarded up the tree, followed read-only.
    Forwarded,
}

impl Queue {
    pub const ALL: [Queue; 10] = [
        Queue::New,
        Queue::Mine,
        Queue::Unassigned,
        Queue::DueToday,
        Queue::Breached,
        Queue::AwaitingApplicant,
        Queue::AtWindow,
        Queue::SpecialSteps,
        Queue::ToDeliver,
        Queue::Forwarded,
    ];

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::New => "new",
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::DueToday => "due_today",
            Queue::Breached => "breached",
            Queue::AwaitingApplicant => "awaiting_applicant",
            Queue::AtWindow => "at_window",
            Queue::SpecialSteps => "special_steps",
            Queue::ToDeliver => "to_deliver",
            Queue::Forwarded => "forwarded",
        }
    }

    /// The queue's condition over case `c`; `$1` is the user's center, `$4` the user, `$5` the
    /// end of today (Beijing).
    fn condition(self) -> &'static str {
        match self {
            Queue::New => "c.state = 'submitted'",
            Queue::Mine => "c.agent_id = $4",
            Queue::Unassigned => "c.agent_id IS NULL",
            Queue::DueToday => "c.due_at >= now() AND c.due_at <= $5",
            Queue::Breached => "c.due_at < now()",
            Queue::AwaitingApplicant => "c.state = 'awaiting_supplement'",
            Queue::AtWindow => "c.state IN ('at_window', 'handed_over', 'submitted_to_window', 'accepted_by_window')",
            Queue::SpecialSteps => "c.state = 'special_step'",
            Queue::ToDeliver => "c.state IN ('result_issued', 'delivering')",
            Queue::Forwarded => "f.case_id IS NOT NULL",
        }
    }

    /// Which cases the queue looks at: the user's unit, or what their center forwarded on.
    fn scope(self) -> &'static str {
        match self {
            Queue::Forwarded => FORWARDED,
            _ => UNIT,
        }
    }
}

/// The cases of the user's center, department, or assigned to them.
const UNIT: &str = "FROM cases c
    WHERE c.closed_at IS NULL AND (c.center_id = $1 OR c.department_id = $2 OR c.agent_id = $4)";
/// The open cases the user's center forwarded on.
const FORWARDED: &str =
    "FROM cases c JOIN case_forwards f ON f.case_id = c.id AND f.from_center_id = $1
    WHERE c.closed_at IS NULL";

impl Queue {}

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
    state: crate::stored::Known<CaseState>,
    agent: Option<String>,
    agent_id: Option<i64>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where a page of a queue starts: after (due_at, id) of the previous page's last row.
pub type After = Option<(Option<chrono::DateTime<chrono::Utc>>, i64)>;

/// Who sees which queues: the unit and the person (their own cases, wherever they are).
type Viewer = (Option<i64>, Option<i64>, i64);

fn viewer(user: &User) -> Viewer {
    (user.center_id, user.department_id, user.id)
}

/// Queue pages and counts are held in memory until any case changes (every case event is
/// announced), or for half a minute: what changes with the clock alone (a case falling due)
/// shows within that.
const HELD_FOR: std::time::Duration = std::time::Duration::from_secs(30);

type HeldPages = crate::held::Held<(Viewer, Queue, After), Vec<QueueRow>>;
type HeldCounts = crate::held::Held<Viewer, Vec<(String, i64)>>;
static PAGES: std::sync::LazyLock<HeldPages> =
    std::sync::LazyLock::new(|| crate::held::Held::new(crate::live::ssr::CASE_CHANNEL, HELD_FOR));
static COUNTS: std::sync::LazyLock<HeldCounts> =
    std::sync::LazyLock::new(|| crate::held::Held::new(crate::live::ssr::CASE_CHANNEL, HELD_FOR));

/// The workbench's HTML of each held page: drawn once, not on every view of the page.
static TABLES: std::sync::LazyLock<crate::held::Held<(Viewer, Queue, After), Arc<str>>> =
    std::sync::LazyLock::new(|| crate::held::Held::new(crate::live::ssr::CASE_CHANNEL, HELD_FOR));

/// The queue and the page after a row that a request names; an unknown queue is not found.
pub fn page_of(
    queue: &str,
    after_due: Option<String>,
    after_id: Option<i64>,
) -> Result<(Queue, After), AppError> {
    let q = Queue::parse(queue).ok_or(AppError::NotFound)?;
    let after = after_id.map(|id| {
        let due = after_due
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        (due, id)
    });
    Ok((q, after))
}

/// One page of a queue as the workbench shows it (`super::queue_table`), held as HTML while
/// its rows are.
pub async fn queue_table(
    pool: &PgPool,
    user: &User,
    q: Queue,
    after: After,
) -> Result<Arc<str>, AppError> {
    let html = TABLES
        .get(pool, (viewer(user), q, after), async || {
            let rows = queue(pool, user, q, after).await?;
            Ok::<_, AppError>(Arc::from(super::queue_table(q.as_str(), rows).to_html()))
        })
        .await?;
    Ok(Arc::clone(&html))
}

/// One page of a queue, nearest due first; `after` is the last row of the previous page
/// (keyset pagination: (due_at, id)).
pub async fn queue(
    pool: &PgPool,
    user: &User,
    q: Queue,
    after: After,
) -> Result<Vec<QueueRow>, AppError> {
    let page = PAGES
        .get(pool, (viewer(user), q, after), async || {
            read_queue(pool, user, q, after).await
        })
        .await?;
    Ok(page.to_vec())
}

async fn read_queue(
    pool: &PgPool,
    user: &User,
    q: Queue,
    after: After,
) -> Result<Vec<QueueRow>, AppError> {
    let sql = format!(
        "SELECT c.id, c.number, i.name AS item, c.unit_name AS applicant, c.state, a.display_name AS agent, c.agent_id, c.due_at
         FROM (SELECT c.* {}
           AND {}
           AND ($6::bool IS NOT TRUE OR (coalesce(c.due_at, 'infinity'), c.id) > (coalesce($7, 'infinity'), $8))
           ORDER BY coalesce(c.due_at, 'infinity'), c.id
           LIMIT {PAGE}) c
         JOIN service_items i ON i.id = c.item_id LEFT JOIN accounts a ON a.id = c.agent_id
         ORDER BY coalesce(c.due_at, 'infinity'), c.id",
        q.scope(),
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
    let mut histories = log::histories(pool, &ids).await?;
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
                state: r.state.0,
                mine: r.agent_id == Some(user.id),
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
    let counts = COUNTS
        .get(pool, viewer(user), async || read_counts(pool, user).await)
        .await?;
    Ok(counts.to_vec())
}

async fn read_counts(pool: &PgPool, user: &User) -> Result<Vec<(String, i64)>, AppError> {
    // One pass over the unit's open cases; what the center forwarded on is counted apart.
    let filters: Vec<String> = Queue::ALL
        .iter()
        .map(|q| match q.scope() {
            UNIT => format!("count(*) FILTER (WHERE {})", q.condition()),
            scope => format!("(SELECT count(*) {scope})"),
        })
        .collect();
    let sql = format!("SELECT ARRAY[{}] {UNIT}", filters.join(", "));
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
    // One connection for the page's reads (each lent connection costs round trips of its own).
    let mut conn = pool.acquire().await?;
    let (case, access) = log::visible(&mut *conn, user, number).await?;
    let may_receive = access == Access::Read && case.may_receive(&mut *conn, user).await?;
    let allowed = match access {
        Access::Act => shared::case::allowed_events(case.state, &case.facts, user.role()),
        _ if may_receive => vec![CaseEvent::Receive],
        _ => Vec::new(),
    };
    let allowed: Vec<String> = allowed
        .into_iter()
        .filter(|e| !(matches!(e, CaseEvent::Receive) && user.role() != Role::Agent))
        .map(|e| {
            serde_json::to_value(&e)
                .ok()
                .and_then(|v| v["kind"].as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect();
    let (materials, special_steps) =
        crate::catalog::ssr::item_parts(&mut conn, case.item_id).await?;
    let windows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT w.id, c.name || ' · ' || w.name FROM windows w JOIN centers c ON c.id = w.center_id
         WHERE w.retired_at IS NULL ORDER BY (w.center_id <> $1), c.id, w.id",
    )
    .bind(user.center_id)
    .fetch_all(&mut *conn)
    .await?;
    let events = log::history(&mut *conn, case.id).await?.events;
    let notices = log::notices(&events);
    let acting = access == Access::Act;
    let delivery = if acting {
        let application: Option<serde_json::Value> =
            sqlx::query_scalar("SELECT application FROM cases WHERE id = $1")
                .bind(case.id)
                .fetch_optional(&mut *conn)
                .await?;
        application
            .and_then(|a| serde_json::from_value::<shared::application::Application>(a).ok())
            .map(|a| a.delivery)
    } else {
        None
    };
    drop(conn);
    let agents = if allowed.iter().any(|a| a == "assign") {
        agent_loads(
            pool,
            case.center_id,
            case.department_id,
            Some(case.item_lineage),
        )
        .await?
    } else {
        Vec::new()
    };
    let delivered_by = delivery_of(&events);
    let notice_draft = if allowed.iter().any(|a| a == "review_complete") {
        Some(crate::cases::notice::ssr::draft(pool, case.id, user, notices as i64 + 1).await?)
    } else {
        None
    };
    let handover = if allowed.iter().any(|a| a == "handover") {
        Some(crate::cases::handover::ssr::record(pool, case.id).await?)
    } else {
        None
    };
    Ok(WorkContext {
        version: case.version,
        allowed,
        materials,
        special_steps,
        windows,
        notices_before: notices,
        mode: case.facts.mode,
        signed: case.facts.signed,
        agents,
        responsible: case.agent_id,
        today: crate::ui::beijing_time(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string(),
        delivery,
        delivered_by,
        notice_draft,
        handover,
    })
}

/// The filed agents of a unit with their open load; with `lineage`, only those covering it.
async fn agent_loads(
    pool: &PgPool,
    center: i64,
    department: Option<i64>,
    lineage: Option<i64>,
) -> Result<Vec<AgentLoad>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.display_name AS name,
                (SELECT count(*) FROM cases c WHERE c.agent_id = a.id AND c.closed_at IS NULL) AS open_cases
         FROM accounts a
         WHERE a.role = 'agent' AND a.disabled_at IS NULL AND (a.center_id = $1 OR a.department_id = $2)
           AND EXISTS (SELECT 1 FROM team_members m JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed'
                       WHERE m.account_id = a.id
                         AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM team_member_items mi
                                                            WHERE mi.member_id = m.id AND mi.item_lineage = $3)))
         ORDER BY open_cases, a.display_name",
    )
    .bind(center)
    .bind(department)
    .bind(lineage)
    .fetch_all(pool)
    .await?)
}

/// The manager's assignment screen: the unit's open cases, unassigned first, and each filed
/// agent's open load.
pub async fn assignments(pool: &PgPool, user: &User) -> Result<Assignments, AppError> {
    let center = user.center_id.ok_or(AppError::Forbidden)?;
    let cases: Vec<AssignRow> = sqlx::query_as(
        "SELECT c.number, c.version, i.name AS item, c.unit_name AS applicant, c.state,
                a.display_name AS agent, c.due_at
         FROM cases c JOIN service_items i ON i.id = c.item_id LEFT JOIN accounts a ON a.id = c.agent_id
         WHERE c.closed_at IS NULL AND (c.center_id = $1 OR c.department_id = $2)
         ORDER BY (c.agent_id IS NOT NULL), coalesce(c.due_at, 'infinity'), c.id
         LIMIT 200",
    )
    .bind(center)
    .bind(user.department_id)
    .fetch_all(pool)
    .await?;
    Ok(Assignments {
        cases,
        agents: agent_loads(pool, center, user.department_id, None).await?,
    })
}
