//! Where sessions live: PostgreSQL, so every server process of a county sees the same logins.

use app::accounts::ssr::SESSIONS_CHANNEL;
use app::held::Held;
use async_trait::async_trait;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};
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
    written: Arc<Mutex<HashMap<Id, Written>>>,
}

/// What this process last wrote of a session: a digest of its data and its expiry.
/// Only ever a reason not to write: another process writes the same data or a later expiry,
/// or deletes the row, which must stay deleted.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Written {
    digest: u64,
    expiry: time::OffsetDateTime,
}

/// Sessions remembered per process before the memory is emptied (it is only a shortcut).
const REMEMBERED: usize = 100_000;

impl SessionRows {
    pub fn new(pool: PgPool) -> Self {
        Self {
            store: PostgresStore::new(pool.clone()),
            pool,
            written: Default::default(),
        }
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Written>> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates the session table (the stock store's schema) and its announcement of ended
    /// sessions: every process holds the sessions it serves in memory (`load`). A session's
    /// data changed is announced by `save`, which alone can tell it from a moved expiry.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        self.store.migrate().await?;
        sqlx::raw_sql(&format!(
            "CREATE OR REPLACE FUNCTION tower_sessions.session_ended() RETURNS trigger
             LANGUAGE plpgsql AS $$
             BEGIN
                 IF EXISTS (SELECT FROM gone) THEN
                     PERFORM pg_notify('{SESSIONS_CHANNEL}', '');
                 END IF;
                 RETURN NULL;
             END $$;
             CREATE OR REPLACE TRIGGER session_ended
                 AFTER DELETE ON tower_sessions.session REFERENCING OLD TABLE AS gone
                 FOR EACH STATEMENT EXECUTE FUNCTION tower_sessions.session_ended();"
        ))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// The record as the stock store encodes it, but with its keys in order: a map's own order
/// differs from one decoding to the next, and the same session must encode to the same bytes
/// for an unchanged one to be left alone.
fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Ordered<'a> {
        id: &'a Id,
        data: BTreeMap<&'a String, &'a serde_json::Value>,
        expiry_date: &'a time::OffsetDateTime,
    }
    rmp_serde::to_vec(&Ordered {
        id: &record.id,
        data: record.data.iter().collect(),
        expiry_date: &record.expiry_date,
    })
    .map_err(|e| session_store::Error::Encode(e.to_string()))
}

/// A digest of the session's data (not of its expiry, which moves on with every request).
fn digest(record: &Record) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in record.data.iter().collect::<BTreeMap<_, _>>() {
        k.hash(&mut h);
        v.to_string().hash(&mut h);
    }
    h.finish()
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
        let data = encode(record)?;
        let now = Written {
            digest: digest(record),
            expiry: record.expiry_date,
        };
        // Written by this process with the same data less than a minute ago: nothing to do,
        // not even a query.
        if self.remembered().get(&record.id).is_some_and(|w| {
            w.digest == now.digest && w.expiry >= now.expiry - time::Duration::minutes(1)
        }) {
            return Ok(());
        }
        // A page view that changed nothing writes nothing: the sliding expiry is moved on only
        // once it is a minute behind (an idle timeout of 30 minutes may end up to a minute
        // early). Rewriting the row on every request cost every page view a commit and its
        // WAL flush.
        // The old data comes back with the write: a session whose data really changed (not
        // just its expiry, which is inside the same bytes) is announced to every process
        // holding it.
        let old: Option<(Vec<u8>,)> = sqlx::query_as(
            r#"update "tower_sessions"."session" s
               set data = $2, expiry_date = to_timestamp($3)
               from (select id, data from "tower_sessions"."session" where id = $1 for update) old
               where s.id = old.id
                 and (s.data <> $2 or s.expiry_date < to_timestamp($3) - interval '1 minute')
               returning old.data"#,
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date.unix_timestamp() as f64)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        if let Some((old,)) = old {
            {
                let mut remembered = self.remembered();
                if remembered.len() >= REMEMBERED {
                    remembered.clear();
                }
                remembered.insert(record.id, now);
            }
            let same =
                rmp_serde::from_slice::<Record>(&old).is_ok_and(|o| digest(&o) == now.digest);
            if !same {
                sqlx::query("select pg_notify($1, '')")
                    .bind(SESSIONS_CHANNEL)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                // This process's next request must not find it held either (the announcement
                // comes later).
                app::held::changed(&self.pool, SESSIONS_CHANNEL);
            }
        }
        Ok(())
    }

    /// Every request loads its session: held in memory while this process hears the session
    /// table's changes (`SESSIONS_CHANNEL`: a session ended or its data changed), so
    /// a logout in any process ends the session everywhere on the next request. Only the
    /// sliding expiry moves without an announcement: a held session past it is read again.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        static HELD: LazyLock<Held<Id, Option<Record>>> =
            LazyLock::new(|| Held::new(SESSIONS_CHANNEL, std::time::Duration::from_secs(600)));
        let held = HELD
            .get(&self.pool, *id, async || self.store.load(id).await)
            .await?;
        match held.as_ref() {
            Some(r) if r.expiry_date <= time::OffsetDateTime::now_utc() => {
                self.store.load(id).await
            }
            held => Ok(held.clone()),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.remembered().remove(id);
        self.store.delete(id).await?;
        // This process's next request must not find it held (the announcement comes later).
        app::held::changed(&self.pool, SESSIONS_CHANNEL);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_encodes_as_the_stock_store_reads_it_and_always_to_the_same_bytes() {
        let mut record = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::UNIX_EPOCH,
        };
        for k in ["axum-login.data", "signed_in_at", "a", "b", "c"] {
            record.data.insert(k.into(), serde_json::json!(k.len()));
        }
        let bytes = encode(&record).unwrap();
        assert_eq!(rmp_serde::from_slice::<Record>(&bytes).unwrap(), record);
        for _ in 0..20 {
            let decoded: Record = rmp_serde::from_slice(&bytes).unwrap();
            assert_eq!(encode(&decoded).unwrap(), bytes);
        }
    }
}
