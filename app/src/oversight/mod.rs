//! The county center's oversight (保障措施): blockages raised on cases (堵点) and the
//! coordination meetings that resolve them (协调会议); inspections of a unit (监督检查) against a
//! checklist with a reproducible sample of its cases, rectifications tracked to closure, and
//! 通报 to the unit's staff (optionally public). Every page is drawn by the server with plain
//! forms: nothing in any browser bundle. Everything is history: rows are added, never changed.

#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::{posted_error, FieldMessage, FormError};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::oversight::{BulletinKind, CheckItem};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: i64,
    pub meeting_id: Option<i64>,
    pub blockage_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub overdue: bool,
    /// How it was done, when and by whom.
    pub closed: Option<String>,
    pub may_close: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockageView {
    pub id: i64,
    pub case_number: String,
    pub what: String,
    pub departments: String,
    pub raised_by: String,
    pub raised_at: String,
    /// The meetings' resolutions on it.
    pub actions: Vec<ActionView>,
    /// Every resolution done.
    pub resolved: bool,
}

/// A case's blockages, and the departments to name when the viewer may raise one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseBlockages {
    pub list: Vec<BlockageView>,
    pub departments: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: i64,
    pub held_on: NaiveDate,
    pub place: String,
    pub attendees: String,
    pub departments: String,
    pub convened_by: String,
    pub blockages: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordination {
    pub blockages: Vec<BlockageView>,
    pub meetings: Vec<MeetingView>,
    pub departments: Vec<(i64, String)>,
    pub county: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectionSummary {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub period: String,
    pub drawn: usize,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspections {
    pub list: Vec<InspectionSummary>,
    /// Supervisors plan: the units to choose from (`c<id>` centers, `d<id>` departments).
    pub units: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub item: CheckItem,
    pub passed: Option<bool>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    pub case_id: i64,
    pub number: String,
    pub item: String,
    pub ok: Option<bool>,
    pub finding: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulletinView {
    pub id: i64,
    pub kind: BulletinKind,
    pub title: String,
    pub body: String,
    pub unit: String,
    pub public: bool,
    pub issued_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectionView {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub period: String,
    pub seed: i64,
    pub planned: String,
    pub checks: Vec<CheckView>,
    pub findings: Vec<FindingView>,
    pub actions: Vec<ActionView>,
    pub bulletins: Vec<BulletinView>,
    pub closed: Option<String>,
    /// The viewer is a supervisor (records); else the unit's manager (reads, closes their
    /// rectifications).
    pub supervisor: bool,
}

#[cfg(feature = "ssr")]
fn invalid(errors: Vec<shared::FieldError>) -> AppError {
    AppError::Invalid(errors)
}

#[cfg(feature = "ssr")]
fn one(e: shared::FieldError) -> AppError {
    AppError::Invalid(vec![e])
}

#[cfg(feature = "ssr")]
fn today() -> NaiveDate {
    shared::clocks::local_date(chrono::Utc::now())
}

/// The responsible agent or the unit's manager raises a blockage on a case.
#[server(endpoint = "oversight/raise")]
pub async fn raise_blockage(
    number: String,
    what: String,
    #[server(default)] departments: Vec<i64>,
) -> Result<(), AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Agent, Role::Manager]).await?;
    let b = shared::oversight::Blockage::parse(&what, &departments).map_err(invalid)?;
    ssr::raise(&crate::state::pool()?, &user, &number, b).await?;
    leptos_axum::redirect(&format!("/cases/{number}#blockages"));
    Ok(())
}

#[server(endpoint = "oversight/coordination")]
pub async fn load_coordination() -> Result<Coordination, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    ssr::coordination(&crate::state::pool()?, &user).await
}

#[server(endpoint = "oversight/convene")]
pub async fn convene(
    held_on: String,
    place: String,
    attendees: String,
    #[server(default)] departments: Vec<i64>,
    #[server(default)] blockages: Vec<i64>,
) -> Result<i64, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    let m =
        shared::oversight::Meeting::parse(&held_on, &place, &attendees, &departments, &blockages)
            .map_err(invalid)?;
    let id = ssr::convene(&crate::state::pool()?, &user, m).await?;
    leptos_axum::redirect("/oversight");
    Ok(id)
}

