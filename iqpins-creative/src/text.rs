//! Text: font fallback, line breaking, ellipsis, bidi reordering and glyph drawing.

use std::sync::Arc;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use image::RgbImage;
use unicode_bidi::BidiInfo;
use unicode_segmentation::UnicodeSegmentation;

use crate::{Error, Result, WIDTH};

/// Horizontal margin of the band and the widest a text line may be.
const MARGIN: u32 = 64;
const MAX_LINE: f32 = (WIDTH - 2 * MARGIN) as f32;
/// Title sizes tried from largest to smallest; the first that fits in three lines wins.
const TITLE_SIZES: [f32; 4] = [80.0, 70.0, 60.0, 52.0];
const MAX_LINES: usize = 3;
const LINE_HEIGHT: f32 = 1.22;
const PAD_Y: u32 = 56;
const FOOTER_SIZE: f32 = 34.0;
const FOOTER_GAP: u32 = 18;
const BADGE_SIZE: f32 = 50.0;
/// Longest text laid out, in characters: a 3-line title holds far fewer, so this bounds the
/// work for huge titles without changing what is shown.
const MAX_CHARS: usize = 600;
const ELLIPSIS: &str = "…";

/// The bundled fonts and any fallbacks: index 0 is Noto Sans Bold, 1 Noto Sans Regular,
/// 2.. the caller's fallbacks in order.
pub(crate) struct Fonts<'a> {
    faces: Vec<FontRef<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Bold,
    Regular,
}

/// What a character is drawn with.
#[derive(Clone, Copy)]
enum Resolved {
    Glyph(usize, GlyphId),
    /// Not drawn at all (emoji no font has, joiners, bidi controls).
    Skip,
}

impl<'a> Fonts<'a> {
    pub(crate) fn new(fallbacks: &'a [Arc<[u8]>]) -> Result<Self> {
        let bundled = |bytes: &'static [u8]| {
            // The bundled fonts are valid; a failure here would be a packaging bug, reported
            // as an error rather than a panic.
            FontRef::try_from_slice(bytes).map_err(|_| Error::Font { index: usize::MAX })
        };
        let mut faces = vec![
            bundled(ttf_noto_sans::BOLD)?,
            bundled(ttf_noto_sans::REGULAR)?,
        ];
        for (index, bytes) in fallbacks.iter().enumerate() {
            faces.push(FontRef::try_from_slice(bytes).map_err(|_| Error::Font { index })?);
        }
        Ok(Self { faces })
    }

    fn resolve(&self, c: char, style: Style) -> Resolved {
        let first = match style {
            Style::Bold => 0,
            Style::Regular => 1,
        };
        if is_invisible(c) {
            return Resolved::Skip;
        }
        let order = std::iter::once(first).chain(2..self.faces.len());
        for i in order {
            let id = self.faces[i].glyph_id(c);
            if id.0 != 0 {
                return Resolved::Glyph(i, id);
            }
        }
        if is_emoji(c) {
            Resolved::Skip
        } else {
            // The "missing glyph" box of the primary face: the reader sees something is there.
            Resolved::Glyph(first, GlyphId(0))
        }
    }

    /// True when no face has `c` and it would be drawn as a box.
    pub(crate) fn is_missing(&self, c: char) -> bool {
        !c.is_whitespace()
            && !c.is_control()
            && matches!(self.resolve(c, Style::Bold), Resolved::Glyph(_, GlyphId(0)))
    }

    fn advance(&self, r: Resolved, size: f32) -> f32 {
        match r {
            Resolved::Glyph(i, id) => self.faces[i].as_scaled(PxScale::from(size)).h_advance(id),
            Resolved::Skip => 0.0,
        }
    }

    fn width(&self, s: &str, size: f32, style: Style) -> f32 {
        let mut w = 0.0;
        let mut prev: Option<(usize, GlyphId)> = None;
        for c in s.chars() {
            let r = self.resolve(c, style);
            if let Resolved::Glyph(i, id) = r {
                if let Some((pi, pid)) = prev
                    && pi == i
                {
                    w += self.faces[i].as_scaled(PxScale::from(size)).kern(pid, id);
                }
                prev = Some((i, id));
            }
            w += self.advance(r, size);
        }
        w
    }

    fn ascent(&self, size: f32, style: Style) -> f32 {
        let i = if style == Style::Bold { 0 } else { 1 };
        self.faces[i].as_scaled(PxScale::from(size)).ascent()
    }

    /// Draws `s` (already in visual order) with its baseline at `y`, starting at `x`.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        canvas: &mut RgbImage,
        s: &str,
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        color: [u8; 3],
    ) {
        let scale = PxScale::from(size);
        let mut pen = x;
        let mut prev: Option<(usize, GlyphId)> = None;
        for c in s.chars() {
            let r = self.resolve(c, style);
            let Resolved::Glyph(i, id) = r else { continue };
            let face = &self.faces[i];
            if let Some((pi, pid)) = prev
                && pi == i
            {
                pen += face.as_scaled(scale).kern(pid, id);
            }
            prev = Some((i, id));
            let glyph = id.with_scale_and_position(scale, point(pen, y));
            if let Some(outlined) = face.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    let px = bounds.min.x as i64 + i64::from(gx);
                    let py = bounds.min.y as i64 + i64::from(gy);
                    blend(canvas, px, py, color, coverage);
                });
            }
            pen += face.as_scaled(scale).h_advance(id);
        }
    }
}

