//! Background work of the server process.

use app::notifications::ssr::send_due;
use sqlx::PgPool;
use std::time::Duration;

/// Sends due SMS every two seconds (a verification code should not keep anyone waiting)
/// through the configured gateway (until one is configured, the development file); passing
/// failures stay queued with backoff, refusals are marked failed (see `send_due`).
pub async fn send_notifications(pool: PgPool, sender: crate::sms::Sender) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        match send_due(&pool, &sender, 50).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "notifications sent"),
            Err(e) => tracing::warn!(error = %e, "notification worker"),
        }
    }
}

/// Every minute: staff alerts that fall due by the clock (75 %, breached, escalated, the
/// morning digest), and the due-date refresh of a calendar edit left unfinished. Every process
/// runs it; each alert is claimed once (`alerts_sent`).
pub async fn staff_alerts(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let pass = async {
            // An edit of the calendar whose refresh did not finish (its process stopped).
            app::case_log::ssr::refresh_open_cases(&pool).await?;
            let cal = app::calendar::ssr::load(&pool).await?;
            let now = chrono::Utc::now();
            let mut n = app::case_log::alerts::run_due(&pool, &cal, now).await?;
            if app::case_log::alerts::daytime(now) {
                n += app::quality::ssr::late_alerts(&pool).await?;
                n += app::oversight::ssr::late_alerts(&pool).await?;
                n += app::reception::ssr::remind_due(&pool, now).await?;
            }
            Ok::<_, app::error::AppError>(n)
        };
        match pass.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(alerts = n, "staff alerts queued"),
            Err(e) => tracing::warn!(error = %e, "staff alert job"),
        }
    }
}

/// Once an hour: removes drafts and unattached uploads older than 7 days, used-up codes and
/// closed rate-limit windows. Safe to run in every process at once.
pub async fn retention(pool: PgPool, files_dir: std::path::PathBuf) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = retain(&pool, &files_dir).await {
            tracing::warn!(error = %e, "retention job");
        }
    }
}

/// One pass of the retention job.
pub async fn retain(
    pool: &PgPool,
    files_dir: &std::path::Path,
) -> Result<(), app::error::AppError> {
    let drafts = app::cases::ssr::prune_drafts(pool).await?;
    let files = app::files::ssr::prune_unattached(pool, files_dir).await?
        + app::files::ssr::sweep_partial(files_dir).await;
    let codes = app::accounts::codes::ssr::prune(pool).await?;
    let limits = app::limits::prune(pool).await?;
    if drafts + files as u64 + codes + limits > 0 {
        tracing::info!(
            drafts,
            files,
            codes,
            limits,
            "retention: old records removed"
        );
    }
    Ok(())
}
