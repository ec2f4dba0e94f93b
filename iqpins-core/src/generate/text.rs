//! Text helpers shared by the writer and the board scorer: input caps, whitespace,
//! accent folding, site-name suffixes and ALL-CAPS shouting.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The most characters of any one input field that generation looks at. Longer input
/// (a 10 MB title) is cut first, so work and memory stay bounded.
pub const INPUT_CAP: usize = 8_000;

/// The first `max` characters of `s` (on a character boundary).
pub fn cap_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// One line: control characters dropped, runs of whitespace made one space, trimmed.
/// Looks at most at [`INPUT_CAP`] characters.
pub fn one_line(s: &str) -> String {
    let s = cap_chars(s, INPUT_CAP);
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        // Zero-width characters, soft hyphens and private-use icon-font glyphs show as
        // nothing or as boxes; keep ZWJ (emoji sequences).
        if matches!(
            c,
            '\u{200b}' | '\u{feff}' | '\u{00ad}' | '\u{e000}'..='\u{f8ff}'
        ) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Lower case with accents removed (`Crème Brûlée` → `creme brulee`), for comparing
/// words across spellings. Letters of scripts without case or accents pass unchanged.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ß' => 's',
            'ø' => 'o',
            'æ' => 'a',
            'œ' => 'o',
            'ł' => 'l',
            'đ' => 'd',
            'ı' => 'i',
            other => other,
        })
        .collect()
}

/// Separators that commonly put a site or shop name at the end (or start) of a page title.
const SEPARATORS: [&str; 10] = [
    " | ", " – ", " — ", " - ", " :: ", " · ", " » ", " // ", " ~ ", "｜",
];

