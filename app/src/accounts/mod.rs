//! Accounts, roles and sessions: register, log in, log out, and the role gate every page uses.

pub mod admin;
pub mod codes;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::ui::{FieldMessage, FormError};
use leptos::prelude::*;
use leptos_router::components::Redirect;
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
    /// Must change the password an administrator set before doing anything else.
    pub must_change_password: bool,
    /// In-app messages not yet read (the header's count).
    pub unread: i64,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let session = ssr::auth_session().await?;
    let Some(user) = session.user else {
        return Ok(None);
    };
    use crate::held::Held;
    use std::sync::LazyLock;
    // Drawn on every page: held until a message to anyone arrives or is read (the inbox
    // channel), and at most a minute (a center renamed).
    type Header = Held<i64, (Option<String>, i64)>;
    static HEADER: LazyLock<Header> = LazyLock::new(|| {
        Held::new(
            crate::live::ssr::INBOX_CHANNEL,
            std::time::Duration::from_secs(60),
        )
    });
    let pool = crate::state::pool()?;
    let header = HEADER
        .get(&pool, user.id, async || {
            let center_name: Option<String> = match user.center_id {
                Some(id) => {
                    sqlx::query_scalar("SELECT name FROM centers WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&pool)
                        .await?
                }
                None => None,
            };
            let unread = crate::notifications::ssr::unread(&pool, user.id).await?;
            Ok::<_, AppError>((center_name, unread))
        })
        .await?;
    let (center_name, unread) = (header.0.clone(), header.1);
    Ok(Some(SessionUser {
        id: user.id,
        role: user.role(),
        display_name: user.display_name.clone(),
        center_name,
        must_change_password: user.must_change_password,
        unread,
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
    let client = ssr::client_info().await;
    let address = client.ip.clone().unwrap_or_default();
    let failures = crate::limits::LOGIN_FAILURES_PER_ADDRESS;
    crate::limits::check_full(&pool, failures, &address).await?;
    let creds = Credentials {
        login_name: login.as_str().to_string(),
        password,
        client,
    };
    let outcome = ssr::verify_login(&pool, &creds).await?;
    if outcome.is_err() {
        crate::limits::count(&pool, failures, &address).await?;
    }
    match outcome {
        Ok(user) => {
            let mut session = ssr::auth_session().await?;
            ssr::start_session(&mut session, &user).await?;
            let dest = if user.must_change_password {
                "/account/password".to_string()
            } else {
                landing_path(next.as_deref(), user.role())
            };
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
        Err(LoginRefused::Unverified) => Err(AppError::Rejected(
            "请先验证手机号：点“忘记密码”，用短信验证码重设密码后即可登录".into(),
        )),
    }
}

/// Where to go after login: the page that sent the person here when it is a path of ours,
/// else their home. Browsers drop tabs and newlines from URLs (`/\t/evil.example` is
/// `//evil.example`) and read `\\` as `/`, so any control character, space or backslash, and
/// anything long, sends the person home instead.
pub fn landing_path(next: Option<&str>, role: Role) -> String {
    let ours = |n: &str| {
        n.len() <= 512
            && n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
            && !["/login", "/register", "/reset", "/api/"]
                .iter()
                .any(|p| n.starts_with(p))
    };
    match next {
        Some(n) if ours(n) => n.to_string(),
        _ => role.home_path().to_string(),
    }
}

#[server(endpoint = "register")]
pub async fn register(
    phone: String,
    code: String,
    display_name: String,
    password: String,
    password_confirm: String,
) -> Result<String, AppError> {
    use shared::{DisplayName, MobilePhone, SmsCode};
    let mut errors = crate::error::FieldErrors::default();
    let phone = errors.check("phone", MobilePhone::parse(&phone));
    let code = errors.check("code", SmsCode::parse(&code));
    let name = errors.check("display_name", DisplayName::parse(&display_name));
    let password = check_new_password(&mut errors, &password, &password_confirm);
    errors.into_result()?;
    let (Some(phone), Some(code), Some(name), Some(password)) = (phone, code, name, password)
    else {
        return Err(AppError::Internal);
    };

    let pool = crate::state::pool()?;
    let client = ssr::client_info().await;
    let address = client.ip.clone().unwrap_or_default();
    crate::limits::hit(&pool, crate::limits::REGISTER_PER_ADDRESS, &address).await?;
    let hash = ssr::hash_password(password.expose().to_string()).await?;
    let mut tx = pool.begin().await?;
    codes::ssr::consume(&mut tx, &phone, codes::CodePurpose::Register, &code).await?;
    // A new account, or the one an agent created when registering this person's application:
    // claimed here, now that the code proved the phone is theirs. A registered number never
    // gets a register code, so this never takes over anyone's account.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (role, login_name, display_name, phone, password_hash, phone_verified_at)
         VALUES ('applicant', $1, $2, $1, $3, now())
         ON CONFLICT (login_name) DO UPDATE SET password_hash = EXCLUDED.password_hash,
             display_name = EXCLUDED.display_name, phone_verified_at = now()
         WHERE accounts.role = 'applicant' AND accounts.password_hash = $4
         RETURNING id",
    )
    .bind(phone.as_str())
    .bind(name.as_str())
    .bind(&hash)
    .bind(ssr::UNCLAIMED)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Err(codes::ssr::wrong_code());
    };
    tx.commit().await?;
    ssr::accounts_changed(&pool);
    ssr::record_login_event(&pool, Some(id), phone.as_str(), "registered", &client).await?;
    log_in_as(id).await
}

/// Checks a new password and its confirmation, reporting both fields.
#[cfg(feature = "ssr")]
fn check_new_password(
    errors: &mut crate::error::FieldErrors,
    password: &str,
    confirm: &str,
) -> Option<shared::Password> {
    let parsed = errors.check("password", shared::Password::parse(password));
    if confirm.is_empty() {
        errors.add("password_confirm", "请再次输入密码");
    } else if parsed.as_ref().is_some_and(|p| p.expose() != confirm) {
        errors.add("password_confirm", "两次输入的密码不一致");
    }
    parsed
}

/// Starts a session for applicant `id` (just registered or reset) and sends them home.
#[cfg(feature = "ssr")]
async fn log_in_as(id: i64) -> Result<String, AppError> {
    let mut session = ssr::auth_session().await?;
    let Some(user) = axum_login::AuthnBackend::get_user(&session.backend, &id).await? else {
        return Err(AppError::internal("account vanished after saving"));
    };
    ssr::start_session(&mut session, &user).await?;
    let dest = Role::Applicant.home_path().to_string();
    leptos_axum::redirect(&dest);
    Ok(dest)
}

/// Sets a new password for an applicant who proves the phone with a code. Every other session
/// of the account ends (its sessions are bound to the password hash); this browser is logged in.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    phone: String,
    code: String,
    password: String,
    password_confirm: String,
) -> Result<String, AppError> {
    use shared::{MobilePhone, SmsCode};
    let mut errors = crate::error::FieldErrors::default();
    let phone = errors.check("phone", MobilePhone::parse(&phone));
    let code = errors.check("code", SmsCode::parse(&code));
    let password = check_new_password(&mut errors, &password, &password_confirm);
    errors.into_result()?;
    let (Some(phone), Some(code), Some(password)) = (phone, code, password) else {
        return Err(AppError::Internal);
    };

    let pool = crate::state::pool()?;
    let client = ssr::client_info().await;
    let address = client.ip.clone().unwrap_or_default();
    crate::limits::hit(&pool, crate::limits::REGISTER_PER_ADDRESS, &address).await?;
    let hash = ssr::hash_password(password.expose().to_string()).await?;
    let mut tx = pool.begin().await?;
    codes::ssr::consume(&mut tx, &phone, codes::CodePurpose::Reset, &code).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE accounts SET password_hash = $2, failed_logins = 0, locked_until = NULL,
             phone_verified_at = COALESCE(phone_verified_at, now())
         WHERE login_name = $1 AND role = 'applicant' AND password_hash <> $3
         RETURNING id",
    )
    .bind(phone.as_str())
    .bind(&hash)
    .bind(ssr::UNCLAIMED)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Err(codes::ssr::wrong_code());
    };
    tx.commit().await?;
    ssr::accounts_changed(&pool);
    ssr::record_login_event(&pool, Some(id), phone.as_str(), "password_reset", &client).await?;
    log_in_as(id).await
}

