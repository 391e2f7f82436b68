//! The contact tree during an incident: who was notified, who acknowledged, and when a level
//! has gone unanswered past `[comms] escalate_after`, who to call next.
