//! What extraction reads from a page's markup ([`Markup`]), gathered in one pass by a
//! [`Collector`] fed element starts, text and element ends.
//!
//! Two drivers feed it: [`scan`], a streaming scan with `lol_html` that never builds a
//! tree (the fast path), and [`from_tree`], a walk over the html5ever tree that `scraper`
//! builds (the fallback when the scan gives up, and the reference the scan is tested
//! against).

use std::cell::RefCell;
use std::rc::Rc;

use super::entities::{Context, decode};
use super::microdata::{Items, PropValue, value_by_attributes};
use crate::text::clean;

/// How many `<img>` candidates are kept; the page keeps at most a dozen after filtering.
const MAX_IMAGE_CANDIDATES: usize = 200;
/// Text kept per element (titles, headings, property values: far longer than any of them
/// is used) and in all (nested properties each keep their descendants' text, so hostile
/// nesting would otherwise multiply the page). JSON-LD text is not capped.
const MAX_TEXT_PER_ELEMENT: usize = 64 * 1024;
const MAX_TEXT_IN_ALL: usize = 4 * 1024 * 1024;
/// Memory the streaming scan may use for buffered markup (far above any page's need:
/// the whole page is written at once, only an unfinished tag is ever buffered).
const SCAN_MEMORY_LIMIT: usize = 2 * super::MAX_PAGE_BYTES;

/// The facts of a page's markup that extraction reads, text decoded as the HTML parser
/// decodes it, URLs as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Markup {
    /// `<meta>` name/property/http-equiv → content, keys lower-cased, in document order.
    pub(crate) metas: Vec<(String, String)>,
    /// The `href` of the first `<link rel=canonical>`.
    pub(crate) canonical: Option<String>,
    /// The `href` of the first `<base>`.
    pub(crate) base_href: Option<String>,
    /// The text of each JSON-LD `<script>`.
    pub(crate) json_ld: Vec<String>,
    /// The microdata items.
    pub(crate) microdata: Items,
    /// The root element's `lang` and `xml:lang`.
    pub(crate) lang: Option<String>,
    pub(crate) xml_lang: Option<String>,
    /// The text of the first `<title>` and of the first `<h1>` (text nodes joined by a
    /// space).
    pub(crate) title: Option<String>,
    pub(crate) h1: Option<String>,
    /// `<img>` and `<video poster>` elements.
    pub(crate) images: Vec<RawImage>,
    /// `<link rel=image_src>` targets.
    pub(crate) image_src: Vec<String>,
    /// The `datetime` of the first `<time datetime>`.
    pub(crate) time: Option<String>,
}

/// An `<img>` (or a video's poster) as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawImage {
    /// Candidate sources, best first (`src`, then lazy-loading attributes).
    pub(crate) sources: Vec<String>,
    pub(crate) width: Option<String>,
    pub(crate) height: Option<String>,
    pub(crate) alt: Option<String>,
}

/// An element as a driver sees it: its lower-case name and decoded attributes.
pub(crate) trait Tag {
    fn name(&self) -> &str;
    fn attr(&self, name: &str) -> Option<String>;
    fn has(&self, name: &str) -> bool;
}

/// What an open element collects until it ends.
#[derive(Default)]
struct Frame {
    /// Its text nodes, separated by NUL (never left in decoded text).
    text: Option<String>,
    title: bool,
    h1: bool,
    json_ld: bool,
    /// A property whose value is this element's text.
    prop: Option<usize>,
    /// The item this element starts.
    item: Option<usize>,
    /// Its `id` and the properties under it (for `itemref`).
    id: Option<(String, Vec<usize>)>,
    /// Which start of element this is (matched by [`Collector::end`]).
    seq: u64,
    /// Its name, when a later start tag can end it without an end tag (`<p>`, `<li>`…).
    implied: Option<&'static str>,
}

/// The elements whose end tag may be left out and ended by a following start tag, with
/// `closes(open, new)` saying whether a start tag `new` ends an open `open` (HTML's
/// "implied end tags" for the cases pages use).
const IMPLIED: [&str; 8] = ["p", "li", "dt", "dd", "option", "tr", "td", "th"];