/// Changes the logged-in person's password, after the current one. Every other session of the
/// account ends (sessions are bound to the password hash); this one goes on with a new id.
#[server(endpoint = "account/change_password")]
pub async fn change_password(
    current: String,
    password: String,
    password_confirm: String,
) -> Result<String, AppError> {
    // Not `require_user`: this is what someone who must change the password may do.
    let mut session = ssr::auth_session().await?;
    let user = session.user.clone().ok_or(AppError::Unauthenticated)?;
    let mut errors = crate::error::FieldErrors::default();
    if current.is_empty() {
        errors.add("current", "请输入当前密码");
    }
    let password = check_new_password(&mut errors, &password, &password_confirm);
    if password.as_ref().is_some_and(|p| p.expose() == current) {
        errors.add("password", "新密码不能与当前密码相同");
    }
    errors.into_result()?;
    let Some(password) = password else {
        return Err(AppError::Internal);
    };
    let pool = crate::state::pool()?;
    let client = ssr::client_info().await;
    let address = client.ip.clone().unwrap_or_default();
    let failures = crate::limits::LOGIN_FAILURES_PER_ADDRESS;
    crate::limits::check_full(&pool, failures, &address).await?;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(user.id)
        .fetch_one(&pool)
        .await?;
    if !ssr::verify_password(current, stored).await? {
        crate::limits::count(&pool, failures, &address).await?;
        return Err(AppError::field("current", "当前密码不正确"));
    }
    let hash = ssr::hash_password(password.expose().to_string()).await?;
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, must_change_password = false WHERE id = $1",
    )
    .bind(user.id)
    .bind(&hash)
    .execute(&pool)
    .await?;
    ssr::accounts_changed(&pool);
    ssr::record_login_event(&pool, Some(user.id), "", "password_changed", &client).await?;
    let Some(user) = axum_login::AuthnBackend::get_user(&session.backend, &user.id).await? else {
        return Err(AppError::Unauthenticated);
    };
    ssr::start_session(&mut session, &user).await?;
    let dest = user.role().home_path().to_string();
    leptos_axum::redirect(&dest);
    Ok(dest)
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) if user.role == Role::Applicant => view! { <ApplicantPassword/> }.into_any(),
                    Ok(Some(user)) => view! { <ChangePasswordForm must=user.must_change_password/> }.into_any(),
                    _ => view! { <Redirect path="/login?next=/account/password"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Applicants set a new password with an SMS code to their phone, which also proves the phone
/// is still theirs (and keeps the staff-only form out of the applicants' bundle).
#[component]
fn ApplicantPassword() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"修改密码"</h1>
            <p>"申请人修改密码，请用手机短信验证码设置新密码。设置后，其他设备上的登录会失效。"</p>
            <p class="actions"><a href="/reset" class="button primary">"用短信验证码设置新密码"</a></p>
        </section>
    }
}

