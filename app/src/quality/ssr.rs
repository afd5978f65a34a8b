//! The SQL of ratings, follow-ups and complaints. Rows are only ever added (the server's role
//! may not change or delete them): where a follow-up or complaint stands is read from its steps.

use super::{CaseRating, ComplaintRow, FollowUpRow, FollowUpView, GivenRating, StepView};
use crate::accounts::ssr::User;
use crate::case_log::ssr::CaseRow;
use crate::error::AppError;
use crate::ui::beijing_time;
use chrono::{DateTime, NaiveDate, Utc};
use shared::quality::{next_round, rateable, FollowUpStatus, QualityLimits, Rating, Satisfaction};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};

fn at(t: DateTime<Utc>) -> String {
    beijing_time(t).format("%Y-%m-%d %H:%M").to_string()
}

pub fn today() -> NaiveDate {
    shared::clocks::local_date(Utc::now())
}

pub async fn limits<'e, E: sqlx::PgExecutor<'e>>(db: E) -> Result<QualityLimits, AppError> {
    let (contact, rectify, complaint): (i32, i32, i32) =
        sqlx::query_as("SELECT contact_days, rectify_days, complaint_days FROM quality_settings")
            .fetch_one(db)
            .await?;
    Ok(QualityLimits {
        contact_days: contact as u32,
        rectify_days: rectify as u32,
        complaint_days: complaint as u32,
    })
}

pub async fn save_limits(user: &User, limits: QualityLimits) -> Result<(), AppError> {
    let detail = serde_json::to_value(limits).map_err(AppError::internal)?;
    crate::audit::ssr::audited(user, "quality.limits", detail, async |conn| {
        sqlx::query(
            "UPDATE quality_settings SET contact_days = $1, rectify_days = $2, complaint_days = $3",
        )
        .bind(limits.contact_days as i32)
        .bind(limits.rectify_days as i32)
        .bind(limits.complaint_days as i32)
        .execute(&mut *conn)
        .await?;
        Ok(("quality_settings".to_string(), ()))
    })
    .await
}

#[derive(sqlx::FromRow)]
struct StepRaw {
    step: String,
    note: String,
    rectification: String,
    by_name: String,
    at: DateTime<Utc>,
}

fn steps_of(raw: Vec<StepRaw>) -> (Option<StepView>, Option<StepView>) {
    let mut contacted = None;
    let mut rectified = None;
    for s in raw {
        let v = StepView {
            at: at(s.at),
            by: s.by_name,
            note: s.note,
            rectification: s.rectification,
        };
        match s.step.as_str() {
            "contacted" => contacted = Some(v),
            _ => rectified = Some(v),
        }
    }
    (contacted, rectified)
}

async fn steps<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    follow_up: i64,
) -> Result<(Option<StepView>, Option<StepView>), AppError> {
    let raw: Vec<StepRaw> = sqlx::query_as(
        "SELECT s.step, s.note, s.rectification, a.display_name AS by_name, s.at
         FROM follow_up_steps s JOIN accounts a ON a.id = s.by_id
         WHERE s.follow_up_id = $1 ORDER BY s.id",
    )
    .bind(follow_up)
    .fetch_all(db)
    .await?;
    Ok(steps_of(raw))
}

