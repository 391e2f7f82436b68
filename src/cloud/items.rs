//! What the recovery checks read beyond the health model: a counted scan, DynamoDB items as
//! comparable values, and S3 objects with their storage class.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A parallel scan's count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCount {
    pub items: u64,
    pub segments: u32,
    /// Scan calls made, all segments together.
    pub pages: u64,
}

/// One page of a counting scan, as it arrives: which segment, and its count so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// 0-based, as DynamoDB numbers segments.
    pub segment: u32,
    pub segments: u32,
    /// Items counted in this segment so far.
    pub segment_items: u64,
}

/// One DynamoDB attribute value, as DynamoDB types it, so two items compare exactly: a
/// number is kept as the text DynamoDB sent (`"1.0"` and `"1"` differ there too only if
/// the writer wrote them differently) and sets in DynamoDB's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AttrValue {
    S(String),
    N(String),
    /// Bytes, base64 as the console shows them.
    B(String),
    Bool(bool),
    Null,
    L(Vec<AttrValue>),
    M(BTreeMap<String, AttrValue>),
    Ss(Vec<String>),
    Ns(Vec<String>),
    Bs(Vec<String>),
}

impl AttrValue {
    /// Short and readable, for a line of a report.
    pub fn brief(&self) -> String {
        let text = match self {
            AttrValue::S(s) => format!("{s:?}"),
            AttrValue::N(n) => n.clone(),
            AttrValue::B(b) => format!("<{} base64 chars>", b.len()),
            AttrValue::Bool(b) => b.to_string(),
            AttrValue::Null => "null".to_owned(),
            other => serde_json::to_string(other).unwrap_or_default(),
        };
        if text.chars().count() > 60 {
            format!("{}…", text.chars().take(60).collect::<String>())
        } else {
            text
        }
    }
}

/// An item: its attributes by name.
pub type Item = BTreeMap<String, AttrValue>;

/// An object as a copy needs it: size, ETag and storage class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredObject {
    pub key: String,
    pub size: u64,
    pub etag: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
    /// As S3 lists it; `STANDARD` when S3 says nothing.
    pub storage_class: String,
    /// For an archived object: whether a restore is under way, and until when a finished
    /// one keeps a readable copy (S3's `RestoreStatus`; `None` when S3 says nothing).
    #[serde(default)]
    pub restore_in_progress: Option<bool>,
    #[serde(default)]
    pub restored_until: Option<DateTime<Utc>>,
}

impl StoredObject {
    /// Whether the storage class needs a restore before a GET (GLACIER_IR and the instant
    /// tiers do not).
    pub fn is_archived(&self) -> bool {
        matches!(self.storage_class.as_str(), "GLACIER" | "DEEP_ARCHIVE")
    }

    /// Whether it can be read (and so copied) now: not archived, or restored.
    pub fn is_readable(&self) -> bool {
        !self.is_archived()
            || (self.restore_in_progress == Some(false) && self.restored_until.is_some())
    }
}

/// One object for a batch copy: what the plan saw, so the journal says what was copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectToCopy {
    pub key: String,
    pub size: u64,
}
