//! Runs every input of the third-party corpus (`../shared/corpus` beside the workspace)
//! through `extract`, compares the results with the expected outputs that sit beside the
//! inputs, prints a per-field agreement table and holds agreement at the level reached.
//!
//! The corpus must be present: this test fails, never skips, without it.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use iqpins_sources::{ContentItem, Extraction, Input, InputKind, extract};
use serde_json::Value;
use url::Url;

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(
        dir.join("manifest.json").is_file(),
        "the corpus is missing at {}: copy shared/ beside the workspace",
        dir.display()
    );
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Agreement counts per field.
#[derive(Default)]
struct Tally(BTreeMap<String, (u32, u32)>);

impl Tally {
    fn check(&mut self, field: &str, ok: bool) {
        let e = self.0.entry(field.to_owned()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        }
    }

    fn agree(&self, field: &str) -> u32 {
        self.0.get(field).map_or(0, |e| e.0)
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_end_matches(['…', '.'])
        .replace(['’', '‘'], "'")
        .replace(['“', '”'], "\"")
}

fn same_text(ours: Option<&str>, expected: Option<&str>) -> bool {
    match (ours, expected) {
        (Some(a), Some(b)) => norm(a) == norm(b),
        (None, None) => true,
        _ => false,
    }
}

fn same_url(ours: Option<&str>, expected: Option<&str>) -> bool {
    let canon = |u: &str| {
        Url::parse(u.trim())
            .map(|u| u.to_string().trim_end_matches('/').to_owned())
            .unwrap_or_else(|_| u.trim().to_owned())
    };
    match (ours, expected) {
        (Some(a), Some(b)) => canon(a) == canon(b),
        (None, None) => true,
        _ => false,
    }
}

fn same_date(ours: Option<DateTime<Utc>>, expected: Option<&str>) -> bool {
    match (ours, expected) {
        (Some(a), Some(b)) => DateTime::parse_from_rfc3339(b)
            .map(|b| b.with_timezone(&Utc) == a)
            .unwrap_or(false),
        (None, None) => true,
        _ => false,
    }
}

fn same_lang(ours: Option<&str>, expected: Option<&str>) -> bool {
    let primary = |s: &str| s.split(['-', '_']).next().unwrap_or(s).to_lowercase();
    match (ours, expected) {
        (Some(a), Some(b)) => primary(a) == primary(b),
        (None, None) => true,
        _ => false,
    }
}

fn same_number(ours: Option<&str>, expected: Option<f64>) -> bool {
    match (ours.and_then(|a| a.parse::<f64>().ok()), expected) {
        (Some(a), Some(b)) => (a - b).abs() < 0.005,
        (None, None) => true,
        _ => false,
    }
}

fn s(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.trim().is_empty())
}

fn first(items: &[ContentItem]) -> ContentItem {
    items.first().cloned().unwrap_or_default()
}

fn run(corpus: &Path, file: &str, page_url: Option<&str>) -> Extraction {
    let bytes = std::fs::read(corpus.join(file)).unwrap();
    let name = page_url.unwrap_or(file).to_owned();
    let out = std::panic::catch_unwind(|| extract(&Input::new(&bytes).name(&name)));
    out.unwrap_or_else(|_| panic!("{file} panicked"))
}

#[test]
fn the_corpus_is_extracted_in_agreement_with_the_expected_outputs() {
    let dir = corpus();
    let manifest = read_json(&dir.join("manifest.json"));
    let mut t = Tally::default();
    let mut results: BTreeMap<String, Extraction> = BTreeMap::new();
    let mut inputs = 0;
    for e in manifest.as_array().unwrap() {
        if e["role"] != "input" {
            continue;
        }
        inputs += 1;
        let file = e["file"].as_str().unwrap();
        let out = run(&dir, file, s(&e["page_url"]));
        results.insert(file.to_owned(), out);
    }
    assert!(inputs >= 120, "only {inputs} inputs in the manifest");

    // Every page gives one item; every feed and CSV file is read or reported.
    for (file, out) in &results {
        let expected_kind = if file.starts_with("html/") {
            InputKind::Html
        } else if file.starts_with("feeds/") || file.ends_with(".xml") {
            InputKind::Feed
        } else {
            InputKind::Csv
        };
        if !file.contains("invalid") {
            t.check("all: kind detected", out.kind == expected_kind);
        }
        if expected_kind == InputKind::Html {
            t.check("all: page gives an item", out.items.len() == 1);
        }
        if expected_kind == InputKind::Csv {
            t.check("all: csv gives items", !out.items.is_empty());
        }
    }

    metascraper(&dir, &results, &mut t);
    shopping(&dir, &results, &mut t);
    product_benchmark(&dir, &results, &mut t);
    recipes(&dir, &results, &mut t);
    readability(&dir, &results, &mut t);
    extruct(&dir, &results, &mut t);
    feed_rs(&dir, &results, &mut t);
    rss_parser(&dir, &results, &mut t);
    gofeed(&dir, &results, &mut t);
    feedparser(&dir, &results, &mut t);

    println!("\n| field | agree | of | % |\n|---|---:|---:|---:|");
    for (k, (a, n)) in &t.0 {
        println!(
            "| {k} | {a} | {n} | {:.0}% |",
            f64::from(*a) * 100.0 / f64::from(*n)
        );
    }
    for (field, floor) in FLOORS {
        let got = t.agree(field);
        assert!(
            got >= *floor,
            "{field}: agreement fell to {got} (held at {floor})"
        );
    }
}

