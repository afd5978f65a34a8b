//! Cases in the database: numbering, creation from an application, who may see a case, the
//! event log, and the applicant's own steps.

use super::{CaseSummary, CaseView, FileRef, TimelineEntry};
use crate::accounts::ssr::User;
use crate::case_log::ssr::{self as log, History, Step};
use crate::case_log::Access;
use crate::error::AppError;
use shared::application::{case_number, Application};
use shared::case::{transition, CaseEvent, CaseState, Channel};
use shared::clocks::compute_clocks;
use shared::Role;
use sqlx::{PgPool, Postgres, Transaction};

pub fn today_in_beijing() -> chrono::NaiveDate {
    crate::ui::beijing_time(chrono::Utc::now()).date_naive()
}

/// The next case number of the day (Beijing date), counted in the database.
pub(crate) async fn next_number(tx: &mut Transaction<'_, Postgres>) -> Result<String, AppError> {
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

pub struct NewCase<'a> {
    /// The applicant applying online, or the agent registering a phone or walk-in application.
    pub submitter: &'a User,
    pub channel: Channel,
    pub item_id: i64,
    pub token: &'a str,
    pub application: &'a Application,
    /// The signature image, already stored on disk and checked; a phone booking has none yet.
    pub signature: Option<crate::files::ssr::Stored>,
    /// (file, the checklist material it is for).
    pub material_files: &'a [(i64, String)],
    pub public_origin: Option<&'a str>,
}

