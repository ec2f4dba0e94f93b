//! `iqpins draft <FILE|URL>...`: extracts items from pages, feeds and CSV files, generates
//! Pin drafts, and prints one JSON object per draft (JSON Lines with `--json`).
//!
//! Nothing is stored and nothing is sent to Pinterest. URLs are fetched with the SSRF-safe
//! fetcher of `iqpins-sources`; `--render DIR` draws a 1000×1500 creative per draft with
//! `iqpins-creative`; `--pinterest-csv FILE` writes Pinterest's bulk-create CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use iqpins_core::generate::{
    BoardIndex, BoardSuggestion, Existing, GeneratedDraft, NEEDS_BOARD, NEEDS_IMAGE, NEEDS_LINK,
    TemplateWriter, generate, pinterest_bulk_csv, rank_images, readiness,
};
use iqpins_core::{Board, ContentItem, SourceDefaults, WriteContext};
use iqpins_sources::fetch::SafeFetcher;
use serde::Serialize;

/// The stand-in base for local files (a reserved domain that never resolves).
const LOCAL_BASE: &str = "http://iqpins-local.invalid/";

/// Largest local input file read.
const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// The arguments of `iqpins draft`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Pages, feeds or CSV files: local paths or http(s) URLs.
    #[arg(required = true, value_name = "FILE|URL")]
    pub inputs: Vec<String>,
    /// The account's boards: a JSON array shaped like the items of Pinterest's
    /// `GET /v5/boards` (`id`, `name`, `description`, `privacy`), or that response itself.
    #[arg(long, value_name = "FILE")]
    pub boards: Option<PathBuf>,
    /// Drafts per item (1–10); variants differ in image or title style.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub variants: u8,
    /// Render a 1000×1500 JPEG creative per draft into this directory.
    #[arg(long, value_name = "DIR")]
    pub render: Option<PathBuf>,
    /// Also write Pinterest's bulk-create CSV here (split into FILE-2.csv, … beyond 100 rows).
    #[arg(long, value_name = "FILE")]
    pub pinterest_csv: Option<PathBuf>,
    /// Print one JSON object per draft (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// A website links may point to (repeatable). Without it, each draft's own site counts
    /// as allowed, so only the other readiness checks apply.
    #[arg(long = "allowed-domain", value_name = "DOMAIN")]
    pub allowed_domains: Vec<String>,
    /// The `utm_campaign` value (default: the input's host or file name).
    #[arg(long)]
    pub campaign: Option<String>,
    /// At most this many hashtags per description.
    #[arg(long, default_value_t = 3)]
    pub max_hashtags: u8,
}

/// A board as printed: id, name and how sure the choice is.
#[derive(Debug, Serialize)]
struct BoardOut<'a> {
    id: &'a str,
    name: &'a str,
    confidence: f64,
    choice: iqpins_core::generate::BoardChoice,
}

/// One printed draft.
#[derive(Debug, Serialize)]
struct DraftOut<'a> {
    input: &'a str,
    item_url: Option<&'a str>,
    variant: u8,
    title: &'a str,
    description: &'a str,
    alt_text: &'a str,
    link: Option<&'a str>,
    image_url: Option<&'a str>,
    board: Option<BoardOut<'a>>,
    keywords: &'a [String],
    creative: Option<&'a str>,
    reasons: Vec<String>,
}

/// A draft with where it came from.
struct Made {
    input: usize,
    item: usize,
    draft: GeneratedDraft,
    reasons: Vec<String>,
}

/// One read input.
struct Loaded {
    name: String,
    /// The directory of a local file, for images next to it.
    dir: Option<PathBuf>,
    items: Vec<ContentItem>,
}