fn blend(canvas: &mut RgbImage, x: i64, y: i64, color: [u8; 3], coverage: f32) {
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
        return;
    };
    if x >= canvas.width() || y >= canvas.height() {
        return;
    }
    let a = (coverage.clamp(0.0, 1.0) * 255.0 + 0.5) as u32;
    if a == 0 {
        return;
    }
    let i = (y as usize * canvas.width() as usize + x as usize) * 3;
    let buf: &mut [u8] = canvas;
    let Some(p) = buf.get_mut(i..i + 3) else {
        return;
    };
    if a == 255 {
        p.copy_from_slice(&color);
        return;
    }
    for (v, c) in p.iter_mut().zip(color) {
        *v = ((u32::from(*v) * (255 - a) + u32::from(c) * a + 127) / 255) as u8;
    }
}

/// Zero-width and formatting characters that are never drawn.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Closing punctuation that must not begin a line (CJK line-breaking rules).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '：'
            | '；'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〉'
            | '》'
            | '〕'
            | '］'
            | '｝'
            | '…'
            | '‥'
            | 'ー'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | ','
            | '.'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | ':'
            | ';'
    )
}

/// Emoji and pictographs: dropped when no font has them, since a box would be noise.
fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}'
        | '\u{2300}'..='\u{23FF}' | '\u{20E3}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}')
}

/// Wide (CJK) characters: a line may break before or after any of them.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
}