fn closes(open: &str, new: &str) -> bool {
    match open {
        "p" => matches!(
            new,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "details"
                | "div"
                | "dl"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "header"
                | "hgroup"
                | "hr"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "pre"
                | "section"
                | "table"
                | "ul"
        ),
        "li" => new == "li",
        "dt" | "dd" => matches!(new, "dt" | "dd"),
        "option" => matches!(new, "option" | "optgroup"),
        "tr" => new == "tr",
        "td" | "th" => matches!(new, "td" | "th" | "tr"),
        _ => false,
    }
}

impl Frame {
    fn is_empty(&self) -> bool {
        self.text.is_none() && self.item.is_none() && self.id.is_none()
    }
}

/// Gathers a [`Markup`] from element and text events in document order.
pub(crate) struct Collector {
    out: Markup,
    frames: Vec<Frame>,
    capturing: usize,
    /// Bytes of (capped) text kept so far.
    kept_text: usize,
    title_seen: bool,
    h1_seen: bool,
    with_ids: bool,
    next_seq: u64,
}

impl Collector {
    /// `with_ids`: record what is under each `id` (needed only when the page uses
    /// `itemref`).
    pub(crate) fn new(with_ids: bool) -> Self {
        Self {
            out: Markup::default(),
            frames: Vec::new(),
            capturing: 0,
            kept_text: 0,
            title_seen: false,
            h1_seen: false,
            with_ids,
            next_seq: 0,
        }
    }

