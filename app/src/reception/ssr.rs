//! The SQL of consultations and bookings. A slot's `booked` count is changed in the same
//! statement that checks it against the capacity, so the database never lets a slot overfill.

use super::{BookingView, ConsultFigure, QuestionView, SlotView};
use crate::accounts::ssr::User;
use crate::error::AppError;
use crate::ui::beijing_time;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use shared::reception::{may_change, may_record_arrival, BookingPurpose, BookingStatus};
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};

pub fn when(t: DateTime<Utc>) -> String {
    let b = beijing_time(t);
    format!(
        "{} {} {}",
        b.format("%-m月%-d日"),
        shared::calendar::weekday_zh(b.date_naive()),
        b.format("%H:%M")
    )
}

/// Agents of a filed team at `center` who cover the item of `lineage`: those a question about it
/// at that center goes to.
pub async fn covering_agents<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    center: i64,
    lineage: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT m.account_id FROM team_members m
         JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed' AND t.center_id = $1
         JOIN team_member_items mi ON mi.member_id = m.id AND mi.item_lineage = $2
         JOIN accounts a ON a.id = m.account_id AND a.role = 'agent' AND a.disabled_at IS NULL
         ORDER BY 1",
    )
    .bind(center)
    .bind(lineage)
    .fetch_all(db)
    .await?)
}

/// The centers where someone can answer a question about item `item_id`.
pub async fn centers_for_item(pool: &PgPool, item_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT c.id, c.name, c.kind = 'county_center' AS county FROM centers c
         JOIN agent_teams t ON t.center_id = c.id AND t.status = 'filed'
         JOIN team_members m ON m.team_id = t.id
         JOIN team_member_items mi ON mi.member_id = m.id
         JOIN service_items i ON i.lineage = mi.item_lineage AND i.id = $1
         JOIN accounts a ON a.id = m.account_id AND a.role = 'agent' AND a.disabled_at IS NULL
         WHERE c.retired_at IS NULL
         ORDER BY county DESC, c.name",
    )
    .bind(item_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, name, _): (i64, String, bool)| (id, name))
    .collect())
}

/// In the app to the account (if any) and by SMS: to an applicant's phone only once it was
/// proven theirs, to a phone an agent took down from the person always.
async fn tell(
    tx: &mut Transaction<'_, Postgres>,
    account: Option<i64>,
    phone: &str,
    template: &str,
    body: &str,
) -> Result<(), AppError> {
    let proven = match account {
        Some(id) => {
            sqlx::query(
                "INSERT INTO notifications (account_id, channel, template, body, status, sent_at)
                 VALUES ($1, 'in_app', $2, $3, 'sent', now())",
            )
            .bind(id)
            .bind(template)
            .bind(body)
            .execute(&mut **tx)
            .await?;
            sqlx::query_scalar(
                "SELECT phone = $2 AND (phone_verified_at IS NOT NULL OR password_hash = $3)
                 FROM accounts WHERE id = $1",
            )
            .bind(id)
            .bind(phone)
            .bind(crate::accounts::ssr::UNCLAIMED)
            .fetch_one(&mut **tx)
            .await?
        }
        None => true,
    };
    if proven {
        crate::notifications::ssr::queue_sms(
            &mut **tx,
            account,
            None,
            phone,
            template,
            &crate::notifications::signed(body),
        )
        .await?;
    }
    Ok(())
}

// ---- Consultations ----

pub struct NewQuestion<'a> {
    pub item_id: i64,
    pub center_id: i64,
    pub applicant: Option<i64>,
    pub name: &'a str,
    pub phone: &'a str,
    pub question: &'a str,
    pub channel: &'a str,
    pub recorded_by: Option<&'a User>,
}

