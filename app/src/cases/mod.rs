//! Cases from the applicant's side: apply (`apply`), "我的申请", the tracking page of one case,
//! withdrawal, and the printable application form.

pub mod apply;
pub mod handover;
pub mod notice;
pub mod package;
pub mod print;
pub mod sign;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use apply::ApplyPage;

use crate::error::AppError;
use crate::ui::{action_error, reload_after_success, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::application::Application;
use shared::case::{CaseState, Channel, Delivery, HandlingMode, ItemType};
use shared::clocks::{Clock, ClockStatus};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub number: String,
    pub item_name: String,
    pub state: CaseState,
    pub submitted_at: String,
    pub next_due: Option<String>,
    /// What the applicant has to do now, when anything: "需要您补齐材料：…".
    pub needs_you: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub label: String,
    pub actor: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub size_kb: i64,
    /// The checklist material it was given for.
    pub material: Option<String>,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub number: String,
    pub item_id: i64,
    pub item_name: String,
    pub item_type: ItemType,
    pub department: String,
    pub center: String,
    pub state: CaseState,
    pub mode: HandlingMode,
    pub channel: Channel,
    pub application: Application,
    pub submitted_at: String,
    pub received_at: Option<String>,
    /// (name, phone) of the agent handling the case.
    pub agent: Option<(String, String)>,
    pub clocks: Vec<Clock>,
    pub timeline: Vec<TimelineEntry>,
    pub files: Vec<FileRef>,
    pub signature_file: Option<i64>,
    /// The agent's signature under 代办人, captured on receipt.
    pub agent_signature_file: Option<i64>,
    /// The applicant has signed the form (a phone booking signs later).
    pub signed: bool,
    /// The one-time notice the applicant has to answer now.
    pub notice: Option<notice::Notice>,
    /// The viewer works cases (agent or manager): the case page offers the steps.
    pub staff: bool,
    /// The viewer is an applicant (the case's own): the page speaks to them.
    pub applicant_view: bool,
    /// ID number, phones and addresses are shown whole (else masked).
    pub contact_full: bool,
    /// Why the viewer sees the case without acting on it.
    pub read_only: Option<String>,
    pub can_act: bool,
    /// An agent of the unit filed for the item, who may take the unassigned case.
    pub can_receive: bool,
    pub can_withdraw: bool,
    pub can_sign: bool,
    pub can_supplement: bool,
    pub can_upload: bool,
    /// A pre-guidance-only request, closed: the applicant may now apply with it prefilled.
    pub can_apply_again: bool,
    /// To the applicant: how the latest SMS about the case stands (pending, sent, failed), or
    /// none was queued (their phone is not verified).
    pub sms_status: Option<String>,
    /// The applicant's ratings of the finished case, its follow-up, and whether they may rate.
    pub rating: crate::quality::CaseRating,
    /// Staff: the case's blockages (堵点) and resolutions; the departments to name when the
    /// viewer may raise one.
    pub blockages: crate::oversight::CaseBlockages,
    /// The package application (number, package name) this case is one item of.
    pub package: Option<(String, String)>,
    /// Where the application began: a booking, a consultation and what was settled.
    pub origin: Vec<String>,
}

#[server(endpoint = "cases/mine")]
pub async fn my_cases() -> Result<Vec<CaseSummary>, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    ssr::mine(&crate::state::pool()?, &user).await
}

#[server(endpoint = "cases/view")]
pub async fn load_case(number: String) -> Result<CaseView, AppError> {
    let user = crate::accounts::ssr::require_user().await?;
    ssr::view(&crate::state::pool()?, &user, &number).await
}

#[server(endpoint = "cases/supplement_done")]
pub async fn supplement_done(number: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    ssr::supplement(&crate::state::pool()?, &user, &number).await
}

/// The applicant of a phone booking confirms the form and signs it.
#[server(endpoint = "cases/sign")]
pub async fn sign_case(number: String, signature: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    let state = leptos::prelude::use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::internal("AppState missing"))?;
    ssr::sign(&state, &user, &number, &signature).await
}