    /// An element starts. Returns the number to give [`Collector::end`] when it ends, if
    /// it must be called (never for an element that cannot have content).
    pub(crate) fn start(&mut self, tag: &dyn Tag, can_have_content: bool) -> Option<u64> {
        let name = tag.name();
        // A start tag that ends an open `<p>`, `<li>`… whose end tag was left out.
        while let Some(open) = self.frames.last().and_then(|f| f.implied)
            && closes(open, name)
        {
            self.end_innermost();
        }
        let mut frame = Frame::default();
        match name {
            "meta" => self.meta(tag),
            "link" => {
                if let (Some(rel), Some(href)) = (tag.attr("rel"), tag.attr("href")) {
                    if self.out.canonical.is_none()
                        && rel
                            .split_whitespace()
                            .any(|t| t.eq_ignore_ascii_case("canonical"))
                    {
                        self.out.canonical = Some(href.clone());
                    }
                    if rel.eq_ignore_ascii_case("image_src") {
                        self.out.image_src.push(href);
                    }
                }
            }
            "base" if self.out.base_href.is_none() => self.out.base_href = tag.attr("href"),
            "script"
                if tag
                    .attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                frame.json_ld = true;
                frame.text = Some(String::new());
            }
            "html" => {
                if self.out.lang.is_none() {
                    self.out.lang = tag.attr("lang");
                }
                if self.out.xml_lang.is_none() {
                    self.out.xml_lang = tag.attr("xml:lang");
                }
            }
            "title" if !self.title_seen => {
                self.title_seen = true;
                frame.title = true;
                frame.text = Some(String::new());
            }
            "h1" if !self.h1_seen => {
                self.h1_seen = true;
                frame.h1 = true;
                frame.text = Some(String::new());
            }
            "img" => self.image(tag, &["src", "data-src", "data-lazy-src", "data-original"]),
            "video" if tag.has("poster") => self.image(tag, &["poster"]),
            "time" if self.out.time.is_none() => self.out.time = tag.attr("datetime"),
            _ => {}
        }
        self.microdata(tag, can_have_content, &mut frame);
        if !can_have_content || frame.is_empty() {
            return None;
        }
        if frame.text.is_some() {
            self.capturing += 1;
        }
        self.next_seq += 1;
        frame.seq = self.next_seq;
        frame.implied = IMPLIED.iter().copied().find(|n| *n == name);
        self.frames.push(frame);
        Some(self.next_seq)
    }

    fn meta(&mut self, tag: &dyn Tag) {
        let Some(content) = tag.attr("content") else {
            return;
        };
        for key in [
            tag.attr("property"),
            tag.attr("name"),
            tag.attr("http-equiv"),
        ]
        .into_iter()
        .flatten()
        {
            // `property` may hold several space-separated names (RDFa).
            for k in key.split_whitespace() {
                let k = k.to_ascii_lowercase();
                // Dublin Core is written `dc.title`, `dc:title`, `dcterms:title`.
                let k = match k.strip_prefix("dc:").or_else(|| k.strip_prefix("dcterms:")) {
                    Some(rest) => format!("dc.{rest}"),
                    None => k.replacen("dcterms.", "dc.", 1),
                };
                self.out.metas.push((k, content.clone()));
            }
        }
    }

    fn image(&mut self, tag: &dyn Tag, sources: &[&str]) {
        if self.out.images.len() < MAX_IMAGE_CANDIDATES {
            self.out.images.push(RawImage {
                sources: sources.iter().filter_map(|a| tag.attr(a)).collect(),
                width: tag.attr("width"),
                height: tag.attr("height"),
                alt: tag.attr("alt"),
            });
        }
    }

    fn microdata(&mut self, tag: &dyn Tag, can_have_content: bool, frame: &mut Frame) {
        let itemprop = tag.attr("itemprop");
        let itemscope = tag.has("itemscope");
        // (`html`, `head` and `body` hold everything: no item refers to them.)
        let id = if self.with_ids && !matches!(tag.name(), "html" | "head" | "body") {
            tag.attr("id")
        } else {
            None
        };
        if itemprop.is_none() && !itemscope && id.is_none() {
            return;
        }
        // Who gets a property here: the nearest enclosing item, and every element with an
        // `id` inside it (or anywhere, outside items) for `itemref`.
        let mut owner = None;
        let mut id_frames = Vec::new();
        for (k, f) in self.frames.iter().enumerate().rev() {
            if let Some(i) = f.item {
                owner = Some(i);
                break;
            }
            if f.id.is_some() {
                id_frames.push(k);
            }
        }
        let md = &mut self.out.microdata;
        let item = itemscope.then(|| {
            md.new_item(
                tag.attr("itemtype"),
                tag.attr("itemid"),
                tag.attr("itemref"),
                itemprop.is_none(),
            )
        });
        let mut own = Vec::new();
        if let Some(names) = itemprop
            && (owner.is_some() || !id_frames.is_empty() || id.is_some())
        {
            let value = match item {
                Some(i) => PropValue::Item(i),
                None => match value_by_attributes(tag.name(), &|a| tag.attr(a)) {
                    Some(v) => v,
                    None if can_have_content => PropValue::Pending,
                    None => PropValue::Empty,
                },
            };
            let pending = value == PropValue::Pending;
            let p = md.new_prop(names, value);
            if pending {
                frame.prop = Some(p);
                frame.text.get_or_insert_with(String::new);
            }
            if let Some(o) = owner {
                md.give(o, p);
            }
            for k in id_frames {
                if let Some((_, props)) = self.frames.get_mut(k).and_then(|f| f.id.as_mut()) {
                    props.push(p);
                }
            }
            own.push(p);
        }
        if can_have_content {
            frame.item = item;
        }
        if let Some(id) = id {
            if can_have_content {
                frame.id = Some((id, own));
            } else {
                self.out.microdata.set_id_props(id, own);
            }
        }
    }

    /// Whether text nodes are wanted now.
    pub(crate) fn wants_text(&self) -> bool {
        self.capturing > 0
    }

    /// A whole text node, decoded.
    pub(crate) fn text(&mut self, node: &str) {
        if self.capturing == 0 || node.is_empty() {
            return;
        }
        for f in &mut self.frames {
            let Some(buf) = f.text.as_mut() else {
                continue;
            };
            let room = if f.json_ld {
                usize::MAX
            } else {
                MAX_TEXT_PER_ELEMENT
                    .saturating_sub(buf.len())
                    .min(MAX_TEXT_IN_ALL.saturating_sub(self.kept_text))
            };
            if room <= 1 {
                continue;
            }
            if !buf.is_empty() {
                buf.push('\0');
            }
            let mut take = node.len().min(room - 1);
            while !node.is_char_boundary(take) {
                take -= 1;
            }
            buf.push_str(&node[..take]);
            if !f.json_ld {
                self.kept_text += take + 1;
            }
        }
    }

    /// The element that [`Collector::start`] numbered `seq` ends, and with it any element
    /// inside it left open (an end tag that was left out). Nothing happens when it has
    /// already ended.
    pub(crate) fn end(&mut self, seq: u64) {
        if !self.frames.iter().any(|f| f.seq == seq) {
            return;
        }
        while let Some(f) = self.frames.last() {
            let done = f.seq == seq;
            self.end_innermost();
            if done {
                break;
            }
        }
    }

    /// The innermost open element ends.
    fn end_innermost(&mut self) {
        let Some(f) = self.frames.pop() else {
            return;
        };
        if let Some(t) = f.text {
            self.capturing -= 1;
            if f.title {
                self.out.title = Some(t.replace('\0', ""));
            }
            if f.h1 {
                self.out.h1 = Some(t.replace('\0', " "));
            }
            if f.json_ld {
                self.out.json_ld.push(t.replace('\0', ""));
            }
            if let Some(p) = f.prop {
                let value = clean(&t.replace('\0', " ")).map_or(PropValue::Empty, PropValue::Text);
                self.out.microdata.fill(p, value);
            }
        }
        if let Some((id, props)) = f.id {
            self.out.microdata.set_id_props(id, props);
        }
    }

    /// The document ends: open elements end, and the markup is complete.
    pub(crate) fn finish(mut self) -> Markup {
        while !self.frames.is_empty() {
            self.end_innermost();
        }
        self.out
    }
}