/// Collapses whitespace and control characters into single spaces, drops what is never
/// drawn (so a dropped emoji leaves no double space), trims, and keeps at most [`MAX_CHARS`]
/// characters. Returns the text and whether it was cut.
fn normalise(fonts: &Fonts<'_>, s: &str, style: Style) -> (String, bool) {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        // Bidi controls stay: they steer the reordering and are not drawn.
        if matches!(fonts.resolve(c, style), Resolved::Skip) && !is_bidi_control(c) {
            continue;
        }
        if count >= MAX_CHARS {
            return (out, true);
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    (out, false)
}

/// The laid-out title: lines in visual order and the font size.
pub(crate) struct Title {
    lines: Vec<String>,
    size: f32,
}

/// Wraps and sizes the title: the largest size at which it fits in three lines, else the
/// smallest size with the third line ellipsised.
pub(crate) fn layout_title(fonts: &Fonts<'_>, title: &str) -> Title {
    let (text, cut) = normalise(fonts, title, Style::Bold);
    let mut last = None;
    for size in TITLE_SIZES {
        let lines = wrap(fonts, &text, size, Style::Bold, MAX_LINES + 1);
        if lines.len() <= MAX_LINES && !cut {
            return finish(lines, size);
        }
        last = Some((lines, size));
    }
    let Some((mut lines, size)) = last else {
        return finish(Vec::new(), TITLE_SIZES[0]);
    };
    // Too long: the third line takes the rest of the text and ends with an ellipsis.
    lines.truncate(MAX_LINES);
    if let Some(third) = lines.last_mut() {
        *third = ellipsise(fonts, third, size, Style::Bold, true);
    }
    finish(lines, size)
}

fn finish(lines: Vec<String>, size: f32) -> Title {
    Title {
        lines: lines.iter().map(|l| visual_order(l)).collect(),
        size,
    }
}

/// `line` shortened until `line + "…"` fits, cutting between graphemes and dropping trailing
/// spaces and punctuation before the ellipsis. With `force`, the ellipsis is added even when
/// `line` already fits (the text went on after it).
fn ellipsise(fonts: &Fonts<'_>, line: &str, size: f32, style: Style, force: bool) -> String {
    if !force && fonts.width(line, size, style) <= MAX_LINE {
        return line.to_string();
    }
    let graphemes: Vec<&str> = line.graphemes(true).collect();
    let mut n = graphemes.len();
    loop {
        let head = graphemes[..n].concat();
        let head = head.trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—' | '.' | '|' | '/')
        });
        let candidate = format!("{head}{ELLIPSIS}");
        if n == 0 || fonts.width(&candidate, size, style) <= MAX_LINE {
            return candidate;
        }
        n -= 1;
    }
}

/// Greedy line breaking over graphemes, at most `max_lines` lines. Breaks at spaces, around
/// wide (CJK) characters and after hyphens and slashes; a word wider than a line is broken
/// between graphemes.
fn wrap(fonts: &Fonts<'_>, text: &str, size: f32, style: Style, max_lines: usize) -> Vec<String> {
    let graphemes: Vec<&str> = text.graphemes(true).collect();
    let widths: Vec<f32> = graphemes
        .iter()
        .map(|g| fonts.width(g, size, style))
        .collect();
    let hyphen_w = fonts.width("-", size, style);
    let mut lines = Vec::new();
    let mut start = 0;
    while start < graphemes.len() && lines.len() < max_lines {
        let mut width = 0.0;
        // Index where the line may end (exclusive) and where the next starts.
        let mut last_break: Option<(usize, usize)> = None;
        let mut i = start;
        let mut end = graphemes.len();
        let mut next = graphemes.len();
        let mut hyphen = false;
        while i < graphemes.len() {
            let g = graphemes[i];
            let is_space = g == " ";
            if is_space {
                last_break = Some((i, i + 1));
            } else if i > start && starts_wide(g) && !starts_closing(g) {
                last_break = Some((i, i));
            }
            if !is_space && width + widths[i] > MAX_LINE && i > start {
                (end, next, hyphen) = match last_break {
                    Some(b) if b.0 > start => (b.0, b.1, false),
                    // No break opportunity: break the word, with a hyphen between letters.
                    _ => {
                        let letters = !starts_wide(g)
                            && g.chars().all(char::is_alphanumeric)
                            && graphemes[i - 1].chars().all(char::is_alphanumeric);
                        let mut cut = i;
                        if letters {
                            let mut w = width;
                            while cut > start + 1 && w + hyphen_w > MAX_LINE {
                                cut -= 1;
                                w -= widths[cut];
                            }
                        }
                        (cut, cut, letters)
                    }
                };
                break;
            }
            width += widths[i];
            if !is_space
                && (starts_wide(g) || g.ends_with(['-', '/', '–']))
                && !graphemes.get(i + 1).is_some_and(|n| starts_closing(n))
            {
                last_break = Some((i + 1, i + 1));
            }
            i += 1;
        }
        let mut line = graphemes[start..end].concat().trim().to_string();
        if hyphen {
            line.push('-');
        }
        if !line.is_empty() {
            lines.push(line);
        }
        start = next;
        while start < graphemes.len() && graphemes[start] == " " {
            start += 1;
        }
    }
    lines
}

fn starts_closing(g: &str) -> bool {
    g.chars().next().is_some_and(is_closing)
}

fn starts_wide(g: &str) -> bool {
    g.chars().next().is_some_and(is_wide)
}

