//! The runner's side of communications: posting a message off the loop, answered by an
//! event.

use super::Runner;
use crate::comms::post::{Channel, PostRequest, Poster};
use crate::tui::event::Event;

impl Runner {
    /// Posts off the loop; retries can take seconds and the screen keeps moving meanwhile.
    /// The poster is made for each post, so a secret exported after the console started is
    /// found; a channel whose secret is not set fails with the variable's name.
    pub(super) fn post(&mut self, id: u64, channel: Channel, request: PostRequest) {
        let tx = self.tx.clone();
        let poster = Poster::from_estate(&self.estate);
        self.keep(tokio::spawn(async move {
            let result = poster.post(channel, &request).await;
            let _ = tx.send(Event::Posted { id, result });
        }));
    }
}