/// Which microdata attributes the page spells (in any ASCII case): `(itemprop or
/// itemscope, itemref)`. Without the first, no tag's attributes need reading; without
/// the second, no `id` needs recording.
fn microdata_hints(text: &str) -> (bool, bool) {
    // Setting bit 0x20 folds ASCII upper case onto lower case and maps no other byte onto
    // a letter, so one search of the folded text finds every spelling.
    let folded: Vec<u8> = text.bytes().map(|b| b | 0x20).collect();
    let (mut any, mut itemref) = (false, false);
    for i in memchr::memmem::find_iter(&folded, b"item") {
        let rest = &folded[i + 4..];
        any |= rest.starts_with(b"prop") || rest.starts_with(b"scope");
        itemref |= rest.starts_with(b"ref");
        if any && itemref {
            break;
        }
    }
    (any, itemref)
}

/// Elements void in HTML: they never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Gathers the markup by walking the tree html5ever builds.
pub(crate) fn from_tree(text: &str) -> Markup {
    use scraper::Node;

    struct El<'a>(&'a scraper::node::Element);
    impl Tag for El<'_> {
        fn name(&self) -> &str {
            self.0.name()
        }
        fn attr(&self, name: &str) -> Option<String> {
            self.0.attr(name).map(str::to_owned)
        }
        fn has(&self, name: &str) -> bool {
            self.0.attr(name).is_some()
        }
    }

    let doc = scraper::Html::parse_document(text);
    let mut c = Collector::new(microdata_hints(text).1);
    // Depth-first, without recursion (pages nest deeply): open a node, go to its first
    // child, else close it and go to its next sibling, closing parents on the way up.
    let open = |c: &mut Collector, value: &Node| match value {
        Node::Element(el) => c.start(&El(el), !is_void(el.name())),
        Node::Text(t) => {
            if c.wants_text() {
                c.text(t);
            }
            None
        }
        _ => None,
    };
    let mut parents = Vec::new();
    let mut next = doc.tree.root().first_child();
    loop {
        while let Some(node) = next {
            let kept = open(&mut c, node.value());
            match node.first_child() {
                Some(child) => {
                    parents.push((node, kept));
                    next = Some(child);
                }
                None => {
                    if let Some(seq) = kept {
                        c.end(seq);
                    }
                    next = node.next_sibling();
                }
            }
        }
        let Some((parent, kept)) = parents.pop() else {
            break;
        };
        if let Some(seq) = kept {
            c.end(seq);
        }
        next = parent.next_sibling();
    }
    c.finish()
}