/// The ratings of a case, its follow-up, and whether `viewer` may rate it now.
pub async fn case_rating(
    pool: &PgPool,
    case: &CaseRow,
    viewer: &User,
) -> Result<CaseRating, AppError> {
    let given: Vec<(i16, i16, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT round, level, comment, rated_at FROM ratings WHERE case_id = $1 ORDER BY round",
    )
    .bind(case.id)
    .fetch_all(pool)
    .await?;
    let ratings: Vec<GivenRating> = given
        .into_iter()
        .filter_map(|(round, level, comment, t)| {
            Some(GivenRating {
                round,
                level: Satisfaction::from_score(level)?,
                comment,
                rated_at: at(t),
            })
        })
        .collect();
    let follow_up: Option<(i64, NaiveDate, NaiveDate)> = sqlx::query_as(
        "SELECT f.id, f.contact_due, f.rectify_due FROM follow_ups f
         JOIN ratings r ON r.id = f.rating_id WHERE r.case_id = $1 AND r.round = 1",
    )
    .bind(case.id)
    .fetch_optional(pool)
    .await?;
    let follow_up = match follow_up {
        Some((id, contact_due, rectify_due)) => {
            let (contacted, rectified) = steps(pool, id).await?;
            Some(FollowUpView {
                id,
                status: FollowUpStatus::of(
                    contact_due,
                    rectify_due,
                    contacted.is_some(),
                    rectified.is_some(),
                    today(),
                ),
                contact_due,
                rectify_due,
                contacted,
                rectified,
            })
        }
        None => None,
    };
    let rectified = follow_up.as_ref().is_some_and(|f| f.rectified.is_some());
    let can_rate = (viewer.role() == Role::Applicant
        && case.applicant_id == viewer.id
        && rateable(case.state))
    .then(|| {
        next_round(
            ratings.iter().find(|r| r.round == 1).map(|r| r.level),
            ratings.iter().any(|r| r.round == 2),
            rectified,
        )
    })
    .flatten();
    Ok(CaseRating {
        ratings,
        follow_up,
        can_rate,
    })
}

/// The applicant rates their finished case. A bad first rating opens the follow-up for the
/// managers of the unit that handled the case and tells them.
pub async fn rate(
    pool: &PgPool,
    cal: &shared::Calendar,
    user: &User,
    number: &str,
    rating: Rating,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    // Locked: two taps of the button give one rating.
    let case = crate::case_log::ssr::find(&mut *tx, number, true).await?;
    if user.role() != Role::Applicant || case.applicant_id != user.id {
        // Someone else's case does not exist for this caller.
        return Err(AppError::NotFound);
    }
    if !rateable(case.state) {
        return Err(AppError::Rejected("办结（或终止办理）后才能评价".into()));
    }
    let current = case_rating(pool, &case, user).await?;
    let Some(round) = current.can_rate else {
        return Err(AppError::Rejected(
            if current
                .follow_up
                .as_ref()
                .is_some_and(|f| f.rectified.is_none())
            {
                "您已评价。回访整改完成后，您可以再评价一次。"
            } else {
                "您已评价过本件，感谢您的评价。"
            }
            .into(),
        ));
    };
    let rating_id: i64 = sqlx::query_scalar(
        "INSERT INTO ratings (case_id, round, level, comment, rated_by, center_id, department_id,
                              agent_id, item_lineage)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(case.id)
    .bind(round)
    .bind(rating.level.score())
    .bind(&rating.comment)
    .bind(user.id)
    .bind(case.center_id)
    .bind(case.department_id)
    .bind(case.agent_id)
    .bind(case.item_lineage)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("ratings_case_id_round_key") => {
            AppError::Rejected("您已评价过本件，感谢您的评价。".into())
        }
        _ => e.into(),
    })?;
    if round == 1 && rating.level.is_bad() {
        let limits = limits(&mut *tx).await?;
        let (contact_due, rectify_due) = limits.follow_up_due(cal, today());
        sqlx::query(
            "INSERT INTO follow_ups (rating_id, case_id, center_id, department_id, contact_due,
                                     rectify_due)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rating_id)
        .bind(case.id)
        .bind(case.center_id)
        .bind(case.department_id)
        .bind(contact_due)
        .bind(rectify_due)
        .execute(&mut *tx)
        .await?;
        let managers =
            crate::case_log::alerts::managers(&mut *tx, Some(case.center_id), case.department_id)
                .await?;
        let body = format!(
            "代办件{}收到“{}”评价，请于{}前回访申请人，{}前完成整改并记录。",
            case.number,
            rating.level.label(),
            contact_due.format("%Y-%m-%d"),
            rectify_due.format("%Y-%m-%d"),
        );
        crate::notifications::ssr::notify_staff(
            &mut tx,
            &managers,
            Some(case.id),
            "bad_rating",
            &body,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(case = %case.number, round, level = rating.level.as_str(), "case rated");
    Ok(())
}

/// Whether `user` acts on follow-ups of the unit (`center`, `department`): its managers.
fn manages(user: &User, center: i64, department: Option<i64>) -> bool {
    user.role() == Role::Manager
        && (user.center_id == Some(center)
            || (user.department_id.is_some() && user.department_id == department))
}

