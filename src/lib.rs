//! drconsole: a terminal console for disaster recovery of an AWS data pipeline.

pub mod action;
pub mod backup;
pub mod cli;
pub mod cloud;
pub mod comms;
pub mod config;
pub mod dirs;
pub mod discover;
pub mod drill;
pub mod error;
pub mod event;
pub mod faults;
pub mod health;
pub mod incident;
pub mod log;
pub mod mode;
pub mod report;
pub mod runbook;
pub mod session;
pub mod tui;
