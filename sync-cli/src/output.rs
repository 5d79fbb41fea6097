//! Human output: bilingual labels (Arabic first, English second), tables, and the one way
//! to write to stdout ([`print`]).

use std::io::{self, IsTerminal as _, Write};

use comfy_table::{Cell, ContentArrangement, Table, presets};
use fieldsync_schema::{ConflictValue, FacilityKind, ReviewState};

/// `ar / en`, the way every label is shown.
pub fn bilingual(ar: &str, en: &str) -> String {
    format!("{ar} / {en}")
}

/// Line width of [`table_text`]'s record blocks, for pipes, files and logs.
pub const LOG_WIDTH: usize = 120;

/// Writes `bytes` to `out` and flushes it. A reader that has gone away
/// (`fieldsync list | head -1`) already has what it wanted, so [`io::ErrorKind::BrokenPipe`]
/// counts as success: the command ends quietly with exit code 0 where `println!` panicked
/// (exit 101). Every other error is returned.
pub fn write_quietly(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `text` to stdout through [`write_quietly`]; all of a command's stdout goes here.
///
/// # Errors
/// Any write error except a closed pipe.
pub fn print(text: impl AsRef<[u8]>) -> io::Result<()> {
    write_quietly(&mut io::stdout().lock(), text.as_ref())
}

/// A table as text for stdout, with a final newline. On a terminal, the table itself,
/// wrapped to the terminal's width (comfy-table measures it). Otherwise (a pipe, a file, a
/// log) there is no width to wrap to and a table of the resolutions' Arabic text ran to
/// ~2,000 columns, so each row becomes a block of `label: value` lines no wider than
/// [`LOG_WIDTH`] that reads and greps well.
pub fn table_text(table: &Table, terminal: bool) -> String {
    if terminal {
        format!("{table}\n")
    } else {
        record_blocks(table)
    }
}

/// Prints a table with [`table_text`], asking whether stdout is a terminal.
///
/// # Errors
/// As [`print`].
pub fn print_table(table: &Table) -> io::Result<()> {
    print(table_text(table, io::stdout().is_terminal()))
}

/// Each row as `label: value` lines (the first unindented), rows separated by a blank line;
/// a cell's lines are joined with `, `, an empty cell shows `-`, and long values wrap.
fn record_blocks(table: &Table) -> String {
    let headers: Vec<String> = table
        .header()
        .map(|h| h.cell_iter().map(Cell::content).collect())
        .unwrap_or_default();
    let mut out = String::new();
    for (i, row) in table.row_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, cell) in row.cell_iter().enumerate() {
            let content = cell.content();
            let value = content
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let value = if value.is_empty() { "-" } else { &value };
            let label = headers.get(j).map_or("", String::as_str);
            let indent = if j == 0 { "" } else { "  " };
            let first = format!("{indent}{label}: {value}");
            if first.chars().count() <= LOG_WIDTH {
                out.push_str(&first);
                out.push('\n');
            } else {
                let more = format!("{indent}    ");
                out.push_str(&format!("{indent}{label}:\n"));
                for line in wrap(value, LOG_WIDTH - more.chars().count()) {
                    out.push_str(&format!("{more}{line}\n"));
                }
            }
        }
    }
    out
}

