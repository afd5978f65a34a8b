use super::{AgentOnDuty, ManagedTeam, MemberView, TeamView, TrainingView};
use crate::accounts::ssr::User;
use crate::error::AppError;
use crate::filing::ssr::{self as filing, Action, Subject};
use shared::filing::{FilingStatus, Training};
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;

/// A manager runs the team of their own unit: their center, and their department if they have one.
const MY_UNIT: &str = "t.center_id = $2 AND t.department_id IS NOT DISTINCT FROM $3";

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    unit: String,
    version: i32,
    status: crate::stored::Known<FilingStatus>,
    returned_reason: Option<String>,
}

const TEAM_COLUMNS: &str =
    "t.id, c.name || coalesce(' · ' || d.name, '') AS unit, t.version, t.status,
    t.returned_reason FROM agent_teams t JOIN centers c ON c.id = t.center_id
    LEFT JOIN departments d ON d.id = t.department_id";

async fn load(pool: &PgPool, rows: Vec<TeamRow>) -> Result<Vec<TeamView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let members: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT m.team_id, m.id, a.display_name, a.phone, c.name || coalesce(' · ' || d.name, '')
         FROM team_members m JOIN accounts a ON a.id = m.account_id JOIN centers c ON c.id = a.center_id
         LEFT JOIN departments d ON d.id = a.department_id
         WHERE m.team_id = ANY($1) ORDER BY m.id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let member_ids: Vec<i64> = members.iter().map(|m| m.1).collect();
    let items: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT mi.member_id, mi.item_lineage, i.name FROM team_member_items mi
         JOIN service_items i ON i.lineage = mi.item_lineage
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         WHERE mi.member_id = ANY($1) ORDER BY i.name",
    )
    .bind(&member_ids)
    .fetch_all(pool)
    .await?;
    let trainings: Vec<(i64, i64, chrono::NaiveDate, String, i32)> = sqlx::query_as(
        "SELECT member_id, id, held_on, topic, (hours * 10)::int FROM training_records
         WHERE member_id = ANY($1) ORDER BY held_on, id",
    )
    .bind(&member_ids)
    .fetch_all(pool)
    .await?;
    let mut items_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (member, lineage, name) in items {
        items_of.entry(member).or_default().push((lineage, name));
    }
    let mut trainings_of: HashMap<i64, Vec<TrainingView>> = HashMap::new();
    for (member, id, held_on, topic, tenths) in trainings {
        trainings_of.entry(member).or_default().push(TrainingView {
            id,
            held_on: held_on.to_string(),
            topic,
            hours: Training::hours_label(tenths),
        });
    }
    let mut members_of: HashMap<i64, Vec<MemberView>> = HashMap::new();
    for (team, id, name, phone, unit) in members {
        members_of.entry(team).or_default().push(MemberView {
            id,
            name,
            phone,
            unit,
            items: items_of.remove(&id).unwrap_or_default(),
            trainings: trainings_of.remove(&id).unwrap_or_default(),
        });
    }
    let mut teams = Vec::with_capacity(rows.len());
    for r in rows {
        teams.push(TeamView {
            id: r.id,
            unit: r.unit,
            version: r.version,
            status: r.status.0,
            returned_reason: r.returned_reason,
            members: members_of.remove(&r.id).unwrap_or_default(),
            history: filing::history(pool, Subject::AgentTeam, r.id).await?,
        });
    }
    Ok(teams)
}

pub async fn managed(pool: &PgPool, user: &User) -> Result<ManagedTeam, AppError> {
    // The open version if there is one, else the filed one.
    let sql = format!(
        "SELECT {TEAM_COLUMNS} WHERE $1 AND {MY_UNIT} AND t.status <> 'superseded'
         ORDER BY (t.status = 'filed'), t.version DESC LIMIT 1"
    );
    let rows = sqlx::query_as::<_, TeamRow>(&sql)
        .bind(true)
        .bind(user.center_id)
        .bind(user.department_id)
        .fetch_all(pool)
        .await?;
    let team = load(pool, rows).await?.pop();
    let candidates: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.display_name || '（' || a.phone || '）' FROM accounts a
         WHERE a.role = 'agent' AND a.disabled_at IS NULL
           AND a.center_id = $1 AND a.department_id IS NOT DISTINCT FROM $2
           AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = $3 AND m.account_id = a.id)
         ORDER BY a.display_name",
    )
    .bind(user.center_id)
    .bind(user.department_id)
    .bind(team.as_ref().map(|t| t.id))
    .fetch_all(pool)
    .await?;
    let coverable: Vec<(i64, String)> = sqlx::query_as(
        "SELECT i.lineage, d.name || ' · ' || i.name FROM service_items i
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
         ORDER BY d.name, i.seq",
    )
    .fetch_all(pool)
    .await?;
    Ok(ManagedTeam {
        team,
        candidates,
        coverable,
    })
}

