//! What the console's events carry from the terminal: key presses and resizes. Ticks,
//! snapshots and the effects they lead to are the session's (`crate::event`), not the terminal's.

use crossterm::event::KeyEvent;

/// Input from the terminal.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    Resize(u16, u16),
}

/// Everything the console reacts to, on one channel.
pub type Event = crate::event::Event<Input>;

impl From<KeyEvent> for Event {
    fn from(key: KeyEvent) -> Event {
        Event::Input(Input::Key(key))
    }
}
