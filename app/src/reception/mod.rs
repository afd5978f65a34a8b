//! Before an application: consultation (咨询) — a question about an item goes to the filed
//! agents who cover it at the chosen center, the answer comes back in the app and by SMS, and
//! the time to the first answer is counted in working hours — and booking (预约) a center's time
//! slot, changed or cancelled until 2 hours before, reminded the day before, applied from.
//! Every form here is a plain HTML form drawn by the server: nothing in any browser bundle.

#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::{posted, FieldMessage, FormError};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::reception::{BookingPurpose, BookingStatus};
#[cfg(feature = "ssr")]
use shared::Role;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i64,
    pub item_id: i64,
    pub item: String,
    pub center: String,
    pub name: String,
    /// Shown to the staff who call back; empty for the applicant's own list.
    pub phone: String,
    pub question: String,
    pub channel: String,
    pub asked_at: String,
    /// (answer, settled mode or "", agent, when).
    pub answers: Vec<(String, String, String, String)>,
    pub can_answer: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ConsultFigure {
    pub center: String,
    pub asked: i64,
    pub answered: i64,
    pub mean_hours: Option<f64>,
    pub max_hours: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlotView {
    pub id: i64,
    pub day: NaiveDate,
    pub when: String,
    pub left: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: i64,
    pub slot_id: i64,
    pub center_id: i64,
    pub center: String,
    pub item_id: i64,
    pub item: String,
    pub purpose: BookingPurpose,
    pub status: BookingStatus,
    pub when: String,
    pub name: String,
    pub phone: String,
    pub by_phone: bool,
    pub may_change: bool,
    pub may_record_arrival: bool,
    /// The application made from it.
    pub case_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemChoice {
    pub item_id: i64,
    pub item: String,
    pub centers: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookForm {
    pub item: ItemChoice,
    pub center: Option<i64>,
    /// The days with free places: (day, "12月2日 周三", slots with places).
    pub days: Vec<(NaiveDate, String, usize)>,
    pub day: Option<NaiveDate>,
    /// The free slots of the chosen day (the first day with places unless one was chosen).
    pub slots: Vec<SlotView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingPage {
    pub booking: BookingView,
    /// Other slots of the same center to move to.
    pub slots: Vec<SlotView>,
}

/// The reception desk of a center (agents and managers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Desk {
    pub day: NaiveDate,
    pub bookings: Vec<BookingView>,
    pub slots: Vec<SlotView>,
    pub items: Vec<(i64, String)>,
    pub questions: Vec<QuestionView>,
    pub manager: bool,
    pub on_duty: i64,
}

/// "12月2日 周三" of "12月2日 周三 09:00".
fn day_label(when: &str) -> String {
    when.rsplit_once(' ')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// "09:00" of "12月2日 周三 09:00".
fn time_label(when: &str) -> String {
    when.rsplit(' ').next().unwrap_or_default().to_string()
}

/// How far ahead slots are offered.
pub const BOOKING_DAYS: i32 = 14;

// ---- Consultation ----

#[server(endpoint = "reception/ask_form")]
pub async fn load_ask_form(item: i64) -> Result<ItemChoice, AppError> {
    crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    let pool = crate::state::pool()?;
    let name = crate::catalog::ssr::item(&pool, item).await?.summary.name;
    Ok(ItemChoice {
        item_id: item,
        item: name,
        centers: ssr::centers_for_item(&pool, item).await?,
    })
}

#[server(endpoint = "reception/ask")]
pub async fn ask(
    item: i64,
    #[server(default)] center: String,
    question: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    let pool = crate::state::pool()?;
    crate::limits::hit(
        &pool,
        crate::limits::SUBMIT_PER_ACCOUNT,
        &user.id.to_string(),
    )
    .await?;
    let center = center
        .parse::<i64>()
        .map_err(|_| AppError::field("center", "请选择向哪个服务中心咨询"))?;
    let q = shared::reception::Question::parse(&question).map_err(AppError::Invalid)?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await?;
    let id = ssr::ask(
        &pool,
        ssr::NewQuestion {
            item_id: item,
            center_id: center,
            applicant: Some(user.id),
            name: &user.display_name,
            phone: &phone,
            question: &q.question,
            channel: "online",
            recorded_by: None,
        },
    )
    .await?;
    leptos_axum::redirect("/questions?asked=1");
    Ok(id)
}

/// An agent records a question taken by phone or at the desk; it goes to the agents covering the
/// item at the agent's center.
#[server(endpoint = "reception/record_question")]
pub async fn record_question(
    item: String,
    name: String,
    phone: String,
    channel: String,
    question: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    let mut errors = Vec::new();
    let who = caller(&item, "请选择咨询的事项", &name, &phone, &mut errors);
    if !matches!(channel.as_str(), "phone" | "walk_in") {
        errors.push(shared::FieldError::new("channel", "请选择电话或现场咨询"));
    }
    let q = shared::reception::Question::parse(&question)
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(who), Some(q), true) = (who, q, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = ssr::ask(
        &crate::state::pool()?,
        ssr::NewQuestion {
            item_id: who.item,
            center_id: user.center_id.ok_or(AppError::Forbidden)?,
            applicant: None,
            name: who.name.as_str(),
            phone: who.phone.as_str(),
            question: &q.question,
            channel: &channel,
            recorded_by: Some(&user),
        },
    )
    .await?;
    leptos_axum::redirect("/reception#questions");
    Ok(id)
}

#[server(endpoint = "reception/answer")]
pub async fn answer(
    id: i64,
    body: String,
    #[server(default)] mode: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    let pool = crate::state::pool()?;
    let cal = crate::calendar::ssr::load(&pool).await?;
    let mode = match mode.as_str() {
        "" => None,
        "assist" | "proxy" => Some(mode.as_str()),
        _ => return Err(AppError::field("mode", "请选择帮办或代办")),
    };
    ssr::answer(&pool, &cal, &user, id, &body, mode).await?;
    leptos_axum::redirect("/reception#questions");
    Ok(())
}

#[server(endpoint = "reception/my_questions")]
pub async fn my_questions() -> Result<Vec<QuestionView>, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    ssr::my_questions(&crate::state::pool()?, &user).await
}

#[server(endpoint = "reception/figures")]
pub async fn consult_figures(
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ConsultFigure>, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Supervisor, Role::Manager]).await?;
    ssr::figures(&crate::state::pool()?, &user, from, to).await
}

// ---- Bookings ----

#[server(endpoint = "reception/book_form")]
pub async fn load_book_form(
    item: i64,
    center: Option<i64>,
    #[server(default)] day: Option<NaiveDate>,
) -> Result<BookForm, AppError> {
    crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    let pool = crate::state::pool()?;
    let name = crate::catalog::ssr::item(&pool, item).await?.summary.name;
    let centers = ssr::booking_centers(&pool).await?;
    let center = center.filter(|c| centers.iter().any(|(id, _)| id == c));
    let free = match center {
        Some(c) => ssr::free_slots(&pool, c, BOOKING_DAYS).await?,
        None => Vec::new(),
    };
    let mut days: Vec<(NaiveDate, String, usize)> = Vec::new();
    for s in &free {
        match days.last_mut() {
            Some((d, _, n)) if *d == s.day => *n += 1,
            _ => days.push((s.day, day_label(&s.when), 1)),
        }
    }
    let day = day
        .filter(|d| days.iter().any(|x| x.0 == *d))
        .or(days.first().map(|d| d.0));
    Ok(BookForm {
        item: ItemChoice {
            item_id: item,
            item: name,
            centers,
        },
        center,
        days,
        day,
        slots: free.into_iter().filter(|s| Some(s.day) == day).collect(),
    })
}

/// Someone on the phone or at the desk, as staff take them down.
#[cfg(feature = "ssr")]
struct Caller {
    item: i64,
    name: shared::DisplayName,
    phone: shared::MobilePhone,
}

/// The caller's item (`item_message` when none was chosen), name and mobile, each wrong field
/// named in `errors`.
#[cfg(feature = "ssr")]
fn caller(
    item: &str,
    item_message: &str,
    name: &str,
    phone: &str,
    errors: &mut Vec<shared::FieldError>,
) -> Option<Caller> {
    let item = item
        .parse::<i64>()
        .map_err(|_| errors.push(shared::FieldError::new("item", item_message)))
        .ok();
    let name = shared::DisplayName::parse(name)
        .map_err(|e| errors.push(shared::FieldError::new("name", e.0)))
        .ok();
    let phone = shared::MobilePhone::parse(phone)
        .map_err(|e| errors.push(shared::FieldError::new("phone", e.0)))
        .ok();
    Some(Caller {
        item: item?,
        name: name?,
        phone: phone?,
    })
}

#[cfg(feature = "ssr")]
fn purpose_of(purpose: &str) -> Result<BookingPurpose, AppError> {
    BookingPurpose::parse(purpose)
        .ok_or_else(|| AppError::field("purpose", "请选择预约办理申请还是事前辅导"))
}

#[cfg(feature = "ssr")]
fn slot_of(slot: &str) -> Result<i64, AppError> {
    slot.parse()
        .map_err(|_| AppError::field("slot", "请选择一个时段"))
}

#[server(endpoint = "reception/book")]
pub async fn book(
    item: i64,
    #[server(default)] slot: String,
    #[server(default)] purpose: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    let pool = crate::state::pool()?;
    crate::limits::hit(
        &pool,
        crate::limits::SUBMIT_PER_ACCOUNT,
        &user.id.to_string(),
    )
    .await?;
    let purpose = purpose_of(&purpose)?;
    let slot = slot_of(&slot)?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await?;
    let id = ssr::book(
        &pool,
        ssr::NewBooking {
            slot_id: slot,
            item_id: item,
            purpose,
            applicant: Some(user.id),
            name: &user.display_name,
            phone: &phone,
            booked_by: &user,
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/bookings/{id}?booked=1"));
    Ok(id)
}

/// An agent books a place for a caller (预约电话); the caller signs when applying.
#[server(endpoint = "reception/book_for_caller")]
pub async fn book_for_caller(
    #[server(default)] item: String,
    #[server(default)] slot: String,
    #[server(default)] purpose: String,
    name: String,
    phone: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    let mut errors = Vec::new();
    let who = caller(&item, "请选择办理的事项", &name, &phone, &mut errors);
    let slot = slot_of(&slot)
        .map_err(|e| errors.push(shared::FieldError::new("slot", e.to_string())))
        .ok();
    let purpose = purpose_of(&purpose)
        .map_err(|e| errors.push(shared::FieldError::new("purpose", e.to_string())))
        .ok();
    let (Some(Caller { item, name, phone }), Some(slot), Some(purpose)) = (who, slot, purpose)
    else {
        return Err(AppError::Invalid(errors));
    };
    let pool = crate::state::pool()?;
    let applicant: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE phone = $1 AND role = 'applicant'")
            .bind(phone.as_str())
            .fetch_optional(&pool)
            .await?;
    let id = ssr::book(
        &pool,
        ssr::NewBooking {
            slot_id: slot,
            item_id: item,
            purpose,
            applicant,
            name: name.as_str(),
            phone: phone.as_str(),
            booked_by: &user,
        },
    )
    .await?;
    leptos_axum::redirect("/reception?booked=1");
    Ok(id)
}

#[server(endpoint = "reception/my_bookings")]
pub async fn my_bookings() -> Result<Vec<BookingView>, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    ssr::mine(&crate::state::pool()?, &user).await
}

#[server(endpoint = "reception/booking")]
pub async fn load_booking(id: i64) -> Result<BookingPage, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Applicant]).await?;
    let pool = crate::state::pool()?;
    let booking = ssr::view(&pool, &user, id).await?;
    let slots = if booking.may_change {
        ssr::free_slots(&pool, booking.center_id, BOOKING_DAYS)
            .await?
            .into_iter()
            .filter(|s| s.id != booking.slot_id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(BookingPage { booking, slots })
}

#[server(endpoint = "reception/cancel")]
pub async fn cancel_booking(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    ssr::change(&crate::state::pool()?, &user, id, None).await?;
    leptos_axum::redirect(&back_to(&user, id));
    Ok(())
}

#[server(endpoint = "reception/move")]
pub async fn move_booking(id: i64, #[server(default)] slot: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    let slot = slot_of(&slot)?;
    ssr::change(&crate::state::pool()?, &user, id, Some(slot)).await?;
    leptos_axum::redirect(&back_to(&user, id));
    Ok(())
}

#[cfg(feature = "ssr")]
fn back_to(user: &crate::accounts::ssr::User, id: i64) -> String {
    if user.role() == Role::Applicant {
        format!("/bookings/{id}")
    } else {
        "/reception".into()
    }
}

#[server(endpoint = "reception/arrival")]
pub async fn record_arrival(id: i64, came: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    ssr::arrival(&crate::state::pool()?, &user, id, came == "yes").await?;
    leptos_axum::redirect("/reception");
    Ok(())
}

/// A manager publishes the center's slots for a range of days.
#[server(endpoint = "reception/publish")]
pub async fn publish_slots(
    from: String,
    to: String,
    #[server(default)] capacity: String,
) -> Result<u64, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Manager]).await?;
    let center = user.center_id.ok_or(AppError::Forbidden)?;
    if user.department_id.is_some() {
        return Err(AppError::Rejected("预约时段由服务中心发布".into()));
    }
    let today = shared::clocks::local_date(chrono::Utc::now());
    let mut errors = Vec::new();
    let from = NaiveDate::parse_from_str(&from, "%Y-%m-%d")
        .ok()
        .filter(|d| *d >= today)
        .ok_or_else(|| {
            errors.push(shared::FieldError::new(
                "from",
                "请选择今天或以后的开始日期",
            ))
        })
        .ok();
    let to = NaiveDate::parse_from_str(&to, "%Y-%m-%d")
        .ok()
        .filter(|d| from.is_none_or(|f| *d >= f && (*d - f).num_days() <= 62))
        .ok_or_else(|| {
            errors.push(shared::FieldError::new(
                "to",
                "结束日期应在开始日期之后，且一次不超过两个月",
            ))
        })
        .ok();
    let capacity = match capacity.trim() {
        "" => None,
        c => match c.parse::<i32>() {
            Ok(n) if (1..=50).contains(&n) => Some(n),
            _ => {
                errors.push(shared::FieldError::new(
                    "capacity",
                    "每个时段可约人数应为1至50",
                ));
                None
            }
        },
    };
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let pool = crate::state::pool()?;
    let cal = crate::calendar::ssr::load(&pool).await?;
    let added = ssr::publish(&pool, &cal, center, from, to, capacity).await?;
    leptos_axum::redirect(&format!("/reception?published={added}"));
    Ok(added)
}

