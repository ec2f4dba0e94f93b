//! The draft lifecycle: one enum of states, one enum of events, one pure transition function.
//!
//! ```text
//! Pending --edit--> Pending            Pending --reject--> Rejected --restore--> Pending
//! Pending --approve--> Approved        Approved --edit--> Pending
//! Approved --publish_now | schedule--> Queued(at)      Queued --unschedule--> Approved
//! Queued --claim--> Publishing(attempt)
//! Publishing --created--> Published
//! Publishing --retryable--> Queued(at + backoff)
//! Publishing --outcome unknown | lease expired--> Reconciling --> Published | Queued
//! Publishing --permanent--> Failed --edit--> Pending | --retry--> Queued
//! ```
//!
//! Rules that need context (a board, an active connection, the approved revision) are
//! checked by [`crate::Engine`]; this module only knows which moves exist.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::PinId;

/// Where a draft is in its life.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DraftState {
    /// Waiting for a person to review it.
    Pending,
    /// A reviewer rejected it; it can be restored.
    Rejected,
    /// Approved, not yet scheduled.
    Approved,
    /// Approved and waiting for its publish time.
    Queued {
        /// When to publish.
        at: DateTime<Utc>,
    },
    /// A worker holds a lease and is calling Pinterest.
    Publishing {
        /// 1 for the first try.
        attempt: u32,
        /// When the worker started this attempt (recorded before the call).
        started_at: DateTime<Utc>,
        /// When the lease expires.
        lease_until: DateTime<Utc>,
    },
    /// The outcome of a create is unknown; the board's pins must be checked before retrying.
    Reconciling {
        /// The attempt whose outcome is unknown.
        attempt: u32,
        /// When that attempt started (pins created after it may be ours).
        started_at: DateTime<Utc>,
        /// The lease held by the worker reconciling it; `None` means nobody holds it and
        /// the next worker pass may take it.
        lease_until: Option<DateTime<Utc>>,
    },
    /// Live on Pinterest.
    Published {
        /// The pin's id.
        pin_id: PinId,
        /// When it was created.
        at: DateTime<Utc>,
    },
    /// Pinterest refused it for a reason a retry will not fix.
    Failed {
        /// Pinterest's message or our reason.
        reason: String,
    },
}

/// The name of a state without its data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    /// See [`DraftState::Pending`].
    Pending,
    /// See [`DraftState::Rejected`].
    Rejected,
    /// See [`DraftState::Approved`].
    Approved,
    /// See [`DraftState::Queued`].
    Queued,
    /// See [`DraftState::Publishing`].
    Publishing,
    /// See [`DraftState::Reconciling`].
    Reconciling,
    /// See [`DraftState::Published`].
    Published,
    /// See [`DraftState::Failed`].
    Failed,
}

impl StateName {
    /// Every state name.
    pub const ALL: [StateName; 8] = [
        StateName::Pending,
        StateName::Rejected,
        StateName::Approved,
        StateName::Queued,
        StateName::Publishing,
        StateName::Reconciling,
        StateName::Published,
        StateName::Failed,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StateName::Pending => "pending",
            StateName::Rejected => "rejected",
            StateName::Approved => "approved",
            StateName::Queued => "queued",
            StateName::Publishing => "publishing",
            StateName::Reconciling => "reconciling",
            StateName::Published => "published",
            StateName::Failed => "failed",
        }
    }
}

impl fmt::Display for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StateName {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StateName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "state",
                    format!(
                        "unknown state {s:?}; valid states are {}",
                        StateName::ALL.map(StateName::as_str).join(", ")
                    ),
                )
            })
    }
}

impl DraftState {
    /// The state's name.
    pub fn name(&self) -> StateName {
        match self {
            DraftState::Pending => StateName::Pending,
            DraftState::Rejected => StateName::Rejected,
            DraftState::Approved => StateName::Approved,
            DraftState::Queued { .. } => StateName::Queued,
            DraftState::Publishing { .. } => StateName::Publishing,
            DraftState::Reconciling { .. } => StateName::Reconciling,
            DraftState::Published { .. } => StateName::Published,
            DraftState::Failed { .. } => StateName::Failed,
        }
    }
}