/// The team version, if it belongs to the manager's unit; locked for the transaction.
async fn own_team(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    team_id: i64,
) -> Result<FilingStatus, AppError> {
    let sql =
        format!("SELECT t.status FROM agent_teams t WHERE t.id = $1 AND {MY_UNIT} FOR UPDATE");
    let status: Option<String> = sqlx::query_scalar(&sql)
        .bind(team_id)
        .bind(user.center_id)
        .bind(user.department_id)
        .fetch_optional(&mut **tx)
        .await?;
    status
        .and_then(|s| FilingStatus::parse(&s))
        .ok_or(AppError::Forbidden)
}

/// Like `own_team`, and refuses unless the version may still be edited.
async fn editable_team(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    team_id: i64,
) -> Result<(), AppError> {
    let status = own_team(tx, user, team_id).await?;
    if status.editable() {
        Ok(())
    } else {
        Err(AppError::Rejected(format!(
            "队伍当前为“{}”，不能修改；请先新建草稿",
            status.label()
        )))
    }
}

/// The team a member belongs to, checked editable by this manager.
async fn editable_member(
    tx: &mut Transaction<'_, Postgres>,
    user: &User,
    member_id: i64,
) -> Result<i64, AppError> {
    let team: Option<i64> = sqlx::query_scalar("SELECT team_id FROM team_members WHERE id = $1")
        .bind(member_id)
        .fetch_optional(&mut **tx)
        .await?;
    let team = team.ok_or(AppError::NotFound)?;
    editable_team(tx, user, team).await?;
    Ok(team)
}

