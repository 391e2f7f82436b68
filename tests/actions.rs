//! The actions against moto through the executor, as the console and the CLI run them: each
//! repair changes moto's state and a second run sends no write (moto's recorder); every guard
//! refuses, journals the refusal and sends nothing; the account guard still passes with the
//! primary region's endpoint dead; a destructive action's safety net and its undo.

mod common;
#[path = "common/actions.rs"]
mod helpers;

#[path = "actions/copy.rs"]
mod copy;
#[path = "actions/exports.rs"]
mod exports;
#[path = "actions/failover.rs"]
mod failover;
#[path = "actions/function_restore.rs"]
mod function_restore;
#[path = "actions/guards.rs"]
mod guards;
#[path = "actions/repairs.rs"]
mod repairs;
#[path = "actions/restores.rs"]
mod restores;
#[path = "actions/shell.rs"]
mod shell;
#[path = "actions/stacks.rs"]
mod stacks;
#[path = "actions/tables.rs"]
mod tables;
#[path = "actions/undo.rs"]
mod undo;
