//! Board suggestion: which of the account's boards an item belongs on.
//!
//! Words of the board's name (weighted most) and description are compared with the item's
//! title, category and keywords (and, weakly, its summary). Text is folded (lower case, no
//! accents), split into words on Unicode boundaries (Chinese, Japanese and Thai into
//! character pairs), stripped of common words in several languages and lightly stemmed,
//! so `Recettes`, `recette` and `Rezepte`/`Rezept` match. Words shared by many boards count
//! less. The best board is suggested only when its confidence reaches the threshold;
//! otherwise the reviewer picks.

use std::collections::HashMap;

use serde::Serialize;

use crate::content::ContentItem;
use crate::domain::{Board, SourceDefaults};
use crate::fields::BoardId;

use super::text::{INPUT_CAP, cap_chars, fold};

/// Below this confidence no board is suggested.
pub const DEFAULT_THRESHOLD: f64 = 0.35;

/// Why a board was chosen.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardChoice {
    /// The source's category → board rule matched the item's category.
    CategoryRule,
    /// The source's default board.
    SourceDefault,
    /// The best score against the account's boards.
    Suggested,
}

/// A board for a draft, with how sure the choice is (0–1; rules and defaults are 1).
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct BoardSuggestion {
    /// The board.
    pub id: BoardId,
    /// Its name (the id when the board is not among the account's cached boards).
    pub name: String,
    /// 0–1, rounded to three decimals.
    pub confidence: f64,
    /// Rule, default or score.
    pub choice: BoardChoice,
}

const STOPWORDS: &[&str] = &[
    // English
    "a",
    "an",
    "and",
    "the",
    "of",
    "for",
    "to",
    "in",
    "on",
    "with",
    "at",
    "by",
    "from",
    "your",
    "our",
    "my",
    "you",
    "we",
    "is",
    "are",
    "be",
    "this",
    "that",
    "it",
    "its",
    "or",
    "as",
    "how",
    "what",
    "new",
    "best",
    "top",
    "ideas",
    "idea",
    "inspiration",
    "tips",
    "guide",
    "more",
    "all",
    "shop",
    "buy",
    "store",
    "products",
    "product",
    "sale",
    "board",
    "pins",
    "things",
    "stuff",
    "favorite",
    "favourite",
    "favorites",
    "collection",
    "our",
    "about",
    "every",
    "make",
    // French
    "le",
    "la",
    "les",
    "des",
    "du",
    "de",
    "un",
    "une",
    "et",
    "pour",
    "avec",
    "en",
    "au",
    "aux",
    "sur",
    "par",
    "nos",
    "vos",
    "idees",
    "notre",
    "votre",
    "dans",
    // German
    "der",
    "die",
    "das",
    "und",
    "mit",
    "fur",
    "von",
    "zu",
    "im",
    "ein",
    "eine",
    "den",
    "dem",
    "ideen",
    "unsere",
    "fuer",
    "auf",
    // Spanish, Italian, Portuguese, Dutch
    "el",
    "los",
    "las",
    "del",
    "y",
    "con",
    "para",
    "una",
    "por",
    "il",
    "lo",
    "gli",
    "e",
    "per",
    "di",
    "da",
    "o",
    "os",
    "as",
    "em",
    "um",
    "het",
    "een",
    "met",
    "voor",
    "van",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x0E00..=0x0E7F)
}

/// Light, language-neutral stemming of a folded word: plural and verb endings off.
pub fn stem(word: &str) -> String {
    let mut w = word.to_owned();
    let n = w.chars().count();
    if n <= 3 || !w.is_ascii() {
        return w;
    }
    if let Some(b) = w.strip_suffix("ies").filter(|b| b.len() >= 3) {
        w = format!("{b}y");
    } else if let Some(b) = w.strip_suffix("eaux") {
        w = format!("{b}eau");
    } else if w.ends_with("sses")
        || w.ends_with("shes")
        || w.ends_with("ches")
        || w.ends_with("xes")
    {
        w.truncate(w.len() - 2);
    } else if (w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is"))
        || ((w.ends_with("aux") || w.ends_with("eux")) && n > 4)
    {
        w.truncate(w.len() - 1);
    }
    for suffix in ["ing", "ed"] {
        if let Some(b) = w.strip_suffix(suffix).filter(|b| b.len() >= 3) {
            w = b.to_owned();
            break;
        }
    }
    if w.len() >= 4 && w.ends_with('e') {
        w.truncate(w.len() - 1);
    }
    w
}

/// The words of a text for matching: folded, split, common words dropped, stemmed.
pub fn tokens(text: &str) -> Vec<String> {
    let folded = fold(cap_chars(text, INPUT_CAP));
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if word.chars().count() >= 2
            && !word.chars().all(|c| c.is_ascii_digit())
            && !STOPWORDS.contains(&word.as_str())
        {
            out.push(stem(word));
        }
        word.clear();
    };
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        match cjk.len() {
            0 => {}
            1 => out.push(cjk[0].to_string()),
            _ => out.extend(cjk.windows(2).map(|p| p.iter().collect::<String>())),
        }
        cjk.clear();
    };
    for c in folded.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out
}