// A staff island: only in the staff accounts' bundle (feature `staff`).
#[cfg_attr(any(feature = "ssr", feature = "staff"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "staff")), component)]
fn ChangePasswordForm(must: bool) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let server_error = move || change.value().get().and_then(Result::err);
    view! {
        <section class="card narrow">
            <h1>"修改密码"</h1>
            {must.then(|| view! {
                <p class="next-step" role="status">"您的密码由管理员设置。为了账号安全，请先设置只有您知道的新密码。"</p>
            })}
            <p class="hint">"修改后，其他设备上的登录会失效。"</p>
            <ActionForm action=change attr:novalidate=true>
                <FormError error=Signal::derive(move || server_error().filter(|e| !e.is_field_error()))/>
                <label class="field">
                    <span>"当前密码"</span>
                    <input type="password" name="current" autocomplete="current-password" required/>
                    <FieldMessage error=Signal::derive(server_error) field="current"/>
                </label>
                <NewPassword new=true server_error=Signal::derive(server_error)/>
                <button type="submit" class="button primary" disabled=move || change.pending().get()>
                    "修改密码"
                </button>
            </ActionForm>
        </section>
    }
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

impl Auth {
    /// Whether the one logged in is staff (anyone but an applicant).
    pub async fn staff(self) -> bool {
        matches!(self.user.await, Ok(Some(u)) if u.role != shared::Role::Applicant)
    }
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
                        <a href="/account/password" class="nav-link user-name" title="修改密码">{user.display_name.clone()}</a>
                        // The count is kept current by the page script (live::LIVE_JS).
                        <a href="/inbox" class="nav-link inbox-link">
                            "消息"<span id="inbox-count" class="badge" hidden=user.unread == 0>{user.unread}</span>
                        </a>
                        <a href=user.role.home_path() class="nav-link">{home_label(user.role)}</a>
                        // A plain form: logging out needs no wasm (the server answers with a redirect).
                        <form method="post" action="/api/logout" class="inline-form">
                            <button type="submit" class="link-button">"退出"</button>
                        </form>
                    }
                    .into_any(),
                    _ => view! {
                        <a href="/login" class="nav-link">"登录"</a>
                        <a href="/register" class="nav-link">"注册"</a>
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
        Role::Supervisor => "督查统计",
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
                    Ok(Some(user)) if user.must_change_password => {
                        view! { <Redirect path="/account/password"/> }.into_any()
                    }
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
                <a href="/" class="button">"返回首页"</a>
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
            <p class="hint">
                <a href="/reset">"忘记密码"</a>
                " · 还没有账号？" <a href="/register">"用手机号注册"</a>
            </p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! { <RegisterForm/> }
}

