//! The admin subcommands of `fieldsync-server`: users, devices and the audit log, run on the
//! server's machine against the same data directory (`--data`), safe while the server runs
//! (SQLite WAL; each command is one short transaction). Without a subcommand the binary
//! serves.
//!
//! | command | what |
//! |---|---|
//! | `user add --name N --role R [--team T]` | adds a user and prints a first enrolment code |
//! | `user list [--json]` | users with role, team and active devices |
//! | `device enrol --user N` | prints a new one-time enrolment code for `N` |
//! | `device revoke DEVICE [--reason TEXT]` | ends the device's token at once |
//! | `device list [--json]` | every device enrolled, revoked ones marked |
//! | `audit [--since TIME] [--json]` | the audit log, oldest first |
//!
//! Codes go to stdout alone (for scripts); what to do with them goes to stderr.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::auth::{audit, directory};
use crate::store::open_connection;

/// An admin subcommand.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AdminCommand {
    /// Add or list users.
    #[command(subcommand)]
    User(UserCommand),
    /// Issue enrolment codes, revoke or list devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Print the audit log (enrolments, revocations, reviews, deletions, refused changes).
    Audit(AuditArgs),
}

/// `user ...`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum UserCommand {
    /// Add a user and print a first one-time enrolment code for their device.
    Add {
        /// The user's name, recorded as author of their checks (1 to 200 characters).
        #[arg(long)]
        name: String,
        /// inspector, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The user's team (inspectors see their team's checks) [default: default].
        #[arg(long)]
        team: Option<String>,
        /// How long the printed code stays valid.
        #[command(flatten)]
        code: CodeLife,
    },
    /// List users.
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `device ...`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum DeviceCommand {
    /// Print a new one-time enrolment code for a user's (new or re-enrolling) device.
    Enrol {
        /// The user's name.
        #[arg(long)]
        user: String,
        /// How long the printed code stays valid.
        #[command(flatten)]
        code: CodeLife,
    },
    /// Revoke a device's token at once (its unsynced data stays on the device).
    Revoke {
        /// The device id (see `device list`).
        device: String,
        /// Why, for the audit log.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// List devices.
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// How long a printed code stays valid.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CodeLife {
    /// Days the enrolment code stays valid (1 to 365).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=365))]
    pub code_days: u64,
    /// Also draw the code as a QR code on stderr, for the device's camera.
    #[arg(long)]
    pub qr: bool,
}

impl CodeLife {
    fn ttl(&self) -> Duration {
        Duration::from_secs(self.code_days * 24 * 3600)
    }
}

/// `audit`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct AuditArgs {
    /// Only entries at or after this time (RFC 3339 UTC, e.g. 2026-03-01T00:00:00Z, or a
    /// date, 2026-03-01).
    #[arg(long)]
    pub since: Option<String>,
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `command` against the database in `data`.
///
/// # Errors
/// The database could not be opened, or the command was refused (the message says why).
pub fn run(data: &Path, command: &AdminCommand) -> anyhow::Result<()> {
    let mut conn = open_connection(data)
        .with_context(|| format!("cannot open the store in {}", data.display()))?;
    let mut out = std::io::stdout().lock();
    match command {
        AdminCommand::User(UserCommand::Add {
            name,
            role,
            team,
            code,
        }) => {
            let role = directory::parse_role(role)?;
            let printed = directory::add_user(&mut conn, name, role, team.as_deref(), code.ttl())?;
            print_code(&mut out, name, &printed, code)?;
        }
        AdminCommand::User(UserCommand::List { json }) => {
            let users = directory::users(&conn)?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&users)?)?;
            }
            for u in users.iter().filter(|_| !json) {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{} device(s)",
                    u.name,
                    u.role.as_str(),
                    u.team,
                    u.devices
                )?;
            }
        }
        AdminCommand::Device(DeviceCommand::Enrol { user, code }) => {
            let printed = directory::issue_code(&mut conn, user, code.ttl())?;
            print_code(&mut out, user, &printed, code)?;
        }
        AdminCommand::Device(DeviceCommand::Revoke { device, reason }) => {
            let who = directory::revoke(&mut conn, device, reason)?;
            eprintln!(
                "تم إلغاء الجهاز / device {} of {} revoked: its token is refused from now on",
                who.device, who.user
            );
        }
        AdminCommand::Device(DeviceCommand::List { json }) => {
            let mut devices: Vec<_> = directory::registry(&conn)?.into_values().collect();
            devices.sort_by(|a, b| (&a.user, &a.device).cmp(&(&b.user, &b.device)));
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&devices)?)?;
            }
            for d in devices.iter().filter(|_| !json) {
                let state = if d.revoked { "revoked" } else { "active" };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tactor {}\t{state}",
                    d.device,
                    d.user,
                    d.role.as_str(),
                    d.team,
                    d.actor
                )?;
            }
        }
        AdminCommand::Audit(args) => print_audit(&mut out, &conn, args)?,
    }
    Ok(())
}

fn print_code(
    out: &mut impl std::io::Write,
    user: &str,
    code: &str,
    life: &CodeLife,
) -> anyhow::Result<()> {
    writeln!(out, "{code}")?;
    eprintln!(
        "رمز تسجيل لمرة واحدة / one-time enrolment code for {user}, valid {} day(s): on the \
         device run `fieldsync init --server URL --enrol {code}` (or, on a device set up \
         offline, `fieldsync enrol --server URL {code}`)",
        life.code_days
    );
    if life.qr {
        eprintln!("{}", super::qr::enrolment_qr(code)?);
    }
    Ok(())
}

fn print_audit(
    out: &mut impl std::io::Write,
    conn: &rusqlite::Connection,
    args: &AuditArgs,
) -> anyhow::Result<()> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    for e in audit::list(conn, since.as_deref())? {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&e)?)?;
            continue;
        }
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            e.at,
            e.action,
            dash(&e.user),
            dash(&e.device),
            dash(&e.check),
            e.detail
        )?;
    }
    Ok(())
}

/// `--since`: an RFC 3339 instant or a date (midnight UTC), as the text stored rows compare
/// with.
fn parse_since(text: &str) -> anyhow::Result<String> {
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Ok(at.to_string());
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return Ok(format!("{date}T00:00:00Z")
            .parse::<jiff::Timestamp>()?
            .to_string());
    }
    anyhow::bail!(
        "--since {text:?}: expected an RFC 3339 time (2026-03-01T08:00:00Z) or a date (2026-03-01)"
    )
}

#[cfg(test)]
#[path = "identities_tests.rs"]
mod tests;