#[server(endpoint = "cases/withdraw")]
pub async fn withdraw_case(number: String, reason: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    let reason =
        shared::validate::Reason::parse(&reason).map_err(|e| AppError::field("reason", e.0))?;
    ssr::withdraw(&crate::state::pool()?, &user, &number, reason.as_str()).await
}

/// `/me`: the applicant's cases, newest first, with the state and the next due date.
#[component]
pub fn MyCasesPage() -> impl IntoView {
    let cases = Resource::new(|| (), |_| my_cases());
    let packages = Resource::new(|| (), |_| package::my_package_cases());
    view! {
        <section class="card" data-live="my-cases">
            <h1>"我的申请"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = packages.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <h2>"“一件事”申请"</h2>
                        <ul class="item-list">{list.into_iter().map(|(number, name, at)| view! {
                            <li class="item-card"><a class="item-link" href=format!("/cases/{number}")>
                                <span class="item-name">{name}</span>
                                <span class="item-meta">{format!("{number} · {at}")}</span>
                            </a></li>
                        }).collect_view()}</ul>
                        <h2>"各事项"</h2>
                    })
                })}
            </Suspense>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    cases.await.map(|cases| {
                        if cases.is_empty() {
                            return view! { <p class="empty">"您还没有帮办代办申请。"</p> }.into_any();
                        }
                        view! {
                            <ul class="item-list case-list">
                                {cases.into_iter().map(|c| { let flagged = c.needs_you.is_some(); view! {
                                    <li class="item-card" class:needs-you=flagged>
                                        <a href=format!("/cases/{}", c.number) class="item-link">
                                            {c.needs_you.clone().map(|n| view! { <span class="needs-you-line">{n}</span> })}
                                            <span class="item-name">{c.item_name}</span>
                                            <span class="item-meta">{format!("{} · {}", c.number, c.submitted_at)}</span>
                                            <span class="item-meta">
                                                <span class="badge" class:closed=!c.state.is_open()>{c.state.label()}</span>
                                                {c.next_due.map(|d| format!(" 下一个办理期限：{d}"))}
                                            </span>
                                        </a>
                                    </li>
                                }}).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
            <p class="actions"><a href="/catalog" class="button primary big">"找事项，申请帮办代办"</a></p>
            <p class="actions"><a href="/bookings" class="button big">"我的预约"</a>" "<a href="/questions" class="button big">"我的咨询"</a></p>
        </section>
    }
}

/// The form's legal terms, as the policy prints them.
#[component]
pub fn LegalTerms() -> impl IntoView {
    view! {
        <div class="terms">
            <strong>"法律责任"</strong>
            {shared::application::LEGAL_TERMS.iter().map(|t| view! { <p>{*t}</p> }).collect_view()}
            <p class="hint">"帮办代办服务全程免费。"</p>
        </div>
    }
}

/// A unit's name as printed papers head it: with the county, once (most center names carry it).
pub(crate) fn in_county(name: &str) -> String {
    if name.starts_with("内乡县") {
        name.to_string()
    } else {
        format!("内乡县{name}")
    }
}

pub(crate) fn delivery_label(d: &Delivery) -> String {
    match d {
        Delivery::WindowPickup => "窗口领取".into(),
        Delivery::Door => "上门送达".into(),
        Delivery::Mail {
            address,
            recipient,
            phone,
        } if phone.is_empty() => format!("邮寄送达：{address}（收件人 {recipient}）"),
        Delivery::Mail {
            address,
            recipient,
            phone,
        } => format!("邮寄送达：{address}（收件人 {recipient}，电话 {phone}）"),
    }
}

/// What the applicant should do now, in plain words.
fn needed_now(state: CaseState) -> &'static str {
    match state {
        CaseState::Submitted => "请保持电话畅通，帮办代办员将在1个工作日内审核您的申请和材料。",
        CaseState::Received => {
            "帮办代办员正在审核材料；如缺少材料，会一次性告知您需要补齐的全部内容。"
        }
        CaseState::AwaitingSupplement => "请按一次性告知书补齐材料，补齐后帮办代办员重新审核。",
        CaseState::MaterialsComplete | CaseState::HandedOver => {
            "材料已齐全，帮办代办员将在2个工作日内递交窗口。"
        }
        CaseState::AtWindow
        | CaseState::SubmittedToWindow
        | CaseState::AcceptedByWindow
        | CaseState::SpecialStep => "审批部门正在办理，无需您操作。",
        CaseState::ResultIssued | CaseState::Delivering => "办理结果将按您选择的方式送达。",
        CaseState::Completed => "已办结，感谢您使用帮办代办服务。",
        CaseState::Withdrawn | CaseState::Terminated => "本申请已结束。",
        CaseState::Guided => "事前辅导已完成，辅导意见见办理记录；准备好材料后可据此提出办理申请。",
    }
}

fn clock_status(c: &Clock) -> &'static str {
    match c.status {
        ClockStatus::Met => "按时完成",
        ClockStatus::Breached => "已超期",
        ClockStatus::Paused => "暂停计时",
        ClockStatus::Running if c.warning => "即将到期",
        ClockStatus::Running => "进行中",
    }
}

