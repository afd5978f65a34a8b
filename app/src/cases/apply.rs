//! Applying on a phone (附件1 as a flow of short screens): the same `shared` parser checks each
//! field as it is typed and again on the server; the half-filled form is kept server-side per
//! applicant and item; submitting twice creates one case.

use crate::error::AppError;
use crate::files::signature::SignaturePad;
use crate::files::{UploadButton, Uploaded};
use crate::ui::FormError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use shared::application::{ApplicantId, ApplicationForm, MaterialFile, ServiceContent};

/// Everything the apply screens need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplyContext {
    /// The item applied for, or the package when `package`.
    pub item_id: i64,
    pub package: bool,
    /// Where the breadcrumb leads back to: the item's or the package's page.
    pub back: String,
    pub item_name: String,
    pub unit: String,
    pub promised: bool,
    pub materials: Vec<super::super::catalog::Material>,
    pub form: ApplicationForm,
    pub token: String,
    /// The server's date in Beijing, so the browser checks ID birth dates the same way.
    #[serde(with = "shared::calendar::day_number")]
    pub today: chrono::NaiveDate,
    /// An agent registers the application for an applicant (phone or walk-in).
    pub staff: bool,
    /// The item's pre-guidance entry in its list (事前辅导事项), the only one that may be picked.
    pub pre_guidance: String,
}

/// The apply screens' data; `from` is a closed pre-guidance request of the applicant whose
/// answers fill a fresh draft.
#[server(endpoint = "cases/apply_context")]
pub async fn load_apply_context(
    item_id: i64,
    #[server(default)] from: Option<String>,
    #[server(default)] booking: Option<i64>,
    #[server(default)] consultation: Option<i64>,
) -> Result<ApplyContext, AppError> {
    let user = crate::accounts::ssr::require_role(APPLYING).await?;
    let begun = ssr::Begun {
        guidance: from.as_deref(),
        booking,
        consultation,
    };
    ssr::context(&crate::state::pool()?, &user, item_id, begun).await
}

#[server(endpoint = "cases/save_draft", input = Json)]
pub async fn save_draft(
    item_id: i64,
    form: ApplicationForm,
    #[server(default)] package: bool,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(APPLYING).await?;
    let subject = if package {
        ssr::Subject::Package(item_id)
    } else {
        ssr::Subject::Item(item_id)
    };
    ssr::save_draft(&crate::state::pool()?, &user, subject, &form).await
}

/// Submits the application; answers the case number (the same one again for a repeated token).
#[server(endpoint = "cases/submit", input = Json)]
pub async fn submit_application(
    item_id: i64,
    token: String,
    form: ApplicationForm,
    signature: String,
    /// For agents registering: "walk_in" or "phone".
    channel: Option<String>,
    /// `item_id` is a package's (一件事): the answer is the package application's number.
    #[server(default)]
    package: bool,
) -> Result<String, AppError> {
    let user = crate::accounts::ssr::require_role(APPLYING).await?;
    let state = leptos::prelude::use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::internal("AppState missing"))?;
    let address = crate::accounts::ssr::client_info()
        .await
        .ip
        .unwrap_or_default();
    crate::limits::hit(
        &state.pool,
        crate::limits::SUBMIT_PER_ACCOUNT,
        &user.id.to_string(),
    )
    .await?;
    crate::limits::hit(&state.pool, crate::limits::SUBMIT_PER_ADDRESS, &address).await?;
    let channel = channel.unwrap_or_default();
    let subject = if package {
        ssr::Subject::Package(item_id)
    } else {
        ssr::Subject::Item(item_id)
    };
    ssr::submit(&state, &user, subject, &token, &form, &signature, &channel).await
}

/// Applicants apply online; agents and managers register phone and walk-in applications on an
/// applicant's behalf with the same form.
pub const APPLYING: &[shared::Role] = &[
    shared::Role::Applicant,
    shared::Role::Agent,
    shared::Role::Manager,
];

/// The questions of the flow: the step (of five) each belongs to and the fields it asks. A screen holds
/// a step's questions, or in the elderly mode one question (适老化: one thing at a time).
const QUESTIONS: [(usize, &[&str]); 12] = [
    (0, &["applicant_kind"]),
    (0, &["unit_name"]),
    (0, &["address"]),
    (0, &["legal_rep"]),
    (0, &["id_number"]),
    (1, &["handler_name"]),
    (1, &["handler_phone", "power_of_attorney"]),
    (
        2,
        &["services", "mail_address", "mail_recipient", "mail_phone"],
    ),
    (2, &["mode", "pre_guidance_item"]),
    (3, &["files"]),
    (4, &["terms_accepted"]),
    (4, &["signature"]),
];
/// The question only an enterprise is asked.
const LEGAL_REP: usize = 3;

