//! [`SafeFetcher`]: core's `Fetcher` for user-given URLs, with SSRF guards.
//!
//! - http and https only, ports 80 and 443 unless configured, no `user:password@`;
//! - IP-literal hosts are checked before anything is sent, in every spelling the URL
//!   parser or `inet_aton` accepts (`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`,
//!   `[::ffff:127.0.0.1]`);
//! - names are resolved by a filtering resolver that drops loopback, private, link-local
//!   (incl. `169.254.169.254`), CGNAT, multicast, unspecified, reserved, documentation,
//!   IPv6 ULA/link-local and IPv4-mapped addresses; the connection uses exactly the
//!   addresses the filter passed, so DNS rebinding between check and connect cannot work;
//! - no proxies; every redirect is re-checked by a custom policy, at most 5;
//! - a body cap (10 MiB) counted on decompressed bytes, connect and total timeouts,
//!   content-type checks with sniffing, and an honest User-Agent.
//!
//! An explicit allow-list of networks (and ports) exists for tests and the demo shop.

pub mod ip;

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ipnet::IpNet;
use iqpins_core::ports::{Fetched, Fetcher};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::{Error, InputKind, Result};

/// The default body cap: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;
/// The default and largest number of redirects followed.
pub const MAX_REDIRECTS: usize = 5;
/// The User-Agent sent with every request.
pub const USER_AGENT: &str = concat!(
    "IQPinsBot/",
    env!("CARGO_PKG_VERSION"),
    " (+https://example.invalid/iqpins; fetches pages its users own to draft Pinterest Pins)"
);

/// What the fetcher may reach and how much it reads.
#[derive(Clone, Debug)]
pub struct FetchPolicy {
    /// Networks reachable even though they are internal (tests, the demo shop). Empty in
    /// production.
    pub allow: Vec<IpNet>,
    /// Ports that may be used (80 and 443 by default).
    pub ports: Vec<u16>,
    /// Largest body, counted after decompression.
    pub max_body: usize,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, body included.
    pub timeout: Duration,
    /// Redirects followed at most (capped at [`MAX_REDIRECTS`]).
    pub max_redirects: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            ports: vec![80, 443],
            max_body: DEFAULT_MAX_BODY,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_redirects: MAX_REDIRECTS,
        }
    }
}

impl FetchPolicy {
    /// Why this address may not be reached, or `None` when it may.
    pub fn refuse_ip(&self, ip: IpAddr) -> Option<String> {
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped(),
            IpAddr::V4(_) => None,
        };
        let target = mapped.map_or(ip, IpAddr::V4);
        if self.allow.iter().any(|n| n.contains(&target)) {
            return None;
        }
        match mapped {
            // Refused whatever they embed: nothing public needs this spelling.
            Some(v4) => Some(format!(
                "{ip} is an IPv4-mapped address (::ffff:0:0/96){}",
                ip::forbidden_reason(IpAddr::V4(v4))
                    .map(|r| format!(" of {v4}, {r}"))
                    .unwrap_or_default()
            )),
            None => ip::forbidden_reason(ip).map(|r| format!("{ip} is {r}")),
        }
    }

    /// Checks everything that can be checked without the network: scheme, credentials,
    /// port and an IP-literal host. Names are checked later by the resolver.
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "scheme {:?} is not allowed; only http and https",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("URLs with user:password@ are not fetched".into());
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if !self.ports.contains(&port) {
            return Err(format!(
                "port {port} is not allowed; only {}",
                self.ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                if let Some(v4) = ip::parse_ipv4_loose(&d) {
                    IpAddr::V4(v4)
                } else if d == "localhost" || d.ends_with(".localhost") {
                    return Err(format!("{d} is a loopback name"));
                } else {
                    return Ok(());
                }
            }
            None => return Err("the URL has no host".into()),
        };
        match self.refuse_ip(ip) {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }
}

/// The marker error the resolver and redirect policy return, found again in reqwest's
/// error chain to report a refusal as [`Error::Refused`].
#[derive(Debug)]
struct Blocked(String);

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Blocked {}

/// Resolves with the system resolver (`getaddrinfo` through tokio).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Wraps a resolver and drops every address the policy refuses; fails when none is left.
/// The connection is made only to the addresses returned here.
pub struct FilteringResolver {
    inner: Arc<dyn Resolve>,
    policy: Arc<FetchPolicy>,
}

