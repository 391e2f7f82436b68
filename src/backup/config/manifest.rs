//! A configuration backup's manifest (every file's key, size and SHA-256) and the check that
//! reads a stored folder back against it: what proves the backup can be used.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cloud::{Cloud, CloudError};

/// The manifest's name in each dated folder.
pub const MANIFEST: &str = "manifest.json";

/// One file of the backup as stored. `key` is relative to the dated folder, so the copy in
/// the backup region has the same manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ManifestFile {
    pub key: String,
    pub size: u64,
    /// Hex.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// When the run that wrote it started (the cloud's clock).
    pub created: DateTime<Utc>,
    /// The drconsole version that wrote it.
    pub drconsole: String,
    /// The account the configuration was read from; `None` when it could not be read.
    pub account: Option<String>,
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    pub fn new(created: DateTime<Utc>, account: Option<String>, files: Vec<ManifestFile>) -> Self {
        let mut files = files;
        files.sort();
        Manifest {
            created,
            drconsole: env!("CARGO_PKG_VERSION").to_owned(),
            account,
            files,
        }
    }

    /// Whether `other` lists exactly these files with these hashes (its time and writer
    /// aside): then the folder already holds this backup.
    pub fn same_files(&self, other: &Manifest) -> bool {
        let mut a = self.files.clone();
        let mut b = other.files.clone();
        a.sort();
        b.sort();
        a == b
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// What reading a stored folder back found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub manifest: Manifest,
    /// Each file that is missing or differs from the manifest, one line each; empty when
    /// every file is as the manifest says.
    pub problems: Vec<String>,
}

impl Verified {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why a folder could not be checked at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyError {
    /// No manifest: nothing was stored there, or a run stopped before it finished.
    #[error("no {MANIFEST} in s3://{bucket}/{folder}")]
    NoManifest { bucket: String, folder: String },
    #[error("s3://{bucket}/{folder}{MANIFEST} is not a manifest: {message}")]
    Unreadable {
        bucket: String,
        folder: String,
        message: String,
    },
    #[error("{0}")]
    Cloud(CloudError),
}

/// The manifest in `folder` (ending in `/`), if there is one.
pub async fn read_manifest(
    cloud: &dyn Cloud,
    region: &str,
    bucket: &str,
    folder: &str,
) -> Result<Manifest, VerifyError> {
    let bytes = match cloud
        .get_object(region, bucket, &format!("{folder}{MANIFEST}"))
        .await
    {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => {
            return Err(VerifyError::NoManifest {
                bucket: bucket.to_owned(),
                folder: folder.to_owned(),
            });
        }
        Err(e) => return Err(VerifyError::Cloud(e)),
    };
    serde_json::from_slice(&bytes).map_err(|e| VerifyError::Unreadable {
        bucket: bucket.to_owned(),
        folder: folder.to_owned(),
        message: e.to_string(),
    })
}

/// Reads the configuration backup in `folder` of `bucket` back: its manifest, then every
/// file it lists, each hashed and compared. A file that cannot be read is a problem named
/// with the service's message.
pub async fn verify(
    cloud: &dyn Cloud,
    region: &str,
    bucket: &str,
    folder: &str,
) -> Result<Verified, VerifyError> {
    use futures::StreamExt;
    let manifest = read_manifest(cloud, region, bucket, folder).await?;
    let problems: Vec<Option<String>> = futures::stream::iter(manifest.files.clone())
        .map(|file| async move {
            let key = format!("{folder}{}", file.key);
            match cloud.get_object(region, bucket, &key).await {
                Err(e) if e.is_not_found() => Some(format!("{} is missing", file.key)),
                Err(e) => Some(format!("{} could not be read: {e}", file.key)),
                Ok(bytes) => {
                    let sha = sha256_hex(&bytes);
                    (sha != file.sha256 || bytes.len() as u64 != file.size).then(|| {
                        format!(
                            "{} is {} bytes with SHA-256 {sha}; the manifest says {} bytes, {}",
                            file.key,
                            bytes.len(),
                            file.size,
                            file.sha256
                        )
                    })
                }
            }
        })
        .buffered(8)
        .collect()
        .await;
    Ok(Verified {
        manifest,
        problems: problems.into_iter().flatten().collect(),
    })
}