/// Runs `iqpins draft`; exit code 1 when an input could not be read or gave no item.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> ExitCode {
    let boards = match &args.boards {
        Some(path) => match load_boards(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Vec::new(),
    };
    let fetcher = match SafeFetcher::new() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    let mut loaded = Vec::new();
    for input in &args.inputs {
        match load(input, &fetcher).await {
            Ok(l) => {
                if l.items.is_empty() {
                    eprintln!("{input}: no items found");
                    ok = false;
                }
                loaded.push(l);
            }
            Err(e) => {
                eprintln!("{input}: {e}");
                ok = false;
            }
        }
    }

    let index = BoardIndex::new(&boards);
    let defaults = SourceDefaults {
        variants: args.variants,
        ..SourceDefaults::default()
    };
    let mut existing = Existing::new();
    let mut made = Vec::new();
    for (i, l) in loaded.iter().enumerate() {
        let source_name = args.campaign.clone().unwrap_or_else(|| l.name.clone());
        let mut ctx = WriteContext::from_defaults(&source_name, &defaults);
        ctx.max_hashtags = args.max_hashtags;
        for (j, item) in l.items.iter().enumerate() {
            match generate(&TemplateWriter, item, &ctx, &index, &defaults) {
                Ok(drafts) => {
                    let (kept, _) = existing.keep_new(drafts, |d| {
                        (
                            Some(d.fingerprint.clone()),
                            d.content.link.as_ref().map(|u| u.as_str().to_owned()),
                            d.content.image.url.as_ref().map(|u| u.as_str().to_owned()),
                        )
                    });
                    made.extend(kept.into_iter().map(|draft| Made {
                        input: i,
                        item: j,
                        draft,
                        reasons: Vec::new(),
                    }));
                }
                Err(e) => eprintln!("{}: item {}: {e}", l.name, j + 1),
            }
            // Later items are compared with this item's link + image too.
            existing.seal();
        }
    }

    if let Some(dir) = &args.render {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        let fonts = crate::render::fallback_fonts();
        for m in &mut made {
            let l = &loaded[m.input];
            let at = (l.dir.as_deref(), dir.as_path());
            render_one(m, &l.items[m.item], at, &fonts, &fetcher).await;
        }
    }

    for m in &mut made {
        let item = &loaded[m.input].items[m.item];
        let allowed = if args.allowed_domains.is_empty() {
            item_host(item).into_iter().collect()
        } else {
            args.allowed_domains.clone()
        };
        let mut reasons: Vec<String> = readiness(&m.draft.content, &allowed)
            .into_iter()
            .map(String::from)
            .collect();
        // Generation flags the readiness checks do not already say.
        let covered = [NEEDS_IMAGE, NEEDS_LINK, NEEDS_BOARD];
        reasons.extend(
            m.draft
                .flags
                .iter()
                .filter(|f| !covered.contains(&f.as_str()))
                .cloned(),
        );
        reasons.append(&mut m.reasons);
        m.reasons = reasons;
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for m in &made {
        let l = &loaded[m.input];
        let d = &m.draft;
        let line = DraftOut {
            input: &args.inputs[m.input],
            item_url: l.items[m.item].url.as_deref(),
            variant: d.variant,
            title: d.content.title.as_str(),
            description: d.content.description.as_str(),
            alt_text: d.content.alt_text.as_str(),
            link: d.content.link.as_ref().map(|u| u.as_str()),
            image_url: d.content.image.url.as_ref().map(|u| u.as_str()),
            board: d.board.as_ref().map(board_out),
            keywords: &d.keywords,
            creative: d.content.image.creative.as_deref(),
            reasons: m.reasons.clone(),
        };
        let written = if args.json {
            serde_json::to_string(&line)
                .map_err(std::io::Error::other)
                .and_then(|s| writeln!(out, "{s}"))
        } else {
            write_text(&mut out, &line)
        };
        if written.is_err() {
            // stdout closed (e.g. piped into `head`): stop quietly.
            return ExitCode::FAILURE;
        }
    }
    drop(out);

    if let Some(path) = &args.pinterest_csv {
        let rows: Vec<_> = made.iter().map(|m| m.draft.pin_row(None)).collect();
        match pinterest_bulk_csv(&rows, 0) {
            Ok(export) => {
                for (row, why) in &export.skipped {
                    eprintln!("pinterest csv: draft {} left out: {why}", row + 1);
                }
                for (n, content) in export.files.iter().enumerate() {
                    let p = numbered(path, n);
                    if let Err(e) = std::fs::write(&p, content) {
                        eprintln!("error: cannot write {}: {e}", p.display());
                        return ExitCode::FAILURE;
                    }
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn board_out(b: &BoardSuggestion) -> BoardOut<'_> {
    BoardOut {
        id: b.id.as_str(),
        name: &b.name,
        confidence: b.confidence,
        choice: b.choice,
    }
}

fn write_text(out: &mut impl Write, d: &DraftOut<'_>) -> std::io::Result<()> {
    writeln!(out, "# {}", d.title)?;
    writeln!(out, "  from:        {}", d.item_url.unwrap_or(d.input))?;
    writeln!(out, "  description: {}", d.description)?;
    writeln!(out, "  alt text:    {}", d.alt_text)?;
    writeln!(out, "  link:        {}", d.link.unwrap_or("-"))?;
    writeln!(out, "  image:       {}", d.image_url.unwrap_or("-"))?;
    match &d.board {
        Some(b) => writeln!(
            out,
            "  board:       {} ({:.0}%)",
            b.name,
            b.confidence * 100.0
        )?,
        None => writeln!(out, "  board:       -")?,
    }
    if let Some(c) = d.creative {
        writeln!(out, "  creative:    {c}")?;
    }
    if d.reasons.is_empty() {
        writeln!(out, "  ready")?;
    } else {
        for r in &d.reasons {
            writeln!(out, "  - {r}")?;
        }
    }
    writeln!(out)
}

/// `pins.csv` for the first file, `pins-2.csv`, `pins-3.csv`, … after it.
fn numbered(path: &Path, n: usize) -> PathBuf {
    if n == 0 {
        return path.to_owned();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!("{stem}-{}{ext}", n + 1))
}

/// Reads `boards.json`: an array of boards or a `{ "items": [...] }` page.
fn load_boards(path: &Path) -> Result<Vec<Board>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Boards {
        List(Vec<Board>),
        Page { items: Vec<Board> },
    }
    match serde_json::from_str::<Boards>(&text) {
        Ok(Boards::List(b) | Boards::Page { items: b }) => Ok(b),
        Err(_) => {
            // Decode as a plain list again for an error that names the problem.
            serde_json::from_str::<Vec<Board>>(&text)
                .map_err(|e| format!("{}: not a JSON array of boards: {e}", path.display()))
        }
    }
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Reads or fetches one input and extracts its items.
async fn load(input: &str, fetcher: &SafeFetcher) -> Result<Loaded, String> {
    let (bytes, name, content_type, dir, final_url) = if is_web_url(input) {
        let f = fetcher.get(input).await.map_err(|e| e.to_string())?;
        let host = url::Url::parse(&f.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_owned())
            })
            .unwrap_or_else(|| input.to_owned());
        (f.body, host, f.content_type, None, Some(f.url))
    } else {
        let path = Path::new(input);
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "file of {} bytes is larger than the {MAX_FILE_BYTES}-byte limit",
                meta.len()
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| input.to_owned());
        // `mug.html` has the parent `""`, which is the current directory.
        let dir = path.parent().map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        });
        (bytes, name, None, dir, None)
    };
    let mut source = iqpins_sources::Input::new(&bytes);
    let label = final_url.as_deref().unwrap_or(input);
    source = source.name(label);
    if let Some(ct) = content_type.as_deref() {
        source = source.content_type(ct);
    }
    let mut extraction = iqpins_sources::extract(&source);
    // Images given as paths relative to a local file are dropped without a base (the
    // extractors keep http(s) URLs only). Read the file again against a stand-in base on
    // the reserved `.invalid` domain and turn those images back into paths next to the
    // input, for the items that have no image, so creatives can be rendered from them.
    if final_url.is_none() && extraction.items.iter().any(|i| i.images.is_empty()) {
        let file_name = Path::new(input)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stand_in = url::Url::parse(LOCAL_BASE).and_then(|b| b.join(&pct_encode(&file_name)));
        if let Ok(base) = stand_in {
            let again = iqpins_sources::extract(&source.clone().base_url(base));
            if again.items.len() == extraction.items.len() {
                for (item, other) in extraction.items.iter_mut().zip(again.items) {
                    if item.images.is_empty() {
                        item.images = other
                            .images
                            .into_iter()
                            .filter_map(|mut i| {
                                let rest = i.url.strip_prefix(LOCAL_BASE)?;
                                let path = rest.split(['?', '#']).next().unwrap_or_default();
                                i.url = pct_decode(path);
                                Some(i)
                            })
                            .collect();
                    }
                }
            }
        }
    }
    for p in &extraction.errors {
        match p.line {
            Some(line) => eprintln!("{input}: line {line}: {}", p.message),
            None => eprintln!("{input}: {}", p.message),
        }
    }
    Ok(Loaded {
        name,
        dir,
        items: extraction.items,
    })
}

