//! Rate limits kept in PostgreSQL, so they hold across every server process of a county.
//! A limit counts the hits on one key (an action and who does it) in a window that opens at the
//! key's first hit; a hit past the maximum is refused with 429 and a message saying how long
//! to wait.

use crate::error::AppError;
use sqlx::PgPool;

/// At most `max` hits per `window_secs` seconds, for one action.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub action: &'static str,
    pub max: i32,
    pub window_secs: i64,
}

/// Failed logins from one address (successes are not counted: a whole center logs in from one
/// address each morning).
pub const LOGIN_FAILURES_PER_ADDRESS: Limit = Limit {
    action: "login_fail_ip",
    max: 30,
    window_secs: 600,
};
/// Failed logins of a name no account has: locked like an account's, so the answers for known
/// and unknown names are the same (`accounts::ssr::LOCKOUT_*`).
pub const LOGIN_FAILURES_UNKNOWN_NAME: Limit = Limit {
    action: "login_fail_name",
    max: 5,
    window_secs: 15 * 60,
};
pub const REGISTER_PER_ADDRESS: Limit = Limit {
    action: "register_ip",
    max: 20,
    window_secs: 3600,
};
pub const CODE_PER_PHONE_MINUTE: Limit = Limit {
    action: "code_phone_1m",
    max: 1,
    window_secs: 60,
};
pub const CODE_PER_PHONE_DAY: Limit = Limit {
    action: "code_phone_1d",
    max: 10,
    window_secs: 86_400,
};
/// Per address the limits are wider than per phone: village stations and mobile carriers put
/// many people behind one address.
pub const CODE_PER_ADDRESS_MINUTE: Limit = Limit {
    action: "code_ip_1m",
    max: 5,
    window_secs: 60,
};
pub const CODE_PER_ADDRESS_DAY: Limit = Limit {
    action: "code_ip_1d",
    max: 50,
    window_secs: 86_400,
};
pub const SUBMIT_PER_ACCOUNT: Limit = Limit {
    action: "submit_account",
    max: 30,
    window_secs: 3600,
};
pub const SUBMIT_PER_ADDRESS: Limit = Limit {
    action: "submit_ip",
    max: 120,
    window_secs: 3600,
};
pub const UPLOAD_PER_ACCOUNT: Limit = Limit {
    action: "upload_account",
    max: 120,
    window_secs: 3600,
};
pub const UPLOAD_PER_ADDRESS: Limit = Limit {
    action: "upload_ip",
    max: 600,
    window_secs: 3600,
};
/// The daily upload quota of one account (issue 13: uploads per account per day are capped).
pub const UPLOAD_PER_ACCOUNT_DAY: Limit = Limit {
    action: "upload_account_1d",
    max: 300,
    window_secs: 86_400,
};

/// Counts a hit of `limit` for `subject` (an address, account id or phone); refuses it when the
/// window is full. One statement, so parallel requests in several processes count exactly.
pub async fn hit(pool: &PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    let (hits, wait) = count(pool, limit, subject).await?;
    if hits <= limit.max {
        return Ok(());
    }
    tracing::warn!(action = limit.action, hits, "rate limit reached");
    Err(AppError::TooMany(wait_message(wait)))
}

/// Counts a hit and returns the hits in the window, this one included, and the seconds until
/// the window closes.
pub async fn count(pool: &PgPool, limit: Limit, subject: &str) -> Result<(i32, i64), AppError> {
    let (hits, wait): (i32, f64) = sqlx::query_as(
        "INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN r.window_start <= now() - make_interval(secs => $2) THEN 1
                         ELSE r.hits + 1 END,
             window_start = CASE WHEN r.window_start <= now() - make_interval(secs => $2)
                                 THEN now() ELSE r.window_start END
         RETURNING hits,
             EXTRACT(EPOCH FROM window_start + make_interval(secs => $2) - now())::float8",
    )
    .bind(key(limit, subject))
    .bind(limit.window_secs as f64)
    .fetch_one(pool)
    .await?;
    Ok((hits, wait.max(1.0).ceil() as i64))
}

/// Refuses when the window is already full, without counting (for limits that count only
/// failures, after the fact).
pub async fn check_full(pool: &PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    let wait: Option<f64> = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM window_start + make_interval(secs => $2) - now())::float8
         FROM rate_limits
         WHERE key = $1 AND hits >= $3 AND window_start > now() - make_interval(secs => $2)",
    )
    .bind(key(limit, subject))
    .bind(limit.window_secs as f64)
    .bind(limit.max)
    .fetch_optional(pool)
    .await?;
    match wait {
        None => Ok(()),
        Some(w) => {
            tracing::warn!(action = limit.action, "rate limit reached");
            Err(AppError::TooMany(wait_message(w.max(1.0).ceil() as i64)))
        }
    }
}

fn key(limit: Limit, subject: &str) -> String {
    format!("{}:{subject}", limit.action)
}

/// "Try again in …", in the unit a person thinks in.
pub fn wait_message(seconds: i64) -> String {
    let wait = if seconds < 60 {
        format!("{seconds}秒")
    } else if seconds < 3600 {
        format!("{}分钟", (seconds + 59) / 60)
    } else {
        format!("{}小时", (seconds + 3599) / 3600)
    };
    format!("操作过于频繁，请{wait}后再试")
}

/// Forgets windows that closed long ago (run by the server's retention job).
pub async fn prune(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < now() - interval '2 days'")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn waits_are_told_in_plain_units() {
        assert_eq!(super::wait_message(42), "操作过于频繁，请42秒后再试");
        assert_eq!(super::wait_message(61), "操作过于频繁，请2分钟后再试");
        assert_eq!(super::wait_message(7200), "操作过于频繁，请2小时后再试");
    }
}
