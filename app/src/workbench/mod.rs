//! The agent's workbench: queues of the agent's center, department and own cases, nearest due
//! first, with clocks coloured (amber at 75 %, red when breached); and the panel on a case page
//! that offers exactly the steps the state machine allows now.

use crate::error::AppError;
use crate::ui::{action_error, reload_after_success, FieldMessage, FormError, Interactive};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use shared::case::{CaseState, Delivery, HandlingMode, SpecialStepKind};
use shared::work::{CaseAction, CheckContext, DeliveryDetails, MaterialCheck, MaterialStatus};

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
    /// The viewer is the responsible agent.
    pub mine: bool,
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
    pub mode: HandlingMode,
    /// The applicant has signed the form (phone bookings sign later).
    pub signed: bool,
    /// For a manager: the filed agents who cover the item, least loaded first.
    pub agents: Vec<AgentLoad>,
    pub responsible: Option<i64>,
    /// Today in Beijing, from the server (the browser has no clock of its own in wasm).
    pub today: String,
    /// How the applicant asked for the result (to the responsible agent only): delivery starts
    /// from it.
    pub delivery: Option<shared::case::Delivery>,
    /// How the result went out, once delivery started: 办结 asks only for what fits it.
    pub delivered_by: Option<shared::case::Delivery>,
    /// The one-time notice as it would go out now, when a review is open: the preview's frame.
    pub notice_draft: Option<crate::cases::notice::Notice>,
    /// What the applicant signs at handover: the materials and the entrustment agreement.
    pub handover: Option<crate::cases::handover::Handover>,
}

/// A filed agent and how many open cases they are responsible for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgentLoad {
    pub id: i64,
    pub name: String,
    pub open_cases: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AssignRow {
    pub number: String,
    pub version: i32,
    pub item: String,
    pub applicant: String,
    pub state: String,
    pub agent: Option<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignments {
    pub cases: Vec<AssignRow>,
    pub agents: Vec<AgentLoad>,
}

/// Keyboard shortcuts for staff, run on every staff page (plain script, no wasm): keys typed
/// into a field are the field's. The keys are listed on the page by `Shortcuts`.
pub const SHORTCUTS_JS: &str = r#"() => {
  const go = (a) => { if (a) location.href = a.href; };
  const rows = () => [...document.querySelectorAll('tr[data-case] a')];
  const move = (step) => {
    const all = rows(); if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    const next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    next.focus(); next.scrollIntoView({ block: 'nearest' });
  };
  const tab = (step) => {
    const tabs = [...document.querySelectorAll('nav.queues a')];
    const at = tabs.findIndex((t) => t.getAttribute('aria-current') === 'page');
    go(tabs[at + step]);
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.target.closest('input, textarea, select, [contenteditable]')) return;
    const keys = {
      j: () => move(1), k: () => move(-1), ']': () => tab(1), '[': () => tab(-1),
      n: () => go(document.querySelector('a[data-next-page]')),
      w: () => { location.href = '/workbench'; },
      // The first control that takes the focus (some are drawn but not focusable).
      s: () => {
        for (const c of document.querySelectorAll('.work-panel :is(select, input, textarea, button):enabled')) {
          c.focus(); if (document.activeElement === c) break;
        }
      },
      '?': () => { const d = document.getElementById('shortcuts'); if (d) { d.open = !d.open; d.querySelector('summary')?.focus(); } },
    };
    const act = keys[e.key];
    if (act) { e.preventDefault(); act(); }
  });
}"#;

/// The keyboard shortcuts of `SHORTCUTS_JS`, as the page lists them.
#[component]
pub fn Shortcuts() -> impl IntoView {
    view! {
        <details class="shortcuts" id="shortcuts">
            <summary>"键盘快捷键（按 ? 显示）"</summary>
            <dl>
                <dt><kbd>"j"</kbd>" / "<kbd>"k"</kbd></dt><dd>"下一件 / 上一件（回车打开）"</dd>
                <dt><kbd>"]"</kbd>" / "<kbd>"["</kbd></dt><dd>"下一个 / 上一个队列"</dd>
                <dt><kbd>"n"</kbd></dt><dd>"下一页"</dd>
                <dt><kbd>"s"</kbd></dt><dd>"到办理栏的第一项（案件页）"</dd>
                <dt><kbd>"w"</kbd></dt><dd>"回到工作台"</dd>
            </dl>
        </details>
    }
}