/// Percent-encodes the characters a URL path segment cannot hold as they are.
fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid ones are kept as written).
fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The host of the item's canonical URL, for the default allowed domain.
fn item_host(item: &ContentItem) -> Option<String> {
    url::Url::parse(item.url.as_deref()?)
        .ok()?
        .host_str()
        .map(str::to_owned)
}

/// Where a draft's picture comes from: the draft's image URL, else the item's best image
/// (which may be a file next to the input).
fn picture_source(m: &Made, item: &ContentItem) -> Option<String> {
    m.draft
        .content
        .image
        .url
        .as_ref()
        .map(|u| u.as_str().to_owned())
        .or_else(|| {
            rank_images(&item.images, item.title.as_deref())
                .first()
                .map(|r| r.image.url.clone())
        })
}

/// Reads a picture: a local file next to the input (relative path or `file:` URL), else
/// through the SSRF-safe fetcher.
async fn picture_bytes(
    src: &str,
    dir: Option<&Path>,
    fetcher: &SafeFetcher,
) -> Result<Vec<u8>, String> {
    if let Ok(u) = url::Url::parse(src) {
        match u.scheme() {
            "http" | "https" => {
                return fetcher
                    .get_image(src)
                    .await
                    .map(|f| f.body)
                    .map_err(|e| e.to_string());
            }
            "file" => {
                let p = u
                    .to_file_path()
                    .map_err(|()| format!("{src} is not a local file path"))?;
                return read_local(&p, dir);
            }
            other => return Err(format!("{other}: addresses cannot be read")),
        }
    }
    let dir = dir
        .ok_or_else(|| format!("{src} is a relative address with no page to resolve it against"))?;
    read_local(&dir.join(src), Some(dir))
}

