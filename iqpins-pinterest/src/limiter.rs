//! Client-side rate limiting per Pinterest account and per rate-limit category, so one busy
//! account neither starves the others nor trips Pinterest's 429s for them.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::enums::string_enum;

string_enum! {
    /// Pinterest's `x-ratelimit-category` of an operation.
    pub enum RateCategory {
        /// Reads (`org_read`).
        OrgRead => "org_read",
        /// Writes (`org_write`).
        OrgWrite => "org_write",
        /// Analytics (`org_analytics`).
        OrgAnalytics => "org_analytics",
    }
}

/// Requests per second allowed per account in each category. The default follows
/// Pinterest's documented Standard access: 100 calls per second per user per app.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RateLimits {
    /// `org_read` per second.
    pub org_read: NonZeroU32,
    /// `org_write` per second.
    pub org_write: NonZeroU32,
    /// `org_analytics` per second.
    pub org_analytics: NonZeroU32,
}

impl Default for RateLimits {
    fn default() -> Self {
        let hundred = NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN);
        Self {
            org_read: hundred,
            org_write: hundred,
            org_analytics: hundred,
        }
    }
}

/// One GCRA limiter per category, keyed by account.
#[derive(Clone)]
pub struct Limiter {
    by_category: Arc<HashMap<&'static str, DefaultKeyedRateLimiter<String>>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").finish_non_exhaustive()
    }
}

impl Limiter {
    /// A limiter with these per-second limits.
    pub fn new(limits: RateLimits) -> Self {
        let mut by_category = HashMap::new();
        for (name, per_second) in [
            ("org_read", limits.org_read),
            ("org_write", limits.org_write),
            ("org_analytics", limits.org_analytics),
        ] {
            by_category.insert(name, RateLimiter::keyed(Quota::per_second(per_second)));
        }
        Self {
            by_category: Arc::new(by_category),
        }
    }

    /// Waits until `account` may send one more request of `category` (an unknown category
    /// counts as `org_read`).
    pub async fn until_ready(&self, account: &str, category: &RateCategory) {
        let limiter = self
            .by_category
            .get(category.as_str())
            .or_else(|| self.by_category.get("org_read"));
        if let Some(limiter) = limiter {
            limiter.until_key_ready(&account.to_owned()).await;
            // Forget accounts whose budget is full again, so the map does not grow with
            // every account ever seen.
            if limiter.len() > 10_000 {
                limiter.retain_recent();
            }
        }
    }

    /// Takes one request of `category` for `account` if allowed now; false when the caller
    /// would have to wait.
    pub fn try_acquire(&self, account: &str, category: &RateCategory) -> bool {
        self.by_category
            .get(category.as_str())
            .or_else(|| self.by_category.get("org_read"))
            .is_none_or(|l| l.check_key(&account.to_owned()).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_categories_have_separate_budgets() {
        let one = NonZeroU32::MIN;
        let limiter = Limiter::new(RateLimits {
            org_read: one,
            org_write: one,
            org_analytics: one,
        });
        assert!(limiter.try_acquire("a", &RateCategory::OrgRead));
        assert!(!limiter.try_acquire("a", &RateCategory::OrgRead));
        assert!(limiter.try_acquire("a", &RateCategory::OrgWrite));
        assert!(limiter.try_acquire("b", &RateCategory::OrgRead));
        assert!(limiter.try_acquire("a", &RateCategory::OrgAnalytics));
        assert!(!limiter.try_acquire("a", &RateCategory::OrgAnalytics));
    }
}
