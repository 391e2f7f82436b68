//! The runner's side of communications: posting a message off the loop, answered by an
//! event.

use super::Runner;
use crate::comms::post::{Channel, PostFailure, PostRequest};
use crate::tui::event::Event;

impl Runner {
    /// Posts off the loop; retries can take seconds and the screen keeps moving meanwhile.
    pub(super) fn post(&mut self, id: u64, channel: Channel, request: PostRequest) {
        let tx = self.tx.clone();
        let _ = request;
        self.keep(tokio::spawn(async move {
            // This build has no poster: say so as a failure, which keeps the draft.
            let result = Err(PostFailure {
                channel,
                label: channel.to_string(),
                error: "posting is not available in this build".to_owned(),
                attempts: 0,
            });
            let _ = tx.send(Event::Posted { id, result });
        }));
    }
}