pub async fn start_draft(pool: &PgPool, user: &User) -> Result<i64, AppError> {
    let center = user.center_id.ok_or(AppError::Forbidden)?;
    let mut tx = pool.begin().await?;
    // Serialises concurrent starts for one unit.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('agent_team'), $1::int)")
        .bind(center as i32)
        .execute(&mut *tx)
        .await?;
    let sql = format!(
        "SELECT t.id FROM agent_teams t WHERE $1 AND {MY_UNIT} AND t.status IN ('draft', 'submitted', 'returned')"
    );
    let open: Option<i64> = sqlx::query_scalar(&sql)
        .bind(true)
        .bind(user.center_id)
        .bind(user.department_id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = open {
        return Ok(id);
    }
    let draft: i64 = sqlx::query_scalar(
        "INSERT INTO agent_teams (center_id, department_id, version, status)
         SELECT $1, $2, coalesce(max(version), 0) + 1, 'draft' FROM agent_teams
         WHERE center_id = $1 AND department_id IS NOT DISTINCT FROM $2
         RETURNING id",
    )
    .bind(user.center_id)
    .bind(user.department_id)
    .fetch_one(&mut *tx)
    .await?;
    // Copy the filed team: members, the items they cover, their training records.
    sqlx::query(
        "WITH src AS (
            SELECT m.* FROM team_members m JOIN agent_teams t ON t.id = m.team_id
            WHERE t.center_id = $1 AND t.department_id IS NOT DISTINCT FROM $2 AND t.status = 'filed'),
         copied AS (
            INSERT INTO team_members (team_id, account_id) SELECT $3, account_id FROM src
            RETURNING id, account_id),
         pairs AS (SELECT src.id AS old_id, copied.id AS new_id FROM src JOIN copied USING (account_id)),
         items AS (
            INSERT INTO team_member_items (member_id, item_lineage)
            SELECT p.new_id, mi.item_lineage FROM team_member_items mi JOIN pairs p ON p.old_id = mi.member_id)
         INSERT INTO training_records (member_id, held_on, topic, hours)
         SELECT p.new_id, r.held_on, r.topic, r.hours FROM training_records r JOIN pairs p ON p.old_id = r.member_id",
    )
    .bind(user.center_id)
    .bind(user.department_id)
    .bind(draft)
    .execute(&mut *tx)
    .await?;
    filing::record(
        &mut tx,
        Subject::AgentTeam,
        draft,
        Action::DraftStarted,
        user.id,
        None,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(manager = user.id, team = draft, "team draft started");
    Ok(draft)
}

pub async fn add_member(
    pool: &PgPool,
    user: &User,
    team_id: i64,
    account_id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    editable_team(&mut tx, user, team_id).await?;
    let sql = "INSERT INTO team_members (team_id, account_id)
         SELECT t.id, a.id FROM agent_teams t JOIN accounts a ON a.id = $2
         WHERE t.id = $1 AND a.role = 'agent' AND a.disabled_at IS NULL
           AND a.center_id = t.center_id AND a.department_id IS NOT DISTINCT FROM t.department_id";
    let inserted = sqlx::query(sql)
        .bind(team_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(done) if done.rows_affected() == 0 => {
            return Err(AppError::field(
                "account_id",
                "只能添加本单位在职的帮办代办员",
            ));
        }
        other => {
            other?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(pool: &PgPool, user: &User, member_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    editable_member(&mut tx, user, member_id).await?;
    sqlx::query("DELETE FROM team_members WHERE id = $1")
        .bind(member_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_item(
    pool: &PgPool,
    user: &User,
    member_id: i64,
    lineage: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    editable_member(&mut tx, user, member_id).await?;
    let published: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM service_items i JOIN item_lists l ON l.id = i.list_id
                        WHERE i.lineage = $1 AND l.status = 'filed')",
    )
    .bind(lineage)
    .fetch_one(&mut *tx)
    .await?;
    if !published {
        return Err(AppError::field("lineage", "只能选择已公示的事项"));
    }
    sqlx::query(
        "INSERT INTO team_member_items (member_id, item_lineage) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(member_id)
    .bind(lineage)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_item(
    pool: &PgPool,
    user: &User,
    member_id: i64,
    lineage: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    editable_member(&mut tx, user, member_id).await?;
    sqlx::query("DELETE FROM team_member_items WHERE member_id = $1 AND item_lineage = $2")
        .bind(member_id)
        .bind(lineage)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_training(
    pool: &PgPool,
    user: &User,
    member_id: i64,
    training: &Training,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    editable_member(&mut tx, user, member_id).await?;
    sqlx::query(
        "INSERT INTO training_records (member_id, held_on, topic, hours) VALUES ($1, $2, $3, $4::numeric / 10)",
    )
    .bind(member_id)
    .bind(training.held_on)
    .bind(&training.topic)
    .bind(training.tenths_of_hours)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_training(pool: &PgPool, user: &User, training_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let member: Option<i64> =
        sqlx::query_scalar("SELECT member_id FROM training_records WHERE id = $1")
            .bind(training_id)
            .fetch_optional(&mut *tx)
            .await?;
    editable_member(&mut tx, user, member.ok_or(AppError::NotFound)?).await?;
    sqlx::query("DELETE FROM training_records WHERE id = $1")
        .bind(training_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Submits the team once every member covers an item and has been trained.
pub async fn submit(pool: &PgPool, user: &User, team_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let status = own_team(&mut tx, user, team_id).await?;
    let gaps: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT a.display_name,
                EXISTS (SELECT 1 FROM team_member_items mi WHERE mi.member_id = m.id),
                EXISTS (SELECT 1 FROM training_records r WHERE r.member_id = m.id)
         FROM team_members m JOIN accounts a ON a.id = m.account_id WHERE m.team_id = $1 ORDER BY m.id",
    )
    .bind(team_id)
    .fetch_all(&mut *tx)
    .await?;
    if status.editable() {
        if gaps.is_empty() {
            return Err(AppError::Rejected(
                "队伍中还没有帮办代办员，不能提交".into(),
            ));
        }
        let missing: Vec<String> = gaps
            .into_iter()
            .filter_map(|(name, items, trained)| match (items, trained) {
                (true, true) => None,
                (false, true) => Some(format!("{name}未选负责事项")),
                (true, false) => Some(format!("{name}无培训记录")),
                (false, false) => Some(format!("{name}未选负责事项、无培训记录")),
            })
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Rejected(format!(
                "不能提交：{}",
                missing.join("；")
            )));
        }
    }
    filing::submit(&mut tx, Subject::AgentTeam, team_id, status, user).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn pending(pool: &PgPool) -> Result<Vec<TeamView>, AppError> {
    let sql = format!("SELECT {TEAM_COLUMNS} WHERE t.status = 'submitted' ORDER BY t.submitted_at");
    let rows = sqlx::query_as::<_, TeamRow>(&sql).fetch_all(pool).await?;
    load(pool, rows).await
}

/// Filed agents covering the item (any version of it), for its public page.
pub async fn on_duty(pool: &PgPool, item_id: i64) -> Result<Vec<AgentOnDuty>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT a.display_name, c.name || coalesce(' · ' || d.name, ''), a.phone, c.kind
         FROM service_items i
         JOIN team_member_items mi ON mi.item_lineage = i.lineage
         JOIN team_members m ON m.id = mi.member_id
         JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed'
         JOIN accounts a ON a.id = m.account_id AND a.disabled_at IS NULL
         JOIN centers c ON c.id = a.center_id LEFT JOIN departments d ON d.id = a.department_id
         WHERE i.id = $1
         ORDER BY 4, 2, 1",
    )
    .bind(item_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, unit, phone, _)| AgentOnDuty { name, unit, phone })
        .collect())
}
