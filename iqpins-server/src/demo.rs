//! `iqpins demo`: the whole product on one machine with no credentials: a SQLite file,
//! the in-process Pinterest emulator (with its own consent page), a seeded sign-in and a
//! small sample shop (product pages, a journal feed, a product CSV and photos) served by
//! the same server, so importing, reviewing, connecting and publishing all work locally.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use image::{ImageFormat, Rgb, RgbImage};
use iqpins_core::generate::TemplateWriter;
use iqpins_core::{SourceDefaults, SourceKind};
use iqpins_pinterest::emulator::{Emulator, EmulatorConfig};
use iqpins_sources::fetch::FetchPolicy;
use iqpins_store::TokenVault;
use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{self, PinterestSettings, ServerParts, SourcesImporter};
use crate::web::{AppState, Importer, WebConfig};
use crate::worker::WorkerConfig;

/// The demo's sign-in.
pub const DEMO_EMAIL: &str = "demo@iqpins.local";
/// The demo's password.
pub const DEMO_PASSWORD: &str = "iqpins-demo";

/// A running demo: the dashboard, the worker, the sample shop and the emulator.
pub struct Demo {
    /// Where the dashboard is, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// The emulator's base URL.
    pub emulator_url: String,
    /// The database URL.
    pub database: String,
    /// The dashboard's state (engine, store), for tests and embedding.
    pub state: AppState,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    emulator: Emulator,
}

impl Demo {
    /// Starts everything on 127.0.0.1:`port` (0 = any free port) with `database` (default:
    /// a new SQLite file in the temp directory), seeds the demo account and its sources.
    pub async fn start(port: u16, database: Option<String>) -> Result<Demo, String> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (try --port 0)"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let base = format!("http://{addr}");
        let database = database.unwrap_or_else(|| {
            let path = std::env::temp_dir().join(format!(
                "iqpins-demo-{}-{}.db",
                std::process::id(),
                addr.port()
            ));
            format!("sqlite://{}", path.display())
        });
        // A fresh key per run: the demo's tokens only need to outlive the process.
        let vault =
            TokenVault::from_base64(&TokenVault::generate_key(), &[]).map_err(|e| e.to_string())?;
        let (store, auth) = iqpins_store::open_with_auth(&database, Arc::new(vault))
            .await
            .map_err(|e| format!("cannot open {database}: {e}"))?;

        let redirect_uri = format!("{base}/oauth/callback");
        let mut emulator_config =
            EmulatorConfig::new("iqpins-demo", "iqpins-demo-secret", &redirect_uri);
        emulator_config.boards = 0;
        emulator_config.board_names = BOARDS
            .iter()
            .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
            .collect();
        let emulator = Emulator::start(emulator_config)
            .await
            .map_err(|e| format!("cannot start the Pinterest emulator: {e}"))?;
        let pinterest = app::pinterest(&PinterestSettings {
            api_base: emulator.api_base_url(),
            web_base: emulator.base_url(),
            client_id: "iqpins-demo".into(),
            client_secret: SecretString::from("iqpins-demo-secret"),
            redirect_uri,
        })
        .map_err(|e| e.to_string())?;

        // The demo may fetch its own sample shop (this server) on 127.0.0.1; nothing else
        // internal, not even other local services.
        let policy = FetchPolicy {
            allow: vec![
                "127.0.0.1/32"
                    .parse()
                    .map_err(|e: ipnet::AddrParseError| e.to_string())?,
            ],
            ports: vec![addr.port()],
            ..FetchPolicy::default()
        };
        let importer: Arc<dyn Importer> =
            Arc::new(SourcesImporter::new(policy).map_err(|e| e.to_string())?);
        let parts = ServerParts {
            store,
            auth,
            pinterest: Arc::new(pinterest),
            importer: importer.clone(),
            web: WebConfig {
                secure_cookies: false,
                allow_signup: true,
                login_hint: Some(format!("Demo sign-in: {DEMO_EMAIL} / {DEMO_PASSWORD}")),
            },
            worker: WorkerConfig {
                idle: Duration::from_secs(1),
                ..WorkerConfig::default()
            },
        };
        let state = app::state(&parts);
        seed(&state, &base, importer.as_ref())
            .await
            .map_err(|e| format!("seeding the demo: {e}"))?;
        let router = app::router(state.clone()).merge(shop_router(&base));
        let (stop, stopped) = oneshot::channel::<()>();
        let server_state = state.clone();
        let server = tokio::spawn(async move {
            app::serve(listener, router, &server_state, parts.worker, async {
                let _ = stopped.await;
            })
            .await
        });
        Ok(Demo {
            base_url: base,
            emulator_url: emulator.base_url(),
            database,
            state,
            stop,
            server,
            emulator,
        })
    }

    /// Stops the server, the worker and the emulator.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(());
        let served = self.server.await.map_err(|e| e.to_string())?;
        self.emulator.shutdown().await;
        served.map_err(|e| e.to_string())
    }
}

