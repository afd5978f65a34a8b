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
    pub disabled: bool,
    pub locked: bool,
    pub must_change_password: bool,
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
                c.name AS center_name, d.name AS department_name,
                a.disabled_at IS NOT NULL AS disabled,
                COALESCE(a.locked_until > now(), false) AS locked,
                a.must_change_password
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
    let mut tx = pool.begin().await?;
    // The administrator chose the password: the person replaces it at first login.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts
            (role, login_name, display_name, phone, password_hash, center_id, department_id,
             created_by, must_change_password)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING id",
    )
    .bind(role.as_str())
    .bind(login.as_str())
    .bind(name.as_str())
    .bind(phone.as_str())
    .bind(&hash)
    .bind(center_id)
    .bind(department_id)
    .bind(admin.id)
    .fetch_one(&mut *tx)
    .await?;
    let detail = serde_json::json!({
        "login_name": login.as_str(), "role": role.as_str(),
        "center_id": center_id, "department_id": department_id,
    });
    let who = crate::audit::ssr::Who::user(&admin).await;
    crate::audit::ssr::record(
        &mut *tx,
        &who,
        "staff.create",
        &format!("account:{id}"),
        detail,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        admin = admin.id,
        account = id,
        role = role.as_str(),
        "staff account created"
    );
    Ok(id)
}

/// Disables, enables or unlocks a staff account. Disabling ends its sessions at once (a
/// session's account is looked up on every request); an administrator cannot disable
/// themselves.
#[server(endpoint = "admin/staff_status")]
pub async fn set_staff_status(id: i64, action: String) -> Result<(), AppError> {
    let admin = super::ssr::require_role(&[Role::Admin]).await?;
    let sql = match action.as_str() {
        "disable" if id == admin.id => {
            return Err(AppError::Rejected("不能停用自己的账号".into()))
        }
        "disable" => "UPDATE accounts SET disabled_at = now() WHERE id = $1 AND role <> 'applicant' AND disabled_at IS NULL",
        "enable" => "UPDATE accounts SET disabled_at = NULL, failed_logins = 0, locked_until = NULL WHERE id = $1 AND role <> 'applicant'",
        "unlock" => "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND role <> 'applicant'",
        _ => return Err(AppError::Rejected("提交的内容不完整或格式不正确".into())),
    };
    let pool = crate::state::pool()?;
    let known: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND role <> 'applicant')",
    )
    .bind(id)
    .fetch_one(&pool)
    .await?;
    if !known {
        return Err(AppError::NotFound);
    }
    let mut tx = pool.begin().await?;
    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    let who = crate::audit::ssr::Who::user(&admin).await;
    let what = format!("staff.{action}");
    crate::audit::ssr::record(
        &mut *tx,
        &who,
        &what,
        &format!("account:{id}"),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    super::ssr::accounts_changed(&pool);
    tracing::info!(admin = admin.id, account = id, action = %action, "staff account changed");
    Ok(())
}

/// Gives a staff member a new temporary password, shown once to the administrator to hand
/// over in person; the person must change it at the next login. Their sessions end.
#[server(endpoint = "admin/reset_staff_password")]
pub async fn reset_staff_password(id: i64) -> Result<String, AppError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let admin = super::ssr::require_role(&[Role::Admin]).await?;
    // Letters and digits without look-alikes (0/O, 1/l/I), read out or written on paper.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let letters: String = (0..8)
        .map(|_| ALPHABET[(OsRng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect();
    let temporary = format!("{letters}{}", OsRng.next_u32() % 10);
    let hash = super::ssr::hash_password(temporary.clone()).await?;
    let pool = crate::state::pool()?;
    let mut tx = pool.begin().await?;
    let changed = sqlx::query(
        "UPDATE accounts SET password_hash = $2, must_change_password = true,
             failed_logins = 0, locked_until = NULL
         WHERE id = $1 AND role <> 'applicant'",
    )
    .bind(id)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let who = crate::audit::ssr::Who::user(&admin).await;
    crate::audit::ssr::record(
        &mut *tx,
        &who,
        "staff.reset_password",
        &format!("account:{id}"),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    super::ssr::accounts_changed(&pool);
    tracing::info!(admin = admin.id, account = id, "staff password reset");
    Ok(temporary)
}

// Interactive throughout: the page is one island.
// A staff island: only in the staff accounts' bundle (feature `staff`); the
// applicants' bundle compiles it as a plain component it never reaches.
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
pub fn AdminPage() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let status = ServerAction::<SetStaffStatus>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let staff = Resource::new(
        move || {
            (
                create.version().get(),
                status.version().get(),
                reset.version().get(),
            )
        },
        |_| list_staff(),
    );
    let row_error = Signal::derive(move || {
        status
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reset.value().get().and_then(Result::err))
    });
    let centers = Resource::new(|| (), |_| list_center_choices());
    let error = action_error(create);
    let (center, set_center) = signal(String::new());

    view! {
        <section class="card wide">
            <h1>"系统管理：工作人员账号"</h1>
            <p><a href="/admin/organization" class="button">"组织机构（中心、部门、窗口）"</a>" "
                <a href="/admin/calendar" class="button">"工作日历（节假日与调休）"</a></p>
            <FormError error=row_error/>
            {move || reset.value().get().and_then(Result::ok).map(|p| view! {
                <p class="form-ok temporary-password" role="status">
                    "临时密码：" <strong>{p}</strong>
                    "。请当面告知本人；首次登录须修改密码。此密码只显示这一次。"
                </p>
            })}
            <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    staff.await.map(|rows| view! {
                        <table class="data-table">
                            <thead><tr>
                                <th>"账号"</th><th>"姓名"</th><th>"角色"</th><th>"电话"</th>
                                <th>"所属中心"</th><th>"部门"</th><th>"状态"</th><th>"操作"</th>
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
                                        <td>{staff_state(r.disabled, r.locked, r.must_change_password)}</td>
                                        <td class="row-actions">
                                            <button type="button" class="button small"
                                                on:click=move |_| { status.dispatch(SetStaffStatus { id: r.id, action: (if r.disabled { "enable" } else { "disable" }).into() }); }>
                                                {if r.disabled { "启用" } else { "停用" }}
                                            </button>
                                            {r.locked.then(|| view! {
                                                <button type="button" class="button small"
                                                    on:click=move |_| { status.dispatch(SetStaffStatus { id: r.id, action: "unlock".into() }); }>
                                                    "解锁"
                                                </button>
                                            })}
                                            <button type="button" class="button small"
                                                on:click=move |_| { reset.dispatch(ResetStaffPassword { id: r.id }); }>
                                                "重置密码"
                                            </button>
                                        </td>
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

fn staff_state(disabled: bool, locked: bool, must_change: bool) -> &'static str {
    match (disabled, locked, must_change) {
        (true, _, _) => "已停用",
        (_, true, _) => "已锁定",
        (_, _, true) => "待改初始密码",
        _ => "正常",
    }
}