/// Only letters and digits of `s`, folded: `Shop-Name.com` → `shopnamecom`.
fn squash(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// True when `segment` names the site: it equals or contains one of `names` (folded,
/// punctuation ignored) or looks like a domain (`shop.example`).
fn names_the_site(segment: &str, names: &[&str]) -> bool {
    let seg = squash(segment);
    if seg.is_empty() {
        return false;
    }
    let looks_like_domain = {
        let t = segment.trim();
        !t.contains(' ')
            && t.rsplit_once('.').is_some_and(|(a, tld)| {
                !a.is_empty()
                    && (2..=6).contains(&tld.len())
                    && tld.chars().all(|c| c.is_ascii_alphabetic())
            })
    };
    looks_like_domain
        || names.iter().any(|n| {
            let n = squash(n);
            !n.is_empty()
                && (seg == n
                    || (n.chars().count() >= 3 && seg.contains(&n))
                    || n.contains(&seg) && seg.chars().count() >= 4)
        })
}

/// Removes site-name parts such as `" | Shop Name"` or `" – Brand"` from the end (or
/// `"Shop Name | "` from the start) of a title. `names` are the site name, the brand and
/// the host. A trailing `|` part of at most three words goes too, since shops put their
/// name there. Never removes everything.
pub fn strip_site_name(title: &str, names: &[&str]) -> String {
    let mut t = title.trim().to_owned();
    for _ in 0..4 {
        let mut changed = false;
        for sep in SEPARATORS {
            if let Some((head, tail)) = t.rsplit_once(sep) {
                let head_t = head.trim();
                if !head_t.is_empty() && names_the_site(tail, names) {
                    t = head_t.to_owned();
                    changed = true;
                    break;
                }
            }
            if let Some((head, tail)) = t.split_once(sep) {
                let tail_t = tail.trim();
                if !tail_t.is_empty() && names_the_site(head, names) {
                    t = tail_t.to_owned();
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            // A short last part that repeats words of the rest names the site:
            // "webpack 3: Official Release - webpack".
            for sep in SEPARATORS {
                if let Some((head, tail)) = t.rsplit_once(sep) {
                    let (h, tl) = (fold(head), fold(tail.trim()));
                    let words = tl.split_whitespace().count();
                    if (1..=3).contains(&words)
                        && tl.chars().count() >= 3
                        && h.split_whitespace()
                            .collect::<Vec<_>>()
                            .windows(words)
                            .any(|w| w.join(" ") == tl)
                    {
                        t = head.trim().to_owned();
                        changed = true;
                        break;
                    }
                }
            }
        }
        if !changed {
            // Shops put their name after a pipe; a short last part that is shorter than
            // the rest goes.
            if let Some((head, tail)) = t.rsplit_once(" | ") {
                let head_t = head.trim();
                if !head_t.is_empty()
                    && tail.split_whitespace().count() <= 3
                    && tail.chars().count() < head_t.chars().count()
                {
                    t = head_t.to_owned();
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    t
}

/// Small words that stay lower case inside a de-shouted title.
const SMALL_WORDS: [&str; 24] = [
    "a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "de", "la",
    "le", "les", "et", "du", "des", "und", "der", "die", "das",
];

/// `HAND-THROWN` → `Hand-Thrown`: each hyphenated part capitalised.
fn capitalise(word: &str) -> String {
    word.split('-')
        .map(|part| {
            let mut cs = part.chars();
            match cs.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join("-")
}

/// Common acronyms that stay upper case in a de-shouted title.
const ACRONYMS: [&str; 32] = [
    "usa", "uk", "eu", "us", "nyc", "usb", "led", "lcd", "tv", "diy", "xl", "xxl", "xs", "pc",
    "hd", "uhd", "uv", "gps", "bbq", "pdf", "dvd", "cd", "ac", "dc", "spf", "vr", "ai", "id", "ok",
    "mp3", "3d", "4k",
];

/// A short all-caps word kept as written: a known acronym, or 2–4 letters with no vowel.
fn is_acronym(word: &str, cased_letters: usize) -> bool {
    let core: String = word
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    ACRONYMS.contains(&core.as_str())
        || ((2..=4).contains(&cased_letters) && !core.chars().any(|c| "aeiouy".contains(c)))
}

/// Letters of a word that have case, and whether all of them are upper case.
fn caps_info(word: &str) -> (usize, bool) {
    let cased: Vec<char> = word
        .chars()
        .filter(|c| c.is_uppercase() || c.is_lowercase())
        .collect();
    (
        cased.len(),
        !cased.is_empty() && cased.iter().all(|c| c.is_uppercase()),
    )
}

/// Removes ALL-CAPS shouting. When most of the title is upper case, every word becomes
/// capitalised (small words lower case, words of 2–3 letters such as `USB` kept); in a
/// normal title, single shouted words of five or more letters are capitalised. Words in
/// `keep` (the brand) stay as written. Repeated `!`/`?` become one.
pub fn unshout(title: &str, keep: &[&str]) -> String {
    let words: Vec<&str> = title.split(' ').collect();
    let (mut upper, mut cased) = (0usize, 0usize);
    for w in &words {
        for c in w.chars() {
            if c.is_uppercase() {
                upper += 1;
                cased += 1;
            } else if c.is_lowercase() {
                cased += 1;
            }
        }
    }
    let shouting = cased >= 6 && upper * 10 >= cased * 7;
    let keep_folded: Vec<String> = keep.iter().map(|k| fold(k)).collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let (n, all_upper) = caps_info(w);
        let kept = keep_folded.iter().any(|k| !k.is_empty() && *k == fold(w));
        let new = if !all_upper || kept {
            (*w).to_owned()
        } else if shouting {
            let lower = w.to_lowercase();
            if i > 0 && SMALL_WORDS.contains(&lower.as_str()) {
                lower
            } else if is_acronym(w, n) {
                (*w).to_owned()
            } else {
                capitalise(w)
            }
        } else if n >= 5 {
            capitalise(w)
        } else {
            (*w).to_owned()
        };
        out.push(new);
    }
    let joined = out.join(" ");
    collapse_repeats(&joined)
}

/// `!!!` → `!`, `??` → `?`.
fn collapse_repeats(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if matches!(c, '!' | '?') && prev == Some(c) {
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// A readable phrase from a URL's last path segment: `/p/blue-ceramic-mug.html` →
/// `Blue ceramic mug`. `None` when the segment has no letters.
pub fn title_from_url(url: &str) -> Option<String> {
    if url.len() > 4096 {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    let seg = parsed
        .path_segments()?
        .rev()
        .find(|s| !s.is_empty())?
        .to_owned();
    let seg = seg.split('.').next().unwrap_or_default();
    let decoded: String = url::form_urlencoded::parse(format!("x={seg}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let words: Vec<&str> = decoded
        .split(|c: char| c == '-' || c == '_' || c == '+' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    // Ids and hashes (`12345`, `a1b2c3d4`) are not titles.
    let letters = words
        .iter()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .count();
    if letters == 0 {
        return None;
    }
    let phrase = words.join(" ");
    Some(capitalise_first(&phrase.to_lowercase()))
}

/// Upper-cases the first character.
pub fn capitalise_first(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// The first sentence of `text` (up to `.`, `!`, `?` or `。` followed by a space or the end).
pub fn first_sentence(text: &str) -> &str {
    let mut prev_end = None;
    for (i, c) in text.char_indices() {
        if let Some(end) = prev_end {
            if c == ' ' {
                return &text[..end];
            }
            prev_end = None;
        }
        if matches!(c, '.' | '!' | '?') {
            prev_end = Some(i + c.len_utf8());
        } else if c == '。' {
            return &text[..i + c.len_utf8()];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Crème Brûlée"), "creme brulee");
        assert_eq!(fold("Straße"), "strase");
        assert_eq!(fold("日本"), "日本");
    }

    #[test]
    fn site_names_are_removed_from_either_end() {
        let names = ["Acme Shop", "Acme", "acme.example"];
        assert_eq!(strip_site_name("Blue Mug | Acme Shop", &names), "Blue Mug");
        assert_eq!(strip_site_name("Blue Mug – Acme", &names), "Blue Mug");
        assert_eq!(strip_site_name("Acme Shop | Blue Mug", &names), "Blue Mug");
        assert_eq!(
            strip_site_name("Blue Mug - acme.example", &names),
            "Blue Mug"
        );
        assert_eq!(
            strip_site_name("Blue Mug | Kitchen | Acme Shop", &names),
            "Blue Mug"
        );
        // A dash that is part of the product name stays.
        assert_eq!(
            strip_site_name("T-Shirt - Large", &names),
            "T-Shirt - Large"
        );
        assert_eq!(strip_site_name("Acme", &names), "Acme");
        assert_eq!(strip_site_name("Easy pasta | Food Blog", &[]), "Easy pasta");
        assert_eq!(
            strip_site_name("webpack 3: Official Release! - webpack", &[]),
            "webpack 3: Official Release!"
        );
        assert_eq!(
            strip_site_name("Sink 660416｜PChome商店街", &["PChome商店街"]),
            "Sink 660416"
        );
    }

    #[test]
    fn shouting_is_turned_down_but_acronyms_and_brands_stay() {
        assert_eq!(
            unshout("BLUE CERAMIC MUG WITH USB WARMER", &[]),
            "Blue Ceramic Mug with USB Warmer"
        );
        assert_eq!(
            unshout("Blue mug AMAZING deal!!!", &[]),
            "Blue mug Amazing deal!"
        );
        assert_eq!(unshout("IKEA lamp", &["IKEA"]), "IKEA lamp");
        assert_eq!(
            unshout("LEGO CLASSIC BRICKS BOX", &["LEGO"]),
            "LEGO Classic Bricks Box"
        );
        assert_eq!(unshout("Normal Title", &[]), "Normal Title");
        assert_eq!(
            unshout("HAND-THROWN STONEWARE MUG", &[]),
            "Hand-Thrown Stoneware Mug"
        );
    }

    #[test]
    fn url_slugs_become_phrases() {
        assert_eq!(
            title_from_url("https://s.example/p/blue-ceramic-mug.html").as_deref(),
            Some("Blue ceramic mug")
        );
        assert_eq!(title_from_url("https://s.example/p/12345"), None);
        assert_eq!(title_from_url("https://s.example/"), None);
    }

    #[test]
    fn one_line_collapses_whitespace_and_controls() {
        assert_eq!(one_line("  a\n\tb\u{7}  c "), "a b c");
        assert_eq!(one_line("\u{f004} Log in"), "Log in");
        assert_eq!(cap_chars("héllo", 2), "hé");
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("v1.2 is out! Yes"), "v1.2 is out!");
        assert_eq!(first_sentence("no stop"), "no stop");
    }
}