/// Records a question and tells the agents it goes to. Answers its id.
pub async fn ask(pool: &PgPool, q: NewQuestion<'_>) -> Result<i64, AppError> {
    let (_, _, _, lineage) = crate::catalog::ssr::public_item(pool, q.item_id).await?;
    let agents = covering_agents(pool, q.center_id, lineage).await?;
    if agents.is_empty() {
        return Err(AppError::field(
            "center",
            "该服务中心没有承办此事项的帮办代办员，请选择其他服务中心",
        ));
    }
    if let Some(staff) = q.recorded_by {
        if staff.center_id != Some(q.center_id) {
            return Err(AppError::field("center", "只能登记本服务中心收到的咨询"));
        }
    }
    let mut tx = pool.begin().await?;
    let (id, item): (i64, String) = sqlx::query_as(
        "INSERT INTO consultations (item_id, center_id, applicant_id, name, phone, question, channel,
                                    recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, (SELECT name FROM service_items WHERE id = $1)",
    )
    .bind(q.item_id)
    .bind(q.center_id)
    .bind(q.applicant)
    .bind(q.name)
    .bind(q.phone)
    .bind(q.question)
    .bind(q.channel)
    .bind(q.recorded_by.map(|u| u.id))
    .fetch_one(&mut *tx)
    .await?;
    crate::notifications::ssr::notify_staff(
        &mut tx,
        &agents,
        None,
        "consultation",
        &format!("新咨询（{item}）：{}", excerpt(q.question)),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(consultation = id, center = q.center_id, "question asked");
    Ok(id)
}

fn excerpt(s: &str) -> String {
    let mut e: String = s.chars().take(30).collect();
    if s.chars().count() > 30 {
        e.push('…');
    }
    e
}

/// Answers question `id`; only an agent it went to may. The applicant is told in the app and
/// by SMS; the working hours since the question are kept with the answer.
pub async fn answer(
    pool: &PgPool,
    cal: &shared::Calendar,
    user: &User,
    id: i64,
    body: &str,
    mode: Option<&str>,
) -> Result<(), AppError> {
    #[derive(sqlx::FromRow)]
    struct Asked {
        center_id: i64,
        lineage: i64,
        applicant_id: Option<i64>,
        phone: String,
        asked_at: DateTime<Utc>,
        item: String,
    }
    let q: Option<Asked> = sqlx::query_as(
        "SELECT q.center_id, i.lineage, q.applicant_id, q.phone, q.asked_at, i.name AS item
         FROM consultations q JOIN service_items i ON i.id = q.item_id WHERE q.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Asked {
        center_id: center,
        lineage,
        applicant_id: applicant,
        phone,
        asked_at,
        item,
    } = q.ok_or(AppError::NotFound)?;
    if user.role() != Role::Agent
        || !covering_agents(pool, center, lineage)
            .await?
            .contains(&user.id)
    {
        return Err(if user.center_id == Some(center) {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    let body = shared::reception::parse_answer(body).map_err(|e| AppError::Invalid(vec![e]))?;
    let now = Utc::now();
    let hours = shared::reception::working_hours(cal, asked_at, now);
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO consultation_answers (consultation_id, agent_id, body, mode, working_hours)
         VALUES ($1, $2, $3, $4, $5::numeric)",
    )
    .bind(id)
    .bind(user.id)
    .bind(&body)
    .bind(mode)
    .bind(hours)
    .execute(&mut *tx)
    .await?;
    tell(
        &mut tx,
        applicant,
        &phone,
        "consultation_answered",
        &format!("您关于“{item}”的咨询已答复：{}", excerpt(&body)),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        consultation = id,
        agent = user.id,
        hours,
        "question answered"
    );
    Ok(())
}

#[derive(sqlx::FromRow)]
struct QuestionRaw {
    id: i64,
    item_id: i64,
    item: String,
    center: String,
    name: String,
    phone: String,
    question: String,
    channel: String,
    asked_at: DateTime<Utc>,
    answers: serde_json::Value,
    can_answer: bool,
}

const QUESTIONS: &str = "SELECT q.id, q.item_id, i.name AS item, c.name AS center, q.name, q.phone,
        q.question, q.channel, q.asked_at,
        coalesce((SELECT jsonb_agg(jsonb_build_array(a.body, coalesce(a.mode, ''), ag.display_name,
                          to_char(a.at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')) ORDER BY a.at)
                  FROM consultation_answers a JOIN accounts ag ON ag.id = a.agent_id
                  WHERE a.consultation_id = q.id), '[]') AS answers,
        $2::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM team_members m
            JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed' AND t.center_id = q.center_id
            JOIN team_member_items mi ON mi.member_id = m.id AND mi.item_lineage = i.lineage
            WHERE m.account_id = $2) AS can_answer
    FROM consultations q JOIN service_items i ON i.id = q.item_id JOIN centers c ON c.id = q.center_id";

fn question_view(r: QuestionRaw, show_phone: bool) -> QuestionView {
    let answers: Vec<(String, String, String, String)> =
        serde_json::from_value(r.answers).unwrap_or_default();
    QuestionView {
        id: r.id,
        item_id: r.item_id,
        item: r.item,
        center: r.center,
        name: r.name,
        phone: if show_phone { r.phone } else { String::new() },
        question: r.question,
        channel: r.channel,
        asked_at: when(r.asked_at),
        answers,
        can_answer: r.can_answer,
    }
}

/// The applicant's own questions, newest first.
pub async fn my_questions(pool: &PgPool, user: &User) -> Result<Vec<QuestionView>, AppError> {
    let rows: Vec<QuestionRaw> = sqlx::query_as(&format!(
        "{QUESTIONS} WHERE q.applicant_id = $1 ORDER BY q.asked_at DESC LIMIT 100"
    ))
    .bind(user.id)
    .bind(None::<i64>)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| question_view(r, false)).collect())
}

/// Questions at the staff member's center: for an agent those about items they cover, for a
/// manager all of them (read-only); unanswered first.
pub async fn routed_questions(pool: &PgPool, user: &User) -> Result<Vec<QuestionView>, AppError> {
    let rows: Vec<QuestionRaw> = sqlx::query_as(&format!(
        "{QUESTIONS} WHERE q.center_id = $1
           AND ($3 = 'manager' OR EXISTS (SELECT 1 FROM team_members m
                JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed' AND t.center_id = q.center_id
                JOIN team_member_items mi ON mi.member_id = m.id AND mi.item_lineage = i.lineage
                WHERE m.account_id = $2))
         ORDER BY EXISTS (SELECT 1 FROM consultation_answers a WHERE a.consultation_id = q.id),
                  q.asked_at DESC
         LIMIT 200"
    ))
    .bind(user.center_id)
    .bind((user.role() == Role::Agent).then_some(user.id))
    .bind(user.role().as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| question_view(r, true)).collect())
}

/// What a consultation settled, for an application of its asker: (item, mode).
pub async fn settled(
    pool: &PgPool,
    user: &User,
    id: i64,
) -> Result<Option<(i64, Option<String>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT q.item_id, (SELECT a.mode FROM consultation_answers a WHERE a.consultation_id = q.id
                             AND a.mode IS NOT NULL ORDER BY a.at DESC LIMIT 1)
         FROM consultations q WHERE q.id = $1 AND q.applicant_id = $2",
    )
    .bind(id)
    .bind(user.id)
    .fetch_optional(pool)
    .await?)
}

/// Per center: questions asked in the period, answered, the mean and the largest working hours
/// to the first answer, and those still waiting. A manager sees their own center.
pub async fn figures(
    pool: &PgPool,
    user: &User,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ConsultFigure>, AppError> {
    let rows: Vec<ConsultFigure> = sqlx::query_as(
        "WITH firsts AS (
             SELECT q.id, q.center_id,
                    (SELECT a.working_hours::float8 FROM consultation_answers a
                     WHERE a.consultation_id = q.id ORDER BY a.at LIMIT 1) AS hours
             FROM consultations q
             WHERE (q.asked_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2
               AND ($3::bigint IS NULL OR q.center_id = $3))
         SELECT c.name AS center, count(*) AS asked, count(f.hours) AS answered,
                round(avg(f.hours)::numeric, 2)::float8 AS mean_hours, max(f.hours) AS max_hours
         FROM firsts f JOIN centers c ON c.id = f.center_id
         GROUP BY c.name ORDER BY count(*) DESC, c.name",
    )
    .bind(from)
    .bind(to)
    .bind(
        (user.role() != Role::Supervisor)
            .then_some(user.center_id)
            .flatten(),
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

// ---- Bookings ----

/// Filed agents at a center: its places per slot unless the manager says otherwise.
pub async fn agents_on_duty<'e, E: sqlx::PgExecutor<'e>>(
    db: E,
    center: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(DISTINCT m.account_id) FROM team_members m
         JOIN agent_teams t ON t.id = m.team_id AND t.status = 'filed' AND t.center_id = $1
         JOIN accounts a ON a.id = m.account_id AND a.role = 'agent' AND a.disabled_at IS NULL",
    )
    .bind(center)
    .fetch_one(db)
    .await?)
}

/// Publishes the center's slots for the working days `from..=to`; slots already published stay
/// as they are. Answers how many were added.
pub async fn publish(
    pool: &PgPool,
    cal: &shared::Calendar,
    center: i64,
    from: NaiveDate,
    to: NaiveDate,
    capacity: Option<i32>,
) -> Result<u64, AppError> {
    let capacity = match capacity {
        Some(c) => c,
        None => agents_on_duty(pool, center).await?.clamp(1, 50) as i32,
    };
    let starts: Vec<DateTime<Utc>> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .flat_map(|d| shared::reception::slots_of(cal, d))
        .collect();
    Ok(sqlx::query(
        "INSERT INTO booking_slots (center_id, starts_at, minutes, capacity)
         SELECT $1, s, $3, $4 FROM unnest($2::timestamptz[]) AS s
         ON CONFLICT (center_id, starts_at) DO NOTHING",
    )
    .bind(center)
    .bind(&starts)
    .bind(shared::reception::SLOT_MINUTES as i32)
    .bind(capacity)
    .execute(pool)
    .await?
    .rows_affected())
}

/// The centers that publish slots from today on.
pub async fn booking_centers(pool: &PgPool) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.name FROM centers c
         WHERE c.retired_at IS NULL AND EXISTS (SELECT 1 FROM booking_slots s
             WHERE s.center_id = c.id AND s.starts_at > now())
         ORDER BY (c.kind = 'county_center') DESC, c.name",
    )
    .fetch_all(pool)
    .await?)
}

