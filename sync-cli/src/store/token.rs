//! The device's bearer token, kept in `meta.token` (migration 008).

use rusqlite::params;

use super::{Db, StoreError};
use fieldsync_schema::Role;

impl Db<'_> {
    /// The token this device authenticates with, if it was enrolled.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn token(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT token FROM meta WHERE id = 1", [], |r| r.get(0))?)
    }

    /// Stores the token an enrolment gave, with the server it came from and the user's name
    /// and role as the server knows them (the device writes as them from now on).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn set_enrolment(
        &self,
        token: &str,
        server_url: &str,
        user: &str,
        role: Role,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE meta SET token = ?1, server_url = ?2, user_name = ?3, role = ?4 WHERE id = 1",
            params![token, server_url, user, role.as_str()],
        )?;
        Ok(())
    }
}