/// Creates the case, or returns the number of the case this token already created (a double
/// click, a retried request). All or nothing: case, first event, files, message. An agent's
/// registration is received by that agent at once, who must be filed for the item.
pub async fn create(pool: &PgPool, new: NewCase<'_>) -> Result<String, AppError> {
    let (center_id, department_id, item_type, lineage) =
        crate::catalog::ssr::public_item(pool, new.item_id).await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    if let Some(number) = existing(pool, new.token).await? {
        return Ok(number);
    }
    // Registered by an agent: the applicant is found, or created unclaimed, by the handler's
    // phone; the case stays at the agent's center, received by the agent now.
    let registrar = (new.submitter.role() != Role::Applicant).then_some(new.submitter);
    if let Some(agent) = registrar {
        if agent.role() != Role::Agent || !log::covers_item(pool, agent.id, lineage).await? {
            return Err(AppError::Rejected(log::NOT_FILED.into()));
        }
    }
    let mut tx = pool.begin().await?;
    let mut own_files = files_of(new.application, new.material_files);
    if !all_unattached(&mut tx, &own_files, new.submitter.id).await? {
        // A double click whose twin has just committed: the files are that case's now.
        drop(tx);
        if let Some(number) = existing(pool, new.token).await? {
            return Ok(number);
        }
        return Err(AppError::field(
            "files",
            "所附文件无效或已用于其他申请，请重新上传",
        ));
    }
    let number = next_number(&mut tx).await?;
    let applicant_id = match registrar {
        None => new.submitter.id,
        Some(_) => applicant_for(&mut tx, new.application).await?,
    };
    let center_id = registrar.and_then(|r| r.center_id).unwrap_or(center_id);
    let signature = match &new.signature {
        Some(stored) => Some(
            crate::files::ssr::record(
                &mut tx,
                stored,
                new.submitter.id,
                None,
                "signature",
                "签名.png",
            )
            .await?,
        ),
        None => None,
    };
    let opened = log::open(
        &mut tx,
        &cal,
        log::Opening {
            submitter: new.submitter,
            number: &number,
            applicant_id,
            item_id: new.item_id,
            item_type,
            center_id,
            department_id,
            channel: new.channel,
            application: new.application,
            token: new.token,
            signature_file: signature,
            public_origin: new.public_origin,
            package_case_id: None,
        },
    )
    .await?;
    let Some(case_id) = opened else {
        // The same token raced us: the other request created the case.
        drop(tx);
        return existing(pool, new.token).await?.ok_or(AppError::Internal);
    };
    own_files.extend(signature);
    attach(&mut tx, case_id, &own_files, new.material_files).await?;
    let who = crate::audit::ssr::Who::user(new.submitter).await;
    crate::audit::ssr::files_attached(&mut *tx, &who, &number, &own_files).await?;
    if let Some(agent) = registrar {
        let case = log::find(&mut *tx, &number, true).await?;
        let mut receive = Step::new(agent, CaseEvent::Receive);
        receive.note = Some(new.channel.label().to_string() + "登记");
        receive.notify = false;
        log::record(&mut tx, &cal, &case, receive).await?;
    }
    // Begun from a booking or a consultation: the case says so.
    sqlx::query(
        "UPDATE cases c SET booking_id = d.booking_id, consultation_id = d.consultation_id
         FROM application_drafts d WHERE c.id = $1 AND d.submission_token::text = $2",
    )
    .bind(case_id)
    .bind(new.token)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM application_drafts WHERE applicant_id = $1 AND item_id = $2")
        .bind(new.submitter.id)
        .bind(new.item_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(case = %number, submitter = new.submitter.id, channel = new.channel.as_str(), "case submitted");
    Ok(number)
}

/// Where a case came from: the package application (number, name) it is one item of, and the
/// booking or consultation it began with, as lines for its page.
async fn origin(
    pool: &PgPool,
    case_id: i64,
) -> Result<(Option<(String, String)>, Vec<String>), AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        package_number: Option<String>,
        package_name: Option<String>,
        starts_at: Option<chrono::DateTime<chrono::Utc>>,
        center: Option<String>,
        purpose: Option<String>,
        question: Option<String>,
        answer: Option<String>,
    }
    let r: Row = sqlx::query_as(
        "SELECT pc.number AS package_number, p.name AS package_name, s.starts_at, ce.name AS center,
                b.purpose, q.question,
                (SELECT a.body FROM consultation_answers a WHERE a.consultation_id = q.id
                 ORDER BY a.at DESC LIMIT 1) AS answer
         FROM cases c
         LEFT JOIN package_cases pc ON pc.id = c.package_case_id
         LEFT JOIN packages p ON p.id = pc.package_id
         LEFT JOIN bookings b ON b.id = c.booking_id
         LEFT JOIN booking_slots s ON s.id = b.slot_id
         LEFT JOIN centers ce ON ce.id = s.center_id
         LEFT JOIN consultations q ON q.id = c.consultation_id
         WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(pool)
    .await?;
    let mut lines = Vec::new();
    if let (Some(at), Some(center), Some(purpose)) = (r.starts_at, r.center, r.purpose) {
        let purpose = shared::reception::BookingPurpose::parse(&purpose)
            .map(|p| p.label())
            .unwrap_or_default();
        lines.push(format!(
            "来自预约：{} {center}（{purpose}）",
            crate::reception::ssr::when(at)
        ));
    }
    if let Some(q) = r.question {
        lines.push(match r.answer {
            Some(a) => format!("来自咨询：{q}（答复：{a}）"),
            None => format!("来自咨询：{q}"),
        });
    }
    Ok((r.package_number.zip(r.package_name), lines))
}

/// The files handed in on a case (signatures apart), in the order they came.
pub(crate) async fn case_files(pool: &PgPool, case_id: i64) -> Result<Vec<FileRef>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        original_name: String,
        purpose: String,
        size_bytes: i64,
        material: Option<String>,
        uploaded_at: chrono::DateTime<chrono::Utc>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, original_name, purpose, size_bytes, material, uploaded_at FROM stored_files
         WHERE case_id = $1 AND purpose <> 'signature' ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| FileRef {
            id: r.id,
            name: r.original_name,
            purpose: crate::files::purpose_label(&r.purpose).to_string(),
            size_kb: (r.size_bytes + 1023) / 1024,
            material: r.material,
            uploaded_at: r.uploaded_at,
        })
        .collect())
}

/// The uploads an application brings: its materials, power of attorney and seal.
pub(crate) fn files_of(application: &Application, material_files: &[(i64, String)]) -> Vec<i64> {
    let mut files: Vec<i64> = material_files.iter().map(|m| m.0).collect();
    files.extend(application.power_of_attorney_file);
    files.extend(application.seal_file);
    files
}

