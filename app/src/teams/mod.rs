//! Agent teams (帮办代办队伍) and their filing: a center's or department's manager lists its
//! agents with the items each covers and their training records, and submits the team; a
//! supervisor of the county center files it or returns it. Only agents of a filed team are shown
//! to the public and can be assigned cases.

use crate::error::AppError;
use crate::filing::{FilingEvent, FilingHistory};
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::filing::FilingStatus;

#[cfg(feature = "ssr")]
pub mod ssr;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: i64,
    pub unit: String,
    pub version: i32,
    pub status: FilingStatus,
    pub returned_reason: Option<String>,
    pub members: Vec<MemberView>,
    pub history: Vec<FilingEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub unit: String,
    /// (lineage, item name) of each covered item that is currently published.
    pub items: Vec<(i64, String)>,
    pub trainings: Vec<TrainingView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingView {
    pub id: i64,
    pub held_on: String,
    pub topic: String,
    pub hours: String,
}

/// What the manager's screen needs: the team, the unit's agents not yet in it, and the
/// published items an agent can be made to cover.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedTeam {
    pub team: Option<TeamView>,
    pub candidates: Vec<(i64, String)>,
    /// (lineage, "department · item name")
    pub coverable: Vec<(i64, String)>,
}

/// An agent shown on an item's public page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentOnDuty {
    pub name: String,
    pub unit: String,
    pub phone: String,
}

#[server(endpoint = "teams/mine")]
pub async fn my_team() -> Result<ManagedTeam, AppError> {
    ssr::managed(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
    )
    .await
}

/// Opens the unit's next team version as a draft (a copy of the filed one), or returns the
/// version already open.
#[server(endpoint = "teams/start_draft")]
pub async fn start_team_draft() -> Result<i64, AppError> {
    ssr::start_draft(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
    )
    .await
}

#[server(endpoint = "teams/add_member")]
pub async fn add_member(team_id: i64, account_id: String) -> Result<(), AppError> {
    let account_id: i64 = account_id
        .parse()
        .map_err(|_| AppError::field("account_id", "请选择帮办代办员"))?;
    let user = crate::accounts::ssr::require_manager().await?;
    ssr::add_member(&crate::state::pool()?, &user, team_id, account_id).await
}

#[server(endpoint = "teams/remove_member")]
pub async fn remove_member(member_id: i64) -> Result<(), AppError> {
    ssr::remove_member(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        member_id,
    )
    .await
}

#[server(endpoint = "teams/add_item")]
pub async fn add_member_item(member_id: i64, lineage: String) -> Result<(), AppError> {
    let lineage: i64 = lineage
        .parse()
        .map_err(|_| AppError::field("lineage", "请选择负责的事项"))?;
    let user = crate::accounts::ssr::require_manager().await?;
    ssr::add_item(&crate::state::pool()?, &user, member_id, lineage).await
}

#[server(endpoint = "teams/remove_item")]
pub async fn remove_member_item(member_id: i64, lineage: i64) -> Result<(), AppError> {
    ssr::remove_item(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        member_id,
        lineage,
    )
    .await
}

#[server(endpoint = "teams/add_training")]
pub async fn add_training(
    member_id: i64,
    held_on: String,
    topic: String,
    hours: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let today = crate::ui::beijing_time(chrono::Utc::now()).date_naive();
    let training = shared::filing::Training::parse(&held_on, &topic, &hours, today)
        .map_err(AppError::Invalid)?;
    ssr::add_training(&crate::state::pool()?, &user, member_id, &training).await
}

#[server(endpoint = "teams/remove_training")]
pub async fn remove_training(training_id: i64) -> Result<(), AppError> {
    ssr::remove_training(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        training_id,
    )
    .await
}

#[server(endpoint = "teams/submit")]
pub async fn submit_team(team_id: i64) -> Result<(), AppError> {
    ssr::submit(
        &crate::state::pool()?,
        &crate::accounts::ssr::require_manager().await?,
        team_id,
    )
    .await
}

#[server(endpoint = "teams/pending")]
pub async fn pending_teams() -> Result<Vec<TeamView>, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    ssr::pending(&crate::state::pool()?).await
}

/// Bumps `refresh` each time an action succeeds, so the page reloads what it shows; a failed
/// action leaves the page (and its error message) as it is.
fn refresh_after<T>(action: ServerAction<T>, refresh: RwSignal<u32>)
where
    T: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        action.version().get();
        if matches!(action.value().get_untracked(), Some(Ok(_))) {
            refresh.update(|n| *n += 1);
        }
    });
}

