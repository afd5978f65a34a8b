//! Staff accounts, created by an administrator (applicants register themselves).

use crate::error::AppError;
use crate::ui::{action_error, FieldMessage, FormError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::Role;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StaffRow {
    pub id: i64,
    pub login_name: String,
    pub display_name: String,
    pub role: String,
    pub phone: String,
    pub center_name: Option<String>,
    pub department_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CenterChoice {
    pub id: i64,
    pub name: String,
    pub departments: Vec<(i64, String)>,
}

#[server(endpoint = "admin/staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    super::ssr::require_role(&[Role::Admin]).await?;
    Ok(sqlx::query_as::<_, StaffRow>(
        "SELECT a.id, a.login_name, a.display_name, a.role, a.phone,
                c.name AS center_name, d.name AS department_name
         FROM accounts a
         LEFT JOIN centers c ON c.id = a.center_id
         LEFT JOIN departments d ON d.id = a.department_id
         WHERE a.role <> 'applicant'
         ORDER BY c.id NULLS FIRST, a.role, a.login_name",
    )
    .fetch_all(&crate::state::pool()?)
    .await?)
}

#[server(endpoint = "admin/centers")]
pub async fn list_center_choices() -> Result<Vec<CenterChoice>, AppError> {
    super::ssr::require_role(&[Role::Admin]).await?;
    let pool = crate::state::pool()?;
    let centers: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM centers WHERE retired_at IS NULL ORDER BY id")
            .fetch_all(&pool)
            .await?;
    let departments: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, center_id, name FROM departments WHERE retired_at IS NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await?;
    Ok(centers
        .into_iter()
        .map(|(id, name)| CenterChoice {
            id,
            name,
            departments: departments
                .iter()
                .filter(|d| d.1 == id)
                .map(|d| (d.0, d.2.clone()))
                .collect(),
        })
        .collect())
}

#[server(endpoint = "admin/create_staff")]
pub async fn create_staff(
    login_name: String,
    display_name: String,
    phone: String,
    role: String,
    center_id: String,
    department_id: String,
    password: String,
) -> Result<i64, AppError> {
    use shared::{DisplayName, LoginName, MobilePhone, Password};
    let admin = super::ssr::require_role(&[Role::Admin]).await?;
    let pool = crate::state::pool()?;

    let mut errors = crate::error::FieldErrors::default();
    let login = errors.check("login_name", LoginName::parse(&login_name));
    if login
        .as_ref()
        .is_some_and(|l| MobilePhone::parse(l.as_str()).is_ok())
    {
        errors.add(
            "login_name",
            "工作人员账号请用字母开头的工号，手机号留给申请人登录",
        );
    }
    let name = errors.check("display_name", DisplayName::parse(&display_name));
    let phone = errors.check("phone", MobilePhone::parse(&phone));
    let password = errors.check("password", Password::parse(&password));
    let role = Role::parse(&role).filter(|r| r.is_staff());
    if role.is_none() {
        errors.add("role", "请选择工作人员角色");
    }
    let center_id: Option<i64> = center_id.trim().parse().ok();
    let department_id: Option<i64> = match department_id.trim() {
        "" => None,
        d => match d.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("department_id", "所选部门无效");
                None
            }
        },
    };
    match center_id {
        None => errors.add("center_id", "请选择所属中心"),
        Some(c) => {
            let ok: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM centers WHERE id = $1 AND retired_at IS NULL)",
            )
            .bind(c)
            .fetch_one(&pool)
            .await?;
            if !ok {
                errors.add("center_id", "所选中心不存在或已撤销");
            } else if let Some(d) = department_id {
                let ok: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM departments
                     WHERE id = $1 AND center_id = $2 AND retired_at IS NULL)",
                )
                .bind(d)
                .bind(c)
                .fetch_one(&pool)
                .await?;
                if !ok {
                    errors.add("department_id", "所选部门不属于该中心");
                }
            }
        }
    }
    errors.into_result()?;
    let (Some(login), Some(name), Some(phone), Some(password), Some(role), Some(center_id)) =
        (login, name, phone, password, role, center_id)
    else {
        return Err(AppError::Internal);
    };

    let hash = super::ssr::hash_password(password.expose().to_string()).await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO accounts
            (role, login_name, display_name, phone, password_hash, center_id, department_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(role.as_str())
    .bind(login.as_str())
    .bind(name.as_str())
    .bind(phone.as_str())
    .bind(&hash)
    .bind(center_id)
    .bind(department_id)
    .bind(admin.id)
    .fetch_one(&pool)
    .await;
    match inserted {
        Ok(id) => {
            tracing::info!(
                admin = admin.id,
                account = id,
                role = role.as_str(),
                "staff account created"
            );
            Ok(id)
        }
        Err(e) => Err(e.into()),
    }
}

// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn AdminPage() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let staff = Resource::new(move || create.version().get(), |_| list_staff());
    let centers = Resource::new(|| (), |_| list_center_choices());
    let error = action_error(create);
    let (center, set_center) = signal(String::new());

    view! {
        <section class="card wide">
            <h1>"系统管理：工作人员账号"</h1>
            <p><a href="/admin/organization" class="button">"组织机构（中心、部门、窗口）"</a></p>
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    staff.await.map(|rows| view! {
                        <table class="data-table">
                            <thead><tr>
                                <th>"账号"</th><th>"姓名"</th><th>"角色"</th><th>"电话"</th>
                                <th>"所属中心"</th><th>"部门"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td>{r.login_name}</td>
                                        <td>{r.display_name}</td>
                                        <td>{Role::parse(&r.role).map(Role::label).unwrap_or("")}</td>
                                        <td>{r.phone}</td>
                                        <td>{r.center_name.unwrap_or_default()}</td>
                                        <td>{r.department_name.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })
                })}
            </Transition>
        </section>
        <section class="card wide">
            <h2>"新建工作人员账号"</h2>
            <ActionForm action=create attr:class="grid-form" attr:novalidate=true>
                <FormError error=Signal::derive(move || error.get().filter(|e| !e.is_field_error()))/>
                <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                    <p class="form-ok" role="status">"账号已创建"</p>
                </Show>
                <label class="field"><span>"登录账号（工号）"</span>
                    <input type="text" name="login_name" required/>
                    <FieldMessage error=error field="login_name"/></label>
                <label class="field"><span>"姓名"</span>
                    <input type="text" name="display_name" required/>
                    <FieldMessage error=error field="display_name"/></label>
                <label class="field"><span>"手机号码"</span>
                    <input type="tel" name="phone" required/>
                    <FieldMessage error=error field="phone"/></label>
                <label class="field"><span>"角色"</span>
                    <select name="role" required>
                        {Role::ALL.into_iter().filter(|r| r.is_staff()).map(|r| view! {
                            <option value=r.as_str()>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <FieldMessage error=error field="role"/></label>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        centers.await.map(|list| {
                            let list = StoredValue::new(list);
                            view! {
                                <label class="field"><span>"所属中心"</span>
                                    <select name="center_id" required
                                        on:change=move |ev| set_center.set(event_target_value(&ev))>
                                        <option value="">"请选择"</option>
                                        {list.get_value().into_iter().map(|c| view! {
                                            <option value=c.id.to_string()>{c.name}</option>
                                        }).collect_view()}
                                    </select>
                                    <FieldMessage error=error field="center_id"/></label>
                                <label class="field"><span>"部门（可不选）"</span>
                                    <select name="department_id">
                                        <option value="">"不属于部门"</option>
                                        {move || {
                                            let chosen = center.get();
                                            list.get_value().into_iter()
                                                .filter(|c| c.id.to_string() == chosen)
                                                .flat_map(|c| c.departments)
                                                .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                                                .collect_view()
                                        }}
                                    </select>
                                    <FieldMessage error=error field="department_id"/></label>
                            }
                        })
                    })}
                </Transition>
                <label class="field"><span>"初始密码"</span>
                    <input type="password" name="password" autocomplete="new-password" required/>
                    <FieldMessage error=error field="password"/></label>
                <button type="submit" class="button primary">"创建账号"</button>
            </ActionForm>
        </section>
    }
}
