//! Background work of the server process.

use app::notifications::ssr::{send_due, LogSender};
use sqlx::PgPool;
use std::time::Duration;

/// Sends due SMS every few seconds. Until a gateway is configured, the development sender
/// writes each message to the log; failures stay queued with backoff (see `send_due`).
pub async fn send_notifications(pool: PgPool) {
    let sender = LogSender;
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        match send_due(&pool, &sender, 50).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "notifications sent"),
            Err(e) => tracing::warn!(error = %e, "notification worker"),
        }
    }
}
