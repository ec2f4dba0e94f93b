//! Pinterest's bulk-create CSV: the way to publish that needs no API access.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fields::{TITLE_MAX, char_count, truncate_words};

use super::text::fold;

/// The header Pinterest's bulk upload expects, in order.
pub const BULK_HEADER: [&str; 8] = [
    "Title",
    "Media URL",
    "Pinterest board",
    "Thumbnail",
    "Description",
    "Link",
    "Publish date",
    "Keywords",
];

/// Rows per file unless asked otherwise.
pub const DEFAULT_ROWS_PER_FILE: usize = 100;

/// One Pin for the bulk CSV.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct PinRow {
    /// Title.
    pub title: String,
    /// Public image (or video) URL.
    pub media_url: Option<String>,
    /// Board name (`Board/Section` for a section).
    pub board: Option<String>,
    /// Video cover image URL (empty for images).
    pub thumbnail: Option<String>,
    /// Description.
    pub description: String,
    /// Destination link.
    pub link: Option<String>,
    /// When Pinterest should publish it (empty: at upload).
    pub publish_date: Option<DateTime<Utc>>,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// The CSV files and the rows that could not go in.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CsvExport {
    /// File contents, each with the header and at most the asked number of rows.
    pub files: Vec<String>,
    /// (row index in the input, why) for each row left out.
    pub skipped: Vec<(usize, String)>,
}

/// `title` made unique among `seen` by adding ` (2)`, ` (3)`, … within 100 characters.
fn unique_title(title: &str, seen: &mut HashSet<String>) -> String {
    let mut candidate = title.to_owned();
    let mut n = 1u32;
    while !seen.insert(fold(&candidate)) {
        n += 1;
        let suffix = format!(" ({n})");
        let base = truncate_words(title, TITLE_MAX.saturating_sub(char_count(&suffix)));
        candidate = format!("{base}{suffix}");
    }
    candidate
}

/// Writes rows as Pinterest bulk-create CSV files of at most `rows_per_file` rows
/// (0 means [`DEFAULT_ROWS_PER_FILE`]). Titles are made unique across all files. A row
/// without a title, media URL or board is left out and named in `skipped`.
pub fn pinterest_bulk_csv(rows: &[PinRow], rows_per_file: usize) -> Result<CsvExport> {
    let per_file = if rows_per_file == 0 {
        DEFAULT_ROWS_PER_FILE
    } else {
        rows_per_file
    };
    let mut seen = HashSet::new();
    let mut out = CsvExport::default();
    let mut ready: Vec<[String; 8]> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let title = r.title.trim();
        let media = r.media_url.as_deref().map(str::trim).unwrap_or_default();
        let board = r.board.as_deref().map(str::trim).unwrap_or_default();
        let missing: Vec<&str> = [("title", title), ("media URL", media), ("board", board)]
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            out.skipped
                .push((i, format!("no {}", missing.join(", no "))));
            continue;
        }
        ready.push([
            unique_title(title, &mut seen),
            media.to_owned(),
            board.to_owned(),
            r.thumbnail.clone().unwrap_or_default(),
            r.description.clone(),
            r.link.clone().unwrap_or_default(),
            r.publish_date
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default(),
            r.keywords.join(", "),
        ]);
    }
    for chunk in ready.chunks(per_file) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Error::invalid("csv", e.to_string());
        w.write_record(BULK_HEADER).map_err(io)?;
        for rec in chunk {
            w.write_record(rec).map_err(io)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::invalid("csv", e.to_string()))?;
        out.files
            .push(String::from_utf8(bytes).map_err(|e| Error::invalid("csv", e.to_string()))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(title: &str) -> PinRow {
        PinRow {
            title: title.into(),
            media_url: Some("https://s.example/i.jpg".into()),
            board: Some("Kitchen".into()),
            description: "A mug, \"blue\".".into(),
            link: Some("https://s.example/p".into()),
            keywords: vec!["mug".into(), "coffee".into()],
            ..Default::default()
        }
    }

    #[test]
    fn rows_are_written_under_pinterests_header_with_quoting() {
        let e = pinterest_bulk_csv(&[row("Blue mug")], 0).unwrap();
        assert_eq!(
            e.files,
            vec![
                "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords\n\
                 Blue mug,https://s.example/i.jpg,Kitchen,,\"A mug, \"\"blue\"\".\",https://s.example/p,,\"mug, coffee\"\n"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn titles_are_made_unique_and_files_split_at_the_row_limit() {
        let rows: Vec<PinRow> = (0..250).map(|_| row("Blue mug")).collect();
        let e = pinterest_bulk_csv(&rows, 100).unwrap();
        assert_eq!(e.files.len(), 3);
        assert_eq!(e.files[2].lines().count(), 51);
        assert!(e.files[0].contains("\nBlue mug (2),"));
        let mut titles = HashSet::new();
        for f in &e.files {
            let mut r = csv::Reader::from_reader(f.as_bytes());
            for rec in r.records() {
                assert!(titles.insert(rec.unwrap()[0].to_owned()));
            }
        }
        assert_eq!(titles.len(), 250);
    }

    #[test]
    fn rows_without_media_or_board_are_skipped_with_a_reason() {
        let mut bad = row("x");
        bad.media_url = None;
        bad.board = Some(" ".into());
        let e = pinterest_bulk_csv(&[bad, row("ok")], 100).unwrap();
        assert_eq!(e.skipped, vec![(0, "no media URL, no board".to_owned())]);
        assert_eq!(e.files[0].lines().count(), 2);
    }
}
