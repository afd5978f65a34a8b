//! The one error type of server functions. What reaches the browser is a short Chinese
//! message; internal details are logged on the server and never sent.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Submitted fields are wrong; the form shows each message next to its field.
    #[error("{}", first_message(.0))]
    Invalid(Vec<FieldError>),
    #[error("请先登录")]
    Unauthenticated,
    #[error("您没有权限执行此操作")]
    Forbidden,
    #[error("未找到相关记录")]
    NotFound,
    /// The request was understood but refused, with the reason for the person.
    #[error("{0}")]
    Rejected(String),
    /// An imported file had bad rows; nothing was imported.
    #[error("导入文件中有{}行错误，未导入任何内容", .0.len())]
    BadRows(Vec<shared::catalog::RowError>),
    /// A rate limit was reached; the message says how long to wait.
    #[error("{0}")]
    TooMany(String),
    #[error("系统繁忙，请稍后再试")]
    Internal,
    /// The database could not be reached: nothing the person did; it passes by itself.
    #[error("服务暂时中断，请稍后刷新页面查看办理结果")]
    Unavailable,
    #[error("网络连接失败，请检查网络后重试")]
    Network,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// Whether the message belongs next to a field rather than above the form.
    pub fn is_field_error(&self) -> bool {
        matches!(self, AppError::Invalid(_))
    }

    /// The HTTP status that tells monitoring whose fault this was: 4xx for the caller's, 500 only
    /// for ours.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::BadRows(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Rejected(_) => 409,
            AppError::TooMany(_) => 429,
            AppError::Internal | AppError::Network => 500,
            AppError::Unavailable => 503,
        }
    }

    /// Logs the real cause on the server and gives the user the generic message.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        AppError::Internal
    }
}

pub use shared::FieldError;

fn first_message(errors: &[FieldError]) -> String {
    errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

/// Collects field errors so a form reports every wrong field at once.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Parses one field, remembering its error under `field`.
    pub fn check<T>(
        &mut self,
        field: &str,
        result: Result<T, shared::ValidationError>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.0);
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Rejected("提交的内容不完整或格式不正确".into())
            }
            #[cfg(feature = "ssr")]
            other => AppError::internal(other),
            #[cfg(not(feature = "ssr"))]
            _ => AppError::Internal,
        }
    }
}

/// Unique constraints a person can run into, by name: (constraint, field, message).
#[cfg(feature = "ssr")]
const UNIQUE: &[(&str, &str, &str)] = &[
    (
        "accounts_login_name_key",
        "login_name",
        "该账号已被使用，请换一个",
    ),
    ("centers_name_key", "name", "已有同名机构"),
    ("departments_center_id_name_key", "name", "已有同名机构"),
    ("windows_center_id_name_key", "name", "已有同名机构"),
    (
        "service_items_list_id_name_key",
        "name",
        "本清单中已有同名事项",
    ),
    (
        "team_members_team_id_account_id_key",
        "account_id",
        "该帮办代办员已在队伍中",
    ),
];

/// A violation of a unique constraint listed in `UNIQUE` becomes the message next to its field;
/// a database out of reach is said as such (503); every other database error is logged and
/// shown as the generic message.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            if let Some((_, field, message)) = d
                .constraint()
                .and_then(|c| UNIQUE.iter().find(|(name, ..)| *name == c))
            {
                return AppError::field(field, *message);
            }
        }
        if unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return AppError::Unavailable;
        }
        AppError::internal(e)
    }
}

/// The database is down, restarting or out of connections, rather than the query wrong.
#[cfg(feature = "ssr")]
fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57P01-03: shutting down or starting up.
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}
