//! The public catalog (附件2 and 公示): search, item pages with every disclosure field and the
//! materials checklist, and center pages. No login needed; phone first.

pub mod editor;
pub mod filing;
#[cfg(feature = "ssr")]
pub mod lists;
pub mod packages;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod transfer;

use crate::error::AppError;
use crate::ui::FormError;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use shared::case::{ItemType, SpecialStepKind};
use shared::catalog::{fees_label, item_type_label, Category, MaterialForm};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub id: i64,
    pub name: String,
    pub department: String,
    pub center_id: i64,
    pub center: String,
    pub item_type: ItemType,
    pub category: Category,
    pub promised_days: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    pub copies: i32,
    pub mandatory: bool,
    pub notes: String,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecialStep {
    pub kind: SpecialStepKind,
    pub counts_toward_limit: bool,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub summary: ItemSummary,
    pub seq: i32,
    pub list_version: i32,
    pub pre_guidance: String,
    pub remarks: String,
    pub scope: String,
    pub method: String,
    pub booking_phone: String,
    pub mailing_address: String,
    pub mailing_recipient: String,
    pub fees: String,
    pub materials: Vec<Material>,
    pub special_steps: Vec<SpecialStep>,
    pub agents: Vec<crate::teams::AgentOnDuty>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CenterDetail {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub address: String,
    pub phone: String,
    pub hours: String,
    /// Departments stationed here with a public list: (id, name).
    pub departments: Vec<(i64, String)>,
    pub items: Vec<ItemSummary>,
}

/// A unit's current list in the policy's layout (附件2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrintableList {
    pub department: String,
    pub center: String,
    pub version: i32,
    pub filed_on: Option<String>,
    pub rows: Vec<PrintableRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrintableRow {
    pub seq: i32,
    pub name: String,
    pub pre_guidance: String,
    pub item_type: ItemType,
    pub remarks: String,
}

/// The longest search text accepted; longer input is cut, not refused.
pub const MAX_QUERY_CHARS: usize = 50;

#[server(endpoint = "catalog/search")]
pub async fn search_items(
    q: String,
    category: String,
    center: String,
    item_type: String,
) -> Result<Vec<ItemSummary>, AppError> {
    let filters = ssr::SearchFilters::parse(&q, &category, &center, &item_type)?;
    ssr::search(&crate::state::pool()?, &filters).await
}

#[server(endpoint = "catalog/item")]
pub async fn get_item(id: i64) -> Result<ItemDetail, AppError> {
    ssr::item(&crate::state::pool()?, id).await
}

#[server(endpoint = "catalog/center")]
pub async fn get_center(id: i64) -> Result<CenterDetail, AppError> {
    ssr::center(&crate::state::pool()?, id).await
}

#[server(endpoint = "catalog/printable_list")]
pub async fn get_printable_list(department_id: i64) -> Result<PrintableList, AppError> {
    ssr::printable_list(&crate::state::pool()?, department_id).await
}

#[server(endpoint = "catalog/centers")]
pub async fn list_centers() -> Result<Vec<(i64, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM centers WHERE retired_at IS NULL ORDER BY id")
            .fetch_all(&crate::state::pool()?)
            .await?,
    )
}

fn type_badge(t: ItemType, days: i32) -> String {
    match t {
        ItemType::Immediate => "即办件 · 材料齐全当场办结".to_string(),
        ItemType::Promised => format!("承诺件 · {days}个工作日"),
    }
}