#[server(endpoint = "reception/desk")]
pub async fn load_desk(day: Option<String>) -> Result<Desk, AppError> {
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    let pool = crate::state::pool()?;
    let day = day
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| shared::clocks::local_date(chrono::Utc::now()));
    let center = user.center_id.ok_or(AppError::Forbidden)?;
    let items: Vec<(i64, String)> = sqlx::query_as(
        "SELECT i.id, i.name FROM service_items i
         JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
         JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
         ORDER BY i.name",
    )
    .fetch_all(&pool)
    .await?;
    Ok(Desk {
        day,
        bookings: ssr::day(&pool, &user, day).await?,
        slots: ssr::free_slots(&pool, center, BOOKING_DAYS).await?,
        items,
        questions: ssr::routed_questions(&pool, &user).await?,
        manager: user.role() == Role::Manager && user.department_id.is_none(),
        on_duty: ssr::agents_on_duty(&pool, center).await?,
    })
}

// ---- Pages ----

fn query(name: &str) -> Option<String> {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get(name))
}

/// `/ask?item=`: an applicant asks about an item.
#[component]
pub fn AskPage() -> impl IntoView {
    let item = query("item")
        .and_then(|i| i.parse::<i64>().ok())
        .unwrap_or(0);
    let form = Resource::new(move || item, load_ask_form);
    let error = posted(&["reception/ask"]);
    view! {
        <crate::ui::ReceptionStyle/>
        <section class="card reception">
            <h1>"咨询"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    form.await.map(|f| view! {
                        <p>{format!("事项：{}", f.item)}</p>
                        {if f.centers.is_empty() {
                            view! { <p class="empty">"暂无承办此事项的帮办代办员，请拨打事项页面上的咨询电话。"</p> }.into_any()
                        } else {
                            view! {
                                <form method="post" action="/api/reception/ask" class="stack-form" novalidate>
                                    <input type="hidden" name="item" value=f.item_id.to_string()/>
                                    <label class="field"><span>"向哪个服务中心咨询"</span>
                                        <select name="center">
                                            {f.centers.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                                        </select>
                                        <FieldMessage error field="center"/>
                                    </label>
                                    <label class="field"><span>"您的问题"</span>
                                        <textarea name="question" rows="5" maxlength="500" placeholder="例如：需要准备哪些材料？可以代办吗？"></textarea>
                                        <FieldMessage error field="question"/>
                                    </label>
                                    <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                                    <p class="hint">"答复会发到“我的咨询”，并以短信通知您。"</p>
                                    <button type="submit" class="button primary big">"提交咨询"</button>
                                </form>
                            }.into_any()
                        }}
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/questions`: the applicant's questions and their answers.
#[component]
pub fn MyQuestionsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| my_questions());
    let asked = query("asked").is_some();
    view! {
        <crate::ui::ReceptionStyle/>
        <section class="card reception">
            <h1>"我的咨询"</h1>
            {asked.then(|| view! { <p role="status" class="form-ok">"咨询已提交，已通知承办此事项的帮办代办员。"</p> })}
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    rows.await.map(|rows| if rows.is_empty() {
                        view! { <p class="empty">"您还没有咨询。"</p> }.into_any()
                    } else {
                        view! { <ul class="questions">{rows.into_iter().map(|q| view! { <QuestionItem q staff=false/> }).collect_view()}</ul> }.into_any()
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn QuestionItem(q: QuestionView, staff: bool) -> impl IntoView {
    let answered = !q.answers.is_empty();
    let apply = format!("/items/{}/apply?consultation={}", q.item_id, q.id);
    let id = q.id.to_string();
    view! {
        <li class="question" data-question=id.clone()>
            <p><strong>{q.item.clone()}</strong>{format!(" · {} · {}", q.center, q.asked_at)}
                {staff.then(|| format!(" · {} {}（{}）", q.name, q.phone, match q.channel.as_str() {
                    "phone" => "电话", "walk_in" => "现场", _ => "网上" }))}
                " "<span class="badge" class:deadline-near=!answered>{if answered { "已答复" } else { "待答复" }}</span>
            </p>
            <p class="asked">{q.question.clone()}</p>
            {q.answers.into_iter().map(|(body, mode, agent, at)| view! {
                <p class="answer">{format!("答复（{agent}，{at}）：{body}")}
                    {(!mode.is_empty()).then(|| format!(" 建议方式：{}", if mode == "proxy" { "代办" } else { "帮办" }))}</p>
            }).collect_view()}
            {(!staff && answered).then(|| view! {
                <p class="actions"><a class="button primary" href=apply>"据此申请办理"</a></p>
            })}
            {(staff && q.can_answer).then(|| view! {
                <details class="answer-form" open=!answered>
                <summary>{if answered { "补充答复" } else { "答复" }}</summary>
                <form method="post" action="/api/reception/answer" class="step-form" novalidate>
                    <input type="hidden" name="id" value=id.clone()/>
                    <label class="field"><span>"答复"</span><textarea name="body" rows="2" maxlength="1000"></textarea></label>
                    <label class="field"><span>"建议办理方式"</span>
                        <select name="mode">
                            <option value="">"不限"</option>
                            <option value="assist">"帮办"</option>
                            <option value="proxy">"代办"</option>
                        </select>
                    </label>
                    <button type="submit" class="button primary">"答复（短信通知）"</button>
                </form>
                </details>
            })}
        </li>
    }
}

/// `/book?item=&center=`: an applicant books a slot for an item.
#[component]
pub fn BookPage() -> impl IntoView {
    let item = query("item")
        .and_then(|i| i.parse::<i64>().ok())
        .unwrap_or(0);
    let center = query("center").and_then(|c| c.parse::<i64>().ok());
    let day = query("day").and_then(|d| d.parse::<NaiveDate>().ok());
    let form = Resource::new(
        move || (item, center, day),
        |(i, c, d)| load_book_form(i, c, d),
    );
    let error = posted(&["reception/book"]);
    view! {
        <crate::ui::ReceptionStyle/>
        <section class="card reception">
            <h1>"预约办理"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    form.await.map(|f| {
                        let item_id = f.item.item_id.to_string();
                        view! {
                            <p>{format!("事项：{}", f.item.item)}</p>
                            <form method="get" action="/book" class="stack-form">
                                <input type="hidden" name="item" value=item_id.clone()/>
                                <label class="field"><span>"第一步：选择服务中心"</span>
                                    <select name="center">
                                        {f.item.centers.iter().map(|(id, name)| view! {
                                            <option value=id.to_string() selected=f.center == Some(*id)>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit" class="button big">"查看可预约时段"</button>
                            </form>
                            {f.center.map(|_| if f.slots.is_empty() {
                                view! { <p class="empty">"近两周没有可预约的时段，请选择其他服务中心或拨打咨询电话。"</p> }.into_any()
                            } else {
                                view! {
                                    <form method="post" action="/api/reception/book" class="stack-form" novalidate>
                                        <input type="hidden" name="item" value=item_id.clone()/>
                                        <fieldset><legend>"第二步：办理什么"</legend>
                                            <div class="choice">
                                                <label class="choice-option"><input type="radio" name="purpose" value="apply" checked/><span>"办理申请"</span></label>
                                                <label class="choice-option"><input type="radio" name="purpose" value="pre_guidance"/><span>"事前辅导"</span></label>
                                            </div>
                                        </fieldset>
                                        <fieldset><legend>"第三步：选择日期和时段"</legend>
                                            <div class="days">
                                                {f.days.iter().map(|(d, label, n)| {
                                                    let href = format!("/book?item={}&center={}&day={d}", item_id, f.center.unwrap_or_default());
                                                    let chosen = f.day == Some(*d);
                                                    let (date, weekday) = label.split_once(' ').unwrap_or((label.as_str(), ""));
                                                    view! {
                                                        <a class="button day" href=href aria-current=chosen.then_some("date")>
                                                            {date.to_string()}<small>{format!("{weekday} · {n}个时段")}</small>
                                                        </a>
                                                    }
                                                }).collect_view()}
                                            </div>
                                            <p class="slot-day">{f.slots.first().map(|s| day_label(&s.when))}</p>
                                            <div class="slots">
                                                {f.slots.iter().map(|s| view! {
                                                    <label class="choice-option slot"><input type="radio" name="slot" value=s.id.to_string()/>
                                                        <span>{time_label(&s.when)}<small>{format!(" 余{}", s.left)}</small></span></label>
                                                }).collect_view()}
                                            </div>
                                            <FieldMessage error field="slot"/>
                                        </fieldset>
                                        <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                                        <button type="submit" class="button primary big">"确认预约"</button>
                                    </form>
                                }.into_any()
                            })}
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/bookings`: the applicant's bookings.
#[component]
pub fn MyBookingsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| my_bookings());
    view! {
        <crate::ui::ReceptionStyle/>
        <section class="card reception">
            <h1>"我的预约"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    rows.await.map(|rows| if rows.is_empty() {
                        view! { <p class="empty">"您还没有预约。在事项页面点“预约办理”即可预约。"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="bookings">{rows.into_iter().map(|b| view! {
                                <li><a href=format!("/bookings/{}", b.id)>{format!("{} · {}", b.when, b.item)}</a>
                                    {format!(" · {} · {}", b.center, b.status.label())}</li>
                            }).collect_view()}</ul>
                        }.into_any()
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/bookings/:id`: one booking: apply from it, move it, cancel it.
#[component]
pub fn MyBookingPage() -> impl IntoView {
    let data = crate::ui::route_resource("id", load_booking);
    let booked = query("booked").is_some();
    let error = posted(&["reception/cancel", "reception/move"]);
    view! {
        <crate::ui::ReceptionStyle/>
        <section class="card reception">
            <h1>"我的预约"</h1>
            {booked.then(|| view! { <p role="status" class="form-ok">"预约成功。预约前一天会短信提醒您。"</p> })}
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|BookingPage { booking: b, slots }| {
                        let id = b.id.to_string();
                        let apply = format!("/items/{}/apply?booking={}", b.item_id, b.id);
                        view! {
                            <dl class="disclosure">
                                <dt>"时间"</dt><dd class="booking-when">{b.when.clone()}</dd>
                                <dt>"地点"</dt><dd>{b.center.clone()}</dd>
                                <dt>"事项"</dt><dd>{format!("{}（{}）", b.item, b.purpose.label())}</dd>
                                <dt>"状态"</dt><dd class="booking-status">{b.status.label()}</dd>
                            </dl>
                            {match (&b.case_number, b.status) {
                                (Some(n), _) => view! { <p>"已据此预约提交申请 "<a href=format!("/cases/{n}")>{n.clone()}</a></p> }.into_any(),
                                (None, BookingStatus::Booked | BookingStatus::Attended) => view! {
                                    <p class="hint">"预约成功后请先填写申请表，到场时帮办代办员可直接审核材料。"</p>
                                    <p class="actions"><a class="button primary big" href=apply>"填写申请表"</a></p>
                                }.into_any(),
                                _ => ().into_any(),
                            }}
                            {b.may_change.then(|| view! {
                                {(!slots.is_empty()).then(|| view! {
                                    <form method="post" action="/api/reception/move" class="stack-form" novalidate>
                                        <input type="hidden" name="id" value=id.clone()/>
                                        <details><summary class="button">"改约其他时段"</summary>
                                            <label class="field"><span>"改到"</span>
                                                <select name="slot">
                                                    {slots.iter().map(|s| view! {
                                                        <option value=s.id.to_string()>{format!("{}（余{}）", s.when, s.left)}</option>
                                                    }).collect_view()}
                                                </select>
                                                <FieldMessage error field="slot"/>
                                            </label>
                                            <button type="submit" class="button primary big">"确认改约"</button>
                                        </details>
                                    </form>
                                })}
                                <form method="post" action="/api/reception/cancel" class="stack-form">
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <button type="submit" class="button big">"取消预约"</button>
                                </form>
                                <p class="hint">"开始前2小时内不能再取消或改约。"</p>
                            })}
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/reception`: a center's desk: the day's bookings, booking for a caller, publishing slots,
/// and the questions to answer.
#[component]
pub fn ReceptionPage() -> impl IntoView {
    let day = query("day");
    let desk = Resource::new(move || day.clone(), load_desk);
    let error = posted(&[
        "reception/arrival",
        "reception/book_for_caller",
        "reception/publish",
        "reception/answer",
        "reception/record_question",
        "reception/cancel",
    ]);
    let published = query("published");
    view! {
        <crate::ui::SupervisionStyle/>
        <crate::ui::ReceptionStyle/>
        <section class="card wide reception">
            <h1>"预约与咨询"</h1>
            {published.map(|n| view! { <p role="status" class="form-ok">{format!("已发布{n}个新时段。")}</p> })}
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    desk.await.map(|d| view! { <DeskView d/> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DeskView(d: Desk) -> impl IntoView {
    // Each form shows its own refusal, and opens with it.
    let caller = posted(&["reception/book_for_caller"]);
    let publish = posted(&["reception/publish"]);
    let record = posted(&["reception/record_question"]);
    let day = d.day.format("%Y-%m-%d").to_string();
    let items = d.items.clone();
    view! {
        <form method="get" action="/reception" class="day-form">
            <label>"日期 "<input type="date" name="day" value=day.clone()/></label>
            " "<button type="submit" class="button">"查看"</button>
        </form>
        <h2>{format!("{day} 的预约（{}）", d.bookings.len())}</h2>
        {if d.bookings.is_empty() {
            view! { <p class="empty">"当天没有预约。"</p> }.into_any()
        } else {
            view! {
                <table class="table bookings-table">
                    <thead><tr><th>"时间"</th><th>"预约人"</th><th>"电话"</th><th>"事项"</th><th>"状态"</th><th>"操作"</th></tr></thead>
                    <tbody>{d.bookings.into_iter().map(|b| {
                        let id = b.id.to_string();
                        let register = format!("/items/{}/apply?booking={}", b.item_id, b.id);
                        view! {
                            <tr data-booking=id.clone()>
                                <td>{time_label(&b.when)}</td>
                                <td>{b.name.clone()}{b.by_phone.then_some("（电话预约）")}</td>
                                <td>{b.phone.clone()}</td>
                                <td>{format!("{}（{}）", b.item, b.purpose.label())}</td>
                                <td>{b.status.label()}</td>
                                <td>
                                    {b.may_record_arrival.then(|| view! {
                                        <form method="post" action="/api/reception/arrival" class="inline-form">
                                            <input type="hidden" name="id" value=id.clone()/>
                                            <button type="submit" name="came" value="yes" class="button">"已到场"</button>
                                            <button type="submit" name="came" value="no" class="button">"未到场"</button>
                                        </form>
                                    })}
                                    {(b.may_change && b.by_phone).then(|| view! {
                                        <form method="post" action="/api/reception/cancel" class="inline-form">
                                            <input type="hidden" name="id" value=id.clone()/>
                                            <button type="submit" class="button">"取消"</button>
                                        </form>
                                    })}
                                    {match b.case_number.clone() {
                                        Some(n) => view! { <a href=format!("/cases/{n}")>{n.clone()}</a> }.into_any(),
                                        None if b.status != BookingStatus::Cancelled => view! { <a href=register>"登记申请"</a> }.into_any(),
                                        None => ().into_any(),
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        <details class="raise" open=caller.get_untracked().is_some()>
            <summary>"电话预约（为来电群众预约）"</summary>
            <form method="post" action="/api/reception/book_for_caller" class="stack-form" novalidate>
                <label class="field"><span>"姓名"</span><input type="text" name="name" maxlength="20"/><FieldMessage error=caller field="name"/></label>
                <label class="field"><span>"手机号"</span><input type="tel" name="phone" maxlength="11"/><FieldMessage error=caller field="phone"/></label>
                <label class="field"><span>"事项"</span>
                    <select name="item"><option value="">"请选择"</option>
                        {items.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                    </select><FieldMessage error=caller field="item"/></label>
                <label class="field"><span>"办理什么"</span>
                    <select name="purpose"><option value="apply">"办理申请"</option><option value="pre_guidance">"事前辅导"</option></select></label>
                <label class="field"><span>"时段"</span>
                    <select name="slot"><option value="">"请选择"</option>
                        {d.slots.iter().map(|s| view! { <option value=s.id.to_string()>{format!("{}（余{}）", s.when, s.left)}</option> }).collect_view()}
                    </select><FieldMessage error=caller field="slot"/></label>
                <button type="submit" class="button primary">"预约并短信告知"</button>
            </form>
        </details>
        {d.manager.then(|| view! {
            <details class="raise" open=publish.get_untracked().is_some()>
                <summary>"发布预约时段"</summary>
                <form method="post" action="/api/reception/publish" class="stack-form" novalidate>
                    <label class="field"><span>"开始日期"</span><input type="date" name="from"/><FieldMessage error=publish field="from"/></label>
                    <label class="field"><span>"结束日期"</span><input type="date" name="to"/><FieldMessage error=publish field="to"/></label>
                    <label class="field"><span>{format!("每个时段可约人数（不填为在岗帮办代办员人数：{}）", d.on_duty)}</span>
                        <input type="number" name="capacity" min="1" max="50"/><FieldMessage error=publish field="capacity"/></label>
                    <p class="hint">"工作日 8:30-12:00、14:30-17:30，每30分钟一个时段；法定节假日不发布。"</p>
                    <button type="submit" class="button primary">"发布"</button>
                </form>
            </details>
        })}
        <h2 id="questions">"咨询"</h2>
        <details class="raise" open=record.get_untracked().is_some()>
            <summary>"登记电话或现场咨询"</summary>
            <form method="post" action="/api/reception/record_question" class="stack-form" novalidate>
                <label class="field"><span>"咨询人"</span><input type="text" name="name" maxlength="20"/><FieldMessage error=record field="name"/></label>
                <label class="field"><span>"手机号"</span><input type="tel" name="phone" maxlength="11"/><FieldMessage error=record field="phone"/></label>
                <label class="field"><span>"方式"</span>
                    <select name="channel"><option value="phone">"电话"</option><option value="walk_in">"现场"</option></select></label>
                <label class="field"><span>"事项"</span>
                    <select name="item"><option value="">"请选择"</option>
                        {items.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select><FieldMessage error=record field="item"/></label>
                <label class="field"><span>"问题"</span><textarea name="question" rows="2" maxlength="500"></textarea><FieldMessage error=record field="question"/></label>
                <button type="submit" class="button primary">"登记"</button>
            </form>
        </details>
        {if d.questions.is_empty() {
            view! { <p class="empty">"暂无咨询。"</p> }.into_any()
        } else {
            view! { <ul class="questions">{d.questions.into_iter().map(|q| view! { <QuestionItem q staff=true/> }).collect_view()}</ul> }.into_any()
        }}
    }
}

/// Consultation figures for the supervision page: per center, questions and the working hours
/// to their first answer.
#[component]
pub fn ConsultFigures(rows: Vec<ConsultFigure>) -> impl IntoView {
    let hours = |h: Option<f64>| h.map(|h| format!("{h:.2}")).unwrap_or_else(|| "—".into());
    view! {
        <section class="consult-figures">
            <h2>"咨询答复"</h2>
            {if rows.is_empty() {
                view! { <p class="empty">"本期没有咨询。"</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th>"服务中心"</th><th>"咨询"</th><th>"已答复"</th><th>"待答复"</th><th>"首次答复平均（工作小时）"</th><th>"最长"</th></tr></thead>
                        <tbody>{rows.into_iter().map(|r| view! {
                            <tr><td>{r.center.clone()}</td><td>{r.asked}</td><td>{r.answered}</td><td>{r.asked - r.answered}</td>
                                <td>{hours(r.mean_hours)}</td><td>{hours(r.max_hours)}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