/// Agreement reached, held by this test (field, count agreeing).
const FLOORS: &[(&str, u32)] = &[
    ("all: csv gives items", 7),
    ("all: kind detected", 122),
    ("all: page gives an item", 61),
    ("benchmark availability", 7),
    ("benchmark brand", 5),
    ("benchmark currency", 7),
    ("benchmark gtin", 1),
    ("benchmark price", 9),
    ("benchmark sku", 4),
    ("extruct name", 4),
    ("extruct og:image", 1),
    ("extruct og:title", 1),
    ("feed-rs entry count", 18),
    ("feed-rs entry link", 22),
    ("feed-rs entry title", 23),
    ("feed-rs invalid feed reported", 1),
    ("feedparser bozo reported", 4),
    ("feedparser entry link", 2),
    ("feedparser media thumbnail", 0),
    ("feedparser not bozo", 5),
    ("gofeed invalid feed reported", 1),
    ("gofeed item image", 2),
    ("metascraper author", 11),
    ("metascraper date", 3),
    ("metascraper description", 9),
    ("metascraper image", 8),
    ("metascraper lang", 11),
    ("metascraper publisher", 6),
    ("metascraper title", 8),
    ("metascraper url", 10),
    ("readability byline", 8),
    ("readability excerpt", 6),
    ("readability lang", 2),
    ("readability publishedTime", 9),
    ("readability siteName", 9),
    ("readability title", 6),
    ("recipe author", 2),
    ("recipe canonical_url", 5),
    ("recipe description", 4),
    ("recipe image", 5),
    ("recipe language", 6),
    ("recipe site_name", 5),
    ("recipe title", 5),
    ("rss-parser item count", 10),
    ("rss-parser link", 90),
    ("rss-parser title", 79),
    ("shopping price", 4),
];

fn metascraper(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    let exp = read_json(&dir.join("html/metascraper/expected.json"));
    for (file, e) in exp.as_object().unwrap() {
        let Some(out) = r.get(file) else { continue };
        let item = first(&out.items);
        let x = &e["expected"];
        t.check(
            "metascraper title",
            same_text(item.title.as_deref(), s(&x["title"])),
        );
        t.check(
            "metascraper description",
            same_text(item.summary.as_deref(), s(&x["description"])),
        );
        t.check(
            "metascraper image",
            same_url(item.images.first().map(|i| i.url.as_str()), s(&x["image"])),
        );
        t.check(
            "metascraper author",
            same_text(item.author.as_deref(), s(&x["author"])),
        );
        t.check(
            "metascraper date",
            same_date(item.published_at, s(&x["date"])),
        );
        t.check(
            "metascraper publisher",
            same_text(item.site_name.as_deref(), s(&x["publisher"])),
        );
        t.check(
            "metascraper lang",
            same_lang(item.lang.as_deref(), s(&x["lang"])),
        );
        t.check(
            "metascraper url",
            same_url(item.url.as_deref(), s(&x["url"])),
        );
    }
}

fn shopping(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    let exp = read_json(&dir.join("html/metascraper-shopping/expected.json"));
    for (name, e) in exp.as_object().unwrap() {
        let Some(out) = r.get(&format!("html/metascraper-shopping/{name}")) else {
            continue;
        };
        let item = first(&out.items);
        let ours = item.price.as_ref().map(|p| p.amount().as_str().to_owned());
        t.check(
            "shopping price",
            same_number(ours.as_deref(), e["price"].as_f64()),
        );
    }
}