/// Whether every one of `files` is the uploader's own and not yet part of a case.
pub(crate) async fn all_unattached(
    tx: &mut Transaction<'_, Postgres>,
    files: &[i64],
    uploader: i64,
) -> Result<bool, AppError> {
    let unattached: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stored_files
         WHERE id = ANY($1) AND uploaded_by = $2 AND case_id IS NULL AND removed_at IS NULL",
    )
    .bind(files)
    .bind(uploader)
    .fetch_one(&mut **tx)
    .await?;
    Ok(unattached as usize == files.len())
}

/// Makes `files` the case's, each material file labelled with the checklist line it is for.
pub(crate) async fn attach(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    files: &[i64],
    material_files: &[(i64, String)],
) -> Result<(), AppError> {
    sqlx::query("UPDATE stored_files SET case_id = $1 WHERE id = ANY($2)")
        .bind(case_id)
        .bind(files)
        .execute(&mut **tx)
        .await?;
    let (ids, materials): (Vec<i64>, Vec<String>) = material_files
        .iter()
        .filter(|m| !m.1.trim().is_empty())
        .map(|m| (m.0, m.1.chars().take(100).collect()))
        .unzip();
    sqlx::query(
        "UPDATE stored_files f SET material = m.material
         FROM unnest($1::bigint[], $2::text[]) AS m(id, material) WHERE f.id = m.id",
    )
    .bind(&ids)
    .bind(&materials)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Drafts untouched this long are removed (with the uploads only they held, see
/// `files::ssr::prune_unattached`).
pub const DRAFT_DAYS: i32 = 7;

pub async fn prune_drafts(pool: &PgPool) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "DELETE FROM application_drafts WHERE updated_at < now() - make_interval(days => $1)",
    )
    .bind(DRAFT_DAYS)
    .execute(pool)
    .await?
    .rows_affected())
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

pub async fn mine(pool: &PgPool, user: &User) -> Result<Vec<CaseSummary>, AppError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        i64,
        String,
        crate::stored::Known<CaseState>,
        chrono::DateTime<chrono::Utc>,
        bool,
    )> = sqlx::query_as(
        "SELECT c.number, c.id, i.name, c.state, c.submitted_at, c.signature_file IS NOT NULL FROM cases c
         JOIN service_items i ON i.id = c.item_id
         WHERE c.applicant_id = $1 ORDER BY c.submitted_at DESC LIMIT 100",
    )
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let cal = crate::calendar::ssr::load(pool).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let mut all = log::histories(pool, &ids).await?;
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for (number, id, item, state, submitted_at, signed) in rows {
        let state = state.0;
        let (events, limit) = all.remove(&id).unwrap_or_default();
        let clocks = compute_clocks(&events, limit, &cal, now);
        // What waits on the applicant stands out in the list, with what and by when.
        let needs_you = match state {
            CaseState::AwaitingSupplement => super::notice::ssr::latest(pool, id, &clocks)
                .await?
                .map(|n| {
                    let what: Vec<&str> = n.missing.iter().map(|m| m.name.as_str()).collect();
                    let by = n
                        .reply_by
                        .map(|d| format!("，请于 {d} 前补齐"))
                        .unwrap_or_default();
                    format!("需要您补齐材料：{}{by}", what.join("、"))
                }),
            s if s.is_open() && !signed => Some("需要您确认申请表并签名".into()),
            _ => None,
        };
        let next_due = log::next_due_clock(&clocks).and_then(|c| c.due_date);
        out.push(CaseSummary {
            number,
            item_name: item,
            state,
            submitted_at: crate::ui::beijing_time(submitted_at)
                .format("%Y-%m-%d")
                .to_string(),
            next_due: next_due.filter(|_| state.is_open()).map(|d| d.to_string()),
            needs_you,
        });
    }
    Ok(out)
}

