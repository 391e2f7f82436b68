//! What a function's region-bound settings become in another region: layers, KMS keys,
//! dead-letter targets and VPC ids, through the estate's `[lambda.region_map]`.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::cloud::FunctionSpec;

/// The region an ARN names, where it names one.
pub(super) fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

/// `value`'s counterpart: an exact entry, else the longest entry that is a prefix of it.
fn mapped(map: &BTreeMap<String, Spanned<String>>, value: &str) -> Option<String> {
    if let Some(to) = map.get(value) {
        return Some(to.get_ref().clone());
    }
    map.iter()
        .filter(|(from, _)| value.starts_with(from.as_str()))
        .max_by_key(|(from, _)| from.len())
        .map(|(from, to)| format!("{}{}", to.get_ref(), &value[from.len()..]))
}

/// Rewrites every region-bound value of `spec` for `region`. Returns what has no entry (each
/// by name, for the refusal) and what deserves a warning (environment values that are ARNs
/// of the region the configuration was saved in: the code may call them across regions).
pub(super) fn map_for_region(
    spec: &mut FunctionSpec,
    saved_in: Option<&str>,
    region: &str,
    map: &BTreeMap<String, Spanned<String>>,
) -> (Vec<String>, Vec<String>) {
    let mut unmapped = Vec::new();
    let mut arn = |what: &str, value: &mut String| {
        if value.is_empty() || arn_region(value).is_none_or(|r| r == region) {
            return;
        }
        match mapped(map, value) {
            Some(to) if arn_region(&to).is_none_or(|r| r == region) => *value = to,
            Some(to) => unmapped.push(format!(
                "{what} {value} maps to {to}, which is not in {region}"
            )),
            None => unmapped.push(format!(
                "{what} {value} has no entry in [lambda.region_map]"
            )),
        }
    };
    let s = &mut spec.settings;
    for layer in s.layers.iter_mut().flatten() {
        arn("layer", layer);
    }
    if let Some(key) = &mut s.kms_key_arn {
        arn("KMS key", key);
    }
    if let Some(target) = &mut s.dead_letter_arn {
        arn("dead-letter target", target);
    }
    // Ids carry no region: any saved elsewhere must be mapped.
    if saved_in.is_some_and(|r| r != region)
        && let Some(vpc) = &mut s.vpc
    {
        for (what, ids) in [
            ("subnet", &mut vpc.subnet_ids),
            ("security group", &mut vpc.security_group_ids),
        ] {
            for id in ids.iter_mut() {
                match map.get(id.as_str()) {
                    Some(to) => *id = to.get_ref().clone(),
                    None => {
                        unmapped.push(format!("{what} {id} has no entry in [lambda.region_map]"))
                    }
                }
            }
        }
    }
    let warnings = s
        .environment
        .iter()
        .flatten()
        .filter(|(_, v)| arn_region(v).is_some_and(|r| r != region))
        .map(|(k, v)| {
            format!(
                "environment variable {k} names {v}, in another region: the restored function \
                 will call it there"
            )
        })
        .collect();
    (unmapped, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Spanned<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Spanned::new(0..0, (*v).to_owned())))
            .collect()
    }

    fn spec_with(layers: &[&str], dlq: &str, subnets: &[&str]) -> FunctionSpec {
        let mut spec = FunctionSpec {
            name: "f".into(),
            ..FunctionSpec::default()
        };
        spec.settings.layers = Some(layers.iter().map(|s| (*s).to_owned()).collect());
        spec.settings.dead_letter_arn = Some(dlq.to_owned());
        spec.settings.vpc = Some(crate::cloud::FunctionVpc {
            subnet_ids: subnets.iter().map(|s| (*s).to_owned()).collect(),
            security_group_ids: Vec::new(),
        });
        spec
    }

    const LAYER: &str = "arn:aws:lambda:us-east-1:123456789012:layer:common:7";

    #[test]
    fn every_unmapped_value_is_named() {
        let mut spec = spec_with(
            &[LAYER],
            "arn:aws:sqs:us-east-1:123456789012:dlq",
            &["subnet-1"],
        );
        let (unmapped, _) = map_for_region(&mut spec, Some("us-east-1"), "us-west-2", &map(&[]));
        assert_eq!(
            unmapped,
            vec![
                format!("layer {LAYER} has no entry in [lambda.region_map]"),
                "dead-letter target arn:aws:sqs:us-east-1:123456789012:dlq has no entry in \
                 [lambda.region_map]"
                    .to_owned(),
                "subnet subnet-1 has no entry in [lambda.region_map]".to_owned(),
            ]
        );
    }

    #[test]
    fn exact_entries_and_prefixes_map() {
        let mut spec = spec_with(
            &[LAYER],
            "arn:aws:sqs:us-east-1:123456789012:dlq",
            &["subnet-1"],
        );
        let map = map(&[
            (
                LAYER,
                "arn:aws:lambda:us-west-2:123456789012:layer:common:3",
            ),
            (
                "arn:aws:sqs:us-east-1:123456789012:",
                "arn:aws:sqs:us-west-2:123456789012:",
            ),
            ("subnet-1", "subnet-9"),
        ]);
        let (unmapped, _) = map_for_region(&mut spec, Some("us-east-1"), "us-west-2", &map);
        assert!(unmapped.is_empty(), "{unmapped:?}");
        let s = &spec.settings;
        assert_eq!(
            s.layers.as_deref(),
            Some(&["arn:aws:lambda:us-west-2:123456789012:layer:common:3".to_owned()][..])
        );
        assert_eq!(
            s.dead_letter_arn.as_deref(),
            Some("arn:aws:sqs:us-west-2:123456789012:dlq")
        );
        assert_eq!(s.vpc.as_ref().unwrap().subnet_ids, vec!["subnet-9"]);
    }

    #[test]
    fn the_same_region_needs_no_map() {
        let mut spec = spec_with(&[LAYER], "", &["subnet-1"]);
        let (unmapped, warnings) =
            map_for_region(&mut spec, Some("us-east-1"), "us-east-1", &map(&[]));
        assert!(unmapped.is_empty() && warnings.is_empty());
    }

    #[test]
    fn an_entry_into_a_third_region_is_refused() {
        let mut spec = spec_with(&[LAYER], "", &[]);
        let map = map(&[(
            LAYER,
            "arn:aws:lambda:eu-west-1:123456789012:layer:common:3",
        )]);
        let (unmapped, _) = map_for_region(&mut spec, Some("us-east-1"), "us-west-2", &map);
        assert_eq!(unmapped.len(), 1);
        assert!(
            unmapped[0].contains("which is not in us-west-2"),
            "{unmapped:?}"
        );
    }

    #[test]
    fn environment_arns_of_another_region_only_warn() {
        let mut spec = spec_with(&[], "", &[]);
        spec.settings.environment = Some(BTreeMap::from([(
            "QUEUE".to_owned(),
            "arn:aws:sqs:us-east-1:123456789012:q".to_owned(),
        )]));
        let (unmapped, warnings) =
            map_for_region(&mut spec, Some("us-east-1"), "us-west-2", &map(&[]));
        assert!(unmapped.is_empty());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("QUEUE"));
    }
}
