//! Accounts, roles and sessions: register, log in, log out, and the role gate every page uses.

pub mod admin;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::{FieldMessage, FormError};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::{use_location, use_query_map};
use serde::{Deserialize, Serialize};
use shared::Role;

/// What the pages know about the person logged in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub role: Role,
    pub display_name: String,
    pub center_name: Option<String>,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let session = ssr::auth_session().await?;
    let Some(user) = session.user else {
        return Ok(None);
    };
    let center_name: Option<String> = match user.center_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name FROM centers WHERE id = $1")
                .bind(id)
                .fetch_optional(&crate::state::pool()?)
                .await?
        }
        None => None,
    };
    Ok(Some(SessionUser {
        id: user.id,
        role: user.role(),
        display_name: user.display_name.clone(),
        center_name,
    }))
}

#[server(endpoint = "login")]
pub async fn login(
    login_name: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use self::ssr::{Credentials, LoginRefused};
    let mut errors = crate::error::FieldErrors::default();
    let login = errors.check("login_name", shared::LoginName::parse(&login_name));
    if password.is_empty() {
        errors.add("password", "请输入密码");
    }
    errors.into_result()?;
    let Some(login) = login else {
        return Err(AppError::Internal);
    };

    let pool = crate::state::pool()?;
    let creds = Credentials {
        login_name: login.as_str().to_string(),
        password,
        client: ssr::client_info().await,
    };
    match ssr::verify_login(&pool, &creds).await? {
        Ok(user) => {
            let mut session = ssr::auth_session().await?;
            ssr::start_session(&mut session, &user).await?;
            let dest = landing_path(next.as_deref(), user.role());
            leptos_axum::redirect(&dest);
            Ok(dest)
        }
        Err(LoginRefused::BadCredentials) => Err(AppError::Rejected("账号或密码错误".into())),
        Err(LoginRefused::Locked { until }) => Err(AppError::Rejected(format!(
            "连续{}次登录失败，账号已锁定，请于{}后再试",
            ssr::LOCKOUT_THRESHOLD,
            crate::ui::beijing_time(until).format("%H:%M")
        ))),
        Err(LoginRefused::Disabled) => Err(AppError::Rejected(
            "该账号已停用，请联系所在中心管理员".into(),
        )),
    }
}

/// Where to go after login: the page that sent the person here when it is ours, else their home.
pub fn landing_path(next: Option<&str>, role: Role) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.starts_with("/login")
                && !n.starts_with("/register")
                && !n.starts_with("/api/") =>
        {
            n.to_string()
        }
        _ => role.home_path().to_string(),
    }
}

