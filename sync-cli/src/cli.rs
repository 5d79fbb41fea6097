//! The command line: global options and the subcommands.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::{commands, lang};

/// fieldsync: record facility checks offline and sync them with the fieldsync server.
///
/// Every command except `sync` works without a network.
#[derive(Debug, Parser)]
#[command(name = "fieldsync", version)]
pub struct Cli {
    /// Directory holding the local store [default: the per-user data directory, e.g.
    /// ~/.local/share/fieldsync].
    #[arg(long, global = true, env = "FIELDSYNC_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Language of form labels, hints, choices and refusals: ar or en [default: Arabic
    /// when the locale (LC_ALL, LC_MESSAGES, LANG) starts with `ar`, else English].
    /// An empty value (`FIELDSYNC_LANG=`) counts as unset.
    #[arg(
        long,
        global = true,
        env = "FIELDSYNC_LANG",
        value_name = "ar|en",
        value_parser = lang::parse_flag
    )]
    pub lang: Option<lang::LangFlag>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the local store for this device and user.
    Init(commands::init::Init),
    /// Enrol this device (set up offline) with the server, keeping its data.
    Enrol(commands::enrol::Enrol),
    /// Record a new check; prints its id on stdout.
    Record(commands::record::Record),
    /// Change values or notes of a check.
    Edit(commands::edit::Edit),
    /// List all checks on this device.
    List(commands::list::List),
    /// Show one check with labels, links, review and conflicts.
    Show(commands::show::Show),
    /// Exchange changes with the server.
    Sync(commands::sync::Sync),
    /// Fetch checks recorded by others, by id or site, to work on them offline.
    Fetch(commands::fetch::Fetch),
    /// Record a supervisor's review decision.
    Review(commands::review::Review),
    /// Add or remove resolution links by hand (supervisors; wins over the linking rules).
    Link(commands::link::Link),
    /// Export checks as CSV, JSON, NDJSON, GeoJSON or XLSX, with filters.
    ///
    /// Checks are sorted by observation time (UTC) then id. In CSV, text that begins with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so spreadsheets show it
    /// as text instead of running it as a formula; numbers are written as they are.
    Export(commands::export::Export),
    /// Follow-up report per resolution (Markdown, HTML or JSON).
    ///
    /// For each resolution with linked checks: checks and sites, checks by review state,
    /// key findings per facility kind (from the latest check of each site), the latest
    /// check per site and open conflicts. Deleted checks never count; invalid checks count
    /// and are shown as such.
    Report(commands::report::Report),
    /// List the 42 conference resolutions.
    Resolutions(commands::resolutions::Resolutions),
    /// Add a comment to a check's thread.
    Comment(commands::comment::Comment),
    /// List open same-field conflicts across all checks.
    Conflicts(commands::conflicts::Conflicts),
    /// Decide a conflicting field (supervisors only).
    Resolve(commands::resolve::Resolve),
    /// Show every change to a check: when, who, what.
    History(commands::history::History),
    /// Delete a check, keeping a tombstone (supervisors only).
    Delete(commands::delete::Delete),
    /// Write a consistent copy of the local store to a file.
    Backup(commands::backup::Backup),
    /// Replace the local store with a backup (refused while checks are unsynced).
    Restore(commands::backup::Restore),
    /// Delete the local store (refused while checks are unsynced, unless --force).
    Reset(commands::reset::Reset),
}

impl Cli {
    /// Runs the chosen command against the resolved home directory.
    ///
    /// # Errors
    /// Whatever the command reports, with context.
    pub fn run(self) -> anyhow::Result<()> {
        let home = match self.home {
            Some(home) => home,
            None => default_home()?,
        };
        let lang = lang::resolve(self.lang);
        match self.command {
            Command::Init(c) => c.run(&home),
            Command::Enrol(c) => c.run(&home),
            Command::Record(c) => c.run(&home, lang),
            Command::Edit(c) => c.run(&home, lang),
            Command::List(c) => c.run(&home, lang),
            Command::Show(c) => c.run(&home, lang),
            Command::Sync(c) => c.run(&home),
            Command::Fetch(c) => c.run(&home),
            Command::Review(c) => c.run(&home),
            Command::Link(c) => c.run(&home),
            Command::Export(c) => c.run(&home, lang),
            Command::Report(c) => c.run(&home, lang),
            Command::Resolutions(c) => c.run(&home),
            Command::Comment(c) => c.run(&home),
            Command::Conflicts(c) => c.run(&home, lang),
            Command::Resolve(c) => c.run(&home),
            Command::History(c) => c.run(&home),
            Command::Delete(c) => c.run(&home),
            Command::Backup(c) => c.run(&home),
            Command::Restore(c) => c.run(&home),
            Command::Reset(c) => c.run(&home),
        }
    }
}

/// The per-user data directory (`~/.local/share/fieldsync` on Linux).
fn default_home() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "fieldsync")
        .map(|dirs| dirs.data_dir().to_owned())
        .context("cannot find a per-user data directory: pass --home DIR or set FIELDSYNC_HOME")
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_repeated_sets_and_negative_coordinates() {
        let args = "fieldsync --home /tmp/x record --kind bakery --site-id S-1 --site-name فرن \
                    --lat -35.5 --lon -40 --set operating=yes --set bread_price_syp=1250";
        let cli = Cli::try_parse_from(args.split_whitespace()).expect("parse");
        let Command::Record(record) = cli.command else {
            panic!("not record")
        };
        assert_eq!(record.set, ["operating=yes", "bread_price_syp=1250"]);
        assert_eq!((record.lat, record.lon), (Some(-35.5), Some(-40.0)));
    }

    #[test]
    fn lang_is_global_and_only_ar_or_en() {
        use fieldsync_schema::Lang;
        let cli = Cli::try_parse_from(["fieldsync", "list", "--lang", "ar", "--search", "الامل"])
            .expect("parse");
        assert_eq!(cli.lang, Some(lang::LangFlag(Some(Lang::Ar))));
        let Command::List(list) = cli.command else {
            panic!("not list")
        };
        assert_eq!(list.filter.search.as_deref(), Some("الامل"));
        let cli = Cli::try_parse_from(["fieldsync", "--lang", "EN", "list"]).expect("parse");
        assert_eq!(cli.lang, Some(lang::LangFlag(Some(Lang::En))));
        let err = Cli::try_parse_from(["fieldsync", "--lang", "fr", "list"]).expect_err("fr");
        assert!(err.to_string().contains("fr"), "{err}");
    }

    #[test]
    fn coordinates_take_arabic_digits_and_refuse_nan_naming_the_flag() {
        let parse = |lat: &str, lon: &str| {
            let args = [
                "fieldsync",
                "record",
                "--kind",
                "bakery",
                "--site-id",
                "S-1",
            ];
            let rest = ["--site-name", "فرن", "--lat", lat, "--lon", lon];
            Cli::try_parse_from(args.into_iter().chain(rest))
        };
        let cli = parse("٣٥٫٣", "-٤٠,١٤").expect("Arabic-Indic digits");
        let Command::Record(record) = cli.command else {
            panic!("not record")
        };
        assert_eq!((record.lat, record.lon), (Some(35.3), Some(-40.14)));
        for (lat, lon, flag) in [("NaN", "40", "--lat"), ("35", "-inf", "--lon")] {
            let msg = parse(lat, lon).expect_err("not finite").to_string();
            assert!(msg.contains(flag) && msg.contains("not a number"), "{msg}");
        }
    }
}
