//! Where sessions live: PostgreSQL, so every server process of a county sees the same logins.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

/// The sqlx store, except that saving a session only rewrites a row that still exists.
///
/// Sessions are saved at the end of every request (the idle timeout slides). The stock store
/// saves by upsert, so a request that loaded the session before a logout (a live page's
/// background refresh, say) wrote it back when it ended, and the logout was undone. Here a
/// session is inserted only when it is created; a deleted one stays deleted.
#[derive(Clone, Debug)]
pub struct SessionRows {
    store: PostgresStore,
    pool: PgPool,
}

impl SessionRows {
    pub fn new(pool: PgPool) -> Self {
        Self {
            store: PostgresStore::new(pool.clone()),
            pool,
        }
    }

    /// Creates the session table (the stock store's schema).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        self.store.migrate().await
    }
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for SessionRows {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(
            r#"update "tower_sessions"."session"
               set data = $2, expiry_date = to_timestamp($3)
               where id = $1"#,
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date.unix_timestamp() as f64)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}
