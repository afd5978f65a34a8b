//! Server-only side of accounts: the axum-login backend, password hashing and lockout.

use crate::error::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum_login::{AuthUser, AuthnBackend, UserId};
use shared::Role;
use sqlx::PgPool;
use tower_sessions::Expiry;

pub type AuthSession = axum_login::AuthSession<Backend>;

/// After this many failed logins in a row the account is locked …
pub const LOCKOUT_THRESHOLD: i32 = 5;
/// … for this many minutes.
pub const LOCKOUT_MINUTES: i32 = 15;
/// Staff sessions end after 30 idle minutes; applicants (often on shared family phones, but
/// also often slow) keep theirs for a day.
pub const STAFF_IDLE_MINUTES: i64 = 30;
pub const APPLICANT_IDLE_MINUTES: i64 = 24 * 60;

#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    role: crate::stored::Known<Role>,
    pub display_name: String,
    pub center_id: Option<i64>,
    pub department_id: Option<i64>,
    password_hash: String,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.0
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.id
    }

    // A password change invalidates every other session of the account.
    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_bytes()
    }
}

#[derive(Clone)]
pub struct Backend {
    pool: PgPool,
}

impl Backend {
    pub fn new(pool: PgPool) -> Self {
        Backend { pool }
    }
}

pub struct Credentials {
    pub login_name: String,
    pub password: String,
    pub client: ClientInfo,
}

#[derive(Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("password hashing: {0}")]
    Hash(String),
}

/// Why a login was refused, as the person is told.
#[derive(Debug, PartialEq)]
pub enum LoginRefused {
    BadCredentials,
    Locked {
        until: chrono::DateTime<chrono::Utc>,
    },
    Disabled,
}

const USER_COLUMNS: &str = "id, role, display_name, center_id, department_id, password_hash";

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = BackendError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, BackendError> {
        Ok(verify_login(&self.pool, &creds).await?.ok())
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, BackendError> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM accounts WHERE id = $1 AND disabled_at IS NULL");
        Ok(sqlx::query_as::<_, User>(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Checks a login and records the attempt. Locked accounts are refused without looking at the
/// password; five failures in a row lock the account for fifteen minutes.
pub async fn verify_login(
    pool: &PgPool,
    creds: &Credentials,
) -> Result<Result<User, LoginRefused>, BackendError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        locked_until: Option<chrono::DateTime<chrono::Utc>>,
        disabled: bool,
    }
    let sql = format!(
        "SELECT {USER_COLUMNS}, locked_until, disabled_at IS NOT NULL AS disabled
         FROM accounts WHERE login_name = $1"
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(&creds.login_name)
        .fetch_optional(pool)
        .await?;

    let Some(row) = row else {
        // Spend the same time as a real check so timing does not reveal which logins exist.
        let _ = verify_password(creds.password.clone(), dummy_hash().await).await;
        record_login_event(
            pool,
            None,
            &creds.login_name,
            "unknown_account",
            &creds.client,
        )
        .await?;
        return Ok(Err(LoginRefused::BadCredentials));
    };
    let id = row.user.id;
    if row.disabled {
        record_login_event(pool, Some(id), &creds.login_name, "disabled", &creds.client).await?;
        return Ok(Err(LoginRefused::Disabled));
    }
    if let Some(until) = row.locked_until.filter(|u| *u > chrono::Utc::now()) {
        record_login_event(pool, Some(id), &creds.login_name, "locked", &creds.client).await?;
        return Ok(Err(LoginRefused::Locked { until }));
    }

    if verify_password(creds.password.clone(), row.user.password_hash.clone()).await? {
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
        record_login_event(pool, Some(id), &creds.login_name, "success", &creds.client).await?;
        return Ok(Ok(row.user));
    }

    // One statement, so two concurrent failures cannot both miss the threshold.
    let locked_until: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "UPDATE accounts SET
            failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
            locked_until  = CASE WHEN failed_logins + 1 >= $2
                                 THEN now() + make_interval(mins => $3) ELSE NULL END
         WHERE id = $1 RETURNING locked_until",
    )
    .bind(id)
    .bind(LOCKOUT_THRESHOLD)
    .bind(LOCKOUT_MINUTES)
    .fetch_one(pool)
    .await?;
    let outcome = if locked_until.is_some() {
        "locked_now"
    } else {
        "bad_password"
    };
    record_login_event(pool, Some(id), &creds.login_name, outcome, &creds.client).await?;
    Ok(Err(match locked_until {
        Some(until) => LoginRefused::Locked { until },
        None => LoginRefused::BadCredentials,
    }))
}

pub async fn record_login_event(
    pool: &PgPool,
    account_id: Option<i64>,
    login_name: &str,
    outcome: &str,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_events (account_id, login_name, outcome, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account_id)
    .bind(login_name)
    .bind(outcome)
    .bind(&client.ip)
    .bind(
        client
            .user_agent
            .as_deref()
            .map(|s| s.chars().take(300).collect::<String>()),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A real hash of a random password, checked against when the login does not exist.
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password("no-such-account-0".into())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

/// argon2id with the crate's defaults, off the async runtime threads.
pub async fn hash_password(password: String) -> Result<String, BackendError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| BackendError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| BackendError::Hash(e.to_string()))?
}

/// The password hash of an applicant account an agent created at registration: nobody can log
/// in with it until the person registers with that phone and sets a password.
pub const UNCLAIMED: &str = "!";

pub async fn verify_password(password: String, hash: String) -> Result<bool, BackendError> {
    if hash == UNCLAIMED {
        return Ok(false);
    }
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| BackendError::Hash(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| BackendError::Hash(e.to_string()))?
}

impl From<BackendError> for AppError {
    fn from(e: BackendError) -> Self {
        AppError::internal(e)
    }
}

impl From<axum_login::Error<Backend>> for AppError {
    fn from(e: axum_login::Error<Backend>) -> Self {
        AppError::internal(e)
    }
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>()
        .await
        .map_err(AppError::internal)
}

/// The logged-in user, or `Unauthenticated`.
pub async fn require_user() -> Result<User, AppError> {
    auth_session().await?.user.ok_or(AppError::Unauthenticated)
}

/// The logged-in user if their role is one of `roles`; checked on the server for every call.
pub async fn require_role(roles: &[Role]) -> Result<User, AppError> {
    let user = require_user().await?;
    if roles.contains(&user.role()) {
        Ok(user)
    } else {
        tracing::warn!(user.id = user.id, role = user.role().as_str(), "forbidden");
        Err(AppError::Forbidden)
    }
}

/// The signed-in center or department manager.
pub async fn require_manager() -> Result<User, AppError> {
    require_role(&[Role::Manager]).await
}

/// Logs `user` in on a fresh session id with the idle timeout of their role.
pub async fn start_session(session: &mut AuthSession, user: &User) -> Result<(), AppError> {
    if session.user.is_some() {
        session.logout().await?;
    }
    session
        .session
        .cycle_id()
        .await
        .map_err(AppError::internal)?;
    session.login(user).await?;
    let idle = if user.role().is_staff() {
        STAFF_IDLE_MINUTES
    } else {
        APPLICANT_IDLE_MINUTES
    };
    session.session.set_expiry(Some(Expiry::OnInactivity(
        tower_sessions::cookie::time::Duration::minutes(idle),
    )));
    Ok(())
}

/// Who is asking: the peer address and browser, recorded with login events.
pub async fn client_info() -> ClientInfo {
    let headers = leptos_axum::extract::<http::HeaderMap>()
        .await
        .unwrap_or_default();
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|c| c.0.ip().to_string());
    ClientInfo {
        ip: peer,
        user_agent: headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}