/// Whether two stems are the same word: equal, or one a close prefix of the other
/// (`kuche`/`kuchen`), for stems of five letters or more.
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    la.min(lb) >= 5 && la.abs_diff(lb) <= 2 && (a.starts_with(b) || b.starts_with(a))
}

struct IndexedBoard {
    board: Board,
    /// Stem → weight (name 3, description 1).
    stems: Vec<(String, f64)>,
}

/// The account's boards, prepared once for scoring many items.
pub struct BoardIndex {
    boards: Vec<IndexedBoard>,
    threshold: f64,
}

/// Weight of a board-name word.
const NAME_WEIGHT: f64 = 3.0;
/// Weight of a board-description word.
const DESCRIPTION_WEIGHT: f64 = 1.0;
/// The description's matches add up to at most this, so long descriptions do not win alone.
const DESCRIPTION_CAP: f64 = 3.0;

impl BoardIndex {
    /// Indexes the boards with the default threshold.
    pub fn new(boards: &[Board]) -> Self {
        let boards = boards
            .iter()
            .map(|b| {
                let mut stems: Vec<(String, f64)> = Vec::new();
                let mut add = |t: String, w: f64| {
                    if let Some(e) = stems.iter_mut().find(|(s, _)| *s == t) {
                        e.1 = e.1.max(w);
                    } else {
                        stems.push((t, w));
                    }
                };
                for t in tokens(&b.name) {
                    add(t, NAME_WEIGHT);
                }
                for t in tokens(b.description.as_deref().unwrap_or_default()) {
                    add(t, DESCRIPTION_WEIGHT);
                }
                IndexedBoard {
                    board: b.clone(),
                    stems,
                }
            })
            .collect();
        Self {
            boards,
            threshold: DEFAULT_THRESHOLD,
        }
    }

    /// The same index with another confidence threshold (0–1).
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// The boards, in the order given.
    pub fn boards(&self) -> impl Iterator<Item = &Board> {
        self.boards.iter().map(|b| &b.board)
    }

    /// Each board's score for the item, in board order.
    pub fn scores(&self, item: &ContentItem) -> Vec<f64> {
        let mut fields: Vec<(String, f64)> = Vec::new();
        let mut add = |text: &str, w: f64| {
            for t in tokens(text) {
                if let Some(e) = fields.iter_mut().find(|(s, _)| *s == t) {
                    e.1 = e.1.max(w);
                } else {
                    fields.push((t, w));
                }
            }
        };
        add(item.title.as_deref().unwrap_or_default(), 1.0);
        add(item.category.as_deref().unwrap_or_default(), 1.5);
        for k in item.keywords.iter().take(50) {
            add(k, 1.0);
        }
        add(
            cap_chars(item.summary.as_deref().unwrap_or_default(), 400),
            0.3,
        );

        // How many boards use each stem: shared words count less.
        let mut df: HashMap<&str, usize> = HashMap::new();
        for b in &self.boards {
            for (s, _) in &b.stems {
                *df.entry(s.as_str()).or_default() += 1;
            }
        }
        self.boards
            .iter()
            .map(|b| {
                let (mut name, mut desc) = (0.0, 0.0);
                for (s, bw) in &b.stems {
                    let best = fields
                        .iter()
                        .filter(|(f, _)| same_word(f, s))
                        .map(|(_, w)| *w)
                        .fold(0.0, f64::max);
                    if best > 0.0 {
                        let idf = 1.0 / df.get(s.as_str()).copied().unwrap_or(1) as f64;
                        let v = bw * best * idf;
                        if *bw >= NAME_WEIGHT {
                            name += v;
                        } else {
                            desc += v;
                        }
                    }
                }
                name + f64::min(desc, DESCRIPTION_CAP)
            })
            .collect()
    }

    /// The best-scoring board and its confidence, or `None` below the threshold.
    ///
    /// Confidence is `best / (best + second + 1)`: high when the best board matches
    /// strongly and clearly beats the runner-up.
    pub fn suggest(&self, item: &ContentItem) -> Option<BoardSuggestion> {
        let scores = self.scores(item);
        let mut best: Option<(usize, f64)> = None;
        let mut second = 0.0;
        for (i, s) in scores.iter().copied().enumerate() {
            match best {
                Some((_, b)) if s <= b => second = f64::max(second, s),
                _ => {
                    if let Some((_, b)) = best {
                        second = b;
                    }
                    best = Some((i, s));
                }
            }
        }
        let (i, s) = best?;
        if s <= 0.0 {
            return None;
        }
        let confidence = round3(s / (s + second + 1.0));
        (confidence >= self.threshold).then(|| BoardSuggestion {
            id: self.boards[i].board.id.clone(),
            name: self.boards[i].board.name.clone(),
            confidence,
            choice: BoardChoice::Suggested,
        })
    }

