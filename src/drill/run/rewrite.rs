//! The drill's rewrite of each step: in-place writes aimed at the drill's copies, created
//! resources given drill names, reads pointed at the copies; one place for every runbook.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::action::Action;
use crate::drill::DrillNames;
use crate::runbook::Rewrite;

/// Real name -> the drill's name for it: the copies setup made, and every name a step made a
/// drill name since (a restore's new table, a backup's name), so a later step that names the
/// real one finds the drill's.
pub struct DrillRewrite {
    names: DrillNames,
    renamed: Mutex<BTreeMap<String, String>>,
}

impl DrillRewrite {
    pub fn new(names: DrillNames, copies: BTreeMap<String, String>) -> DrillRewrite {
        DrillRewrite {
            names,
            renamed: Mutex::new(copies),
        }
    }

    /// Every renaming so far.
    pub fn renamed(&self) -> BTreeMap<String, String> {
        self.renamed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn mapped(&self, name: &str) -> Option<String> {
        self.renamed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    /// `name` as a drill name, remembered for the steps after.
    fn rename(&self, name: &str) -> String {
        if let Some(known) = self.mapped(name) {
            return known;
        }
        let drill = self.names.of(name);
        if drill != name {
            self.renamed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.to_owned(), drill.clone());
        }
        drill
    }
}

impl Rewrite for DrillRewrite {
    fn action(
        &self,
        action: &dyn Action,
        resource: &str,
        args: &mut BTreeMap<String, String>,
    ) -> Result<String, String> {
        let shape = action.drill_shape();
        for (key, value) in shape.fixed {
            args.insert((*key).to_owned(), (*value).to_owned());
        }
        for key in shape.names {
            if let Some(value) = args.get_mut(*key) {
                *value = self.rename(value);
            }
        }
        for key in shape.reads {
            if let Some(value) = args.get_mut(*key) {
                *value = self.read(value);
            }
        }
        match shape.creates {
            // A creating action reads its source (the drill's copy when it has one: that is
            // what the drill corrupts and restores) and writes a drill name. With no name
            // given it is made one from its source's, so the default never lands on a real
            // name either.
            // The source is read before the new name is taken: a failover imports the real
            // table's export under the table's own name, which becomes the drill's.
            Some(arg) => {
                let source = self.read(resource);
                let new = args
                    .get(arg)
                    .cloned()
                    .unwrap_or_else(|| resource.to_owned());
                let drill = self.rename(&new);
                args.insert(arg.to_owned(), drill);
                Ok(source)
            }
            None if self.names.is_drill_name(resource) => Ok(resource.to_owned()),
            None => {
                let copy = self.mapped(resource).ok_or_else(|| {
                    format!(
                        "{} changes {resource} in place, and the drill has no copy of it",
                        action.name()
                    )
                })?;
                // A copy is judged by what its original should be (PITR on, as the estate
                // says of the real table).
                if let Some(like) = shape.like {
                    args.entry(like.to_owned())
                        .or_insert_with(|| resource.to_owned());
                }
                Ok(copy)
            }
        }
    }

    fn read(&self, resource: &str) -> String {
        self.mapped(resource).unwrap_or_else(|| resource.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::catalogue;

    fn rewrite() -> DrillRewrite {
        DrillRewrite::new(
            DrillNames::new("-dr-test"),
            BTreeMap::from([(
                "flightdata-main".to_owned(),
                "flightdata-main-dr-test".to_owned(),
            )]),
        )
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_in_place_write_goes_to_the_copy_and_its_backup_gets_a_drill_name() {
        let r = rewrite();
        let mut args = map(&[("name", "corruption-1-flightdata-main")]);
        let backup = catalogue::find("backup-table").unwrap();
        assert_eq!(
            r.action(backup, "flightdata-main", &mut args).unwrap(),
            "flightdata-main-dr-test"
        );
        assert_eq!(args["name"], "corruption-1-flightdata-main-dr-test");
        // A later restore naming that backup by its real name reads the drill's.
        let mut args = map(&[("backup", "corruption-1-flightdata-main")]);
        let restore = catalogue::find("restore-backup").unwrap();
        let source = r.action(restore, "flightdata-main", &mut args).unwrap();
        assert_eq!(source, "flightdata-main-dr-test");
        assert_eq!(args["backup"], "corruption-1-flightdata-main-dr-test");
        assert_eq!(args["new-name"], "flightdata-main-dr-test");
    }

    #[test]
    fn a_create_reads_the_real_source_without_a_copy_and_writes_a_drill_name() {
        let r = rewrite();
        let import = catalogue::find("import-table").unwrap();
        let mut args = map(&[("new-name", "flightdata-events"), ("export", "x")]);
        assert_eq!(
            r.action(import, "flightdata-events", &mut args).unwrap(),
            "flightdata-events"
        );
        assert_eq!(args["new-name"], "flightdata-events-dr-test");
        // The table it made is what later steps read and re-protect.
        assert_eq!(r.read("flightdata-events"), "flightdata-events-dr-test");
        let reprotect = catalogue::find("reprotect-table").unwrap();
        assert_eq!(
            r.action(reprotect, "flightdata-events", &mut BTreeMap::new())
                .unwrap(),
            "flightdata-events-dr-test"
        );
    }

    #[test]
    fn an_in_place_write_with_no_copy_is_refused_and_dns_moves_records_only() {
        let r = rewrite();
        let scale = catalogue::find("update-stack").unwrap();
        let err = r
            .action(scale, "flightdata-pipeline", &mut BTreeMap::new())
            .unwrap_err();
        assert!(err.contains("no copy of it"), "{err}");
        let r = DrillRewrite::new(
            DrillNames::new("-dr-test"),
            BTreeMap::from([(
                "api.example.com.".to_owned(),
                "api-dr-test.example.com.".to_owned(),
            )]),
        );
        let mut args = map(&[("how", "health-check")]);
        let dns = catalogue::find("failover-dns").unwrap();
        assert_eq!(
            r.action(dns, "api.example.com.", &mut args).unwrap(),
            "api-dr-test.example.com."
        );
        assert_eq!(
            args["how"], "records",
            "the health check is production's too"
        );
    }
}