/// The phone field with its "get a code" button and the code field: one piece, used where the
/// phone must be proven (registering, resetting a password).
#[component]
fn PhoneAndCode(
    purpose: &'static str,
    #[prop(into)] server_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let send = ServerAction::<codes::SendCode>::new();
    let (phone, set_phone) = signal(String::new());
    let (phone_hint, set_phone_hint) = signal(None::<String>);
    // Seconds until another code may be asked for.
    let (wait, set_wait) = signal(0_i64);
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            set_wait.set(codes::RESEND_SECONDS);
        }
    });
    Effect::new(move |_| {
        set_interval(
            move || set_wait.update(|w| *w = (*w - 1).max(0)),
            std::time::Duration::from_secs(1),
        )
    });
    let send_error = move || send.value().get().and_then(Result::err);
    let phone_error = Signal::derive(move || send_error().or_else(|| server_error.get()));
    let sent = move || send.value().get().and_then(Result::ok);
    let request = move |_| {
        let value = phone.get_untracked();
        match shared::MobilePhone::parse(&value) {
            Err(e) => set_phone_hint.set(Some(e.0)),
            Ok(_) => {
                set_phone_hint.set(None);
                send.dispatch(codes::SendCode {
                    phone: value,
                    purpose: purpose.to_string(),
                });
            }
        }
    };
    view! {
        <label class="field">
            <span>"手机号码"</span>
            <input type="tel" name="phone" autocomplete="tel" inputmode="tel" required
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    // A corrected number clears its message at once, so the page does not
                    // shift under the finger on its way to the button.
                    if phone_hint.get_untracked().is_some() && shared::MobilePhone::parse(&v).is_ok() {
                        set_phone_hint.set(None);
                    }
                    set_phone.set(v);
                }
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set_phone_hint.set(shared::MobilePhone::parse(&v).err().map(|e| e.0));
                }/>
            <FieldMessage error=phone_error field="phone" local=phone_hint/>
        </label>
        <div class="field code-field">
            <label for=format!("code-{purpose}")>"短信验证码"</label>
            <div class="code-row">
                <input type="text" id=format!("code-{purpose}") name="code" inputmode="numeric"
                    autocomplete="one-time-code" maxlength="6" pattern="[0-9]*" required/>
                <button type="button" class="button send-code"
                    disabled={move || send.pending().get() || wait.get() > 0}
                    on:click=request>
                    {move || match wait.get() {
                        0 => "获取验证码".to_string(),
                        n => format!("{n}秒后可重发"),
                    }}
                </button>
            </div>
            <p class="hint code-status" role="status">{sent}</p>
            <span class="field-error" role="alert" data-field="code">
                {move || {
                    send_error()
                        .filter(|e| !e.is_field_error())
                        .map(|e| e.to_string())
                        .or_else(|| server_error.get().and_then(|e| e.for_field("code")))
                }}
            </span>
        </div>
    }
}

