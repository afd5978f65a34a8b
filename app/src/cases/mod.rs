//! Cases from the applicant's side: apply (`apply`), "我的申请", the tracking page of one case,
//! withdrawal, and the printable application form.

pub mod apply;
pub mod handover;
pub mod notice;
pub mod print;
pub mod sign;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use apply::ApplyPage;

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use leptos_router::components::A;
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
    view! {
        <section class="card">
            <h1>"我的申请"</h1>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    cases.await.map(|cases| {
                        if cases.is_empty() {
                            return view! { <p class="empty">"您还没有帮办代办申请。"</p> }.into_any();
                        }
                        view! {
                            <ul class="item-list case-list">
                                {cases.into_iter().map(|c| view! {
                                    <li class="item-card">
                                        <A href=format!("/cases/{}", c.number) attr:class="item-link">
                                            <span class="item-name">{c.item_name}</span>
                                            <span class="item-meta">{format!("{} · {}", c.number, c.submitted_at)}</span>
                                            <span class="item-meta">
                                                <span class="badge" class:closed=!c.state.is_open()>{c.state.label()}</span>
                                                {c.next_due.map(|d| format!(" 下一个办理期限：{d}"))}
                                            </span>
                                        </A>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
            <p class="actions"><A href="/catalog" attr:class="button primary big">"找事项，申请帮办代办"</A></p>
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

pub(crate) fn delivery_label(d: &Delivery) -> String {
    match d {
        Delivery::WindowPickup => "窗口领取".into(),
        Delivery::Door => "上门送达".into(),
        Delivery::Mail { address, recipient } => {
            format!("邮寄送达：{address}（收件人 {recipient}）")
        }
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
        CaseState::Completed => "已办结。欢迎对本次服务作出评价。",
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

/// `/cases/:number`: the tracking page.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let withdraw = ServerAction::<WithdrawCase>::new();
    let supplement = ServerAction::<SupplementDone>::new();
    let case = Resource::new(
        move || {
            (
                params.with(|p| p.get("number")),
                withdraw.version().get(),
                supplement.version().get(),
            )
        },
        |(number, ..)| async move {
            match number {
                Some(n) => load_case(n).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let withdraw_error = action_error(withdraw);
    let fresh = move || query.with(|q| q.get("new").is_some());
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let c = match case.await {
                    Ok(c) => c,
                    Err(e) => return view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                };
                let a = c.application.clone();
                let number = c.number.clone();
                let banner = format!("申请已提交！申请编号 {}，短信通知已发送到 {}。", c.number, a.handler_phone);
                let sign_href = format!("/cases/{}/sign", c.number);
                let again_href = format!("/items/{}/apply?from={}", c.item_id, c.number);
                view! {
                    <article class="card case-page" data-state=c.state.as_str()>
                        <Show when=fresh>
                            <p class="form-ok" role="status">{banner.clone()}</p>
                        </Show>
                        <p class="breadcrumb">{if c.staff {
                            view! { <A href="/workbench">"工作台"</A> }.into_any()
                        } else {
                            view! { <A href="/me">"我的申请"</A> }.into_any()
                        }}</p>
                        <h1>{c.item_name.clone()}</h1>
                        <p class="case-number">{format!("申请编号 {} · {} · {}", c.number, c.channel.label(), c.mode.label())}</p>
                        <p class="case-state"><span class="badge big-badge">{c.state.label()}</span></p>
                        {(!c.staff && c.read_only.is_none()).then(|| view! { <p class="next-step">{needed_now(c.state)}</p> })}
                        {c.read_only.clone().map(|why| view! { <p class="hint read-only" role="status">{why}</p> })}
                        {(!c.signed && c.state.is_open()).then(|| view! {
                            <p class="form-error unsigned" role="status">"电话预约登记的申请，申请人尚未签名确认；签名后才能递交窗口。"</p>
                        })}
                        {c.can_sign.then(|| view! {
                            <p class="actions"><a class="button primary big" href=sign_href.clone()>"确认申请表并签名"</a></p>
                        })}
                        {c.can_apply_again.then(|| view! {
                            <p class="actions"><a class="button primary big" href=again_href.clone()>"据此提出办理申请"</a></p>
                        })}
                        {c.notice.clone().map(|n| {
                            let (upload_for, supplement_for, notice_href) =
                                (number.clone(), number.clone(), format!("/cases/{number}/notice"));
                            view! {
                            <section class="notice-now">
                                <h2>{if n.seq > 1 { "一次性告知：还需补齐（再次告知）" } else { "一次性告知：还需补齐" }}</h2>
                                <notice::NoticeList notice=n/>
                                {c.can_supplement.then(|| view! {
                                    <crate::files::UploadButton purpose="supplement" label="上传补齐的材料" case_number=upload_for
                                        on_uploaded=move |_| case.refetch()/>
                                    <ActionForm action=supplement>
                                        <input type="hidden" name="number" value=supplement_for/>
                                        <button type="submit" class="button primary big">"材料已补齐，请代办员审核"</button>
                                    </ActionForm>
                                })}
                                <p><a href=notice_href>"查看、打印一次性告知书"</a></p>
                            </section>
                            }.into_any()
                        })}
                        {(c.staff && (c.can_act || c.can_receive)).then(|| view! {
                            <crate::workbench::WorkPanel number=number.clone() on_done=move |_| case.refetch()/>
                        }.into_any())}

                        <h2>"办理期限"</h2>
                        {view! { <ul class="clocks">
                            {c.clocks.iter().filter(|k| k.limit_days.is_some()).map(|k| view! {
                                <li class=clock_class(k)>
                                    <strong>{k.kind.label()}</strong>
                                    <span>{k.due_date.map(|d| format!("期限 {d}")).unwrap_or_default()}</span>
                                    <span class="clock-status">{clock_status(k)}</span>
                                    <span class="clock-why">{k.explanation.clone()}</span>
                                </li>
                            }).collect_view()}
                        </ul> }.into_any()}

                        <h2>"承办人（帮办代办员）"</h2>
                        {match c.agent.clone() {
                            Some((name, phone)) => view! {
                                <p>{name}" "<a class="phone" href=format!("tel:{phone}")>{phone.clone()}</a></p>
                            }.into_any(),
                            None => view! { <p class="hint">"尚未接收，接收后显示代办员姓名和电话。"</p> }.into_any(),
                        }}

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
                        {if c.files.is_empty() {
                            view! { <p class="hint">"暂无在线上传的材料。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain files">
                                    {c.files.into_iter().map(|f| view! {
                                        <li><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name}</a>
                                            {format!("（{}，{} KB）", f.purpose, f.size_kb)}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {c.can_upload.then(|| view! {
                            <crate::files::UploadButton purpose="supplement" label="补充上传材料" case_number=number.clone()
                                on_uploaded=move |_| case.refetch()/>
                        })}

                        <h2>"办理记录"</h2>
                        {view! { <ol class="timeline">
                            {c.timeline.into_iter().map(|t| view! {
                                <li>
                                    <span class="when">{t.at}</span>
                                    <strong>{t.label}</strong>
                                    <span class="who">{t.actor}</span>
                                    {t.note.map(|n| view! { <span class="note">{n}</span> })}
                                </li>
                            }).collect_view()}
                        </ol> }.into_any()}

                        <p class="actions"><a class="button" href=format!("/cases/{}/print", c.number)>"打印申请表"</a></p>

                        {c.can_withdraw.then(|| view! {
                            <details class="withdraw">
                                <summary>"撤回申请"</summary>
                                <ActionForm action=withdraw attr:novalidate=true>
                                    <input type="hidden" name="number" value=number.clone()/>
                                    <label class="field"><span>"撤回原因"</span>
                                        <input type="text" name="reason"/>
                                        <FieldMessage error=withdraw_error field="reason"/>
                                    </label>
                                    <FormError error=Signal::derive(move || withdraw_error.get().filter(|e| !e.is_field_error()))/>
                                    <button type="submit" class="button big">"确认撤回"</button>
                                </ActionForm>
                            </details>
                        })}
                    </article>
                }.into_any()
            })}
        </Transition>
    }
}