/// A meeting's resolution on one of its blockages: what, who, by when.
#[server(endpoint = "oversight/resolve")]
pub async fn resolve(
    meeting_id: i64,
    blockage_id: i64,
    text: String,
    owner: String,
    due: String,
) -> Result<(), AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    let a = shared::oversight::Action::parse(&text, &owner, &due, today()).map_err(invalid)?;
    ssr::resolve(&crate::state::pool()?, &user, meeting_id, blockage_id, a).await?;
    leptos_axum::redirect("/oversight");
    Ok(())
}

/// A resolution or rectification done. The form comes back to the page it was on.
#[server(endpoint = "oversight/close_action")]
pub async fn close_action(id: i64, note: String) -> Result<(), AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    let note = shared::oversight::note("note", "完成情况", &note, 2).map_err(one)?;
    ssr::close_action(&crate::state::pool()?, &user, id, &note).await
}

#[server(endpoint = "oversight/inspections")]
pub async fn load_inspections() -> Result<Inspections, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    let pool = crate::state::pool()?;
    let units = if user.role() == Role::Supervisor {
        sqlx::query_as(
            "SELECT 'c' || id, name FROM centers WHERE retired_at IS NULL
             UNION ALL
             SELECT 'd' || d.id, c.name || ' · ' || d.name FROM departments d
             JOIN centers c ON c.id = d.center_id WHERE d.retired_at IS NULL
             ORDER BY 2",
        )
        .fetch_all(&pool)
        .await?
    } else {
        Vec::new()
    };
    Ok(Inspections {
        list: ssr::inspections(&pool, &user).await?,
        units,
    })
}

/// A supervisor plans an inspection; the sample is drawn at once from a fresh seed.
#[server(endpoint = "oversight/plan")]
pub async fn plan_inspection(
    title: String,
    unit: String,
    from: String,
    to: String,
    sample_size: String,
) -> Result<i64, AppError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let pool = crate::state::pool()?;
    let p = shared::oversight::InspectionPlan::parse(&title, &from, &to, &sample_size);
    let u = ssr::unit_of_choice(&pool, &unit).await;
    let (p, u) = match (p, u) {
        (Ok(p), Ok(u)) => (p, u),
        (p, u) => {
            let mut errors = p.err().unwrap_or_default();
            if let Err(AppError::Invalid(e)) = u {
                errors.extend(e);
            }
            return Err(invalid(errors));
        }
    };
    let id = ssr::plan(&pool, &user, u, p, OsRng.next_u64()).await?;
    leptos_axum::redirect(&format!("/inspections/{id}"));
    Ok(id)
}

#[server(endpoint = "oversight/inspection")]
pub async fn load_inspection(id: i64) -> Result<InspectionView, AppError> {
    use shared::Role;
    let user = crate::accounts::ssr::require_role(&[Role::Manager, Role::Supervisor]).await?;
    ssr::inspection(&crate::state::pool()?, &user, id).await
}

#[server(endpoint = "oversight/check")]
pub async fn record_check(
    id: i64,
    item: String,
    #[server(default)] passed: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let item = CheckItem::parse(&item).ok_or_else(|| AppError::field("item", "请从清单中选择"))?;
    let passed = match passed.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::field("passed", "请选择符合或不符合")),
    };
    let note = note.trim();
    if !passed && note.chars().count() < 2 {
        return Err(AppError::field("note", "不符合时请写明问题"));
    }
    ssr::check(&crate::state::pool()?, &user, id, item, passed, note).await
}

#[server(endpoint = "oversight/finding")]
pub async fn record_finding(
    id: i64,
    case_id: i64,
    #[server(default)] ok: String,
    #[server(default)] finding: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let ok = match ok.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::field("ok", "请选择无问题或有问题")),
    };
    let finding = finding.trim();
    if !ok && finding.chars().count() < 2 {
        return Err(AppError::field("finding", "有问题时请写明发现的问题"));
    }
    ssr::find(&crate::state::pool()?, &user, id, case_id, ok, finding).await
}

#[server(endpoint = "oversight/rectify")]
pub async fn add_rectification(
    id: i64,
    text: String,
    owner: String,
    due: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let a = shared::oversight::Action::parse(&text, &owner, &due, today()).map_err(invalid)?;
    ssr::rectify(&crate::state::pool()?, &user, id, a).await
}