/// The manager's screen: the unit's team, member by member.
// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn ManageTeamPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let start = ServerAction::<StartTeamDraft>::new();
    let add = ServerAction::<AddMember>::new();
    let submit = ServerAction::<SubmitTeam>::new();
    refresh_after(start, refresh);
    refresh_after(add, refresh);
    refresh_after(submit, refresh);
    let team = Resource::new(move || refresh.get(), |_| my_team());
    let add_error = action_error(add);
    let page_error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| submit.value().get().and_then(Result::err))
            .or_else(|| add_error.get().filter(|e| !e.is_field_error()))
    });
    view! {
        <section class="card wide">
            <h1>"帮办代办队伍登记备案"</h1>
            <p class="hint">"列出本单位的帮办代办员、负责事项和培训记录，提交县行政审批服务中心政务服务科备案；备案后才对外公示、才能分派代办件。"</p>
            <FormError error=page_error/>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    team.await.map(|managed| {
                        let Some(t) = managed.team else {
                            return view! {
                                <p class="empty">"本单位尚未登记帮办代办队伍。"</p>
                                <ActionForm action=start>
                                    <button type="submit" class="button primary">"登记队伍"</button>
                                </ActionForm>
                            }.into_any();
                        };
                        let editable = t.status.editable();
                        let coverable = managed.coverable.clone();
                        view! {
                            <section class="list-block" data-team=t.id>
                                <h2>{t.unit.clone()}</h2>
                                <p class="list-status">{format!("第{}版 · {}", t.version, t.status.label())}</p>
                                {t.returned_reason.clone().map(|r| view! { <p class="form-error">{format!("退回原因：{r}")}</p> })}
                                <FilingHistory events=t.history.clone()/>
                                {(t.status == FilingStatus::Filed).then(|| view! {
                                    <ActionForm action=start>
                                        <button type="submit" class="button">"调整队伍（新建草稿）"</button>
                                    </ActionForm>
                                })}
                                {t.members.into_iter().map(|m| view! {
                                    <MemberCard member=m editable coverable=coverable.clone() refresh/>
                                }).collect_view()}
                                {editable.then(|| view! {
                                    <ActionForm action=add attr:class="row-form">
                                        <input type="hidden" name="team_id" value=t.id.to_string()/>
                                        <label class="field"><span>"添加帮办代办员"</span>
                                            <select name="account_id">
                                                <option value="">"请选择"</option>
                                                {managed.candidates.into_iter().map(|(id, name)| view! {
                                                    <option value=id.to_string()>{name}</option>
                                                }).collect_view()}
                                            </select>
                                            <FieldMessage error=add_error field="account_id"/>
                                        </label>
                                        <button type="submit" class="button">"添加"</button>
                                    </ActionForm>
                                    <ActionForm action=submit>
                                        <input type="hidden" name="team_id" value=t.id.to_string()/>
                                        <button type="submit" class="button primary">"提交备案"</button>
                                    </ActionForm>
                                })}
                            </section>
                        }.into_any()
                    })
                })}
            </Transition>
            <p><a href="/workbench">"返回工作台"</a></p>
        </section>
    }
}