/// The demo account with its websites and the sample shop's catalog and journal imported.
async fn seed(state: &AppState, base: &str, importer: &dyn Importer) -> Result<(), String> {
    let e = &state.engine;
    let account = match crate::web::create_user(state, SHOP, DEMO_EMAIL, DEMO_PASSWORD).await {
        Ok(a) => a,
        // A database given with --database may already have the demo account.
        Err(_) => e
            .store()
            .find_account_by_email(DEMO_EMAIL)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo account could not be created")?,
    };
    e.store()
        .set_allowed_domains(account.id, &["127.0.0.1".to_owned()])
        .await
        .map_err(|e| e.to_string())?;
    if !e
        .list_sources(account.id)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(());
    }
    let inputs = [
        (
            "Catalog (CSV)",
            SourceKind::Csv {
                file_name: "products.csv".into(),
            },
            importer.file_items(
                &format!("{base}/shop/products.csv"),
                catalog_csv(base).as_bytes(),
            ),
        ),
        (
            "Journal (RSS)",
            SourceKind::Feed {
                url: format!("{base}/shop/feed.xml"),
            },
            importer.file_items(&format!("{base}/shop/feed.xml"), feed(base).as_bytes()),
        ),
    ];
    for (name, kind, imported) in inputs {
        let who = account.email.as_str();
        let source = e
            .add_source(account.id, who, name, kind, SourceDefaults::default())
            .await
            .map_err(|e| e.to_string())?;
        let report = e
            .record_items(account.id, who, source.id, imported.items)
            .await
            .map_err(|e| e.to_string())?;
        e.generate_drafts(
            account.id,
            who,
            source.id,
            &report.new,
            &TemplateWriter::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One product of the sample shop.
#[derive(Clone, Copy, Debug)]
pub struct Product {
    /// URL slug.
    pub slug: &'static str,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Price in EUR.
    pub price: &'static str,
    /// Category path.
    pub category: &'static str,
    /// The photo's main colour.
    pub color: [u8; 3],
}

/// The sample shop's products (made up for the demo).
pub const PRODUCTS: [Product; 6] = [
    Product {
        slug: "blue-stoneware-mug",
        name: "Blue Stoneware Mug",
        description: "A hand-thrown stoneware mug in a deep ocean glaze. Holds 350 ml, dishwasher safe.",
        price: "24.00",
        category: "Kitchen > Mugs",
        color: [38, 84, 156],
    },
    Product {
        slug: "speckled-serving-bowl",
        name: "Speckled Serving Bowl",
        description: "A wide serving bowl with an oatmeal speckle glaze, made for salads and pasta.",
        price: "48.00",
        category: "Kitchen > Bowls",
        color: [214, 196, 160],
    },
    Product {
        slug: "linen-table-runner",
        name: "Linen Table Runner",
        description: "Stonewashed linen runner, 40 × 180 cm, in sage green. Soft from the first use.",
        price: "36.00",
        category: "Home > Table linen",
        color: [132, 158, 120],
    },
    Product {
        slug: "olive-wood-board",
        name: "Olive Wood Serving Board",
        description: "A solid olive wood board with a natural edge, for bread, cheese and serving.",
        price: "52.00",
        category: "Kitchen > Serving",
        color: [150, 108, 62],
    },
    Product {
        slug: "terracotta-herb-planter",
        name: "Terracotta Herb Planter",
        description: "An unglazed terracotta planter with a drainage saucer, sized for a windowsill of herbs.",
        price: "19.50",
        category: "Garden > Planters",
        color: [196, 98, 60],
    },
    Product {
        slug: "beeswax-taper-candles",
        name: "Beeswax Taper Candles, Set of 4",
        description: "Hand-dipped pure beeswax tapers that burn clean for about eight hours each.",
        price: "22.00",
        category: "Home > Candles",
        color: [232, 184, 72],
    },
];

/// One article of the sample shop's journal.
#[derive(Clone, Copy, Debug)]
pub struct Article {
    /// URL slug.
    pub slug: &'static str,
    /// Title.
    pub title: &'static str,
    /// Summary.
    pub summary: &'static str,
    /// Publication date (RFC 2822, for RSS).
    pub date: &'static str,
    /// The photo's main colour.
    pub color: [u8; 3],
}

/// The journal's articles.
pub const ARTICLES: [Article; 3] = [
    Article {
        slug: "caring-for-stoneware",
        title: "How to Care for Stoneware So It Lasts for Decades",
        summary: "Glazed stoneware is tough, but thermal shock is its enemy. Here is how we wash, store and use ours.",
        date: "Mon, 02 Nov 2026 09:00:00 GMT",
        color: [60, 90, 130],
    },
    Article {
        slug: "windowsill-herbs",
        title: "Five Herbs That Thrive on a Sunny Windowsill",
        summary: "Basil, chives, thyme, mint and parsley: what they need, how to water them, and when to harvest.",
        date: "Mon, 16 Nov 2026 09:00:00 GMT",
        color: [90, 140, 80],
    },
    Article {
        slug: "autumn-table",
        title: "Setting an Autumn Table With Linen, Wood and Candlelight",
        summary: "A warm table for long evenings: layering linen, olive wood and beeswax for an easy seasonal look.",
        date: "Mon, 30 Nov 2026 09:00:00 GMT",
        color: [170, 110, 60],
    },
];

/// Boards the demo's Pinterest user starts with: name and description.
pub const BOARDS: [(&str, &str); 5] = [
    ("Mugs & Cups", "Stoneware mugs, cups and tea ware"),
    (
        "Kitchen & Serving",
        "Bowls, boards and serving ware for the kitchen",
    ),
    ("Table Linen", "Linen runners, napkins and tablecloths"),
    ("Garden & Herbs", "Planters, pots and growing herbs"),
    ("Candles & Light", "Beeswax candles and warm light"),
];

/// The shop's name.
pub const SHOP: &str = "Tidewater Ceramics & Home";

/// A product photo stand-in: 800×1200, a soft vertical gradient with a round "object"
/// in the product's colour. Deterministic.
pub fn photo(color: [u8; 3]) -> Vec<u8> {
    let (w, h) = (800u32, 1200u32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let t = y as f32 / h as f32;
        let bg = [
            (245.0 - 30.0 * t) as u8,
            (240.0 - 30.0 * t) as u8,
            (232.0 - 30.0 * t) as u8,
        ];
        let (dx, dy) = (x as f32 - 400.0, y as f32 - 640.0);
        let r = (dx * dx + dy * dy * 1.4).sqrt();
        if r < 260.0 {
            let shade = 1.0 - (dx + dy) / 1400.0;
            Rgb(color.map(|c| (f32::from(c) * shade).clamp(0.0, 255.0) as u8))
        } else if (200.0..260.0).contains(&(y as f32 - 880.0)) && dx.abs() < 300.0 {
            Rgb([bg[0] - 40, bg[1] - 40, bg[2] - 40])
        } else {
            Rgb(bg)
        }
    });
    let mut out = Cursor::new(Vec::new());
    // Encoding an in-memory RGB image to PNG cannot fail.
    let _ = img.write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The product page, with JSON-LD, Open Graph and plain HTML (as real shops publish them).
pub fn product_page(base: &str, p: &Product) -> String {
    let url = format!("{base}/shop/products/{}", p.slug);
    let img = format!("{base}/shop/images/{}.png", p.slug);
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name,
        "description": p.description,
        "image": [img],
        "sku": p.slug.to_uppercase(),
        "brand": {"@type": "Brand", "name": "Tidewater"},
        "category": p.category,
        "offers": {"@type": "Offer", "price": p.price, "priceCurrency": "EUR",
                    "availability": "https://schema.org/InStock", "url": url}
    });
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{name} | {shop}</title>
<meta name="description" content="{desc}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="product"><meta property="og:title" content="{name}">
<meta property="og:image" content="{img}"><meta property="og:site_name" content="{shop}">
<meta property="product:price:amount" content="{price}"><meta property="product:price:currency" content="EUR">
<script type="application/ld+json">{ld}</script></head>
<body><h1>{name}</h1><img src="/shop/images/{slug}.png" width="800" height="1200" alt="{name}">
<p>{desc}</p><p>€{price}</p><p><a href="/shop/">Back to the shop</a></p></body></html>"#,
        name = esc(p.name),
        shop = esc(SHOP),
        desc = esc(p.description),
        price = p.price,
        slug = p.slug,
    )
}

