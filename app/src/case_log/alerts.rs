//! What staff are told about cases: on a step (a new case at their center, a case assigned to
//! them, a supplement received — queued by the write path in the step's transaction) and on
//! time (a clock at 75 %, a clock breached, a breach still open a working day later, the
//! morning digest — by `run_due`, a job every process runs). Each timed alert has a key in
//! `alerts_sent`, inserted in the transaction that queues it: with several processes, each
//! alert goes out exactly once.

use super::ssr::CaseRow;
use crate::error::AppError;
use crate::notifications::ssr::notify_staff;
use chrono::{DateTime, Timelike, Utc};
use shared::case::CaseEvent;
use sqlx::{PgPool, Postgres, Transaction};

/// Timed alerts wait for the working day: none between 20:00 and 08:00 Beijing time.
const DAY_STARTS: u32 = 8;
const DAY_ENDS: u32 = 20;
/// The morning digest goes out between 08:00 and 12:00; a process started later skips it.
const DIGEST_UNTIL: u32 = 12;
/// At most this many cases are alerted per kind and pass; the next pass takes the rest.
const BATCH: i64 = 500;

async fn item_name(tx: &mut Transaction<'_, Postgres>, case_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT i.name FROM cases c JOIN service_items i ON i.id = c.item_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// Agents of `center` filed for the item who could take a new case; when there are none, the
/// center's managers, so that somebody knows.
async fn who_takes_new(
    tx: &mut Transaction<'_, Postgres>,
    center: i64,
    lineage: i64,
) -> Result<Vec<i64>, AppError> {
    let agents: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT a.id FROM accounts a
         JOIN team_members m ON m.account_id = a.id
         JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed'
         JOIN team_member_items mi ON mi.member_id = m.id AND mi.item_lineage = $2
         WHERE a.role = 'agent' AND a.disabled_at IS NULL AND a.center_id = $1",
    )
    .bind(center)
    .bind(lineage)
    .fetch_all(&mut **tx)
    .await?;
    if !agents.is_empty() {
        return Ok(agents);
    }
    managers(&mut **tx, Some(center), None).await
}

/// The active managers of a center or a department.
pub async fn managers<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    center: Option<i64>,
    department: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'manager' AND disabled_at IS NULL
             AND (center_id = $1 OR department_id = $2)",
    )
    .bind(center)
    .bind(department)
    .fetch_all(db)
    .await?)
}

/// A new case is waiting at `center` (submitted online, or forwarded up to it).
pub async fn new_case(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    number: &str,
    center: i64,
    lineage: i64,
    forwarded: bool,
) -> Result<(), AppError> {
    let item = item_name(tx, case_id).await?;
    let to = who_takes_new(tx, center, lineage).await?;
    let body = if forwarded {
        format!("下级站点转报的代办件{number}（{item}）待接收。")
    } else {
        format!("新的帮办代办申请{number}（{item}）待接收。")
    };
    notify_staff(tx, &to, Some(case_id), "staff_new_case", &body).await
}

