//! Packages (一件事): items of several departments applied for together, led by one department
//! (牵头部门). The lead department's manager edits the package's one open version and submits
//! it; the county center files it (`crate::filing`), and only a filed package is public. Plain
//! HTML forms drawn by the server, like the other supervision pages.

use super::Material;
use crate::error::AppError;
use crate::ui::{posted, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::filing::FilingStatus;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageItem {
    pub lineage: i64,
    /// The item's current public version; `None` when its list no longer has it.
    pub item_id: Option<i64>,
    pub name: String,
    pub department: String,
    pub department_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageView {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub lead_department_id: i64,
    pub lead_department: String,
    pub status: FilingStatus,
    pub returned_reason: Option<String>,
    pub items: Vec<PackageItem>,
    /// The viewer manages the lead department and the version is open.
    pub may_edit: bool,
    /// The viewer manages the lead department and this is the filed version without an open one.
    pub may_revise: bool,
    pub may_decide: bool,
    /// Items to add: (id, "name（department）").
    pub choices: Vec<(i64, String)>,
    pub history: Vec<crate::filing::FilingEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageRow {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub lead_department: String,
    pub status: FilingStatus,
    pub items: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Packages {
    pub rows: Vec<PackageRow>,
    /// The departments the manager may lead a new package for.
    pub departments: Vec<(i64, String)>,
}

/// A filed package as the public sees it, with its one checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicPackage {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub lead_department: String,
    pub items: Vec<PackageItem>,
    pub materials: Vec<Material>,
}

#[server(endpoint = "packages/list")]
pub async fn load_packages() -> Result<Packages, AppError> {
    let user =
        crate::accounts::ssr::require_role(&[shared::Role::Manager, shared::Role::Supervisor])
            .await?;
    ssr::list(&crate::state::pool()?, &user).await
}

#[server(endpoint = "packages/create")]
pub async fn create_package(
    name: String,
    #[server(default)] lead: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let draft = shared::package::PackageDraft::parse(&name, &description);
    let lead = lead.parse::<i64>().ok();
    let (draft, lead) = match (draft, lead) {
        (Ok(d), Some(l)) => (d, l),
        (d, l) => {
            let mut errors = d.err().unwrap_or_default();
            if l.is_none() {
                errors.push(shared::FieldError::new("lead", "请选择牵头部门"));
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let id = ssr::create(&crate::state::pool()?, &user, lead, &draft).await?;
    leptos_axum::redirect(&format!("/packages/{id}"));
    Ok(id)
}

#[server(endpoint = "packages/view")]
pub async fn load_package(id: i64) -> Result<PackageView, AppError> {
    let user =
        crate::accounts::ssr::require_role(&[shared::Role::Manager, shared::Role::Supervisor])
            .await?;
    ssr::view(&crate::state::pool()?, &user, id).await
}

#[server(endpoint = "packages/edit")]
pub async fn edit_package(
    id: i64,
    name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let draft =
        shared::package::PackageDraft::parse(&name, &description).map_err(AppError::Invalid)?;
    ssr::edit(
        &crate::state::pool()?,
        &user,
        id,
        ssr::Edit::Describe(&draft),
    )
    .await?;
    leptos_axum::redirect(&format!("/packages/{id}"));
    Ok(())
}

#[server(endpoint = "packages/add_item")]
pub async fn add_package_item(id: i64, #[server(default)] item: String) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let item = item
        .parse::<i64>()
        .map_err(|_| AppError::field("item", "请选择要加入的事项"))?;
    ssr::edit(&crate::state::pool()?, &user, id, ssr::Edit::Add(item)).await?;
    leptos_axum::redirect(&format!("/packages/{id}"));
    Ok(())
}

#[server(endpoint = "packages/remove_item")]
pub async fn remove_package_item(id: i64, lineage: i64) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    ssr::edit(
        &crate::state::pool()?,
        &user,
        id,
        ssr::Edit::Remove(lineage),
    )
    .await?;
    leptos_axum::redirect(&format!("/packages/{id}"));
    Ok(())
}

#[server(endpoint = "packages/submit")]
pub async fn submit_package(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    ssr::edit(&crate::state::pool()?, &user, id, ssr::Edit::Submit).await?;
    leptos_axum::redirect(&format!("/packages/{id}"));
    Ok(())
}

/// Starts a new version of a filed package, with its items.
#[server(endpoint = "packages/revise")]
pub async fn revise_package(id: i64) -> Result<i64, AppError> {
    let user = crate::accounts::ssr::require_role(&[shared::Role::Manager]).await?;
    let new = ssr::revise(&crate::state::pool()?, &user, id).await?;
    leptos_axum::redirect(&format!("/packages/{new}"));
    Ok(new)
}

#[server(endpoint = "packages/public")]
pub async fn load_public_package(id: i64) -> Result<PublicPackage, AppError> {
    ssr::public(&crate::state::pool()?, id).await
}

/// The filed packages, for the catalog: (id, name, lead department).
#[server(endpoint = "packages/filed")]
pub async fn filed_packages() -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name, d.name FROM packages p JOIN departments d ON d.id = p.lead_department_id
         WHERE p.status = 'filed' ORDER BY p.name",
    )
    .fetch_all(&crate::state::pool()?)
    .await?)
}

// ---- Pages ----

/// `/packages`: the packages for managers (theirs to edit) and supervisors (to file).
#[component]
pub fn PackagesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_packages());
    let error = posted(&["packages/create"]);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide packages">
            <h1>"一件事一次办"</h1>
            <p class="hint">"把涉及多个部门的事项组合成“一件事”，由牵头部门负责：申请人填一张申请表、每份材料只交一次。提交县政务服务中心备案后公示。"</p>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|p| view! {
                        <table class="table">
                            <thead><tr><th>"名称"</th><th>"牵头部门"</th><th>"事项数"</th><th>"版本"</th><th>"状态"</th></tr></thead>
                            <tbody>{p.rows.into_iter().map(|r| view! {
                                <tr><td><a href=format!("/packages/{}", r.id)>{r.name}</a></td><td>{r.lead_department}</td>
                                    <td>{r.items}</td><td>{r.version}</td><td>{r.status.label()}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        {(!p.departments.is_empty()).then(|| view! {
                            <details class="raise" open=error.get_untracked().is_some()>
                                <summary>"新建“一件事”"</summary>
                                <form method="post" action="/api/packages/create" class="stack-form" novalidate>
                                    <label class="field"><span>"名称"</span><input type="text" name="name" maxlength="60"/><FieldMessage error field="name"/></label>
                                    <label class="field"><span>"牵头部门"</span>
                                        <select name="lead">{p.departments.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}</select>
                                        <FieldMessage error field="lead"/></label>
                                    <label class="field"><span>"说明"</span><textarea name="description" rows="2" maxlength="500"></textarea><FieldMessage error field="description"/></label>
                                    <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                                    <button type="submit" class="button primary">"新建草稿"</button>
                                </form>
                            </details>
                        })}
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/packages/:id`: one version: its items, editing, submitting, filing.
#[component]
pub fn PackagePage() -> impl IntoView {
    let data = crate::ui::route_resource("id", load_package);
    let error = posted(&[
        "packages/edit",
        "packages/add_item",
        "packages/remove_item",
        "packages/submit",
        "packages/revise",
        "filing/file",
        "filing/return",
    ]);
    view! {
        <crate::ui::SupervisionStyle/>
        <section class="card wide packages">
            <p class="breadcrumb"><a href="/packages">"一件事一次办"</a></p>
            <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
            <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    data.await.map(|p| view! { <PackageDetail p error/> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PackageDetail(p: PackageView, error: Signal<Option<AppError>>) -> impl IntoView {
    let id = p.id.to_string();
    let file = ServerAction::<crate::filing::FileVersion>::new();
    let ret = ServerAction::<crate::filing::ReturnVersion>::new();
    view! {
        <h1>{p.name.clone()}</h1>
        <p>{format!("牵头部门：{} · 第{}版 · ", p.lead_department, p.version)}<span class="badge package-status">{p.status.label()}</span></p>
        {p.returned_reason.clone().map(|r| view! { <p class="form-error">{format!("退回原因：{r}")}</p> })}
        {(!p.description.is_empty()).then(|| view! { <p>{p.description.clone()}</p> })}
        <h2>"包含的事项"</h2>
        <table class="table package-items">
            <thead><tr><th>"序号"</th><th>"事项"</th><th>"部门"</th>{p.may_edit.then(|| view! { <th></th> })}</tr></thead>
            <tbody>{p.items.iter().enumerate().map(|(i, it)| view! {
                <tr><td>{i + 1}</td><td>{it.name.clone()}</td><td>{it.department.clone()}
                    {(Some(p.lead_department_id) == it.department_id).then_some("（牵头）")}</td>
                    {p.may_edit.then(|| view! {
                        <td><form method="post" action="/api/packages/remove_item" class="inline-form">
                            <input type="hidden" name="id" value=id.clone()/>
                            <input type="hidden" name="lineage" value=it.lineage.to_string()/>
                            <button type="submit" class="button">"移除"</button>
                        </form></td>
                    })}
                </tr>
            }).collect_view()}</tbody>
        </table>
        <FieldMessage error field="items"/>
        {p.may_edit.then(|| view! {
            <form method="post" action="/api/packages/add_item" class="inline-form" novalidate>
                <input type="hidden" name="id" value=id.clone()/>
                <label>"加入事项 "<select name="item"><option value="">"请选择"</option>
                    {p.choices.iter().map(|(iid, name)| view! { <option value=iid.to_string()>{name.clone()}</option> }).collect_view()}
                </select></label>
                " "<button type="submit" class="button">"加入"</button>
                <FieldMessage error field="item"/>
            </form>
            <details class="raise">
                <summary>"修改名称和说明"</summary>
                <form method="post" action="/api/packages/edit" class="stack-form" novalidate>
                    <input type="hidden" name="id" value=id.clone()/>
                    <label class="field"><span>"名称"</span><input type="text" name="name" value=p.name.clone() maxlength="60"/><FieldMessage error field="name"/></label>
                    <label class="field"><span>"说明"</span><textarea name="description" rows="2" maxlength="500">{p.description.clone()}</textarea><FieldMessage error field="description"/></label>
                    <button type="submit" class="button">"保存"</button>
                </form>
            </details>
            <form method="post" action="/api/packages/submit" class="inline-form">
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" class="button primary">"提交县政务服务中心备案"</button>
            </form>
        })}
        {p.may_revise.then(|| view! {
            <form method="post" action="/api/packages/revise" class="inline-form">
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" class="button">"修订（新建草稿）"</button>
            </form>
        })}
        {p.may_decide.then(|| view! { <crate::filing::DecisionForms subject="package" id=p.id file ret/> })}
        {(p.status == FilingStatus::Filed).then(|| view! { <p><a href=format!("/one/{}", p.id)>"查看公示页面"</a></p> })}
        <crate::filing::FilingHistory events=p.history.clone()/>
    }
}

/// `/one/:id`: a filed package for the public: what it covers, the one checklist, apply.
#[component]
pub fn PublicPackagePage() -> impl IntoView {
    let data = crate::ui::route_resource("id", load_public_package);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => view! { <PublicPackageView p/> }.into_any(),
                    Err(e) => view! { <super::NotFoundCard error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PublicPackageView(p: PublicPackage) -> impl IntoView {
    view! {
        <article class="card item-page">
            <p class="breadcrumb"><a href="/catalog">"办事指南"</a></p>
            <h1>{p.name.clone()}</h1>
            <p class="item-meta"><span class="badge">"一件事一次办"</span>{format!(" 牵头部门：{}", p.lead_department)}</p>
            {(!p.description.is_empty()).then(|| view! { <p>{p.description.clone()}</p> })}
            <a class="button primary big" href=format!("/one/{}/apply", p.id)>"一次申请，全部办理"</a>
            <h2>"一并办理的事项"</h2>
            <ol class="materials">{p.items.into_iter().map(|i| view! {
                <li><strong>{match i.item_id {
                    Some(id) => view! { <a href=format!("/items/{id}")>{i.name.clone()}</a> }.into_any(),
                    None => view! { <span>{i.name.clone()}</span> }.into_any(),
                }}</strong><span class="material-meta">{i.department.clone()}</span></li>
            }).collect_view()}</ol>
            <h2>"需要准备的材料（每份只交一次）"</h2>
            <ol class="materials">{p.materials.into_iter().map(|m| view! {
                <li><strong>{m.name}</strong>
                    <span class="material-meta">{format!("{} {}份{}", m.form.label(), m.copies, if m.mandatory { "" } else { "（如有）" })}</span>
                    {(!m.notes.is_empty()).then(|| view! { <span class="material-note">{m.notes.clone()}</span> })}
                </li>
            }).collect_view()}</ol>
            <p class="hint">"各事项分别计算办理时限；结果默认一并送达，也可申请后改为分别送达。"</p>
        </article>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{PackageItem, PackageRow, PackageView, Packages, PublicPackage};
    use crate::accounts::ssr::User;
    use crate::error::AppError;
    use crate::filing::ssr::{record, Action, Subject};
    use crate::stored::Known;
    use shared::filing::FilingStatus;
    use shared::package::PackageDraft;
    use shared::Role;
    use sqlx::{PgPool, Postgres, Transaction};

    /// The departments `user` manages (a center's manager: every department of the center).
    pub async fn managed_departments(
        pool: &PgPool,
        user: &User,
    ) -> Result<Vec<(i64, String)>, AppError> {
        if user.role() != Role::Manager {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT d.id, d.name FROM departments d WHERE d.retired_at IS NULL AND {} ORDER BY d.name",
            crate::catalog::lists::managed(1)
        );
        Ok(sqlx::query_as(&sql)
            .bind(user.department_id)
            .bind(user.center_id)
            .fetch_all(pool)
            .await?)
    }

    pub async fn list(pool: &PgPool, user: &User) -> Result<Packages, AppError> {
        let departments = managed_departments(pool, user).await?;
        let ids: Vec<i64> = departments.iter().map(|d| d.0).collect();
        // Supervisors see every package; managers those their departments lead, and every
        // filed one.
        let rows: Vec<(i64, i32, String, String, Known<FilingStatus>, i64)> = sqlx::query_as(
            "SELECT p.id, p.version, p.name, d.name, p.status,
                    (SELECT count(*) FROM package_items pi WHERE pi.package_id = p.id)
             FROM packages p JOIN departments d ON d.id = p.lead_department_id
             WHERE p.status <> 'superseded'
               AND ($1 OR p.status = 'filed' OR p.lead_department_id = ANY($2))
             ORDER BY p.name, p.version",
        )
        .bind(user.role() == Role::Supervisor)
        .bind(&ids)
        .fetch_all(pool)
        .await?;
        Ok(Packages {
            rows: rows
                .into_iter()
                .map(|(id, version, name, lead, status, items)| PackageRow {
                    id,
                    version,
                    name,
                    lead_department: lead,
                    status: status.0,
                    items,
                })
                .collect(),
            departments,
        })
    }

    pub async fn create(
        pool: &PgPool,
        user: &User,
        lead: i64,
        draft: &PackageDraft,
    ) -> Result<i64, AppError> {
        if !managed_departments(pool, user)
            .await?
            .iter()
            .any(|d| d.0 == lead)
        {
            return Err(AppError::field(
                "lead",
                "只能为本单位管理的部门新建“一件事”",
            ));
        }
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO packages (version, name, description, lead_department_id, status)
             VALUES (1, $1, $2, $3, 'draft') RETURNING id",
        )
        .bind(&draft.name)
        .bind(&draft.description)
        .bind(lead)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            Subject::Package,
            id,
            Action::DraftStarted,
            user.id,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The package version, locked, if `user` manages its lead department.
    async fn managed(
        tx: &mut Transaction<'_, Postgres>,
        user: &User,
        id: i64,
    ) -> Result<(FilingStatus, i64, i64), AppError> {
        let sql = format!(
            "SELECT p.status, p.lead_department_id, p.lineage FROM packages p
             JOIN departments d ON d.id = p.lead_department_id
             WHERE p.id = $1 AND {} FOR UPDATE OF p",
            crate::catalog::lists::managed(2)
        );
        let row: Option<(Known<FilingStatus>, i64, i64)> = sqlx::query_as(&sql)
            .bind(id)
            .bind(user.department_id)
            .bind(user.center_id)
            .fetch_optional(&mut **tx)
            .await?;
        let (status, lead, lineage) = row.ok_or(AppError::NotFound)?;
        Ok((status.0, lead, lineage))
    }

    pub enum Edit<'a> {
        Describe(&'a PackageDraft),
        Add(i64),
        Remove(i64),
        Submit,
    }

    /// Changes the open version the manager's department leads: all or nothing.
    pub async fn edit(pool: &PgPool, user: &User, id: i64, edit: Edit<'_>) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        let (status, lead, _) = managed(&mut tx, user, id).await?;
        if let Edit::Submit = edit {
            let departments: Vec<i64> = sqlx::query_scalar(
                "SELECT l.department_id FROM package_items pi
                 JOIN service_items i ON i.lineage = pi.item_lineage
                 JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
                 WHERE pi.package_id = $1 ORDER BY pi.seq",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            shared::package::ready_to_file(lead, &departments)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            crate::filing::ssr::submit(&mut tx, Subject::Package, id, status, user).await?;
            tx.commit().await?;
            return Ok(());
        }
        if !status.editable() {
            return Err(AppError::Rejected(format!(
                "“一件事”当前为“{}”，不能修改；请先修订",
                status.label()
            )));
        }
        match edit {
            Edit::Describe(d) => {
                sqlx::query("UPDATE packages SET name = $2, description = $3 WHERE id = $1")
                    .bind(id)
                    .bind(&d.name)
                    .bind(&d.description)
                    .execute(&mut *tx)
                    .await?;
            }
            Edit::Add(item) => {
                let lineage: Option<i64> = sqlx::query_scalar(
                    "SELECT i.lineage FROM service_items i
                     JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed' WHERE i.id = $1",
                )
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?;
                let lineage =
                    lineage.ok_or_else(|| AppError::field("item", "只能加入已公示的事项"))?;
                let added = sqlx::query(
                    "INSERT INTO package_items (package_id, seq, item_lineage)
                     SELECT $1, coalesce(max(seq), 0) + 1, $2 FROM package_items WHERE package_id = $1
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(lineage)
                .execute(&mut *tx)
                .await?;
                if added.rows_affected() == 0 {
                    return Err(AppError::field("item", "该事项已在“一件事”中"));
                }
            }
            Edit::Remove(lineage) => {
                sqlx::query(
                    "DELETE FROM package_items WHERE package_id = $1 AND item_lineage = $2",
                )
                .bind(id)
                .bind(lineage)
                .execute(&mut *tx)
                .await?;
            }
            Edit::Submit => unreachable!("handled above"),
        }
        if status == FilingStatus::Returned {
            sqlx::query("UPDATE packages SET status = 'draft' WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A new open version of the filed package `id`, with its items; answers its id.
    pub async fn revise(pool: &PgPool, user: &User, id: i64) -> Result<i64, AppError> {
        let mut tx = pool.begin().await?;
        let (status, _, lineage) = managed(&mut tx, user, id).await?;
        if status != FilingStatus::Filed {
            return Err(AppError::Rejected("只能修订已备案的版本".into()));
        }
        let inserted = sqlx::query_scalar(
            "INSERT INTO packages (lineage, version, name, description, lead_department_id, status)
             SELECT lineage, (SELECT max(version) + 1 FROM packages WHERE lineage = $2), name, description,
                    lead_department_id, 'draft'
             FROM packages WHERE id = $1 RETURNING id",
        )
        .bind(id)
        .bind(lineage)
        .fetch_one(&mut *tx)
        .await;
        let new: i64 = match inserted {
            Ok(new) => new,
            Err(sqlx::Error::Database(e)) if e.constraint() == Some("packages_one_open") => {
                return Err(AppError::Rejected("已有修订中的版本".into()))
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query(
            "INSERT INTO package_items (package_id, seq, item_lineage)
             SELECT $2, seq, item_lineage FROM package_items WHERE package_id = $1",
        )
        .bind(id)
        .bind(new)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            Subject::Package,
            new,
            Action::DraftStarted,
            user.id,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The package's items, each as its current public version.
    pub async fn items<'e, E: sqlx::PgExecutor<'e>>(
        db: E,
        id: i64,
    ) -> Result<Vec<PackageItem>, AppError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            lineage: i64,
            item_id: Option<i64>,
            name: Option<String>,
            department: Option<String>,
            department_id: Option<i64>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT pi.item_lineage AS lineage, cur.id AS item_id, cur.name, cur.department,
                    cur.department_id
             FROM package_items pi
             LEFT JOIN LATERAL (
                 SELECT i.id, i.name, d.name AS department, d.id AS department_id FROM service_items i
                 JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
                 JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
                 WHERE i.lineage = pi.item_lineage LIMIT 1) cur ON true
             WHERE pi.package_id = $1 ORDER BY pi.seq",
        )
        .bind(id)
        .fetch_all(db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PackageItem {
                lineage: r.lineage,
                item_id: r.item_id,
                name: r
                    .name
                    .unwrap_or_else(|| "（该事项已不在公示清单中）".into()),
                department: r.department.unwrap_or_default(),
                department_id: r.department_id,
            })
            .collect())
    }

    pub async fn view(pool: &PgPool, user: &User, id: i64) -> Result<PackageView, AppError> {
        #[allow(clippy::type_complexity)]
        let row: Option<(
            i32,
            String,
            String,
            i64,
            String,
            Known<FilingStatus>,
            Option<String>,
            bool,
        )> = sqlx::query_as(
            "SELECT p.version, p.name, p.description, p.lead_department_id, d.name, p.status,
                        p.returned_reason,
                        EXISTS (SELECT 1 FROM packages o WHERE o.lineage = p.lineage
                                AND o.status IN ('draft', 'submitted', 'returned'))
                 FROM packages p JOIN departments d ON d.id = p.lead_department_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let (version, name, description, lead, lead_name, status, returned_reason, open_exists) =
            row.ok_or(AppError::NotFound)?;
        let status = status.0;
        let manages = managed_departments(pool, user)
            .await?
            .iter()
            .any(|d| d.0 == lead);
        // A manager of another unit sees only filed packages, like the public.
        if user.role() == Role::Manager && !manages && status != FilingStatus::Filed {
            return Err(AppError::NotFound);
        }
        let may_edit = manages && status.editable();
        let choices: Vec<(i64, String)> = if may_edit {
            sqlx::query_as(
                "SELECT i.id, i.name || '（' || d.name || '）' FROM service_items i
                 JOIN item_lists l ON l.id = i.list_id AND l.status = 'filed'
                 JOIN departments d ON d.id = l.department_id AND d.retired_at IS NULL
                 WHERE NOT EXISTS (SELECT 1 FROM package_items pi WHERE pi.package_id = $1
                                   AND pi.item_lineage = i.lineage)
                 ORDER BY d.name, i.seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        } else {
            Vec::new()
        };
        Ok(PackageView {
            id,
            version,
            name,
            description,
            lead_department_id: lead,
            lead_department: lead_name,
            status,
            returned_reason,
            items: items(pool, id).await?,
            may_edit,
            may_revise: manages && status == FilingStatus::Filed && !open_exists,
            may_decide: user.role() == Role::Supervisor && status == FilingStatus::Submitted,
            choices,
            history: crate::filing::ssr::history(pool, Subject::Package, id).await?,
        })
    }

    /// The filed package `id` with its one checklist; `NotFound` for anything not filed.
    pub async fn public(pool: &PgPool, id: i64) -> Result<PublicPackage, AppError> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT p.name, p.description, d.name FROM packages p
             JOIN departments d ON d.id = p.lead_department_id
             WHERE p.id = $1 AND p.status = 'filed'",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let (name, description, lead) = row.ok_or(AppError::NotFound)?;
        let items = items(pool, id).await?;
        let materials = checklist(pool, &items).await?;
        Ok(PublicPackage {
            id,
            name,
            description,
            lead_department: lead,
            items,
            materials,
        })
    }

    /// The package's one checklist: each item's materials merged by name
    /// (`shared::package::merge_materials`).
    pub async fn checklist(
        pool: &PgPool,
        items: &[PackageItem],
    ) -> Result<Vec<super::Material>, AppError> {
        let mut lists = Vec::new();
        let mut notes: Vec<(String, String, String)> = Vec::new();
        for item in items {
            let Some(item_id) = item.item_id else {
                continue;
            };
            let (materials, _) =
                crate::catalog::ssr::item_parts(&mut *pool.acquire().await?, item_id).await?;
            lists.push(
                materials
                    .iter()
                    .map(|m| shared::package::MaterialLine {
                        name: m.name.clone(),
                        form: m.form,
                        copies: m.copies,
                        mandatory: m.mandatory,
                    })
                    .collect::<Vec<_>>(),
            );
            for m in materials {
                if !notes.iter().any(|n| n.0 == m.name) {
                    notes.push((m.name, m.notes, m.source));
                }
            }
        }
        Ok(shared::package::merge_materials(&lists)
            .into_iter()
            .map(|m| {
                let (_, note, source) = notes
                    .iter()
                    .find(|n| n.0 == m.line.name)
                    .cloned()
                    .unwrap_or_default();
                super::Material {
                    name: m.line.name,
                    form: m.line.form,
                    copies: m.line.copies,
                    mandatory: m.line.mandatory,
                    notes: note,
                    source,
                }
            })
            .collect())
    }
}