#[derive(sqlx::FromRow)]
struct FollowUpRaw {
    id: i64,
    number: String,
    item: String,
    center_id: i64,
    department_id: Option<i64>,
    unit: String,
    agent: Option<String>,
    applicant: String,
    enterprise: bool,
    phone: String,
    level: i16,
    comment: String,
    rated_at: DateTime<Utc>,
    contact_due: NaiveDate,
    rectify_due: NaiveDate,
}

/// The follow-ups `user` may see, newest first: a manager's unit, or the county for
/// supervisors.
pub async fn follow_ups(pool: &PgPool, user: &User) -> Result<Vec<FollowUpRow>, AppError> {
    let (center, department) = match user.role() {
        Role::Supervisor => (None, None),
        Role::Manager => (user.center_id, user.department_id),
        _ => return Err(AppError::Forbidden),
    };
    let county = user.role() == Role::Supervisor;
    let raw: Vec<FollowUpRaw> = sqlx::query_as(
        "SELECT f.id, c.number, i.name AS item, f.center_id, f.department_id,
                ce.name || coalesce(' · ' || d.name, '') AS unit, ag.display_name AS agent,
                c.unit_name AS applicant, c.applicant_kind = 'enterprise' AS enterprise, ap.phone, r.level, r.comment, r.rated_at,
                f.contact_due, f.rectify_due
         FROM follow_ups f JOIN ratings r ON r.id = f.rating_id
         JOIN cases c ON c.id = f.case_id JOIN service_items i ON i.id = c.item_id
         JOIN centers ce ON ce.id = f.center_id LEFT JOIN departments d ON d.id = f.department_id
         LEFT JOIN accounts ag ON ag.id = r.agent_id JOIN accounts ap ON ap.id = c.applicant_id
         WHERE $1 OR f.center_id = $2 OR f.department_id = $3
         ORDER BY f.opened_at DESC LIMIT 200",
    )
    .bind(county)
    .bind(center)
    .bind(department)
    .fetch_all(pool)
    .await?;
    let today = today();
    let mut rows = Vec::with_capacity(raw.len());
    for r in raw {
        let (contacted, rectified) = steps(pool, r.id).await?;
        let can_act = manages(user, r.center_id, r.department_id);
        rows.push(FollowUpRow {
            case_number: r.number,
            item: r.item,
            unit: r.unit,
            agent: r.agent.unwrap_or_default(),
            // The manager calls the applicant back; supervisors read the record.
            applicant: if can_act {
                r.applicant
            } else {
                shared::supervision::mask_name(&r.applicant, r.enterprise)
            },
            phone: if can_act {
                r.phone
            } else {
                mask_phone(&r.phone)
            },
            level: Satisfaction::from_score(r.level).unwrap_or(Satisfaction::VeryDissatisfied),
            comment: r.comment,
            rated_at: at(r.rated_at),
            follow_up: FollowUpView {
                id: r.id,
                status: FollowUpStatus::of(
                    r.contact_due,
                    r.rectify_due,
                    contacted.is_some(),
                    rectified.is_some(),
                    today,
                ),
                contact_due: r.contact_due,
                rectify_due: r.rectify_due,
                contacted,
                rectified,
            },
            can_act,
        });
    }
    Ok(rows)
}

fn mask_phone(p: &str) -> String {
    if p.len() == 11 {
        format!("{}****{}", &p[..3], &p[7..])
    } else {
        "****".into()
    }
}

