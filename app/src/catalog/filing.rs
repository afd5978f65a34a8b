//! Editing and filing a department's item list: edits go to a draft, a manager submits it, a
//! supervisor of the county center files it (publishing a new version) or returns it with a
//! reason. Filed versions never change, so open cases keep the version they were opened under.

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::case::ItemType;
use shared::filing::FilingStatus;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListSummary {
    pub id: i64,
    pub department_id: i64,
    pub department: String,
    pub center: String,
    pub version: i32,
    pub status: FilingStatus,
    pub returned_reason: Option<String>,
    pub items: Vec<EditableItem>,
    pub history: Vec<crate::filing::FilingEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditableItem {
    pub id: i64,
    pub seq: i32,
    pub name: String,
    pub item_type: ItemType,
    pub promised_days: i32,
    pub fees: String,
    pub remarks: String,
}

/// The lists a manager works on: for each department they manage, its open list if any, else
/// its current filed one.
#[server(endpoint = "catalog/my_lists")]
pub async fn my_lists() -> Result<Vec<ListSummary>, AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    ssr::lists_for_manager(&crate::state::pool()?, &user).await
}

/// Starts the next version of a department's list as a draft, copying the current one.
#[server(endpoint = "catalog/start_draft")]
pub async fn start_draft(department_id: i64) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    crate::catalog::lists::start_draft(&crate::state::pool()?, &user, department_id).await
}

#[server(endpoint = "catalog/save_item")]
pub async fn save_item(
    item_id: i64,
    name: String,
    item_type: String,
    promised_days: String,
    fees: String,
    remarks: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    let edit =
        crate::catalog::lists::ItemEdit::parse(&name, &item_type, &promised_days, &fees, &remarks)?;
    ssr::save_item(&crate::state::pool()?, &user, item_id, &edit).await
}

#[server(endpoint = "catalog/submit_list")]
pub async fn submit_list(list_id: i64) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_manager().await?;
    ssr::submit(&crate::state::pool()?, &user, list_id).await
}

/// Lists waiting for the county center's decision.
#[server(endpoint = "catalog/pending_lists")]
pub async fn pending_lists() -> Result<Vec<ListSummary>, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Supervisor]).await?;
    ssr::pending(&crate::state::pool()?).await
}