fn clock_class(c: &Clock) -> &'static str {
    match c.status {
        ClockStatus::Breached => "clock breached",
        _ if c.warning => "clock near",
        ClockStatus::Met => "clock met",
        _ => "clock",
    }
}

/// `/cases/:number`: one case, as its applicant follows it or as staff work and watch it. Drawn
/// by the server; what changes the case (islands) reloads the page once the change went through.
#[component]
pub fn CasePage() -> impl IntoView {
    let case = crate::ui::route_resource("number", package::load_case_page);
    let fresh = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("new").is_some());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(package::CasePageData::Package(p)) => view! { <package::PackageCase p fresh/> }.into_any(),
                    Ok(package::CasePageData::Case(c)) if c.applicant_view => view! { <ApplicantCase c=*c fresh/> }.into_any(),
                    Ok(package::CasePageData::Case(c)) => view! { <StaffCase c=*c/> }.into_any(),
                    Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Who may open a case's pages (the page itself then checks that this caller may see this case).
pub const READERS: &[shared::Role] = &[
    shared::Role::Applicant,
    shared::Role::Agent,
    shared::Role::Manager,
    shared::Role::Supervisor,
];

/// Withdrawing an application, with a reason; a refused withdrawal keeps the reason typed.
#[island]
fn WithdrawForm(number: String) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawCase>::new();
    let error = action_error(withdraw);
    reload_after_success(withdraw);
    view! {
        <details class="withdraw">
            <summary>"撤回申请"</summary>
            <ActionForm action=withdraw attr:novalidate=true>
                <input type="hidden" name="number" value=number/>
                <label class="field"><span>"撤回原因"</span>
                    <input type="text" name="reason"/>
                    <FieldMessage error=error field="reason"/>
                </label>
                <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                <button type="submit" class="button big">"确认撤回"</button>
            </ActionForm>
        </details>
    }
}

/// The applicant says the notice's materials are all in.
#[island]
fn SupplementForm(number: String, all_in: bool) -> impl IntoView {
    let supplement = ServerAction::<SupplementDone>::new();
    let error = action_error(supplement);
    reload_after_success(supplement);
    view! {
        <ActionForm action=supplement>
            <input type="hidden" name="number" value=number/>
            <FormError error=error/>
            <button type="submit" class="button big" class:primary=all_in>"材料已补齐，请代办员审核"</button>
        </ActionForm>
    }
}

