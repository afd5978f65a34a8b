//! The SQL of blockages, meetings, inspections, actions and 通报. Rows are only added.

use super::{
    ActionView, BlockageView, BulletinView, CheckView, Coordination, FindingView,
    InspectionSummary, InspectionView, MeetingView,
};
use crate::accounts::ssr::User;
use crate::case_log::{ssr as log, Access};
use crate::error::AppError;
use crate::ui::beijing_time;
use chrono::{DateTime, NaiveDate, Utc};
use shared::oversight::{Action, Blockage, Bulletin, CheckItem, InspectionPlan, Meeting};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};

fn at(t: DateTime<Utc>) -> String {
    beijing_time(t).format("%Y-%m-%d %H:%M").to_string()
}

fn today() -> NaiveDate {
    shared::clocks::local_date(Utc::now())
}

/// A manager's unit, for the rows they may touch (supervisors: the county).
#[derive(Clone, Copy)]
struct Unit {
    county: bool,
    center: Option<i64>,
    department: Option<i64>,
}

impl Unit {
    fn of(user: &User) -> Result<Unit, AppError> {
        match user.role() {
            Role::Supervisor => Ok(Unit {
                county: true,
                center: None,
                department: None,
            }),
            Role::Manager => Ok(Unit {
                county: false,
                center: user.center_id,
                department: user.department_id,
            }),
            _ => Err(AppError::Forbidden),
        }
    }

    fn holds(&self, center: i64, department: Option<i64>) -> bool {
        self.county
            || self.center == Some(center)
            || (self.department.is_some() && self.department == department)
    }
}

/// Records something that happens once (`INSERT … ON CONFLICT DO NOTHING`); `Rejected(taken)`
/// when it was recorded already.
async fn once(
    tx: &mut Transaction<'_, Postgres>,
    insert: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    taken: String,
) -> Result<(), AppError> {
    if insert.execute(&mut **tx).await?.rows_affected() == 0 {
        return Err(AppError::Rejected(taken));
    }
    Ok(())
}

async fn supervisors<'e, E: sqlx::PgExecutor<'e>>(db: E) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'supervisor' AND disabled_at IS NULL",
    )
    .fetch_all(db)
    .await?)
}

/// The responsible agent or the unit's manager raises a blockage on an open case; the unit's
/// managers and the supervisors are told.
pub async fn raise(pool: &PgPool, user: &User, number: &str, b: Blockage) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let case = log::find(&mut *tx, number, true).await?;
    match case.access(user) {
        Access::None => return Err(AppError::NotFound),
        Access::Read => return Err(AppError::Forbidden),
        Access::Act if user.role() == Role::Applicant => return Err(AppError::Forbidden),
        Access::Act => {}
    }
    if !case.state.is_open() {
        return Err(AppError::Rejected("已结束的代办件不能再提出堵点".into()));
    }
    let known: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM departments WHERE id = ANY($1) AND retired_at IS NULL",
    )
    .bind(&b.departments)
    .fetch_one(&mut *tx)
    .await?;
    if known as usize != b.departments.len() {
        return Err(AppError::field("departments", "请从列表中选择部门"));
    }
    sqlx::query(
        "INSERT INTO blockages (case_id, what, departments, raised_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(case.id)
    .bind(&b.what)
    .bind(&b.departments)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    let mut to =
        crate::case_log::alerts::managers(&mut *tx, Some(case.center_id), case.department_id)
            .await?;
    to.extend(supervisors(&mut *tx).await?);
    to.retain(|id| *id != user.id);
    crate::notifications::ssr::notify_staff(
        &mut tx,
        &to,
        Some(case.id),
        "blockage",
        &format!("代办件{}提出堵点：{}。请协调解决。", case.number, b.what),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(case = %case.number, "blockage raised");
    Ok(())
}

#[derive(sqlx::FromRow)]
struct BlockageRaw {
    id: i64,
    number: String,
    center_id: i64,
    department_id: Option<i64>,
    what: String,
    departments: String,
    raised_by: String,
    raised_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ActionRaw {
    id: i64,
    meeting_id: Option<i64>,
    blockage_id: Option<i64>,
    inspection_id: Option<i64>,
    text: String,
    owner: String,
    due: NaiveDate,
    closed_note: Option<String>,
    closed_by: Option<String>,
    closed_at: Option<DateTime<Utc>>,
}

const ACTIONS: &str = "SELECT a.id, a.meeting_id, a.blockage_id, a.inspection_id, a.text, a.owner,
        a.due, c.note AS closed_note, b.display_name AS closed_by, c.at AS closed_at
    FROM actions a LEFT JOIN action_closures c ON c.action_id = a.id
    LEFT JOIN accounts b ON b.id = c.by_id";

fn action_view(a: ActionRaw, may_close: bool, today: NaiveDate) -> ActionView {
    let closed = a.closed_at.is_some();
    ActionView {
        id: a.id,
        meeting_id: a.meeting_id,
        blockage_id: a.blockage_id,
        inspection_id: a.inspection_id,
        text: a.text,
        owner: a.owner,
        due: a.due,
        overdue: !closed && today > a.due,
        closed: a.closed_at.map(|t| {
            format!(
                "{}（{} {}）",
                a.closed_note.unwrap_or_default(),
                at(t),
                a.closed_by.unwrap_or_default()
            )
        }),
        may_close: may_close && !closed,
    }
}

async fn blockage_rows(
    db: &PgPool,
    filter: &str,
    bind: Option<i64>,
) -> Result<Vec<BlockageRaw>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT b.id, c.number, c.center_id, c.department_id, b.what,
                (SELECT string_agg(d.name, '、' ORDER BY d.name) FROM departments d
                 WHERE d.id = ANY(b.departments)) AS departments,
                a.display_name AS raised_by, b.raised_at
         FROM blockages b JOIN cases c ON c.id = b.case_id JOIN accounts a ON a.id = b.raised_by
         {filter} ORDER BY b.raised_at DESC LIMIT 200"
    ))
    .bind(bind)
    .fetch_all(db)
    .await?)
}

