//! Service quality (保障措施): the applicant's rating of a finished case (好差评), the follow-up a
//! bad rating opens for the unit's managers (回访 within a working day, 整改 within fifteen,
//! then the applicant may rate again), and complaints (投诉) that only supervisors read. Every
//! form here is a plain HTML form drawn by the server: nothing in any browser bundle.

#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::{posted_error, FieldMessage, FormError};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::quality::{FollowUpStatus, QualityLimits, Satisfaction};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GivenRating {
    pub round: i16,
    pub level: Satisfaction,
    pub comment: String,
    pub rated_at: String,
}

/// A recorded step: the contact (note), the rectification (note: what was found), a
/// complaint's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub at: String,
    pub by: String,
    pub note: String,
    pub rectification: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUpView {
    pub id: i64,
    pub status: FollowUpStatus,
    pub contact_due: NaiveDate,
    pub rectify_due: NaiveDate,
    pub contacted: Option<StepView>,
    pub rectified: Option<StepView>,
}

/// A case's ratings as its page shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseRating {
    pub ratings: Vec<GivenRating>,
    pub follow_up: Option<FollowUpView>,
    /// The round the viewer (the case's applicant) may rate now.
    pub can_rate: Option<i16>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUpRow {
    pub case_number: String,
    pub item: String,
    pub unit: String,
    pub agent: String,
    pub applicant: String,
    pub phone: String,
    pub level: Satisfaction,
    pub comment: String,
    pub rated_at: String,
    pub follow_up: FollowUpView,
    /// The viewer manages the unit: records the steps (and sees the phone to call).
    pub can_act: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUps {
    pub rows: Vec<FollowUpRow>,
    /// Supervisors: the limits, and the county's open follow-ups and complaints.
    pub limits: Option<QualityLimits>,
    pub open: Option<(i64, i64, i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintRow {
    pub id: i64,
    pub number: String,
    pub phone: String,
    pub center: String,
    pub agent: String,
    pub case_number: String,
    pub misconduct: bool,
    pub content: String,
    pub due: NaiveDate,
    pub overdue: bool,
    pub submitted_at: String,
    /// The outcome (note), its verdict (rectification: 属实 / 不属实), who and when.
    pub outcome: Option<StepView>,
}

/// What the complaint form offers: the centers, and the caller's own verified phone when they
/// are logged in with one (then no code is needed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintForm {
    pub centers: Vec<(i64, String)>,
    pub own_phone: Option<String>,
}

/// The applicant rates their finished case. A plain form posts here and comes back to the
/// case page (with the field errors, when any).
#[server(endpoint = "quality/rate")]
pub async fn rate_case(number: String, level: String, comment: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    let rating = shared::quality::Rating::parse(&level, &comment).map_err(AppError::Invalid)?;
    let pool = crate::state::pool()?;
    let cal = crate::calendar::ssr::load(&pool).await?;
    ssr::rate(&pool, &cal, &user, &number, rating).await?;
    leptos_axum::redirect(&format!("/cases/{number}#rate"));
    Ok(())
}

#[server(endpoint = "quality/follow_ups")]
pub async fn load_follow_ups() -> Result<FollowUps, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    let pool = crate::state::pool()?;
    let county = user.role() == Role::Supervisor;
    Ok(FollowUps {
        rows: ssr::follow_ups(&pool, &user).await?,
        limits: if county {
            Some(ssr::limits(&pool).await?)
        } else {
            None
        },
        open: if county {
            Some(ssr::open_counts(&pool).await?)
        } else {
            None
        },
    })
}

/// The unit's manager records that the applicant was contacted (回访) and what they said.
#[server(endpoint = "quality/contacted")]
pub async fn record_contact(id: i64, note: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let note = shared::quality::follow_up_note("note", "回访情况", &note)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    ssr::record_step(&crate::state::pool()?, &user, id, "contacted", &note, "").await?;
    leptos_axum::redirect("/quality");
    Ok(())
}

/// The unit's manager records what was found and what was rectified (整改); the applicant may
/// then rate again.
#[server(endpoint = "quality/rectified")]
pub async fn record_rectification(
    id: i64,
    found: String,
    rectification: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let found = shared::quality::follow_up_note("found", "核查情况", &found);
    let rectification =
        shared::quality::follow_up_note("rectification", "整改措施", &rectification);
    let (found, rectification) = match (found, rectification) {
        (Ok(f), Ok(r)) => (f, r),
        (f, r) => {
            return Err(AppError::Invalid(
                [f.err(), r.err()].into_iter().flatten().collect(),
            ))
        }
    };
    ssr::record_step(
        &crate::state::pool()?,
        &user,
        id,
        "rectified",
        &found,
        &rectification,
    )
    .await?;
    leptos_axum::redirect("/quality");
    Ok(())
}

/// Supervisors set the follow-up and complaint limits (working days).
#[server(endpoint = "quality/limits")]
pub async fn save_limits(
    contact_days: String,
    rectify_days: String,
    complaint_days: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let limits = QualityLimits::parse(&contact_days, &rectify_days, &complaint_days)
        .map_err(AppError::Invalid)?;
    ssr::save_limits(&user, limits).await?;
    leptos_axum::redirect("/quality");
    Ok(())
}

#[server(endpoint = "quality/complaint_form")]
pub async fn load_complaint_form() -> Result<ComplaintForm, AppError> {
    let pool = crate::state::pool()?;
    let centers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM centers WHERE retired_at IS NULL
         ORDER BY (kind = 'county_center') DESC, name",
    )
    .fetch_all(&pool)
    .await?;
    let own_phone = match crate::accounts::ssr::auth_session().await?.user {
        Some(user) if user.role() == shared::Role::Applicant => {
            sqlx::query_scalar(
                "SELECT phone FROM accounts WHERE id = $1 AND phone_verified_at IS NOT NULL",
            )
            .bind(user.id)
            .fetch_optional(&pool)
            .await?
        }
        _ => None,
    };
    Ok(ComplaintForm { centers, own_phone })
}