/// The center's slots with places left over the next `days` days, soonest first.
pub async fn free_slots(pool: &PgPool, center: i64, days: i32) -> Result<Vec<SlotView>, AppError> {
    let rows: Vec<(i64, DateTime<Utc>, i32)> = sqlx::query_as(
        "SELECT id, starts_at, capacity - booked FROM booking_slots
         WHERE center_id = $1 AND starts_at > now() AND booked < capacity
           AND starts_at < now() + make_interval(days => $2)
         ORDER BY starts_at",
    )
    .bind(center)
    .bind(days)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, starts_at, left)| SlotView {
            id,
            day: shared::clocks::local_date(starts_at),
            when: when(starts_at),
            left,
        })
        .collect())
}

pub struct NewBooking<'a> {
    pub slot_id: i64,
    pub item_id: i64,
    pub purpose: BookingPurpose,
    pub applicant: Option<i64>,
    pub name: &'a str,
    pub phone: &'a str,
    pub booked_by: &'a User,
}

const FULL: &str = "该时段已约满，请选择其他时段";

/// Takes one place of the slot, or refuses: the check and the count are one statement, so of
/// many concurrent bookings of the last place exactly one gets it.
async fn take_place(
    tx: &mut Transaction<'_, Postgres>,
    slot: i64,
) -> Result<(i64, DateTime<Utc>), AppError> {
    let taken: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
        "UPDATE booking_slots SET booked = booked + 1
         WHERE id = $1 AND booked < capacity AND starts_at > now()
         RETURNING center_id, starts_at",
    )
    .bind(slot)
    .fetch_optional(&mut **tx)
    .await?;
    taken.ok_or_else(|| AppError::field("slot", FULL))
}