/// `text` in lines of at most `width` characters, broken at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        loop {
            let used = line.chars().count();
            let needed = word.chars().count() + usize::from(used > 0);
            if used + needed <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` cut to at most `max` characters, at a word boundary when one is in the second
/// half, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = cut
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .next_back()
        .filter(|i| cut[..*i].chars().count() >= max / 2);
    let kept = at_word.map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", kept.trim_end())
}

/// `text` on one line (whitespace runs become one space), cut with [`truncate`].
pub fn one_line(text: &str, max: usize) -> String {
    truncate(&text.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// A table with bilingual headers; print it with [`print_table`].
pub fn table(headers: &[(&str, &str)]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().map(|(ar, en)| bilingual(ar, en)));
    table
}

/// A table with headers in `lang` only; print it with [`print_table`].
pub fn table_in(lang: fieldsync_schema::Lang, headers: &[(&str, &str)]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(
            headers
                .iter()
                .map(|(ar, en)| crate::lang::pick(lang, ar, en)),
        );
    table
}

/// The facility kind, bilingual.
pub fn kind_label(kind: FacilityKind) -> String {
    bilingual(kind.label_ar(), kind.label_en())
}

/// The review state, bilingual.
pub fn review_label(state: ReviewState) -> String {
    bilingual(state.label_ar(), state.as_str())
}

/// `synced` or `pending`, as `list` shows and scripts match.
pub fn sync_status(pending: bool) -> &'static str {
    if pending { "pending" } else { "synced" }
}

/// Resolution numbers as `16,20`.
pub fn resolutions_text(numbers: &[u16]) -> String {
    numbers
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Who wrote a concurrent value: `name (role, device …)`, or the actor when unregistered.
pub fn author_text(value: &ConflictValue) -> String {
    match &value.author {
        Some(a) => format!("{} ({}, device {})", a.name, a.role.as_str(), a.device),
        None => format!("actor {}", value.actor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer standing for a closed pipe or a failing disk.
    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_quiet_success_and_other_errors_are_reported() {
        assert!(write_quietly(&mut Failing(io::ErrorKind::BrokenPipe), b"[").is_ok());
        let err = write_quietly(&mut Failing(io::ErrorKind::StorageFull), b"[")
            .expect_err("disk full is an error");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        let mut out = Vec::new();
        write_quietly(&mut out, "فرن\n".as_bytes()).expect("written");
        assert_eq!(out, "فرن\n".as_bytes());
    }

    #[test]
    fn text_is_truncated_at_words_with_an_ellipsis() {
        let cases = [
            ("قصير", 10, "قصير"),
            ("abcdefghij", 10, "abcdefghij"),
            ("abcdefghijk", 5, "abcd…"),
            ("one two three four", 12, "one two…"),
            ("دعم الأفران بالطحين", 12, "دعم الأفران…"),
        ];
        for (text, max, want) in cases {
            let got = truncate(text, max);
            assert_eq!(got, want, "{text} {max}");
            assert!(got.chars().count() <= max, "{got}");
        }
        assert_eq!(one_line("a\n  b\tc", 10), "a b c");
    }

    #[test]
    fn without_a_terminal_rows_become_blocks_of_wrapped_lines() {
        let mut t = table(&[("رقم", "no."), ("النص", "text"), ("المنشآت", "kinds")]);
        let long = "كلمة ".repeat(60);
        t.add_row(vec!["1", long.trim(), "فرن / bakery\nمطحنة / mill"]);
        t.add_row(vec!["2", "قصير", ""]);
        let text = table_text(&t, false);
        let want_start = "رقم / no.: 1\n  النص / text:\n      كلمة كلمة";
        assert!(text.starts_with(want_start), "{text}");
        assert!(text.contains("  المنشآت / kinds: فرن / bakery, مطحنة / mill\n"));
        assert!(text.ends_with("\nرقم / no.: 2\n  النص / text: قصير\n  المنشآت / kinds: -\n"));
        assert!(
            text.lines().all(|l| l.chars().count() <= LOG_WIDTH),
            "{text}"
        );
        assert_eq!(text.matches("كلمة").count(), 60, "nothing lost in wrapping");
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
    }

    #[test]
    fn labels_are_arabic_first() {
        let cases = [
            (kind_label(FacilityKind::Bakery), "فرن / bakery"),
            (review_label(ReviewState::Approved), "مقبول / approved"),
            (resolutions_text(&[16, 20]), "16,20"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        let ar = table_in(fieldsync_schema::Lang::Ar, &[("المعرف", "id")]);
        let en = table_in(fieldsync_schema::Lang::En, &[("المعرف", "id")]);
        assert!(table_text(&ar, false).is_empty() && ar.header().is_some());
        let header = |t: &Table| {
            t.header()
                .map(|h| h.cell_iter().map(Cell::content).collect::<Vec<_>>())
        };
        assert_eq!(header(&ar), Some(vec!["المعرف".to_owned()]));
        assert_eq!(header(&en), Some(vec!["id".to_owned()]));
    }
}