pub async fn view(pool: &PgPool, user: &User, number: &str) -> Result<CaseView, AppError> {
    let (case, access) = log::visible(pool, user, number).await?;
    let id = case.id;
    #[derive(sqlx::FromRow)]
    struct Row {
        number: String,
        item_id: i64,
        item_name: String,
        department: String,
        center: String,
        application: serde_json::Value,
        submitted_at: chrono::DateTime<chrono::Utc>,
        received_at: Option<chrono::DateTime<chrono::Utc>>,
        agent_name: Option<String>,
        agent_phone: Option<String>,
        signature_file: Option<i64>,
        agent_signature_file: Option<i64>,
        forwarded_to: Option<String>,
    }
    let r: Row = sqlx::query_as(
        "SELECT c.number, c.item_id, i.name AS item_name, coalesce(d.name, '') AS department, ce.name AS center,
                c.application, c.submitted_at, c.received_at,
                a.display_name AS agent_name, a.phone AS agent_phone, c.signature_file, c.agent_signature_file,
                (SELECT string_agg(t.name, '、') FROM case_forwards f JOIN centers t ON t.id = f.to_center_id
                 WHERE f.case_id = c.id AND f.from_center_id = $2) AS forwarded_to
         FROM cases c JOIN service_items i ON i.id = c.item_id
         JOIN centers ce ON ce.id = c.center_id
         LEFT JOIN departments d ON d.id = c.department_id
         LEFT JOIN accounts a ON a.id = c.agent_id
         WHERE c.id = $1",
    )
    .bind(id)
    .bind(user.center_id)
    .fetch_one(pool)
    .await?;
    let application: Application =
        serde_json::from_value(r.application).map_err(AppError::internal)?;
    let History { events, limit, who } = log::history(pool, id).await?;
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
    let files = case_files(pool, id).await?;
    let state = case.state;
    let facts = case.facts;
    let role = user.role();
    let acting_applicant = access == Access::Act && role == Role::Applicant;
    let may = |e: &CaseEvent| transition(Some(state), &facts, role, e).is_ok();
    let staff = matches!(role, Role::Agent | Role::Manager);
    // Contact details in full to whoever works with the applicant: the applicant and the
    // responsible agent; masked to everyone else who may see the case.
    let contact_full = acting_applicant || (role == Role::Agent && case.agent_id == Some(user.id));
    let application = if contact_full {
        // Who saw a person's ID number and phone in full, and from where.
        let who = crate::audit::ssr::Who::user(user).await;
        let subject = format!("case:{}", case.number);
        crate::audit::ssr::record(
            pool,
            &who,
            "case.view_personal",
            &subject,
            serde_json::json!({}),
        )
        .await?;
        application
    } else {
        application.masked()
    };
    let can_receive = access == Access::Read && case.may_receive(pool, user).await?;
    let notice = if state == CaseState::AwaitingSupplement {
        super::notice::ssr::latest(pool, id, &clocks).await?
    } else {
        None
    };
    // Why a member of staff sees the case without its steps.
    let read_only = match (staff, access) {
        _ if can_receive => None,
        (true, Access::Read) => Some(match (&r.forwarded_to, &r.agent_name) {
            (Some(to), _) => format!("本件已转报{to}办理，您可查看办理进度。"),
            (None, Some(agent)) => format!("本件由{agent}承办，您可查看，不能办理。"),
            (None, None) => {
                "本件尚未接收：只有已登记备案、承办本事项的帮办代办员可以接收，您可查看。".into()
            }
        }),
        (false, Access::Read) => Some("督查只读：可查看代办件和材料，不能办理。".into()),
        _ => None,
    };
    // The applicant sees whether the latest text about the case really went out.
    let sms_status: Option<String> = if role == Role::Applicant {
        sqlx::query_scalar(
            "SELECT status FROM notifications WHERE case_id = $1 AND account_id = $2
                 AND channel = 'sms' ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .bind(user.id)
        .fetch_optional(pool)
        .await?
    } else {
        None
    };
    let rating = if shared::quality::rateable(state) {
        crate::quality::ssr::case_rating(pool, &case, user).await?
    } else {
        Default::default()
    };
    let blockages = if staff || role == Role::Supervisor {
        let may_raise = staff && access == Access::Act && state.is_open();
        crate::oversight::CaseBlockages {
            list: crate::oversight::ssr::of_case(pool, id).await?,
            departments: if may_raise {
                sqlx::query_as(
                    "SELECT d.id, d.name || '（' || c.name || '）' FROM departments d
                     JOIN centers c ON c.id = d.center_id WHERE d.retired_at IS NULL
                     ORDER BY c.kind = 'county_center' DESC, c.name, d.name",
                )
                .fetch_all(pool)
                .await?
            } else {
                Vec::new()
            },
        }
    } else {
        Default::default()
    };
    let (package, origin) = origin(pool, id).await?;
    Ok(CaseView {
        package,
        origin,
        sms_status,
        rating,
        blockages,
        number: r.number,
        item_id: r.item_id,
        item_name: r.item_name,
        item_type: facts.item_type,
        department: r.department,
        center: r.center,
        state,
        mode: facts.mode,
        channel: case.channel,
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
        files,
        signature_file: r.signature_file,
        agent_signature_file: r.agent_signature_file,
        signed: facts.signed,
        notice,
        staff,
        applicant_view: role == Role::Applicant,
        contact_full,
        read_only,
        can_act: access == Access::Act,
        can_receive,
        can_withdraw: acting_applicant && may(&CaseEvent::Withdraw { reason: "-".into() }),
        can_sign: acting_applicant && may(&CaseEvent::Sign),
        can_supplement: acting_applicant && may(&CaseEvent::Supplement),
        can_upload: access == Access::Act && state.is_open(),
        can_apply_again: acting_applicant && state == CaseState::Guided,
    })
}

/// Runs an applicant's own step (withdraw, supplement, sign) through the write path.
async fn applicant_step(
    pool: &PgPool,
    user: &User,
    number: &str,
    step: Step<'_>,
) -> Result<log::CaseRow, AppError> {
    let cal = crate::calendar::ssr::load(pool).await?;
    let mut tx = pool.begin().await?;
    let case = log::find(&mut *tx, number, true).await?;
    if case.access(user) != Access::Act || user.role() != Role::Applicant {
        return Err(AppError::NotFound);
    }
    log::record(&mut tx, &cal, &case, step).await?;
    tx.commit().await?;
    Ok(case)
}

/// The applicant withdraws an open case, with a reason; checked by the state machine.
pub async fn withdraw(
    pool: &PgPool,
    user: &User,
    number: &str,
    reason: &str,
) -> Result<(), AppError> {
    let event = CaseEvent::Withdraw {
        reason: reason.to_string(),
    };
    applicant_step(pool, user, number, Step::new(user, event)).await?;
    tracing::info!(case = number, "case withdrawn by applicant");
    Ok(())
}

/// The applicant says the missing materials are in: the review starts again.
pub async fn supplement(pool: &PgPool, user: &User, number: &str) -> Result<(), AppError> {
    let mut step = Step::new(user, CaseEvent::Supplement);
    step.note = Some("申请人在线补齐材料".into());
    applicant_step(pool, user, number, step).await?;
    Ok(())
}

/// The applicant of a phone booking confirms the form and signs it on their phone.
pub async fn sign(
    state: &crate::state::AppState,
    user: &User,
    number: &str,
    signature: &str,
) -> Result<(), AppError> {
    let png = crate::files::signature::ssr::check(signature)?;
    let stored = crate::files::ssr::store(&state.files_dir, &png).await?;
    let stored_name = stored.stored_name.clone();
    let signed = async {
        let cal = crate::calendar::ssr::load(&state.pool).await?;
        let mut tx = state.pool.begin().await?;
        let case = log::find(&mut *tx, number, true).await?;
        if case.access(user) != Access::Act || user.role() != Role::Applicant {
            return Err(AppError::NotFound);
        }
        let file = crate::files::ssr::record(
            &mut tx,
            &stored,
            user.id,
            Some(case.id),
            "signature",
            "签名.png",
        )
        .await?;
        let mut step = Step::new(user, CaseEvent::Sign);
        step.note = Some("申请人在手机上确认申请表并签名".into());
        step.details = Some(serde_json::json!({ "signature_file": file }));
        log::record(&mut tx, &cal, &case, step).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if signed.is_err() {
        let _ = tokio::fs::remove_file(state.files_dir.join(stored_name)).await;
    }
    signed
}
