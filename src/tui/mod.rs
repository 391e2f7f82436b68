//! The console: terminal, event loop, application state, and what it draws.

pub mod app;
pub mod comms;
pub mod console;
pub mod contacts;
pub mod declare;
pub mod drill;
pub mod event;
pub mod incident;
pub mod keymap;
pub mod repair;
pub mod run;
pub mod runbook;
pub mod runbook_popup;
pub mod theme;
pub mod timeline;
mod toml_file;
pub mod ui;
pub mod validate;
