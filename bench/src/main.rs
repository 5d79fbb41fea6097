//! # fieldsync-bench: the benchmark harness (issue 3)
//!
//! `cargo run --release -p fieldsync-bench -- <scenario> [--docs N] [--devices N] [--format F] [--json]`
//! (`js initial|idle|one-edit` compares with the JS automerge-repo sync server in `bench/js`)
//!
//! Generates realistic checks ([`gen`](r#gen), seeded, not timed) into real device stores
//! ([`device`], the CLI's `Store`), and drives the real server ([`server`]: in this process,
//! or the release `fieldsync-server` binary as a child process where memory or start-up is
//! measured) with the real device sync code (`sync_rounds::run` over `HttpTransport`).
//! A loopback [`proxy`] counts socket bytes (headers included) and can shape a GPRS link.
//! Each scenario ([`scenarios`]) returns a [`report::Report`]: figures and targets, printed
//! for people or, with `--json`, as exactly one JSON object on stdout. Progress goes to
//! stderr. See `BENCHMARKS.md` for the figures measured on the project's machine.

mod device;
mod r#gen;
mod proxy;
mod report;
mod scenarios;
mod server;

use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use scenarios::Options;
use scenarios::steady::Change;

/// Benchmarks of fieldsync's sync against the real server and device code.
#[derive(Debug, Parser)]
#[command(name = "fieldsync-bench")]
struct Cli {
    /// What to measure.
    #[arg(value_enum)]
    scenario: Scenario,
    /// js: the scenario to run against both fieldsync and automerge-repo 2.5.x.
    #[arg(value_enum)]
    against: Option<JsScenario>,
    /// Number of checks [default: initial 10000, idle/one-edit 10000, cold-start 100000, gprs 200, export 100000].
    #[arg(long, value_name = "N")]
    docs: Option<usize>,
    /// Number of devices (initial only) [default: 50].
    #[arg(long, value_name = "N")]
    devices: Option<usize>,
    /// Print exactly one JSON object on stdout instead of the human figures.
    #[arg(long)]
    json: bool,
    /// cold-start: rebuild the cached data directory instead of reusing it.
    #[arg(long)]
    fresh: bool,
    /// initial: which changed checks devices ask for (`fieldsync init --receive`); the
    /// default is an inspector's device's default, `own`. `all` is a supervisor's, and makes
    /// every device pull every other device's checks (the fan-out figure).
    #[arg(long, value_enum, default_value = "own")]
    receive: ReceiveArg,
    /// export: the format (csv, json, ndjson, geojson, xlsx).
    #[arg(long, value_name = "F", default_value = "csv", value_parser = parse_format)]
    format: fieldsync_schema::export::Format,
    /// gprs, js initial: give up after this many seconds.
    #[arg(long, value_name = "S", default_value_t = 240)]
    max_s: u64,
}

/// `--receive`: the device setting of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReceiveArg {
    /// Every check changed since the cursor.
    All,
    /// Only changes to checks the device holds.
    Own,
}

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Empty server; many devices push new checks at once.
    Initial,
    /// A second sync with nothing changed.
    Idle,
    /// A sync after editing one check.
    OneEdit,
    /// Server start-up on a large data directory, an idle sync, server memory.
    ColdStart,
    /// New checks over a throttled, lossy GPRS-like link.
    Gprs,
    /// Supervisor export: N checks in `--format` by the `fieldsync` binary, its time and
    /// memory.
    Export,
    /// `js initial|idle|one-edit`: the same scenario against fieldsync and against the JS
    /// automerge-repo 2.5.x sync server (`bench/js`), with the ratios.
    Js,
}

/// The scenarios `js` can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum JsScenario {
    /// Many devices push new checks to an empty server.
    Initial,
    /// A second sync with nothing changed.
    Idle,
    /// A sync after editing one check.
    OneEdit,
}

fn parse_format(text: &str) -> Result<fieldsync_schema::export::Format, String> {
    text.parse()
        .map_err(|e: fieldsync_schema::export::UnknownFormat| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = Options {
        docs: cli.docs,
        devices: cli.devices,
        fresh: cli.fresh,
        max_s: cli.max_s,
        receive_own: cli.receive == ReceiveArg::Own,
        export_format: cli.format,
    };
    let result = match cli.scenario {
        Scenario::Initial => scenarios::initial::run(&options),
        Scenario::Idle => scenarios::steady::run(&options, Change::Nothing),
        Scenario::OneEdit => scenarios::steady::run(&options, Change::OneEdit),
        Scenario::ColdStart => scenarios::cold_start::run(&options),
        Scenario::Gprs => scenarios::gprs::run(&options),
        Scenario::Js => {
            let which = match cli.against {
                Some(JsScenario::Initial) => scenarios::js::Which::Initial,
                Some(JsScenario::Idle) => scenarios::js::Which::Idle,
                Some(JsScenario::OneEdit) => scenarios::js::Which::OneEdit,
                None => {
                    eprintln!("error: `js` needs a scenario: js initial|idle|one-edit");
                    return ExitCode::from(2);
                }
            };
            scenarios::js::run(&options, which)
        }
        Scenario::Export => scenarios::export::run(&options),
    };
    match result {
        Ok(report) => {
            report.print(cli.json);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
