//! The emulator's data: the user, boards, sections, pins, OAuth codes and tokens, rate
//! windows, fault dice and counters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::{EmulatorConfig, EmulatorRateLimits, Faults};

/// Counters of what the emulator saw and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// API requests received (not counting OAuth).
    pub api_requests: u64,
    /// `POST /pins` requests received, whatever became of them.
    pub pin_create_requests: u64,
    /// Pins actually created.
    pub pins_created: u64,
    /// `POST /boards` requests received.
    pub board_create_requests: u64,
    /// Answers dropped after committing a pin.
    pub dropped_answers: u64,
    /// Injected 5xx answers.
    pub injected_errors: u64,
    /// Injected 429 answers.
    pub injected_rate_limits: u64,
    /// 429 answers from the configured rate limits.
    pub rate_limited: u64,
    /// Tokens issued by code exchange.
    pub code_exchanges: u64,
    /// Refreshes served.
    pub refreshes: u64,
}

pub(crate) struct BoardRec {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub privacy: String,
    pub created_at: DateTime<Utc>,
    pub pins_modified_at: DateTime<Utc>,
}

pub(crate) struct SectionRec {
    pub id: String,
    pub board_id: String,
    pub name: String,
}

pub(crate) struct PinRec {
    pub id: String,
    pub board_id: String,
    pub section_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub alt_text: Option<String>,
    pub dominant_color: Option<String>,
    pub image_url: String,
    pub created_at: DateTime<Utc>,
}

pub(crate) struct CodeRec {
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

pub(crate) struct TokenRec {
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

pub(crate) struct World {
    pub user_id: String,
    pub username: String,
    pub next_id: u64,
    pub boards: Vec<BoardRec>,
    pub sections: Vec<SectionRec>,
    pub pins: Vec<PinRec>,
    pub codes: HashMap<String, CodeRec>,
    pub access: HashMap<String, TokenRec>,
    pub refresh: HashMap<String, TokenRec>,
    pub windows: HashMap<&'static str, (Instant, u32)>,
    pub limits: EmulatorRateLimits,
    pub faults: Faults,
    pub rng: StdRng,
    pub stats: Stats,
}

impl World {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let mut w = World {
            user_id: "2783136121146311751".into(),
            username: config.username.clone(),
            next_id: 549_755_885_175,
            boards: Vec::new(),
            sections: Vec::new(),
            pins: Vec::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            windows: HashMap::new(),
            limits: config.rate_limits,
            faults: config.faults,
            rng: StdRng::seed_from_u64(config.seed),
            stats: Stats::default(),
        };
        let created = Utc::now() - chrono::Duration::days(120);
        let numbered = (1..=config.boards).map(|i| {
            (
                format!("Board {i}"),
                format!("Ideas, collection number {i}"),
            )
        });
        for (name, description) in numbered.chain(config.board_names.iter().cloned()) {
            let id = w.new_id();
            w.boards.push(BoardRec {
                id,
                name,
                description: Some(description),
                privacy: "PUBLIC".into(),
                created_at: created,
                pins_modified_at: created,
            });
        }
        w
    }

    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    pub(crate) fn new_secret(&mut self, prefix: &str) -> String {
        let a: u64 = self.rng.random();
        let b: u64 = self.rng.random();
        format!("{prefix}{a:016x}{b:016x}")
    }