/// The line in display order (Unicode bidi algorithm): right-to-left runs reversed.
fn visual_order(line: &str) -> String {
    let bidi = BidiInfo::new(line, None);
    let mut out = String::with_capacity(line.len());
    for para in &bidi.paragraphs {
        out.push_str(&bidi.reorder_line(para, para.range.clone()));
    }
    out
}

/// The band's height for this title and an optional footer; 0 when there is no text at all.
pub(crate) fn band_height(title: &Title, footer: bool) -> u32 {
    let n = title.lines.len() as f32;
    let mut h = (n * title.size * LINE_HEIGHT).ceil() as u32;
    if footer {
        h += FOOTER_GAP * u32::from(!title.lines.is_empty()) + (FOOTER_SIZE * LINE_HEIGHT) as u32;
    }
    if h == 0 { 0 } else { h + 2 * PAD_Y }
}

/// Draws the title lines and the footer, centred, in the band at `band_y`.
pub(crate) fn draw_band(
    canvas: &mut RgbImage,
    fonts: &Fonts<'_>,
    title: &Title,
    footer: Option<&str>,
    band_y: u32,
    color: [u8; 3],
) {
    let mut top = (band_y + PAD_Y) as f32;
    let line_h = title.size * LINE_HEIGHT;
    for line in &title.lines {
        let w = fonts.width(line, title.size, Style::Bold);
        let x = ((WIDTH as f32 - w) / 2.0).max(MARGIN as f32);
        // Centre the font's ascent-to-descent box in the line box.
        let baseline = top + (line_h - title.size) / 2.0 + fonts.ascent(title.size, Style::Bold);
        fonts.draw(canvas, line, x, baseline, title.size, Style::Bold, color);
        top += line_h;
    }
    if let Some(footer) = footer {
        if !title.lines.is_empty() {
            top += FOOTER_GAP as f32;
        }
        let (text, _) = normalise(fonts, footer, Style::Regular);
        let text = visual_order(&ellipsise(fonts, &text, FOOTER_SIZE, Style::Regular, false));
        let w = fonts.width(&text, FOOTER_SIZE, Style::Regular);
        let x = ((WIDTH as f32 - w) / 2.0).max(MARGIN as f32);
        let line_h = FOOTER_SIZE * LINE_HEIGHT;
        let baseline =
            top + (line_h - FOOTER_SIZE) / 2.0 + fonts.ascent(FOOTER_SIZE, Style::Regular);
        fonts.draw(
            canvas,
            &text,
            x,
            baseline,
            FOOTER_SIZE,
            Style::Regular,
            color,
        );
    }
}

/// Draws a price badge (a pill) at the top right of the picture starting at `pic_y`.
pub(crate) fn draw_badge(
    canvas: &mut RgbImage,
    fonts: &Fonts<'_>,
    price: &str,
    pic_y: u32,
    background: [u8; 3],
    color: [u8; 3],
) {
    let (text, _) = normalise(fonts, price, Style::Bold);
    // A badge is at most half the width.
    let max = MAX_LINE / 2.0;
    let mut text = visual_order(&text);
    if fonts.width(&text, BADGE_SIZE, Style::Bold) > max {
        let graphemes: Vec<&str> = text.graphemes(true).collect();
        let mut n = graphemes.len();
        while n > 0
            && fonts.width(
                &format!("{}{ELLIPSIS}", graphemes[..n].concat()),
                BADGE_SIZE,
                Style::Bold,
            ) > max
        {
            n -= 1;
        }
        text = format!("{}{ELLIPSIS}", graphemes[..n].concat());
    }
    let tw = fonts.width(&text, BADGE_SIZE, Style::Bold);
    let h = (BADGE_SIZE * 1.6).round();
    let w = (tw + h).round();
    let x0 = WIDTH as f32 - 48.0 - w;
    let y0 = pic_y as f32 + 48.0;
    fill_pill(canvas, x0, y0, w, h, background);
    let baseline = y0 + (h - BADGE_SIZE) / 2.0 + fonts.ascent(BADGE_SIZE, Style::Bold);
    fonts.draw(
        canvas,
        &text,
        x0 + (w - tw) / 2.0,
        baseline,
        BADGE_SIZE,
        Style::Bold,
        color,
    );
}