    /// The board for an item: a matching category rule of the source first, then the
    /// source's default board, then the suggestion (if confident enough).
    pub fn choose(&self, item: &ContentItem, defaults: &SourceDefaults) -> Option<BoardSuggestion> {
        let named = |id: &BoardId, choice| BoardSuggestion {
            id: id.clone(),
            name: self
                .boards()
                .find(|b| b.id == *id)
                .map_or_else(|| id.as_str().to_owned(), |b| b.name.clone()),
            confidence: 1.0,
            choice,
        };
        if let Some(cat) = item.category.as_deref() {
            let whole = fold(cap_chars(cat, 1000));
            let whole = whole.trim();
            let parts: Vec<&str> = whole
                .split(['>', '/', '|', '›', '»'])
                .map(str::trim)
                .collect();
            for (rule, id) in &defaults.category_boards {
                let r = fold(rule);
                let r = r.trim();
                if !r.is_empty() && (whole == r || parts.contains(&r)) {
                    return Some(named(id, BoardChoice::CategoryRule));
                }
            }
        }
        if let Some(id) = &defaults.board {
            return Some(named(id, BoardChoice::SourceDefault));
        }
        self.suggest(item)
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One-shot [`BoardIndex::choose`] for a single item.
pub fn choose_board(
    item: &ContentItem,
    boards: &[Board],
    defaults: &SourceDefaults,
) -> Option<BoardSuggestion> {
    BoardIndex::new(boards).choose(item, defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(id: &str, name: &str, desc: &str) -> Board {
        Board {
            id: BoardId::parse(id).unwrap(),
            name: name.into(),
            description: (!desc.is_empty()).then(|| desc.into()),
            privacy: None,
        }
    }

    fn boards() -> Vec<Board> {
        vec![
            board("1", "Kitchen & Dining", "Mugs, plates and cookware"),
            board("2", "Recettes faciles", "Nos meilleures recettes"),
            board("3", "Garden", "Plants, pots and outdoor ideas"),
        ]
    }

    #[test]
    fn tokens_are_folded_stemmed_and_unicode_aware() {
        assert_eq!(tokens("Les Recettes de Crème"), vec!["recett", "crem"]);
        assert_eq!(
            tokens("Ceramic MUGS for the kitchen"),
            vec!["ceramic", "mug", "kitchen"]
        );
        assert_eq!(tokens("日本料理"), vec!["日本", "本料", "料理"]);
        assert_eq!(stem("dresses"), "dress");
        assert_eq!(stem("baking"), "bak");
        assert_eq!(stem("bake"), "bak");
    }

    #[test]
    fn the_matching_board_is_suggested_with_confidence() {
        let idx = BoardIndex::new(&boards());
        let item = ContentItem {
            title: Some("Blue ceramic mug".into()),
            category: Some("Kitchen".into()),
            ..Default::default()
        };
        let s = idx.suggest(&item).unwrap();
        assert_eq!(s.id.as_str(), "1");
        assert!(s.confidence > 0.5, "{s:?}");
        let fr = ContentItem {
            title: Some("Recette de tarte aux pommes".into()),
            ..Default::default()
        };
        assert_eq!(idx.suggest(&fr).unwrap().id.as_str(), "2");
    }

    #[test]
    fn nothing_is_suggested_when_nothing_matches() {
        let item = ContentItem {
            title: Some("Quarterly investor report".into()),
            ..Default::default()
        };
        assert!(BoardIndex::new(&boards()).suggest(&item).is_none());
        assert!(BoardIndex::new(&[]).suggest(&item).is_none());
    }

    #[test]
    fn category_rules_and_the_default_board_win_over_the_score() {
        let item = ContentItem {
            title: Some("Blue ceramic mug".into()),
            category: Some("Home > Gifts".into()),
            ..Default::default()
        };
        let mut d = SourceDefaults {
            board: Some(BoardId::parse("3").unwrap()),
            ..Default::default()
        };
        let c = choose_board(&item, &boards(), &d).unwrap();
        assert_eq!((c.id.as_str(), c.choice), ("3", BoardChoice::SourceDefault));
        assert_eq!(c.name, "Garden");
        d.category_boards = vec![("gifts".into(), BoardId::parse("2").unwrap())];
        let c = choose_board(&item, &boards(), &d).unwrap();
        assert_eq!((c.id.as_str(), c.choice), ("2", BoardChoice::CategoryRule));
    }
}