/// Reads a local picture only when it lies inside the input's directory.
fn read_local(path: &Path, dir: Option<&Path>) -> Result<Vec<u8>, String> {
    let dir = dir.ok_or("a local picture needs a local input")?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let base = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if !real.starts_with(&base) {
        return Err(format!("{} is outside the input's folder", path.display()));
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", real.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} is larger than {MAX_FILE_BYTES} bytes",
            real.display()
        ));
    }
    std::fs::read(&real).map_err(|e| format!("{}: {e}", real.display()))
}

/// Renders one draft's creative; a failure becomes a reason on the draft.
async fn render_one(
    m: &mut Made,
    item: &ContentItem,
    (input_dir, out_dir): (Option<&Path>, &Path),
    fonts: &[std::sync::Arc<[u8]>],
    fetcher: &SafeFetcher,
) {
    let Some(src) = picture_source(m, item) else {
        return;
    };
    let bytes = match picture_bytes(&src, input_dir, fetcher).await {
        Ok(b) => b,
        Err(e) => {
            m.reasons
                .push(format!("The image could not be read for the creative: {e}"));
            return;
        }
    };
    let text = crate::render::CreativeText::of(&m.draft.content, item.price.as_ref());
    m.reasons
        .extend(crate::render::creative_problems(&text, fonts));
    match crate::render::render_jpeg(&bytes, &text, fonts) {
        Ok(jpeg) => {
            let name = format!(
                "{}.jpg",
                &m.draft.fingerprint[..16.min(m.draft.fingerprint.len())]
            );
            let path = out_dir.join(name);
            match std::fs::write(&path, jpeg) {
                Ok(()) => m.draft.content.image.creative = Some(path.display().to_string()),
                Err(e) => m.reasons.push(format!(
                    "The creative could not be saved: {}: {e}",
                    path.display()
                )),
            }
        }
        Err(e) => m
            .reasons
            .push(format!("The creative could not be rendered: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_round_trip() {
        assert_eq!(pct_encode("my pic.jpg"), "my%20pic.jpg");
        assert_eq!(pct_decode("my%20pic%C3%A9.jpg"), "my pic\u{e9}.jpg");
        assert_eq!(pct_decode("100%.jpg"), "100%.jpg");
    }

    #[test]
    fn split_csv_files_are_numbered_after_the_first() {
        assert_eq!(
            numbered(Path::new("out/pins.csv"), 0),
            PathBuf::from("out/pins.csv")
        );
        assert_eq!(
            numbered(Path::new("out/pins.csv"), 1),
            PathBuf::from("out/pins-2.csv")
        );
        assert_eq!(numbered(Path::new("pins"), 2), PathBuf::from("pins-3"));
    }

    #[test]
    fn boards_json_may_be_a_list_or_a_pinterest_page() {
        let dir = std::env::temp_dir().join(format!("iqpins-boards-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let list = dir.join("list.json");
        std::fs::write(&list, r#"[{"id":"1","name":"Kitchen","description":"Mugs","privacy":"PUBLIC","owner":{"username":"x"}}]"#).unwrap();
        assert_eq!(load_boards(&list).unwrap()[0].name, "Kitchen");
        let page = dir.join("page.json");
        std::fs::write(
            &page,
            r#"{"items":[{"id":"2","name":"Garden"}],"bookmark":null}"#,
        )
        .unwrap();
        assert_eq!(load_boards(&page).unwrap()[0].id.as_str(), "2");
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"[{"id":"x","name":"Bad"}]"#).unwrap();
        assert!(load_boards(&bad).unwrap_err().contains("board_id"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn local_pictures_outside_the_input_folder_are_refused() {
        let dir = std::env::temp_dir().join(format!("iqpins-pics-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("shop")).unwrap();
        std::fs::write(dir.join("secret.jpg"), b"x").unwrap();
        std::fs::write(dir.join("shop/mug.jpg"), b"y").unwrap();
        let shop = dir.join("shop");
        assert_eq!(
            read_local(&shop.join("mug.jpg"), Some(&shop)).unwrap(),
            b"y"
        );
        assert!(
            read_local(&shop.join("../secret.jpg"), Some(&shop))
                .unwrap_err()
                .contains("outside")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