impl std::fmt::Debug for FilteringResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilteringResolver")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl FilteringResolver {
    /// Filters what `inner` resolves.
    pub fn new(inner: Arc<dyn Resolve>, policy: Arc<FetchPolicy>) -> Self {
        Self { inner, policy }
    }
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        let fut = self.inner.resolve(name);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = fut.await?.collect();
            let mut refused = Vec::new();
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match policy.refuse_ip(a.ip()) {
                    Some(r) => {
                        refused.push(r);
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                let why = if refused.is_empty() {
                    format!("{host} has no addresses")
                } else {
                    format!(
                        "{host} resolves only to internal addresses: {}",
                        refused.join("; ")
                    )
                };
                return Err(Box::new(Blocked(why)) as Box<dyn StdError + Send + Sync>);
            }
            // One refused address is enough to refuse the name: a name that mixes public
            // and internal addresses is a rebinding attempt or a misconfiguration.
            if !refused.is_empty() {
                return Err(Box::new(Blocked(format!(
                    "{host} resolves to internal addresses too: {}",
                    refused.join("; ")
                ))) as Box<dyn StdError + Send + Sync>);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Fetches user content over http(s) with SSRF guards (see the module docs).
#[derive(Clone, Debug)]
pub struct SafeFetcher {
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
}

impl SafeFetcher {
    /// A fetcher with the default policy and the system resolver.
    pub fn new() -> Result<Self> {
        Self::with_policy(FetchPolicy::default())
    }

    /// A fetcher with this policy and the system resolver.
    pub fn with_policy(policy: FetchPolicy) -> Result<Self> {
        Self::with_resolver(policy, Arc::new(SystemResolver))
    }

    /// A fetcher whose names are resolved by `resolver` (then filtered by the policy).
    /// Tests inject a fake resolver so that no real DNS is used.
    pub fn with_resolver(policy: FetchPolicy, resolver: Arc<dyn Resolve>) -> Result<Self> {
        let policy = Arc::new(FetchPolicy {
            max_redirects: policy.max_redirects.min(MAX_REDIRECTS),
            ..policy
        });
        let p = policy.clone();
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > p.max_redirects {
                let msg = format!("more than {} redirects", p.max_redirects);
                return attempt.error(Blocked(msg));
            }
            match p.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(reason) => {
                    let msg = format!("redirect to {}: {reason}", attempt.url());
                    attempt.error(Blocked(msg))
                }
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .no_proxy()
            .redirect(redirect)
            .dns_resolver(Arc::new(FilteringResolver::new(resolver, policy.clone())))
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .build()
            .map_err(|e| Error::Fetch {
                url: String::new(),
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self { client, policy })
    }

    /// The policy in force.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// GETs `url` under the policy. Refusals are [`Error::Refused`]; a body over the cap
    /// is [`Error::TooLarge`]; a body that is no page, feed or CSV file is
    /// [`Error::UnsupportedContentType`].
    pub async fn get(&self, url: &str) -> Result<Fetched> {
        self.get_checked(url, DOCUMENT_ACCEPT, check_content_type)
            .await
    }

    /// GETs an image (JPEG, PNG, WebP or GIF) under the same policy, e.g. a product photo
    /// for a creative. A body that is no image is [`Error::UnsupportedContentType`].
    pub async fn get_image(&self, url: &str) -> Result<Fetched> {
        self.get_checked(url, IMAGE_ACCEPT, check_image_type).await
    }

    async fn get_checked(
        &self,
        url: &str,
        accept: &'static str,
        check: fn(&str, Option<&str>, &[u8]) -> Result<()>,
    ) -> Result<Fetched> {
        let parsed = Url::parse(url.trim()).map_err(|e| Error::Refused {
            url: url.to_owned(),
            reason: format!("not a valid URL: {e}"),
        })?;
        self.policy
            .check_url(&parsed)
            .map_err(|reason| Error::Refused {
                url: url.to_owned(),
                reason,
            })?;
        let mut resp = self
            .client
            .get(parsed.clone())
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(|e| request_error(url, &e))?;
        let final_url = resp.url().to_string();
        let status = resp.status();
        if status.is_redirection() {
            // reqwest hands back redirects it will not follow (e.g. to `file:`).
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let reason = match resp.url().join(&location) {
                Ok(to) => match self.policy.check_url(&to) {
                    Err(why) => format!("redirect to {to}: {why}"),
                    Ok(()) => format!("redirect to {to} was not followed (HTTP {status})"),
                },
                Err(e) => format!("redirect to {location:?}: not a valid URL: {e}"),
            };
            return Err(Error::Refused {
                url: url.to_owned(),
                reason,
            });
        }
        if !status.is_success() {
            return Err(Error::Fetch {
                url: url.to_owned(),
                reason: format!("HTTP {status}"),
            });
        }
        if resp
            .content_length()
            .is_some_and(|n| n > self.policy.max_body as u64)
        {
            return Err(Error::TooLarge {
                url: url.to_owned(),
                limit: self.policy.max_body,
            });
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| request_error(url, &e))? {
            if body.len() + chunk.len() > self.policy.max_body {
                return Err(Error::TooLarge {
                    url: url.to_owned(),
                    limit: self.policy.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        check(url, content_type.as_deref(), &body)?;
        Ok(Fetched {
            url: final_url,
            status: status.as_u16(),
            content_type,
            body,
        })
    }
}

const DOCUMENT_ACCEPT: &str = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/feed+json,text/csv;q=0.9,*/*;q=0.5";
const IMAGE_ACCEPT: &str = "image/jpeg,image/png,image/webp,image/gif;q=0.8";

/// Accepts JPEG, PNG, WebP and GIF bodies, recognised by their first bytes whatever the
/// declared type (servers often send `application/octet-stream`).
fn check_image_type(url: &str, content_type: Option<&str>, body: &[u8]) -> Result<()> {
    let image = body.starts_with(&[0xFF, 0xD8, 0xFF])
        || body.starts_with(b"\x89PNG\r\n\x1a\n")
        || (body.len() >= 12 && &body[..4] == b"RIFF" && &body[8..12] == b"WEBP")
        || body.starts_with(b"GIF87a")
        || body.starts_with(b"GIF89a");
    if image {
        return Ok(());
    }
    Err(Error::UnsupportedContentType {
        url: url.to_owned(),
        content_type: format!(
            "{} (the body is no JPEG, PNG, WebP or GIF image)",
            content_type.unwrap_or("none")
        ),
    })
}

/// Accepts pages, feeds and CSV files; other declared types are refused unless the body
/// sniffs as one of those (servers often send `application/octet-stream`).
fn check_content_type(url: &str, content_type: Option<&str>, body: &[u8]) -> Result<()> {
    let essence = content_type
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .unwrap_or_default();
    let known = essence.contains("html")
        || essence.contains("xml")
        || essence.contains("rss")
        || essence.contains("atom")
        || essence.contains("json")
        || essence.contains("csv")
        || essence == "text/plain"
        || essence == "text/tab-separated-values";
    let vague = essence.is_empty() || essence == "application/octet-stream";
    if known {
        return Ok(());
    }
    if vague && body.is_empty() {
        return Ok(());
    }
    match crate::detect(body, Some(url), None) {
        Ok(kind) if vague && kind != InputKind::Unknown => Ok(()),
        _ => Err(Error::UnsupportedContentType {
            url: url.to_owned(),
            content_type: if essence.is_empty() {
                "(none, and the body is no page, feed or CSV)".into()
            } else {
                essence
            },
        }),
    }
}

fn request_error(url: &str, e: &reqwest::Error) -> Error {
    let mut source: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(b) = s.downcast_ref::<Blocked>() {
            return Error::Refused {
                url: url.to_owned(),
                reason: b.0.clone(),
            };
        }
        source = s.source();
    }
    let reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        format!("cannot connect: {}", chain(e))
    } else {
        chain(e)
    };
    Error::Fetch {
        url: url.to_owned(),
        reason,
    }
}

fn chain(e: &dyn StdError) -> String {
    let mut out = e.to_string();
    let mut s = e.source();
    while let Some(x) = s {
        out.push_str(": ");
        out.push_str(&x.to_string());
        s = x.source();
    }
    out
}

#[async_trait]
impl Fetcher for SafeFetcher {
    async fn fetch(&self, url: &str) -> iqpins_core::Result<Fetched> {
        self.get(url).await.map_err(Into::into)
    }
}
