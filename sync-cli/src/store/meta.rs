//! The `meta` row: who this device is and how far it has synced.

use automerge::ActorId;
use fieldsync_schema::wire::{DeviceInfo, Horizon, Receive};
use fieldsync_schema::{Author, Role};
use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError};

/// The identity `fieldsync init` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    /// The device id (a UUID v7).
    pub device_id: String,
    /// The Automerge actor this device writes as.
    pub actor: ActorId,
    /// The inspector's or supervisor's name.
    pub user: String,
    /// Their role (never [`Role::Server`]).
    pub role: Role,
    /// The sync server, if given at init.
    pub server_url: Option<String>,
}

impl NewIdentity {
    /// A fresh identity: new device id and random actor.
    pub fn generate(user: &str, role: Role, server_url: Option<String>) -> NewIdentity {
        NewIdentity {
            device_id: uuid::Uuid::now_v7().to_string(),
            actor: ActorId::random(),
            user: user.to_owned(),
            role,
            server_url,
        }
    }
}

/// The stored `meta` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The device id.
    pub device_id: String,
    /// The Automerge actor this device writes as.
    pub actor: ActorId,
    /// The user's name.
    pub user: String,
    /// The user's role.
    pub role: Role,
    /// The last server a sync succeeded with.
    pub server_url: Option<String>,
    /// Highest server sequence number applied.
    pub cursor: u64,
}

impl Meta {
    /// The author recorded in documents this device writes.
    pub fn author(&self) -> Author {
        Author {
            name: self.user.clone(),
            device: self.device_id.clone(),
            role: self.role,
        }
    }

    /// Who is syncing, for sync requests.
    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo {
            id: self.device_id.clone(),
            user: self.user.clone(),
            role: self.role,
        }
    }
}

impl Db<'_> {
    pub(super) fn has_meta(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM meta WHERE id = 1", [], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub(super) fn insert_meta(&self, who: &NewIdentity) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (id, device_id, actor_id, user_name, role, server_url, cursor)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, 0)",
            params![
                who.device_id,
                who.actor.to_hex_string(),
                who.user,
                who.role.as_str(),
                who.server_url
            ],
        )?;
        Ok(())
    }

    /// The device's identity and sync position.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] if a column does not parse; SQLite failures.
    pub fn meta(&self) -> Result<Meta, StoreError> {
        let (device_id, actor, user, role, server_url, cursor) = self.conn.query_row(
            "SELECT device_id, actor_id, user_name, role, server_url, cursor FROM meta WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )?;
        let corrupt = |what: &str, reason: String| StoreError::Corrupt {
            what: format!("meta.{what}"),
            reason,
        };
        Ok(Meta {
            device_id,
            actor: actor
                .parse::<ActorId>()
                .map_err(|e| corrupt("actor_id", format!("{actor:?}: {e}")))?,
            user,
            role: role.parse::<Role>().map_err(|e| corrupt("role", e))?,
            server_url,
            cursor: u64::try_from(cursor).map_err(|e| corrupt("cursor", e.to_string()))?,
        })
    }

    /// Remembers the server a sync succeeded with.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn set_server_url(&self, url: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE meta SET server_url = ?1 WHERE id = 1", [url])?;
        Ok(())
    }

    /// Stores the server cursor and the server's horizon after a whole response was applied
    /// (the horizon only moves forward).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a cursor beyond SQLite's integers; SQLite failures.
    pub fn set_cursor(&self, cursor: u64, horizon: Option<&Horizon>) -> Result<(), StoreError> {
        let int = |n: u64| {
            i64::try_from(n).map_err(|e| StoreError::Corrupt {
                what: "server cursor".into(),
                reason: e.to_string(),
            })
        };
        self.conn
            .execute("UPDATE meta SET cursor = ?1 WHERE id = 1", [int(cursor)?])?;
        if let Some(horizon) = horizon {
            self.conn.execute(
                "UPDATE meta SET horizon_seq = ?1, horizon_tag = ?2
                 WHERE id = 1 AND (horizon_seq IS NULL OR horizon_seq <= ?1)",
                params![int(horizon.seq)?, horizon.tag],
            )?;
        }
        Ok(())
    }

    /// The server's horizon as this device last saw it, if any.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a negative stored sequence; SQLite failures.
    pub fn horizon(&self) -> Result<Option<Horizon>, StoreError> {
        let (seq, tag): (Option<i64>, Option<String>) = self.conn.query_row(
            "SELECT horizon_seq, horizon_tag FROM meta WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(seq), Some(tag)) = (seq, tag) else {
            return Ok(None);
        };
        let seq = u64::try_from(seq).map_err(|e| StoreError::Corrupt {
            what: "meta.horizon_seq".into(),
            reason: e.to_string(),
        })?;
        Ok(Some(Horizon { seq, tag }))
    }
}

impl Db<'_> {
    /// The id of the server that `cursor` and the documents' server heads refer to, if any.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn server_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT server_id FROM meta WHERE id = 1", [], |r| r.get(0))?)
    }

    /// Forgets everything this device believes a server holds (cursor, every document's
    /// server heads and sync state) and records `server_id` as the server it now syncs with.
    /// Every document becomes pending, so the next rounds offer it again; no local data
    /// changes.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn reset_sync(&self, server_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE documents SET server_heads = NULL, sync_state = NULL",
            [],
        )?;
        self.conn.execute(
            "UPDATE meta SET cursor = 0, horizon_seq = NULL, horizon_tag = NULL, server_id = ?1
             WHERE id = 1",
            [server_id],
        )?;
        Ok(())
    }

    /// Records the server id on first contact.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn set_server_id(&self, server_id: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE meta SET server_id = ?1 WHERE id = 1", [server_id])?;
        Ok(())
    }
}

impl Db<'_> {
    /// Which documents this device asks the server for.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for an unknown stored value; SQLite failures.
    pub fn receive(&self) -> Result<Receive, StoreError> {
        let text: String =
            self.conn
                .query_row("SELECT receive FROM meta WHERE id = 1", [], |r| r.get(0))?;
        match text.as_str() {
            "all" => Ok(Receive::All),
            "own" => Ok(Receive::Own),
            other => Err(StoreError::Corrupt {
                what: "meta.receive".into(),
                reason: format!("unknown value {other:?}"),
            }),
        }
    }

    /// Sets which documents this device asks the server for. Switching to `all` takes effect
    /// for checks changed from now on; checks the server had before are not fetched again.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn set_receive(&self, receive: Receive) -> Result<(), StoreError> {
        let text = match receive {
            Receive::All => "all",
            Receive::Own => "own",
        };
        self.conn
            .execute("UPDATE meta SET receive = ?1 WHERE id = 1", [text])?;
        Ok(())
    }
}
