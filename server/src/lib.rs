//! The Bangban server: configuration, database, HTTP stack and demo data.
// Release builds compute the layout of whole page views (deeply nested types) here.
#![recursion_limit = "256"]

pub mod config;
pub mod db;
pub mod http;
pub mod jobs;
pub mod seed;
pub mod sessions;
pub mod sms;

pub use config::Config;