#[server(endpoint = "oversight/close_inspection")]
pub async fn close_inspection(id: i64, summary: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let summary = shared::oversight::note("summary", "检查结论", &summary, 5).map_err(one)?;
    ssr::close(&crate::state::pool()?, &user, id, &summary).await
}

#[server(endpoint = "oversight/bulletin")]
pub async fn issue_bulletin(
    id: i64,
    #[server(default)] kind: String,
    title: String,
    body: String,
    #[server(default)] public: Option<String>,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    let b = shared::oversight::Bulletin::parse(&kind, &title, &body, public.is_some())
        .map_err(invalid)?;
    ssr::issue(&crate::state::pool()?, &user, id, b).await
}

#[server(endpoint = "oversight/bulletins")]
pub async fn load_bulletins() -> Result<Vec<BulletinView>, AppError> {
    let user = crate::accounts::ssr::auth_session().await?.user;
    ssr::bulletins(&crate::state::pool()?, user.as_ref()).await
}

// ---- Pages ----

fn stored(e: Option<AppError>) -> Signal<Option<AppError>> {
    Signal::stored(e)
}

/// The first refused post among `endpoints`, for the summary at the top of a page.
fn posted(endpoints: &[&str]) -> Signal<Option<AppError>> {
    stored(endpoints.iter().find_map(|e| posted_error(e)))
}

#[component]
fn ActionLine(a: ActionView) -> impl IntoView {
    let id = a.id.to_string();
    view! {
        <li class="action-item" data-action=id.clone()>
            <p>
                {a.text.clone()}
                {format!("（责任：{}，{}前完成）", a.owner, a.due.format("%Y-%m-%d"))}
                {a.overdue.then(|| view! { " "<span class="badge deadline-breached">"已超期"</span> })}
            </p>
            {a.closed.clone().map(|c| view! { <p class="done">{format!("已完成：{c}")}</p> })}
            {a.may_close.then(|| view! {
                <form method="post" action="/api/oversight/close_action" class="inline-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <label>"完成情况 "<input type="text" name="note" maxlength="200"/></label>
                    " "<button type="submit" class="button">"标记完成"</button>
                </form>
            })}
        </li>
    }
}