/// A manager records a step of a follow-up of their unit: the applicant contacted, then what was
/// found and rectified (which lets the applicant rate again, and tells them so).
pub async fn record_step(
    pool: &PgPool,
    user: &User,
    id: i64,
    step: &str,
    note: &str,
    rectification: &str,
) -> Result<(), AppError> {
    let mut tx: Transaction<'_, Postgres> = pool.begin().await?;
    // Steps of one follow-up are recorded in turn (rows here are never updated, so they are
    // not locked as rows: the server's role may not).
    sqlx::query("SELECT pg_advisory_xact_lock(411325017, $1::int4)")
        .bind(id as i32)
        .execute(&mut *tx)
        .await?;
    let row: Option<(i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT case_id, center_id, department_id FROM follow_ups WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((case_id, center, department)) = row else {
        return Err(AppError::NotFound);
    };
    if !manages(user, center, department) {
        return Err(if user.role() == Role::Supervisor {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    let done: Vec<String> =
        sqlx::query_scalar("SELECT step FROM follow_up_steps WHERE follow_up_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    match step {
        "contacted" if done.iter().any(|s| s == "contacted") => {
            return Err(AppError::Rejected("已记录回访".into()))
        }
        "rectified" if done.iter().any(|s| s == "rectified") => {
            return Err(AppError::Rejected("已记录整改".into()))
        }
        "rectified" if !done.iter().any(|s| s == "contacted") => {
            return Err(AppError::Rejected("请先记录回访情况".into()))
        }
        "contacted" | "rectified" => {}
        _ => return Err(AppError::NotFound),
    }
    sqlx::query(
        "INSERT INTO follow_up_steps (follow_up_id, step, note, rectification, by_id)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(step)
    .bind(note)
    .bind(rectification)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    if step == "rectified" {
        crate::notifications::ssr::notify_applicant(
            &mut tx,
            case_id,
            crate::notifications::Template::Rectified,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(follow_up = id, step, "follow-up step recorded");
    Ok(())
}

// ---- Complaints ----

/// What a complaint is about, as the complainant gave it (checked by `shared`), resolved here.
pub struct NewComplaint<'a> {
    pub phone: &'a str,
    pub account: Option<i64>,
    pub center_id: i64,
    pub agent_name: &'a str,
    pub case_number: &'a str,
    pub misconduct: bool,
    pub content: &'a str,
}

/// Files a complaint; answers its number and the day its answer is due.
pub async fn complain(
    pool: &PgPool,
    cal: &shared::Calendar,
    c: NewComplaint<'_>,
) -> Result<(String, NaiveDate), AppError> {
    let mut tx = pool.begin().await?;
    let center: Option<String> = sqlx::query_scalar("SELECT name FROM centers WHERE id = $1")
        .bind(c.center_id)
        .fetch_optional(&mut *tx)
        .await?;
    if center.is_none() {
        return Err(AppError::field("center", "请从列表中选择服务中心"));
    }
    // The case and agent are linked when they are found; what was typed is kept either way.
    let case: Option<(i64, i64)> = if c.case_number.is_empty() {
        None
    } else {
        sqlx::query_as("SELECT id, center_id FROM cases WHERE number = $1")
            .bind(c.case_number)
            .fetch_optional(&mut *tx)
            .await?
    };
    let agent: Option<i64> = if c.agent_name.is_empty() {
        None
    } else {
        sqlx::query_scalar(
            "SELECT id FROM accounts WHERE role IN ('agent', 'manager') AND display_name = $1
             AND center_id = $2 ORDER BY id LIMIT 1",
        )
        .bind(c.agent_name)
        .bind(case.map_or(c.center_id, |(_, center)| center))
        .fetch_optional(&mut *tx)
        .await?
    };
    let about = if case.is_some() {
        "case"
    } else if agent.is_some() {
        "agent"
    } else {
        "center"
    };
    let limits = limits(&mut *tx).await?;
    let due = cal.add_working_days(today(), limits.complaint_days).value;
    // TS + day + the day's sequence: told to the complainant, short enough to read out. Numbers
    // of one day are taken in turn (a second complaint at the same moment waits here).
    sqlx::query("SELECT pg_advisory_xact_lock(411325016)")
        .execute(&mut *tx)
        .await?;
    let number: String = sqlx::query_scalar(
        "SELECT 'TS' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') ||
                lpad((count(*) + 1)::text, 4, '0')
         FROM complaints
         WHERE submitted_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
                               AT TIME ZONE 'Asia/Shanghai'",
    )
    .fetch_one(&mut *tx)
    .await?;
    let content = if c.agent_name.is_empty() || agent.is_some() {
        c.content.to_string()
    } else {
        format!("（被投诉人：{}）{}", c.agent_name, c.content)
    };
    sqlx::query(
        "INSERT INTO complaints (number, phone, account_id, about, center_id, agent_id, case_id,
                                 misconduct, content, due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&number)
    .bind(c.phone)
    .bind(c.account)
    .bind(about)
    .bind(case.map_or(c.center_id, |(_, center)| center))
    .bind(agent)
    .bind(case.map(|(id, _)| id))
    .bind(c.misconduct)
    .bind(&content)
    .bind(due)
    .execute(&mut *tx)
    .await?;
    let supervisors: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'supervisor' AND disabled_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    crate::notifications::ssr::notify_staff(
        &mut tx,
        &supervisors,
        None,
        "complaint",
        &format!(
            "收到投诉{number}{}，请于{}前办结并答复投诉人。",
            if c.misconduct {
                "（反映吃拿卡要）"
            } else {
                ""
            },
            due.format("%Y-%m-%d")
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(complaint = %number, "complaint filed");
    Ok((number, due))
}

#[derive(sqlx::FromRow)]
struct ComplaintRaw {
    id: i64,
    number: String,
    phone: String,
    center: String,
    agent: Option<String>,
    case_number: Option<String>,
    misconduct: bool,
    content: String,
    due: NaiveDate,
    submitted_at: DateTime<Utc>,
    substantiated: Option<bool>,
    outcome: Option<String>,
    by_name: Option<String>,
    outcome_at: Option<DateTime<Utc>>,
}

/// Every complaint, newest first: supervisors only.
pub async fn complaints(pool: &PgPool) -> Result<Vec<ComplaintRow>, AppError> {
    let raw: Vec<ComplaintRaw> = sqlx::query_as(
        "SELECT p.id, p.number, p.phone, ce.name AS center, ag.display_name AS agent,
                c.number AS case_number, p.misconduct, p.content, p.due, p.submitted_at,
                o.substantiated, o.outcome, b.display_name AS by_name, o.at AS outcome_at
         FROM complaints p JOIN centers ce ON ce.id = p.center_id
         LEFT JOIN accounts ag ON ag.id = p.agent_id LEFT JOIN cases c ON c.id = p.case_id
         LEFT JOIN complaint_outcomes o ON o.complaint_id = p.id
         LEFT JOIN accounts b ON b.id = o.by_id
         ORDER BY p.submitted_at DESC LIMIT 200",
    )
    .fetch_all(pool)
    .await?;
    let today = today();
    Ok(raw
        .into_iter()
        .map(|r| ComplaintRow {
            id: r.id,
            number: r.number,
            phone: r.phone,
            center: r.center,
            agent: r.agent.unwrap_or_default(),
            case_number: r.case_number.unwrap_or_default(),
            misconduct: r.misconduct,
            content: r.content,
            due: r.due,
            overdue: r.outcome.is_none() && today > r.due,
            submitted_at: at(r.submitted_at),
            outcome: r.outcome.map(|o| StepView {
                at: r.outcome_at.map(at).unwrap_or_default(),
                by: r.by_name.unwrap_or_default(),
                note: o,
                rectification: if r.substantiated == Some(true) {
                    "属实".into()
                } else {
                    "不属实".into()
                },
            }),
        })
        .collect())
}

/// A supervisor records the outcome of a complaint; the complainant is told it by SMS.
pub async fn answer_complaint(
    pool: &PgPool,
    user: &User,
    id: i64,
    substantiated: bool,
    outcome: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT number, phone, account_id FROM complaints WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((number, phone, account)) = row else {
        return Err(AppError::NotFound);
    };
    let inserted = sqlx::query(
        "INSERT INTO complaint_outcomes (complaint_id, substantiated, outcome, by_id)
         VALUES ($1, $2, $3, $4) ON CONFLICT (complaint_id) DO NOTHING",
    )
    .bind(id)
    .bind(substantiated)
    .bind(outcome)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::Rejected("该投诉已办结".into()));
    }
    let body = format!(
        "您的投诉{number}已办结：{}。处理结果：{}",
        if substantiated {
            "经核查属实"
        } else {
            "经核查不属实"
        },
        outcome
    );
    if let Some(account) = account {
        sqlx::query(
            "INSERT INTO notifications (account_id, channel, template, body, status, sent_at)
             VALUES ($1, 'in_app', 'complaint_answered', $2, 'sent', now())",
        )
        .bind(account)
        .bind(&body)
        .execute(&mut *tx)
        .await?;
    }
    crate::notifications::ssr::queue_sms(
        &mut *tx,
        account,
        None,
        &phone,
        "complaint_answered",
        &crate::notifications::signed(&body),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(complaint = id, "complaint answered");
    Ok(())
}

/// Today's figures of the quality loop for the supervisor's overview: open follow-ups (and
/// overdue ones), open complaints (and overdue ones).
pub async fn open_counts(pool: &PgPool) -> Result<(i64, i64, i64, i64), AppError> {
    let today = today();
    Ok(sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM follow_ups f WHERE NOT EXISTS (SELECT 1 FROM follow_up_steps s
                 WHERE s.follow_up_id = f.id AND s.step = 'rectified')),
            (SELECT count(*) FROM follow_ups f WHERE
                 (f.contact_due < $1 AND NOT EXISTS (SELECT 1 FROM follow_up_steps s
                     WHERE s.follow_up_id = f.id AND s.step = 'contacted'))
              OR (f.rectify_due < $1 AND NOT EXISTS (SELECT 1 FROM follow_up_steps s
                     WHERE s.follow_up_id = f.id AND s.step = 'rectified'))),
            (SELECT count(*) FROM complaints p WHERE NOT EXISTS (SELECT 1 FROM complaint_outcomes o
                 WHERE o.complaint_id = p.id)),
            (SELECT count(*) FROM complaints p WHERE p.due < $1 AND NOT EXISTS
                 (SELECT 1 FROM complaint_outcomes o WHERE o.complaint_id = p.id))",
    )
    .bind(today)
    .fetch_one(pool)
    .await?)
}

/// Follow-ups and complaints past their limits, told once: a late follow-up to the unit's
/// managers and the supervisors, a late complaint to the supervisors.
pub async fn late_alerts(pool: &PgPool) -> Result<usize, AppError> {
    let today = today();
    #[derive(sqlx::FromRow)]
    struct Late {
        id: i64,
        number: String,
        center_id: i64,
        department_id: Option<i64>,
        case_id: i64,
        contacted: bool,
    }
    let late: Vec<Late> = sqlx::query_as(
        "SELECT f.id, c.number, f.center_id, f.department_id, f.case_id,
                EXISTS (SELECT 1 FROM follow_up_steps s WHERE s.follow_up_id = f.id
                          AND s.step = 'contacted') AS contacted
         FROM follow_ups f JOIN cases c ON c.id = f.case_id
         WHERE NOT EXISTS (SELECT 1 FROM follow_up_steps s WHERE s.follow_up_id = f.id
                             AND s.step = 'rectified')
           AND ((f.contact_due < $1 AND NOT EXISTS (SELECT 1 FROM follow_up_steps s
                    WHERE s.follow_up_id = f.id AND s.step = 'contacted'))
                OR f.rectify_due < $1)
         LIMIT 100",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    let supervisors: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'supervisor' AND disabled_at IS NULL",
    )
    .fetch_all(pool)
    .await?;
    let mut sent = 0;
    for f in late {
        let mut to =
            crate::case_log::alerts::managers(pool, Some(f.center_id), f.department_id).await?;
        to.extend(&supervisors);
        let (step, what) = if f.contacted {
            ("rectify", "整改")
        } else {
            ("contact", "回访")
        };
        let (id, number, case_id) = (f.id, f.number, f.case_id);
        sent += crate::case_log::alerts::send_once(
            pool,
            &format!("follow_up_late:{id}:{step}"),
            &to,
            Some(case_id),
            "follow_up_late",
            &format!("代办件{number}的差评{what}已超期，请尽快处理。"),
        )
        .await? as usize;
    }
    let complaints: Vec<(i64, String, NaiveDate)> = sqlx::query_as(
        "SELECT p.id, p.number, p.due FROM complaints p WHERE p.due < $1
           AND NOT EXISTS (SELECT 1 FROM complaint_outcomes o WHERE o.complaint_id = p.id)
         LIMIT 100",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    for (id, number, due) in complaints {
        sent += crate::case_log::alerts::send_once(
            pool,
            &format!("complaint_late:{id}"),
            &supervisors,
            None,
            "complaint_late",
            &format!("投诉{number}已超过办理期限（{due}），请尽快办结并答复投诉人。"),
        )
        .await? as usize;
    }
    Ok(sent)
}
