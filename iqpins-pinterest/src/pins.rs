//! Pins: create (never retried blindly), get, delete.

use chrono::{DateTime, Utc};
use iqpins_core::{BoardId, BoardSectionId, NewPin, PinId, PinMedia, PinSummary};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{DecodeError, Request, decode_json};
use crate::enums::string_enum;
use crate::limiter::RateCategory;
use crate::retry::Idempotency;

string_enum! {
    /// The creative type of a pin.
    pub enum CreativeType {
        /// A regular image pin.
        Regular => "REGULAR",
        /// A video pin.
        Video => "VIDEO",
        /// A shopping pin.
        Shopping => "SHOPPING",
        /// A carousel.
        Carousel => "CAROUSEL",
        /// A max-width video.
        MaxVideo => "MAX_VIDEO",
        /// Deprecated shop-the-pin.
        ShopThePin => "SHOP_THE_PIN",
        /// A collection.
        Collection => "COLLECTION",
        /// An idea pin.
        Idea => "IDEA",
        /// A showcase.
        Showcase => "SHOWCASE",
        /// A quiz.
        Quiz => "QUIZ",
        /// A collage.
        Collage => "COLLAGE",
    }
}

string_enum! {
    /// The media kind of a pin.
    pub enum MediaType {
        /// One image.
        Image => "image",
        /// One video.
        Video => "video",
        /// Several images.
        MultipleImages => "multiple_images",
        /// Several videos.
        MultipleVideos => "multiple_videos",
        /// Images and videos.
        MultipleMixed => "multiple_mixed",
    }
}

string_enum! {
    /// The content type of base64 image data.
    pub enum ImageContentType {
        /// JPEG.
        Jpeg => "image/jpeg",
        /// PNG.
        Png => "image/png",
    }
}

/// What Pinterest says about a pin's media (enough to know its kind).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PinMediaInfo {
    /// The media kind.
    #[serde(default)]
    pub media_type: Option<MediaType>,
}

/// A pin as Pinterest describes it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Pin {
    /// Id.
    pub id: PinId,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::time::lenient")]
    pub created_at: Option<DateTime<Utc>>,
    /// Destination link.
    #[serde(default)]
    pub link: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Alt text.
    #[serde(default)]
    pub alt_text: Option<String>,
    /// Dominant colour (`#6E7874`).
    #[serde(default)]
    pub dominant_color: Option<String>,
    /// Board.
    #[serde(default)]
    pub board_id: Option<BoardId>,
    /// Section.
    #[serde(default)]
    pub board_section_id: Option<BoardSectionId>,
    /// Creative type.
    #[serde(default)]
    pub creative_type: Option<CreativeType>,
    /// Media.
    #[serde(default)]
    pub media: Option<PinMediaInfo>,
    /// Whether the token's user owns it.
    #[serde(default)]
    pub is_owner: Option<bool>,
}

impl From<Pin> for PinSummary {
    fn from(p: Pin) -> Self {
        PinSummary {
            id: p.id,
            created_at: p.created_at,
            link: p.link,
            title: p.title,
            board_id: p.board_id,
        }
    }
}

/// Where a new pin's image comes from (`media_source`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(tag = "source_type", rename_all = "snake_case")]
pub enum MediaSource {
    /// Pinterest fetches the image from this URL.
    ImageUrl {
        /// The image URL.
        url: String,
    },
    /// The image, base64 encoded.
    ImageBase64 {
        /// JPEG or PNG.
        content_type: ImageContentType,
        /// Base64 data (standard alphabet, no line breaks).
        data: String,
    },
}

/// `POST /pins`: creates a pin. Pinterest has no idempotency key, so this is never
/// retried once it may have been sent: an unknown outcome is reported as
/// [`crate::Error::OutcomeUnknown`] for the caller to reconcile.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CreatePin {
    /// Board.
    pub board_id: BoardId,
    /// Section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board_section_id: Option<BoardSectionId>,
    /// Title (≤100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description (≤800).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Destination link (≤2048).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Alt text (≤500).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    /// Dominant colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominant_color: Option<String>,
    /// The image.
    pub media_source: MediaSource,
}

impl CreatePin {
    /// A pin on this board with this image.
    pub fn new(board_id: BoardId, media_source: MediaSource) -> Self {
        Self {
            board_id,
            board_section_id: None,
            title: None,
            description: None,
            link: None,
            alt_text: None,
            dominant_color: None,
            media_source,
        }
    }
    /// Puts it in a section.
    pub fn section(mut self, s: BoardSectionId) -> Self {
        self.board_section_id = Some(s);
        self
    }
    /// Sets the title.
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
    /// Sets the destination link.
    pub fn link(mut self, l: impl Into<String>) -> Self {
        self.link = Some(l.into());
        self
    }
    /// Sets the alt text.
    pub fn alt_text(mut self, a: impl Into<String>) -> Self {
        self.alt_text = Some(a.into());
        self
    }
    /// Sets the dominant colour.
    pub fn dominant_color(mut self, c: impl Into<String>) -> Self {
        self.dominant_color = Some(c.into());
        self
    }
}

impl From<&NewPin> for CreatePin {
    fn from(p: &NewPin) -> Self {
        let media = match &p.media {
            PinMedia::ImageUrl(url) => MediaSource::ImageUrl {
                url: url.as_str().to_owned(),
            },
            PinMedia::ImageBase64 { content_type, data } => MediaSource::ImageBase64 {
                content_type: ImageContentType::from(content_type.as_str()),
                data: data.clone(),
            },
        };
        let mut req = CreatePin::new(p.board_id.clone(), media)
            .title(p.title.as_str())
            .link(p.link.as_str());
        if !p.description.as_str().is_empty() {
            req = req.description(p.description.as_str());
        }
        if !p.alt_text.as_str().is_empty() {
            req = req.alt_text(p.alt_text.as_str());
        }
        if let Some(s) = &p.board_section_id {
            req = req.section(s.clone());
        }
        req
    }
}

impl Request for CreatePin {
    type Response = Pin;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> String {
        "pins".into()
    }
    fn body(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgWrite
    }
    fn idempotency(&self) -> Idempotency {
        Idempotency::Create
    }
    fn decode(body: &[u8]) -> Result<Pin, DecodeError> {
        decode_json(body)
    }
}

/// `GET /pins/{pin_id}`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GetPin {
    /// The pin.
    pub pin_id: PinId,
}

impl GetPin {
    /// The request.
    pub fn new(pin_id: PinId) -> Self {
        Self { pin_id }
    }
}

impl Request for GetPin {
    type Response = Pin;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        format!("pins/{}", self.pin_id)
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgRead
    }
    fn decode(body: &[u8]) -> Result<Pin, DecodeError> {
        decode_json(body)
    }
}

/// `DELETE /pins/{pin_id}` (answered 204 with no body).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DeletePin {
    /// The pin.
    pub pin_id: PinId,
}

impl DeletePin {
    /// The request.
    pub fn new(pin_id: PinId) -> Self {
        Self { pin_id }
    }
}

impl Request for DeletePin {
    type Response = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> String {
        format!("pins/{}", self.pin_id)
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgWrite
    }
    fn decode(_body: &[u8]) -> Result<(), DecodeError> {
        Ok(())
    }
}
