//! The server's tests against a real PostgreSQL, one file per feature, linked into one binary:
//! each test binary links the whole application, and twenty of them filled a CI disk.
//! cargo nextest still runs every test in a process of its own (scripts/test.sh).

mod common;

mod accounts;
mod audit;
mod authorization;
mod backup;
mod calendar;
mod cases;
mod catalog;
mod faults;
mod filing;
mod live;
mod organization;
mod oversight;
mod packages;
mod quality;
mod reception;
mod supervision;
mod teams;
mod transfer;
mod trust;
mod work;
