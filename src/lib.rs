//! drconsole: a terminal console for disaster recovery of an AWS data pipeline.

pub mod cli;
pub mod cloud;
pub mod config;
pub mod discover;
pub mod error;
pub mod event;
pub mod health;
pub mod report;
pub mod session;
pub mod tui;
