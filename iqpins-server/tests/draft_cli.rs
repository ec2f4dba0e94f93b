//! `iqpins draft` end to end on local files: JSON Lines, board suggestion, variants,
//! rendered creatives from a picture next to the page, the bulk CSV and readiness reasons.
//! No network: every input and picture is a local file.

// Helpers outside #[test] functions unwrap fixed, known-good values too.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

const PAGE: &str = r#"<!doctype html><html lang="en"><head>
<title>HAND-THROWN STONEWARE MUG | Clay &amp; Co</title>
<meta property="og:site_name" content="Clay &amp; Co">
<meta name="description" content="A speckled blue mug, thrown by hand in our studio.">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
 "name":"HAND-THROWN STONEWARE MUG","url":"https://shop.example/p/mug#reviews",
 "category":"Kitchen > Mugs",
 "offers":{"@type":"Offer","price":"32.00","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script>
</head><body><img src="img/mug.png" alt="Blue mug on a wooden shelf"></body></html>"#;

const BOARDS: &str = r#"[
 {"id":"101","name":"Kitchen & Dining","description":"Mugs, plates and cookware","privacy":"PUBLIC"},
 {"id":"102","name":"Garden","description":"Plants and pots","privacy":"PUBLIC"}
]"#;

/// A scratch directory removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("iqpins-draft-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_png(path: &Path) {
    let img = image::RgbImage::from_fn(600, 900, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    img.save(path).unwrap();
}

fn iqpins(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iqpins"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn drafting_a_local_page_prints_json_lines_renders_creatives_and_writes_the_bulk_csv() {
    let dir = Scratch::new("local-page");
    std::fs::create_dir(dir.path().join("img")).unwrap();
    write_png(&dir.path().join("img/mug.png"));
    std::fs::write(dir.path().join("mug.html"), PAGE).unwrap();
    std::fs::write(dir.path().join("boards.json"), BOARDS).unwrap();

    let out = iqpins(
        &[
            "draft",
            "mug.html",
            "--boards",
            "boards.json",
            "--variants",
            "2",
            "--render",
            "out",
            "--pinterest-csv",
            "pins.csv",
            "--json",
            "--allowed-domain",
            "shop.example",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let first = &lines[0];
    assert_eq!(first["input"], "mug.html");
    assert_eq!(first["title"], "Hand-Thrown Stoneware Mug");
    assert_eq!(lines[1]["title"], "Hand-Thrown Stoneware Mug – €32.00");
    assert_eq!(
        first["link"],
        "https://shop.example/p/mug?utm_source=pinterest&utm_medium=social&utm_campaign=mug"
    );
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .contains("Price: €32.00")
    );
    assert_eq!(first["board"]["id"], "101");
    assert_eq!(first["board"]["name"], "Kitchen & Dining");
    assert!(first["board"]["confidence"].as_f64().unwrap() >= 0.35);
    // The picture next to the page is no public URL: the creative stands in for it.
    assert!(first["image_url"].is_null());
    for l in &lines {
        let creative = dir.path().join(l["creative"].as_str().unwrap());
        let bytes = std::fs::read(&creative).unwrap();
        assert_eq!(
            &bytes[..3],
            &[0xFF, 0xD8, 0xFF],
            "{} is no JPEG",
            creative.display()
        );
        assert_eq!(l["reasons"], serde_json::json!([]), "{l}");
    }
    assert_ne!(lines[0]["creative"], lines[1]["creative"]);
    // Without a public image URL Pinterest's bulk upload cannot take the rows.
    assert!(stderr.contains("left out: no media URL"), "{stderr}");
    assert!(!dir.path().join("pins.csv").exists());
}

#[test]
fn a_link_outside_the_allowed_domains_and_a_missing_board_are_reasons() {
    let dir = Scratch::new("domains");
    std::fs::write(dir.path().join("mug.html"), PAGE).unwrap();
    let out = iqpins(
        &[
            "draft",
            "mug.html",
            "--json",
            "--allowed-domain",
            "other.example",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let line: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let reasons: Vec<&str> = line["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("shop.example") && r.contains("other.example")),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"Choose a board."), "{reasons:?}");
    assert!(reasons.contains(&"Add an image."), "{reasons:?}");
    assert!(line["board"].is_null());
}

#[test]
fn a_broken_picture_becomes_a_reason_and_a_missing_input_an_error() {
    let dir = Scratch::new("broken");
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/mug.png"), b"not a png").unwrap();
    std::fs::write(dir.path().join("mug.html"), PAGE).unwrap();
    let out = iqpins(
        &[
            "draft",
            "mug.html",
            "missing.csv",
            "--render",
            "out",
            "--json",
        ],
        dir.path(),
    );
    assert!(!out.status.success(), "a missing input fails the run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));
    let line: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert!(line["creative"].is_null());
    let reasons = line["reasons"].to_string();
    assert!(
        reasons.contains("creative could not be rendered"),
        "{reasons}"
    );
}

#[test]
fn a_csv_of_products_gives_one_draft_per_row_and_the_bulk_csv() {
    let dir = Scratch::new("csv");
    let csv = "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Variant Price,Image Src,Image Alt Text\n\
        blue-mug,Blue Mug,<p>A blue mug.</p>,Clay,Mugs,\"mug, blue\",TRUE,12.00,https://cdn.example/blue.jpg,Blue mug\n\
        red-mug,Red Mug,<p>A red mug.</p>,Clay,Mugs,\"mug, red\",TRUE,14.00,https://cdn.example/red.jpg,Red mug\n";
    std::fs::write(dir.path().join("products.csv"), csv).unwrap();
    std::fs::write(dir.path().join("boards.json"), BOARDS).unwrap();
    let out = iqpins(
        &[
            "draft",
            "products.csv",
            "--boards",
            "boards.json",
            "--pinterest-csv",
            "pins.csv",
            "--json",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let n = String::from_utf8(out.stdout).unwrap().lines().count();
    assert_eq!(n, 2, "{stderr}");
    let bulk = std::fs::read_to_string(dir.path().join("pins.csv")).unwrap();
    assert!(bulk.starts_with(
        "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords\n"
    ));
    assert!(
        bulk.contains("Blue Mug,https://cdn.example/blue.jpg,Kitchen & Dining,"),
        "{bulk}"
    );
}