const QUEUES: [(&str, &str); 10] = [
    ("new", "新申请"),
    ("mine", "我的代办件"),
    ("unassigned", "未指派"),
    ("due_today", "今日到期"),
    ("breached", "已超期"),
    ("awaiting_applicant", "待申请人补正"),
    ("at_window", "窗口办理中"),
    ("special_steps", "特殊环节"),
    ("to_deliver", "待送达"),
    ("forwarded", "已转报"),
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
    let (q, after) = ssr::page_of(&queue, after_due, after_id)?;
    ssr::queue(&crate::state::pool()?, &user, q, after).await
}

/// The workbench's queue page as HTML. The page is drawn by the server alone (it has no
/// island), so this runs there only; its HTML is held with the page's rows, not drawn again
/// for every view (`ssr::queue_table`).
async fn queue_page(
    queue: String,
    after_due: Option<String>,
    after_id: Option<i64>,
) -> Result<std::sync::Arc<str>, AppError> {
    #[cfg(feature = "ssr")]
    {
        let user = staff().await?;
        let (q, after) = ssr::page_of(&queue, after_due, after_id)?;
        ssr::queue_table(&crate::state::pool()?, &user, q, after).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (queue, after_due, after_id);
        Err(AppError::NotFound)
    }
}

/// A queue's page of rows, with the link to the next page when it is full.
#[cfg(feature = "ssr")]
fn queue_table(queue: &str, rows: Vec<QueueRow>) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="empty">"此队列暂无代办件。"</p> }.into_any();
    }
    let next = rows.last().map(|r| {
        format!(
            "/workbench?q={queue}&after_id={}{}",
            r.id,
            r.due_at
                .map(|d| format!("&after_due={}", d.to_rfc3339().replace('+', "%2B")))
                .unwrap_or_default()
        )
    });
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
                            <td><a href=href>{label}</a></td>
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
        {full.then(|| next.map(|href| view! { <p><a href=href class="button" data-next-page="">"下一页"</a></p> }))}
    }
    .into_any()
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

#[server(endpoint = "work/assignments")]
pub async fn load_assignments() -> Result<Assignments, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    ssr::assignments(&crate::state::pool()?, &user).await
}