#[component]
fn ItemCard(item: ItemSummary) -> impl IntoView {
    view! {
        <li class="item-card">
            <a href=format!("/items/{}", item.id) class="item-link">
                <span class="item-name">{item.name}</span>
                <span class="item-meta">{format!("{} · {}", item.department, item.center)}</span>
                <span class="item-meta">
                    <span class="badge">{item.category.label()}</span>
                    " "
                    <span class="badge">{type_badge(item.item_type, item.promised_days)}</span>
                </span>
            </a>
        </li>
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let results = Resource::new(
        move || {
            (
                param("q"),
                param("category"),
                param("center"),
                param("type"),
            )
        },
        |(q, category, center, item_type)| search_items(q, category, center, item_type),
    );
    let centers = Resource::new(|| (), |_| list_centers());
    let packages = Resource::new(|| (), |_| packages::filed_packages());

    view! {
        <section class="card">
            <h1>"找办事事项"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = packages.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <nav class="packages-nav" aria-label="一件事一次办">
                            <h2>"一件事一次办"</h2>
                            <p class="actions">{list.into_iter().map(|(id, name, _)| view! {
                                <a class="button" href=format!("/one/{id}")>{name}</a>" "
                            }).collect_view()}</p>
                        </nav>
                    })
                })}
            </Suspense>
            <Form method="GET" action="" attr:class="catalog-search" attr:role="search">
                <div class="search-form">
                    <label class="visually-hidden" for="catalog-q">"事项名称"</label>
                    <input id="catalog-q" type="search" name="q" maxlength="50"
                        placeholder="如：营业执照、施工许可、低保" value=param("q")/>
                    <button type="submit" class="button primary">"搜索"</button>
                </div>
                <div class="filters">
                    <label class="field"><span>"类别"</span>
                        <select name="category">
                            <option value="">"全部类别"</option>
                            {Category::ALL.into_iter().map(|c| view! {
                                <option value=c.as_str() selected=param("category") == c.as_str()>{c.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field"><span>"办理类型"</span>
                        <select name="type">
                            <option value="">"全部"</option>
                            <option value="immediate" selected=param("type") == "immediate">"即办件"</option>
                            <option value="promised" selected=param("type") == "promised">"承诺件"</option>
                        </select>
                    </label>
                    <label class="field"><span>"办理地点"</span>
                        <select name="center">
                            <option value="">"全部中心"</option>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let chosen = param("center");
                                    centers.await.unwrap_or_default().into_iter().map(|(id, name)| {
                                        let id = id.to_string();
                                        view! { <option selected=chosen == id value=id>{name}</option> }
                                    }).collect_view()
                                })}
                            </Suspense>
                        </select>
                    </label>
                </div>
            </Form>
        </section>
        <section class="card">
            <Transition fallback=|| view! { <p class="loading">"正在查找…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="empty">"没有找到相关事项。可以换个说法，或拨打中心电话 0377-65321234 咨询。"</p>
                        }.into_any(),
                        Ok(items) => view! {
                            <p class="hint">{format!("共找到 {} 项", items.len())}</p>
                            <ul class="item-list">
                                {items.into_iter().map(|item| view! { <ItemCard item/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <FormError error=Some(e)/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ItemPage() -> impl IntoView {
    let item = crate::ui::route_resource("id", get_item);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(item) => view! { <ItemView item/> }.into_any(),
                    Err(e) => view! { <NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub(crate) fn NotFoundCard(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if error == AppError::NotFound {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card status-page">
            <h1>{if error == AppError::NotFound { "未找到该事项".to_string() } else { error.to_string() }}</h1>
            <p class="actions"><a href="/catalog" class="button">"返回事项列表"</a></p>
        </section>
    }
}

#[component]
fn ItemView(item: ItemDetail) -> impl IntoView {
    let s = item.summary.clone();
    let limit = match s.item_type {
        ItemType::Immediate => "材料齐全当场办结".to_string(),
        ItemType::Promised => format!("{}个工作日（自窗口受理之日起计算）", s.promised_days),
    };
    let steps = item.special_steps.clone();
    view! {
        <article class="card item-page">
            <p class="breadcrumb"><a href=format!("/catalog?category={}", s.category.as_str())>{s.category.label()}</a></p>
            <h1>{s.name.clone()}</h1>
            <p class="item-meta">
                <span class="badge">{item_type_label(s.item_type)}</span>" "
                <a href=format!("/centers/{}", s.center_id)>{format!("{} · {}", s.department, s.center)}</a>
            </p>
            <a class="button primary big" href=format!("/items/{}/apply", s.id)>"申请帮办代办"</a>
            <a class="button big" href=format!("/book?item={}", s.id)>"预约到场办理"</a>
            <a class="button big" href=format!("/ask?item={}", s.id)>"在线咨询"</a>
            <a class="button big" href=format!("tel:{}", item.booking_phone)>{format!("电话预约 {}", item.booking_phone)}</a>

            <h2>"需要准备的材料"</h2>
            <ol class="materials">
                {item.materials.into_iter().map(|m| view! {
                    <li>
                        <strong>{m.name}</strong>
                        <span class="material-meta">
                            {format!("{} {}份", m.form.label(), m.copies)}
                            {(!m.mandatory).then_some(" · 视情况提供")}
                        </span>
                        {(!m.source.is_empty()).then(|| view! { <span class="material-source">{format!("获取途径：{}", m.source)}</span> })}
                        {(!m.notes.is_empty()).then(|| view! { <span class="material-source">{m.notes}</span> })}
                    </li>
                }).collect_view()}
            </ol>

            <h2>"在岗帮办代办员"</h2>
            {if item.agents.is_empty() {
                view! { <p class="hint">"请拨打预约电话，由中心安排帮办代办员。"</p> }.into_any()
            } else {
                view! {
                    <ul class="agents">
                        {item.agents.into_iter().map(|a| view! {
                            <li>
                                <strong>{a.name}</strong>
                                <span class="material-meta">{a.unit}</span>
                                <a class="phone" href=format!("tel:{}", a.phone)>{a.phone.clone()}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}

            <h2>"办理须知"</h2>
            <dl class="disclosure">
                <dt>"承诺时限"</dt><dd>{limit}</dd>
                <dt>"收费标准"</dt><dd>{fees_label(&item.fees)}</dd>
                <dt>"特殊环节"</dt>
                <dd>
                    {if steps.is_empty() {
                        view! { "无" }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {steps.into_iter().map(|st| view! { <li>{describe_step(&st)}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </dd>
                <dt>"前置辅导事项"</dt><dd>{or_none(&item.pre_guidance)}</dd>
                <dt>"服务范围"</dt><dd>{or_none(&item.scope)}</dd>
                <dt>"服务方式"</dt><dd>{or_none(&item.method)}</dd>
                <dt>"预约电话"</dt><dd>{item.booking_phone.clone()}</dd>
                <dt>"邮寄地址"</dt><dd>{or_none(&item.mailing_address)}</dd>
                <dt>"收件人"</dt><dd>{or_none(&item.mailing_recipient)}</dd>
                <dt>"备注"</dt><dd>{or_none(&item.remarks)}</dd>
                <dt>"清单版本"</dt><dd>{format!("第{}版 · 序号{}", item.list_version, item.seq)}</dd>
            </dl>
            <h2>"办理流程"</h2>
            <ol class="steps">
                <li>"提交申请：在线填写申请表，或电话预约、到便民服务站登记。"</li>
                <li>"材料审核：代办员1个工作日内审核，缺少材料一次性告知。"</li>
                <li>"窗口递交：材料齐全后2个工作日内由代办员递交窗口。"</li>
                <li>"审批办理与结果送达：按承诺时限办结，可窗口领取、上门送达或邮寄。"</li>
            </ol>
        </article>
    }
}

/// "公示公告（不计入承诺时限）：村（居）公示7天"
pub(crate) fn describe_step(step: &SpecialStep) -> String {
    let counts = if step.counts_toward_limit {
        "（计入承诺时限）"
    } else {
        "（不计入承诺时限）"
    };
    let notes = if step.notes.is_empty() {
        String::new()
    } else {
        format!("：{}", step.notes)
    };
    format!("{}{counts}{notes}", step.kind.label())
}

fn or_none(s: &str) -> String {
    if s.trim().is_empty() {
        "无".to_string()
    } else {
        s.to_string()
    }
}

#[component]
pub fn CenterPage() -> impl IntoView {
    let center = crate::ui::route_resource("id", get_center);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match center.await {
                    Ok(c) => view! {
                        <section class="card">
                            <h1>{c.name}</h1>
                            <dl class="disclosure">
                                <dt>"类型"</dt><dd>{c.kind}</dd>
                                {c.parent.map(|p| view! { <dt>"上级中心"</dt><dd>{p}</dd> })}
                                <dt>"地址"</dt><dd>{c.address}</dd>
                                <dt>"电话"</dt><dd><a href=format!("tel:{}", c.phone)>{c.phone.clone()}</a></dd>
                                <dt>"办公时间"</dt><dd>{c.hours}</dd>
                            </dl>
                        </section>
                        {(!c.departments.is_empty()).then(|| view! {
                            <section class="card">
                                <h2>"入驻部门事项清单"</h2>
                                <ul class="plain">
                                    {c.departments.into_iter().map(|(id, name)| view! {
                                        <li><a href=format!("/lists/{id}/print")>{format!("{name}（可打印）")}</a></li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        <section class="card">
                            <h2>{format!("可办理事项（{}项）", c.items.len())}</h2>
                            <ul class="item-list">
                                {c.items.into_iter().map(|item| view! { <ItemCard item/> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The print-ready A4 page of a unit's list, in the columns of the policy's 附件2.
#[component]
pub fn PrintListPage() -> impl IntoView {
    let list = crate::ui::route_resource("id", get_printable_list);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => view! {
                        <crate::ui::PrintStyle/>
                        <article class="print-a4 wide">
                            <p class="no-print actions">
                                <button type="button" class="button primary" data-print="">"打印"</button>
                            </p>
                            <h1>{format!("内乡县{}“事前辅导、帮办代办”政务服务事项清单", l.department)}</h1>
                            <table class="print-table">
                                <thead><tr>
                                    <th>"序号"</th><th>"单位名称"</th><th>"业务办理项名称"</th>
                                    <th>"事前辅导事项名称（选填）"</th><th>"事项类型"</th><th>"备注"</th>
                                </tr></thead>
                                <tbody>
                                    {l.rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{r.seq}</td>
                                            <td>{l.department.clone()}</td>
                                            <td>{r.name}</td>
                                            <td>{r.pre_guidance}</td>
                                            <td>{match r.item_type { ItemType::Immediate => "即办类", ItemType::Promised => "承诺类" }}</td>
                                            <td>{r.remarks}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="print-footer">
                                {format!("{} · 第{}版{}", l.center, l.version,
                                    l.filed_on.map(|d| format!(" · {d}备案")).unwrap_or_default())}
                            </p>
                        </article>
                    }.into_any(),
                    Err(e) => view! { <NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