/// The question asking `field`.
fn question_of(field: &str) -> usize {
    QUESTIONS
        .iter()
        .position(|(_, fields)| fields.contains(&field))
        .unwrap_or(0)
}

/// The first question of `step`.
fn first_of(step: usize) -> usize {
    QUESTIONS
        .iter()
        .position(|(s, _)| *s == step)
        .unwrap_or(QUESTIONS.len() - 1)
}

#[component]
pub fn ApplyPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let number = move |name: &str| query.with(|q| q.get(name)).and_then(|v| v.parse().ok());
    let ctx = Resource::new(
        move || {
            (
                params.with(|p| p.get("id")),
                query.with(|q| q.get("from")),
                number("booking"),
                number("consultation"),
            )
        },
        |(id, from, booking, consultation)| async move {
            match id.and_then(|id| id.parse().ok()) {
                Some(id) => load_apply_context(id, from, booking, consultation).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match ctx.await {
                    Ok(c) => view! { <ApplyFlow ctx=c elder=crate::elder_mode()/> }.into_any(),
                    Err(e) => view! { <super::super::catalog::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The whole flow runs in the browser (checks as typed, draft saving, uploads, signature): the
/// page's one island.
#[island]
pub fn ApplyFlow(ctx: ApplyContext, elder: bool) -> impl IntoView {
    let today = ctx.today;
    let item_id = ctx.item_id;
    let package = ctx.package;
    let form = RwSignal::new(ctx.form.clone());
    // The first question on the screen; its step is the step shown.
    let at = RwSignal::new(0usize);
    let step = move || QUESTIONS[at.get()].0;
    let shown = move |k: usize| {
        if elder {
            at.get() == k
        } else {
            step() == QUESTIONS[k].0
        }
    };
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let signature = RwSignal::new(None::<String>);
    let channel = RwSignal::new(if ctx.staff { "walk_in" } else { "online" }.to_string());
    let submit = ServerAction::<SubmitApplication>::new();
    let server_errors = Signal::derive(move || match submit.value().get() {
        Some(Err(AppError::Invalid(errors))) => errors,
        _ => Vec::new(),
    });
    // Where a message goes: what the person has touched, checked live; else the server's word.
    let message = move |field: &'static str| {
        Signal::derive(move || {
            let local = if touched.with(|t| t.contains(&field)) {
                match field {
                    "signature" => signature
                        .with(Option::is_none)
                        .then(|| "请在签名框内手写签名".to_string()),
                    _ => form.with(|f| f.field_error(today, field)),
                }
            } else {
                None
            };
            local.or_else(|| {
                server_errors.with(|errors| {
                    errors
                        .iter()
                        .find(|e| e.field == field)
                        .map(|e| e.message.clone())
                })
            })
        })
    };
    let touch = move |field: &'static str| {
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        })
    };
    // A server refusal sends the person to the first screen with a problem.
    Effect::new(move |_| {
        if let Some(Err(AppError::Invalid(errors))) = submit.value().get() {
            if let Some(first) = errors.iter().map(|e| question_of(&e.field)).min() {
                at.set(if elder {
                    first
                } else {
                    first_of(QUESTIONS[first].0)
                });
            }
        }
        if let Some(Ok(number)) = submit.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window()
                .location()
                .set_href(&format!("/cases/{number}?new=1"));
            #[cfg(not(feature = "hydrate"))]
            let _ = number;
        }
    });
    // Keeps the draft on the server a moment after each change.
    #[cfg(feature = "hydrate")]
    {
        let pending = StoredValue::new(None::<leptos::prelude::TimeoutHandle>);
        let first = StoredValue::new(true);
        Effect::new(move |_| {
            let snapshot = form.get();
            if first.get_value() {
                first.set_value(false);
                return;
            }
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let handle = set_timeout_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        let _ = save_draft(item_id, snapshot, package).await;
                    })
                },
                std::time::Duration::from_millis(800),
            )
            .ok();
            pending.set_value(handle);
        });
    }
    let on_screen = move || {
        (0..QUESTIONS.len())
            .filter(|k| shown(*k))
            .flat_map(|k| QUESTIONS[k].1.iter().copied())
            .collect::<Vec<_>>()
    };
    // The next or previous screen; a citizen is not asked for a legal representative.
    let skip =
        move |k: usize| k == LEGAL_REP && !form.with(|f| f.kind() == Some(ApplicantId::Enterprise));
    let next = move |_| {
        let fields = on_screen();
        for f in &fields {
            touch(f);
        }
        let blocked = fields.iter().any(|f| match *f {
            "signature" | "files" => false,
            f => form.with(|form| form.field_error(today, f)).is_some(),
        });
        if blocked {
            return;
        }
        let current = at.get_untracked();
        let mut k = if elder {
            current + 1
        } else {
            first_of(QUESTIONS[current].0 + 1)
        };
        if skip(k) {
            k += 1;
        }
        at.set(k.min(QUESTIONS.len() - 1));
    };
    let back = move |_| {
        let current = at.get_untracked();
        let mut k = if elder {
            current.saturating_sub(1)
        } else {
            first_of(QUESTIONS[current].0.saturating_sub(1))
        };
        if skip(k) {
            k -= 1;
        }
        at.set(k);
    };
    let last = move || {
        if elder {
            at.get() + 1 >= QUESTIONS.len()
        } else {
            step() == QUESTIONS[QUESTIONS.len() - 1].0
        }
    };
    let token = ctx.token.clone();
    let send = move |_| {
        for (_, fields) in QUESTIONS {
            for f in fields {
                touch(f);
            }
        }
        if let Some(sig) = signature.get() {
            submit.dispatch(SubmitApplication {
                item_id,
                token: token.clone(),
                form: form.get(),
                signature: sig,
                channel: Some(channel.get()),
                package,
            });
        }
    };
    let other_error = Signal::derive(move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !e.is_field_error())
    });
    let not_first = move || at.get() > 0;
    let item_line = format!("{}（{}）", ctx.item_name, ctx.unit);
    // The item's checklist, one upload each; an item without one takes any file.
    let checklist: Vec<(String, String)> = if ctx.materials.is_empty() {
        vec![("申请材料".to_string(), String::new())]
    } else {
        ctx.materials
            .iter()
            .map(|m| (m.name.clone(), format!("{} {}份", m.form.label(), m.copies)))
            .collect()
    };
    let enterprise = Signal::derive(move || form.with(|f| f.kind() != Some(ApplicantId::Citizen)));
    view! {
        // What is on screen is drawn by the stylesheet from these two numbers: one binding
        // each instead of one per step and question keeps the applicants' bundle small.
        <section class=if elder { "card apply one-question" } else { "card apply" }
            data-step=move || step().to_string() data-at=move || at.get().to_string()>
            <p class="breadcrumb"><a href=ctx.back.clone()>{ctx.item_name.clone()}</a></p>
            <h1>"帮办代办申请表"</h1>
            <ol class="stepper" aria-label="申请步骤">
                <li>"申请人"</li><li>"经办人"</li><li>"服务内容"</li><li>"申请材料"</li><li>"确认签名"</li>
            </ol>
            <FormError error=other_error/>

            {view! { <fieldset class="step" data-step="0">
                <legend>"第1步 申请人"</legend>
                <div data-q="0">
                <div class="choice" role="radiogroup" aria-label="申请人类型">
                    {[("enterprise", "企业（单位）"), ("citizen", "个人")].into_iter().map(|(v, label)| view! {
                        <label class="choice-option">
                            <input type="radio" name="applicant_kind" value=v
                                prop:checked=move || form.with(|f| f.applicant_kind == v)
                                on:change=move |_| { form.update(|f| f.applicant_kind = v.to_string()); touch("applicant_kind"); }/>
                            <span>{label}</span>
                        </label>
                    }).collect_view()}
                </div>
                <Msg text=message("applicant_kind") field="applicant_kind"/>
                <p class="hint" class:hidden=move || form.with(|f| !f.applicant_kind.is_empty())>"请先选择以企业（单位）还是个人名义申请。"</p>
                </div>
                <div class:hidden=move || form.with(|f| f.applicant_kind.is_empty())>
                <div data-q="1">
                <Text form touch message field="unit_name"
                    label=Signal::derive(move || if enterprise.get() { "企业（单位）名称" } else { "姓名" })
                    get=|f| f.unit_name.clone() set=|f, v| f.unit_name = v/>
                </div>
                <div data-q="2">
                <Text form touch message field="address" label=Signal::derive(|| "地址")
                    get=|f| f.address.clone() set=|f, v| f.address = v/>
                </div>
                // Hidden rather than removed (here and below): the browser then only toggles a
                // class, and the client carries much less code than for mounting parts anew.
                <div data-q="3" class:hidden=move || !enterprise.get()>
                    <Text form touch message field="legal_rep" label=Signal::derive(|| "法定代表人（负责人）")
                        get=|f| f.legal_rep.clone() set=|f, v| f.legal_rep = v/>
                    <div class="seal">
                        <p class="hint">"单位盖章（选填）：打印申请表盖章后拍照上传，或之后交给代办员。"</p>
                        {move || form.with(|f| f.seal_file.map(|_| f.seal_name.clone()))
                            .map(|name| view! { <p class="uploaded">{format!("已上传：{name}")}</p> })}
                        <UploadButton purpose="seal" label="上传盖章的申请表"
                            on_uploaded=move |u: Uploaded| form.update(|f| {
                                f.seal_file = Some(u.id);
                                f.seal_name = u.name;
                            })/>
                    </div>
                </div>
                <div data-q="4">
                <Text form touch message field="id_number"
                    label=Signal::derive(move || if enterprise.get() { "统一社会信用代码" } else { "公民身份号码" })
                    get=|f| f.id_number.clone() set=|f, v| f.id_number = v/>
                </div>
                </div>
            </fieldset> }}

            {view! { <fieldset class="step" data-step="1">
                <legend>"第2步 经办人"</legend>
                <div data-q="5">
                <Text form touch message field="handler_name" label=Signal::derive(|| "经办人姓名")
                    get=|f| f.handler_name.clone() set=|f, v| f.handler_name = v/>
                </div>
                <div data-q="6">
                <Text form touch message field="handler_phone" label=Signal::derive(|| "经办人手机号") input_mode="tel"
                    get=|f| f.handler_phone.clone() set=|f, v| f.handler_phone = v/>
                    <div class="poa" class:hidden=move || !form.with(ApplicationForm::needs_power_of_attorney)>
                        <p class="hint">"经办人不是法定代表人（负责人），请上传授权委托书（PDF或照片）。"</p>
                        {move || form.with(|f| f.power_of_attorney_file.map(|_| f.power_of_attorney_name.clone()))
                            .map(|name| view! { <p class="uploaded">{format!("已上传：{name}")}</p> })}
                        <UploadButton purpose="power_of_attorney" label="上传授权委托书"
                            on_uploaded=move |u: Uploaded| form.update(|f| {
                                f.power_of_attorney_file = Some(u.id);
                                f.power_of_attorney_name = u.name;
                            })/>
                        <Msg text=message("power_of_attorney") field="power_of_attorney"/>
                    </div>
                </div>
            </fieldset> }}

            {view! { <fieldset class="step" data-step="2">
                <legend>"第3步 服务内容"</legend>
                <div data-q="7">
                <div class="checks">
                    {ServiceContent::ALL.into_iter().map(|c| view! {
                        <label class="check big-check">
                            <input type="checkbox" value=c.as_str()
                                prop:checked=move || form.with(|f| f.services.iter().any(|s| s == c.as_str()))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|f| {
                                        f.services.retain(|s| s != c.as_str());
                                        if on { f.services.push(c.as_str().to_string()); }
                                    });
                                    touch("services");
                                }/>
                            <span>{c.label()}<small>{c.explanation()}</small></span>
                        </label>
                    }).collect_view()}
                </div>
                <Msg text=message("services") field="services"/>
                <div class:hidden=move || form.with(|f| !f.services.iter().any(|s| s == "mail_delivery"))>
                    <Text form touch message field="mail_address" label=Signal::derive(|| "邮寄地址")
                        get=|f| f.mail_address.clone() set=|f, v| f.mail_address = v/>
                    <Text form touch message field="mail_recipient" label=Signal::derive(|| "收件人")
                        get=|f| f.mail_recipient.clone() set=|f, v| f.mail_recipient = v/>
                    <Text form touch message field="mail_phone" label=Signal::derive(|| "收件人手机号（快递员联系用）") input_mode="tel"
                        get=|f| f.mail_phone.clone() set=|f, v| f.mail_phone = v/>
                </div>
                </div>
                <div data-q="8">
                <h2>"办理方式"</h2>
                <div class="choice" role="radiogroup" aria-label="办理方式">
                    {[("assist", "帮办", "代办员帮您准备材料，陪同您到窗口办理"),
                      ("proxy", "代办", "您交齐材料并签署委托协议，代办员全程代您办理")].into_iter().map(|(v, label, hint)| view! {
                        <label class="choice-option">
                            <input type="radio" name="mode" value=v
                                prop:checked=move || form.with(|f| f.mode == v || (v == "proxy" && f.special_needs))
                                prop:disabled=move || v == "assist" && form.with(|f| f.special_needs)
                                on:change=move |_| { form.update(|f| f.mode = v.to_string()); touch("mode"); }/>
                            <span>{label}<small>{hint}</small></span>
                        </label>
                    }).collect_view()}
                </div>
                <Msg text=message("mode") field="mode"/>
                <label class="check big-check special-needs">
                    <input type="checkbox" prop:checked=move || form.with(|f| f.special_needs)
                        on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.special_needs = on); }/>
                    <span>"行动不便或有其他特殊需要"<small>"按代办办理：代办员上门或代您跑腿"</small></span>
                </label>
                {(!ctx.pre_guidance.is_empty()).then(|| {
                    let entry = ctx.pre_guidance.clone();
                    let picked = entry.clone();
                    view! {
                        <label class="check big-check">
                            <input type="checkbox" prop:checked=move || form.with(|f| !f.pre_guidance_item.is_empty())
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let v = if on { picked.clone() } else { String::new() };
                                    form.update(|f| f.pre_guidance_item = v);
                                }/>
                            <span>{format!("同时申请事前辅导：{entry}")}</span>
                        </label>
                        <Msg text=message("pre_guidance_item") field="pre_guidance_item"/>
                    }
                })}
                </div>
            </fieldset> }}

            {view! { <fieldset class="step" data-step="3">
                <legend>"第4步 申请材料"</legend>
                <p class="hint">"可以现在逐项拍照或上传，也可以之后交给代办员。"</p>
                <ol class="materials material-uploads">
                    {checklist.iter().map(|(name, meta)| {
                        let (row, shown, material) = (name.clone(), name.clone(), name.clone());
                        view! {
                            <li data-material=row>
                                <strong>{shown}</strong>
                                {(!meta.is_empty()).then(|| view! { <span class="material-meta">{meta.clone()}</span> })}
                                <MaterialUpload form material/>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <Msg text=message("files") field="files"/>
            </fieldset> }}

            {view! { <fieldset class="step" data-step="4">
                <legend>"第5步 确认并签名"</legend>
                <div data-q="10">
                <p class="hint">"请核对以下内容，您的签名即确认全部内容属实。"</p>
                // Drawn only on this screen: the summary repeats words of the screens before.
                <Show when=move || step() == 4>
                <dl class="disclosure summary">
                    <dt>"申请事项"</dt><dd>{item_line.clone()}</dd>
                    <dt>"申请人"</dt><dd>{move || form.with(|f| f.unit_name.clone())}</dd>
                    <dt>{move || if enterprise.get() { "统一社会信用代码" } else { "公民身份号码" }}</dt>
                    <dd>{move || form.with(|f| f.id_number.clone())}</dd>
                    <dt>"地址"</dt><dd>{move || form.with(|f| f.address.clone())}</dd>
                    <dt>"经办人"</dt><dd>{move || form.with(|f| format!("{} {}", f.handler_name, f.handler_phone))}</dd>
                    <dt>"服务内容"</dt><dd class="summary-services">{move || form.with(|f| {
                        ServiceContent::ALL.into_iter()
                            .filter(|c| f.services.iter().any(|s| s == c.as_str()))
                            .map(|c| c.label())
                            .collect::<Vec<_>>()
                            .join("、")
                    })}</dd>
                    <dt>"结果送达"</dt><dd class="summary-delivery">{move || form.with(delivery_summary)}</dd>
                    <dt>"办理方式"</dt><dd class="summary-mode">{move || form.with(|f| {
                        if f.mode == "proxy" || f.special_needs {
                            "代办：交齐材料并签署委托协议，代办员代您办理"
                        } else if f.mode == "assist" {
                            "帮办：代办员陪同您本人到窗口办理"
                        } else {
                            "（未选择）"
                        }
                    })}</dd>
                    <dt>"上传的材料"</dt><dd class="summary-files">{move || form.with(|f| {
                        if f.material_files.is_empty() {
                            "暂未上传，之后交给代办员".to_string()
                        } else {
                            f.material_files.iter().map(|m| format!("{}：{}", m.material, m.name)).collect::<Vec<_>>().join("；")
                        }
                    })}</dd>
                    <dt>"申请日期"</dt><dd>{today.to_string()}</dd>
                </dl>
                </Show>
                <super::LegalTerms/>
                <label class="check big-check">
                    <input type="checkbox" prop:checked=move || form.with(|f| f.terms_accepted)
                        on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.terms_accepted = on); touch("terms_accepted"); }/>
                    <span>"我已阅读并同意以上申请须知"</span>
                </label>
                <Msg text=message("terms_accepted") field="terms_accepted"/>
                </div>
                <div data-q="11">
                // The desk's part is only in the staff accounts' bundle: applicants never see it.
                {#[cfg(any(feature = "ssr", feature = "staff"))]
                let desk = ctx.staff.then(|| view! {
                    <div class="choice" role="radiogroup" aria-label="登记方式">
                        {[("walk_in", "现场登记"), ("phone", "电话预约登记")].into_iter().map(|(v, label)| view! {
                            <label class="choice-option">
                                <input type="radio" name="channel" value=v prop:checked=move || channel.get() == v
                                    on:change=move |_| channel.set(v.to_string())/>
                                <span>{label}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    <p class="hint">"请申请人在平板上签名；电话预约的，请在申请人到场时补签。提交即视为代办员已接收。"</p>
                    <p class="hint">"申请人不便在屏幕上手写的，选择电话预约登记提交，再在案件页上传其签字的纸质申请表。"</p>
                });
                #[cfg(not(any(feature = "ssr", feature = "staff")))]
                let desk: Option<()> = None;
                desk}
                <h2>"经办人签名"</h2>
                <p class="hint" id="sig-alt">"不便在屏幕上签名的，可在纸质申请表上签字，由代办员拍照上传。"</p>
                <SignaturePad value=signature described_by="sig-alt"/>
                <Msg text=message("signature") field="signature"/>
                <button type="button" class="button primary big" on:click=send
                    prop:disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { "正在提交…" } else { "提交申请" }}
                </button>
                </div>
            </fieldset> }}

            <div class="step-nav">
                <button type="button" class="button big" class:hidden=move || !not_first()
                    on:click=back>"上一步"</button>
                <button type="button" class="button primary big" class:hidden=last
                    on:click=next>"下一步"</button>
            </div>
            <p class="hint">"填写内容会自动保存，下次打开可继续填写。"</p>
        </section>
    }
}

/// Where the result goes, as the summary before signing says it.
fn delivery_summary(f: &ApplicationForm) -> String {
    let has = |c: ServiceContent| f.services.iter().any(|s| s == c.as_str());
    if has(ServiceContent::MailDelivery) {
        format!(
            "邮寄送达：{}（收件人 {}，电话 {}）",
            f.mail_address, f.mail_recipient, f.mail_phone
        )
    } else if has(ServiceContent::DoorDelivery) {
        "上门送达".into()
    } else {
        "窗口领取".into()
    }
}

/// The file given for one material: upload, replace, remove.
#[component]
fn MaterialUpload(form: RwSignal<ApplicationForm>, material: String) -> impl IntoView {
    let m = StoredValue::new(material.clone());
    // Memos: typing elsewhere in the form does not redraw the upload under way.
    let given = Memo::new(move |_| {
        form.with(|f| {
            f.material_files
                .iter()
                .find(|x| m.with_value(|m| &x.material == m))
                .cloned()
        })
    });
    let has_file = Memo::new(move |_| given.with(Option::is_some));
    let put = move |u: Uploaded| {
        form.update(|f| {
            let material = m.get_value();
            f.material_files.retain(|x| x.material != material);
            f.material_files.push(MaterialFile {
                id: u.id,
                name: u.name,
                material,
            });
        })
    };
    view! {
        {move || given.get().map(|file| view! {
            <p class="uploaded">{format!("已上传：{}", file.name)}
                <button type="button" class="button small danger" aria-label=format!("删除{}的文件", m.get_value())
                    on:click=move |_| form.update(|f| f.material_files.retain(|x| x.id != file.id))>"删除"</button>
            </p>
        })}
        {move || {
            let label = if has_file.get() { "更换文件" } else { "拍照或上传" };
            view! { <UploadButton purpose="material" label material=m.get_value() on_uploaded=put/> }
        }}
    }
}

#[component]
fn Msg(#[prop(into)] text: Signal<Option<String>>, field: &'static str) -> impl IntoView {
    view! { <span class="field-error" role="alert" data-field=field>{move || text.get()}</span> }
}

/// One text field of the form, checked live once touched.
#[component]
fn Text(
    form: RwSignal<ApplicationForm>,
    touch: impl Fn(&'static str) + Copy + Send + Sync + 'static,
    message: impl Fn(&'static str) -> Signal<Option<String>> + Copy + Send + Sync + 'static,
    field: &'static str,
    label: Signal<&'static str>,
    get: fn(&ApplicationForm) -> String,
    set: fn(&mut ApplicationForm, String),
    #[prop(default = "text")] input_mode: &'static str,
) -> impl IntoView {
    let id = format!("f-{field}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input id=id type="text" name=field inputmode=input_mode
                // The server's page shows the saved draft too; the property follows the typing.
                value=form.with_untracked(get)
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                on:blur=move |_| touch(field)/>
            <Msg text=message(field) field/>
        </div>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::ApplyContext;
    use crate::accounts::ssr::User;
    use crate::error::{AppError, FieldError};
    use crate::state::AppState;
    use shared::application::ApplicationForm;
    use shared::case::Channel;
    use sqlx::PgPool;

    /// Where an application begins: a closed pre-guidance request (its number), a booking, a
    /// consultation.
    pub struct Begun<'a> {
        pub guidance: Option<&'a str>,
        pub booking: Option<i64>,
        pub consultation: Option<i64>,
    }

    pub async fn context(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        begun: Begun<'_>,
    ) -> Result<ApplyContext, AppError> {
        let item = crate::catalog::ssr::item(pool, item_id).await?;
        // The draft, made on first visit with the account's name and phone filled in.
        let (form, token): (serde_json::Value, String) = sqlx::query_as(
            "INSERT INTO application_drafts (applicant_id, item_id, form)
             SELECT a.id, $2, CASE WHEN a.role = 'applicant'
                 THEN jsonb_build_object('handler_name', a.display_name, 'handler_phone', a.phone)
                 ELSE '{}'::jsonb END
             FROM accounts a WHERE a.id = $1
             ON CONFLICT (applicant_id, item_id) DO UPDATE SET updated_at = application_drafts.updated_at
             RETURNING form, submission_token::text",
        )
        .bind(user.id)
        .bind(item_id)
        .fetch_one(pool)
        .await?;
        let mut form: ApplicationForm = serde_json::from_value(form).unwrap_or_default();
        if let Some(number) = begun.guidance {
            if let Some(settled) = from_guidance(pool, user, item_id, number).await? {
                form = settled;
                save_draft(pool, user, Subject::Item(item_id), &form).await?;
            }
        }
        let booking = match begun.booking {
            Some(id) => crate::reception::ssr::for_application(pool, user, id, item_id).await?,
            None => None,
        };
        if let Some(b) = &booking {
            // The booker is the handler; a pre-guidance session is asked for as such.
            if user.role() != shared::Role::Applicant {
                form.handler_name = b.name.clone();
                form.handler_phone = b.phone.clone();
            }
            if b.purpose == shared::reception::BookingPurpose::PreGuidance {
                form.services = vec![shared::application::ServiceContent::PreGuidance
                    .as_str()
                    .into()];
            }
        }
        let consultation = match begun.consultation {
            Some(id) => crate::reception::ssr::settled(pool, user, id)
                .await?
                .filter(|(item, _)| *item == item_id),
            None => None,
        };
        if let Some((_, Some(mode))) = &consultation {
            form.mode = mode.clone();
        }
        if booking.is_some() || consultation.is_some() {
            save_draft(pool, user, Subject::Item(item_id), &form).await?;
            sqlx::query(
                "UPDATE application_drafts SET booking_id = coalesce($3, booking_id),
                     consultation_id = coalesce($4, consultation_id)
                 WHERE applicant_id = $1 AND item_id = $2",
            )
            .bind(user.id)
            .bind(item_id)
            .bind(booking.as_ref().map(|b| b.id))
            .bind(begun.consultation.filter(|_| consultation.is_some()))
            .execute(pool)
            .await?;
        }
        Ok(ApplyContext {
            item_id,
            item_name: item.summary.name.clone(),
            unit: format!("{} · {}", item.summary.department, item.summary.center),
            promised: item.summary.item_type == shared::case::ItemType::Promised,
            materials: item.materials,
            form,
            token,
            today: super::super::ssr::today_in_beijing(),
            staff: user.role() != shared::Role::Applicant,
            pre_guidance: item.pre_guidance,
            package: false,
            back: format!("/items/{item_id}"),
        })
    }

    /// The answers of the applicant's closed pre-guidance request for this item, as a form to
    /// apply with: the same applicant and handler, the services other than pre-guidance.
    async fn from_guidance(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        number: &str,
    ) -> Result<Option<ApplicationForm>, AppError> {
        let application: Option<serde_json::Value> = sqlx::query_scalar(
            "SELECT application FROM cases
             WHERE number = $1 AND applicant_id = $2 AND item_id = $3 AND state = 'guided'",
        )
        .bind(number)
        .bind(user.id)
        .bind(item_id)
        .fetch_optional(pool)
        .await?;
        let Some(application) = application else {
            return Ok(None);
        };
        let a: shared::application::Application =
            serde_json::from_value(application).map_err(AppError::internal)?;
        Ok(Some(ApplicationForm::from_application(&a)))
    }

    /// Keeps the half-filled form of the applicant's draft for the item or package.
    pub async fn save_draft(
        pool: &PgPool,
        user: &User,
        subject: Subject,
        form: &ApplicationForm,
    ) -> Result<(), AppError> {
        let form = serde_json::to_value(form).map_err(AppError::internal)?;
        if form.to_string().len() > 64 * 1024 {
            return Err(AppError::Rejected("草稿内容过长".into()));
        }
        let (sql, id) = match subject {
            Subject::Item(id) => (
                "UPDATE application_drafts SET form = $3, updated_at = now()
                 WHERE applicant_id = $1 AND item_id = $2",
                id,
            ),
            Subject::Package(id) => (
                "UPDATE package_drafts SET form = $3, updated_at = now()
                 WHERE applicant_id = $1 AND package_id = $2",
                id,
            ),
        };
        sqlx::query(sql)
            .bind(user.id)
            .bind(id)
            .bind(form)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// What an application is for: one item, or a package (一件事) of several.
    #[derive(Clone, Copy, Debug)]
    pub enum Subject {
        Item(i64),
        Package(i64),
    }

    pub async fn submit(
        state: &AppState,
        user: &User,
        subject: Subject,
        token: &str,
        form: &ApplicationForm,
        signature: &str,
        channel: &str,
    ) -> Result<String, AppError> {
        let staff = user.role() != shared::Role::Applicant;
        let channel = match (staff, Channel::parse(channel)) {
            (false, _) => Channel::Online,
            (true, Some(c @ (Channel::Phone | Channel::WalkIn))) => c,
            (true, _) => return Err(AppError::field("channel", "请选择现场登记或电话预约登记")),
        };
        if uuid::Uuid::parse_str(token).is_err() {
            return Err(AppError::Rejected(
                "提交的内容不完整，请刷新页面后重试".into(),
            ));
        }
        if let Some(number) = super::super::ssr::existing(&state.pool, token).await? {
            return Ok(number);
        }
        if let Subject::Package(_) = subject {
            // One application for several departments is the applicant's own: staff register
            // each item.
            if staff {
                return Err(AppError::Forbidden);
            }
        }
        let today = super::super::ssr::today_in_beijing();
        let parsed = form.parse(today);
        // A caller on the phone is not there to sign: they sign later, on their phone or at the
        // first visit.
        let signature = match (channel, signature.is_empty()) {
            (Channel::Phone, true) => Ok(None),
            _ => crate::files::signature::ssr::check(signature).map(Some),
        };
        // The pre-guidance entries that may be picked: the item's, or any of the package's.
        let pre_guidance: Vec<String> = match subject {
            Subject::Item(item_id) => vec![
                crate::catalog::ssr::item(&state.pool, item_id)
                    .await?
                    .pre_guidance,
            ],
            Subject::Package(id) => {
                super::super::package::ssr::pre_guidance(&state.pool, id).await?
            }
        };
        let mut errors: Vec<FieldError> = Vec::new();
        if let Ok(a) = &parsed {
            if !a.pre_guidance_item.is_empty() && !pre_guidance.contains(&a.pre_guidance_item) {
                errors.push(FieldError::new(
                    "pre_guidance_item",
                    "事前辅导事项须从本事项清单所列的辅导事项中选择",
                ));
            }
        }
        let (application, signature) = match (parsed, signature) {
            (Ok(a), Ok(s)) if errors.is_empty() => (a, s),
            (parsed, signature) => {
                errors.extend(parsed.err().unwrap_or_default());
                if let Err(AppError::Invalid(mut more)) = signature {
                    errors.append(&mut more);
                }
                return Err(AppError::Invalid(errors));
            }
        };
        let stored = match signature {
            Some(png) => Some(crate::files::ssr::store(&state.files_dir, &png).await?),
            None => None,
        };
        let stored_name = stored.as_ref().map(|s| s.stored_name.clone());
        let material_files: Vec<(i64, String)> = form
            .material_files
            .iter()
            .map(|m| (m.id, m.material.clone()))
            .collect();
        let created = match subject {
            Subject::Item(item_id) => {
                super::super::ssr::create(
                    &state.pool,
                    super::super::ssr::NewCase {
                        submitter: user,
                        channel,
                        item_id,
                        token,
                        application: &application,
                        signature: stored,
                        material_files: &material_files,
                        public_origin: state.public_origin.as_deref(),
                    },
                )
                .await
            }
            Subject::Package(id) => {
                super::super::package::ssr::create(
                    &state.pool,
                    super::super::package::ssr::NewPackageCase {
                        applicant: user,
                        package_id: id,
                        token,
                        application: &application,
                        signature: stored,
                        material_files: &material_files,
                    },
                )
                .await
            }
        };
        if let (Err(_), Some(name)) = (&created, stored_name) {
            let _ = tokio::fs::remove_file(state.files_dir.join(name)).await;
        }
        created
    }
}
