//! Values read from the database and held in this process's memory for as long as they cannot
//! have changed: each kind of value names the NOTIFY channel its changes are announced on, and
//! a value is only kept while this process listens on that channel (`live::ssr::Hub` does).
//! Any notification on the channel, and any lost connection, drops every value held for it.
//! Several processes serve one county: each holds its own values and hears every change.

use sqlx::PgPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Per database and channel: how many listeners hear it, and how many changes were heard.
#[derive(Default, Clone, Copy)]
struct Hearing {
    listeners: usize,
    generation: u64,
}

static HEARING: LazyLock<Mutex<HashMap<(String, &'static str), Hearing>>> =
    LazyLock::new(Default::default);

fn database(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "{}:{}/{}",
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or_default()
    )
}

fn hearing<T>(pool: &PgPool, channel: &'static str, f: impl FnOnce(&mut Hearing) -> T) -> T {
    let mut all = HEARING.lock().unwrap_or_else(|e| e.into_inner());
    f(all.entry((database(pool), channel)).or_default())
}

/// The generation of `channel`'s values now, or `None` when nobody listens (nothing is kept).
fn current(pool: &PgPool, channel: &'static str) -> Option<u64> {
    hearing(pool, channel, |h| (h.listeners > 0).then_some(h.generation))
}

/// Something changed on `channel`: every value held for it is stale.
pub fn changed(pool: &PgPool, channel: &'static str) {
    hearing(pool, channel, |h| h.generation += 1);
}

/// Held by a task while it listens on `channels` of `pool`'s database.
pub struct Listening {
    pool: PgPool,
    channels: Vec<&'static str>,
}

impl Listening {
    /// Call once LISTEN has succeeded: what was read before may be stale.
    pub fn start(pool: &PgPool, channels: &[&'static str]) -> Listening {
        for c in channels {
            hearing(pool, c, |h| {
                h.listeners += 1;
                h.generation += 1;
            });
        }
        Listening {
            pool: pool.clone(),
            channels: channels.to_vec(),
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        for c in &self.channels {
            hearing(&self.pool, c, |h| {
                h.listeners = h.listeners.saturating_sub(1);
                h.generation += 1;
            });
        }
    }
}

/// Values of one kind, by key. Beyond this many, the oldest are dropped.
const MOST: usize = 4096;

struct Entry<V> {
    generation: u64,
    read_at: Instant,
    value: Arc<V>,
}

pub struct Held<K, V> {
    channel: &'static str,
    /// What changes without a notification (the clock passing a due time) is read again after
    /// this long.
    max_age: Duration,
    values: Mutex<HashMap<(String, K), Entry<V>>>,
}

impl<K: Eq + Hash + Clone, V> Held<K, V> {
    pub fn new(channel: &'static str, max_age: Duration) -> Self {
        Held {
            channel,
            max_age,
            values: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key`: held, or read by `read` (and held while the channel is heard).
    pub async fn get<E>(
        &self,
        pool: &PgPool,
        key: K,
        read: impl AsyncFnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let generation = current(pool, self.channel);
        let k = (database(pool), key);
        if let Some(g) = generation {
            let values = self.values.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = values.get(&k) {
                if e.generation == g && e.read_at.elapsed() < self.max_age {
                    return Ok(e.value.clone());
                }
            }
        }
        let read_at = Instant::now();
        let value = Arc::new(read().await?);
        // Kept only if nothing was heard while it was read.
        if let Some(g) = generation.filter(|g| current(pool, self.channel) == Some(*g)) {
            let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
            if values.len() >= MOST {
                values.retain(|_, e| e.generation == g && e.read_at.elapsed() < self.max_age);
                if values.len() >= MOST {
                    values.clear();
                }
            }
            values.insert(
                k,
                Entry {
                    generation: g,
                    read_at,
                    value: value.clone(),
                },
            );
        }
        Ok(value)
    }
}