/// The alerts a step of `case` gives staff, if any.
pub async fn on_step(
    tx: &mut Transaction<'_, Postgres>,
    case: &CaseRow,
    event: &CaseEvent,
    note: Option<&str>,
) -> Result<(), AppError> {
    match event {
        CaseEvent::Assign { agent } => {
            let item = &case.item_name;
            let why = note.map(|n| format!("（{n}）")).unwrap_or_default();
            let body = format!("代办件{}（{item}）已指派给您承办{why}。", case.number);
            notify_staff(tx, &[*agent], Some(case.id), "staff_assigned", &body).await
        }
        CaseEvent::Supplement => {
            let Some(agent) = case.agent_id else {
                return Ok(());
            };
            let item = &case.item_name;
            let body = format!(
                "申请人已补齐代办件{}（{item}）的材料，请及时重新审核。",
                case.number
            );
            notify_staff(tx, &[agent], Some(case.id), "staff_supplement", &body).await
        }
        CaseEvent::Forward { to_center } => {
            new_case(
                tx,
                case.id,
                &case.number,
                *to_center,
                case.item_lineage,
                true,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Inserts alert `key`; true when this transaction is the one that sends it.
/// Whether timed alerts go out at `now` (08:00–20:00 Beijing time).
pub fn daytime(now: DateTime<Utc>) -> bool {
    (DAY_STARTS..DAY_ENDS).contains(&crate::ui::beijing_time(now).hour())
}

/// Sends the alert `key` (a thing and what about it) to `to` unless another process already
/// did; true when this call sent it.
pub async fn send_once(
    pool: &PgPool,
    key: &str,
    to: &[i64],
    case_id: Option<i64>,
    template: &str,
    body: &str,
) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    let claimed = claim(&mut tx, key).await?;
    if claimed {
        notify_staff(&mut tx, to, case_id, template, body).await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

async fn claim(tx: &mut Transaction<'_, Postgres>, key: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query("INSERT INTO alerts_sent (key) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(key)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1,
    )
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    number: String,
    item: String,
    agent_id: Option<i64>,
    center_id: i64,
    department_id: Option<i64>,
    due_at: DateTime<Utc>,
}

const DUE: &str = "SELECT c.id, c.number, i.name AS item, c.agent_id, c.center_id, c.department_id,
    c.due_at FROM cases c JOIN service_items i ON i.id = c.item_id
    WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL";

/// Open cases matching `condition` (on `c`, with `$1` = now) whose `kind` alert for their
/// current due instant has not gone out.
async fn due(
    pool: &PgPool,
    kind: &str,
    condition: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Due>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{DUE} AND {condition}
         AND NOT EXISTS (SELECT 1 FROM alerts_sent s
                         WHERE s.key = $2 || ':' || c.id || ':' || extract(epoch FROM c.due_at)::bigint)
         ORDER BY c.due_at LIMIT {BATCH}"
    ))
    .bind(now)
    .bind(kind)
    .fetch_all(pool)
    .await?)
}

/// Sends case `c`'s `kind` alert to `to`, unless another process already did; true when this
/// call sent it.
async fn once(
    pool: &PgPool,
    c: &Due,
    kind: &str,
    to: &[i64],
    body: &str,
) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    let claimed = claim(
        &mut tx,
        &format!("{kind}:{}:{}", c.id, c.due_at.timestamp()),
    )
    .await?;
    if claimed {
        notify_staff(&mut tx, to, Some(c.id), &format!("staff_{kind}"), body).await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

fn date_of(t: DateTime<Utc>) -> String {
    crate::ui::beijing_time(t).format("%Y-%m-%d").to_string()
}

/// One pass of the timed alerts at `now`; returns how many alerts were queued. Every process
/// may run it at once: a key taken by one is skipped by the others.
pub async fn run_due(
    pool: &PgPool,
    cal: &shared::Calendar,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let hour = crate::ui::beijing_time(now).hour();
    if !(DAY_STARTS..DAY_ENDS).contains(&hour) {
        return Ok(0);
    }
    let mut sent = 0;

    // 75 %: to the responsible agent.
    for c in due(
        pool,
        "amber",
        "c.warn_at <= $1 AND c.due_at > $1 AND c.agent_id IS NOT NULL",
        now,
    )
    .await?
    {
        let body = format!(
            "代办件{}（{}）办理时限已过四分之三，请于{}前办结当前环节。",
            c.number,
            c.item,
            date_of(c.due_at)
        );
        let to = Vec::from_iter(c.agent_id);
        sent += once(pool, &c, "amber", &to, &body).await? as usize;
    }

    // Breached: to the responsible agent and the unit's managers.
    for c in due(pool, "breach", "c.due_at <= $1", now).await? {
        let body = format!(
            "代办件{}（{}）已超过办理时限（{}到期），请立即处理。",
            c.number,
            c.item,
            date_of(c.due_at)
        );
        let mut to = managers(pool, Some(c.center_id), c.department_id).await?;
        to.extend(c.agent_id);
        to.sort_unstable();
        to.dedup();
        sent += once(pool, &c, "breach", &to, &body).await? as usize;
    }

    // Still breached when the next working day has ended: to the supervisors.
    let supervisors: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'supervisor' AND disabled_at IS NULL",
    )
    .fetch_all(pool)
    .await?;
    for c in due(pool, "escalated", "c.due_at <= $1 - interval '1 day'", now).await? {
        let next_day = cal
            .add_working_days(shared::clocks::local_date(c.due_at), 1)
            .value;
        if now <= shared::clocks::end_of_day(next_day) {
            continue;
        }
        let body = format!(
            "督办：代办件{}（{}）{}到期，超期已满一个工作日仍未办结。",
            c.number,
            c.item,
            date_of(c.due_at)
        );
        sent += once(pool, &c, "escalated", &supervisors, &body).await? as usize;
    }

    // The morning digest: each responsible agent's cases due today.
    let today = shared::clocks::local_date(now);
    if hour < DIGEST_UNTIL && cal.is_working_day(today) {
        let end = shared::clocks::end_of_day(today);
        let due_today: Vec<(i64, Vec<String>)> = sqlx::query_as(
            "SELECT agent_id, array_agg(number ORDER BY due_at) FROM cases
             WHERE closed_at IS NULL AND agent_id IS NOT NULL AND due_at >= $1 AND due_at <= $2
             GROUP BY agent_id",
        )
        .bind(shared::clocks::start_of_day(today))
        .bind(end)
        .fetch_all(pool)
        .await?;
        for (agent, numbers) in due_today {
            let mut tx = pool.begin().await?;
            if claim(&mut tx, &format!("digest:{agent}:{today}")).await? {
                let shown: Vec<&str> = numbers.iter().take(10).map(String::as_str).collect();
                let more = if numbers.len() > shown.len() {
                    "等"
                } else {
                    ""
                };
                let body = format!(
                    "今日（{today}）到期的代办件{}件：{}{more}。请登录工作台查看“今日到期”。",
                    numbers.len(),
                    shown.join("、")
                );
                notify_staff(&mut tx, &[agent], None, "staff_digest", &body).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}
