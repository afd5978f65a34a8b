//! The agent's workbench: queues of the agent's center, department and own cases, nearest due
//! first, with clocks coloured (amber at 75 %, red when breached); and the panel on a case page
//! that offers exactly the steps the state machine allows now.

use crate::error::AppError;
use crate::ui::{action_error, FormError};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};
use shared::case::{CaseState, SpecialStepKind};
use shared::work::{CaseAction, DeliveryDetails, MaterialCheck, MaterialStatus};

#[cfg(feature = "ssr")]
pub mod ssr;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i64,
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub state: CaseState,
    pub agent: Option<String>,
    pub due: Option<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The running clock nearest its due date.
    pub clock: Option<String>,
    pub warning: bool,
    pub breached: bool,
    /// Working days left on that clock (0 on its due day).
    pub left_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkContext {
    pub version: i32,
    /// Kinds of the events allowed now (`CaseEvent`'s serde tag).
    pub allowed: Vec<String>,
    pub materials: Vec<crate::catalog::Material>,
    pub special_steps: Vec<crate::catalog::SpecialStep>,
    pub windows: Vec<(i64, String)>,
    pub notices_before: usize,
}

const QUEUES: [(&str, &str); 8] = [
    ("new", "新申请"),
    ("mine", "我的代办件"),
    ("due_today", "今日到期"),
    ("breached", "已超期"),
    ("awaiting_applicant", "待申请人补正"),
    ("at_window", "窗口办理中"),
    ("special_steps", "特殊环节"),
    ("to_deliver", "待送达"),
];

#[cfg(feature = "ssr")]
async fn staff() -> Result<crate::accounts::ssr::User, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Agent, shared::Role::Manager]).await
}

#[server(endpoint = "work/queue")]
pub async fn load_queue(
    queue: String,
    after_due: Option<String>,
    after_id: Option<i64>,
) -> Result<Vec<QueueRow>, AppError> {
    let user = staff().await?;
    let q = ssr::Queue::parse(&queue).ok_or(AppError::NotFound)?;
    let after = after_id.map(|id| {
        let due = after_due
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        (due, id)
    });
    ssr::queue(&crate::state::pool()?, &user, q, after).await
}

#[server(endpoint = "work/counts")]
pub async fn queue_counts() -> Result<Vec<(String, i64)>, AppError> {
    let user = staff().await?;
    ssr::counts(&crate::state::pool()?, &user).await
}

#[server(endpoint = "work/context")]
pub async fn load_work_context(number: String) -> Result<WorkContext, AppError> {
    let user = staff().await?;
    ssr::context(&crate::state::pool()?, &user, &number).await
}

/// One step on a case; answers the case's new version.
#[server(endpoint = "work/act", input = Json)]
pub async fn work_case(number: String, version: i32, action: CaseAction) -> Result<i32, AppError> {
    let user = staff().await?;
    ssr::work(&crate::state::pool()?, &user, &number, version, &action).await
}

#[server(endpoint = "cases/supplement_done")]
pub async fn supplement_done(number: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Applicant]).await?;
    ssr::supplement_by_applicant(&crate::state::pool()?, &user, &number).await
}