fn blockage_view(b: BlockageRaw, actions: Vec<ActionView>) -> BlockageView {
    let resolved = !actions.is_empty() && actions.iter().all(|a| a.closed.is_some());
    BlockageView {
        id: b.id,
        case_number: b.number,
        what: b.what,
        departments: b.departments,
        raised_by: b.raised_by,
        raised_at: at(b.raised_at),
        actions,
        resolved,
    }
}

/// The blockages of a case, with their resolutions (for the case's staff page).
pub async fn of_case(pool: &PgPool, case_id: i64) -> Result<Vec<BlockageView>, AppError> {
    let raw = blockage_rows(pool, "WHERE b.case_id = $1", Some(case_id)).await?;
    let mut out = Vec::new();
    let today = today();
    for b in raw {
        let actions: Vec<ActionRaw> =
            sqlx::query_as(&format!("{ACTIONS} WHERE a.blockage_id = $1 ORDER BY a.id"))
                .bind(b.id)
                .fetch_all(pool)
                .await?;
        let actions = actions
            .into_iter()
            .map(|a| action_view(a, false, today))
            .collect();
        out.push(blockage_view(b, actions));
    }
    Ok(out)
}

/// What a manager (their unit) or a supervisor (the county) coordinates: blockages, meetings,
/// resolutions.
pub async fn coordination(pool: &PgPool, user: &User) -> Result<Coordination, AppError> {
    let unit = Unit::of(user)?;
    let today = today();
    let raw = blockage_rows(pool, "WHERE $1::bigint IS NULL", None).await?;
    let actions: Vec<ActionRaw> = sqlx::query_as(&format!(
        "{ACTIONS} WHERE a.meeting_id IS NOT NULL ORDER BY a.id"
    ))
    .fetch_all(pool)
    .await?;
    let mut blockages = Vec::new();
    let mut visible = Vec::new();
    for b in raw {
        if !unit.holds(b.center_id, b.department_id) {
            continue;
        }
        visible.push(b.id);
        let mine = actions
            .iter()
            .filter(|a| a.blockage_id == Some(b.id))
            .map(|a| {
                action_view(
                    ActionRaw {
                        id: a.id,
                        meeting_id: a.meeting_id,
                        blockage_id: a.blockage_id,
                        inspection_id: a.inspection_id,
                        text: a.text.clone(),
                        owner: a.owner.clone(),
                        due: a.due,
                        closed_note: a.closed_note.clone(),
                        closed_by: a.closed_by.clone(),
                        closed_at: a.closed_at,
                    },
                    true,
                    today,
                )
            })
            .collect();
        blockages.push(blockage_view(b, mine));
    }
    #[derive(sqlx::FromRow)]
    struct MeetingRaw {
        id: i64,
        held_on: NaiveDate,
        place: String,
        attendees: String,
        departments: String,
        convened_by: String,
        blockages: Vec<i64>,
    }
    let meetings: Vec<MeetingRaw> = sqlx::query_as(
        "SELECT m.id, m.held_on, m.place, m.attendees,
                (SELECT string_agg(d.name, '、' ORDER BY d.name) FROM departments d
                 WHERE d.id = ANY(m.departments)) AS departments,
                a.display_name AS convened_by,
                ARRAY(SELECT blockage_id FROM meeting_blockages mb WHERE mb.meeting_id = m.id
                      ORDER BY blockage_id) AS blockages
         FROM meetings m JOIN accounts a ON a.id = m.convened_by
         ORDER BY m.held_on DESC, m.id DESC LIMIT 100",
    )
    .fetch_all(pool)
    .await?;
    let meetings = meetings
        .into_iter()
        .filter(|m| m.blockages.iter().any(|b| visible.contains(b)))
        .map(|m| MeetingView {
            id: m.id,
            held_on: m.held_on,
            place: m.place,
            attendees: m.attendees,
            departments: m.departments,
            convened_by: m.convened_by,
            blockages: m.blockages,
        })
        .collect();
    let departments: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.name || '（' || c.name || '）' FROM departments d
         JOIN centers c ON c.id = d.center_id WHERE d.retired_at IS NULL
         ORDER BY c.kind = 'county_center' DESC, c.name, d.name",
    )
    .fetch_all(pool)
    .await?;
    Ok(Coordination {
        blockages,
        meetings,
        departments,
        county: unit.county,
    })
}

