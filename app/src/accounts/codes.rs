//! Proof that a phone is the person's: a 6-digit code sent by SMS, asked for when registering,
//! claiming an account an agent created for a walk-in or phone case, and resetting a password.
//! Codes are stored hashed, last 5 minutes and allow 5 tries; sending is rate limited per phone
//! and per address. The answer never tells whether a number has an account: a registered
//! number gets a notice instead of a code, and a reset for an unknown number sends nothing.

use crate::error::AppError;
use leptos::prelude::*;

/// What a code is for; one code serves one purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    Reset,
    /// Proves the phone of someone who complains (投诉), with or without an account.
    Complaint,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::Reset => "reset",
            CodePurpose::Complaint => "complaint",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "register" => Some(CodePurpose::Register),
            "reset" => Some(CodePurpose::Reset),
            "complaint" => Some(CodePurpose::Complaint),
            _ => None,
        }
    }
}

pub const CODE_MINUTES: i32 = 5;
pub const CODE_TRIES: i32 = 5;
/// Seconds before the same phone can be sent another code.
pub const RESEND_SECONDS: i64 = 60;

/// Sends a code to `phone` for `purpose` ("register" or "reset"); answers what the person may
/// expect, the same whether or not the number has an account.
#[server(endpoint = "send_code")]
pub async fn send_code(phone: String, purpose: String) -> Result<String, AppError> {
    use crate::limits;
    let Some(purpose) = CodePurpose::parse(&purpose) else {
        return Err(AppError::Rejected("提交的内容不完整或格式不正确".into()));
    };
    let phone = shared::MobilePhone::parse(&phone).map_err(|e| AppError::field("phone", e.0))?;
    let pool = crate::state::pool()?;
    let client = super::ssr::client_info().await;
    let address = client.ip.clone().unwrap_or_default();
    limits::hit(&pool, limits::CODE_PER_PHONE_MINUTE, phone.as_str()).await?;
    limits::hit(&pool, limits::CODE_PER_ADDRESS_MINUTE, &address).await?;
    limits::hit(&pool, limits::CODE_PER_PHONE_DAY, phone.as_str()).await?;
    limits::hit(&pool, limits::CODE_PER_ADDRESS_DAY, &address).await?;
    ssr::send(&pool, &phone, purpose, &client).await?;
    Ok(match purpose {
        CodePurpose::Register => format!(
            "短信正在发送到 {}，验证码{CODE_MINUTES}分钟内有效。",
            phone.masked()
        ),
        CodePurpose::Reset => format!(
            "如该手机号已注册，验证码短信将发送到 {}，{CODE_MINUTES}分钟内有效。",
            phone.masked()
        ),
        CodePurpose::Complaint => format!(
            "验证码短信正在发送到 {}，{CODE_MINUTES}分钟内有效。",
            phone.masked()
        ),
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{CodePurpose, CODE_MINUTES, CODE_TRIES};
    use crate::accounts::ssr::{hash_password, verify_password, ClientInfo, UNCLAIMED};
    use crate::error::AppError;
    use crate::notifications::ssr::queue_sms;
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use shared::{MobilePhone, SmsCode};
    use sqlx::{PgPool, Postgres, Transaction};

    /// What the phone is to us: nobody's, an account an agent created (unclaimed), or a
    /// person's account.
    enum Holder {
        Nobody,
        Unclaimed,
        Claimed,
    }

    async fn holder(pool: &PgPool, phone: &MobilePhone) -> Result<Holder, AppError> {
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT password_hash FROM accounts WHERE login_name = $1 AND role = 'applicant'",
        )
        .bind(phone.as_str())
        .fetch_optional(pool)
        .await?;
        Ok(match hash.as_deref() {
            None => Holder::Nobody,
            Some(h) if h == UNCLAIMED => Holder::Unclaimed,
            Some(_) => Holder::Claimed,
        })
    }

    pub async fn send(
        pool: &PgPool,
        phone: &MobilePhone,
        purpose: CodePurpose,
        client: &ClientInfo,
    ) -> Result<(), AppError> {
        match (purpose, holder(pool, phone).await?) {
            (CodePurpose::Register, Holder::Nobody | Holder::Unclaimed)
            | (CodePurpose::Reset, Holder::Claimed)
            // Anyone may complain: account or not, the code proves the phone.
            | (CodePurpose::Complaint, _) => issue(pool, phone, purpose, client).await,
            // The owner learns that someone tried; the one who tried learns nothing.
            (CodePurpose::Register, Holder::Claimed) => {
                queue_sms(
                    pool,
                    None,
                    None,
                    phone.as_str(),
                    "already_registered",
                    "【内乡县政务服务】您的手机号已注册帮办平台，可直接登录。如忘记密码，请在登录页点“忘记密码”。如非本人操作，请忽略。",
                )
                .await
            }
            (CodePurpose::Reset, Holder::Nobody | Holder::Unclaimed) => Ok(()),
        }
    }

    async fn issue(
        pool: &PgPool,
        phone: &MobilePhone,
        purpose: CodePurpose,
        client: &ClientInfo,
    ) -> Result<(), AppError> {
        let code = format!("{:06}", OsRng.next_u32() % 1_000_000);
        let hash = hash_password(code.clone()).await?;
        let mut tx = pool.begin().await?;
        // A new code replaces any earlier one.
        sqlx::query(
            "UPDATE phone_codes SET used_at = now()
             WHERE phone = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(phone.as_str())
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO phone_codes (phone, purpose, code_hash, ip, expires_at)
             VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))",
        )
        .bind(phone.as_str())
        .bind(purpose.as_str())
        .bind(hash)
        .bind(&client.ip)
        .bind(CODE_MINUTES)
        .execute(&mut *tx)
        .await?;
        let body = format!(
            "【内乡县政务服务】您的验证码为{code}，{CODE_MINUTES}分钟内有效。请勿告诉他人，工作人员不会向您索要验证码。"
        );
        queue_sms(
            &mut *tx,
            None,
            None,
            phone.as_str(),
            "verification_code",
            &body,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets codes a day after they were sent (their sending stays counted in the limits).
    pub async fn prune(pool: &PgPool) -> Result<u64, AppError> {
        Ok(
            sqlx::query("DELETE FROM phone_codes WHERE created_at < now() - interval '1 day'")
                .execute(pool)
                .await?
                .rows_affected(),
        )
    }

    /// The answer to any wrong, used, expired or never-sent code.
    pub fn wrong_code() -> AppError {
        AppError::field("code", "验证码错误或已失效，请重新获取")
    }

    /// Uses up the code for `phone` and `purpose` inside the caller's transaction. Each try is
    /// counted before the code is compared, in one statement, so parallel guesses get five
    /// tries in all.
    pub async fn consume(
        tx: &mut Transaction<'_, Postgres>,
        phone: &MobilePhone,
        purpose: CodePurpose,
        code: &SmsCode,
    ) -> Result<(), AppError> {
        let pool = crate::state::pool()?;
        // The try is counted outside the caller's transaction: a failed attempt rolls back the
        // rest, never the count.
        let tried: Option<(i64, String)> = sqlx::query_as(
            "UPDATE phone_codes SET tries = tries + 1
             WHERE id = (SELECT id FROM phone_codes
                         WHERE phone = $1 AND purpose = $2 AND used_at IS NULL
                           AND expires_at > now()
                         ORDER BY id DESC LIMIT 1)
               AND tries < $3
             RETURNING id, code_hash",
        )
        .bind(phone.as_str())
        .bind(purpose.as_str())
        .bind(CODE_TRIES)
        .fetch_optional(&pool)
        .await?;
        let Some((id, hash)) = tried else {
            return Err(wrong_code());
        };
        if !verify_password(code.as_str().to_string(), hash).await? {
            return Err(wrong_code());
        }
        let used =
            sqlx::query("UPDATE phone_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        if used.rows_affected() == 1 {
            Ok(())
        } else {
            Err(wrong_code())
        }
    }
}
