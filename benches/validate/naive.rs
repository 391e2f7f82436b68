//! The naive validation the issue measures against: for each table in turn, restore its newest
//! backup, wait for it, count the source and the restored table by full scan, compare, delete
//! the restored table. The same SDK as drconsole, one table at a time, nothing else checked.
//! It runs as a process of its own (the benchmark binary started again), so its time is a
//! whole process's, like the others'.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{BackupStatus, Select, TableStatus};

/// The first argument that makes the benchmark binary this instead.
pub const MODE: &str = "naive-validate";

/// Validates `tables` (in the region of the AWS environment); the exit code says whether
/// every count matched.
pub fn main(tables: &[String]) -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let failed = runtime.block_on(async {
        let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
        let client = Client::new(&config);
        let mut failed = 0;
        for table in tables {
            match validate(&client, table).await {
                Ok((source, restored)) if source == restored => {
                    println!("ok {table}: {source} items in the source and the restored table");
                }
                Ok((source, restored)) => {
                    println!("FAILED {table}: {source} items in the source, {restored} restored");
                    failed += 1;
                }
                Err(e) => {
                    println!("FAILED {table}: {e}");
                    failed += 1;
                }
            }
        }
        failed
    });
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}

async fn validate(client: &Client, table: &str) -> Result<(u64, u64), String> {
    let backups = client
        .list_backups()
        .table_name(table)
        .send()
        .await
        .map_err(|e| format!("ListBackups: {e:?}"))?;
    let newest = backups
        .backup_summaries()
        .iter()
        .filter(|b| b.backup_status() == Some(&BackupStatus::Available))
        .max_by_key(|b| b.backup_creation_date_time().map(|t| t.as_nanos()))
        .and_then(|b| b.backup_arn())
        .ok_or_else(|| "no AVAILABLE backup".to_owned())?;
    let restored = format!("{table}-naive-restore");
    client
        .restore_table_from_backup()
        .target_table_name(&restored)
        .backup_arn(newest)
        .send()
        .await
        .map_err(|e| format!("RestoreTableFromBackup: {e:?}"))?;
    let counts = async {
        wait_active(client, &restored).await?;
        Ok::<_, String>((count(client, table).await?, count(client, &restored).await?))
    }
    .await;
    client
        .delete_table()
        .table_name(&restored)
        .send()
        .await
        .map_err(|e| format!("DeleteTable {restored}: {e:?}"))?;
    counts
}

async fn wait_active(client: &Client, table: &str) -> Result<(), String> {
    loop {
        let out = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| format!("DescribeTable {table}: {e:?}"))?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Every item, one page after another (`Select=COUNT`).
async fn count(client: &Client, table: &str) -> Result<u64, String> {
    let mut total = 0u64;
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .select(Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| format!("Scan {table}: {e:?}"))?;
        total += u64::try_from(out.count()).unwrap_or(0);
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(total);
        }
    }
}
