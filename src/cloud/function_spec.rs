//! A function's configuration as a restore needs it: what CreateFunction and
//! UpdateFunctionConfiguration take, what a backup keeps, and where the package is.

use serde::{Deserialize, Serialize};

use super::FunctionInfo;

impl FunctionInfo {
    /// What CreateFunction would need to make this function again (its code aside).
    pub fn spec(&self) -> FunctionSpec {
        FunctionSpec {
            name: self.name.clone(),
            runtime: self.runtime.clone(),
            handler: self.handler.clone(),
            role: self.role.clone(),
            timeout_secs: self.timeout_secs,
            memory_mb: self.memory_mb,
            settings: self.settings.clone(),
        }
    }
}

/// A function's configuration beyond runtime, handler, role, timeout and memory. Every field
/// is `None` where it is not known (a backup saved before it was kept); a read of a live
/// function fills each, with an empty value where the function has none (`""` for no
/// dead-letter target or the default KMS key, an empty list for no layers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<std::collections::BTreeMap<String, String>>,
    /// Layer version ARNs: bound to their region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<String>>,
    /// The key that encrypts the environment: bound to its region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// The SQS queue or SNS topic failed asynchronous events go to: bound to its region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<FunctionVpc>,
    /// Active or PassThrough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<String>,
    /// x86_64 or arm64: set with the code, not the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage_mb: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
}

/// The subnets and security groups a function runs in: ids of one region's VPC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionVpc {
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
}

impl FunctionVpc {
    pub fn is_empty(&self) -> bool {
        self.subnet_ids.is_empty() && self.security_group_ids.is_empty()
    }
}

/// A function's configuration as CreateFunction and UpdateFunctionConfiguration take it. In
/// an update only the fields that change are set, so the preview and the journal show the
/// change and nothing else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// An IAM role: global, the same ARN in every region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<i32>,
    #[serde(default, flatten)]
    pub settings: FunctionSettings,
}

impl FunctionSpec {
    /// The fields UpdateFunctionConfiguration would have to send to turn `current` into this
    /// one: those this one knows and `current` has otherwise. Architectures travel with the
    /// code and tags with TagResource, so neither is compared here.
    pub fn changes_from(&self, current: &FunctionSpec) -> FunctionSpec {
        fn differs<T: Clone + PartialEq>(want: &Option<T>, have: &Option<T>) -> Option<T> {
            want.as_ref().filter(|w| Some(*w) != have.as_ref()).cloned()
        }
        let (w, h) = (&self.settings, &current.settings);
        FunctionSpec {
            name: self.name.clone(),
            runtime: differs(&self.runtime, &current.runtime),
            handler: differs(&self.handler, &current.handler),
            role: differs(&self.role, &current.role),
            timeout_secs: differs(&self.timeout_secs, &current.timeout_secs),
            memory_mb: differs(&self.memory_mb, &current.memory_mb),
            settings: FunctionSettings {
                description: differs(&w.description, &h.description),
                environment: differs(&w.environment, &h.environment),
                layers: differs(&w.layers, &h.layers),
                kms_key_arn: differs(&w.kms_key_arn, &h.kms_key_arn),
                dead_letter_arn: differs(&w.dead_letter_arn, &h.dead_letter_arn),
                vpc: differs(&w.vpc, &h.vpc),
                tracing: differs(&w.tracing, &h.tracing),
                architectures: None,
                ephemeral_storage_mb: differs(&w.ephemeral_storage_mb, &h.ephemeral_storage_mb),
                tags: None,
            },
        }
    }

    /// The same fields of `current`: what puts an update back.
    pub fn as_in(&self, current: &FunctionSpec) -> FunctionSpec {
        fn pick<T: Clone>(set: &Option<T>, from: &Option<T>) -> Option<T> {
            set.as_ref().and(from.clone())
        }
        let (s, c) = (&self.settings, &current.settings);
        FunctionSpec {
            name: self.name.clone(),
            runtime: pick(&self.runtime, &current.runtime),
            handler: pick(&self.handler, &current.handler),
            role: pick(&self.role, &current.role),
            timeout_secs: pick(&self.timeout_secs, &current.timeout_secs),
            memory_mb: pick(&self.memory_mb, &current.memory_mb),
            settings: FunctionSettings {
                description: pick(&s.description, &c.description),
                environment: pick(&s.environment, &c.environment),
                layers: pick(&s.layers, &c.layers),
                kms_key_arn: pick(&s.kms_key_arn, &c.kms_key_arn),
                dead_letter_arn: pick(&s.dead_letter_arn, &c.dead_letter_arn),
                vpc: pick(&s.vpc, &c.vpc),
                tracing: pick(&s.tracing, &c.tracing),
                architectures: None,
                ephemeral_storage_mb: pick(&s.ephemeral_storage_mb, &c.ephemeral_storage_mb),
                tags: None,
            },
        }
    }

    /// Whether an update with these fields would change nothing.
    pub fn is_unchanged(&self) -> bool {
        let bare = FunctionSpec {
            name: self.name.clone(),
            ..FunctionSpec::default()
        };
        *self == bare
    }

    /// The names of the fields set, as AWS names them, for a preview.
    pub fn field_names(&self) -> Vec<&'static str> {
        let s = &self.settings;
        [
            ("Runtime", self.runtime.is_some()),
            ("Handler", self.handler.is_some()),
            ("Role", self.role.is_some()),
            ("Timeout", self.timeout_secs.is_some()),
            ("MemorySize", self.memory_mb.is_some()),
            ("Description", s.description.is_some()),
            ("Environment", s.environment.is_some()),
            ("Layers", s.layers.is_some()),
            ("KMSKeyArn", s.kms_key_arn.is_some()),
            ("DeadLetterConfig", s.dead_letter_arn.is_some()),
            ("VpcConfig", s.vpc.is_some()),
            ("TracingConfig", s.tracing.is_some()),
            ("EphemeralStorage", s.ephemeral_storage_mb.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// A deployment package in S3: Lambda takes it only from a bucket of the function's region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInS3 {
    pub bucket: String,
    pub key: String,
}