/// The applicant's page: what to do now, the notice to answer, whom to call.
#[component]
fn ApplicantCase(c: CaseView, fresh: bool) -> impl IntoView {
    let a = c.application.clone();
    let number = c.number.clone();
    let banner = format!(
        "申请已提交！申请编号 {}。办理进度可随时在“我的申请”和“消息”查看。",
        c.number
    );
    // What really happened to the text, not what we hope: kept current by the page script.
    let sms = match c.sms_status.as_deref() {
        Some("sent") => "短信通知：已发送到您的手机。",
        Some("failed") => "短信通知：发送失败。请以本页和“消息”中的进度为准。",
        Some(_) => "短信通知：正在发送…",
        None => "短信通知：未发送（手机号未验证）。请以本页和“消息”中的进度为准。",
    };
    let sign_href = format!("/cases/{}/sign", c.number);
    let again_href = format!("/items/{}/apply?from={}", c.item_id, c.number);
    // In parts, type-erased: one nested view type this deep overflows the compiler's limits.
    let submitted = fresh.then(|| {
        view! {
            <div class="form-ok" role="status" data-live="sms" data-live-inbox="">
                <p>{banner.clone()}</p>
                <p class="sms-status">{sms}</p>
            </div>
        }
    });
    let live_key = c.number.clone();
    let now = view! {
            <p class="breadcrumb"><a href="/me">"我的申请"</a></p>
            <CaseHead c=c.clone()/>
            <p class="next-step">{needed_now(c.state)}</p>
            {(!c.signed && c.state.is_open()).then(|| view! {
                <p class="form-error unsigned" role="status">"您是电话预约登记的，申请表还需要您签名确认；签名后才能递交窗口。"</p>
            })}
            {c.can_sign.then(|| view! {
                <p class="actions"><a class="button primary big" href=sign_href.clone()>"确认申请表并签名"</a></p>
            })}
            {c.can_apply_again.then(|| view! {
                <p class="actions"><a class="button primary big" href=again_href.clone()>"据此提出办理申请"</a></p>
            })}
            {c.notice.clone().map(|n| view! {
                <NoticeToAnswer n files=c.files.clone() number=number.clone() can_supplement=c.can_supplement/>
            })}
    }
    .into_any();
    let details = view! {
            <h2>"承办人（帮办代办员）"</h2>
            <AgentLine agent=c.agent.clone()/>
            <h2>"办理期限"</h2>
            <Clocks clocks=c.clocks.clone()/>
            <h2>"申请信息"</h2>
            <dl class="disclosure">
                <dt>"办理单位"</dt><dd>{format!("{} · {}", c.department, c.center)}</dd>
                <dt>"办理方式"</dt><dd>{c.mode.label()}</dd>
                <dt>"结果送达"</dt><dd>{delivery_label(&a.delivery)}</dd>
                <dt>"申请人"</dt><dd>{a.unit_name.clone()}</dd>
                <dt>"经办人"</dt><dd>{a.handler_name.clone()}</dd>
                <dt>"提交时间"</dt><dd>{c.submitted_at.clone()}</dd>
            </dl>
            <h2>"已交材料"</h2>
            <Files files=c.files.clone()/>
            {c.can_upload.then(|| view! {
                <crate::files::UploadToCase purpose="supplement".to_string() label="补充上传材料".to_string() case_number=number.clone()/>
            })}
    }
    .into_any();
    let rating =
        view! { <crate::quality::RatingSection number=c.number.clone() rating=c.rating.clone()/> }
            .into_any();
    let record = view! {
            <h2>"办理记录"</h2>
            <Timeline entries=c.timeline.clone()/>
            <p class="actions"><a class="button" href=format!("/cases/{}/print", c.number)>"打印申请表"</a></p>
            {c.can_withdraw.then(|| view! { <WithdrawForm number=number.clone()/> })}
    }
    .into_any();
    view! {
        <article class="card case-page" data-state=c.state.as_str()>
            {submitted}
            <div data-live="case" data-live-case=live_key>{now}{rating}{details}{record}</div>
        </article>
    }
}