/// The manager's screen: their departments' lists, item by item.
// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn ManageListsPage() -> impl IntoView {
    let start = ServerAction::<StartDraft>::new();
    let save = ServerAction::<SaveItem>::new();
    let submit = ServerAction::<SubmitList>::new();
    let add = ServerAction::<super::editor::AddItem>::new();
    let remove = ServerAction::<super::editor::RemoveItem>::new();
    let (imports, set_imports) = signal(0u32);
    let lists = Resource::new(
        move || {
            (
                start.version().get(),
                save.version().get(),
                submit.version().get(),
                imports.get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |_| my_lists(),
    );
    let save_error = action_error(save);
    let add_error = action_error(add);
    let other_error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| submit.value().get().and_then(Result::err))
            .or_else(|| remove.value().get().and_then(Result::err))
            .or_else(|| add_error.get().filter(|e| !e.is_field_error()))
    });

    view! {
        <section class="card wide">
            <h1>"事项清单维护"</h1>
            <p class="hint">"修改会先保存为草稿；提交后由县行政审批服务中心政务服务科备案，备案后才对外公示。"</p>
            <FormError error=other_error/>
            <FormError error=Signal::derive(move || save_error.get().filter(|e| !e.is_field_error()))/>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    lists.await.map(|lists| lists.into_iter().map(|list| {
                        let editable = list.status.editable();
                        view! {
                            <section class="list-block" data-department=list.department.clone()>
                                <h2>{format!("{}（{}）", list.department, list.center)}</h2>
                                <p class="list-status">
                                    {format!("第{}版 · {}", list.version, list.status.label())}
                                </p>
                                {list.returned_reason.clone().map(|r| view! {
                                    <p class="form-error">{format!("退回原因：{r}")}</p>
                                })}
                                <crate::filing::FilingHistory events=list.history.clone()/>
                                {(list.status == FilingStatus::Filed).then(|| view! {
                                    <ActionForm action=start>
                                        <input type="hidden" name="department_id" value=list.department_id.to_string()/>
                                        <button type="submit" class="button">"修改清单（新建草稿）"</button>
                                    </ActionForm>
                                })}
                                <table class="data-table">
                                    <thead><tr>
                                        <th>"序号"</th><th>"事项名称"</th><th>"类型"</th><th>"承诺时限（工作日）"</th>
                                        <th>"收费"</th><th>"备注"</th><th></th>
                                    </tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|item| {
                                            let form_id = format!("item-{}", item.id);
                                            view! {
                                                <tr>
                                                    <td>{item.seq}</td>
                                                    <td><input form=form_id.clone() name="name" value=item.name.clone() disabled=!editable aria-label="事项名称"/>
                                                        <FieldMessage error=save_error field="name"/></td>
                                                    <td><select form=form_id.clone() name="item_type" disabled=!editable aria-label="类型">
                                                        <option value="immediate" selected=item.item_type == ItemType::Immediate>"即办件"</option>
                                                        <option value="promised" selected=item.item_type == ItemType::Promised>"承诺件"</option>
                                                    </select>
                                                        <FieldMessage error=save_error field="item_type"/></td>
                                                    <td><input form=form_id.clone() name="promised_days" inputmode="numeric" value=item.promised_days.to_string() disabled=!editable aria-label="承诺时限"/>
                                                        <FieldMessage error=save_error field="promised_days"/></td>
                                                    <td><input form=form_id.clone() name="fees" value=item.fees.clone() disabled=!editable placeholder="无偿" aria-label="收费"/>
                                                        <FieldMessage error=save_error field="fees"/></td>
                                                    <td><input form=form_id.clone() name="remarks" value=item.remarks.clone() disabled=!editable aria-label="备注"/>
                                                        <FieldMessage error=save_error field="remarks"/></td>
                                                    <td class="row-actions">{editable.then(|| view! {
                                                        <ActionForm action=save attr:id=form_id.clone()>
                                                            <input type="hidden" name="item_id" value=item.id.to_string()/>
                                                            <button type="submit" class="button">"保存"</button>
                                                        </ActionForm>
                                                    })}
                                                    <a href=format!("/catalog/manage/items/{}", item.id) class="button small">
                                                        {if editable { "材料与公示信息" } else { "查看详情" }}
                                                    </a>
                                                    {editable.then(|| view! {
                                                        <ActionForm action=remove>
                                                            <input type="hidden" name="item_id" value=item.id.to_string()/>
                                                            <button type="submit" class="button small danger">"删除"</button>
                                                        </ActionForm>
                                                    })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <div class="transfer">
                                    <p class="hint">
                                        "导出当前公示清单："
                                        <a href=format!("/lists/{}/export.xlsx", list.department_id)>"XLSX"</a>
                                        " · "
                                        <a href=format!("/lists/{}/export.csv", list.department_id)>"CSV"</a>
                                        " · "
                                        <a href=format!("/lists/{}/print", list.department_id)>"打印"</a>
                                    </p>
                                    {(list.status != FilingStatus::Submitted).then(|| view! {
                                        <crate::catalog::transfer::ImportForm department_id=list.department_id
                                            on_done=move |_| set_imports.update(|n| *n += 1)/>
                                    })}
                                </div>
                                {editable.then(|| view! {
                                    <ActionForm action=add attr:class="row-form add-item" attr:novalidate=true>
                                        <input type="hidden" name="list_id" value=list.id.to_string()/>
                                        <label class="field"><span>"新增事项名称"</span><input type="text" name="name"/>
                                            <FieldMessage error=add_error field="name"/></label>
                                        <label class="field"><span>"类别"</span>
                                            <select name="category">
                                                <option value="">"请选择"</option>
                                                {shared::catalog::Category::ALL.into_iter().map(|c| view! {
                                                    <option value=c.as_str()>{c.label()}</option>
                                                }).collect_view()}
                                            </select>
                                            <FieldMessage error=add_error field="category"/></label>
                                        <label class="field"><span>"类型"</span>
                                            <select name="item_type">
                                                <option value="immediate">"即办件"</option>
                                                <option value="promised">"承诺件"</option>
                                            </select>
                                            <FieldMessage error=add_error field="item_type"/></label>
                                        <label class="field"><span>"承诺时限（工作日）"</span><input type="text" name="promised_days" value="0" inputmode="numeric"/>
                                            <FieldMessage error=add_error field="promised_days"/></label>
                                        <button type="submit" class="button">"新增事项"</button>
                                    </ActionForm>
                                })}
                                {editable.then(|| view! {
                                    <ActionForm action=submit>
                                        <input type="hidden" name="list_id" value=list.id.to_string()/>
                                        <button type="submit" class="button primary">"提交备案"</button>
                                    </ActionForm>
                                })}
                            </section>
                        }
                    }).collect_view())
                })}
            </Transition>
        </section>
    }
}