    pub(crate) fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires_at = now;
        }
    }

    pub(crate) fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
    }

    /// Takes one request of `category` from the window; the wait until the window resets
    /// when the budget is spent.
    pub(crate) fn take_budget(&mut self, category: &'static str) -> Result<(), Duration> {
        let limit = match category {
            "org_write" => self.limits.org_write,
            "org_analytics" => self.limits.org_analytics,
            _ => self.limits.org_read,
        };
        let Some(limit) = limit else { return Ok(()) };
        let window = self.limits.window;
        let now = Instant::now();
        let entry = self.windows.entry(category).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return Err(window.saturating_sub(now.duration_since(entry.0)));
        }
        entry.1 += 1;
        Ok(())
    }

    pub(crate) fn roll(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    pub(crate) fn board(&self, id: &str) -> Option<&BoardRec> {
        self.boards.iter().find(|b| b.id == id)
    }

    pub(crate) fn board_json(&self, b: &BoardRec) -> Value {
        let pin_count = self.pins.iter().filter(|p| p.board_id == b.id).count();
        let thumbs: Vec<&str> = self
            .pins
            .iter()
            .rev()
            .filter(|p| p.board_id == b.id)
            .take(4)
            .map(|p| p.image_url.as_str())
            .collect();
        json!({
            "id": b.id,
            "name": b.name,
            "description": b.description,
            "privacy": b.privacy,
            "created_at": rfc3339(b.created_at),
            "board_pins_modified_at": rfc3339(b.pins_modified_at),
            "pin_count": pin_count,
            "follower_count": 0,
            "collaborator_count": 0,
            "owner": {"username": self.username},
            "media": {"image_cover_url": thumbs.first(), "pin_thumbnail_urls": thumbs},
        })
    }

    pub(crate) fn pin_json(&self, p: &PinRec) -> Value {
        let image = |w: u32, h: u32| json!({"width": w, "height": h, "url": p.image_url});
        json!({
            "id": p.id,
            "created_at": rfc3339(p.created_at),
            "link": p.link,
            "title": p.title,
            "description": p.description,
            "alt_text": p.alt_text,
            "dominant_color": p.dominant_color,
            "board_id": p.board_id,
            "board_section_id": p.section_id,
            "board_owner": {"username": self.username},
            "creative_type": "REGULAR",
            "is_owner": true,
            "is_standard": true,
            "has_been_promoted": false,
            "parent_pin_id": null,
            "pin_metrics": null,
            "media": {
                "media_type": "image",
                "images": {
                    "150x150": image(150, 150),
                    "400x300": image(400, 300),
                    "600x": image(600, 900),
                    "1200x": image(1200, 1800),
                }
            },
        })
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A deterministic number for (key, day, metric): same inputs, same metrics.
pub(crate) fn synthetic(key: &str, day: NaiveDate, metric: &str) -> u64 {
    // FNV-1a then a splitmix finaliser: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key
        .bytes()
        .chain(day.to_string().bytes())
        .chain(metric.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h
}

/// One day's metrics of a pin or an account.
pub(crate) fn day_metrics(key: &str, day: NaiveDate, metrics: &[String]) -> Value {
    let impressions = 50 + synthetic(key, day, "IMPRESSION") % 450;
    let saves = synthetic(key, day, "SAVE") % (impressions / 20 + 1);
    let pin_clicks = synthetic(key, day, "PIN_CLICK") % (impressions / 10 + 1);
    let outbound = synthetic(key, day, "OUTBOUND_CLICK") % (impressions / 25 + 1);
    let engagement = saves + pin_clicks + outbound;
    let rate = |n: u64| (n as f64 / impressions as f64 * 10_000.0).round() / 10_000.0;
    let mut out = serde_json::Map::new();
    for m in metrics {
        let v = match m.as_str() {
            "IMPRESSION" => json!(impressions),
            "SAVE" => json!(saves),
            "PIN_CLICK" => json!(pin_clicks),
            "OUTBOUND_CLICK" => json!(outbound),
            "ENGAGEMENT" => json!(engagement),
            "SAVE_RATE" => json!(rate(saves)),
            "PIN_CLICK_RATE" => json!(rate(pin_clicks)),
            "OUTBOUND_CLICK_RATE" => json!(rate(outbound)),
            "ENGAGEMENT_RATE" => json!(rate(engagement)),
            _ => json!(synthetic(key, day, m) % 5),
        };
        out.insert(m.clone(), v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_metrics_are_deterministic_and_consistent() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let ms = vec!["IMPRESSION".to_owned(), "SAVE".to_owned()];
        let a = day_metrics("123", day, &ms);
        assert_eq!(a, day_metrics("123", day, &ms));
        assert_ne!(a, day_metrics("124", day, &ms));
        assert!(a["SAVE"].as_u64().unwrap() <= a["IMPRESSION"].as_u64().unwrap());
    }
}
