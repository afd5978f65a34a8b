//! Validated types: each can only be built by parsing, and each error says in Chinese what is
//! wrong so the browser and the server show the same message.

mod account;
mod ids;
mod phone;
mod text;

pub use account::{DisplayName, LoginName, Password};
pub use ids::{PostalCode, ResidentId, Uscc};
pub use phone::{MobilePhone, SmsCode};
pub use text::{Address, Reason, UnitName};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{0}")]
pub struct ValidationError(pub String);

impl ValidationError {
    pub fn new(msg: impl Into<String>) -> Self {
        ValidationError(msg.into())
    }
}

/// Full-width ASCII (as typed by many Chinese input methods) folded to half-width.
pub(crate) fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}
