//! The conference's numbered resolutions, parsed from the seed text.
//!
//! The seed document (`seeds/000_8af25a3f10ada137.txt`) is a news report: a few lines of
//! introduction, one line per numbered resolution, and a closing paragraph. The number
//! prefix is written inconsistently (`1-`, `2- `, `20 - `), so a resolution line is any
//! line that starts with ASCII digits, optional spaces, a hyphen and optional spaces. The
//! resolution's text is kept exactly as written: it is the source the inspectors cite, so
//! nothing is normalised (only a trailing `\r` from CRLF files is dropped).
//!
//! The errors of this module and of [`crate::catalog`] share one enum, [`SeedError`]: both
//! describe a problem in the seed files a reviewer edits, and each names the offending value.

use serde::Serialize;

/// One numbered resolution, exactly as the seed text states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// The resolution's number (1-based, consecutive).
    pub number: u16,
    /// The Arabic text after the number prefix, byte-for-byte.
    pub text_ar: String,
    /// The 1-based line of the seed text it was read from.
    pub line: usize,
}

/// A problem in the seed files: the resolutions text or the metadata and rules TOML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    /// A number was skipped (`3-` followed by `5-`).
    #[error("line {line}: resolution number {found} skips ahead, expected {expected}")]
    Gap {
        /// 1-based line of the seed text.
        line: usize,
        /// The number written on that line.
        found: u16,
        /// The number that should have come next.
        expected: u16,
    },
    /// The same number appears twice in a row.
    #[error("line {line}: resolution number {found} is a duplicate, expected {expected}")]
    Duplicate {
        /// 1-based line of the seed text.
        line: usize,
        /// The number written on that line.
        found: u16,
        /// The number that should have come next.
        expected: u16,
    },
    /// A number lower than one already seen (or 0).
    #[error("line {line}: resolution number {found} is out of order, expected {expected}")]
    OutOfOrder {
        /// 1-based line of the seed text.
        line: usize,
        /// The number written on that line.
        found: u16,
        /// The number that should have come next.
        expected: u16,
    },
    /// A number prefix too large to be a resolution number.
    #[error("line {line}: resolution number {digits} is too large")]
    NumberTooLarge {
        /// 1-based line of the seed text.
        line: usize,
        /// The digits as written.
        digits: String,
    },
    /// A non-blank line without a number prefix between two resolutions.
    #[error("line {line}: unnumbered text between resolutions {after} and {before}")]
    StrayLine {
        /// 1-based line of the seed text.
        line: usize,
        /// The resolution before it.
        after: u16,
        /// The resolution after it.
        before: u16,
    },
    /// The text holds no numbered line at all.
    #[error("no numbered resolutions found in the seed text")]
    NoResolutions,
    /// The metadata and rules file is not valid TOML or has an unexpected shape.
    #[error("resolutions TOML: {message}")]
    Toml {
        /// The parser's message, with line and column.
        message: String,
    },
    /// A facility kind name that is not a [`crate::FacilityKind`].
    #[error("{context}: unknown facility kind {value:?}")]
    UnknownKind {
        /// The rejected name.
        value: String,
        /// Where it was written (`resolution 14`, `rule for resolution 20`).
        context: String,
    },
    /// A metadata entry or rule names a number the seed text does not have.
    #[error("{context}: there is no resolution {number} in the seed text")]
    UnknownResolution {
        /// The number written in the TOML.
        number: u16,
        /// Where it was written (`[[resolution]] entry`, `[[rule]]`).
        context: String,
    },
    /// Two `[[resolution]]` entries for the same number.
    #[error("resolution {number} has more than one [[resolution]] entry")]
    DuplicateEntry {
        /// The repeated number.
        number: u16,
    },
    /// A resolution of the seed text has no `[[resolution]]` entry.
    #[error("resolution {number} has no [[resolution]] entry")]
    MissingEntry {
        /// The number without metadata.
        number: u16,
    },
    /// A `[[resolution]]` entry with an empty `title_en`.
    #[error("resolution {number} has an empty title_en")]
    EmptyTitle {
        /// The resolution's number.
        number: u16,
    },
    /// A deadline's `text_ar` that does not occur in the resolution's text.
    #[error("resolution {number}: deadline text_ar {text_ar:?} does not occur in its text")]
    DeadlineNotInText {
        /// The resolution's number.
        number: u16,
        /// The phrase that was not found.
        text_ar: String,
    },
    /// A `[[rule]]` names a form field that no version of the form of one of its kinds has.
    #[error(
        "rule {rule:?} (resolution {resolution}): field {field:?} is not in any {kind} form; \
         its fields are: {expected}"
    )]
    RuleUnknownField {
        /// The rule's id.
        rule: String,
        /// The resolution the rule links to.
        resolution: u16,
        /// The field name as written.
        field: String,
        /// The facility kind whose forms lack it.
        kind: crate::FacilityKind,
        /// The field names of that kind's forms, comma-separated.
        expected: String,
    },
    /// A `[[rule]]` whose id or `when` condition cannot be read or does not fit the forms.
    #[error("rule {rule:?} (resolution {resolution}): {reason}")]
    BadRule {
        /// The rule's id (or its position, `rule #3`, when the id itself is bad).
        rule: String,
        /// The resolution the rule links to.
        resolution: u16,
        /// What is wrong, for the person editing the file.
        reason: String,
    },
}

/// Splits a line into its number prefix and text, if it starts with one.
///
/// Returns the digits (unparsed) and the text after the prefix.
fn split_prefix(line: &str) -> Option<(&str, &str)> {
    let digits_end = line
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(line.len());
    if digits_end == 0 {
        return None;
    }
    let (digits, rest) = line.split_at(digits_end);
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('-')?;
    Some((digits, rest.trim_start_matches([' ', '\t'])))
}

