//! The organization, kept by administrators: centers as a tree (county center → sub-halls and
//! township centers → village and community stations), stationed departments and windows.
//! Nothing is ever deleted, only retired, because cases refer to it.

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CenterNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub retired: bool,
    pub departments: Vec<(i64, String, bool)>,
    pub windows: Vec<(i64, String, bool)>,
}

pub fn center_kind_label(kind: &str) -> &'static str {
    match kind {
        "county_center" => "县级行政审批服务中心",
        "sub_hall" => "分大厅",
        "township_center" => "乡镇便民服务中心",
        "village_station" => "村（社区）便民服务站",
        _ => "服务中心",
    }
}

/// Which kind of center may sit under which.
pub fn allowed_parent(kind: &str, parent_kind: Option<&str>) -> Result<(), &'static str> {
    match (kind, parent_kind) {
        ("county_center", None) => Ok(()),
        ("county_center", Some(_)) => Err("县级中心不能有上级中心"),
        ("sub_hall" | "township_center", Some("county_center")) => Ok(()),
        ("sub_hall" | "township_center", _) => Err("分大厅和乡镇中心的上级应为县级中心"),
        ("village_station", Some("township_center")) => Ok(()),
        ("village_station", _) => Err("村（社区）便民服务站的上级应为乡镇中心"),
        _ => Err("请选择中心类型"),
    }
}

#[server(endpoint = "org/tree")]
pub async fn org_tree() -> Result<Vec<CenterNode>, AppError> {
    crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    ssr::tree(&crate::state::pool()?).await
}

#[server(endpoint = "org/create_center")]
pub async fn create_center(
    name: String,
    kind: String,
    parent_id: String,
    address: String,
    phone: String,
) -> Result<i64, AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let detail = serde_json::json!({ "name": name, "kind": kind, "parent_id": parent_id });
    crate::audit::ssr::audited(&admin, "org.create_center", detail, async |db| {
        let id =
            ssr::create_center(db, admin.id, &name, &kind, &parent_id, &address, &phone).await?;
        Ok((format!("center:{id}"), id))
    })
    .await
}

#[server(endpoint = "org/rename")]
pub async fn rename(what: String, id: i64, name: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let detail = serde_json::json!({ "name": name });
    crate::audit::ssr::audited(&admin, "org.rename", detail, async |db| {
        ssr::rename(db, &what, id, &name).await?;
        Ok((format!("{what}:{id}"), ()))
    })
    .await
}

#[server(endpoint = "org/move_center")]
pub async fn move_center(id: i64, parent_id: i64) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let detail = serde_json::json!({ "parent_id": parent_id });
    crate::audit::ssr::audited(&admin, "org.move_center", detail, async |db| {
        ssr::move_center(db, id, parent_id).await?;
        Ok((format!("center:{id}"), ()))
    })
    .await
}

#[server(endpoint = "org/retire")]
pub async fn retire(what: String, id: i64) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    crate::audit::ssr::audited(&admin, "org.retire", serde_json::json!({}), async |db| {
        ssr::retire(db, &what, id).await?;
        Ok((format!("{what}:{id}"), ()))
    })
    .await
}

#[server(endpoint = "org/add_unit")]
pub async fn add_unit(what: String, center_id: i64, name: String) -> Result<i64, AppError> {
    let admin = crate::accounts::ssr::require_role(&[shared::Role::Admin]).await?;
    let detail = serde_json::json!({ "center_id": center_id, "name": name });
    crate::audit::ssr::audited(&admin, "org.add_unit", detail, async |db| {
        let id = ssr::add_unit(db, &what, center_id, &name).await?;
        Ok((format!("{what}:{id}"), id))
    })
    .await
}

#[derive(Clone, Copy)]
struct OrgActions {
    rename: ServerAction<Rename>,
    retire: ServerAction<Retire>,
    add: ServerAction<AddUnit>,
    move_to: ServerAction<MoveCenter>,
}

// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn OrganizationPage() -> impl IntoView {
    let create = ServerAction::<CreateCenter>::new();
    let actions = OrgActions {
        rename: ServerAction::new(),
        retire: ServerAction::new(),
        add: ServerAction::new(),
        move_to: ServerAction::new(),
    };
    let tree = Resource::new(
        move || {
            (
                create.version().get(),
                actions.rename.version().get(),
                actions.retire.version().get(),
                actions.add.version().get(),
                actions.move_to.version().get(),
            )
        },
        |_| org_tree(),
    );
    let create_error = action_error(create);
    let other_error = Signal::derive(move || {
        action_error(actions.rename)
            .get()
            .or_else(|| action_error(actions.retire).get())
            .or_else(|| action_error(actions.add).get())
            .or_else(|| action_error(actions.move_to).get())
    });
    view! {
        <section class="card wide">
            <h1>"组织机构"</h1>
            <p class="hint">"中心、入驻部门和窗口只能撤销，不能删除：已有代办件引用它们。"</p>
            <FormError error=other_error/>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    tree.await.map(|nodes| {
                        let parents: Vec<(i64, String)> = nodes
                            .iter()
                            .filter(|c| !c.retired && c.kind != "village_station" && c.kind != "sub_hall")
                            .map(|c| (c.id, c.name.clone()))
                            .collect();
                        view! {
                            {nodes.into_iter().map(|c| view! {
                                <CenterBlock center=c parents=parents.clone() actions/>
                            }).collect_view()}
                            <section class="org-new">
                                <h2>"新增中心"</h2>
                                <ActionForm action=create attr:class="grid-form" attr:novalidate=true>
                                    <FormError error=Signal::derive(move || create_error.get().filter(|e| !e.is_field_error()))/>
                                    <label class="field"><span>"名称"</span><input name="name"/>
                                        <FieldMessage error=create_error field="name"/></label>
                                    <label class="field"><span>"类型"</span>
                                        <select name="kind">
                                            <option value="township_center">"乡镇便民服务中心"</option>
                                            <option value="village_station">"村（社区）便民服务站"</option>
                                            <option value="sub_hall">"分大厅"</option>
                                        </select>
                                        <FieldMessage error=create_error field="kind"/></label>
                                    <label class="field"><span>"上级中心"</span>
                                        <select name="parent_id">
                                            <option value="">"请选择"</option>
                                            {parents.iter().map(|(id, name)| view! {
                                                <option value=id.to_string()>{name.clone()}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldMessage error=create_error field="parent_id"/></label>
                                    <label class="field"><span>"地址"</span><input name="address"/>
                                        <FieldMessage error=create_error field="address"/></label>
                                    <label class="field"><span>"电话"</span><input name="phone"/></label>
                                    <button type="submit" class="button primary">"新增"</button>
                                </ActionForm>
                            </section>
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

/// One center: rename, move, retire; its departments and windows, each renamed or retired.
#[component]
fn CenterBlock(
    center: CenterNode,
    parents: Vec<(i64, String)>,
    actions: OrgActions,
) -> impl IntoView {
    let c = center;
    let id = c.id;
    let live = !c.retired;
    view! {
        <section class="org-center" class:retired=c.retired data-center=c.name.clone()>
            <div class="org-head">
                <RenameForm what="center" id name=c.name.clone() live action=actions.rename label="中心名称"/>
                <span class="badge">{center_kind_label(&c.kind)}{c.retired.then_some("（已撤销）")}</span>
                {(live && c.kind != "county_center").then(|| view! {
                    <ActionForm action=actions.move_to attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <select name="parent_id" aria-label="上级中心">
                            {parents.iter().filter(|(p, _)| *p != id).map(|(p, name)| view! {
                                <option value=p.to_string() selected=Some(*p) == c.parent_id>{name.clone()}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" class="button small">"调整上级"</button>
                    </ActionForm>
                    <RetireForm what="center" id action=actions.retire/>
                })}
            </div>
            {[("department", "入驻部门", c.departments), ("window", "窗口", c.windows)].into_iter().map(|(what, title, units)| view! {
                <div class="org-units" data-kind=what>
                    <h3>{title}</h3>
                    <ul class="plain">
                        {units.into_iter().map(|(uid, name, retired)| view! {
                            <li class:retired=retired>
                                <RenameForm what id=uid name live=live && !retired action=actions.rename label=title/>
                                {retired.then_some("（已撤销）")}
                                {(live && !retired).then(|| view! { <RetireForm what id=uid action=actions.retire/> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    {live.then(|| view! {
                        <ActionForm action=actions.add attr:class="inline-form">
                            <input type="hidden" name="what" value=what/>
                            <input type="hidden" name="center_id" value=id.to_string()/>
                            <input name="name" placeholder=format!("新{title}名称") aria-label=format!("新{title}名称")/>
                            <button type="submit" class="button small">{format!("添加{title}")}</button>
                        </ActionForm>
                    })}
                </div>
            }).collect_view()}
        </section>
    }
}

#[component]
fn RenameForm(
    what: &'static str,
    id: i64,
    name: String,
    live: bool,
    action: ServerAction<Rename>,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="what" value=what/>
            <input type="hidden" name="id" value=id.to_string()/>
            <input name="name" value=name aria-label=label disabled=!live/>
            {live.then(|| view! { <button type="submit" class="button small">"改名"</button> })}
        </ActionForm>
    }
}

#[component]
fn RetireForm(what: &'static str, id: i64, action: ServerAction<Retire>) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="what" value=what/>
            <input type="hidden" name="id" value=id.to_string()/>
            <button type="submit" class="button small danger">"撤销"</button>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{allowed_parent, CenterNode};
    use crate::error::{AppError, FieldErrors};
    use sqlx::PgPool;

    fn unit_name(name: &str, field: &str) -> Result<String, AppError> {
        let n = name.trim();
        match n.chars().count() {
            0 => Err(AppError::field(field, "请填写名称")),
            1 => Err(AppError::field(field, "名称至少2个字")),
            c if c > 60 => Err(AppError::field(field, "名称不能超过60个字")),
            _ => Ok(n.to_string()),
        }
    }

    pub async fn tree(pool: &PgPool) -> Result<Vec<CenterNode>, AppError> {
        let centers: Vec<(i64, Option<i64>, String, String, bool)> = sqlx::query_as(
            "SELECT id, parent_id, kind, name, retired_at IS NOT NULL FROM centers
             ORDER BY CASE kind WHEN 'county_center' THEN 0 WHEN 'sub_hall' THEN 1 WHEN 'township_center' THEN 2 ELSE 3 END, id",
        )
        .fetch_all(pool)
        .await?;
        let departments: Vec<(i64, i64, String, bool)> = sqlx::query_as(
            "SELECT id, center_id, name, retired_at IS NOT NULL FROM departments ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let windows: Vec<(i64, i64, String, bool)> = sqlx::query_as(
            "SELECT id, center_id, name, retired_at IS NOT NULL FROM windows ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let of = |rows: &[(i64, i64, String, bool)], c: i64| {
            rows.iter()
                .filter(|r| r.1 == c)
                .map(|r| (r.0, r.2.clone(), r.3))
                .collect()
        };
        Ok(centers
            .into_iter()
            .map(|(id, parent_id, kind, name, retired)| CenterNode {
                id,
                parent_id,
                kind,
                name,
                retired,
                departments: of(&departments, id),
                windows: of(&windows, id),
            })
            .collect())
    }

    async fn parent_kind(
        db: &mut sqlx::PgConnection,
        parent: Option<i64>,
    ) -> Result<Option<String>, AppError> {
        match parent {
            None => Ok(None),
            Some(p) => {
                sqlx::query_scalar("SELECT kind FROM centers WHERE id = $1 AND retired_at IS NULL")
                    .bind(p)
                    .fetch_optional(db)
                    .await?
                    .map(Some)
                    .ok_or_else(|| AppError::field("parent_id", "上级中心不存在或已撤销"))
            }
        }
    }

    pub async fn create_center(
        db: &mut sqlx::PgConnection,
        admin: i64,
        name: &str,
        kind: &str,
        parent: &str,
        address: &str,
        phone: &str,
    ) -> Result<i64, AppError> {
        let mut errors = FieldErrors::default();
        let name = match unit_name(name, "name") {
            Ok(n) => Some(n),
            Err(e) => {
                errors.add("name", e.for_field("name").unwrap_or_default());
                None
            }
        };
        let parent: Option<i64> = match parent.trim() {
            "" => None,
            p => match p.parse() {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("parent_id", "上级中心编号应为数字");
                    None
                }
            },
        };
        if address.chars().count() > 200 {
            errors.add("address", "地址不能超过200个字");
        }
        errors.into_result()?;
        let parent_kind = parent_kind(&mut *db, parent).await?;
        allowed_parent(kind, parent_kind.as_deref()).map_err(|m| AppError::field("kind", m))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO centers (name, kind, parent_id, address, phone) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .bind(parent)
        .bind(address.trim())
        .bind(phone.trim())
        .fetch_one(&mut *db)
        .await
        ?;
        tracing::info!(admin, center = id, "center created");
        Ok(id)
    }

    /// The table for `what`, from a closed list (never from the request itself).
    fn table(what: &str) -> Result<&'static str, AppError> {
        match what {
            "center" => Ok("centers"),
            "department" => Ok("departments"),
            "window" => Ok("windows"),
            _ => Err(AppError::Rejected("未知的机构类型".into())),
        }
    }

    pub async fn rename(
        db: &mut sqlx::PgConnection,
        what: &str,
        id: i64,
        name: &str,
    ) -> Result<(), AppError> {
        let name = unit_name(name, "name")?;
        let sql = format!(
            "UPDATE {} SET name = $2 WHERE id = $1 AND retired_at IS NULL",
            table(what)?
        );
        let done = sqlx::query(&sql)
            .bind(id)
            .bind(name)
            .execute(&mut *db)
            .await?;
        if done.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    pub async fn move_center(
        db: &mut sqlx::PgConnection,
        id: i64,
        parent: i64,
    ) -> Result<(), AppError> {
        let kind: String =
            sqlx::query_scalar("SELECT kind FROM centers WHERE id = $1 AND retired_at IS NULL")
                .bind(id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(AppError::NotFound)?;
        let parent_kind = parent_kind(&mut *db, Some(parent)).await?;
        allowed_parent(&kind, parent_kind.as_deref())
            .map_err(|m| AppError::field("parent_id", m))?;
        sqlx::query("UPDATE centers SET parent_id = $2 WHERE id = $1")
            .bind(id)
            .bind(parent)
            .execute(&mut *db)
            .await?;
        Ok(())
    }

    /// Retires a center, department or window. A center with stations still in service under it
    /// cannot be retired: they would be orphaned.
    pub async fn retire(db: &mut sqlx::PgConnection, what: &str, id: i64) -> Result<(), AppError> {
        let table = table(what)?;
        if table == "centers" {
            let children: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM centers WHERE parent_id = $1 AND retired_at IS NULL",
            )
            .bind(id)
            .fetch_one(&mut *db)
            .await?;
            if children > 0 {
                return Err(AppError::Rejected(
                    "该中心下还有在用的下级中心，请先撤销或移走它们".into(),
                ));
            }
        }
        let sql =
            format!("UPDATE {table} SET retired_at = now() WHERE id = $1 AND retired_at IS NULL");
        if sqlx::query(&sql)
            .bind(id)
            .execute(&mut *db)
            .await?
            .rows_affected()
            == 0
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    pub async fn add_unit(
        db: &mut sqlx::PgConnection,
        what: &str,
        center: i64,
        name: &str,
    ) -> Result<i64, AppError> {
        let name = unit_name(name, "name")?;
        let table = match table(what)? {
            "centers" => return Err(AppError::Rejected("请用“新增中心”".into())),
            t => t,
        };
        let sql = format!(
            "INSERT INTO {table} (center_id, name)
             SELECT id, $2 FROM centers WHERE id = $1 AND retired_at IS NULL RETURNING id"
        );
        sqlx::query_scalar(&sql)
            .bind(center)
            .bind(name)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(AppError::NotFound)
    }
}