/// A new password and its confirmation, checked as the person types by the server's rules.
/// `new` labels them as a replacement (reset, change) rather than a first password.
#[component]
fn NewPassword(new: bool, #[prop(into)] server_error: Signal<Option<AppError>>) -> impl IntoView {
    let (hint, set_hint) = signal(None::<String>);
    let prefix = if new { "新密码" } else { "密码" };
    view! {
        <label class="field">
            <span>{format!("{prefix}（至少8位，含字母和数字）")}</span>
            <input type="password" name="password" autocomplete="new-password" required
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set_hint.set(shared::Password::parse(&v).err().map(|e| e.0));
                }/>
            <FieldMessage error=server_error field="password" local=hint/>
        </label>
        <label class="field">
            <span>{format!("再次输入{prefix}")}</span>
            <input type="password" name="password_confirm" autocomplete="new-password" required/>
            <FieldMessage error=server_error field="password_confirm"/>
        </label>
    }
}

#[island]
fn RegisterForm() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let server_error = move || register.value().get().and_then(Result::err);
    view! {
        <section class="card narrow">
            <h1>"申请人注册"</h1>
            <p class="hint">"注册后可在线申请帮办代办服务，并随时查看办理进度。全程免费。工作人员替您登记过申请的，用同一手机号注册即可看到。"</p>
            <ActionForm action=register attr:novalidate=true>
                <FormError error=Signal::derive(move || server_error().filter(|e| !e.is_field_error()))/>
                <PhoneAndCode purpose="register" server_error=Signal::derive(server_error)/>
                <label class="field">
                    <span>"姓名"</span>
                    <input type="text" name="display_name" autocomplete="name" required/>
                    <FieldMessage error=Signal::derive(server_error) field="display_name"/>
                </label>
                <NewPassword new=false server_error=Signal::derive(server_error)/>
                <button type="submit" class="button primary" disabled=move || register.pending().get()>
                    "注册"
                </button>
            </ActionForm>
            <p class="hint">"已有账号？" <a href="/login">"去登录"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    view! { <ResetForm/> }
}

#[island]
fn ResetForm() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let server_error = move || reset.value().get().and_then(Result::err);
    view! {
        <section class="card narrow">
            <h1>"找回密码"</h1>
            <p class="hint">"用注册时的手机号接收短信验证码，然后设置新密码。设置后，其他设备上的登录会失效。"</p>
            <ActionForm action=reset attr:novalidate=true>
                <FormError error=Signal::derive(move || server_error().filter(|e| !e.is_field_error()))/>
                <PhoneAndCode purpose="reset" server_error=Signal::derive(server_error)/>
                <NewPassword new=true server_error=Signal::derive(server_error)/>
                <button type="submit" class="button primary" disabled=move || reset.pending().get()>
                    "设置新密码并登录"
                </button>
            </ActionForm>
            <p class="hint"><a href="/login">"返回登录"</a></p>
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
            "/\t/evil.example",
            "/\n",
            "/ok\r\nSet-Cookie: x=1",
            "/reset",
            "/login?next=/me",
            "/api/logout",
            "me",
        ] {
            assert_eq!(landing_path(Some(evil), Role::Applicant), "/me", "{evil}");
        }
    }
}
