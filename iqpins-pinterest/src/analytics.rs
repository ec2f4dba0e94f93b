//! Analytics: `GET /pins/{pin_id}/analytics` and `GET /user_account/analytics`.
//! Dates are UTC days; Pinterest serves at most 90 days back. Not available in the Sandbox.

use std::collections::HashMap;

use chrono::NaiveDate;
use iqpins_core::{PinId, PinMetrics};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{DecodeError, Request, decode_json};
use crate::enums::string_enum;
use crate::limiter::RateCategory;

string_enum! {
    /// A metric Pinterest reports.
    pub enum MetricType {
        /// Times the pin was seen.
        Impression => "IMPRESSION",
        /// Saves.
        Save => "SAVE",
        /// Clicks on the pin (close-ups).
        PinClick => "PIN_CLICK",
        /// Clicks through to the link.
        OutboundClick => "OUTBOUND_CLICK",
        /// Saves per impression.
        SaveRate => "SAVE_RATE",
        /// Engagements.
        Engagement => "ENGAGEMENT",
        /// Engagements per impression.
        EngagementRate => "ENGAGEMENT_RATE",
        /// Pin clicks per impression.
        PinClickRate => "PIN_CLICK_RATE",
        /// Outbound clicks per impression.
        OutboundClickRate => "OUTBOUND_CLICK_RATE",
        /// Comments.
        TotalComments => "TOTAL_COMMENTS",
        /// Reactions.
        TotalReactions => "TOTAL_REACTIONS",
        /// Profile visits.
        ProfileVisit => "PROFILE_VISIT",
        /// Follows.
        UserFollow => "USER_FOLLOW",
    }
}

string_enum! {
    /// Whether a day's numbers are final.
    pub enum DataStatus {
        /// Still being computed.
        Processing => "PROCESSING",
        /// Final.
        Ready => "READY",
        /// An estimate.
        Estimate => "ESTIMATE",
        /// Before the pin existed.
        BeforePinCreated => "BEFORE_PIN_CREATED",
    }
}

/// The numbers of one day.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct DailyMetrics {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Whether the numbers are final.
    #[serde(default)]
    pub data_status: Option<DataStatus>,
    /// Metric values.
    #[serde(default)]
    pub metrics: HashMap<MetricType, f64>,
}

impl DailyMetrics {
    /// A metric's value, rounded to a count (0 when absent).
    pub fn count(&self, metric: &MetricType) -> u64 {
        self.metrics
            .get(metric)
            .map(|v| v.max(0.0).round() as u64)
            .unwrap_or(0)
    }
}

/// The metrics of one split (`all` without a split).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct MetricsReport {
    /// One entry per day.
    #[serde(default)]
    pub daily_metrics: Vec<DailyMetrics>,
    /// Totals over the period.
    #[serde(default)]
    pub summary_metrics: HashMap<MetricType, f64>,
    /// Lifetime totals (pins only).
    #[serde(default)]
    pub lifetime_metrics: HashMap<MetricType, i64>,
}

/// An analytics answer: reports by split key (`all` when not split).
pub type AnalyticsReport = HashMap<String, MetricsReport>;

/// The report for a pin turned into core's daily metrics (all splits added up).
pub fn pin_metrics(pin: &PinId, report: &AnalyticsReport) -> Vec<PinMetrics> {
    let mut by_day: std::collections::BTreeMap<NaiveDate, PinMetrics> = Default::default();
    for split in report.values() {
        for day in &split.daily_metrics {
            let m = by_day.entry(day.date).or_insert_with(|| PinMetrics {
                pin_id: pin.clone(),
                date: day.date,
                impressions: 0,
                saves: 0,
                pin_clicks: 0,
                outbound_clicks: 0,
            });
            m.impressions += day.count(&MetricType::Impression);
            m.saves += day.count(&MetricType::Save);
            m.pin_clicks += day.count(&MetricType::PinClick);
            m.outbound_clicks += day.count(&MetricType::OutboundClick);
        }
    }
    by_day.into_values().collect()
}

/// The metrics IQ Pins shows.
pub fn default_metrics() -> Vec<MetricType> {
    vec![
        MetricType::Impression,
        MetricType::Save,
        MetricType::PinClick,
        MetricType::OutboundClick,
    ]
}

fn metric_list(m: &[MetricType]) -> String {
    m.iter()
        .map(MetricType::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// `GET /pins/{pin_id}/analytics`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GetPinAnalytics {
    /// The pin.
    pub pin_id: PinId,
    /// First day (UTC, at most 90 days back).
    pub start_date: NaiveDate,
    /// Last day (UTC).
    pub end_date: NaiveDate,
    /// Metrics wanted (required by Pinterest; defaults to [`default_metrics`]).
    pub metric_types: Vec<MetricType>,
}

impl GetPinAnalytics {
    /// The default metrics of a pin between two days.
    pub fn new(pin_id: PinId, start_date: NaiveDate, end_date: NaiveDate) -> Self {
        Self {
            pin_id,
            start_date,
            end_date,
            metric_types: default_metrics(),
        }
    }
    /// Sets the metrics.
    pub fn metric_types(mut self, m: Vec<MetricType>) -> Self {
        self.metric_types = m;
        self
    }
}

impl Request for GetPinAnalytics {
    type Response = AnalyticsReport;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        format!("pins/{}/analytics", self.pin_id)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("start_date", self.start_date.to_string()),
            ("end_date", self.end_date.to_string()),
            ("metric_types", metric_list(&self.metric_types)),
        ]
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgAnalytics
    }
    fn decode(body: &[u8]) -> Result<AnalyticsReport, DecodeError> {
        decode_json(body)
    }
}

/// `GET /user_account/analytics`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GetUserAccountAnalytics {
    /// First day (UTC, at most 90 days back).
    pub start_date: NaiveDate,
    /// Last day (UTC).
    pub end_date: NaiveDate,
    /// Metrics wanted (empty = Pinterest's default, all).
    pub metric_types: Vec<MetricType>,
}

impl GetUserAccountAnalytics {
    /// All metrics between two days.
    pub fn new(start_date: NaiveDate, end_date: NaiveDate) -> Self {
        Self {
            start_date,
            end_date,
            metric_types: Vec::new(),
        }
    }
    /// Sets the metrics.
    pub fn metric_types(mut self, m: Vec<MetricType>) -> Self {
        self.metric_types = m;
        self
    }
}

impl Request for GetUserAccountAnalytics {
    type Response = AnalyticsReport;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        "user_account/analytics".into()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("start_date", self.start_date.to_string()),
            ("end_date", self.end_date.to_string()),
        ];
        if !self.metric_types.is_empty() {
            q.push(("metric_types", metric_list(&self.metric_types)));
        }
        q
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgAnalytics
    }
    fn decode(body: &[u8]) -> Result<AnalyticsReport, DecodeError> {
        decode_json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_metric_names_and_statuses_decode() {
        let body = br#"{"all":{"daily_metrics":[{"date":"2025-01-02","data_status":"SOMETHING_NEW","metrics":{"IMPRESSION":3,"NEW_METRIC":1.5}}],"summary_metrics":{"IMPRESSION":3}}}"#;
        let r = GetPinAnalytics::decode(body).unwrap();
        let day = &r["all"].daily_metrics[0];
        assert_eq!(
            day.data_status,
            Some(DataStatus::Unknown("SOMETHING_NEW".into()))
        );
        assert_eq!(day.metrics[&MetricType::Unknown("NEW_METRIC".into())], 1.5);
        let pin = PinId::parse("1").unwrap();
        let m = pin_metrics(&pin, &r);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].impressions, 3);
    }
}
