//! Bangban's domain types and rules: pure Rust, no IO, compiled for the server and the browser
//! so that both always agree (see `../shared/DOMAIN.md`).

pub mod application;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod clocks;
pub mod filing;
pub mod oversight;
pub mod package;
pub mod quality;
pub mod reception;
pub mod roles;
pub mod spreadsheet;
pub mod supervision;
pub mod validate;
pub mod work;

pub use calendar::Calendar;

/// A field of a form and what is wrong with it, in Chinese: the one field-error type of server
/// and browser, so a message always reaches the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}
pub use roles::Role;
pub use validate::{DisplayName, LoginName, MobilePhone, Password, SmsCode, ValidationError};
