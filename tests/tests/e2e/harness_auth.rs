//! The harness's identities: users, codes and tokens made through the server's admin library
//! on the test server's data directory (as `fieldsync-server user add` / `device enrol` do),
//! and devices enrolled through the real CLI (`fieldsync enrol`).

use std::path::Path;

use anyhow::{Context, Result, bail};
use fieldsync_server::auth::Identity;
use fieldsync_server::auth::directory::{self, DEFAULT_CODE_TTL, DirectoryError, Enrolment};
use fieldsync_server::store::open_connection;

use super::{Device, TestServer};

impl Device {
    /// A new device set up with `fieldsync init --server URL --enrol CODE` for user `name`
    /// (added with `role` and `team` if missing): the name and role come from the server.
    ///
    /// # Errors
    /// The code could not be issued or the init failed.
    pub fn enrolled(
        server: &TestServer,
        name: &str,
        role: &str,
        team: Option<&str>,
    ) -> Result<Self> {
        let code = server.code_for(name, role, team)?;
        let device = Self {
            home: tempfile::tempdir().context("temporary home")?,
            name: name.to_owned(),
        };
        device.ok(&["init", "--server", &server.url(), "--enrol", &code])?;
        Ok(device)
    }

    /// This device's bearer token, if enrolled.
    ///
    /// # Errors
    /// The store could not be read.
    pub fn token(&self) -> Result<Option<String>> {
        let store = fieldsync_sync_cli::store::Store::open(self.home())?;
        Ok(store.db().token()?)
    }
}

impl TestServer {
    /// The server's data directory (for the admin library: revoke, audit).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// A one-time enrolment code for user `name`, adding the user with `role` and `team`
    /// (`None`: the default team) if missing.
    ///
    /// # Errors
    /// The server's database could not be opened or written, or `name` exists with another
    /// role.
    pub fn code_for(&self, name: &str, role: &str, team: Option<&str>) -> Result<String> {
        code_at(&self.dir, name, role, team)
    }

    /// A token for a new user `name` (role, team) and a device of theirs that writes as a
    /// fresh actor: for raw HTTP tests. Returns the token and the device's identity.
    ///
    /// # Errors
    /// As [`TestServer::code_for`]; the enrolment was refused.
    pub fn token_for(
        &self,
        name: &str,
        role: &str,
        team: Option<&str>,
    ) -> Result<(String, Identity)> {
        token_at(&self.dir, name, role, team)
    }

    /// A token of a new device of a user with `role` in the default team (named after the
    /// role), for raw HTTP tests.
    ///
    /// # Errors
    /// As [`TestServer::token_for`].
    pub fn token(&self, role: &str) -> Result<String> {
        Ok(self.token_for(&format!("harness-{role}"), role, None)?.0)
    }

    /// The supervisor token [`TestServer::get`] reads with (made on first use).
    pub(super) fn reader_token(&self) -> Result<String> {
        if let Some(token) = self.reader.get() {
            return Ok(token.clone());
        }
        let token = self.token("supervisor")?;
        Ok(self.reader.get_or_init(|| token).clone())
    }

    /// Enrols `device` here unless its device is already enrolled (and not revoked) on this
    /// server's database: adds its user with its name and role, issues a code and runs
    /// `fieldsync enrol --server URL CODE` on the device.
    ///
    /// # Errors
    /// The database could not be read, or the enrolment failed.
    pub fn enrol(&self, device: &Device) -> Result<()> {
        enrol_at(&self.dir, &self.url(), device)
    }
}

/// A one-time enrolment code for user `name` on the server whose data directory is `dir`,
/// adding the user with `role` and `team` (`None`: the default team) if missing.
///
/// # Errors
/// The server's database could not be opened or written, or `name` exists with another
/// role.
pub fn code_at(dir: &Path, name: &str, role: &str, team: Option<&str>) -> Result<String> {
    let mut conn = open_connection(dir)?;
    let role = directory::parse_role(role)?;
    match directory::add_user(&mut conn, name, role, team, DEFAULT_CODE_TTL) {
        Ok(code) => Ok(code),
        Err(DirectoryError::DuplicateUser(_)) => {
            let known = directory::users(&conn)?;
            if known.iter().any(|u| u.name == name && u.role != role) {
                bail!(
                    "user {name} exists with another role than {}",
                    role.as_str()
                );
            }
            Ok(directory::issue_code(&mut conn, name, DEFAULT_CODE_TTL)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Enrols `device` with the server at `url` whose data directory is `dir`, unless its
/// device is already enrolled (and not revoked) there: adds its user with its name and
/// role, issues a code and runs `fieldsync enrol --server URL CODE` on the device. For a
/// server run in-process ([`TestServer::enrol`]) or as a child process.
///
/// # Errors
/// The database could not be read, or the enrolment failed.
pub fn enrol_at(dir: &Path, url: &str, device: &Device) -> Result<()> {
    let store = fieldsync_sync_cli::store::Store::open(device.home())?;
    let meta = store.db().meta()?;
    drop(store);
    let conn = open_connection(dir)?;
    let registry = directory::registry(&conn)?;
    let enrolled = registry
        .get(&meta.actor.to_hex_string())
        .is_some_and(|i| !i.revoked && i.device == meta.device_id);
    if enrolled {
        return Ok(());
    }
    let code = code_at(dir, &meta.user, meta.role.as_str(), None)?;
    device
        .ok(&["enrol", "--server", url, &code])
        .with_context(|| format!("enrolling {}", device.name))?;
    Ok(())
}

/// A token for a new user `name` (role, team) and a device of theirs that writes as a
/// fresh actor, on the server whose data directory is `dir`: for raw HTTP requests.
///
/// # Errors
/// As [`code_at`]; the enrolment was refused.
pub fn token_at(
    dir: &Path,
    name: &str,
    role: &str,
    team: Option<&str>,
) -> Result<(String, Identity)> {
    let code = code_at(dir, name, role, team)?;
    let actor = automerge::ActorId::random().to_hex_string();
    let device = format!("{name}-raw-{}", &actor[..8]);
    let mut conn = open_connection(dir)?;
    let request = Enrolment {
        code: &code,
        device: &device,
        actor: &actor,
        existing: None,
    };
    Ok(directory::enrol(&mut conn, &request)?)
}
