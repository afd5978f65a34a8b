//! The working-day calendar as stored in the database (see `shared::calendar`), held in memory
//! by each server process and edited by administrators (`edit`).

pub mod edit;

#[cfg(feature = "ssr")]
pub mod ssr {
    use shared::calendar::{Calendar, CalendarEntry};
    use sqlx::PgPool;
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};

    /// Every change to `calendar_days` or `calendar_years` is announced here (by a trigger), so
    /// each process drops its copy.
    pub const CHANNEL: &str = "bangban_calendar";

    /// One database's calendar as this process holds it. A copy is only kept while a listener
    /// hears that database's changes; without one every call reads the database.
    #[derive(Default)]
    struct Held {
        listeners: usize,
        /// Moves on with every change heard, so a read that raced a change is not kept.
        generation: u64,
        calendar: Option<Arc<Calendar>>,
    }

    static HELD: LazyLock<Mutex<HashMap<String, Held>>> = LazyLock::new(Default::default);

    fn key(pool: &PgPool) -> String {
        let o = pool.connect_options();
        format!(
            "{}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or_default()
        )
    }

    fn with_held<T>(pool: &PgPool, f: impl FnOnce(&mut Held) -> T) -> T {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        f(held.entry(key(pool)).or_default())
    }

    /// The calendar as administrators keep it: every loaded year and its exceptions. Read from
    /// memory while this process listens for changes, else from the database.
    pub async fn load(pool: &PgPool) -> Result<Arc<Calendar>, sqlx::Error> {
        let seen = with_held(pool, |h| match (&h.calendar, h.listeners) {
            (Some(c), 1..) => Err(c.clone()),
            (None, 1..) => Ok(Some(h.generation)),
            _ => Ok(None),
        });
        let generation = match seen {
            Err(held) => return Ok(held),
            Ok(g) => g,
        };
        let calendar = Arc::new(fresh(pool).await?);
        if let Some(g) = generation {
            with_held(pool, |h| {
                if h.listeners > 0 && h.generation == g {
                    h.calendar = Some(calendar.clone());
                }
            });
        }
        Ok(calendar)
    }

    /// The calendar as the database has it now, whatever this process holds.
    pub async fn fresh(pool: &PgPool) -> Result<Calendar, sqlx::Error> {
        let years: Vec<i32> = sqlx::query_scalar("SELECT year FROM calendar_years ORDER BY year")
            .fetch_all(pool)
            .await?;
        let days: Vec<(chrono::NaiveDate, bool, String)> =
            sqlx::query_as("SELECT date, working, name FROM calendar_days ORDER BY date")
                .fetch_all(pool)
                .await?;
        Ok(Calendar::new(
            years,
            days.into_iter().map(|(date, working, name)| CalendarEntry {
                date,
                working,
                name,
            }),
        ))
    }

    /// The calendar of `pool`'s database changed (or may have: the listener reconnected).
    pub fn changed(pool: &PgPool) {
        with_held(pool, |h| {
            h.generation += 1;
            h.calendar = None;
        });
    }

    /// Held by a task while it listens on `CHANNEL` for `pool`'s database: copies are kept
    /// only while at least one such guard lives.
    pub struct Listening(PgPool);

    impl Listening {
        /// Call once LISTEN has succeeded: what was read before may be stale.
        pub fn start(pool: &PgPool) -> Listening {
            with_held(pool, |h| {
                h.listeners += 1;
                h.generation += 1;
                h.calendar = None;
            });
            Listening(pool.clone())
        }
    }

    impl Drop for Listening {
        fn drop(&mut self) {
            with_held(&self.0, |h| {
                h.listeners = h.listeners.saturating_sub(1);
                h.generation += 1;
                h.calendar = None;
            });
        }
    }
}
