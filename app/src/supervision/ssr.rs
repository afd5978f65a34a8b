//! Supervision in the database: whose cases a person may count and list, the figures of a
//! period (one query for the table, the charts and the export) and the case search behind every
//! figure. Reads `cases` and the clocks the write path keeps in `case_clocks`.

use super::{Choices, Found};
use crate::accounts::ssr::User;
use crate::catalog::transfer::ssr::{table_download, Table};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use shared::application::ApplicantId;
use shared::clocks::{start_of_day, ClockKind};
use shared::supervision::{
    mask_name, Basis, CaseFilter, ClockFigures, Dimension, FigureRow, Outcome, Period,
    DELIVERY_MODES,
};
use shared::Role;
use sqlx::{PgPool, Postgres, QueryBuilder};

/// Whose work a person sees in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Supervisors: the county.
    County,
    /// Managers: what happened at their center or in their department.
    Unit {
        center: Option<i64>,
        department: Option<i64>,
    },
    /// Agents: their own clocks and cases.
    Agent(i64),
}

impl Scope {
    pub fn of(user: &User) -> Result<Scope, AppError> {
        match user.role() {
            Role::Supervisor => Ok(Scope::County),
            Role::Manager if user.center_id.is_some() || user.department_id.is_some() => {
                Ok(Scope::Unit {
                    center: user.center_id,
                    department: user.department_id,
                })
            }
            Role::Agent => Ok(Scope::Agent(user.id)),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Restricts the row whose center, department and agent columns are `t.center_id`… (`t` a
    /// case `c` or a clock `k`); `center` names the center column when it is another one.
    fn push(&self, q: &mut QueryBuilder<'_, Postgres>, t: &str, center: Option<&str>) {
        let center_col = center.map_or_else(|| format!("{t}.center_id"), str::to_string);
        match *self {
            Scope::County => {}
            Scope::Unit { center, department } => {
                q.push(format!(" AND ({center_col} = "))
                    .push_bind(center)
                    .push(format!(" OR {t}.department_id = "))
                    .push_bind(department)
                    .push(")");
            }
            Scope::Agent(id) => {
                q.push(format!(" AND {t}.agent_id = ")).push_bind(id);
            }
        }
    }
}

/// The instants a period's days span: from the start of its first day to the start of the day
/// after its last, in Beijing.
fn span(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start_of_day(from),
        start_of_day(to.succ_opt().unwrap_or(to)),
    )
}

/// What a row is keyed by, on a case `c` (with its item `i`) or a clock `k`, for an event at
/// column `at`; `center` names the center column when it is not `t.center_id` (a case received
/// counts at the center it came in at).
fn key(by: Dimension, t: &str, at: &str, center: Option<&str>) -> String {
    match (by, t) {
        (Dimension::Center, _) => center.map_or_else(|| format!("{t}.center_id"), str::to_string),
        (Dimension::Department, _) => format!("{t}.department_id"),
        (Dimension::Agent, _) => format!("{t}.agent_id"),
        (Dimension::Item, "c") => "i.lineage".into(),
        (Dimension::Item, _) => format!("{t}.item_lineage"),
        // Monday 00:00 in Beijing is Sunday 16:00 UTC: binning instants is arithmetic, where
        // converting each to a local date costs a time-zone lookup per row.
        (Dimension::Week, _) => {
            format!("date_bin('7 days', {at}, TIMESTAMPTZ '1970-01-04 16:00:00+00')")
        }
    }
}

/// The figures of `period`, one row per `by`, for `scope`, as of `now`:
/// - received: cases submitted in the period; completed, terminated, withdrawn: closed in it
///   (delivery modes of the completed ones);
/// - per clock: clocks that stopped in the period, met or breached, plus running clocks whose
///   due day ended in the period before `now` (breached); working days of the stopped ones;
/// - second one-time notices sent in the period.
///
/// Clock rows belong to where the clock ran (center, agent); cases received to the center they
/// came in at, cases closed to the case's center and responsible agent.
///
/// One statement of five grouped parts, each an index range of the period; what a part counts
/// is told by its letter and folded into the rows here.
pub async fn figures(
    pool: &PgPool,
    scope: Scope,
    period: &Period,
    by: Dimension,
    now: DateTime<Utc>,
) -> Result<Vec<FigureRow>, AppError> {
    let (from, to) = span(period.from, period.to);
    // The item's lineage is on the clock; a case needs its item for it.
    let items = if by == Dimension::Item {
        " JOIN service_items i ON i.id = c.item_id"
    } else {
        ""
    };
    // Weeks are binned as instants and named by their Monday (days since 1970-01-01) once
    // grouped.
    let outer_key = if by == Dimension::Week {
        "(extract(epoch FROM key + interval '8 hours') / 86400)::bigint"
    } else {
        "key"
    };
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "SELECT part, {outer_key} AS key, kind, mode, a, b, c, d FROM (
         SELECT 'r' AS part, {} AS key, NULL::text AS kind, NULL::text AS mode,
                count(*) AS a, 0::bigint AS b, 0::bigint AS c, 0::bigint AS d
         FROM cases c{items} WHERE c.submitted_at >= ",
        key(by, "c", "c.submitted_at", Some("c.intake_center_id"))
    ));
    q.push_bind(from)
        .push(" AND c.submitted_at < ")
        .push_bind(to);
    scope.push(&mut q, "c", Some("c.intake_center_id"));
    q.push(format!(
        " GROUP BY 2 UNION ALL
         SELECT 'c', {}, c.state, c.delivery_mode, count(*), 0, 0, 0
         FROM cases c{items} WHERE c.state IN ('completed', 'terminated', 'withdrawn') AND c.closed_at >= ",
        key(by, "c", "c.closed_at", None)
    ));
    q.push_bind(from).push(" AND c.closed_at < ").push_bind(to);
    scope.push(&mut q, "c", None);
    q.push(format!(
        " GROUP BY 2, 3, 4 UNION ALL
         SELECT 's', {}, k.kind, NULL,
                count(*) FILTER (WHERE k.limit_days IS NOT NULL),
                count(*) FILTER (WHERE k.limit_days IS NOT NULL AND NOT k.breached),
                count(*), sum(k.used_days)
         FROM case_clocks k WHERE k.stopped_at >= ",
        key(by, "k", "k.stopped_at", None)
    ));
    q.push_bind(from).push(" AND k.stopped_at < ").push_bind(to);
    scope.push(&mut q, "k", None);
    q.push(format!(
        " GROUP BY 2, 3 UNION ALL
         SELECT 'o', {}, k.kind, NULL, count(*), 0, 0, 0
         FROM case_clocks k WHERE k.stopped_at IS NULL AND k.due_at >= ",
        key(by, "k", "k.due_at", None)
    ));
    q.push_bind(from)
        .push(" AND k.due_at < ")
        .push_bind(to.min(now));
    scope.push(&mut q, "k", None);
    q.push(format!(
        " GROUP BY 2, 3 UNION ALL
         SELECT 'n', {}, NULL, NULL, count(*), 0, 0, 0
         FROM case_clocks k WHERE k.kind = 'applicant_waiting' AND k.nth = 2 AND k.started_at >= ",
        key(by, "k", "k.started_at", None)
    ));
    q.push_bind(from).push(" AND k.started_at < ").push_bind(to);
    scope.push(&mut q, "k", None);
    q.push(format!(
        " GROUP BY 2 UNION ALL
         SELECT 'g', {}, NULL, NULL, count(*), count(*) FILTER (WHERE g.level >= 4),
                count(*) FILTER (WHERE g.level <= 2), 0
         FROM ratings g WHERE g.rated_at >= ",
        key(by, "g", "g.rated_at", None)
    ));
    q.push_bind(from).push(" AND g.rated_at < ").push_bind(to);
    scope.push(&mut q, "g", None);
    q.push(" GROUP BY 2");
    // Complaints only in the county's figures: a unit is not told it was complained about.
    if scope == Scope::County {
        let about = match by {
            Dimension::Department => {
                "(SELECT c.department_id FROM cases c WHERE c.id = p.case_id)".into()
            }
            Dimension::Item => {
                "(SELECT i.lineage FROM cases c JOIN service_items i ON i.id = c.item_id
                                 WHERE c.id = p.case_id)"
                    .into()
            }
            _ => key(by, "p", "p.submitted_at", None),
        };
        q.push(format!(
            " UNION ALL SELECT 'p', {about}, NULL, NULL, count(*), 0, 0, 0
             FROM complaints p WHERE p.submitted_at >= "
        ));
        q.push_bind(from)
            .push(" AND p.submitted_at < ")
            .push_bind(to);
        q.push(" GROUP BY 2");
    }
    q.push(") parts");

    let parts = read_parts(pool, q).await?;

    let mut rows = fold(parts);
    name_rows(pool, by, &mut rows).await?;
    Ok(rows)
}

