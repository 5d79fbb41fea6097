//! `fieldsync init`: create the local store.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use fieldsync_schema::Role;
use fieldsync_schema::wire::{EnrolRequest, EnrolResponse, Receive};

use super::check_name;
use super::reset::{guard_unsynced, lost_note};
use crate::store::{NewIdentity, Store};

/// Create the local store for this device and user. An existing store is replaced only
/// when the server has acknowledged everything in it, or with --force.
#[derive(Debug, Args)]
pub struct Init {
    /// Your name, recorded as the author of every check and change you make (1 to 200
    /// characters, one line). Required unless `--enrol` is given (the server names you then).
    #[arg(long, value_name = "NAME", required_unless_present = "enrol")]
    pub inspector: Option<String>,
    /// Your role: supervisors may also review checks.
    #[arg(long, value_enum, default_value_t = UserRole::Inspector)]
    pub role: UserRole,
    /// The fieldsync server to sync with (can also be given to `sync` later).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Which checks this device receives: `all` changed checks, or only `own` (checks it
    /// recorded, fetched with `fieldsync fetch`, or already holds: reviews and
    /// co-inspectors' edits to them still arrive). `own` saves a poor link from downloading
    /// every other inspector's checks [default: `own` for an inspector, `all` for a
    /// supervisor].
    #[arg(long, value_enum)]
    pub receive: Option<ReceiveArg>,
    /// A one-time enrolment code from an admin (`fieldsync-server user add` or `device
    /// enrol`): the server gives this device its token, and your name, role and team.
    /// Needs `--server`.
    #[arg(long, value_name = "CODE", requires = "server")]
    pub enrol: Option<String>,
    /// Replace an existing store even if it holds checks the server has not acknowledged
    /// (they are lost). Without it, an existing store is replaced only when everything in
    /// it is synced.
    #[arg(long)]
    pub force: bool,
}

/// Which checks a device receives (see [`fieldsync_schema::wire::Receive`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReceiveArg {
    /// Every changed check.
    All,
    /// Only checks this device holds.
    Own,
}

impl ReceiveArg {
    /// The name used on the command line (`all`, `own`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiveArg::All => "all",
            ReceiveArg::Own => "own",
        }
    }
}

impl From<ReceiveArg> for Receive {
    fn from(arg: ReceiveArg) -> Receive {
        match arg {
            ReceiveArg::All => Receive::All,
            ReceiveArg::Own => Receive::Own,
        }
    }
}

/// The roles a device user can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UserRole {
    /// Records and edits checks.
    Inspector,
    /// Also reviews checks.
    Supervisor,
    /// A supervisor who also enrols users and devices (on the server).
    Admin,
}

impl UserRole {
    /// What a device of this role receives unless `--receive` says otherwise: an inspector
    /// on 2G needs their own checks and the reviews of them, not the whole governorate's
    /// (50 inspectors' 10,000 checks are 6 MB per device, 16 minutes at 50 kbit/s: see
    /// BENCHMARKS.md `initial`); a supervisor reviews everyone's.
    pub fn default_receive(self) -> ReceiveArg {
        match self {
            UserRole::Inspector => ReceiveArg::Own,
            UserRole::Supervisor | UserRole::Admin => ReceiveArg::All,
        }
    }
}

impl UserRole {
    /// The CLI role of a stored role (the server is never a device's role).
    pub fn from_role(role: Role) -> UserRole {
        match role {
            Role::Supervisor => UserRole::Supervisor,
            Role::Admin => UserRole::Admin,
            Role::Inspector | Role::Server => UserRole::Inspector,
        }
    }
}

impl From<UserRole> for Role {
    fn from(role: UserRole) -> Role {
        match role {
            UserRole::Inspector => Role::Inspector,
            UserRole::Supervisor => Role::Supervisor,
            UserRole::Admin => Role::Admin,
        }
    }
}

impl Init {
    /// Creates the store and prints where it is.
    ///
    /// # Errors
    /// An empty, over-long or multi-line name, a malformed server URL, or an existing store
    /// with unsynced checks (without `--force`).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let server = self.server.as_deref().map(check_server_url).transpose()?;
        let replaced = Store::exists(home);
        let (identity, enrolled) = match (&self.enrol, &server) {
            (Some(code), Some(server)) => {
                // The code is spent by the exchange: refuse before it, not after.
                if replaced && !self.force {
                    bail!(
                        "a fieldsync store already exists in {}: enrol it with `fieldsync enrol \
                         {code}` instead (it keeps its data), or replace it with --force",
                        home.display()
                    );
                }
                enrol_new(server, code)?
            }
            _ => {
                let typed = self.inspector.as_deref().unwrap_or_default();
                let name = check_name("--inspector", typed)?;
                (NewIdentity::generate(name, self.role.into(), server), None)
            }
        };
        let lost = guard_unsynced(home, self.force, "init")?;
        if replaced {
            Store::remove(home)
                .with_context(|| format!("removing the old store in {}", home.display()))?;
            eprintln!(
                "تم استبدال المخزن السابق / the previous store was replaced{}",
                lost_note(lost)
            );
        }
        let store = Store::init(home, &identity)
            .with_context(|| format!("initialising the store in {}", home.display()))?;
        if let Some(answer) = &enrolled {
            let url = identity.server_url.as_deref().unwrap_or_default();
            store
                .db()
                .set_enrolment(&answer.token, url, &answer.user, answer.role)?;
            eprintln!(
                "{}",
                super::enrol::enrolled_line(answer, &identity.device_id)
            );
        }
        let role = UserRole::from_role(identity.role);
        let receive = self.receive.unwrap_or(role.default_receive());
        store.db().set_receive(receive.into())?;
        let meta = store.db().meta()?;
        eprintln!(
            "تم إنشاء المخزن / store created: {} ({} {}, device {}, receives {})",
            home.display(),
            meta.role.as_str(),
            meta.user,
            meta.device_id,
            receive.as_str()
        );
        Ok(())
    }
}

/// A new identity enrolled with `server` by `code`: the name and role are the server's.
fn enrol_new(server: &str, code: &str) -> anyhow::Result<(NewIdentity, Option<EnrolResponse>)> {
    let mut identity = NewIdentity::generate("", Role::Inspector, Some(server.to_owned()));
    let request = EnrolRequest {
        code: code.to_owned(),
        device: identity.device_id.clone(),
        actor: identity.actor.to_hex_string(),
        name: None,
        role: None,
    };
    let answer = super::enrol::exchange(server, &request)?;
    identity.user.clone_from(&answer.user);
    identity.role = answer.role;
    Ok((identity, Some(answer)))
}

/// Checks a server URL looks like `http(s)://host[:port][/path]` and drops a trailing `/`.
///
/// # Errors
/// A URL without an `http://` or `https://` scheme or without a host.
pub fn check_server_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() => Ok(url.to_owned()),
        _ => bail!("invalid server URL {url:?}: expected http://host:port or https://host"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_checked() {
        assert_eq!(
            check_server_url("http://127.0.0.1:8080/").expect("ok"),
            "http://127.0.0.1:8080"
        );
        assert!(check_server_url("https://sync.example.org").is_ok());
        for bad in ["127.0.0.1:8080", "ftp://x", "http://", ""] {
            assert!(check_server_url(bad).is_err(), "{bad}");
        }
    }
}
