//! Actions: the one path every AWS write takes.

/// The right to send a write. Only this module makes one, so only the executor can call
/// [`crate::cloud::Writes::send`].
#[derive(Debug)]
pub struct Authority(());

impl Authority {
    #[allow(dead_code)]
    fn new() -> Authority {
        Authority(())
    }

    /// For the adapters' own tests, which check each write against moto or the simulation.
    /// The feature is never on in a build a user runs.
    #[cfg(any(test, feature = "failpoints"))]
    pub fn for_tests() -> Authority {
        Authority(())
    }
}