#[server(endpoint = "register")]
pub async fn register(
    phone: String,
    display_name: String,
    password: String,
    password_confirm: String,
) -> Result<String, AppError> {
    use shared::{DisplayName, MobilePhone, Password};
    let mut errors = crate::error::FieldErrors::default();
    let phone = errors.check("phone", MobilePhone::parse(&phone));
    let name = errors.check("display_name", DisplayName::parse(&display_name));
    let password = errors.check("password", Password::parse(&password));
    if password_confirm.is_empty() {
        errors.add("password_confirm", "请再次输入密码");
    } else if password
        .as_ref()
        .is_some_and(|p| p.expose() != password_confirm)
    {
        errors.add("password_confirm", "两次输入的密码不一致");
    }
    errors.into_result()?;
    let (Some(phone), Some(name), Some(password)) = (phone, name, password) else {
        return Err(AppError::Internal);
    };

    let pool = crate::state::pool()?;
    let hash = ssr::hash_password(password.expose().to_string()).await?;
    // An account an agent created when registering this person's application is claimed here.
    let inserted: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO accounts (role, login_name, display_name, phone, password_hash)
         VALUES ('applicant', $1, $2, $1, $3)
         ON CONFLICT (login_name) DO UPDATE SET password_hash = EXCLUDED.password_hash,
             display_name = EXCLUDED.display_name
         WHERE accounts.role = 'applicant' AND accounts.password_hash = $4
         RETURNING id",
    )
    .bind(phone.as_str())
    .bind(name.as_str())
    .bind(&hash)
    .bind(ssr::UNCLAIMED)
    .fetch_one(&pool)
    .await
    .map(Some)
    .or_else(|e| match e {
        sqlx::Error::RowNotFound => Ok(None),
        e => Err(e),
    });
    let id = match inserted {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Err(AppError::field("phone", "该手机号已注册，请直接登录"));
        }
        // Registered at the same moment by another request: the phone is the login name.
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("accounts_login_name_key") => {
            return Err(AppError::field("phone", "该手机号已注册，请直接登录"));
        }
        Err(e) => return Err(e.into()),
    };

    let session_backend = ssr::auth_session().await?;
    let Some(user) = axum_login::AuthnBackend::get_user(&session_backend.backend, &id).await?
    else {
        return Err(AppError::internal("account vanished after insert"));
    };
    let mut session = session_backend;
    ssr::start_session(&mut session, &user).await?;
    let client = ssr::client_info().await;
    ssr::record_login_event(&pool, Some(id), phone.as_str(), "registered", &client).await?;
    let dest = Role::Applicant.home_path().to_string();
    leptos_axum::redirect(&dest);
    Ok(dest)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let mut session = ssr::auth_session().await?;
    if let Some(user) = session.logout().await? {
        let client = ssr::client_info().await;
        ssr::record_login_event(&crate::state::pool()?, Some(user.id), "", "logout", &client)
            .await?;
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// Who is logged in, loaded once for the page being drawn (on the server: pages are drawn whole
/// there, and islands get what they need as props).
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
}

/// Loads who is logged in once per page, whoever asks first (the shell, for the bundle to send;
/// else the app).
pub fn provide_auth() {
    if use_context::<Auth>().is_none() {
        let user = Resource::new(|| (), |_| current_user());
        provide_context(Auth { user });
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Header corner: who is logged in and the way out, or the ways in.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => view! {
                        <span class="user-name">{user.display_name.clone()}</span>
                        <A href=user.role.home_path() attr:class="nav-link">{home_label(user.role)}</A>
                        // A plain form: logging out needs no wasm (the server answers with a redirect).
                        <form method="post" action="/api/logout" class="inline-form">
                            <button type="submit" class="link-button">"退出"</button>
                        </form>
                    }
                    .into_any(),
                    _ => view! {
                        <A href="/login" attr:class="nav-link">"登录"</A>
                        <A href="/register" attr:class="nav-link">"注册"</A>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

pub fn home_label(role: Role) -> &'static str {
    match role {
        Role::Applicant => "我的申请",
        Role::Agent | Role::Manager => "工作台",
        Role::Supervisor => "督查总览",
        Role::Admin => "系统管理",
    }
}

/// Shows `children` only to the given roles: others get the 403 page, visitors the login page.
/// Routes using it render with `SsrMode::Async` so the status code reaches the browser.
#[component]
pub fn RequireRole(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) if roles.contains(&user.role) => {
                        children.with_value(|c| c()).into_any()
                    }
                    Ok(Some(_)) => view! { <Forbidden/> }.into_any(),
                    Ok(None) => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/login?next={next}")/> }.into_any()
                    }
                    Err(e) => view! { <FormError error=Some(e)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <section class="card status-page">
            <h1>"403 无权访问"</h1>
            <p>"您当前的账号没有访问此页面的权限。如需办理业务，请返回首页或切换账号。"</p>
            <p class="actions">
                <A href="/" attr:class="button">"返回首页"</A>
            </p>
        </section>
    }
}

