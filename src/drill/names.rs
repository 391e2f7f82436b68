//! Drill names: every name a drill writes carries the estate's suffix (`-dr-test`), so the
//! drill guard can tell a drill's resource from production's by its name alone.

/// The naming rule of one estate's drills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillNames {
    suffix: String,
}

impl DrillNames {
    /// `suffix` is `[drill].suffix` (checked when the estate file loads).
    pub fn new(suffix: impl Into<String>) -> DrillNames {
        DrillNames {
            suffix: suffix.into(),
        }
    }

    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// Whether `name` is a drill's: it carries the suffix (a DNS name, in its first label).
    pub fn is_drill_name(&self, name: &str) -> bool {
        name.contains(&self.suffix)
    }

    /// The drill copy's name of a table, function or stack: `flightdata-main` ->
    /// `flightdata-main-dr-test`. A drill name is its own.
    pub fn of(&self, name: &str) -> String {
        if self.is_drill_name(name) {
            name.to_owned()
        } else {
            format!("{name}{}", self.suffix)
        }
    }

    /// The drill copy's name of a DNS record: the suffix goes on the first label, so the
    /// name stays in its zone (`api.example.com.` -> `api-dr-test.example.com.`).
    pub fn of_dns(&self, name: &str) -> String {
        if self.is_drill_name(name) {
            return name.to_owned();
        }
        match name.split_once('.') {
            Some((first, rest)) => format!("{first}{}.{rest}", self.suffix),
            None => format!("{name}{}", self.suffix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_suffix_once() {
        let names = DrillNames::new("-dr-test");
        assert_eq!(names.of("flightdata-main"), "flightdata-main-dr-test");
        assert_eq!(
            names.of("flightdata-main-dr-test"),
            "flightdata-main-dr-test"
        );
        assert_eq!(names.of_dns("api.example.com."), "api-dr-test.example.com.");
        assert_eq!(
            names.of_dns("api-dr-test.example.com."),
            "api-dr-test.example.com."
        );
        assert!(names.is_drill_name("flightdata-main-recovery-202611270300-dr-test"));
        assert!(!names.is_drill_name("flightdata-main"));
    }
}
