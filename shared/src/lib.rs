//! Bangban's domain types and rules: pure Rust, no IO, compiled for the server and the browser
//! so that both always agree (see `../shared/DOMAIN.md`).

pub mod application;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod clocks;
pub mod filing;
pub mod roles;
pub mod validate;
pub mod work;

pub use calendar::Calendar;
pub use roles::Role;
pub use validate::{DisplayName, LoginName, MobilePhone, Password, ValidationError};