fn product_benchmark(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    let exp = read_json(&dir.join("html/product-extraction-benchmark/ground-truth.public.json"));
    for (hash, e) in exp.as_object().unwrap() {
        let Some(out) = r.get(&format!("html/product-extraction-benchmark/{hash}.html")) else {
            continue;
        };
        let item = first(&out.items);
        let firsts = |k: &str| e[k].as_array().and_then(|a| a.first()).and_then(s);
        if let Some(p) = firsts("price") {
            let ours = item.price.as_ref().map(|p| p.amount().as_str().to_owned());
            let want = p.replace([',', ' '], "").parse::<f64>().ok();
            t.check("benchmark price", same_number(ours.as_deref(), want));
        }
        if let Some(c) = firsts("currency") {
            let ok = item.price.as_ref().is_some_and(|p| {
                let cur = p.currency();
                cur.as_str() == c || cur.symbol() == c
            });
            t.check("benchmark currency", ok);
        }
        if let Some(a) = firsts("availability") {
            let ours = item.availability.as_ref().map(|a| format!("{a:?}"));
            t.check("benchmark availability", ours.as_deref() == Some(a));
        }
        for (key, ours) in [
            ("sku", item.sku.as_deref()),
            ("gtin", item.gtin.as_deref()),
            ("brand", item.brand.as_deref()),
        ] {
            if let Some(want) = firsts(key) {
                t.check(&format!("benchmark {key}"), same_text(ours, Some(want)));
            }
        }
    }
}

fn recipes(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("html/recipe-scrapers/") {
            continue;
        }
        let exp = read_json(&dir.join(file.replace(".html", ".json")));
        let item = first(&out.items);
        t.check(
            "recipe title",
            same_text(item.title.as_deref(), s(&exp["title"])),
        );
        t.check(
            "recipe image",
            same_url(
                item.images.first().map(|i| i.url.as_str()),
                s(&exp["image"]),
            ),
        );
        if let Some(d) = s(&exp["description"]) {
            t.check(
                "recipe description",
                same_text(item.summary.as_deref(), Some(d)),
            );
        }
        t.check(
            "recipe canonical_url",
            same_url(item.url.as_deref(), s(&exp["canonical_url"])),
        );
        if let Some(n) = s(&exp["site_name"]) {
            t.check(
                "recipe site_name",
                same_text(item.site_name.as_deref(), Some(n)),
            );
        }
        if let Some(a) = s(&exp["author"]) {
            t.check("recipe author", same_text(item.author.as_deref(), Some(a)));
        }
        if let Some(l) = s(&exp["language"]) {
            t.check("recipe language", same_lang(item.lang.as_deref(), Some(l)));
        }
    }
}

fn readability(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("html/readability/") {
            continue;
        }
        let exp = read_json(&dir.join(file.replace("source.html", "expected-metadata.json")));
        let item = first(&out.items);
        t.check(
            "readability title",
            same_text(item.title.as_deref(), s(&exp["title"])),
        );
        t.check(
            "readability byline",
            same_text(item.author.as_deref(), s(&exp["byline"])),
        );
        t.check(
            "readability excerpt",
            same_text(item.summary.as_deref(), s(&exp["excerpt"])),
        );
        t.check(
            "readability siteName",
            same_text(item.site_name.as_deref(), s(&exp["siteName"])),
        );
        t.check(
            "readability publishedTime",
            same_date(item.published_at, s(&exp["publishedTime"])),
        );
        if let Some(l) = s(&exp["lang"]) {
            t.check("readability lang", same_lang(item.lang.as_deref(), Some(l)));
        }
    }
}

