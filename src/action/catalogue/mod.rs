//! The catalogue: every action drconsole can take, by name.

mod cloudwatch;
mod compare;
mod copy;
pub(crate) mod dns;
mod dynamodb;
mod export;
mod function_restore;
mod import;
mod invalid;
mod lambda;
mod region_map;
pub mod reprotect;
mod restore;
mod s3;
mod shell;
mod stacks;
mod tables;

use super::{Action, Check};

pub use export::SCHEMA_FILE;
pub use s3::RULE_ID as REPLICATION_RULE_ID;

pub(crate) use function_restore::copy_backup_of;
pub(crate) use import::find_export;

/// Every action, in the order `action list` shows them.
pub fn all() -> &'static [&'static dyn Action] {
    &[
        &dynamodb::EnablePitr,
        &dynamodb::BackupTable,
        &s3::EnableVersioning,
        &s3::PutReplication,
        &lambda::BackupFunction,
        &lambda::StopIngestion,
        &lambda::RestartIngestion,
        &cloudwatch::SetAlarmState,
        &dns::FailoverDns,
        &stacks::UpdateStack,
        &stacks::CreateStack,
        &stacks::DeleteStack,
        &function_restore::RestoreFunction,
        &restore::RestoreBackup,
        &restore::RestorePitr,
        &restore::ReprotectTable,
        &export::ExportTable,
        &import::ImportTable,
        &tables::DeleteTable,
        &copy::CopyFromReplica,
    ]
}

/// The action named `name`, or an error listing the names there are.
pub fn find(name: &str) -> Result<&'static dyn Action, super::ActionError> {
    all()
        .iter()
        .copied()
        .find(|a| a.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = all().iter().map(|a| a.name()).collect();
            super::ActionError::Invalid(format!(
                "no action `{name}`; there are: {}",
                names.join(", ")
            ))
        })
}

/// Every read-only check, in the order `action list` shows them.
pub fn checks() -> &'static [&'static dyn Check] {
    &[
        &shell::Shell,
        &tables::CountItems,
        &invalid::FindInvalid,
        &compare::CompareTables,
        &copy::CheckAccess,
    ]
}

/// The check named `name`, if there is one.
pub fn find_check(name: &str) -> Option<&'static dyn Check> {
    checks().iter().copied().find(|c| c.name() == name)
}
