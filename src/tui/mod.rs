//! The console: terminal, event loop, application state, and what it draws.

pub mod app;
pub mod console;
pub mod event;
pub mod keymap;
pub mod run;
pub mod theme;
mod toml_file;
pub mod ui;