/// Blockage ids the user may coordinate, of those asked for; `NotFound` when one is not theirs.
async fn own_blockages(
    tx: &mut Transaction<'_, Postgres>,
    unit: Unit,
    ids: &[i64],
) -> Result<(), AppError> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT c.center_id, c.department_id FROM blockages b JOIN cases c ON c.id = b.case_id
         WHERE b.id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?;
    if rows.len() != ids.len() || !rows.iter().all(|(c, d)| unit.holds(*c, *d)) {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A manager (for their unit's blockages) or a supervisor convenes a coordination meeting.
pub async fn convene(pool: &PgPool, user: &User, m: Meeting) -> Result<i64, AppError> {
    let unit = Unit::of(user)?;
    let mut tx = pool.begin().await?;
    own_blockages(&mut tx, unit, &m.blockages).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meetings (held_on, place, attendees, departments, convened_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(m.held_on)
    .bind(&m.place)
    .bind(&m.attendees)
    .bind(&m.departments)
    .bind(user.id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO meeting_blockages (meeting_id, blockage_id) SELECT $1, unnest($2::bigint[])",
    )
    .bind(id)
    .bind(&m.blockages)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(meeting = id, "coordination meeting convened");
    Ok(id)
}

/// A resolution of a meeting on one of its blockages, by a manager or supervisor who may
/// coordinate that blockage.
pub async fn resolve(
    pool: &PgPool,
    user: &User,
    meeting: i64,
    blockage: i64,
    a: Action,
) -> Result<(), AppError> {
    let unit = Unit::of(user)?;
    let mut tx = pool.begin().await?;
    own_blockages(&mut tx, unit, &[blockage]).await?;
    let on_agenda: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM meeting_blockages WHERE meeting_id = $1 AND blockage_id = $2)",
    )
    .bind(meeting)
    .bind(blockage)
    .fetch_one(&mut *tx)
    .await?;
    if !on_agenda {
        return Err(AppError::NotFound);
    }
    sqlx::query(
        "INSERT INTO actions (meeting_id, blockage_id, text, owner, due, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(meeting)
    .bind(blockage)
    .bind(&a.text)
    .bind(&a.owner)
    .bind(a.due)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks an action done: a resolution by whoever coordinates its blockage; a rectification by
/// the inspected unit's manager or a supervisor.
pub async fn close_action(pool: &PgPool, user: &User, id: i64, note: &str) -> Result<(), AppError> {
    let unit = Unit::of(user)?;
    let mut tx = pool.begin().await?;
    let owner: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT coalesce(c.center_id, i.center_id), CASE WHEN c.id IS NOT NULL THEN c.department_id
                                                        ELSE i.department_id END
         FROM actions a LEFT JOIN blockages b ON b.id = a.blockage_id
         LEFT JOIN cases c ON c.id = b.case_id LEFT JOIN inspections i ON i.id = a.inspection_id
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    match owner {
        Some((center, department)) if unit.holds(center, department) => {}
        _ => return Err(AppError::NotFound),
    }
    once(
        &mut tx,
        sqlx::query(
            "INSERT INTO action_closures (action_id, note, by_id) VALUES ($1, $2, $3)
             ON CONFLICT (action_id) DO NOTHING",
        )
        .bind(id)
        .bind(note)
        .bind(user.id),
        "该事项已办结".into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Inspections ----

/// The unit field of a plan: `c<id>` a center, `d<id>` a department (of its center).
pub async fn unit_of_choice(pool: &PgPool, choice: &str) -> Result<(i64, Option<i64>), AppError> {
    let bad = || AppError::field("unit", "请选择被检查的中心或部门");
    let (kind, id) = choice.split_at(choice.len().min(1));
    let id: i64 = id.parse().map_err(|_| bad())?;
    let found: Option<(i64, Option<i64>)> = match kind {
        "c" => {
            sqlx::query_as(
                "SELECT id, NULL::bigint FROM centers WHERE id = $1 AND retired_at IS NULL",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }
        "d" => {
            sqlx::query_as(
                "SELECT center_id, id FROM departments WHERE id = $1 AND retired_at IS NULL",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }
        _ => None,
    };
    found.ok_or_else(bad)
}

/// Plans an inspection and draws its sample: the unit's cases submitted in the period, `n` of
/// them by a fresh seed (kept with the draw).
pub async fn plan(
    pool: &PgPool,
    user: &User,
    (center, department): (i64, Option<i64>),
    p: InspectionPlan,
    seed: u64,
) -> Result<i64, AppError> {
    let (from, to) = (
        shared::clocks::start_of_day(p.from),
        shared::clocks::start_of_day(p.to.succ_opt().unwrap_or(p.to)),
    );
    let population: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE submitted_at >= $1 AND submitted_at < $2
           AND (CASE WHEN $4::bigint IS NULL THEN center_id = $3 ELSE department_id = $4 END)",
    )
    .bind(from)
    .bind(to)
    .bind(center)
    .bind(department)
    .fetch_all(pool)
    .await?;
    let sample = shared::oversight::draw_sample(&population, p.sample_size, seed);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO inspections (title, center_id, department_id, period_from, period_to,
                                  sample_size, seed, sample, planned_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&p.title)
    .bind(center)
    .bind(department)
    .bind(p.from)
    .bind(p.to)
    .bind(p.sample_size as i32)
    // Stored as the same 64 bits (BIGINT is signed).
    .bind(seed as i64)
    .bind(&sample)
    .bind(user.id)
    .fetch_one(pool)
    .await?;
    tracing::info!(
        inspection = id,
        drawn = sample.len(),
        of = population.len(),
        "inspection planned"
    );
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct InspectionRaw {
    id: i64,
    title: String,
    center_id: i64,
    department_id: Option<i64>,
    unit: String,
    period_from: NaiveDate,
    period_to: NaiveDate,
    seed: i64,
    sample: Vec<i64>,
    planned_by: String,
    planned_at: DateTime<Utc>,
    closed: Option<String>,
}

const INSPECTION: &str = "SELECT i.id, i.title, i.center_id, i.department_id,
        ce.name || coalesce(' · ' || d.name, '') AS unit, i.period_from, i.period_to, i.seed,
        i.sample, a.display_name AS planned_by, i.planned_at,
        (SELECT z.summary || '（' || b.display_name || '）' FROM inspection_closures z
         JOIN accounts b ON b.id = z.by_id WHERE z.inspection_id = i.id) AS closed
    FROM inspections i JOIN centers ce ON ce.id = i.center_id
    LEFT JOIN departments d ON d.id = i.department_id JOIN accounts a ON a.id = i.planned_by";

/// Inspections a supervisor (all) or a manager (of their unit) may read, newest first.
pub async fn inspections(pool: &PgPool, user: &User) -> Result<Vec<InspectionSummary>, AppError> {
    let unit = Unit::of(user)?;
    let raw: Vec<InspectionRaw> = sqlx::query_as(&format!(
        "{INSPECTION} ORDER BY i.planned_at DESC LIMIT 200"
    ))
    .fetch_all(pool)
    .await?;
    Ok(raw
        .into_iter()
        .filter(|i| unit.holds(i.center_id, i.department_id))
        .map(|i| InspectionSummary {
            id: i.id,
            title: i.title,
            unit: i.unit,
            period: format!("{} 至 {}", i.period_from, i.period_to),
            drawn: i.sample.len(),
            closed: i.closed.is_some(),
        })
        .collect())
}

pub async fn inspection(pool: &PgPool, user: &User, id: i64) -> Result<InspectionView, AppError> {
    let unit = Unit::of(user)?;
    let i: InspectionRaw =
        sqlx::query_as::<_, InspectionRaw>(&format!("{INSPECTION} WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .filter(|i| unit.holds(i.center_id, i.department_id))
            .ok_or(AppError::NotFound)?;
    let checks: Vec<(String, bool, String)> =
        sqlx::query_as("SELECT item, passed, note FROM inspection_checks WHERE inspection_id = $1")
            .bind(id)
            .fetch_all(pool)
            .await?;
    let checks = CheckItem::ALL
        .iter()
        .map(|c| {
            let done = checks.iter().find(|(item, _, _)| item == c.as_str());
            CheckView {
                item: *c,
                passed: done.map(|d| d.1),
                note: done.map(|d| d.2.clone()).unwrap_or_default(),
            }
        })
        .collect();
    #[derive(sqlx::FromRow)]
    struct Finding {
        case_id: i64,
        number: String,
        item: String,
        ok: Option<bool>,
        finding: Option<String>,
    }
    let findings: Vec<Finding> = sqlx::query_as(
        "SELECT c.id AS case_id, c.number, s.name AS item, f.ok, f.finding
         FROM unnest($1::bigint[]) WITH ORDINALITY AS d(case_id, n)
         JOIN cases c ON c.id = d.case_id JOIN service_items s ON s.id = c.item_id
         LEFT JOIN inspection_findings f ON f.inspection_id = $2 AND f.case_id = c.id
         ORDER BY d.n",
    )
    .bind(&i.sample)
    .bind(id)
    .fetch_all(pool)
    .await?;
    let today = today();
    let actions: Vec<ActionRaw> = sqlx::query_as(&format!(
        "{ACTIONS} WHERE a.inspection_id = $1 ORDER BY a.id"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    let bulletins = bulletins_where(
        pool,
        "b.inspection_id = $1 AND $2::bigint IS NULL",
        Some(id),
        None,
    )
    .await?;
    Ok(InspectionView {
        id: i.id,
        title: i.title,
        unit: i.unit,
        period: format!("{} 至 {}", i.period_from, i.period_to),
        seed: i.seed,
        planned: format!("{} {}", at(i.planned_at), i.planned_by),
        checks,
        findings: findings
            .into_iter()
            .map(|f| FindingView {
                case_id: f.case_id,
                number: f.number,
                item: f.item,
                ok: f.ok,
                finding: f.finding.unwrap_or_default(),
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|a| action_view(a, true, today))
            .collect(),
        bulletins,
        closed: i.closed,
        supervisor: unit.county,
    })
}

/// The inspection, for a supervisor's write: `Rejected` once it is closed.
async fn open_inspection(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
) -> Result<(i64, Option<i64>, Vec<i64>), AppError> {
    // One write at a time per inspection (rows here are never updated, so never row-locked).
    sqlx::query("SELECT pg_advisory_xact_lock(411325018, $1::int4)")
        .bind(id as i32)
        .execute(&mut **tx)
        .await?;
    let row: Option<(i64, Option<i64>, Vec<i64>, bool)> = sqlx::query_as(
        "SELECT center_id, department_id, sample,
                EXISTS (SELECT 1 FROM inspection_closures z WHERE z.inspection_id = i.id)
         FROM inspections i WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        None => Err(AppError::NotFound),
        Some((_, _, _, true)) => Err(AppError::Rejected("检查已结束，不能再修改".into())),
        Some((c, d, s, false)) => Ok((c, d, s)),
    }
}

pub async fn check(
    pool: &PgPool,
    user: &User,
    id: i64,
    item: CheckItem,
    passed: bool,
    note: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    open_inspection(&mut tx, id).await?;
    once(
        &mut tx,
        sqlx::query(
            "INSERT INTO inspection_checks (inspection_id, item, passed, note, by_id)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(item.as_str())
        .bind(passed)
        .bind(note)
        .bind(user.id),
        format!("“{}”已记录", item.label()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn find(
    pool: &PgPool,
    user: &User,
    id: i64,
    case_id: i64,
    ok: bool,
    finding: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (_, _, sample) = open_inspection(&mut tx, id).await?;
    if !sample.contains(&case_id) {
        return Err(AppError::Rejected("该代办件不在抽查样本中".into()));
    }
    once(
        &mut tx,
        sqlx::query(
            "INSERT INTO inspection_findings (inspection_id, case_id, ok, finding, by_id)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(case_id)
        .bind(ok)
        .bind(finding)
        .bind(user.id),
        "该代办件的检查情况已记录".into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A rectification for the inspected unit, with its owner and due date; the unit's managers
/// are told.
pub async fn rectify(pool: &PgPool, user: &User, id: i64, a: Action) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (center, department, _) = open_inspection(&mut tx, id).await?;
    sqlx::query(
        "INSERT INTO actions (inspection_id, text, owner, due, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&a.text)
    .bind(&a.owner)
    .bind(a.due)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    let to = crate::case_log::alerts::managers(&mut *tx, Some(center), department).await?;
    crate::notifications::ssr::notify_staff(
        &mut tx,
        &to,
        None,
        "rectification",
        &format!(
            "监督检查整改事项：{}（责任：{}，{}前完成）",
            a.text, a.owner, a.due
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the inspection once every checklist line and every drawn case is recorded and every
/// rectification is done.
pub async fn close(pool: &PgPool, user: &User, id: i64, summary: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (_, _, sample) = open_inspection(&mut tx, id).await?;
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM actions a WHERE a.inspection_id = $1
           AND NOT EXISTS (SELECT 1 FROM action_closures c WHERE c.action_id = a.id)",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if open > 0 {
        return Err(AppError::Rejected(format!(
            "还有{open}项整改未完成，完成后才能结束检查"
        )));
    }
    let (checks, findings): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM inspection_checks WHERE inspection_id = $1),
                (SELECT count(*) FROM inspection_findings WHERE inspection_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let (checks_left, findings_left) = (
        CheckItem::ALL.len() as i64 - checks,
        sample.len() as i64 - findings,
    );
    if checks_left > 0 || findings_left > 0 {
        return Err(AppError::Rejected(format!(
            "还有{checks_left}项检查清单、{findings_left}件抽查代办件未记录，记录完才能结束检查"
        )));
    }
    sqlx::query(
        "INSERT INTO inspection_closures (inspection_id, summary, by_id) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(summary)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a 通报 to the inspected unit: its staff are told in the app; a public one is also on
/// the public site.
pub async fn issue(pool: &PgPool, user: &User, id: i64, b: Bulletin) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (center, department, _) = open_inspection(&mut tx, id).await?;
    sqlx::query(
        "INSERT INTO bulletins (inspection_id, kind, title, body, center_id, department_id,
                                public, issued_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(b.kind.as_str())
    .bind(&b.title)
    .bind(&b.body)
    .bind(center)
    .bind(department)
    .bind(b.public)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    let staff: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role IN ('agent', 'manager') AND disabled_at IS NULL
           AND (CASE WHEN $2::bigint IS NULL THEN center_id = $1 ELSE department_id = $2 END)",
    )
    .bind(center)
    .bind(department)
    .fetch_all(&mut *tx)
    .await?;
    crate::notifications::ssr::notify_staff(
        &mut tx,
        &staff,
        None,
        "bulletin",
        &format!("{}：{}", b.kind.label(), b.title),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 通报 matching `filter`, which uses both `$1` and `$2`.
async fn bulletins_where(
    pool: &PgPool,
    filter: &str,
    one: Option<i64>,
    two: Option<i64>,
) -> Result<Vec<BulletinView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Raw {
        id: i64,
        kind: String,
        title: String,
        body: String,
        unit: String,
        public: bool,
        issued_at: DateTime<Utc>,
    }
    let raw: Vec<Raw> = sqlx::query_as(&format!(
        "SELECT b.id, b.kind, b.title, b.body,
                    ce.name || coalesce(' · ' || d.name, '') AS unit, b.public, b.issued_at
             FROM bulletins b JOIN centers ce ON ce.id = b.center_id
             LEFT JOIN departments d ON d.id = b.department_id
             WHERE {filter} ORDER BY b.issued_at DESC LIMIT 100"
    ))
    .bind(one)
    .bind(two)
    .fetch_all(pool)
    .await?;
    Ok(raw
        .into_iter()
        .map(|r| BulletinView {
            id: r.id,
            kind: shared::oversight::BulletinKind::parse(&r.kind)
                .unwrap_or(shared::oversight::BulletinKind::Criticism),
            title: r.title,
            body: r.body,
            unit: r.unit,
            public: r.public,
            issued_at: at(r.issued_at),
        })
        .collect())
}

/// 通报 someone may read: the public ones; staff also those to their own unit (a center's
/// reach its departments' staff too); supervisors all.
pub async fn bulletins(pool: &PgPool, user: Option<&User>) -> Result<Vec<BulletinView>, AppError> {
    match user.map(|u| (u.role(), u.center_id, u.department_id)) {
        Some((Role::Supervisor, _, _)) => {
            bulletins_where(
                pool,
                "$1::bigint IS NULL AND $2::bigint IS NULL",
                None,
                None,
            )
            .await
        }
        Some((Role::Agent | Role::Manager, center, department)) => bulletins_where(
            pool,
            "b.public OR (b.department_id IS NULL AND b.center_id = $1) OR b.department_id = $2",
            center,
            department,
        )
        .await,
        _ => {
            bulletins_where(
                pool,
                "b.public AND $1::bigint IS NULL AND $2::bigint IS NULL",
                None,
                None,
            )
            .await
        }
    }
}

/// Open blockages and overdue actions, for the supervisor's overview.
pub async fn open_counts(pool: &PgPool) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM blockages b JOIN cases c ON c.id = b.case_id
             WHERE c.closed_at IS NULL AND NOT EXISTS (
                 SELECT 1 FROM actions a WHERE a.blockage_id = b.id)
                OR EXISTS (SELECT 1 FROM actions a WHERE a.blockage_id = b.id AND NOT EXISTS
                    (SELECT 1 FROM action_closures z WHERE z.action_id = a.id))),
            (SELECT count(*) FROM actions a WHERE a.due < $1 AND NOT EXISTS
                 (SELECT 1 FROM action_closures z WHERE z.action_id = a.id))",
    )
    .bind(today())
    .fetch_one(pool)
    .await?)
}

/// Resolutions and rectifications past their due day, told once to the supervisors and to
/// whoever set them.
pub async fn late_alerts(pool: &PgPool) -> Result<usize, AppError> {
    let late: Vec<(i64, String, String, NaiveDate, i64, Option<i64>)> = sqlx::query_as(
        "SELECT a.id, a.text, a.owner, a.due, a.created_by, b.case_id FROM actions a
         LEFT JOIN blockages b ON b.id = a.blockage_id
         WHERE a.due < $1 AND NOT EXISTS (SELECT 1 FROM action_closures z WHERE z.action_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM alerts_sent s WHERE s.key = 'action_late:' || a.id)
         ORDER BY a.due LIMIT 100",
    )
    .bind(today())
    .fetch_all(pool)
    .await?;
    let mut to = supervisors(pool).await?;
    let mut sent = 0;
    for (id, text, owner, due, by, case_id) in late {
        to.push(by);
        to.sort_unstable();
        to.dedup();
        let body = format!("逾期未完成：{text}（责任：{owner}，{due}到期）");
        sent += crate::case_log::alerts::send_once(
            pool,
            &format!("action_late:{id}"),
            &to,
            case_id,
            "action_late",
            &body,
        )
        .await? as usize;
        to.retain(|x| *x != by);
    }
    Ok(sent)
}