/// Why the streaming scan gave up.
#[derive(Debug)]
pub(crate) struct ScanError(#[allow(dead_code)] String);

/// Gathers the markup in one streaming pass, without building a tree.
pub(crate) fn scan(text: &str) -> Result<Markup, ScanError> {
    use lol_html::html_content::{Element, TextChunk, TextType};
    use lol_html::{ElementContentHandlers, HtmlRewriter, MemorySettings, Selector, Settings};
    use std::borrow::Cow;

    struct El<'e, 'a, 'b> {
        name: String,
        el: &'e Element<'a, 'b>,
    }
    impl Tag for El<'_, '_, '_> {
        fn name(&self) -> &str {
            &self.name
        }
        fn attr(&self, name: &str) -> Option<String> {
            let v = self.el.get_attribute(name)?;
            Some(match decode(&v, Context::Attribute) {
                Cow::Borrowed(_) => v,
                Cow::Owned(d) => d,
            })
        }
        fn has(&self, name: &str) -> bool {
            self.el.has_attribute(name)
        }
    }

    let (with_microdata, with_ids) = microdata_hints(text);
    // Selectors on attributes alone make the scanner read every tag's attributes: they
    // are left out when the page has no microdata.
    let mut elements = String::from("meta, link, base, script, html, title, h1, img, video, time");
    let mut texts = String::from("script, title, h1");
    if with_microdata {
        elements.push_str(", [itemscope], [itemprop]");
        texts.push_str(", [itemprop]");
        // The start tags that end an open `<p>`, `<li>`… (see `closes`): a property's
        // text must stop there as it does in the parsed tree.
        elements.push_str(
            ", p, li, dt, dd, option, optgroup, tr, td, th, address, article, aside, \
             blockquote, details, div, dl, fieldset, figcaption, figure, footer, form, h2, h3, \
             h4, h5, h6, header, hgroup, hr, main, menu, nav, ol, pre, section, table, ul",
        );
    }
    if with_ids {
        elements.push_str(", [id]");
    }
    let elements: Selector = elements.parse().map_err(|e| ScanError(format!("{e}")))?;
    let texts: Selector = texts.parse().map_err(|e| ScanError(format!("{e}")))?;

    let c = Rc::new(RefCell::new(Collector::new(with_ids)));
    let on_element = {
        let c = Rc::clone(&c);
        move |el: &mut Element<'_, '_>| {
            let tag = El {
                name: el.tag_name(),
                el,
            };
            let kept = c.borrow_mut().start(&tag, el.can_have_content());
            if let Some(seq) = kept {
                let c = Rc::clone(&c);
                el.on_end_tag(Box::new(move |_| {
                    c.borrow_mut().end(seq);
                    Ok(())
                }))?;
            }
            Ok(())
        }
    };
    let mut pending = String::new();
    let on_text = {
        let c = Rc::clone(&c);
        move |t: &mut TextChunk<'_>| {
            let mut c = c.borrow_mut();
            if !c.wants_text() {
                return Ok(());
            }
            pending.push_str(t.as_str());
            if t.last_in_text_node() {
                let cx = match t.text_type() {
                    TextType::Data => Context::Data,
                    TextType::RCData => Context::RcData,
                    _ => Context::Raw,
                };
                c.text(&decode(&pending, cx));
                pending.clear();
            }
            Ok(())
        }
    };
    let settings = Settings::new()
        .append_element_content_handler((
            Cow::Owned(elements),
            ElementContentHandlers::default().element(on_element),
        ))
        .append_element_content_handler((
            Cow::Owned(texts),
            ElementContentHandlers::default().text(on_text),
        ))
        .with_memory_settings(
            MemorySettings::new().with_max_allowed_memory_usage(SCAN_MEMORY_LIMIT),
        );
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(text.as_bytes())
        .map_err(|e| ScanError(e.to_string()))?;
    rewriter.end().map_err(|e| ScanError(e.to_string()))?;
    let collector = std::mem::replace(&mut *c.borrow_mut(), Collector::new(false));
    Ok(collector.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both drivers, on the same (pre-stripped) page.
    fn both(html: &str) -> (Markup, Markup) {
        let text = super::super::prestrip(html);
        (scan(&text).unwrap(), from_tree(&text))
    }

    #[test]
    fn the_scan_reads_the_corpus_pages_as_the_parsed_tree_does() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        let list: serde_json::Value =
            serde_json::from_slice(&std::fs::read(manifest.join("manifest.json")).unwrap())
                .unwrap();
        let mut pages = 0;
        let mut differ = Vec::new();
        for e in list.as_array().unwrap() {
            let file = e["file"].as_str().unwrap();
            if e["role"] != "input" || !file.starts_with("html/") {
                continue;
            }
            let text =
                super::super::decode_html(&std::fs::read(manifest.join(file)).unwrap(), None);
            let (scanned, parsed) = both(&text);
            if scanned != parsed {
                differ.push(file.to_owned());
                for (what, a, b) in [
                    (
                        "metas",
                        format!("{:?}", scanned.metas),
                        format!("{:?}", parsed.metas),
                    ),
                    (
                        "microdata",
                        format!("{:?}", scanned.microdata),
                        format!("{:?}", parsed.microdata),
                    ),
                    (
                        "title/h1",
                        format!("{:?}{:?}", scanned.title, scanned.h1),
                        format!("{:?}{:?}", parsed.title, parsed.h1),
                    ),
                    (
                        "images",
                        format!("{:?}", scanned.images),
                        format!("{:?}", parsed.images),
                    ),
                    (
                        "json_ld",
                        format!("{:?}", scanned.json_ld),
                        format!("{:?}", parsed.json_ld),
                    ),
                    (
                        "rest",
                        format!(
                            "{:?}{:?}{:?}{:?}{:?}{:?}",
                            scanned.canonical,
                            scanned.base_href,
                            scanned.lang,
                            scanned.xml_lang,
                            scanned.image_src,
                            scanned.time
                        ),
                        format!(
                            "{:?}{:?}{:?}{:?}{:?}{:?}",
                            parsed.canonical,
                            parsed.base_href,
                            parsed.lang,
                            parsed.xml_lang,
                            parsed.image_src,
                            parsed.time
                        ),
                    ),
                ] {
                    if a != b {
                        let at = a
                            .bytes()
                            .zip(b.bytes())
                            .position(|(x, y)| x != y)
                            .unwrap_or(0);
                        let from = at.saturating_sub(150);
                        println!(
                            "{file} {what}:\n  scan {}\n  tree {}",
                            a.get(from..(at + 250).min(a.len())).unwrap_or(&a),
                            b.get(from..(at + 250).min(b.len())).unwrap_or(&b)
                        );
                    }
                }
            }
            pages += 1;
        }
        assert!(pages >= 50, "only {pages} pages");
        assert!(differ.is_empty(), "{differ:?}");
    }

    use std::path::Path;

    #[test]
    fn deeply_nested_properties_keep_bounded_text() {
        let mut html = String::from("<div itemscope>");
        html.push_str(&"<div itemprop=\"x\">".repeat(2000));
        html.push_str(&"word ".repeat(200_000));
        let m = scan(&html).unwrap();
        assert_eq!(m, from_tree(&html));
        let json = m.microdata.to_json(None);
        let x = json[0]["x"].as_array().unwrap();
        assert!(
            x.iter()
                .all(|v| v.as_str().unwrap().len() <= MAX_TEXT_PER_ELEMENT)
        );
    }

    #[test]
    fn entities_void_and_unclosed_elements_and_raw_text_read_alike() {
        for html in [
            r#"<html lang="fr"><title>Th&eacute; &amp; caf&eacute</title><meta name="description" content="a &lt;b&gt; &amp=x &copy2024 &notit;">"#,
            r#"<h1>Big <em>news</em>&nbsp;today</h1><h1>second</h1><p>unclosed <b>bold <i>it"#,
            r#"<div itemscope itemtype="https://schema.org/Product"><p itemprop="name">Mug</p><p itemprop="description">Blue &amp; white<img itemprop=image src="/a.jpg"><br itemprop=x></div>"#,
            r#"<noscript><img src="/hidden.jpg"></noscript><img src="/shown.jpg" width="100"><video poster="/p.jpg"></video><img data-src="/lazy.jpg">"#,
            r#"<div itemscope><span itemprop="a">x<script type="application/ld+json">{"@type":"Thing"}</script>y</span></div>"#,
            r#"<link rel="Canonical stylesheet" href="/c"><link rel="IMAGE_SRC" href="/i.jpg"><base href="/b/"><base href="/ignored/">"#,
            "<div itemscope itemref=\"x\"></div><section id=\"x\"><i itemprop=\"n\">1</i></section><time datetime=\"2024-01-02\">x</time>",
            "<title>a\r\nb\0c</title><html xml:lang=\"de\"><span itemscope><meter itemprop=v value=\" 3 \">",
            // End tags left out: a following start tag ends the property's text.
            r#"<div itemscope itemtype="https://schema.org/Product"><span itemprop=name>Bowl</span><p itemprop=description>First line<p>Other<ul><li itemprop=color>Blue<li>Green</ul><dl><dt itemprop=a>t<dd itemprop=b>d</dl><div itemprop=offers itemscope><span itemprop=price>12</span></div></div><div itemscope><b itemprop=name>Second</b></div>"#,
            r#"<table><tr><td itemprop=a>1<td itemprop=b>2<tr><th itemprop=c>3</table><select><option itemprop=o>x<option>y</select>"#,
        ] {
            let (scanned, parsed) = both(html);
            assert_eq!(scanned, parsed, "{html}");
        }
    }
}
