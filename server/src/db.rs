//! The PostgreSQL pool, migrations and readiness.

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(20)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(600))
}

/// Connects, creating the database when it does not exist yet, and retrying for about half a
/// minute so the server can start alongside the database.
pub async fn connect(url: &str) -> Result<PgPool, String> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| format!("DATABASE_URL 格式错误：{e}"))?
        // No transaction of ours waits on anyone: one left open (seen once under load, its
        // cause not yet found) must not hold its locks for ever.
        .options([("idle_in_transaction_session_timeout", "60s")]);
    let mut delay = Duration::from_millis(250);
    let mut last_error = String::new();
    for attempt in 1..=8 {
        let attempt_result = async {
            if !Postgres::database_exists(url).await? {
                tracing::info!(
                    "creating database {}",
                    options.get_database().unwrap_or("?")
                );
                Postgres::create_database(url).await?;
            }
            pool_options().connect_with(options.clone()).await
        };
        match attempt_result.await {
            Ok(pool) => return Ok(pool),
            Err(e) => {
                last_error = e.to_string();
                tracing::warn!(attempt, error = %e, "database not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(8));
            }
        }
    }
    Err(format!(
        "无法连接数据库（{}）：{last_error}。请确认 PostgreSQL 已启动，或设置 DATABASE_URL。",
        redact(url)
    ))
}

/// The role the server works as (created by the migrations): it may not change or delete
/// recorded events, logins, file openings or the audit log.
pub const APP_ROLE: &str = "bangban_app";

/// The pool the server serves with: the same database, every connection switched to
/// `APP_ROLE`. (A county may instead give the server its own login that is a member of
/// `APP_ROLE` and only that.)
pub async fn serving_pool(owner: &PgPool) -> Result<PgPool, sqlx::Error> {
    use sqlx::Executor;
    pool_options()
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(format!("SET ROLE {APP_ROLE}").as_str())
                    .await?;
                Ok(())
            })
        })
        .connect_with(owner.connect_options().as_ref().clone())
        .await
}

/// Lets the server's role use the session table, which the session store creates at start.
pub async fn grant_sessions(owner: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(&format!(
        "GRANT USAGE ON SCHEMA tower_sessions TO {APP_ROLE};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tower_sessions TO {APP_ROLE};"
    ))
    .execute(owner)
    .await?;
    Ok(())
}

/// Held while a process sets the database up (migrations, the session table, grants, demo
/// data): several processes starting at once would otherwise race on them (seen: two servers
/// started together, one failed with "tuple concurrently updated" granting the session table).
pub struct SetupLock(sqlx::pool::PoolConnection<sqlx::Postgres>);

const SETUP_LOCK: i64 = 411_325_014;

impl SetupLock {
    pub async fn take(pool: &PgPool) -> Result<SetupLock, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(SETUP_LOCK)
            .execute(&mut *conn)
            .await?;
        Ok(SetupLock(conn))
    }

    pub async fn release(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(SETUP_LOCK)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }
}

/// Applies every pending migration.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// Whether the database answers a trivial query within two seconds.
pub async fn ready(pool: &PgPool) -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_secs(2),
            sqlx::query("SELECT 1").execute(pool)
        )
        .await,
        Ok(Ok(_))
    )
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://***@h:5432/db"
        );
        assert_eq!(super::redact("postgres://h/db"), "postgres://h/db");
    }
}