/// The name of the first product/article/recipe node an extruct output holds.
fn extruct_name(v: &Value) -> Option<String> {
    let main = [
        "Product",
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Recipe",
        "CreativeWork",
    ];
    let nodes: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for n in nodes {
        let ty = n.get("@type").or_else(|| n.get("type"));
        let ty = ty.and_then(Value::as_str).unwrap_or_default();
        let short = ty.rsplit('/').next().unwrap_or(ty);
        if !main.contains(&short) {
            continue;
        }
        let props = n.get("properties").unwrap_or(n);
        for k in ["name", "headline"] {
            match props.get(k) {
                Some(Value::String(s)) => return Some(s.clone()),
                Some(Value::Array(a)) => {
                    if let Some(s) = a.first().and_then(Value::as_str) {
                        return Some(s.to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    None
}

fn extruct(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("html/extruct/") {
            continue;
        }
        let item = first(&out.items);
        for ext in [".json", ".jsonld"] {
            let p = dir.join(file.replace(".html", ext));
            if !p.is_file() {
                continue;
            }
            let exp = read_json(&p);
            if let Some(name) = extruct_name(&exp) {
                t.check(
                    "extruct name",
                    same_text(item.title.as_deref(), Some(&name)),
                );
            }
            // Open Graph expectations: [{"properties": [["og:title", "…"], …]}]
            if let Some(props) = exp
                .as_array()
                .and_then(|a| a.first())
                .and_then(|o| o.get("properties"))
                .and_then(Value::as_array)
            {
                for pair in props {
                    let (Some(k), Some(v)) = (pair[0].as_str(), s(&pair[1])) else {
                        continue;
                    };
                    match k {
                        "og:title" => t.check(
                            "extruct og:title",
                            same_text(item.title.as_deref(), Some(v)),
                        ),
                        "og:image" => t.check(
                            "extruct og:image",
                            item.images.iter().any(|i| same_url(Some(&i.url), Some(v))),
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
}

fn feed_rs(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("feeds/feed-rs/") {
            continue;
        }
        let exp_path = dir.join(
            Path::new(file)
                .with_extension("serde.json")
                .to_string_lossy()
                .as_ref(),
        );
        if !exp_path.is_file() {
            t.check("feed-rs invalid feed reported", !out.errors.is_empty());
            continue;
        }
        let exp = read_json(&exp_path);
        let entries = exp["entries"].as_array().cloned().unwrap_or_default();
        t.check("feed-rs entry count", entries.len() == out.items.len());
        for (i, e) in entries.iter().enumerate() {
            let item = out.items.get(i).cloned().unwrap_or_default();
            if let Some(title) = s(&e["title"]["content"]) {
                let ours = item.title.as_deref().map(norm);
                let want = iqpins_plain(title);
                t.check(
                    "feed-rs entry title",
                    ours.as_deref() == Some(want.as_str()),
                );
            }
            if let Some(link) = e["links"].as_array().and_then(|l| {
                l.iter()
                    .find(|l| l["rel"].is_null() || l["rel"] == "alternate")
                    .and_then(|l| s(&l["href"]))
            }) {
                t.check(
                    "feed-rs entry link",
                    same_url(item.url.as_deref(), Some(link)),
                );
            }
        }
    }
}

/// Expected titles may carry markup or entities; compare their text.
fn iqpins_plain(s: &str) -> String {
    let frag = scraper::Html::parse_fragment(s);
    norm(&frag.root_element().text().collect::<Vec<_>>().join(" "))
}

fn rss_parser(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("feeds/rss-parser/input/") {
            continue;
        }
        let stem = Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let p = dir.join(format!("feeds/rss-parser/output/{stem}.json"));
        if !p.is_file() {
            continue;
        }
        let exp = read_json(&p);
        let items = exp["feed"]["items"].as_array().cloned().unwrap_or_default();
        t.check("rss-parser item count", items.len() == out.items.len());
        for (i, e) in items.iter().enumerate() {
            let item = out.items.get(i).cloned().unwrap_or_default();
            if let Some(title) = s(&e["title"]) {
                let ours = item.title.as_deref().map(norm);
                t.check(
                    "rss-parser title",
                    ours.as_deref() == Some(iqpins_plain(title).as_str()),
                );
            }
            if let Some(link) = s(&e["link"]) {
                t.check("rss-parser link", same_url(item.url.as_deref(), Some(link)));
            }
        }
    }
}

fn gofeed(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("feeds/gofeed/") {
            continue;
        }
        let p = if file.ends_with(".json") {
            dir.join(file.replace(".json", "_expected.json"))
        } else {
            dir.join(
                Path::new(file)
                    .with_extension("json")
                    .to_string_lossy()
                    .as_ref(),
            )
        };
        if !p.is_file() {
            if file.contains("invalid") {
                t.check("gofeed invalid feed reported", !out.errors.is_empty());
            }
            continue;
        }
        let exp = read_json(&p);
        for (i, e) in exp["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let item = out.items.get(i).cloned().unwrap_or_default();
            if let Some(img) = s(&e["image"]["url"]) {
                t.check(
                    "gofeed item image",
                    item.images
                        .iter()
                        .any(|i| same_url(Some(&i.url), Some(img))),
                );
            }
        }
    }
}

fn feedparser(dir: &Path, r: &BTreeMap<String, Extraction>, t: &mut Tally) {
    for (file, out) in r {
        if !file.starts_with("feeds/feedparser/") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(dir.join(file)).unwrap()).into_owned();
        let Some(pos) = text.find("Expect:") else {
            continue;
        };
        let expect = text[pos + 7..].lines().next().unwrap_or_default().trim();
        if expect.contains("not bozo") {
            t.check("feedparser not bozo", out.errors.is_empty());
        } else if expect.starts_with("bozo") {
            t.check("feedparser bozo reported", !out.errors.is_empty());
        }
        for key in ["entries[0].link == '", "entries[0]['link'] == '"] {
            if let Some(i) = expect.find(key) {
                let rest = &expect[i + key.len()..];
                let want = rest.split('\'').next().unwrap_or_default();
                let item = first(&out.items);
                t.check(
                    "feedparser entry link",
                    same_url(item.url.as_deref(), Some(want)),
                );
            }
        }
        if let Some(i) = expect.find("media_thumbnail'][0]['url'] == '") {
            let rest = &expect[i + 33..];
            let want = rest.split('\'').next().unwrap_or_default();
            let item = first(&out.items);
            t.check(
                "feedparser media thumbnail",
                item.images.iter().any(|i| i.url == want),
            );
        }
    }
}