/// An antialiased rectangle with fully rounded ends.
fn fill_pill(canvas: &mut RgbImage, x0: f32, y0: f32, w: f32, h: f32, color: [u8; 3]) {
    let r = h / 2.0;
    let (cy, cx0, cx1) = (y0 + r, x0 + r, x0 + w - r);
    let (xs, xe) = (x0.floor() as i64, (x0 + w).ceil() as i64);
    let (ys, ye) = (y0.floor() as i64, (y0 + h).ceil() as i64);
    for y in ys..ye {
        for x in xs..xe {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let nx = px.clamp(cx0, cx1);
            let d = ((px - nx).powi(2) + (py - cy).powi(2)).sqrt();
            let coverage = (r - d + 0.5).clamp(0.0, 1.0);
            if coverage > 0.0 {
                blend(canvas, x, y, color, coverage);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts<'static> {
        Fonts::new(&[]).unwrap()
    }

    #[test]
    fn a_short_title_is_one_line_at_the_largest_size() {
        let t = layout_title(&fonts(), "Linen shirt");
        assert_eq!(t.lines, vec!["Linen shirt".to_string()]);
        assert_eq!(t.size, TITLE_SIZES[0]);
    }

    #[test]
    fn a_long_title_is_three_lines_ending_with_an_ellipsis() {
        let long = "A very long product title that keeps going ".repeat(10);
        let t = layout_title(&fonts(), &long);
        assert_eq!(t.lines.len(), 3);
        assert!(t.lines[2].ends_with(ELLIPSIS));
        for l in &t.lines {
            assert!(fonts().width(l, t.size, Style::Bold) <= MAX_LINE, "{l}");
        }
    }

    #[test]
    fn a_word_wider_than_a_line_is_broken() {
        let word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen";
        let lines = wrap(&fonts(), word, 80.0, Style::Bold, 10);
        assert!(lines.len() >= 2);
        assert!(lines[0].ends_with('-'));
        assert_eq!(lines.concat().replace('-', ""), word);
        for l in &lines {
            assert!(fonts().width(l, 80.0, Style::Bold) <= MAX_LINE);
        }
    }

    #[test]
    fn words_wrap_at_spaces() {
        let lines = wrap(
            &fonts(),
            "alpha beta gamma delta epsilon zeta eta theta iota kappa",
            80.0,
            Style::Bold,
            10,
        );
        assert!(lines.len() >= 2);
        for l in &lines {
            assert!(!l.starts_with(' ') && !l.ends_with(' '));
        }
        assert_eq!(
            lines.join(" "),
            "alpha beta gamma delta epsilon zeta eta theta iota kappa"
        );
    }

    #[test]
    fn cjk_text_breaks_between_characters() {
        let text = "北京烤鸭是一道著名的中国菜，以其色泽红艳、肉质细嫩而闻名";
        let lines = wrap(&fonts(), text, 80.0, Style::Bold, 10);
        assert!(lines.len() >= 2);
        assert_eq!(lines.concat(), text);
        for l in &lines[1..] {
            assert!(!l.starts_with(['，', '、']), "{l}");
        }
    }

    #[test]
    fn hebrew_is_reversed_into_visual_order() {
        assert_eq!(visual_order("שלום"), "םולש");
        assert_eq!(visual_order("abc"), "abc");
    }

    #[test]
    fn cjk_and_emoji_are_reported_missing_but_emoji_is_not_a_box() {
        let f = fonts();
        assert!(f.is_missing('中'));
        assert!(!f.is_missing('é'));
        assert!(!f.is_missing('😀'));
        assert!(matches!(f.resolve('😀', Style::Bold), Resolved::Skip));
    }

    #[test]
    fn whitespace_and_controls_collapse() {
        assert_eq!(
            normalise(&fonts(), "  a\n\tb \u{0}  c 😀 d", Style::Bold).0,
            "a b c d"
        );
    }
}