/// One group of a figures query: what it counts (`part`: r received, c closed, s stopped
/// clocks, o overdue running clocks, n second notices), the row's key, the clock kind or the
/// closed state, the delivery mode and up to four sums.
#[derive(sqlx::FromRow)]
struct Part {
    part: String,
    key: Option<i64>,
    kind: Option<String>,
    mode: Option<String>,
    a: i64,
    b: i64,
    c: i64,
    d: i64,
}

async fn read_parts(
    pool: &PgPool,
    mut q: QueryBuilder<'_, Postgres>,
) -> Result<Vec<Part>, AppError> {
    // A report reads many rows once: compiling it first (JIT) costs more than it saves.
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    let parts: Vec<Part> = q.build_query_as().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(parts)
}

/// The rows the parts add up to, one per key.
fn fold(parts: Vec<Part>) -> Vec<FigureRow> {
    let mut rows: Vec<FigureRow> = Vec::new();
    for p in parts {
        let at = match rows.iter().position(|r| r.key == p.key) {
            Some(at) => at,
            None => {
                rows.push(FigureRow {
                    key: p.key,
                    ..FigureRow::default()
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        let clock = p
            .kind
            .as_deref()
            .and_then(ClockKind::parse)
            .and_then(|k| ClockKind::ALL.iter().position(|x| *x == k));
        match (p.part.as_str(), clock) {
            ("r", _) => row.received += p.a,
            ("n", _) => row.second_notices += p.a,
            ("g", _) => {
                row.ratings += p.a;
                row.ratings_good += p.b;
                row.ratings_bad += p.c;
            }
            ("p", _) => row.complaints += p.a,
            ("c", _) => {
                match p.kind.as_deref() {
                    Some("completed") => row.completed += p.a,
                    Some("terminated") => row.terminated += p.a,
                    _ => row.withdrawn += p.a,
                }
                if p.kind.as_deref() == Some("completed") {
                    if let Some(m) = DELIVERY_MODES
                        .iter()
                        .position(|(k, _)| Some(*k) == p.mode.as_deref())
                    {
                        row.deliveries[m] += p.a;
                    }
                }
            }
            ("s", Some(k)) => {
                let c = &mut row.clocks[k];
                c.finished += p.a;
                c.met += p.b;
                c.stopped += p.c;
                c.days += p.d;
            }
            // Running past its due day: breached, not stopped.
            ("o", Some(k)) => row.clocks[k].finished += p.a,
            _ => {}
        }
    }
    rows
}

/// Names the rows (center, department, agent, item, week) and puts them in order: the busiest
/// first, then by name.
async fn name_rows(pool: &PgPool, by: Dimension, rows: &mut [FigureRow]) -> Result<(), AppError> {
    let keys: Vec<i64> = rows.iter().filter_map(|r| r.key).collect();
    let names: Vec<(i64, String)> = match by {
        Dimension::Center => {
            sqlx::query_as("SELECT id, name FROM centers WHERE id = ANY($1)")
                .bind(&keys)
                .fetch_all(pool)
                .await?
        }
        Dimension::Department => {
            sqlx::query_as(
                "SELECT d.id, d.name || '（' || c.name || '）' FROM departments d
                 JOIN centers c ON c.id = d.center_id WHERE d.id = ANY($1)",
            )
            .bind(&keys)
            .fetch_all(pool)
            .await?
        }
        Dimension::Agent => {
            sqlx::query_as("SELECT id, display_name FROM accounts WHERE id = ANY($1)")
                .bind(&keys)
                .fetch_all(pool)
                .await?
        }
        Dimension::Item => {
            sqlx::query_as(
                "SELECT DISTINCT ON (lineage) lineage, name FROM service_items
                 WHERE lineage = ANY($1) ORDER BY lineage, id DESC",
            )
            .bind(&keys)
            .fetch_all(pool)
            .await?
        }
        Dimension::Week => keys
            .iter()
            .map(|k| (*k, week_monday(*k).to_string()))
            .collect(),
    };
    let names: std::collections::HashMap<i64, String> = names.into_iter().collect();
    for r in rows.iter_mut() {
        r.name = match r.key {
            Some(k) => names.get(&k).cloned().unwrap_or_else(|| k.to_string()),
            None => match by {
                Dimension::Agent => "（尚未指定承办人）".into(),
                _ => "（未归属）".into(),
            },
        };
    }
    if by == Dimension::Week {
        rows.sort_by_key(|r| r.key);
    } else {
        rows.sort_by(|a, b| {
            let load = |r: &FigureRow| r.received + r.all_clocks().finished;
            load(b).cmp(&load(a)).then_with(|| a.name.cmp(&b.name))
        });
    }
    Ok(())
}

/// The Monday a week key (days since 1970-01-01) stands for.
pub fn week_monday(key: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date") + chrono::Duration::days(key)
}

/// The weekly on-time trend: the same figures, one row per week of `weeks`.
pub async fn trend(
    pool: &PgPool,
    scope: Scope,
    weeks: &[Period],
    now: DateTime<Utc>,
) -> Result<Vec<(Period, FigureRow)>, AppError> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Ok(Vec::new());
    };
    let all = Period {
        kind: shared::supervision::PeriodKind::Custom,
        from: first.from,
        to: last.to,
    };
    let rows = match scope {
        // Agents' own clocks are few; the daily figures are per center and department.
        Scope::Agent(_) => figures(pool, scope, &all, Dimension::Week, now).await?,
        _ => weekly_clocks(pool, scope, &all, now).await?,
    };
    Ok(weeks
        .iter()
        .map(|w| {
            let row = rows
                .iter()
                .find(|r| r.key.map(week_monday) == Some(w.from))
                .cloned()
                .unwrap_or_default();
            (*w, row)
        })
        .collect())
}

/// The clock figures of the weeks of `all` for a county or unit: stopped clocks from the daily
/// figures the write path keeps (`clock_days`), running clocks past due from the clocks.
async fn weekly_clocks(
    pool: &PgPool,
    scope: Scope,
    all: &Period,
    now: DateTime<Utc>,
) -> Result<Vec<FigureRow>, AppError> {
    let (from, to) = span(all.from, all.to);
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT 's' AS part,
                (d.day - (extract(isodow FROM d.day)::int - 1) - DATE '1970-01-01')::bigint AS key,
                d.kind, NULL::text AS mode, sum(d.finished)::bigint AS a, sum(d.met)::bigint AS b,
                sum(d.stopped)::bigint AS c, sum(d.days)::bigint AS d
         FROM clock_days d WHERE d.day >= ",
    );
    q.push_bind(all.from)
        .push(" AND d.day <= ")
        .push_bind(all.to);
    if let Scope::Unit { center, department } = scope {
        q.push(" AND (d.center_id = ")
            .push_bind(center)
            .push(" OR d.department_id = ")
            .push_bind(department)
            .push(")");
    }
    // Running clocks are binned by week as instants and the weeks named once grouped, as in
    // `figures`: naming each of the county's overdue clocks (numeric arithmetic per row) took
    // over half of this part's time.
    q.push(format!(
        " GROUP BY 2, 3 UNION ALL
         SELECT 'o', (extract(epoch FROM w + interval '8 hours') / 86400)::bigint, kind, NULL,
                n, 0, 0, 0
         FROM (SELECT {} AS w, k.kind, count(*) AS n
               FROM case_clocks k WHERE k.stopped_at IS NULL AND k.due_at >= ",
        key(Dimension::Week, "k", "k.due_at", None)
    ));
    q.push_bind(from)
        .push(" AND k.due_at < ")
        .push_bind(to.min(now));
    scope.push(&mut q, "k", None);
    q.push(" GROUP BY 1, 2) o");
    Ok(fold(read_parts(pool, q).await?))
}

#[derive(sqlx::FromRow)]
struct FoundRow {
    id: i64,
    number: String,
    submitted_at: DateTime<Utc>,
    unit_name: String,
    applicant_kind: crate::stored::Known<ApplicantId>,
    item: String,
    center: String,
    department: Option<String>,
    agent: Option<String>,
    state: crate::stored::Known<shared::case::CaseState>,
    channel: crate::stored::Known<shared::case::Channel>,
    due_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    breached: bool,
}

/// Where the next page starts: the last case's submission instant and id.
pub type Cursor = (DateTime<Utc>, i64);

/// Encodes a cursor for a link ("<microseconds>_<id>").
pub fn cursor_text(c: &Cursor) -> String {
    format!("{}_{}", c.0.timestamp_micros(), c.1)
}

pub fn parse_cursor(s: &str) -> Option<Cursor> {
    let (t, id) = s.split_once('_')?;
    Some((
        DateTime::<Utc>::from_timestamp_micros(t.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

/// Cases matching `f` that `scope` may list, newest first, `limit` of them after `after`;
/// also where the next page starts, if there is one.
pub async fn search(
    pool: &PgPool,
    scope: Scope,
    f: &CaseFilter,
    after: Option<Cursor>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<(Vec<Found>, Option<Cursor>), AppError> {
    // The page's cases first, then their names and whether a clock ran over: asked of the whole
    // table, "ran over" is hashed over every breached clock of the county (300 ms at 1,000,000
    // cases) instead of looked up for the 50 cases shown.
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT c.id, c.number, c.submitted_at, c.unit_name, c.applicant_kind, c.item,
                ce.name AS center, d.name AS department, a.display_name AS agent, c.state,
                c.channel, c.due_at, c.closed_at,
                EXISTS (SELECT 1 FROM case_clocks b WHERE b.case_id = c.id
                        AND (b.breached OR (b.stopped_at IS NULL AND b.due_at < ",
    );
    q.push_bind(now).push(
        "))) AS breached
         FROM (SELECT c.*, i.name AS item
               FROM cases c JOIN service_items i ON i.id = c.item_id WHERE true",
    );
    push_filter(&mut q, scope, f, now);
    if let Some((at, id)) = after {
        q.push(" AND (c.submitted_at, c.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY c.submitted_at DESC, c.id DESC LIMIT ")
        .push_bind(limit as i64 + 1)
        .push(
            ") c JOIN centers ce ON ce.id = c.center_id
             LEFT JOIN departments d ON d.id = c.department_id
             LEFT JOIN accounts a ON a.id = c.agent_id
             ORDER BY c.submitted_at DESC, c.id DESC",
        );
    let mut rows: Vec<FoundRow> = q.build_query_as().fetch_all(pool).await?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| (r.submitted_at, r.id))
    } else {
        None
    };
    let time = |t: DateTime<Utc>| {
        crate::ui::beijing_time(t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let found = rows
        .into_iter()
        .map(|r| Found {
            number: r.number,
            submitted_at: time(r.submitted_at),
            applicant: mask_name(&r.unit_name, r.applicant_kind.0 == ApplicantId::Enterprise),
            item: r.item,
            center: r.center,
            department: r.department.unwrap_or_default(),
            agent: r.agent.unwrap_or_default(),
            state: r.state.0.label().to_string(),
            // A closed case has no due time; its end is what matters.
            due_at: match (r.closed_at, r.due_at) {
                (Some(c), _) => format!("已结束 {}", time(c)),
                (None, Some(d)) => time(d),
                (None, None) => String::new(),
            },
            channel: r.channel.0.label().to_string(),
            breached: r.breached,
        })
        .collect();
    Ok((found, next))
}

/// An ILIKE pattern for text containing `s`, its wildcards taken literally.
fn containing(s: &str) -> String {
    format!("%{}%", crate::stored::escape_like(s))
}

/// The conditions of `f` and `scope` on case `c` (item `i`). The period, the unit and the row
/// of a figure apply to what was counted: the case for cases received or closed, the clock for
/// clocks and notices, so a list holds exactly the cases behind its figure.
fn push_filter(
    q: &mut QueryBuilder<'_, Postgres>,
    scope: Scope,
    f: &CaseFilter,
    now: DateTime<Utc>,
) {
    if !f.number.is_empty() {
        // Letters, digits and dashes only (CaseFilter::parse): nothing LIKE would read as a
        // wildcard.
        q.push(" AND c.number LIKE ")
            .push_bind(format!("{}%", f.number));
    }
    if !f.applicant.is_empty() {
        q.push(" AND c.unit_name ILIKE ")
            .push_bind(containing(&f.applicant));
    }
    if let Some(s) = f.state {
        q.push(" AND c.state = ").push_bind(s.as_str());
    }
    if let Some(ch) = f.channel {
        q.push(" AND c.channel = ").push_bind(ch.as_str());
    }
    if let Some(d) = &f.delivery {
        q.push(" AND c.delivery_mode = ").push_bind(d.clone());
    }
    if let Some(b) = f.breached {
        q.push(if b { " AND " } else { " AND NOT " }).push(
            "EXISTS (SELECT 1 FROM case_clocks b WHERE b.case_id = c.id
                     AND (b.breached OR (b.stopped_at IS NULL AND b.due_at < ",
        );
        q.push_bind(now).push(")))");
    }
    let (from, to) = (f.from.map(|d| span(d, d).0), f.to.map(|d| span(d, d).1));
    let range = |q: &mut QueryBuilder<'_, Postgres>, col: &str| {
        if let Some(from) = from {
            q.push(format!(" AND {col} >= ")).push_bind(from);
        }
        if let Some(to) = to {
            q.push(format!(" AND {col} < ")).push_bind(to);
        }
    };
    let dims = |q: &mut QueryBuilder<'_, Postgres>, t: &str, center: &str| {
        for (col, v) in [
            (center.to_string(), f.center),
            (format!("{t}.department_id"), f.department),
            (format!("{t}.agent_id"), f.agent),
        ] {
            if let Some(v) = v {
                q.push(format!(" AND {col} = ")).push_bind(v);
            }
        }
        let lineage = if t == "c" {
            "i.lineage"
        } else {
            "k.item_lineage"
        };
        if let Some(item) = f.item {
            q.push(format!(" AND {lineage} = ")).push_bind(item);
        }
        if !f.item_name.is_empty() {
            q.push(format!(
                " AND {lineage} IN (SELECT n.lineage FROM service_items n WHERE n.name ILIKE "
            ))
            .push_bind(containing(&f.item_name))
            .push(")");
        }
    };
    match f.basis {
        Basis::Submitted | Basis::Completed | Basis::Terminated | Basis::Withdrawn => {
            let closed = match f.basis {
                Basis::Completed => Some("completed"),
                Basis::Terminated => Some("terminated"),
                Basis::Withdrawn => Some("withdrawn"),
                _ => None,
            };
            let center = match closed {
                Some(state) => {
                    q.push(" AND c.state = ").push_bind(state);
                    range(q, "c.closed_at");
                    "c.center_id"
                }
                None => {
                    range(q, "c.submitted_at");
                    "c.intake_center_id"
                }
            };
            dims(q, "c", center);
            scope.push(q, "c", Some(center));
        }
        Basis::SecondNotice | Basis::Clock(..) => {
            q.push(" AND EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id");
            match f.basis {
                Basis::Clock(kind, outcome) => {
                    match kind {
                        Some(kind) => q.push(" AND k.kind = ").push_bind(kind.as_str()),
                        None => q.push(" AND k.limit_days IS NOT NULL"),
                    };
                    // Stopped in the period, or fell due in it and still running.
                    q.push(" AND ((k.stopped_at IS NOT NULL");
                    range(q, "k.stopped_at");
                    if outcome == Outcome::Breached {
                        q.push(" AND k.breached");
                    }
                    if outcome == Outcome::Met {
                        q.push(" AND NOT k.breached");
                    }
                    q.push(")");
                    if outcome != Outcome::Met {
                        q.push(" OR (k.stopped_at IS NULL AND k.due_at < ")
                            .push_bind(now);
                        range(q, "k.due_at");
                        q.push(")");
                    }
                    q.push(")");
                }
                _ => {
                    q.push(" AND k.kind = 'applicant_waiting' AND k.nth = 2");
                    range(q, "k.started_at");
                }
            }
            dims(q, "k", "k.center_id");
            scope.push(q, "k", None);
            q.push(")");
        }
    }
}

/// At most this many cases go in one export.
pub const EXPORT_LIMIT: usize = 50_000;

pub const CASE_COLUMNS_ZH: [&str; 11] = [
    "编号",
    "收件时间",
    "申请人",
    "事项",
    "服务中心",
    "部门",
    "承办人",
    "状态",
    "渠道",
    "截止时间",
    "是否超时",
];

pub fn found_cells(f: &Found) -> Vec<String> {
    vec![
        f.number.clone(),
        f.submitted_at.clone(),
        f.applicant.clone(),
        f.item.clone(),
        f.center.clone(),
        f.department.clone(),
        f.agent.clone(),
        f.state.clone(),
        f.channel.clone(),
        f.due_at.clone(),
        if f.breached { "超时" } else { "" }.to_string(),
    ]
}

/// The columns of a figures table (and its export), after the row's name.
pub fn figure_columns() -> Vec<String> {
    let mut cols: Vec<String> = ["收件", "办结", "终止", "撤回", "二次告知"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for k in ClockKind::TIMED {
        cols.push(format!("{}按时率", k.phase()));
        cols.push(format!("{}按时/结束", k.phase()));
        cols.push(format!("{}平均工作日", k.phase()));
    }
    cols.push("补正平均工作日".into());
    cols.extend(DELIVERY_MODES.iter().map(|(_, l)| l.to_string()));
    cols.extend(["评价", "满意率", "差评", "投诉"].map(String::from));
    cols
}

pub fn figure_cells(r: &FigureRow) -> Vec<String> {
    let days = |c: &ClockFigures| {
        c.average_days()
            .map(|d| format!("{d:.1}"))
            .unwrap_or_else(|| "—".into())
    };
    let mut cells = vec![
        r.received.to_string(),
        r.completed.to_string(),
        r.terminated.to_string(),
        r.withdrawn.to_string(),
        r.second_notices.to_string(),
    ];
    for k in ClockKind::TIMED {
        let c = r.clock(k);
        cells.push(shared::supervision::percent(c.rate()));
        cells.push(format!("{}/{}", c.met, c.finished));
        cells.push(days(c));
    }
    cells.push(days(r.clock(ClockKind::ApplicantWaiting)));
    cells.extend(r.deliveries.iter().map(|d| d.to_string()));
    cells.push(r.ratings.to_string());
    cells.push(shared::supervision::percent(r.satisfaction()));
    cells.push(r.ratings_bad.to_string());
    cells.push(r.complaints.to_string());
    cells
}

/// The latest name of item lineage `lineage`, if there is one.
pub async fn lineage_name(pool: &PgPool, lineage: i64) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM service_items WHERE lineage = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(lineage)
    .fetch_optional(pool)
    .await?)
}

/// The centers, departments and agents a search form offers `scope`. Items are too many to
/// offer: the form takes part of a name.
pub async fn choices(pool: &PgPool, scope: Scope) -> Result<Choices, AppError> {
    let (center, department) = match scope {
        Scope::Unit { center, department } => (center, department),
        _ => (None, None),
    };
    let unit = scope != Scope::County;
    let centers =
        sqlx::query_as("SELECT id, name FROM centers WHERE NOT $1 OR id = $2 ORDER BY id")
            .bind(unit)
            .bind(center)
            .fetch_all(pool);
    let departments = sqlx::query_as(
        "SELECT id, name FROM departments WHERE NOT $1 OR id = $3 OR center_id = $2 ORDER BY id",
    )
    .bind(unit)
    .bind(center)
    .bind(department)
    .fetch_all(pool);
    let agents = sqlx::query_as(
        "SELECT id, display_name FROM accounts WHERE role = 'agent'
           AND (NOT $1 OR center_id = $2 OR department_id = $3) ORDER BY display_name, id",
    )
    .bind(unit)
    .bind(center)
    .bind(department)
    .fetch_all(pool);
    let (centers, departments, agents) = futures::try_join!(centers, departments, agents)?;
    Ok(Choices {
        centers,
        departments,
        agents,
    })
}

/// `GET /supervision/export/{cases|figures}.{csv|xlsx}?…`: the case list or the figures of the
/// query, as the pages show them, for supervisors and managers. Every export of a case list is
/// in the audit log (it carries masked personal data out of the system).
pub async fn export(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    auth: crate::accounts::ssr::AuthSession,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: http::HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let refuse = |e: AppError| {
        let status =
            http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::BAD_REQUEST);
        (
            status,
            [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            e.to_string(),
        )
            .into_response()
    };
    let Some(user) = auth.user else {
        return refuse(AppError::Unauthenticated);
    };
    if user.must_change_password || !matches!(user.role(), Role::Supervisor | Role::Manager) {
        return refuse(AppError::Forbidden);
    }
    let (what, format) = match file.split_once('.') {
        Some((w @ ("cases" | "figures"), f @ ("csv" | "xlsx"))) => (w, f),
        _ => return refuse(AppError::NotFound),
    };
    let query = query.unwrap_or_default();
    let who = crate::audit::ssr::Who {
        actor: Some(user.id),
        ip: crate::accounts::ssr::client_address(
            Some(peer.ip().to_string()),
            &headers,
            state.trust_proxy,
        ),
    };
    let built = async {
        let scope = Scope::of(&user)?;
        let now = Utc::now();
        let p = shared::supervision::parse_query(&query);
        let table = if what == "cases" {
            let filter = CaseFilter::parse(&p).map_err(AppError::Invalid)?;
            let (found, more) =
                search(&state.pool, scope, &filter, None, EXPORT_LIMIT, now).await?;
            if more.is_some() {
                return Err(AppError::Rejected(format!(
                    "符合条件的代办件超过{EXPORT_LIMIT}件，请缩小查询范围后再导出"
                )));
            }
            crate::audit::ssr::record(
                &state.pool,
                &who,
                "cases.export",
                "supervision",
                serde_json::json!({ "query": query, "rows": found.len(), "format": format }),
            )
            .await?;
            Table {
                name: "代办件查询结果".into(),
                sheet: "代办件",
                header: CASE_COLUMNS_ZH.iter().map(|s| s.to_string()).collect(),
                widths: vec![
                    22.0, 17.0, 14.0, 30.0, 24.0, 18.0, 10.0, 12.0, 10.0, 24.0, 8.0,
                ],
                rows: found.iter().map(found_cells).collect(),
            }
        } else {
            let (period, by) = super::figures_request(&p, shared::clocks::local_date(now))?;
            let rows = figures(&state.pool, scope, &period, by, now).await?;
            let total = FigureRow::total(&rows, "合计");
            let mut header = vec![by.label().to_string()];
            header.extend(figure_columns());
            let mut widths = vec![30.0];
            widths.extend(std::iter::repeat_n(12.0, header.len() - 1));
            Table {
                name: format!("督查统计{}", period.label().replace(' ', "")),
                sheet: "统计",
                header,
                widths,
                rows: rows
                    .iter()
                    .chain(std::iter::once(&total))
                    .map(|r| {
                        let mut cells = vec![r.name.clone()];
                        cells.extend(figure_cells(r));
                        cells
                    })
                    .collect(),
            }
        };
        table_download(format, table)
    }
    .await;
    built.unwrap_or_else(refuse)
}