/// A journal article page.
pub fn article_page(base: &str, a: &Article) -> String {
    let url = format!("{base}/shop/journal/{}", a.slug);
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{t} – {shop}</title>
<meta name="description" content="{s}"><link rel="canonical" href="{url}">
<meta property="og:type" content="article"><meta property="og:title" content="{t}">
<meta property="og:image" content="{base}/shop/images/{slug}.png"></head>
<body><article><h1>{t}</h1><p>{s}</p></article></body></html>"#,
        t = esc(a.title),
        s = esc(a.summary),
        shop = esc(SHOP),
        slug = a.slug,
    )
}

/// The journal as RSS 2.0 with Media RSS images.
pub fn feed(base: &str) -> String {
    let items: String = ARTICLES
        .iter()
        .map(|a| {
            format!(
                r#"<item><title>{t}</title><link>{base}/shop/journal/{slug}</link><guid>{base}/shop/journal/{slug}</guid>
<description>{s}</description><pubDate>{d}</pubDate>
<media:content url="{base}/shop/images/{slug}.png" medium="image" width="800" height="1200"/></item>"#,
                t = esc(a.title),
                s = esc(a.summary),
                d = a.date,
                slug = a.slug,
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>{shop} Journal</title><link>{base}/shop/</link><description>Notes from the studio</description>
{items}</channel></rss>"#,
        shop = esc(SHOP)
    )
}

/// The products as a Google Merchant / Pinterest catalog CSV.
pub fn catalog_csv(base: &str) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "id",
        "title",
        "description",
        "link",
        "image_link",
        "price",
        "availability",
        "brand",
        "product_type",
    ]);
    for p in &PRODUCTS {
        let _ = w.write_record([
            p.slug.to_uppercase().as_str(),
            p.name,
            p.description,
            &format!("{base}/shop/products/{}", p.slug),
            &format!("{base}/shop/images/{}.png", p.slug),
            &format!("{} EUR", p.price),
            "in stock",
            "Tidewater",
            p.category,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The shop's base URL, for its handlers.
#[derive(Clone)]
struct Shop {
    base: String,
}

async fn index(State(s): State<Shop>) -> Html<String> {
    let products: String = PRODUCTS
        .iter()
        .map(|p| {
            format!(
                r#"<li><a href="/shop/products/{}">{}</a> — €{}</li>"#,
                p.slug,
                esc(p.name),
                p.price
            )
        })
        .collect();
    let articles: String = ARTICLES
        .iter()
        .map(|a| {
            format!(
                r#"<li><a href="/shop/journal/{}">{}</a></li>"#,
                a.slug,
                esc(a.title)
            )
        })
        .collect();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{shop}</title></head><body>
<h1>{shop}</h1><p>A sample shop for the IQ Pins demo. Add any of these addresses as a source.</p>
<h2>Products</h2><ul>{products}</ul><h2>Journal</h2><ul>{articles}</ul>
<p>Feed: <code>{base}/shop/feed.xml</code> · Catalog: <code>{base}/shop/products.csv</code></p></body></html>"#,
        shop = esc(SHOP),
        base = s.base
    ))
}

async fn product(State(s): State<Shop>, Path(slug): Path<String>) -> Response {
    match PRODUCTS.iter().find(|p| p.slug == slug) {
        Some(p) => Html(product_page(&s.base, p)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn article(State(s): State<Shop>, Path(slug): Path<String>) -> Response {
    match ARTICLES.iter().find(|a| a.slug == slug) {
        Some(a) => Html(article_page(&s.base, a)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn image(Path(file): Path<String>) -> Response {
    let slug = file.trim_end_matches(".png");
    let color = PRODUCTS
        .iter()
        .find(|p| p.slug == slug)
        .map(|p| p.color)
        .or_else(|| ARTICLES.iter().find(|a| a.slug == slug).map(|a| a.color));
    match color {
        Some(c) => ([(header::CONTENT_TYPE, "image/png")], photo(c)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn feed_xml(State(s): State<Shop>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        feed(&s.base),
    )
        .into_response()
}

async fn products_csv(State(s): State<Shop>) -> Response {
    ([(header::CONTENT_TYPE, "text/csv")], catalog_csv(&s.base)).into_response()
}

/// The sample shop's routes under `/shop`, with absolute links to `base`.
pub fn shop_router(base: &str) -> Router {
    Router::new()
        .route("/shop/", get(index))
        .route("/shop/products/{slug}", get(product))
        .route("/shop/journal/{slug}", get(article))
        .route("/shop/images/{file}", get(image))
        .route("/shop/feed.xml", get(feed_xml))
        .route("/shop/products.csv", get(products_csv))
        .with_state(Shop {
            base: base.trim_end_matches('/').to_owned(),
        })
}
