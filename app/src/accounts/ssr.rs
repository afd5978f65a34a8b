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
    /// The password was chosen by an administrator: nothing but changing it is allowed.
    pub must_change_password: bool,
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
    /// An applicant whose phone was never proven theirs (an account from before SMS codes).
    Unverified,
}

const USER_COLUMNS: &str =
    "id, role, display_name, center_id, department_id, password_hash, must_change_password";

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = BackendError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, BackendError> {
        Ok(verify_login(&self.pool, &creds).await?.ok())
    }

    /// Every request asks for its caller: held in memory while this process hears account
    /// changes (`ACCOUNTS_CHANNEL`), so a disabled account or a changed password still ends
    /// the session on the next request.
    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, BackendError> {
        static HELD: std::sync::LazyLock<crate::held::Held<i64, Option<User>>> =
            std::sync::LazyLock::new(|| {
                crate::held::Held::new(ACCOUNTS_CHANNEL, std::time::Duration::from_secs(600))
            });
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM accounts WHERE id = $1 AND disabled_at IS NULL
               AND (role <> 'applicant' OR phone_verified_at IS NOT NULL)"
        );
        let user = HELD
            .get(&self.pool, *id, async || {
                sqlx::query_as::<_, User>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
            })
            .await?;
        Ok(user.as_ref().clone())
    }
}

/// Where a change to who someone is or whether they may sign in is announced (a trigger on
/// `accounts`).
pub const ACCOUNTS_CHANNEL: &str = "bangban_accounts";

/// Where a session created, ended or given new data is announced (a trigger on the session
/// table, made with it).
pub const SESSIONS_CHANNEL: &str = "bangban_sessions";

/// This process changed an account: what it holds of accounts is stale now, before the
/// announcement comes back (the next request of the same person may be faster than that).
pub fn accounts_changed(pool: &PgPool) {
    crate::held::changed(pool, ACCOUNTS_CHANNEL);
}

/// Checks a login and records the attempt. Each attempt is counted before the password is
/// looked at, in one statement, so parallel guesses cannot pass the lockout: the fifth in a
/// row locks the account for fifteen minutes (a right password in it unlocks it again).
/// Unknown names, disabled and unverified accounts answer exactly as a wrong password does
/// unless the password is right, so the answers do not tell which accounts exist.
pub async fn verify_login(
    pool: &PgPool,
    creds: &Credentials,
) -> Result<Result<User, LoginRefused>, BackendError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        disabled: bool,
        unverified: bool,
    }
    let sql = format!(
        "SELECT {USER_COLUMNS}, disabled_at IS NOT NULL AS disabled,
                (role = 'applicant' AND phone_verified_at IS NULL) AS unverified
         FROM accounts WHERE login_name = $1"
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(&creds.login_name)
        .fetch_optional(pool)
        .await?;
    let record =
        |id, outcome| record_login_event(pool, id, &creds.login_name, outcome, &creds.client);

    let Some(row) = row else {
        // Spend the same time as a real check, and lock the name as an account would be.
        let _ = verify_password(creds.password.clone(), dummy_hash().await).await;
        let (hits, wait) = crate::limits::count(
            pool,
            crate::limits::LOGIN_FAILURES_UNKNOWN_NAME,
            &creds.login_name,
        )
        .await
        .map_err(|_| BackendError::Hash("rate limit".into()))?;
        record(None, "unknown_account").await?;
        return Ok(Err(if hits >= LOCKOUT_THRESHOLD {
            LoginRefused::Locked {
                until: chrono::Utc::now() + chrono::Duration::seconds(wait),
            }
        } else {
            LoginRefused::BadCredentials
        }));
    };
    let id = row.user.id;
    if row.disabled || row.unverified {
        let right = verify_password(creds.password.clone(), row.user.password_hash.clone()).await?;
        let (outcome, refused) = match (right, row.disabled) {
            (false, _) => ("bad_password", LoginRefused::BadCredentials),
            (true, true) => ("disabled", LoginRefused::Disabled),
            (true, false) => ("unverified", LoginRefused::Unverified),
        };
        record(Some(id), outcome).await?;
        return Ok(Err(refused));
    }

    // Count this attempt as failed before checking; an expired lock starts a new count.
    let reserved: Option<(i32, Option<chrono::DateTime<chrono::Utc>>)> = sqlx::query_as(
        "UPDATE accounts SET
            failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,
            locked_until  = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1
                                            ELSE failed_logins + 1 END) >= $2
                                 THEN now() + make_interval(mins => $3) END
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now())
         RETURNING failed_logins, locked_until",
    )
    .bind(id)
    .bind(LOCKOUT_THRESHOLD)
    .bind(LOCKOUT_MINUTES)
    .fetch_optional(pool)
    .await?;
    let Some((_, locked_until)) = reserved else {
        let until: Option<chrono::DateTime<chrono::Utc>> =
            sqlx::query_scalar("SELECT locked_until FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?;
        record(Some(id), "locked").await?;
        return Ok(Err(LoginRefused::Locked {
            until: until.unwrap_or_else(chrono::Utc::now),
        }));
    };

    if verify_password(creds.password.clone(), row.user.password_hash.clone()).await? {
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
        record(Some(id), "success").await?;
        return Ok(Ok(row.user));
    }
    match locked_until {
        Some(until) => {
            record(Some(id), "locked_now").await?;
            Ok(Err(LoginRefused::Locked { until }))
        }
        None => {
            record(Some(id), "bad_password").await?;
            Ok(Err(LoginRefused::BadCredentials))
        }
    }
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

/// Password hashing takes ~19 MiB and tens of milliseconds each: at most this many run at once
/// (one per core), the rest wait their turn, so a flood of logins cannot exhaust memory.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.max(2))
    })
}

