//! The Bangban server: configuration, database, HTTP stack and demo data.

pub mod config;
pub mod db;
pub mod http;
pub mod jobs;
pub mod seed;

pub use config::Config;
