//! Core's [`Pinterest`] port over the client and the OAuth flow.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures::{StreamExt, TryStreamExt};
use iqpins_core::{
    Board, BoardId, NewPin, PinId, PinMetrics, PinSummary, Pinterest, PinterestError,
    PinterestUser, TokenGrant,
};
use secrecy::SecretString;

use crate::analytics::{GetPinAnalytics, pin_metrics};
use crate::boards::{CreateBoard, ListBoardPins, ListBoards};
use crate::client::{Auth, Client};
use crate::oauth::OAuth;
use crate::pagination::MAX_PAGE_SIZE;
use crate::pins::CreatePin;
use crate::user_account::GetUserAccount;

/// The Pinterest port: a [`Client`] for the API and an [`OAuth`] flow for tokens.
#[derive(Clone, Debug)]
pub struct PinterestApi {
    client: Client,
    oauth: OAuth,
}

impl PinterestApi {
    /// The port over this client and flow.
    pub fn new(client: Client, oauth: OAuth) -> Self {
        Self { client, oauth }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The OAuth flow.
    pub fn oauth(&self) -> &OAuth {
        &self.oauth
    }
}

fn auth(access: &SecretString) -> Auth {
    Auth::from_token(access.clone())
}

#[async_trait]
impl Pinterest for PinterestApi {
    fn authorize_url(&self, state: &str) -> String {
        self.oauth.authorize_url_with_state(state).to_string()
    }

    async fn exchange_code(&self, code: &str) -> Result<TokenGrant, PinterestError> {
        Ok(self.oauth.exchange_code(code).await?)
    }

    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant, PinterestError> {
        Ok(self.oauth.refresh(refresh_token).await?)
    }

    async fn user_account(&self, access: &SecretString) -> Result<PinterestUser, PinterestError> {
        let a = self.client.send(&auth(access), &GetUserAccount).await?;
        Ok(PinterestUser {
            id: a.id,
            username: a.username.unwrap_or_default(),
            account_type: a
                .account_type
                .map(String::from)
                .unwrap_or_else(|| "PINNER".into()),
            profile_image: a.profile_image,
            website_url: a.website_url,
        })
    }

    async fn list_boards(&self, access: &SecretString) -> Result<Vec<Board>, PinterestError> {
        let boards: Vec<crate::boards::Board> = self
            .client
            .paginate(&auth(access), ListBoards::new().page_size(MAX_PAGE_SIZE))
            .try_collect()
            .await?;
        Ok(boards.into_iter().map(Board::from).collect())
    }

    async fn create_board(
        &self,
        access: &SecretString,
        name: &str,
        description: Option<&str>,
    ) -> Result<Board, PinterestError> {
        let mut req = CreateBoard::new(name);
        if let Some(d) = description {
            req = req.description(d);
        }
        Ok(self.client.send(&auth(access), &req).await?.into())
    }

    async fn create_pin(
        &self,
        access: &SecretString,
        pin: &NewPin,
    ) -> Result<PinSummary, PinterestError> {
        let pin = self
            .client
            .send(&auth(access), &CreatePin::from(pin))
            .await?;
        Ok(pin.into())
    }

    async fn list_board_pins(
        &self,
        access: &SecretString,
        board: &BoardId,
        since: DateTime<Utc>,
    ) -> Result<Vec<PinSummary>, PinterestError> {
        // Pinterest's `created_at` has whole seconds: compare from the start of `since`'s
        // second, or a pin made in the same second as the attempt would be missed.
        let since = DateTime::from_timestamp(since.timestamp(), 0).unwrap_or(since);
        // Pins come newest first: stop at the first one older than `since`.
        let pins = self
            .client
            .paginate(
                &auth(access),
                ListBoardPins::new(board.clone()).page_size(MAX_PAGE_SIZE),
            )
            .take_while(|p| {
                let keep = match p {
                    Ok(p) => p.created_at.is_none_or(|t| t >= since),
                    Err(_) => true,
                };
                futures::future::ready(keep)
            })
            .map_ok(PinSummary::from)
            .try_collect()
            .await?;
        Ok(pins)
    }

    async fn pin_analytics(
        &self,
        access: &SecretString,
        pin: &PinId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PinMetrics>, PinterestError> {
        let report = self
            .client
            .send(&auth(access), &GetPinAnalytics::new(pin.clone(), from, to))
            .await?;
        Ok(pin_metrics(pin, &report))
    }
}