/// `/workbench/assign`: a manager makes filed agents responsible for the unit's cases.
#[component]
pub fn AssignPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_assignments());
    view! {
        <section class="card wide workbench">
            <h1>"指派承办人"</h1>
            <p class="hint">"只能指派给本单位已登记备案、承办该事项的帮办代办员；每次指派须写明原因，记入办理记录。"</p>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|d| {
                        view! {
                            <h2>"代办员在办件数"</h2>
                            <table class="data-table agent-loads">
                                <thead><tr><th>"代办员"</th><th>"在办件数"</th></tr></thead>
                                <tbody>
                                    {d.agents.iter().map(|a| view! {
                                        <tr data-agent=a.name.clone()><td>{a.name.clone()}</td><td>{a.open_cases}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"本单位在办代办件（未指派的在前）"</h2>
                            {if d.cases.is_empty() {
                                view! { <p class="empty">"暂无在办代办件。"</p> }.into_any()
                            } else {
                                view! { <AssignTable cases=d.cases agents=d.agents/> }.into_any()
                            }}
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}

/// The unit's open cases, each with its assignment form. An assignment that went through
/// reloads the page (loads and assignees change); a refused one keeps the agent and reason.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
fn AssignTable(cases: Vec<AssignRow>, agents: Vec<AgentLoad>) -> impl IntoView {
    let act = ServerAction::<WorkCase>::new();
    reload_after_success(act);
    let error = action_error(act);
    view! {
        <FormError error=error/>
        <Interactive>
        <table class="data-table assign-table">
            <thead><tr><th>"编号"</th><th>"事项"</th><th>"申请人"</th><th>"状态"</th><th>"承办人"</th><th>"指派给"</th></tr></thead>
            <tbody>
                {cases.into_iter().map(|c| view! {
                    <AssignRowView c agents=agents.clone() act/>
                }).collect_view()}
            </tbody>
        </table>
        </Interactive>
    }
}

#[component]
fn AssignRowView(
    c: AssignRow,
    agents: Vec<AgentLoad>,
    act: ServerAction<WorkCase>,
) -> impl IntoView {
    let agent = RwSignal::new(agents.first().map(|a| a.id).unwrap_or(0));
    let reason = RwSignal::new(String::new());
    let (number, version) = (c.number.clone(), c.version);
    let state = CaseState::parse(&c.state).map(|s| s.label()).unwrap_or("—");
    let label = format!("{}的承办人", c.number);
    let reason_label = format!("{}指派原因", c.number);
    let (row, href, shown) = (
        c.number.clone(),
        format!("/cases/{}", c.number),
        c.number.clone(),
    );
    view! {
        <tr data-case=row>
            <td><a href=href>{shown}</a></td>
            <td>{c.item}</td>
            <td>{c.applicant}</td>
            <td>{state}</td>
            <td class="assignee">{c.agent.unwrap_or_else(|| "未指派".into())}</td>
            <td class="assign-form">
                <select aria-label=label.clone() on:change=move |ev| agent.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {agents.iter().map(|a| {
                        let id = a.id;
                        view! {
                            <option value=id.to_string() selected=move || agent.get() == id>{format!("{}（在办{}件）", a.name, a.open_cases)}</option>
                        }
                    }).collect_view()}
                </select>
                <input type="text" aria-label=reason_label placeholder="指派原因"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <button type="button" class="button" on:click=move |_| {
                    act.dispatch(WorkCase {
                        number: number.clone(),
                        version,
                        action: CaseAction::Assign { agent_id: agent.get(), reason: reason.get() },
                    });
                }>"指派"</button>
            </td>
        </tr>
    }
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
    let counts = Resource::new(|| (), |_| queue_counts());
    let auth = crate::accounts::use_auth();
    view! {
        <section class="card wide workbench" data-live="workbench">
            <h1>"帮办代办工作台"</h1>
            <p class="actions"><a href="/catalog" class="button">"代申请人登记（现场、电话预约）"</a></p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(u)) if u.role == shared::Role::Manager => view! {
                            <p class="actions"><a href="/supervision" class="button">"本单位督查统计"</a></p>
                        }.into_any(),
                        Ok(Some(u)) if u.role == shared::Role::Agent => view! { <crate::supervision::MyFigures/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let counts = counts.await.unwrap_or_default();
                    let current = queue();
                    view! {
                        <nav class="queues" aria-label="队列">
                            {QUEUES.into_iter().map(|(key, label)| {
                                let n = counts.iter().find(|(k, _)| k == key).map(|c| c.1).unwrap_or(0);
                                view! {
                                    <a href=format!("/workbench?q={key}") class=if current == key { "queue current" } else { "queue" }
                                        aria-current=(current == key).then_some("page") data-queue=key>
                                        {label}<span class="count">{n}</span>
                                    </a>
                                }
                            }).collect_view()}
                        </nav>
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                // Not a resource: the page is never drawn in the browser, and its held HTML goes
                // into the page as it is, not copied on the way.
                {move || {
                    let (q, (due, id)) = (queue(), after());
                    Suspend::new(async move {
                        queue_page(q, due, id)
                            .await
                            .map(|html| view! { <div class="queue-page" inner_html=html></div> })
                    })
                }}
            </Transition>
            <p class="actions"><a href="/reception" class="button">"预约与咨询"</a></p>
            <Shortcuts/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let manager = matches!(auth.user.await, Ok(Some(ref u)) if u.role == shared::Role::Manager);
                    manager.then(|| view! {
                        <p class="actions">
                            <a href="/workbench/assign" class="button">"指派承办人"</a>" "
                            <a href="/catalog/manage" class="button">"事项清单维护"</a>" "
                            <a href="/teams/manage" class="button">"队伍登记备案"</a>" "
                            <a href="/quality" class="button">"差评回访整改"</a>" "
                            <a href="/oversight" class="button">"堵点协调"</a>" "
                            <a href="/inspections" class="button">"监督检查"</a>" "
                            <a href="/packages" class="button">"一件事"</a>
                        </p>
                    })
                })}
            </Transition>
        </section>
    }
}

/// Every message the last attempt had for `field` (a review can have one per material).
#[component]
fn FieldMessages(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    let messages = move || match error.get() {
        Some(AppError::Invalid(errors)) => errors
            .into_iter()
            .filter(|e| e.field == field)
            .map(|e| e.message)
            .collect(),
        _ => Vec::new(),
    };
    view! {
        <ul class="field-errors" role="alert" data-field=field>
            {move || messages().into_iter().map(|m| view! { <li class="field-error">{m}</li> }).collect_view()}
        </ul>
    }
}

/// The steps an agent may take on the case now, each with the details it needs: drawn by the
/// server from the work context it loaded with the page, then made interactive (an island, its
/// code loaded only on staff pages). A step that went through reloads the case page; a refused
/// one keeps what the agent entered.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn WorkPanel(number: String, ctx: WorkContext) -> impl IntoView {
    let act = ServerAction::<WorkCase>::new();
    reload_after_success(act);
    // A step checked in the browser first: its errors show like the server's, beside the fields.
    let local = RwSignal::new(None::<AppError>);
    let act_error = action_error(act);
    Effect::new(move |_| {
        if act.pending().get() {
            local.set(None);
        }
    });
    let error = Signal::derive(move || local.get().or_else(|| act_error.get()));
    let general = Signal::derive(move || error.get().filter(|e| !e.is_field_error()));
    view! {
        <section class="work-panel">
            <h2>"办理"</h2>
            <FormError error=general/>
            <Interactive><Steps c=ctx number act error local/></Interactive>
        </section>
    }
}

#[component]
fn Steps(
    c: WorkContext,
    number: String,
    act: ServerAction<WorkCase>,
    error: Signal<Option<AppError>>,
    local: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let version = c.version;
    let msg = move |field: &'static str| view! { <FieldMessage error field/> };
    let handover_href = format!("/cases/{number}/handover");
    let case_number = number.clone();
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
    let assist = c.mode == HandlingMode::Assist;
    let attended = RwSignal::new(false);
    let (day, place, materials) = (
        RwSignal::new(c.today.clone()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let agent = RwSignal::new(c.agents.first().map(|a| a.id).unwrap_or(0));
    // Each form of the panel keeps its own words: a manager may see several at once.
    let (advice, prepare, ahead) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let assign_reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let window = RwSignal::new(c.windows.first().map(|w| w.0).unwrap_or(0));
    let receipt = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let signature = RwSignal::new(None::<String>);
    // The applicant's own: on the screen, or the signed paper form uploaded instead.
    let applicant_signature = RwSignal::new(None::<String>);
    let paper_form = RwSignal::new(None::<crate::files::Uploaded>);
    let checks = RwSignal::new(
        c.materials
            .iter()
            .map(|m| MaterialCheck {
                name: m.name.clone(),
                status: MaterialStatus::Unset,
                reason: String::new(),
                how_to_get: m.source.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let second = c.notices_before > 0;
    // Delivery starts from what the applicant asked for.
    let (asked_kind, asked_address, asked_recipient, asked_phone) = match &c.delivery {
        Some(Delivery::Mail {
            address,
            recipient,
            phone,
        }) => ("mail", address.clone(), recipient.clone(), phone.clone()),
        Some(Delivery::Door) => ("door", String::new(), String::new(), String::new()),
        Some(Delivery::WindowPickup) => ("window", String::new(), String::new(), String::new()),
        None => ("mail", String::new(), String::new(), String::new()),
    };
    let delivery_kind = RwSignal::new(asked_kind.to_string());
    let (address, recipient, mail_phone, carrier, tracking) = (
        RwSignal::new(asked_address),
        RwSignal::new(asked_recipient),
        RwSignal::new(asked_phone),
        RwSignal::new("中国邮政EMS".to_string()),
        RwSignal::new(String::new()),
    );
    let door_delivered = matches!(c.delivered_by, Some(Delivery::Door));
    let check_ctx = CheckContext {
        notices_before: c.notices_before,
        mode: c.mode,
    };
    let preview = RwSignal::new(false);
    let notice_draft = c.notice_draft.clone();
    let handover = c.handover.clone();
    let step = RwSignal::new(
        c.special_steps
            .first()
            .map(|s| s.kind)
            .unwrap_or(SpecialStepKind::ExpertReview),
    );
    let text = move |label: &'static str, value: RwSignal<String>, field: &'static str| {
        view! {
            <label class="field"><span>{label}</span>
                <input type="text" value=value.get_untracked() prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) aria-label=label/>
                {msg(field)}
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
                {msg("window_id")}
            </label>
        }
    };
    let attend_box =
        move || {
            assist.then(|| view! {
            <label class="check"><input type="checkbox" prop:checked=move || attended.get()
                on:change=move |ev| attended.set(event_target_checked(&ev))/>
                <span>"申请人本人已到场（帮办：由代办员带领申请人到窗口办理）"</span></label>
            {msg("applicant_attended")}
        })
        };
    let agents = c.agents.clone();
    view! {
        <div class="steps-available">
            <p class="hint mode-hint">{if assist {
                "帮办：材料齐全后，带领申请人本人到窗口办理，无需材料交接和委托。"
            } else {
                "代办：材料齐全后，先办理材料交接并签署委托协议，再由代办员递交窗口。"
            }}</p>
            {(!c.signed).then(|| view! {
                <p class="form-error" role="status">"电话预约登记：申请人尚未在申请表上签名，签名后才能交接或递交窗口。"</p>
            })}
            {has("receive").then(|| view! {
                <div class="receive">
                    <h3>"接收申请"</h3>
                    <p class="hint">"请代办人签名（打印在申请表“代办人”栏），接收后由您承办。"</p>
                    <crate::files::signature::SignaturePad value=signature/>
                    {msg("signature")}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Receive { signature: signature.get().unwrap_or_default() })>"接收申请"</button>
                </div>
            })}
            {has("assign").then(|| view! {
                <details class="assign"><summary>"指派承办人"</summary>
                    <label class="field"><span>"承办人"</span>
                        <select aria-label="承办人" on:change=move |ev| agent.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {agents.iter().map(|a| view! {
                                <option value=a.id.to_string() selected=c.responsible == Some(a.id)>{format!("{}（在办{}件）", a.name, a.open_cases)}</option>
                            }).collect_view()}
                        </select>
                        {msg("agent_id")}
                    </label>
                    {text("指派原因", assign_reason, "reason")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::Assign { agent_id: agent.get(), reason: assign_reason.get() })>"指派"</button>
                </details>
            })}
            {has("sign").then(|| view! {
                <details class="sign-for"><summary>"申请人到场补签申请表"</summary>
                    <crate::files::signature::SignaturePad value=applicant_signature described_by="paper-form-hint"/>
                    {msg("signature")}
                    <p class="hint" id="paper-form-hint">"申请人不便在屏幕上手写的，请其在打印的申请表上签字，拍照或扫描后上传，代替屏幕签名。"</p>
                    <crate::files::UploadButton purpose="signed_form" label="上传签字的纸质申请表" case_number=case_number.clone()
                        on_uploaded=move |u: crate::files::Uploaded| paper_form.set(Some(u))/>
                    {move || paper_form.get().map(|u| view! { <p class="uploaded">{format!("已上传：{}", u.name)}</p> })}
                    {msg("paper_form")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::Sign {
                        signature: applicant_signature.get().unwrap_or_default(),
                        paper_form: paper_form.get().map(|u| u.id),
                    })>"记录申请人签名"</button>
                </details>
            })}
            {has("close_guidance").then(|| view! {
                <div class="guidance">
                    <h3>"事前辅导结果"</h3>
                    {text("辅导意见", advice, "advice")}{text("需准备的材料", prepare, "to_prepare")}{text("特殊环节提示（如有）", ahead, "special_steps")}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::CloseGuidance {
                        advice: advice.get(), to_prepare: prepare.get(), special_steps: ahead.get(),
                    })>"记录辅导结果并办结"</button>
                </div>
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
                                            "received" => MaterialStatus::Received,
                                            _ => MaterialStatus::Unset,
                                        });
                                        preview.set(false);
                                    }>
                                        <option value="unset" selected=m.status == MaterialStatus::Unset>"请选择"</option>
                                        <option value="received" selected=m.status == MaterialStatus::Received>"已收到"</option>
                                        <option value="missing" selected=m.status == MaterialStatus::Missing>"缺少"</option>
                                        <option value="not_needed" selected=m.status == MaterialStatus::NotNeeded>"不需要"</option>
                                    </select></td>
                                    <td><input type="text" aria-label=format!("{}缺少原因", m.name) value=m.reason.clone() prop:value=m.reason.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); checks.update(|cs| cs[i].reason = v); }/></td>
                                    <td><input type="text" aria-label=format!("{}获取途径", m.name) value=m.how_to_get.clone() prop:value=m.how_to_get.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); checks.update(|cs| cs[i].how_to_get = v); }/></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <FieldMessages error field="checks"/>
                    {second.then(|| text("再次告知的原因（已发过一次性告知书）", reason, "second_notice_reason"))}
                    <Show when=move || !preview.get()>
                        <button type="button" class="button primary" on:click=move |_| {
                            let review = CaseAction::Review { checks: checks.get(), second_notice_reason: reason.get() };
                            // Checked here first; a notice is previewed before it goes out.
                            match review.check(check_ctx) {
                                Err(e) => local.set(Some(AppError::Invalid(e))),
                                Ok(()) if checks.with(|cs| cs.iter().any(|m| m.status == MaterialStatus::Missing)) => {
                                    local.set(None);
                                    preview.set(true);
                                }
                                Ok(()) => go(review),
                            }
                        }>"提交审核结果"</button>
                    </Show>
                    {notice_draft.clone().map(|draft| view! {
                        <Show when=move || preview.get()>
                            <section class="notice-preview" aria-label="一次性告知书预览">
                                <h3>"一次性告知书预览：确认后发给申请人"</h3>
                                {
                                    let draft = draft.clone();
                                    move || {
                                        let notice = crate::cases::notice::Notice {
                                            missing: checks.get().into_iter().filter(|m| m.status == MaterialStatus::Missing).collect(),
                                            second_reason: reason.get(),
                                            ..draft.clone()
                                        };
                                        view! { <crate::cases::notice::NoticeDocument notice/> }
                                    }
                                }
                                <p class="actions">
                                    <button type="button" class="button" on:click=move |_| preview.set(false)>"返回修改"</button>
                                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Review {
                                        checks: checks.get(), second_notice_reason: reason.get(),
                                    })>"确认发出一次性告知"</button>
                                </p>
                            </section>
                        </Show>
                    })}
                </div>
            })}
            {view! {
            {has("home_visit").then(|| view! {
                <details><summary>"登门受理"</summary>
                    {text("登门日期", day, "date")}{text("登门地点", place, "place")}{text("收取的材料", materials, "materials")}{text("说明", note, "note")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::HomeVisit {
                        date: day.get(), place: place.get(), materials: materials.get(), note: note.get(),
                    })>"记录登门受理"</button>
                </details>
            })}
            {has("mail_in").then(|| view! {
                <details><summary>"邮寄收件"</summary>
                    {text("收件日期", day, "date")}{text("快递公司", carrier, "carrier")}{text("快递单号", tracking, "tracking_number")}{text("收到的材料", materials, "materials")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::MailIn {
                        date: day.get(), carrier: carrier.get(), tracking_number: tracking.get(), materials: materials.get(),
                    })>"记录邮寄收件"</button>
                </details>
            })}
            {has("supplement").then(|| view! {
                <button type="button" class="button" on:click=move |_| go(CaseAction::Supplement { note: "申请人现场补齐材料".into() })>"申请人已补齐材料"</button>
            })}
            {has("forward").then(|| view! {
                <details><summary>"转报上级中心"</summary>
                    {text("转报说明", note, "note")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::Forward { note: note.get() })>"转报"</button>
                </details>
            })}
            {has("go_to_window").then(|| view! {
                <div>{window_select()}{attend_box()}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::GoToWindow { window_id: window.get(), applicant_attended: attended.get() })>
                        {if assist { "带领申请人到窗口办理" } else { "代申请人到窗口办理" }}</button>
                </div>
            })}
            {has("handover").then(|| view! {
                <div class="handover">
                    <h3>"材料交接与委托协议"</h3>
                    <p class="hint">"请申请人核对下面的材料交接单和委托协议后签名。"</p>
                    {handover.clone().map(|h| view! { <crate::cases::handover::HandoverText h/> })}
                    <p><a href=handover_href.clone() target="_blank">"打印材料交接单和委托协议"</a></p>
                    <crate::files::signature::SignaturePad value=signature/>
                    {msg("signature")}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Handover { signature: signature.get().unwrap_or_default() })>"确认交接"</button>
                </div>
            })}
            {has("submit_to_window").then(|| view! {
                <div>{window_select()}{text("窗口收件编号", receipt, "receipt_number")}{attend_box()}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::SubmitToWindow {
                        window_id: window.get(), receipt_number: receipt.get(), applicant_attended: attended.get(),
                    })>"递交窗口"</button>
                </div>
            })}
            {has("window_reject").then(|| view! {
                <details class="window-reject"><summary>"窗口未受理"</summary>
                    {text("未受理的原因", reason, "reason")}
                    <p class="hint">"记录后退回审核；无法补正的，请终止办理。"</p>
                    <button type="button" class="button" on:click=move |_| go(CaseAction::WindowReject { reason: reason.get() })>"记录窗口未受理"</button>
                </details>
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
                        {msg("step")}
                    </label>
                    <button type="button" class="button" on:click=move |_| go(CaseAction::StartSpecialStep { step: step.get(), counts_toward_limit: false, note: String::new() })>"进入特殊环节"</button>
                </div>
            })}
            {has("end_special_step").then(|| view! {
                <div>{text("环节结果", reason, "outcome")}
                    <button type="button" class="button" on:click=move |_| go(CaseAction::EndSpecialStep { outcome: reason.get() })>"特殊环节结束"</button>
                </div>
            })}
            }.into_any()}
            {view! {
            {has("issue_result").then(|| view! {
                <button type="button" class="button primary" on:click=move |_| go(CaseAction::IssueResult { note: String::new() })>"已出具审批结果"</button>
            })}
            {has("start_delivery").then(|| view! {
                <div class="delivery">
                    <label class="field"><span>"送达方式"</span>
                        <select aria-label="送达方式" on:change=move |ev| delivery_kind.set(event_target_value(&ev))>
                            {[("mail", "邮寄送达"), ("door", "上门送达"), ("window", "窗口领取")].into_iter().map(|(v, l)| view! {
                                <option value=v selected=asked_kind == v>{if asked_kind == v { format!("{l}（申请人选择）") } else { l.to_string() }}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <Show when=move || delivery_kind.get() == "mail">
                        {text("收件地址", address, "address")}{text("收件人", recipient, "recipient")}{text("收件人手机号", mail_phone, "phone")}
                        {text("快递公司", carrier, "carrier")}{text("快递单号", tracking, "tracking_number")}
                    </Show>
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::StartDelivery {
                        delivery: match delivery_kind.get().as_str() {
                            "door" => DeliveryDetails::Door,
                            "window" => DeliveryDetails::WindowPickup,
                            _ => DeliveryDetails::Mail {
                                address: address.get(), recipient: recipient.get(), phone: mail_phone.get(),
                                carrier: carrier.get(), tracking_number: tracking.get(),
                            },
                        },
                    })>"送达"</button>
                </div>
            })}
            {has("complete").then(|| view! {
                <div>{text("退还材料说明（如有）", note, "returned_materials")}
                    {door_delivered.then(|| view! {
                        <div class="door-signature"><h3>"上门送达：请签收人签名"</h3>
                            <crate::files::signature::SignaturePad value=signature/>
                            {msg("signature")}
                        </div>
                    })}
                    <button type="button" class="button primary" on:click=move |_| go(CaseAction::Complete {
                        signature: signature.get().unwrap_or_default(), returned_materials: note.get(),
                    })>"办结"</button>
                </div>
            })}
            {has("terminate").then(|| view! {
                <details class="terminate"><summary>"终止办理"</summary>
                    {text("终止原因", reason, "reason")}
                    <button type="button" class="button danger" on:click=move |_| go(CaseAction::Terminate { reason: reason.get() })>"终止"</button>
                </details>
            })}
            }.into_any()}
        </div>
    }
}