async fn free_place(tx: &mut Transaction<'_, Postgres>, slot: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE booking_slots SET booked = booked - 1 WHERE id = $1")
        .bind(slot)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.constraint() == Some("bookings_one_per_slot"))
}

/// Books a place; answers the booking's id. The booker is told by SMS (and in the app).
pub async fn book(pool: &PgPool, b: NewBooking<'_>) -> Result<i64, AppError> {
    crate::catalog::ssr::public_item(pool, b.item_id).await?;
    let mut tx = pool.begin().await?;
    let (center, starts_at) = take_place(&mut tx, b.slot_id).await?;
    if b.booked_by.role() != Role::Applicant && b.booked_by.center_id != Some(center) {
        return Err(AppError::field("slot", "只能预约本服务中心的时段"));
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO bookings (slot_id, item_id, purpose, applicant_id, name, phone, channel, booked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(b.slot_id)
    .bind(b.item_id)
    .bind(b.purpose.as_str())
    .bind(b.applicant)
    .bind(b.name)
    .bind(b.phone)
    .bind(if b.booked_by.role() == Role::Applicant { "online" } else { "phone" })
    .bind(b.booked_by.id)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) if unique_violation(&e) => {
            return Err(AppError::field("slot", "您已预约了这个时段"));
        }
        Err(e) => return Err(e.into()),
    };
    let (center_name, item): (String, String) = sqlx::query_as(
        "SELECT (SELECT name FROM centers WHERE id = $1), (SELECT name FROM service_items WHERE id = $2)",
    )
    .bind(center)
    .bind(b.item_id)
    .fetch_one(&mut *tx)
    .await?;
    tell(
        &mut tx,
        b.applicant,
        b.phone,
        "booking_made",
        &format!(
            "您已预约{}{}（{}），请按时到场；如需取消或改约，请在开始前2小时办理。",
            when(starts_at),
            center_name,
            item
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(booking = id, slot = b.slot_id, "booked");
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct BookingRaw {
    id: i64,
    slot_id: i64,
    center_id: i64,
    center: String,
    item_id: i64,
    item: String,
    purpose: crate::stored::Known<BookingPurpose>,
    status: crate::stored::Known<BookingStatus>,
    starts_at: DateTime<Utc>,
    applicant_id: Option<i64>,
    name: String,
    phone: String,
    channel: String,
    case_number: Option<String>,
}

const BOOKINGS: &str = "SELECT b.id, b.slot_id, s.center_id, c.name AS center, b.item_id, i.name AS item,
        b.purpose, b.status, s.starts_at, b.applicant_id, b.name, b.phone, b.channel,
        (SELECT k.number FROM cases k WHERE k.booking_id = b.id ORDER BY k.id LIMIT 1) AS case_number
    FROM bookings b JOIN booking_slots s ON s.id = b.slot_id JOIN centers c ON c.id = s.center_id
    JOIN service_items i ON i.id = b.item_id";

fn booking_view(r: BookingRaw, now: DateTime<Utc>) -> BookingView {
    BookingView {
        id: r.id,
        slot_id: r.slot_id,
        center_id: r.center_id,
        center: r.center,
        item_id: r.item_id,
        item: r.item,
        purpose: r.purpose.0,
        status: r.status.0,
        when: when(r.starts_at),
        name: r.name,
        phone: r.phone,
        by_phone: r.channel == "phone",
        may_change: r.status.0 == BookingStatus::Booked && may_change(r.starts_at, now),
        may_record_arrival: may_record_arrival(r.status.0, r.starts_at, now),
        case_number: r.case_number,
    }
}

/// Booking `id` with its raw facts, if `user` may see it: the booker's own, or a booking at the
/// staff member's center.
async fn find(
    db: impl sqlx::PgExecutor<'_>,
    user: &User,
    id: i64,
    lock: bool,
) -> Result<BookingRaw, AppError> {
    let raw: Option<BookingRaw> = sqlx::query_as(&format!(
        "{BOOKINGS} WHERE b.id = $1{}",
        if lock { " FOR UPDATE OF b" } else { "" }
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    let raw = raw.ok_or(AppError::NotFound)?;
    let visible = match user.role() {
        Role::Applicant => raw.applicant_id == Some(user.id),
        Role::Agent | Role::Manager => user.center_id == Some(raw.center_id),
        _ => false,
    };
    if visible {
        Ok(raw)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn view(pool: &PgPool, user: &User, id: i64) -> Result<BookingView, AppError> {
    Ok(booking_view(find(pool, user, id, false).await?, Utc::now()))
}

/// The applicant's bookings, next first.
pub async fn mine(pool: &PgPool, user: &User) -> Result<Vec<BookingView>, AppError> {
    let rows: Vec<BookingRaw> = sqlx::query_as(&format!(
        "{BOOKINGS} WHERE b.applicant_id = $1 ORDER BY (b.status = 'booked') DESC, s.starts_at DESC LIMIT 50"
    ))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let now = Utc::now();
    Ok(rows.into_iter().map(|r| booking_view(r, now)).collect())
}

/// The day's bookings at the staff member's center, by time.
pub async fn day(pool: &PgPool, user: &User, day: NaiveDate) -> Result<Vec<BookingView>, AppError> {
    let rows: Vec<BookingRaw> = sqlx::query_as(&format!(
        "{BOOKINGS} WHERE s.center_id = $1 AND (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date = $2
         ORDER BY s.starts_at, b.id"
    ))
    .bind(user.center_id)
    .bind(day)
    .fetch_all(pool)
    .await?;
    let now = Utc::now();
    Ok(rows.into_iter().map(|r| booking_view(r, now)).collect())
}

const TOO_LATE: &str = "距预约时段开始已不足2小时，不能再取消或改约；如不能到场，请致电服务中心";

/// Cancels (`to` None) or moves the booking to slot `to`, until 2 hours before its slot.
pub async fn change(pool: &PgPool, user: &User, id: i64, to: Option<i64>) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let b = find(&mut *tx, user, id, true).await?;
    if b.status.0 != BookingStatus::Booked {
        return Err(AppError::Rejected(format!(
            "此预约{}，不能再更改",
            b.status.0.label()
        )));
    }
    if !may_change(b.starts_at, Utc::now()) {
        return Err(AppError::Rejected(TOO_LATE.into()));
    }
    free_place(&mut tx, b.slot_id).await?;
    let (template, body) = match to {
        None => {
            sqlx::query(
                "UPDATE bookings SET status = 'cancelled', changed_at = now() WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            (
                "booking_cancelled",
                format!("您{}在{}的预约已取消。", when(b.starts_at), b.center),
            )
        }
        Some(slot) => {
            if slot == b.slot_id {
                return Err(AppError::field("slot", "请选择另一个时段"));
            }
            let (center, starts_at) = take_place(&mut tx, slot).await?;
            if center != b.center_id {
                return Err(AppError::field("slot", "只能改约同一服务中心的时段"));
            }
            let moved = sqlx::query(
                "UPDATE bookings SET slot_id = $2, changed_at = now(), reminded_at = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(slot)
            .execute(&mut *tx)
            .await;
            match moved {
                Ok(_) => {}
                Err(e) if unique_violation(&e) => {
                    return Err(AppError::field("slot", "您已预约了这个时段"))
                }
                Err(e) => return Err(e.into()),
            }
            (
                "booking_moved",
                format!("您在{}的预约已改到{}。", b.center, when(starts_at)),
            )
        }
    };
    tell(&mut tx, b.applicant_id, &b.phone, template, &body).await?;
    tx.commit().await?;
    tracing::info!(booking = id, moved_to = ?to, "booking changed");
    Ok(())
}

/// Records whether the booked person came, once the slot has started; staff of the center only.
pub async fn arrival(pool: &PgPool, user: &User, id: i64, came: bool) -> Result<(), AppError> {
    if !matches!(user.role(), Role::Agent | Role::Manager) {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    let b = find(&mut *tx, user, id, true).await?;
    if !may_record_arrival(b.status.0, b.starts_at, Utc::now()) {
        return Err(AppError::Rejected(if b.status.0 == BookingStatus::Booked {
            "预约时段尚未开始，不能登记到场情况".into()
        } else {
            format!("此预约{}", b.status.0.label())
        }));
    }
    sqlx::query("UPDATE bookings SET status = $2, changed_at = now() WHERE id = $1")
        .bind(id)
        .bind(if came { "attended" } else { "no_show" })
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The day-before reminders not yet sent, for slots of tomorrow (Beijing date). Each goes once.
pub async fn remind_due(pool: &PgPool, now: DateTime<Utc>) -> Result<usize, AppError> {
    let tomorrow = shared::clocks::local_date(now) + Duration::days(1);
    let mut tx = pool.begin().await?;
    #[derive(sqlx::FromRow)]
    struct Due {
        applicant_id: Option<i64>,
        phone: String,
        starts_at: DateTime<Utc>,
        center: String,
        item: String,
    }
    let due: Vec<Due> = sqlx::query_as(
        "UPDATE bookings b SET reminded_at = now()
         FROM booking_slots s, centers c, service_items i
         WHERE s.id = b.slot_id AND c.id = s.center_id AND i.id = b.item_id
           AND b.status = 'booked' AND b.reminded_at IS NULL
           AND (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date = $1
         RETURNING b.applicant_id, b.phone, s.starts_at, c.name AS center, i.name AS item",
    )
    .bind(tomorrow)
    .fetch_all(&mut *tx)
    .await?;
    for d in &due {
        tell(
            &mut tx,
            d.applicant_id,
            &d.phone,
            "booking_reminder",
            &format!(
                "温馨提醒：您预约了明天{}在{}办理“{}”，请带齐材料按时到场。",
                when(d.starts_at),
                d.center,
                d.item
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// What a booking carries into an application of its booker for the same item: the purpose.
pub async fn for_application(
    pool: &PgPool,
    user: &User,
    id: i64,
    item_id: i64,
) -> Result<Option<BookingView>, AppError> {
    match find(pool, user, id, false).await {
        Ok(b) if b.item_id == item_id && b.status.0 != BookingStatus::Cancelled => {
            Ok(Some(booking_view(b, Utc::now())))
        }
        Ok(_) | Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