/// Something that happens to a draft.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DraftEvent {
    /// A person changed a field.
    Edit,
    /// A person approved the current revision.
    Approve,
    /// A person rejected it.
    Reject,
    /// A person brought a rejected draft back to review.
    Restore,
    /// Publish as soon as a worker picks it up.
    PublishNow {
        /// Now.
        now: DateTime<Utc>,
    },
    /// Publish at a time.
    Schedule {
        /// The time.
        at: DateTime<Utc>,
    },
    /// Take it off the schedule.
    Unschedule,
    /// A worker takes a lease on it.
    Claim {
        /// Which try this is (1 for the first).
        attempt: u32,
        /// Now.
        now: DateTime<Utc>,
        /// Lease end.
        lease_until: DateTime<Utc>,
    },
    /// Pinterest created the pin.
    Created {
        /// Its id.
        pin_id: PinId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A failure that is safe to retry (429, 5xx on a read, timeout before sending).
    Retryable {
        /// When to try again.
        retry_at: DateTime<Utc>,
    },
    /// The request may have reached Pinterest but we do not know the outcome.
    OutcomeUnknown,
    /// A worker's lease ran out while it was publishing or reconciling.
    LeaseExpired {
        /// Now.
        now: DateTime<Utc>,
        /// The new worker's lease.
        lease_until: DateTime<Utc>,
    },
    /// Reconciliation found the pin on the board.
    Found {
        /// Its id.
        pin_id: PinId,
        /// When it was created.
        at: DateTime<Utc>,
    },
    /// Reconciliation did not find the pin; safe to queue again.
    NotFound {
        /// When to try again.
        retry_at: DateTime<Utc>,
    },
    /// Pinterest refused it for good (validation error).
    Permanent {
        /// Why.
        reason: String,
    },
    /// A person asked to try a failed draft again.
    Retry {
        /// When.
        at: DateTime<Utc>,
    },
}

impl DraftEvent {
    /// The snake_case name of the event.
    pub fn name(&self) -> &'static str {
        match self {
            DraftEvent::Edit => "edit",
            DraftEvent::Approve => "approve",
            DraftEvent::Reject => "reject",
            DraftEvent::Restore => "restore",
            DraftEvent::PublishNow { .. } => "publish_now",
            DraftEvent::Schedule { .. } => "schedule",
            DraftEvent::Unschedule => "unschedule",
            DraftEvent::Claim { .. } => "claim",
            DraftEvent::Created { .. } => "created",
            DraftEvent::Retryable { .. } => "retryable",
            DraftEvent::OutcomeUnknown => "outcome_unknown",
            DraftEvent::LeaseExpired { .. } => "lease_expired",
            DraftEvent::Found { .. } => "found",
            DraftEvent::NotFound { .. } => "not_found",
            DraftEvent::Permanent { .. } => "permanent",
            DraftEvent::Retry { .. } => "retry",
        }
    }
}

/// An event that is not allowed in the draft's current state.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("cannot {event} a draft that is {state}")]
pub struct TransitionError {
    /// The current state.
    pub state: StateName,
    /// The event that was refused.
    pub event: &'static str,
}

