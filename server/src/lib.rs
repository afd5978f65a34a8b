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

// Every binary built on this crate (the server, its tests and benchmarks) allocates with
// mimalloc: under concurrent page views glibc's malloc and free were a quarter of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