#[component]
fn MemberCard(
    member: MemberView,
    editable: bool,
    coverable: Vec<(i64, String)>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let remove = ServerAction::<RemoveMember>::new();
    let add_item = ServerAction::<AddMemberItem>::new();
    let remove_item = ServerAction::<RemoveMemberItem>::new();
    let train = ServerAction::<AddTraining>::new();
    let untrain = ServerAction::<RemoveTraining>::new();
    refresh_after(remove, refresh);
    refresh_after(add_item, refresh);
    refresh_after(remove_item, refresh);
    refresh_after(train, refresh);
    refresh_after(untrain, refresh);
    let train_error = action_error(train);
    let item_error = action_error(add_item);
    let other_error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove_item.value().get().and_then(Result::err))
            .or_else(|| untrain.value().get().and_then(Result::err))
            .or_else(|| train_error.get().filter(|e| !e.is_field_error()))
            .or_else(|| item_error.get().filter(|e| !e.is_field_error()))
    });
    let id = member.id;
    view! {
        <article class="member" data-member=member.name.clone()>
            <h3>{format!("{} · {} · {}", member.name, member.unit, member.phone)}</h3>
            <FormError error=other_error/>
            <h4>"负责事项"</h4>
            <ul class="chips">
                {member.items.into_iter().map(|(lineage, name)| view! {
                    <li>{name}
                        {editable.then(|| view! {
                            <ActionForm action=remove_item attr:class="chip-form">
                                <input type="hidden" name="member_id" value=id.to_string()/>
                                <input type="hidden" name="lineage" value=lineage.to_string()/>
                                <button type="submit" class="chip-remove" aria-label="移除该事项">"×"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            {editable.then(|| view! {
                <ActionForm action=add_item attr:class="row-form">
                    <input type="hidden" name="member_id" value=id.to_string()/>
                    <label class="field"><span>"增加负责事项"</span>
                        <select name="lineage">
                            <option value="">"请选择"</option>
                            {coverable.into_iter().map(|(lineage, name)| view! {
                                <option value=lineage.to_string()>{name}</option>
                            }).collect_view()}
                        </select>
                        <FieldMessage error=item_error field="lineage"/>
                    </label>
                    <button type="submit" class="button">"增加"</button>
                </ActionForm>
            })}
            <h4>"培训记录"</h4>
            <table class="data-table">
                <thead><tr><th>"日期"</th><th>"培训内容"</th><th>"学时"</th><th></th></tr></thead>
                <tbody>
                    {member.trainings.into_iter().map(|t| view! {
                        <tr>
                            <td>{t.held_on}</td><td>{t.topic}</td><td>{t.hours}</td>
                            <td>{editable.then(|| view! {
                                <ActionForm action=untrain>
                                    <input type="hidden" name="training_id" value=t.id.to_string()/>
                                    <button type="submit" class="button small">"删除"</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {editable.then(|| view! {
                <ActionForm action=train attr:class="row-form" attr:novalidate=true>
                    <input type="hidden" name="member_id" value=id.to_string()/>
                    <label class="field"><span>"培训日期"</span>
                        <input type="date" name="held_on"/>
                        <FieldMessage error=train_error field="held_on"/>
                    </label>
                    <label class="field"><span>"培训内容"</span>
                        <input type="text" name="topic"/>
                        <FieldMessage error=train_error field="topic"/>
                    </label>
                    <label class="field"><span>"学时"</span>
                        <input type="text" name="hours" inputmode="decimal"/>
                        <FieldMessage error=train_error field="hours"/>
                    </label>
                    <button type="submit" class="button">"添加培训记录"</button>
                </ActionForm>
                <ActionForm action=remove>
                    <input type="hidden" name="member_id" value=id.to_string()/>
                    <button type="submit" class="button small">"移出队伍"</button>
                </ActionForm>
            })}
        </article>
    }
}

/// The supervisor's screen: teams waiting to be filed or returned.
// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn PendingTeamsPage() -> impl IntoView {
    let file = ServerAction::<crate::filing::FileVersion>::new();
    let ret = ServerAction::<crate::filing::ReturnVersion>::new();
    let pending = Resource::new(
        move || (file.version().get(), ret.version().get()),
        |_| pending_teams(),
    );
    let ret_error = action_error(ret);
    view! {
        <section class="card wide">
            <h1>"帮办代办队伍备案"</h1>
            <FormError error=Signal::derive(move || file.value().get().and_then(Result::err)
                .or_else(|| ret_error.get().filter(|e| !e.is_field_error())))/>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    pending.await.map(|teams| {
                        if teams.is_empty() {
                            return view! { <p class="empty">"暂无待备案的队伍。"</p> }.into_any();
                        }
                        teams.into_iter().map(|t| view! {
                            <section class="list-block" data-team=t.id>
                                <h2>{format!("{} 第{}版", t.unit, t.version)}</h2>
                                <table class="data-table">
                                    <thead><tr><th>"姓名"</th><th>"单位"</th><th>"电话"</th><th>"负责事项"</th><th>"培训记录"</th></tr></thead>
                                    <tbody>
                                        {t.members.into_iter().map(|m| view! {
                                            <tr>
                                                <td>{m.name}</td><td>{m.unit}</td><td>{m.phone}</td>
                                                <td>{m.items.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join("、")}</td>
                                                <td>{m.trainings.into_iter().map(|t| format!("{} {}（{}学时）", t.held_on, t.topic, t.hours)).collect::<Vec<_>>().join("；")}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <FilingHistory events=t.history.clone()/>
                                <crate::filing::DecisionForms subject="agent_team" id=t.id file ret/>
                            </section>
                        }).collect_view().into_any()
                    })
                })}
            </Transition>
            <p><a href="/supervision">"返回督查统计"</a></p>
        </section>
    }
}
