//! The working-day calendar as stored in the database (see `shared::calendar`).

#[cfg(feature = "ssr")]
pub mod ssr {
    use shared::calendar::{Calendar, CalendarEntry};
    use sqlx::PgPool;

    /// The calendar as administrators keep it: every loaded year and its exceptions.
    pub async fn load(pool: &PgPool) -> Result<Calendar, sqlx::Error> {
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