/// Sends a code to prove the complainant's phone, then shows the form for that phone.
#[server(endpoint = "quality/complaint_code")]
pub async fn complaint_code(phone: String) -> Result<(), AppError> {
    let phone = shared::MobilePhone::parse(&phone).map_err(|e| AppError::field("phone", e.0))?;
    crate::accounts::codes::send_code(phone.as_str().to_string(), "complaint".into()).await?;
    leptos_axum::redirect(&format!("/complaint?phone={}", phone.as_str()));
    Ok(())
}

/// Files a complaint. Anyone may: the phone is proven by its code, or is the logged-in
/// applicant's verified phone. Answers the complaint's number and the day it is to be answered.
#[server(endpoint = "quality/complain")]
pub async fn complain(
    phone: String,
    #[server(default)] code: String,
    center: String,
    #[server(default)] agent_name: String,
    #[server(default)] case_number: String,
    #[server(default)] misconduct: Option<String>,
    content: String,
) -> Result<(String, NaiveDate), AppError> {
    use crate::accounts::codes::{ssr::consume, CodePurpose};
    let pool = crate::state::pool()?;
    let client = crate::accounts::ssr::client_info().await;
    crate::limits::hit(
        &pool,
        crate::limits::SUBMIT_PER_ADDRESS,
        &client.ip.clone().unwrap_or_default(),
    )
    .await?;
    let mut errors = Vec::new();
    let phone_ok = shared::MobilePhone::parse(&phone)
        .map_err(|e| errors.push(shared::FieldError::new("phone", e.0)))
        .ok();
    let complaint = shared::quality::Complaint::parse(
        &center,
        &agent_name,
        &case_number,
        misconduct.is_some(),
        &content,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let (Some(phone), Some(complaint)) = (phone_ok, complaint) else {
        return Err(AppError::Invalid(errors));
    };
    let own = match crate::accounts::ssr::auth_session().await?.user {
        Some(user) if user.role() == shared::Role::Applicant => sqlx::query_scalar::<_, bool>(
            "SELECT phone = $2 AND phone_verified_at IS NOT NULL FROM accounts WHERE id = $1",
        )
        .bind(user.id)
        .bind(phone.as_str())
        .fetch_one(&pool)
        .await?
        .then_some(user.id),
        _ => None,
    };
    let cal = crate::calendar::ssr::load(&pool).await?;
    if own.is_none() {
        let code = shared::SmsCode::parse(&code).map_err(|e| AppError::field("code", e.0))?;
        let mut tx = pool.begin().await?;
        consume(&mut tx, &phone, CodePurpose::Complaint, &code).await?;
        tx.commit().await?;
    }
    let (number, due) = ssr::complain(
        &pool,
        &cal,
        ssr::NewComplaint {
            phone: phone.as_str(),
            account: own,
            center_id: complaint.center_id,
            agent_name: &complaint.agent_name,
            case_number: &complaint.case_number,
            misconduct: complaint.misconduct,
            content: &complaint.content,
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/complaint/done?number={number}&due={due}"));
    Ok((number, due))
}

#[server(endpoint = "quality/complaints")]
pub async fn load_complaints() -> Result<Vec<ComplaintRow>, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    ssr::complaints(&crate::state::pool()?).await
}

/// A supervisor records a complaint's outcome; the complainant is told by SMS.
#[server(endpoint = "quality/answer")]
pub async fn answer_complaint(
    id: i64,
    #[server(default)] verdict: String,
    outcome: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let substantiated = match verdict.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let outcome = shared::quality::follow_up_note("outcome", "处理结果", &outcome);
    let (Some(substantiated), Ok(outcome)) = (substantiated, &outcome) else {
        let mut errors = Vec::new();
        if substantiated.is_none() {
            errors.push(shared::FieldError::new("verdict", "请选择是否属实"));
        }
        errors.extend(outcome.err());
        return Err(AppError::Invalid(errors));
    };
    ssr::answer_complaint(&crate::state::pool()?, &user, id, substantiated, outcome).await?;
    leptos_axum::redirect("/quality/complaints");
    Ok(())
}

// ---- Pages ----

fn stored(e: Option<AppError>) -> Signal<Option<AppError>> {
    Signal::stored(e)
}

/// The ratings of a case on its page; the form when the applicant may rate now.
#[component]
pub fn RatingSection(number: String, rating: CaseRating) -> impl IntoView {
    if rating.ratings.is_empty() && rating.can_rate.is_none() {
        return ().into_any();
    }
    let error = stored(posted_error("quality/rate"));
    let given = rating
        .ratings
        .iter()
        .map(|r| {
            let when = if r.round == 1 {
                "评价"
            } else {
                "再次评价"
            };
            view! {
                <p class="given-rating" data-round=r.round>
                    <strong>{format!("{when}：{}", r.level.label())}</strong>
                    {format!("（{}）", r.rated_at)}
                    {(!r.comment.is_empty()).then(|| view! { <br/>{r.comment.clone()} })}
                </p>
            }
        })
        .collect_view();
    let follow = rating
        .follow_up
        .clone()
        .map(|f| view! { <FollowUpRecord f/> });
    let form = rating.can_rate.map(|round| {
        let ask = if round == 1 {
            "您对本次帮办代办服务满意吗？"
        } else {
            "整改后，您对本次服务满意吗？"
        };
        view! {
            <form method="post" action="/api/quality/rate" class="rating-form" novalidate>
                <input type="hidden" name="number" value=number.clone()/>
                <fieldset>
                    <legend>{ask}</legend>
                    <div class="choice">
                        {Satisfaction::ALL.iter().map(|l| view! {
                            <label class="choice-option">
                                <input type="radio" name="level" value=l.as_str()/>
                                <span>{l.label()}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    <FieldMessage error field="level"/>
                </fieldset>
                <label class="field"><span>"评价内容（选“不满意”或“非常不满意”时请写明原因）"</span>
                    <textarea name="comment" rows="3" maxlength="500"></textarea>
                    <FieldMessage error field="comment"/>
                </label>
                <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                <button type="submit" class="button primary big">"提交评价"</button>
            </form>
        }
    });
    view! {
        <section class="rating" id="rate">
            <h2>"服务评价"</h2>
            {given}
            {follow}
            {form}
        </section>
    }
    .into_any()
}

/// Where a bad rating's follow-up stands, and what was recorded.
#[component]
fn FollowUpRecord(f: FollowUpView) -> impl IntoView {
    view! {
        <div class="follow-up" data-status=format!("{:?}", f.status)>
            <p>
                <span class="badge" class:deadline-breached=f.status.overdue()>{f.status.label()}</span>
                {format!(" 回访期限 {}，整改期限 {}", f.contact_due.format("%Y-%m-%d"), f.rectify_due.format("%Y-%m-%d"))}
            </p>
            {f.contacted.map(|s| view! {
                <p>{format!("回访（{} {}）：{}", s.at, s.by, s.note)}</p>
            })}
            {f.rectified.map(|s| view! {
                <p>{format!("核查情况（{} {}）：{}", s.at, s.by, s.note)}</p>
                <p>{format!("整改措施：{}", s.rectification)}</p>
            })}
        </div>
    }
}

/// `/quality`: bad ratings' follow-ups — a manager's unit, or the county for supervisors, who
/// also set the limits and see what is open.
#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_follow_ups());
    // A row's form that came back refused: its reason at the top, where it is seen.
    let error =
        stored(posted_error("quality/contacted").or_else(|| posted_error("quality/rectified")));
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide quality">
            <h1>"差评回访整改"</h1>
            <FormError error/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|d| view! {
                        {d.open.map(|(open, late, complaints, complaints_late)| view! {
                            <div class="tiles">
                                <div class="tile"><p class="tile-label">"未结回访整改"</p><p class="tile-figure">{open}</p></div>
                                <div class="tile"><p class="tile-label">"回访整改超期"</p><p class="tile-figure" class:rate-low=late.gt(&0)>{late}</p></div>
                                <div class="tile"><p class="tile-label"><a href="/quality/complaints">"未办结投诉"</a></p><p class="tile-figure">{complaints}</p></div>
                                <div class="tile"><p class="tile-label">"投诉超期"</p><p class="tile-figure" class:rate-low=complaints_late.gt(&0)>{complaints_late}</p></div>
                            </div>
                        })}
                        {d.limits.map(|l| view! { <LimitsForm l/> })}
                        {if d.rows.is_empty() {
                            view! { <p class="empty">"暂无差评回访。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="follow-ups">
                                    {d.rows.into_iter().map(|r| view! { <FollowUpItem r/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FollowUpItem(r: FollowUpRow) -> impl IntoView {
    let id = r.follow_up.id.to_string();
    let needs_contact = r.can_act && r.follow_up.contacted.is_none();
    let needs_rectify =
        r.can_act && r.follow_up.contacted.is_some() && r.follow_up.rectified.is_none();
    let (id2, id3) = (id.clone(), id.clone());
    view! {
        <li class="follow-up-item" data-case=r.case_number.clone()>
            <p>
                <a href=format!("/cases/{}", r.case_number)>{r.case_number.clone()}</a>
                {format!(" {} · {} · 承办人 {}", r.item, r.unit, if r.agent.is_empty() { "—" } else { &r.agent })}
            </p>
            <p>
                <strong>{r.level.label()}</strong>{format!("（{}）{}", r.rated_at, r.comment)}
            </p>
            <p>{format!("申请人 {} · 电话 {}", r.applicant, r.phone)}</p>
            <FollowUpRecord f=r.follow_up.clone()/>
            {needs_contact.then(|| view! {
                <form method="post" action="/api/quality/contacted" class="step-form" novalidate>
                    <input type="hidden" name="id" value=id2.clone()/>
                    <label class="field"><span>"回访情况（何时、如何联系，申请人反映什么）"</span>
                        <textarea name="note" rows="2"></textarea>
                    </label>
                    <button type="submit" class="button primary">"记录回访"</button>
                </form>
            })}
            {needs_rectify.then(|| view! {
                <form method="post" action="/api/quality/rectified" class="step-form" novalidate>
                    <input type="hidden" name="id" value=id3.clone()/>
                    <label class="field"><span>"核查情况（查明的问题）"</span>
                        <textarea name="found" rows="2"></textarea>
                    </label>
                    <label class="field"><span>"整改措施"</span>
                        <textarea name="rectification" rows="2"></textarea>
                    </label>
                    <button type="submit" class="button primary">"记录整改，请申请人再次评价"</button>
                </form>
            })}
        </li>
    }
}

#[component]
fn LimitsForm(l: QualityLimits) -> impl IntoView {
    let error = stored(posted_error("quality/limits"));
    view! {
        <form method="post" action="/api/quality/limits" class="limits-form" novalidate>
            <h2>"时限设置（工作日）"</h2>
            <label class="field"><span>"差评回访"</span>
                <input type="number" name="contact_days" min="1" max="60" value=l.contact_days.to_string()/>
                <FieldMessage error field="contact_days"/>
            </label>
            <label class="field"><span>"整改"</span>
                <input type="number" name="rectify_days" min="1" max="60" value=l.rectify_days.to_string()/>
                <FieldMessage error field="rectify_days"/>
            </label>
            <label class="field"><span>"投诉办理"</span>
                <input type="number" name="complaint_days" min="1" max="60" value=l.complaint_days.to_string()/>
                <FieldMessage error field="complaint_days"/>
            </label>
            <button type="submit" class="button">"保存时限"</button>
        </form>
    }
}

/// `/complaint`: anyone complains about a center, an agent or a case (投诉, 吃拿卡要 included).
/// Step one proves the phone by a code; step two is the complaint.
#[component]
pub fn ComplaintPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_complaint_form());
    let phone = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("phone"));
    view! {
        <section class="card complaint">
            <h1>"投诉监督"</h1>
            <p>"帮办代办服务全程免费。如遇吃拿卡要、推诿拖延、服务态度差等问题，请在此投诉。投诉只由县政务服务中心督查人员处理，被投诉人看不到投诉人信息。"</p>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || {
                    let phone = phone.clone();
                    Suspend::new(async move {
                        form.await.map(|f| match (f.own_phone.clone(), phone) {
                            (Some(own), _) => view! { <ComplaintFields f phone=own need_code=false/> }.into_any(),
                            (None, Some(p)) => view! { <ComplaintFields f phone=p need_code=true/> }.into_any(),
                            (None, None) => view! { <PhoneStep/> }.into_any(),
                        })
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn PhoneStep() -> impl IntoView {
    let error = stored(posted_error("quality/complaint_code"));
    view! {
        <form method="post" action="/api/quality/complaint_code" class="phone-step" novalidate>
            <p>"第一步：验证您的手机号，处理结果将以短信告知。"</p>
            <label class="field"><span>"手机号"</span>
                <input type="tel" name="phone" inputmode="numeric" autocomplete="tel" maxlength="11"/>
                <FieldMessage error field="phone"/>
            </label>
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <button type="submit" class="button primary big">"获取短信验证码"</button>
        </form>
    }
}

#[component]
fn ComplaintFields(f: ComplaintForm, phone: String, need_code: bool) -> impl IntoView {
    let error = stored(posted_error("quality/complain"));
    view! {
        <form method="post" action="/api/quality/complain" class="complaint-form" novalidate>
            <input type="hidden" name="phone" value=phone.clone()/>
            <p>{format!("投诉人手机号：{phone}")}</p>
            {need_code.then(|| view! {
                <label class="field"><span>"短信验证码"</span>
                    <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"/>
                    <FieldMessage error field="code"/>
                </label>
            })}
            <label class="field"><span>"被投诉的服务中心或便民服务站"</span>
                <select name="center">
                    <option value="">"请选择"</option>
                    {f.centers.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
                <FieldMessage error field="center"/>
            </label>
            <label class="field"><span>"帮办代办员姓名（知道的话）"</span>
                <input type="text" name="agent_name" maxlength="20"/>
                <FieldMessage error field="agent_name"/>
            </label>
            <label class="field"><span>"申请编号（有的话）"</span>
                <input type="text" name="case_number" maxlength="30"/>
                <FieldMessage error field="case_number"/>
            </label>
            <label class="check"><input type="checkbox" name="misconduct" value="on"/>
                <span>"涉及吃拿卡要（索要财物、好处，故意刁难拖延）"</span></label>
            <label class="field"><span>"投诉内容（事情经过）"</span>
                <textarea name="content" rows="5" maxlength="1000"></textarea>
                <FieldMessage error field="content"/>
            </label>
            <FieldMessage error field="phone"/>
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <button type="submit" class="button primary big">"提交投诉"</button>
        </form>
    }
}

/// `/complaint/done`: the complaint's number and when it will be answered.
#[component]
pub fn ComplaintDonePage() -> impl IntoView {
    let q = leptos_router::hooks::use_query_map();
    let (number, due) = q.with_untracked(|q| (q.get("number"), q.get("due")));
    view! {
        <section class="card complaint">
            <h1>"投诉已受理"</h1>
            <p role="status" class="form-ok">{format!(
                "投诉编号 {}。县政务服务中心将于 {} 前办结，并以短信告知您处理结果。",
                number.unwrap_or_default(),
                due.unwrap_or_default()
            )}</p>
            <p class="actions"><a class="button" href="/">"返回首页"</a></p>
        </section>
    }
}

/// `/quality/complaints`: every complaint for supervisors, with the outcome to record.
#[component]
pub fn ComplaintsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_complaints());
    let error = stored(posted_error("quality/answer"));
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide quality">
            <h1>"投诉处理"</h1>
            <FormError error/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|rows| if rows.is_empty() {
                        view! { <p class="empty">"暂无投诉。"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="complaints">
                                {rows.into_iter().map(|c| view! { <ComplaintItem c/> }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ComplaintItem(c: ComplaintRow) -> impl IntoView {
    let id = c.id.to_string();
    let about = [
        c.center.clone(),
        c.agent.clone(),
        if c.case_number.is_empty() {
            String::new()
        } else {
            format!("申请 {}", c.case_number)
        },
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let open = c.outcome.is_none();
    view! {
        <li class="complaint-item" data-number=c.number.clone()>
            <p>
                <strong>{c.number.clone()}</strong>
                {c.misconduct.then(|| view! { " "<span class="badge deadline-breached">"吃拿卡要"</span> })}
                {format!(" {} · 被投诉：{}", c.submitted_at, about)}
            </p>
            <p>{c.content.clone()}</p>
            <p>{format!("投诉人电话 {} · 办结期限 {}", c.phone, c.due.format("%Y-%m-%d"))}
                {c.overdue.then(|| view! { " "<span class="badge deadline-breached">"已超期"</span> })}</p>
            {c.outcome.map(|o| view! {
                <p class="outcome">{format!("处理结果（{}，{} {}）：{}", o.rectification, o.at, o.by, o.note)}</p>
            })}
            {open.then(|| view! {
                <form method="post" action="/api/quality/answer" class="step-form" novalidate>
                    <input type="hidden" name="id" value=id.clone()/>
                    <fieldset><legend>"核查结论"</legend>
                        <div class="choice">
                            <label class="choice-option"><input type="radio" name="verdict" value="yes"/><span>"属实"</span></label>
                            <label class="choice-option"><input type="radio" name="verdict" value="no"/><span>"不属实"</span></label>
                        </div>
                    </fieldset>
                    <label class="field"><span>"处理结果（将以短信告知投诉人）"</span>
                        <textarea name="outcome" rows="2"></textarea>
                    </label>
                    <button type="submit" class="button primary">"办结并答复"</button>
                </form>
            })}
        </li>
    }
}