/// Runs `work` on the blocking pool under the hashing bound.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, BackendError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(|e| BackendError::Hash(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BackendError::Hash(e.to_string()))?
}

/// argon2id with the crate's defaults, off the async runtime threads.
pub async fn hash_password(password: String) -> Result<String, BackendError> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| BackendError::Hash(e.to_string()))
    })
    .await
}

/// The password hash of an applicant account an agent created at registration: nobody can log
/// in with it until the person registers with that phone and sets a password.
pub const UNCLAIMED: &str = "!";

pub async fn verify_password(password: String, hash: String) -> Result<bool, BackendError> {
    if hash == UNCLAIMED {
        return Ok(false);
    }
    bounded(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| BackendError::Hash(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
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

/// The logged-in user, or `Unauthenticated`. Someone who must first change the password an
/// administrator gave them may do nothing else (see `change_password`).
pub async fn require_user() -> Result<User, AppError> {
    let user = auth_session()
        .await?
        .user
        .ok_or(AppError::Unauthenticated)?;
    if user.must_change_password {
        return Err(AppError::Rejected(MUST_CHANGE.into()));
    }
    Ok(user)
}

pub const MUST_CHANGE: &str = "请先修改管理员设置的初始密码";

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

/// Sessions end this long after login however active they are: a staff member signs in again
/// each working day; an applicant each week.
pub const STAFF_MAX_HOURS: i64 = 12;
pub const APPLICANT_MAX_HOURS: i64 = 7 * 24;
const SIGNED_IN_AT: &str = "signed_in_at";

/// Ends the session when it is older than its role allows. Run on every request.
pub async fn enforce_session_age(session: &mut AuthSession) -> Result<(), AppError> {
    let Some(user) = session.user.clone() else {
        return Ok(());
    };
    let since: Option<i64> = session
        .session
        .get(SIGNED_IN_AT)
        .await
        .map_err(AppError::internal)?;
    if session_too_old(user.role(), since, chrono::Utc::now().timestamp()) {
        session.logout().await?;
        tracing::info!(account = user.id, "session past its absolute limit ended");
    }
    Ok(())
}

/// Whether a session that began at `signed_in_at` (Unix seconds; unknown for sessions from
/// before the limit existed) must end at `now`.
pub fn session_too_old(role: Role, signed_in_at: Option<i64>, now: i64) -> bool {
    let max_hours = if role.is_staff() {
        STAFF_MAX_HOURS
    } else {
        APPLICANT_MAX_HOURS
    };
    signed_in_at.is_none_or(|t| now - t > max_hours * 3600)
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
    session
        .session
        .insert(SIGNED_IN_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(AppError::internal)?;
    Ok(())
}

/// The client's address: the peer, or behind our proxy the last `X-Forwarded-For` entry (the
/// one our proxy appended; earlier entries are whatever the client claimed).
pub fn client_address(
    peer: Option<String>,
    headers: &http::HeaderMap,
    trust_proxy: bool,
) -> Option<String> {
    if trust_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| a.parse::<std::net::IpAddr>().is_ok());
        if let Some(a) = forwarded {
            return Some(a.to_string());
        }
    }
    peer
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
    let trust_proxy =
        leptos::prelude::use_context::<crate::state::AppState>().is_some_and(|s| s.trust_proxy);
    ClientInfo {
        ip: client_address(peer, &headers, trust_proxy),
        user_agent: headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_sign_in_again_after_twelve_hours_applicants_after_a_week() {
        let start = 1_800_000_000;
        let hour = 3600;
        assert!(!session_too_old(
            Role::Agent,
            Some(start),
            start + 12 * hour
        ));
        assert!(session_too_old(
            Role::Agent,
            Some(start),
            start + 12 * hour + 1
        ));
        assert!(session_too_old(Role::Admin, Some(start), start + 13 * hour));
        assert!(!session_too_old(
            Role::Applicant,
            Some(start),
            start + 13 * hour
        ));
        assert!(session_too_old(
            Role::Applicant,
            Some(start),
            start + 7 * 24 * hour + 1
        ));
        assert!(session_too_old(Role::Supervisor, None, start));
    }
}