/// `/workbench?q=…`: one queue at a time, 50 rows a page.
#[component]
pub fn WorkbenchPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let queue = move || query.with(|q| q.get("q").unwrap_or_else(|| "new".into()));
    let after = move || {
        query.with(|q| {
            (
                q.get("after_due"),
                q.get("after_id").and_then(|i| i.parse().ok()),
            )
        })
    };
    let rows = Resource::new(
        move || (queue(), after()),
        |(q, (due, id))| load_queue(q, due, id),
    );
    let counts = Resource::new(|| (), |_| queue_counts());
    let auth = crate::accounts::use_auth();
    view! {
        <section class="card wide workbench">
            <h1>"帮办代办工作台"</h1>
            <p class="actions"><A href="/catalog" attr:class="button">"代申请人登记（现场、电话预约）"</A></p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let counts = counts.await.unwrap_or_default();
                    let current = queue();
                    view! {
                        <nav class="queues" aria-label="队列">
                            {QUEUES.into_iter().map(|(key, label)| {
                                let n = counts.iter().find(|(k, _)| k == key).map(|c| c.1).unwrap_or(0);
                                view! {
                                    <A href=format!("/workbench?q={key}") attr:class=if current == key { "queue current" } else { "queue" }
                                        attr:data-queue=key>
                                        {label}<span class="count">{n}</span>
                                    </A>
                                }
                            }).collect_view()}
                        </nav>
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    rows.await.map(|rows| {
                        if rows.is_empty() {
                            return view! { <p class="empty">"此队列暂无代办件。"</p> }.into_any();
                        }
                        let next = rows.last().map(|r| format!(
                            "/workbench?q={}&after_id={}{}", queue(), r.id,
                            r.due_at.map(|d| format!("&after_due={}", d.to_rfc3339().replace('+', "%2B"))).unwrap_or_default()
                        ));
                        let full = rows.len() as i64 == 50;
                        view! {
                            <table class="data-table queue-table">
                                <thead><tr><th>"编号"</th><th>"事项"</th><th>"申请人"</th><th>"状态"</th><th>"代办员"</th><th>"期限"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let (href, label) = (format!("/cases/{}", r.number), r.number.clone());
                                        let class = if r.breached { "deadline-breached" } else if r.warning { "deadline-near" } else { "" };
                                        view! {
                                            <tr data-case=r.number.clone()>
                                                <td><A href=href>{label}</A></td>
                                                <td>{r.item}</td>
                                                <td>{r.applicant}</td>
                                                <td>{r.state.label()}</td>
                                                <td>{r.agent.unwrap_or_else(|| "—".into())}</td>
                                                <td class=class>{match (r.due, r.clock) {
                                                    (Some(d), Some(c)) => match (r.breached, r.left_days) {
                                                        (true, _) => format!("{c} 已超期（{d}）"),
                                                        (false, Some(n)) => format!("{c} 剩{n}个工作日（{d}）"),
                                                        (false, None) => format!("{c} {d}"),
                                                    },
                                                    (Some(d), None) => d,
                                                    _ => "—".into(),
                                                }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {full.then(|| next.map(|href| view! { <p><a href=href class="button">"下一页"</a></p> }))}
                        }.into_any()
                    })
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let manager = matches!(auth.user.await, Ok(Some(ref u)) if u.role == shared::Role::Manager);
                    manager.then(|| view! {
                        <p class="actions">
                            <A href="/catalog/manage" attr:class="button">"事项清单维护"</A>" "
                            <A href="/teams/manage" attr:class="button">"队伍登记备案"</A>
                        </p>
                    })
                })}
            </Transition>
        </section>
    }
}

/// The steps an agent may take on the case now, each with the details it needs.
#[component]
pub fn WorkPanel(number: String, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let act = ServerAction::<WorkCase>::new();
    let number = StoredValue::new(number);
    // Loaded in the browser only (see below), again after each step.
    let ctx = LocalResource::new(move || {
        act.version().get();
        load_work_context(number.get_value())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            on_done.run(());
        }
    });
    let error = action_error(act);
    // Drawn in the browser only: the steps load their own data after the page is interactive,
    // so the server-rendered page never has to agree with them while hydrating.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <section class="work-panel">
            <h2>"办理"</h2>
            <FormError error=error/>
            <Show when=move || mounted.get() fallback=|| view! { <p class="loading">"加载中…"</p> }>
                <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        ctx.await.map(|c| view! { <Steps c number=number.get_value() act/> })
                    })}
                </Transition>
            </Show>
        </section>
    }
}