/// The supervisor's screen: lists waiting to be filed or returned.
// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn PendingListsPage() -> impl IntoView {
    let file = ServerAction::<crate::filing::FileVersion>::new();
    let ret = ServerAction::<crate::filing::ReturnVersion>::new();
    let pending = Resource::new(
        move || (file.version().get(), ret.version().get()),
        |_| pending_lists(),
    );
    let ret_error = action_error(ret);
    view! {
        <section class="card wide">
            <h1>"事项清单备案"</h1>
            <FormError error=Signal::derive(move || action_error(file).get()
                .or_else(|| ret_error.get().filter(|e| !e.is_field_error())))/>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    pending.await.map(|lists| {
                        if lists.is_empty() {
                            return view! { <p class="empty">"暂无待备案的事项清单。"</p> }.into_any();
                        }
                        lists.into_iter().map(|list| view! {
                            <section class="list-block" data-department=list.department.clone()>
                                <h2>{format!("{}（{}） 第{}版", list.department, list.center, list.version)}</h2>
                                <table class="data-table">
                                    <thead><tr><th>"序号"</th><th>"事项名称"</th><th>"类型"</th><th>"承诺时限"</th><th>"收费"</th></tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|i| view! {
                                            <tr>
                                                <td>{i.seq}</td><td>{i.name}</td>
                                                <td>{shared::catalog::item_type_label(i.item_type)}</td>
                                                <td>{format!("{}个工作日", i.promised_days)}</td>
                                                <td>{shared::catalog::fees_label(&i.fees)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <crate::filing::DecisionForms subject="item_list" id=list.id file ret/>
                            </section>
                        }).collect_view().into_any()
                    })
                })}
            </Transition>
            <p><a href="/supervision">"返回督查统计"</a></p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{EditableItem, FilingStatus, ListSummary};
    use crate::accounts::ssr::User;
    use crate::catalog::lists::{editable_item, managed, managed_list, ItemEdit};
    use crate::error::AppError;
    use crate::filing::ssr::{self as filing, Subject};
    use shared::case::ItemType;
    use sqlx::PgPool;

    #[derive(sqlx::FromRow)]
    struct ListRow {
        id: i64,
        department_id: i64,
        department: String,
        center: String,
        version: i32,
        status: crate::stored::Known<FilingStatus>,
        returned_reason: Option<String>,
    }

    async fn with_items(pool: &PgPool, rows: Vec<ListRow>) -> Result<Vec<ListSummary>, AppError> {
        let mut lists = Vec::with_capacity(rows.len());
        for r in rows {
            #[allow(clippy::type_complexity)]
            let items: Vec<(
                i64,
                i32,
                String,
                crate::stored::Known<ItemType>,
                i32,
                String,
                String,
            )> = sqlx::query_as(
                "SELECT id, seq, name, item_type, promised_days, fees, remarks
                 FROM service_items WHERE list_id = $1 ORDER BY seq",
            )
            .bind(r.id)
            .fetch_all(pool)
            .await?;
            lists.push(ListSummary {
                id: r.id,
                department_id: r.department_id,
                department: r.department,
                center: r.center,
                version: r.version,
                status: r.status.0,
                returned_reason: r.returned_reason,
                history: filing::history(pool, Subject::ItemList, r.id).await?,
                items: items
                    .into_iter()
                    .map(
                        |(id, seq, name, t, promised_days, fees, remarks)| EditableItem {
                            id,
                            seq,
                            name,
                            item_type: t.0,
                            promised_days,
                            fees,
                            remarks,
                        },
                    )
                    .collect(),
            });
        }
        Ok(lists)
    }

    const LIST_COLUMNS: &str = "l.id, l.department_id, d.name AS department, c.name AS center,
        l.version, l.status, l.returned_reason";

    pub async fn lists_for_manager(
        pool: &PgPool,
        user: &User,
    ) -> Result<Vec<ListSummary>, AppError> {
        // Per department: the open list if there is one, else the filed one.
        let sql = format!(
            "SELECT DISTINCT ON (d.id) {LIST_COLUMNS}
             FROM item_lists l JOIN departments d ON d.id = l.department_id JOIN centers c ON c.id = d.center_id
             WHERE {} AND l.status IN ('draft', 'submitted', 'returned', 'filed')
             ORDER BY d.id, (l.status = 'filed'), l.version DESC",
            managed(1)
        );
        let rows = sqlx::query_as::<_, ListRow>(&sql)
            .bind(user.department_id)
            .bind(user.center_id)
            .fetch_all(pool)
            .await?;
        with_items(pool, rows).await
    }

    pub async fn save_item(
        pool: &PgPool,
        user: &User,
        item_id: i64,
        edit: &ItemEdit,
    ) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        editable_item(&mut tx, user, item_id).await?;
        let updated = sqlx::query(
            "UPDATE service_items SET name = $2, item_type = $3, promised_days = $4, fees = $5, remarks = $6
             WHERE id = $1",
        )
        .bind(item_id)
        .bind(&edit.name)
        .bind(edit.item_type.as_str())
        .bind(edit.promised_days)
        .bind(&edit.fees)
        .bind(&edit.remarks)
        .execute(&mut *tx)
        .await;
        updated?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn submit(pool: &PgPool, user: &User, list_id: i64) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        let status = managed_list(&mut tx, user, list_id).await?;
        filing::submit(&mut tx, Subject::ItemList, list_id, status, user).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn pending(pool: &PgPool) -> Result<Vec<ListSummary>, AppError> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM item_lists l JOIN departments d ON d.id = l.department_id
             JOIN centers c ON c.id = d.center_id WHERE l.status = 'submitted' ORDER BY l.submitted_at"
        );
        let rows = sqlx::query_as::<_, ListRow>(&sql).fetch_all(pool).await?;
        with_items(pool, rows).await
    }
}