/// Why the person was sent to log in, from where they were going.
fn why_login(next: &str) -> &'static str {
    if next.starts_with("/items/") && next.contains("/apply") {
        "请先登录再申请。还没有账号的，用手机号注册即可。"
    } else if next.starts_with("/cases/") || next == "/me" {
        "请先登录，再查看您的申请。"
    } else {
        "请先登录，登录后回到您刚才要打开的页面。"
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
    view! { <LoginForm next/> }
}

#[island]
fn LoginForm(next: String) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        <section class="card narrow">
            <h1>"登录"</h1>
            {(!next.is_empty()).then(|| view! {
                <p class="next-step login-why" role="status">{why_login(&next)}</p>
            })}
            <p class="hint">"申请人请用注册时的手机号登录；工作人员请用管理员分配的账号。"</p>
            <ActionForm action=login attr:novalidate=true>
                <input type="hidden" name="next" value=next.clone()/>
                <FormError error=Signal::derive(move || error().filter(|e| !e.is_field_error()))/>
                <label class="field">
                    <span>"手机号或账号"</span>
                    <input type="text" name="login_name" autocomplete="username" inputmode="text" required/>
                    <FieldMessage error=Signal::derive(error) field="login_name"/>
                </label>
                <label class="field">
                    <span>"密码"</span>
                    <input type="password" name="password" autocomplete="current-password" required/>
                    <FieldMessage error=Signal::derive(error) field="password"/>
                </label>
                <button type="submit" class="button primary" disabled=move || login.pending().get()>
                    "登录"
                </button>
            </ActionForm>
            <p class="hint">"还没有账号？" <a href="/register">"用手机号注册"</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! { <RegisterForm/> }
}

#[island]
fn RegisterForm() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let server_error = move || register.value().get().and_then(Result::err);
    // Checked as the person types with the same rules the server applies.
    let (phone_hint, set_phone_hint) = signal(None::<String>);
    let (password_hint, set_password_hint) = signal(None::<String>);
    view! {
        <section class="card narrow">
            <h1>"申请人注册"</h1>
            <p class="hint">"注册后可在线申请帮办代办服务，并随时查看办理进度。全程免费。"</p>
            <ActionForm action=register attr:novalidate=true>
                <FormError error=Signal::derive(move || server_error().filter(|e| !e.is_field_error()))/>
                <label class="field">
                    <span>"手机号码"</span>
                    <input type="tel" name="phone" autocomplete="tel" inputmode="tel" required
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set_phone_hint.set(shared::MobilePhone::parse(&v).err().map(|e| e.0));
                        }/>
                    <FieldMessage error=Signal::derive(server_error) field="phone" local=phone_hint/>
                </label>
                <label class="field">
                    <span>"姓名"</span>
                    <input type="text" name="display_name" autocomplete="name" required/>
                    <FieldMessage error=Signal::derive(server_error) field="display_name"/>
                </label>
                <label class="field">
                    <span>"密码（至少8位，含字母和数字）"</span>
                    <input type="password" name="password" autocomplete="new-password" required
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set_password_hint.set(shared::Password::parse(&v).err().map(|e| e.0));
                        }/>
                    <FieldMessage error=Signal::derive(server_error) field="password" local=password_hint/>
                </label>
                <label class="field">
                    <span>"再次输入密码"</span>
                    <input type="password" name="password_confirm" autocomplete="new-password" required/>
                    <FieldMessage error=Signal::derive(server_error) field="password_confirm"/>
                </label>
                <button type="submit" class="button primary" disabled=move || register.pending().get()>
                    "注册"
                </button>
            </ActionForm>
            <p class="hint">"已有账号？" <a href="/login">"去登录"</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_only_returns_to_our_own_pages() {
        assert_eq!(
            landing_path(Some("/supervision"), Role::Supervisor),
            "/supervision"
        );
        assert_eq!(landing_path(None, Role::Agent), "/workbench");
        for evil in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "/login?next=/me",
            "/api/logout",
            "me",
        ] {
            assert_eq!(landing_path(Some(evil), Role::Applicant), "/me", "{evil}");
        }
    }
}