#[component]
fn Steps(c: WorkContext, number: String, act: ServerAction<WorkCase>) -> impl IntoView {
    let version = c.version;
    let handover_href = format!("/cases/{number}/handover");
    let send = move |action: CaseAction| {
        act.dispatch(WorkCase {
            number: number.clone(),
            version,
            action,
        });
    };
    let send = StoredValue::new(send);
    let go = move |a: CaseAction| send.with_value(|s| s(a));
    let has = |k: &str| c.allowed.iter().any(|a| a == k);
    let note = RwSignal::new(String::new());
    let window = RwSignal::new(c.windows.first().map(|w| w.0).unwrap_or(0));
    let receipt = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let signature = RwSignal::new(None::<String>);
    let checks = RwSignal::new(
        c.materials
            .iter()
            .map(|m| MaterialCheck {
                name: m.name.clone(),
                status: MaterialStatus::Received,
                reason: String::new(),
                how_to_get: m.source.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let second = c.notices_before > 0;
    let delivery_kind = RwSignal::new("mail".to_string());
    let (address, recipient, carrier, tracking) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("中国邮政EMS".to_string()),
        RwSignal::new(String::new()),
    );
    let step = RwSignal::new(
        c.special_steps
            .first()
            .map(|s| s.kind)
            .unwrap_or(SpecialStepKind::ExpertReview),
    );
    let text = |label: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field"><span>{label}</span>
                <input type="text" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) aria-label=label/>
            </label>
        }
    };
    let windows = c.windows.clone();
    let window_select = move || {
        view! {
            <label class="field"><span>"窗口"</span>
                <select aria-label="窗口" on:change=move |ev| window.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {windows.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <div class="steps-available">
            {has("receive").then(|| view! {
                <button type="button" class="button primary" on:click=move |_| go(CaseAction::Receive)>"接收申请"</button>
            })}
            {has("review_complete").then(|| view! {
                <div class="review">
                    <h3>{if second { "再次审核材料" } else { "审核材料" }}</h3>
                    <table class="data-table">
                        <thead><tr><th>"材料"</th><th>"核对"</th><th>"缺少原因"</th><th>"获取途径"</th></tr></thead>
                        <tbody>
                            {move || checks.get().into_iter().enumerate().map(|(i, m)| view! {
                                <tr data-material=m.name.clone()>
                                    <td>{m.name.clone()}</td>
                                    <td><select aria-label=format!("{}核对", m.name) on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        checks.update(|cs| cs[i].status = match v.as_str() {
                                            "missing" => MaterialStatus::Missing,
                                            "not_needed" => MaterialStatus::NotNeeded,
                                            _ => MaterialStatus::Received,
                                        });
                                    }>
                                        <option value="received" selected=m.status == MaterialStatus::Received>"已收到"</option>
                                        <option value="missing" selected=m.status == MaterialStatus::Missing>"缺少"</option>
                                        <option value="not_needed" selected=m.status == MaterialStatus::NotNeeded>"不需要"</option>
                                    </select></td>
                                    <td><input type="text" aria-label=format!("{}缺少原因", m.name) prop:value=m.reason.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); checks.update(|cs| cs[i].reason = v); }/></td>
                                    <td><input type="text" aria-label=format!("{}获取途径", m.name) prop:value=m.how_to_get.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); checks.update(|cs| cs[i].how_to_get = v); }/></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {second.then(|| text("再次告知的原因（已发过一次性告知书）", reason))}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Review {
                        checks: checks.get(), second_notice_reason: reason.get(),
                    })>"提交审核结果"</button>
                </div>
            })}
            {has("home_visit").then(|| view! {
                <details><summary>"登门受理"</summary>
                    {text("登门日期", receipt)}{text("说明", note)}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::HomeVisit { date: receipt.get(), note: note.get() })>"记录登门受理"</button>
                </details>
            })}
            {has("supplement").then(|| view! {
                <button type="button" class="button" on:click=move |_| go(CaseAction::Supplement { note: "申请人现场补齐材料".into() })>"申请人已补齐材料"</button>
            })}
            {has("forward").then(|| view! {
                <details><summary>"转报县中心"</summary>
                    {text("转报说明", note)}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::Forward { note: note.get() })>"转报"</button>
                </details>
            })}
            {has("go_to_window").then(|| view! {
                <div>{window_select()}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::GoToWindow { window_id: window.get(), on_behalf: true })>"到窗口办理"</button>
                </div>
            })}
            {has("handover").then(|| view! {
                <div class="handover">
                    <h3>"材料交接与委托协议"</h3>
                    <p class="hint">"请申请人核对材料交接单和委托协议后签名。"</p>
                    <p><a href=handover_href.clone() target="_blank">"打印材料交接单和委托协议"</a></p>
                    <crate::cases::signature::SignaturePad value=signature/>
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Handover { signature: signature.get().unwrap_or_default() })>"确认交接"</button>
                </div>
            })}
            {has("submit_to_window").then(|| view! {
                <div>{window_select()}{text("窗口收件编号", receipt)}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::SubmitToWindow { window_id: window.get(), receipt_number: receipt.get() })>"递交窗口"</button>
                </div>
            })}
            {has("window_accept").then(|| view! {
                <button type="button" class="button primary" on:click=move |_| go(CaseAction::WindowAccept { note: String::new() })>"窗口已受理"</button>
            })}
            {(has("start_special_step") && !c.special_steps.is_empty()).then(|| view! {
                <div>
                    <label class="field"><span>"特殊环节"</span>
                        <select aria-label="特殊环节" on:change=move |ev| step.set(SpecialStepKind::parse(&event_target_value(&ev)).unwrap_or(SpecialStepKind::ExpertReview))>
                            {c.special_steps.iter().map(|s| view! { <option value=s.kind.as_str()>{s.kind.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="button" on:click=move |_| go(CaseAction::StartSpecialStep { step: step.get(), counts_toward_limit: false, note: String::new() })>"进入特殊环节"</button>
                </div>
            })}
            {has("end_special_step").then(|| view! {
                <div>{text("环节结果", reason)}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::EndSpecialStep { outcome: reason.get() })>"特殊环节结束"</button>
                </div>
            })}
            {has("issue_result").then(|| view! {
                <button type="button" class="button primary" on:click=move |_| go(CaseAction::IssueResult { note: String::new() })>"已出具审批结果"</button>
            })}
            {has("start_delivery").then(|| view! {
                <div class="delivery">
                    <label class="field"><span>"送达方式"</span>
                        <select aria-label="送达方式" on:change=move |ev| delivery_kind.set(event_target_value(&ev))>
                            <option value="mail">"邮寄送达"</option>
                            <option value="door">"上门送达"</option>
                            <option value="window">"窗口领取"</option>
                        </select>
                    </label>
                    {text("收件地址", address)}{text("收件人", recipient)}{text("快递公司", carrier)}{text("快递单号", tracking)}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::StartDelivery {
                        delivery: match delivery_kind.get().as_str() {
                            "door" => DeliveryDetails::Door,
                            "window" => DeliveryDetails::WindowPickup,
                            _ => DeliveryDetails::Mail { address: address.get(), recipient: recipient.get(), carrier: carrier.get(), tracking_number: tracking.get() },
                        },
                    })>"送达"</button>
                </div>
            })}
            {has("complete").then(|| view! {
                <div>{text("退还材料说明", note)}
                    <details class="door-signature"><summary>"上门送达：请签收人签名"</summary>
                        <crate::cases::signature::SignaturePad value=signature/>
                    </details>
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Complete {
                        signature: signature.get().unwrap_or_default(), returned_materials: note.get(),
                    })>"办结"</button>
                </div>
            })}
            {has("terminate").then(|| view! {
                <details class="terminate"><summary>"终止办理"</summary>
                    {text("终止原因", reason)}
                    <button type="button" class="button danger" on:click=move |_| go(CaseAction::Terminate { reason: reason.get() })>"终止"</button>
                </details>
            })}
        </div>
    }
}