/// Parses the numbered resolutions out of the seed text.
///
/// Lines before the first numbered line (the introduction) and after the last one (the
/// closing paragraph) are skipped; blank lines between resolutions are allowed, other
/// unnumbered lines between them are an error. Numbers must run 1, 2, 3, ... without gaps,
/// repeats or reordering; every error names the 1-based line.
pub fn parse_resolutions(text: &str) -> Result<Vec<Resolution>, SeedError> {
    let mut resolutions: Vec<Resolution> = Vec::new();
    // An unnumbered line after a resolution: an error only if another resolution follows.
    let mut pending_stray: Option<usize> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        let Some((digits, body)) = split_prefix(content) else {
            if !resolutions.is_empty() && pending_stray.is_none() && !content.trim().is_empty() {
                pending_stray = Some(line);
            }
            continue;
        };
        let found: u16 = digits.parse().map_err(|_| SeedError::NumberTooLarge {
            line,
            digits: digits.to_owned(),
        })?;
        let last = resolutions.last().map_or(0, |r| r.number);
        let expected = last.saturating_add(1);
        if found != expected {
            return Err(if found > expected {
                SeedError::Gap {
                    line,
                    found,
                    expected,
                }
            } else if !resolutions.is_empty() && found == last {
                SeedError::Duplicate {
                    line,
                    found,
                    expected,
                }
            } else {
                SeedError::OutOfOrder {
                    line,
                    found,
                    expected,
                }
            });
        }
        if let Some(stray) = pending_stray {
            return Err(SeedError::StrayLine {
                line: stray,
                after: last,
                before: found,
            });
        }
        resolutions.push(Resolution {
            number: found,
            text_ar: body.to_owned(),
            line,
        });
    }
    if resolutions.is_empty() {
        return Err(SeedError::NoResolutions);
    }
    Ok(resolutions)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../seeds/000_8af25a3f10ada137.txt");

    #[test]
    fn prefixes_are_recognised() {
        let cases = [
            ("1-نص", Some(("1", "نص"))),
            ("2- نص", Some(("2", "نص"))),
            ("20 - نص", Some(("20", "نص"))),
            ("42 -  نص - آخر", Some(("42", "نص - آخر"))),
            ("7\t-\tنص", Some(("7", "نص"))),
            ("3-", Some(("3", ""))),
            ("نص 1- بعد", None),
            (" 1- space before", None),
            ("2024 موازنة", None),
            ("-1 سالب", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(split_prefix(line), want, "line {line:?}");
        }
    }

    #[test]
    fn text_is_kept_exactly() {
        let text = "intro\n1-a  b \r\n2 - \"x – y - z\"....\r\nclosing";
        let got = parse_resolutions(text).expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            Resolution {
                number: 1,
                text_ar: "a  b ".into(),
                line: 2
            }
        );
        assert_eq!(got[1].text_ar, "\"x – y - z\"....");
        assert_eq!(got[1].line, 3);
    }

    #[test]
    fn errors_name_line_found_and_expected() {
        let cases = [
            (
                "1- a\n3- b",
                SeedError::Gap {
                    line: 2,
                    found: 3,
                    expected: 2,
                },
            ),
            (
                "intro\n2- a",
                SeedError::Gap {
                    line: 2,
                    found: 2,
                    expected: 1,
                },
            ),
            (
                "1- a\n2- b\n2- c",
                SeedError::Duplicate {
                    line: 3,
                    found: 2,
                    expected: 3,
                },
            ),
            (
                "1- a\n2- b\n3- c\n1- d",
                SeedError::OutOfOrder {
                    line: 4,
                    found: 1,
                    expected: 4,
                },
            ),
            (
                "0- a",
                SeedError::OutOfOrder {
                    line: 1,
                    found: 0,
                    expected: 1,
                },
            ),
            (
                "1- a\n99999- b",
                SeedError::NumberTooLarge {
                    line: 2,
                    digits: "99999".into(),
                },
            ),
            (
                "1- a\nstray\n2- b",
                SeedError::StrayLine {
                    line: 2,
                    after: 1,
                    before: 2,
                },
            ),
            ("intro\nno numbers\n", SeedError::NoResolutions),
            ("", SeedError::NoResolutions),
        ];
        for (text, want) in cases {
            assert_eq!(parse_resolutions(text), Err(want), "text {text:?}");
        }
        let message = SeedError::Gap {
            line: 7,
            found: 9,
            expected: 8,
        }
        .to_string();
        for part in ["7", "9", "8"] {
            assert!(message.contains(part), "{message}");
        }
    }

    #[test]
    fn blank_lines_and_closing_text_are_allowed() {
        let got = parse_resolutions("intro\n1- a\n\n2- b\nclosing\nmore closing").expect("valid");
        assert_eq!(got.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn the_seed_text_has_42_resolutions() {
        let got = parse_resolutions(SEED).expect("seed text parses");
        assert_eq!(got.len(), 42);
        for (i, r) in got.iter().enumerate() {
            assert_eq!(usize::from(r.number), i + 1);
            assert_eq!(r.line, i + 4, "resolutions are on lines 4-45");
        }
        assert!(
            got[0].text_ar.starts_with("إفساح المجال"),
            "{}",
            got[0].text_ar
        );
        assert_eq!(
            got[41].text_ar,
            "تعطى المشاريع الخدمية والصحية والاستثمارية والتعليمية الأولوية خلال موازنة عام 2024."
        );
        assert!(
            got[19]
                .text_ar
                .contains("\"البنزين – مازوت - غاز - علف - كاز- الخبز.... إلخ."),
            "{}",
            got[19].text_ar
        );
        assert!(
            got[19].text_ar.starts_with("الالتزام"),
            "prefix `20 - ` fully removed"
        );
    }
}