#[component]
fn BlockageItem(b: BlockageView) -> impl IntoView {
    view! {
        <div class="blockage" data-blockage=b.id>
            <p>
                <span class="badge" class:deadline-breached=!b.resolved>{if b.resolved { "已解决" } else { "待协调" }}</span>
                " "<a href=format!("/cases/{}", b.case_number)>{b.case_number.clone()}</a>
                {format!(" {}（涉及：{}；{} {}提出）", b.what, b.departments, b.raised_at, b.raised_by)}
            </p>
            {(!b.actions.is_empty()).then(|| view! {
                <ul class="actions-list">{b.actions.into_iter().map(|a| view! { <ActionLine a/> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// On a case's staff page: its blockages and their resolutions; the form to raise one for the
/// responsible agent or the unit's manager.
#[component]
pub fn CaseBlockagesSection(number: String, b: CaseBlockages) -> impl IntoView {
    if b.list.is_empty() && b.departments.is_empty() {
        return ().into_any();
    }
    let error = stored(posted_error("oversight/raise"));
    let may_raise = !b.departments.is_empty();
    let departments = b.departments.clone();
    view! {
        <section class="blockages" id="blockages">
            <h2>"堵点协调"</h2>
            {b.list.into_iter().map(|b| view! { <BlockageItem b/> }).collect_view()}
            {may_raise.then(|| view! {
                <details class="raise" open=error.get_untracked().is_some()>
                    <summary>"提出堵点（跨部门卡住时）"</summary>
                    <form method="post" action="/api/oversight/raise" novalidate>
                        <input type="hidden" name="number" value=number.clone()/>
                        <label class="field"><span>"卡在哪里"</span>
                            <textarea name="what" rows="2" maxlength="1000"></textarea>
                            <FieldMessage error field="what"/>
                        </label>
                        <fieldset><legend>"涉及部门"</legend>
                            <div class="department-choices">
                                {departments.iter().map(|(id, name)| view! {
                                    <label class="check"><input type="checkbox" name="departments[]" value=id.to_string()/><span>{name.clone()}</span></label>
                                }).collect_view()}
                            </div>
                            <FieldMessage error field="departments"/>
                        </fieldset>
                        <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                        <button type="submit" class="button primary">"提出堵点"</button>
                    </form>
                </details>
            })}
        </section>
    }
    .into_any()
}

/// `/oversight`: blockages of the unit (managers) or the county (supervisors), coordination
/// meetings and their resolutions.
#[component]
pub fn CoordinationPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_coordination());
    let error = posted(&[
        "oversight/convene",
        "oversight/resolve",
        "oversight/close_action",
    ]);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide oversight">
            <h1>"堵点协调"</h1>
            <FormError error/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|d| {
                        let open: Vec<BlockageView> = d.blockages.iter().filter(|b| !b.resolved).cloned().collect();
                        let meetings = d.meetings.clone();
                        let all = d.blockages.clone();
                        view! {
                            <h2>"待协调的堵点"</h2>
                            {if open.is_empty() {
                                view! { <p class="empty">"暂无待协调的堵点。"</p> }.into_any()
                            } else {
                                view! { <div>{open.clone().into_iter().map(|b| view! { <BlockageItem b/> }).collect_view()}</div> }.into_any()
                            }}
                            {(!open.is_empty()).then(|| view! { <ConveneForm open=open.clone() departments=d.departments.clone()/> })}
                            <h2>"协调会议"</h2>
                            {if meetings.is_empty() {
                                view! { <p class="empty">"暂无协调会议。"</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="meetings">
                                        {meetings.into_iter().map(|m| view! { <MeetingItem m blockages=all.clone()/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ConveneForm(open: Vec<BlockageView>, departments: Vec<(i64, String)>) -> impl IntoView {
    view! {
        <form method="post" action="/api/oversight/convene" class="step-form convene" novalidate>
            <h3>"召开协调会议"</h3>
            <fieldset><legend>"协调的堵点"</legend>
                {open.into_iter().map(|b| view! {
                    <label class="check"><input type="checkbox" name="blockages[]" value=b.id.to_string()/>
                        <span>{format!("{} {}", b.case_number, b.what)}</span></label>
                }).collect_view()}
            </fieldset>
            <label class="field"><span>"会议日期"</span><input type="date" name="held_on"/></label>
            <label class="field"><span>"会议地点"</span><input type="text" name="place" maxlength="100"/></label>
            <label class="field"><span>"参会人员"</span><textarea name="attendees" rows="2" maxlength="1000"></textarea></label>
            <fieldset><legend>"参会部门"</legend>
                <div class="department-choices">
                    {departments.into_iter().map(|(id, name)| view! {
                        <label class="check"><input type="checkbox" name="departments[]" value=id.to_string()/><span>{name}</span></label>
                    }).collect_view()}
                </div>
            </fieldset>
            <button type="submit" class="button primary">"记录会议"</button>
        </form>
    }
}

#[component]
fn MeetingItem(m: MeetingView, blockages: Vec<BlockageView>) -> impl IntoView {
    let meeting = m.id.to_string();
    let on_agenda: Vec<BlockageView> = blockages
        .into_iter()
        .filter(|b| m.blockages.contains(&b.id))
        .collect();
    view! {
        <li class="meeting" data-meeting=meeting.clone()>
            <p><strong>{format!("{} {}", m.held_on.format("%Y-%m-%d"), m.place)}</strong>
                {format!("（{}召集；参会部门：{}；参会人员：{}）", m.convened_by, m.departments, m.attendees)}</p>
            {on_agenda.into_iter().map(|b| {
                let blockage = b.id.to_string();
                let meeting = meeting.clone();
                view! {
                    <BlockageItem b=b.clone()/>
                    <form method="post" action="/api/oversight/resolve" class="step-form resolve" novalidate>
                        <input type="hidden" name="meeting_id" value=meeting/>
                        <input type="hidden" name="blockage_id" value=blockage/>
                        <label class="field"><span>"议定事项"</span><input type="text" name="text" maxlength="1000"/></label>
                        <label class="field"><span>"责任单位或责任人"</span><input type="text" name="owner" maxlength="50"/></label>
                        <label class="field"><span>"完成期限"</span><input type="date" name="due"/></label>
                        <button type="submit" class="button">"记录议定事项"</button>
                    </form>
                }
            }).collect_view()}
        </li>
    }
}

/// `/inspections`: the inspections (supervisors all, managers their unit's) and the plan form.
#[component]
pub fn InspectionsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_inspections());
    let error = stored(posted_error("oversight/plan"));
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide oversight">
            <h1>"监督检查"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|d| view! {
                        {if d.list.is_empty() {
                            view! { <p class="empty">"暂无监督检查。"</p> }.into_any()
                        } else {
                            view! {
                                <table class="data-table">
                                    <thead><tr><th scope="col">"检查"</th><th scope="col">"被检查单位"</th><th scope="col">"抽查期间"</th><th scope="col">"抽查件数"</th><th scope="col">"状态"</th></tr></thead>
                                    <tbody>{d.list.into_iter().map(|i| view! {
                                        <tr>
                                            <td><a href=format!("/inspections/{}", i.id)>{i.title}</a></td>
                                            <td>{i.unit}</td><td>{i.period}</td><td class="num">{i.drawn}</td>
                                            <td>{if i.closed { "已结束" } else { "进行中" }}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                            }.into_any()
                        }}
                        {(!d.units.is_empty()).then(|| view! {
                            <form method="post" action="/api/oversight/plan" class="step-form plan" novalidate>
                                <h2>"新建检查（随机抽取代办件）"</h2>
                                <label class="field"><span>"检查名称"</span><input type="text" name="title" maxlength="100"/>
                                    <FieldMessage error field="title"/></label>
                                <label class="field"><span>"被检查单位"</span>
                                    <select name="unit"><option value="">"请选择"</option>
                                        {d.units.into_iter().map(|(v, n)| view! { <option value=v>{n}</option> }).collect_view()}
                                    </select>
                                    <FieldMessage error field="unit"/></label>
                                <label class="field"><span>"抽查起始日期"</span><input type="date" name="from"/>
                                    <FieldMessage error field="from"/></label>
                                <label class="field"><span>"抽查截止日期"</span><input type="date" name="to"/>
                                    <FieldMessage error field="to"/></label>
                                <label class="field"><span>"抽查件数"</span><input type="number" name="sample_size" min="1" max="50" value="5"/>
                                    <FieldMessage error field="sample_size"/></label>
                                <button type="submit" class="button primary">"抽取样本，开始检查"</button>
                            </form>
                        })}
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/inspections/:id`: the checklist, the drawn cases with their findings, rectifications,
/// the 通报, and the close.
#[component]
pub fn InspectionPage() -> impl IntoView {
    let data = crate::ui::route_resource("id", load_inspection);
    let error = posted(&[
        "oversight/check",
        "oversight/finding",
        "oversight/rectify",
        "oversight/close_inspection",
        "oversight/bulletin",
        "oversight/close_action",
    ]);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide oversight inspection">
            <p class="breadcrumb"><a href="/inspections">"监督检查"</a></p>
            <FormError error/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(i) => view! { <Inspection i/> }.into_any(),
                        Err(e) => view! { <crate::catalog::NotFoundCard error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Inspection(i: InspectionView) -> impl IntoView {
    let id = i.id.to_string();
    let writes = i.supervisor && i.closed.is_none();
    let checks = i
        .checks
        .iter()
        .map(|c| {
            let id = id.clone();
            view! {
                <tr data-check=c.item.as_str()>
                    <th scope="row">{c.item.label()}</th>
                    <td>{match c.passed { Some(true) => "符合", Some(false) => "不符合", None => "未检查" }}</td>
                    <td>{c.note.clone()}</td>
                    <td>{(writes && c.passed.is_none()).then(|| view! {
                        <form method="post" action="/api/oversight/check" class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="item" value=c.item.as_str()/>
                            <select name="passed" aria-label="结论"><option value="">"结论"</option><option value="yes">"符合"</option><option value="no">"不符合"</option></select>
                            " "<input type="text" name="note" aria-label="说明" maxlength="500"/>
                            " "<button type="submit" class="button">"记录"</button>
                        </form>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let findings = i
        .findings
        .iter()
        .map(|f| {
            let id = id.clone();
            view! {
                <tr data-case=f.number.clone()>
                    <td><a href=format!("/cases/{}", f.number)>{f.number.clone()}</a></td>
                    <td>{f.item.clone()}</td>
                    <td>{match f.ok { Some(true) => "无问题", Some(false) => "有问题", None => "未检查" }}</td>
                    <td>{f.finding.clone()}</td>
                    <td>{(writes && f.ok.is_none()).then(|| view! {
                        <form method="post" action="/api/oversight/finding" class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="case_id" value=f.case_id.to_string()/>
                            <select name="ok" aria-label="检查结果"><option value="">"结果"</option><option value="yes">"无问题"</option><option value="no">"有问题"</option></select>
                            " "<input type="text" name="finding" aria-label="发现的问题" maxlength="500"/>
                            " "<button type="submit" class="button">"记录"</button>
                        </form>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
    view! {
        <h1>{i.title.clone()}</h1>
        <p>{format!("被检查单位：{} · 抽查期间：{} · {}计划", i.unit, i.period, i.planned)}</p>
        <p class="hint">{format!("样本由随机种子 {} 抽取，可复核。", i.seed)}</p>
        {i.closed.clone().map(|c| view! { <p class="form-ok" role="status">{format!("检查已结束：{c}")}</p> })}
        <h2>"检查清单"</h2>
        <table class="data-table checklist"><tbody>{checks}</tbody></table>
        <h2>{format!("抽查代办件（{}件）", i.findings.len())}</h2>
        <table class="data-table sample">
            <thead><tr><th scope="col">"编号"</th><th scope="col">"事项"</th><th scope="col">"结果"</th><th scope="col">"发现的问题"</th><th scope="col"></th></tr></thead>
            <tbody>{findings}</tbody>
        </table>
        <h2>"整改事项"</h2>
        <ul class="actions-list">{i.actions.clone().into_iter().map(|a| view! { <ActionLine a/> }).collect_view()}</ul>
        {writes.then(|| view! {
            <form method="post" action="/api/oversight/rectify" class="step-form rectify" novalidate>
                <input type="hidden" name="id" value=id2/>
                <label class="field"><span>"整改事项"</span><input type="text" name="text" maxlength="1000"/></label>
                <label class="field"><span>"责任单位或责任人"</span><input type="text" name="owner" maxlength="50"/></label>
                <label class="field"><span>"完成期限"</span><input type="date" name="due"/></label>
                <button type="submit" class="button">"添加整改事项"</button>
            </form>
        })}
        <h2>"通报"</h2>
        {i.bulletins.clone().into_iter().map(|b| view! { <BulletinItem b/> }).collect_view()}
        {writes.then(|| view! {
            <form method="post" action="/api/oversight/bulletin" class="step-form bulletin-form" novalidate>
                <input type="hidden" name="id" value=id3/>
                <div class="choice">
                    <label class="choice-option"><input type="radio" name="kind" value="criticism"/><span>"通报批评"</span></label>
                    <label class="choice-option"><input type="radio" name="kind" value="commendation"/><span>"通报表扬"</span></label>
                </div>
                <label class="field"><span>"通报标题"</span><input type="text" name="title" maxlength="100"/></label>
                <label class="field"><span>"通报内容"</span><textarea name="body" rows="4" maxlength="5000"></textarea></label>
                <label class="check"><input type="checkbox" name="public" value="on"/><span>"在公众网站公开"</span></label>
                <button type="submit" class="button primary">"发布通报"</button>
            </form>
            <form method="post" action="/api/oversight/close_inspection" class="step-form close" novalidate>
                <label class="field"><span>"检查结论"</span><textarea name="summary" rows="2" maxlength="2000"></textarea></label>
                <input type="hidden" name="id" value=id4/>
                <button type="submit" class="button">"结束检查"</button>
            </form>
        })}
    }
}

#[component]
fn BulletinItem(b: BulletinView) -> impl IntoView {
    view! {
        <article class="bulletin" data-kind=b.kind.as_str()>
            <h3>{format!("【{}】{}", b.kind.label(), b.title)}</h3>
            <p class="hint">{format!("{} · {}{}", b.unit, b.issued_at, if b.public { " · 已公开" } else { "" })}</p>
            <p>{b.body}</p>
        </article>
    }
}

/// `/bulletins`: 通报 — the public ones for everyone; staff also see those to their unit.
#[component]
pub fn BulletinsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_bulletins());
    view! {
        <section class="card bulletins">
            <h1>"通报"</h1>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|list| if list.is_empty() {
                        view! { <p class="empty">"暂无通报。"</p> }.into_any()
                    } else {
                        list.into_iter().map(|b| view! { <BulletinItem b/> }).collect_view().into_any()
                    })
                })}
            </Suspense>
        </section>
    }
}
