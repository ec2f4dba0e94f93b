//! When to try a request again: a policy value and one pure decision function.
//!
//! Reads (and idempotent writes) are retried on 429, 5xx and transport failures with
//! exponential backoff and jitter, honouring `Retry-After`. Creates (`POST /pins`,
//! `POST /boards`, `POST …/sections`) have no idempotency key on Pinterest, so they are
//! only retried when the request provably never left; everything else is handed back to
//! the caller (429 as rate limited, the rest as an unknown outcome to reconcile).

use std::time::Duration;

/// How a request may be repeated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Idempotency {
    /// Safe to repeat: GET, DELETE, PATCH with the same body.
    Idempotent,
    /// Repeating it may create a duplicate: never retried once it may have been sent.
    Create,
}

/// What happened to one attempt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Attempt {
    /// An HTTP answer with this status and maybe a `Retry-After`.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// The request never left (connect failure, DNS).
    NotSent,
    /// The request was (maybe) sent, but no complete answer came back (timeout, connection
    /// reset, a body cut short).
    Lost,
}

/// What to do after an attempt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Done: hand the result to the caller (a success, or an error that a retry will not fix).
    Return,
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// A create that may have happened: report the outcome as unknown so it is reconciled.
    OutcomeUnknown,
}

/// The retry policy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff; doubled on each further attempt.
    pub base_delay: Duration,
    /// No backoff is longer than this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the 429 goes to the caller.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Decides what to do after attempt number `attempt` (1 for the first) ended as
    /// `outcome`. `jitter` is a random number in `[0, 1)`; passing it in keeps this function
    /// pure. Backoff is "equal jitter": half the exponential delay plus a random share of
    /// the other half.
    pub fn decide(
        &self,
        idempotency: Idempotency,
        outcome: Attempt,
        attempt: u32,
        jitter: f64,
    ) -> Decision {
        let retryable = match (idempotency, outcome) {
            (_, Attempt::Status { status, .. }) if status < 400 => return Decision::Return,
            (_, Attempt::NotSent) => true,
            // A create answered 5xx or lost on the way back may have happened.
            (Idempotency::Create, Attempt::Lost) => return Decision::OutcomeUnknown,
            (Idempotency::Create, Attempt::Status { status, .. }) if status >= 500 => {
                return Decision::OutcomeUnknown;
            }
            // A rate-limited create was refused, not done, but it is still never repeated
            // by the client on its own: the workflow requeues it.
            (Idempotency::Create, Attempt::Status { .. }) => false,
            (Idempotency::Idempotent, Attempt::Lost) => true,
            (Idempotency::Idempotent, Attempt::Status { status, .. }) => {
                status == 429 || status >= 500
            }
        };
        if !retryable || attempt >= self.max_attempts {
            return Decision::Return;
        }
        if let Attempt::Status {
            retry_after: Some(wait),
            ..
        } = outcome
        {
            return if wait <= self.max_retry_after {
                Decision::RetryAfter(wait)
            } else {
                Decision::Return
            };
        }
        Decision::RetryAfter(self.backoff(attempt, jitter))
    }

    /// The backoff before attempt `attempt + 1`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Parses `Retry-After` in its seconds form (the HTTP-date form is rare from APIs and is
/// treated as absent).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Attempt {
        Attempt::Status {
            status,
            retry_after: None,
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(30),
        }
    }

    #[test]
    fn reads_are_retried_on_429_and_5xx_and_lost_answers() {
        let p = policy();
        for outcome in [
            status(429),
            status(500),
            status(503),
            Attempt::Lost,
            Attempt::NotSent,
        ] {
            assert!(
                matches!(
                    p.decide(Idempotency::Idempotent, outcome, 1, 0.5),
                    Decision::RetryAfter(_)
                ),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn successes_and_client_errors_are_returned_at_once() {
        let p = policy();
        for s in [200, 201, 204, 400, 401, 403, 404, 409] {
            assert_eq!(
                p.decide(Idempotency::Idempotent, status(s), 1, 0.5),
                Decision::Return,
                "{s}"
            );
        }
    }

    #[test]
    fn retries_stop_after_the_last_attempt() {
        let p = policy();
        assert!(matches!(
            p.decide(Idempotency::Idempotent, status(503), 3, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(Idempotency::Idempotent, status(503), 4, 0.0),
            Decision::Return
        );
        assert_eq!(
            RetryPolicy::never().decide(Idempotency::Idempotent, status(503), 1, 0.0),
            Decision::Return
        );
    }

    #[test]
    fn retry_after_is_honoured_and_too_long_a_wait_is_handed_back() {
        let p = policy();
        let ra = |s| Attempt::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(
            p.decide(Idempotency::Idempotent, ra(7), 1, 0.9),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        assert_eq!(
            p.decide(Idempotency::Idempotent, ra(31), 1, 0.9),
            Decision::Return
        );
    }

    #[test]
    fn a_create_is_never_retried_once_it_may_have_been_sent() {
        let p = policy();
        assert_eq!(
            p.decide(Idempotency::Create, status(500), 1, 0.5),
            Decision::OutcomeUnknown
        );
        assert_eq!(
            p.decide(Idempotency::Create, status(502), 1, 0.5),
            Decision::OutcomeUnknown
        );
        assert_eq!(
            p.decide(Idempotency::Create, Attempt::Lost, 1, 0.5),
            Decision::OutcomeUnknown
        );
        assert_eq!(
            p.decide(Idempotency::Create, status(429), 1, 0.5),
            Decision::Return
        );
        assert_eq!(
            p.decide(Idempotency::Create, status(400), 1, 0.5),
            Decision::Return
        );
        assert_eq!(
            p.decide(Idempotency::Create, status(201), 1, 0.5),
            Decision::Return
        );
    }

    #[test]
    fn a_create_that_never_left_may_be_sent_again() {
        assert!(matches!(
            policy().decide(Idempotency::Create, Attempt::NotSent, 1, 0.5),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_a_cap() {
        let p = policy();
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(3, 0.5), Duration::from_millis(300));
        assert_eq!(p.backoff(30, 1.0), Duration::from_millis(1000));
        let d = p.backoff(2, 0.25);
        assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
    }

    #[test]
    fn retry_after_seconds_parse() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