/// The one transition function: the next state, or an error naming state and event.
pub fn transition(state: &DraftState, event: &DraftEvent) -> Result<DraftState, TransitionError> {
    use DraftEvent as E;
    use DraftState as S;
    let next = match (state, event) {
        (S::Pending | S::Approved | S::Failed { .. }, E::Edit) => S::Pending,
        (S::Pending, E::Approve) => S::Approved,
        (S::Pending, E::Reject) => S::Rejected,
        (S::Rejected, E::Restore) => S::Pending,
        (S::Approved, E::PublishNow { now }) => S::Queued { at: *now },
        (S::Approved | S::Queued { .. }, E::Schedule { at }) => S::Queued { at: *at },
        (S::Queued { .. }, E::Unschedule) => S::Approved,
        (
            S::Queued { .. },
            E::Claim {
                attempt,
                now,
                lease_until,
            },
        ) => S::Publishing {
            attempt: *attempt,
            started_at: *now,
            lease_until: *lease_until,
        },
        (
            S::Publishing { .. } | S::Reconciling { .. },
            E::Created { pin_id, at } | E::Found { pin_id, at },
        ) => S::Published {
            pin_id: pin_id.clone(),
            at: *at,
        },
        (S::Publishing { .. }, E::Retryable { retry_at }) => S::Queued { at: *retry_at },
        // The worker keeps its lease while it reconciles; if it cannot finish, the draft
        // is reclaimed when the lease ends and reconciled again, never sent blindly.
        (
            S::Publishing {
                attempt,
                started_at,
                lease_until,
            },
            E::OutcomeUnknown,
        ) => S::Reconciling {
            attempt: *attempt,
            started_at: *started_at,
            lease_until: Some(*lease_until),
        },
        (
            S::Publishing {
                attempt,
                started_at,
                ..
            }
            | S::Reconciling {
                attempt,
                started_at,
                ..
            },
            E::LeaseExpired { lease_until, .. },
        ) => S::Reconciling {
            attempt: *attempt,
            started_at: *started_at,
            lease_until: Some(*lease_until),
        },
        (S::Reconciling { .. }, E::NotFound { retry_at }) => S::Queued { at: *retry_at },
        (S::Publishing { .. }, E::Permanent { reason }) => S::Failed {
            reason: reason.clone(),
        },
        (S::Failed { .. }, E::Retry { at }) => S::Queued { at: *at },
        _ => {
            return Err(TransitionError {
                state: state.name(),
                event: event.name(),
            });
        }
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).expect("valid")
    }

    fn states() -> Vec<DraftState> {
        vec![
            DraftState::Pending,
            DraftState::Rejected,
            DraftState::Approved,
            DraftState::Queued { at: t(0) },
            DraftState::Publishing {
                attempt: 1,
                started_at: t(1),
                lease_until: t(61),
            },
            DraftState::Reconciling {
                attempt: 1,
                started_at: t(1),
                lease_until: None,
            },
            DraftState::Published {
                pin_id: PinId::parse("1").expect("id"),
                at: t(2),
            },
            DraftState::Failed {
                reason: "bad".into(),
            },
        ]
    }

    fn events() -> Vec<DraftEvent> {
        let pin = PinId::parse("42").expect("id");
        vec![
            DraftEvent::Edit,
            DraftEvent::Approve,
            DraftEvent::Reject,
            DraftEvent::Restore,
            DraftEvent::PublishNow { now: t(5) },
            DraftEvent::Schedule { at: t(100) },
            DraftEvent::Unschedule,
            DraftEvent::Claim {
                attempt: 1,
                now: t(5),
                lease_until: t(65),
            },
            DraftEvent::Created {
                pin_id: pin.clone(),
                at: t(6),
            },
            DraftEvent::Retryable { retry_at: t(30) },
            DraftEvent::OutcomeUnknown,
            DraftEvent::LeaseExpired {
                now: t(70),
                lease_until: t(130),
            },
            DraftEvent::Found {
                pin_id: pin,
                at: t(6),
            },
            DraftEvent::NotFound { retry_at: t(40) },
            DraftEvent::Permanent {
                reason: "invalid image".into(),
            },
            DraftEvent::Retry { at: t(50) },
        ]
    }

    /// The whole table: (state, event) -> the expected next state name, or refused.
    fn expected(state: StateName, event: &str) -> Option<StateName> {
        use StateName::*;
        Some(match (state, event) {
            (Pending | Approved | Failed, "edit") => Pending,
            (Pending, "approve") => Approved,
            (Pending, "reject") => Rejected,
            (Rejected, "restore") => Pending,
            (Approved, "publish_now") => Queued,
            (Approved | Queued, "schedule") => Queued,
            (Queued, "unschedule") => Approved,
            (Queued, "claim") => Publishing,
            (Publishing | Reconciling, "created" | "found") => Published,
            (Publishing, "retryable") => Queued,
            (Publishing, "outcome_unknown") => Reconciling,
            (Publishing | Reconciling, "lease_expired") => Reconciling,
            (Reconciling, "not_found") => Queued,
            (Publishing, "permanent") => Failed,
            (Failed, "retry") => Queued,
            _ => return None,
        })
    }

    #[test]
    fn every_state_event_pair_follows_the_table() {
        let mut allowed = 0;
        let mut refused = 0;
        for s in states() {
            for e in events() {
                match (transition(&s, &e), expected(s.name(), e.name())) {
                    (Ok(next), Some(want)) => {
                        assert_eq!(next.name(), want, "{:?} + {}", s.name(), e.name());
                        allowed += 1;
                    }
                    (Err(err), None) => {
                        assert_eq!(err.state, s.name());
                        assert_eq!(err.event, e.name());
                        let msg = err.to_string();
                        assert!(
                            msg.contains(s.name().as_str()) && msg.contains(e.name()),
                            "{msg}"
                        );
                        refused += 1;
                    }
                    (got, want) => {
                        panic!("{:?} + {}: got {got:?}, want {want:?}", s.name(), e.name())
                    }
                }
            }
        }
        assert_eq!(allowed + refused, 8 * 16);
        assert_eq!(allowed, 22);
    }

    #[test]
    fn a_published_draft_never_moves_again() {
        let published = &states()[6];
        for e in events() {
            assert!(transition(published, &e).is_err(), "{}", e.name());
        }
    }

    #[test]
    fn unknown_outcome_keeps_the_attempt_start_for_reconciliation() {
        let s = DraftState::Publishing {
            attempt: 3,
            started_at: t(9),
            lease_until: t(69),
        };
        let next = transition(&s, &DraftEvent::OutcomeUnknown).expect("allowed");
        assert_eq!(
            next,
            DraftState::Reconciling {
                attempt: 3,
                started_at: t(9),
                lease_until: Some(t(69))
            }
        );
    }

    #[test]
    fn state_names_parse_and_list_valid_values_on_error() {
        assert_eq!(
            "queued".parse::<StateName>().expect("ok"),
            StateName::Queued
        );
        let e = "done".parse::<StateName>().unwrap_err().to_string();
        assert!(e.contains("pending") && e.contains("failed"), "{e}");
    }
}