/// The one-time notice the applicant answers: each missing material with its own upload,
/// ticked off here once a file for it has come in.
#[component]
fn NoticeToAnswer(
    n: notice::Notice,
    files: Vec<FileRef>,
    number: String,
    can_supplement: bool,
) -> impl IntoView {
    let notice_href = format!("/cases/{number}/notice");
    let given = |name: &str| {
        files
            .iter()
            .filter(|f| f.material.as_deref() == Some(name) && f.uploaded_at >= n.issued)
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
    };
    let rows: Vec<_> = n
        .missing
        .iter()
        .map(|m| (m.clone(), given(&m.name)))
        .collect();
    let all_in = rows.iter().all(|(_, f)| !f.is_empty());
    view! {
        <section class="notice-now">
            <h2>{if n.seq > 1 { "需要您补齐材料（再次告知）" } else { "需要您补齐材料" }}</h2>
            {n.reply_by.clone().map(|d| view! { <p class="notice-due">{format!("请于 {d} 前补齐。")}</p> })}
            <ol class="materials notice-list">
                {rows.into_iter().map(|(m, given)| {
                    let done = !given.is_empty();
                    let name = m.name.clone();
                    view! {
                        <li data-material=name.clone() class:done=done>
                            <strong>{if done { format!("✓ {}", m.name) } else { m.name.clone() }}</strong>
                            {(!m.reason.is_empty()).then(|| view! { <span class="material-meta">{format!("原因：{}", m.reason)}</span> })}
                            <span class="material-source">{format!("获取途径：{}", m.how_to_get)}</span>
                            {done.then(|| view! { <span class="uploaded">{format!("已上传：{}", given.join("、"))}</span> })}
                            {can_supplement.then(|| view! {
                                <crate::files::UploadToCase purpose="supplement".to_string() label=if done { "再传一份" } else { "拍照或上传此材料" }.to_string()
                                    case_number=number.clone() material=name.clone()/>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p class="hint">{format!("也可以把材料交给帮办代办员 {}（{}）。", n.agent, n.agent_phone)}</p>
            {can_supplement.then(|| view! {
                <SupplementForm number=number.clone() all_in/>
            })}
            <p><a href=notice_href>"查看、打印一次性告知书"</a></p>
        </section>
    }
}

/// Staff's page (agents, managers, supervisors): the steps, the applicant's contact details
/// as far as the viewer needs them, the record; laid out on the desk's width.
#[component]
fn StaffCase(c: CaseView) -> impl IntoView {
    let a = c.application.clone();
    let number = c.number.clone();
    let enterprise = a.kind == shared::application::ApplicantId::Enterprise;
    let phone = a.handler_phone.clone();
    view! {
        <article class="card wide case-page staff-case" data-state=c.state.as_str() data-live="case" data-live-case=c.number.clone()>
            <p class="breadcrumb">{if c.staff {
                view! { <a href="/workbench">"工作台"</a> }.into_any()
            } else {
                view! { <a href="/supervision">"督查"</a> }.into_any()
            }}</p>
            <CaseHead c=c.clone()/>
            {c.read_only.clone().map(|why| view! { <p class="hint read-only" role="status">{why}</p> })}
            {(!c.signed && c.state.is_open()).then(|| view! {
                <p class="form-error unsigned" role="status">"电话预约登记的申请，申请人尚未签名确认；签名后才能递交窗口。"</p>
            })}
            <div class="staff-columns">
                {view! { <div class="staff-main">
                    {(c.staff && (c.can_act || c.can_receive)).then(|| {
                        let number = number.clone();
                        view! {
                            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                                {
                                    let number = number.clone();
                                    Suspend::new(async move {
                                        let ctx = crate::workbench::load_work_context(number.clone()).await;
                                        ctx.map(|ctx| view! { <crate::workbench::WorkPanel number ctx/><crate::workbench::Shortcuts/> })
                                    })
                                }
                            </Suspense>
                        }
                    })}
                    {c.notice.clone().map(|n| view! {
                        <section class="notice-sent">
                            <h2>"已发一次性告知，等待申请人补齐"</h2>
                            <notice::NoticeList notice=n/>
                            <p><a href=format!("/cases/{number}/notice")>"查看、打印一次性告知书"</a></p>
                        </section>
                    })}
                    <crate::oversight::CaseBlockagesSection number=number.clone() b=c.blockages.clone()/>
                    <crate::quality::RatingSection number=number.clone() rating=c.rating.clone()/>
                    <h2>"办理记录"</h2>
                    <Timeline entries=c.timeline.clone()/>
                </div> }.into_any()}
                {view! { <aside class="staff-side">
                    <h2>"申请人"</h2>
                    <dl class="disclosure contact">
                        <dt>{if enterprise { "单位" } else { "姓名" }}</dt><dd>{a.unit_name.clone()}</dd>
                        <dt>{if enterprise { "信用代码" } else { "身份证号" }}</dt><dd class="id-number">{a.id_number.clone()}</dd>
                        <dt>"地址"</dt><dd class="address">{a.address.clone()}</dd>
                        <dt>"经办人"</dt><dd>{a.handler_name.clone()}</dd>
                        <dt>"电话"</dt><dd class="handler-phone">{if c.contact_full {
                            view! { <a class="phone" href=format!("tel:{phone}")>{phone.clone()}</a> }.into_any()
                        } else {
                            view! { <span>{phone.clone()}</span> }.into_any()
                        }}</dd>
                        <dt>"结果送达"</dt><dd>{delivery_label(&a.delivery)}</dd>
                    </dl>
                    {(!c.contact_full).then(|| view! {
                        <p class="hint masked-hint">"证件号、电话和地址只向承办人完整显示。"</p>
                    })}
                    <h2>"承办人"</h2>
                    <AgentLine agent=c.agent.clone()/>
                    <h2>"办理期限"</h2>
                    <Clocks clocks=c.clocks.clone()/>
                    <h2>"办理信息"</h2>
                    <dl class="disclosure">
                        <dt>"办理单位"</dt><dd>{format!("{} · {}", c.department, c.center)}</dd>
                        <dt>"提交时间"</dt><dd>{c.submitted_at.clone()}</dd>
                    </dl>
                    <h2>"已交材料"</h2>
                    <Files files=c.files.clone()/>
                    {(c.can_upload && c.staff).then(|| view! {
                        <crate::files::UploadToCase purpose="supplement".to_string() label="代申请人上传材料".to_string() case_number=number.clone()/>
                    })}
                    <p class="actions"><a class="button" href=format!("/cases/{}/print", c.number)>"打印申请表"</a></p>
                </aside> }.into_any()}
            </div>
        </article>
    }
}

#[component]
fn CaseHead(c: CaseView) -> impl IntoView {
    view! {
        <h1>{c.item_name.clone()}</h1>
        <p class="case-number">{format!("申请编号 {} · {} · {}", c.number, c.channel.label(), c.mode.label())}</p>
        <p class="case-state"><span class="badge big-badge">{c.state.label()}</span></p>
        {c.package.map(|(number, name)| view! {
            <p class="package-link">"属于“一件事”："<a href=format!("/cases/{number}")>{format!("{name}（{number}）")}</a></p>
        })}
        {c.origin.into_iter().map(|o| view! { <p class="hint origin">{o}</p> }).collect_view()}
    }
}

#[component]
fn AgentLine(agent: Option<(String, String)>) -> impl IntoView {
    match agent {
        Some((name, phone)) => view! {
            <p class="agent-line">{name}" "<a class="phone" href=format!("tel:{phone}")>{phone.clone()}</a></p>
        }
        .into_any(),
        None => view! { <p class="hint">"尚未接收，接收后显示代办员姓名和电话。"</p> }.into_any(),
    }
}

#[component]
fn Clocks(clocks: Vec<Clock>) -> impl IntoView {
    view! {
        <ul class="clocks">
            {clocks.into_iter().filter(|k| k.limit_days.is_some()).map(|k| view! {
                <li class=clock_class(&k)>
                    <strong>{k.kind.label()}</strong>
                    <span>{k.due_date.map(|d| format!("期限 {d}")).unwrap_or_default()}</span>
                    <span class="clock-status">{clock_status(&k)}</span>
                    <span class="clock-why">{k.explanation.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Files(files: Vec<FileRef>) -> impl IntoView {
    if files.is_empty() {
        return view! { <p class="hint">"暂无在线上传的材料。"</p> }.into_any();
    }
    view! {
        <ul class="plain files">
            {files.into_iter().map(|f| {
                let what = f.material.clone().unwrap_or(f.purpose.clone());
                view! {
                    <li><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name}</a>
                        {format!("（{}，{} KB）", what, f.size_kb)}</li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {entries.into_iter().map(|t| view! {
                <li>
                    <span class="when">{t.at}</span>
                    <strong>{t.label}</strong>
                    <span class="who">{t.actor}</span>
                    {t.note.map(|n| view! { <span class="note">{n}</span> })}
                </li>
            }).collect_view()}
        </ol>
    }
}
