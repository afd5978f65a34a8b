//! The working-day calendar as stored in the database (see `shared::calendar`), held in memory
//! by each server process and edited by administrators (`edit`).

pub mod edit;

#[cfg(feature = "ssr")]
pub mod ssr {
    use shared::calendar::{Calendar, CalendarEntry};
    use sqlx::PgPool;
    use std::sync::{Arc, LazyLock};

    /// Every change to `calendar_days` or `calendar_years` is announced here (by a trigger), so
    /// each process drops its copy.
    pub const CHANNEL: &str = "bangban_calendar";

    static HELD: LazyLock<crate::held::Held<(), Calendar>> =
        LazyLock::new(|| crate::held::Held::new(CHANNEL, std::time::Duration::from_secs(3600)));

    /// The calendar as administrators keep it: every loaded year and its exceptions. Read from
    /// memory while this process listens for changes, else from the database.
    pub async fn load(pool: &PgPool) -> Result<Arc<Calendar>, sqlx::Error> {
        HELD.get(pool, (), async || fresh(pool).await).await
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
}
