//! A simulated device: the real CLI store in its own home directory, filled by [`crate::r#gen`],
//! synced with the real device code ([`sync_rounds::run`] over [`HttpTransport`]) through a
//! transport wrapper that times each round trip.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fieldsync_schema::wire::{Receive, SyncRequest};
use fieldsync_schema::{Author, CheckId};
use fieldsync_sync_cli::store::{NewIdentity, Store};
use fieldsync_sync_cli::sync_client::{Exchange, HttpTransport, SyncClientError, Transport};
use fieldsync_sync_cli::sync_rounds::{self, Summary};

use fieldsync_server::auth::directory;
use fieldsync_server::store::open_connection;

use crate::r#gen::{self, Generator};

/// One device's store and identity.
#[derive(Debug)]
pub struct Device {
    /// The open store.
    pub store: Store,
    /// Who the device is.
    pub identity: NewIdentity,
    /// Its generated checks (empty for a reopened device).
    pub ids: Vec<CheckId>,
    /// Sum of `save()` sizes of the generated checks.
    pub saved_bytes: u64,
}

/// What one sync (one [`sync_rounds::run`]) did and how long its parts took.
#[derive(Debug, Clone, Default)]
pub struct SyncStats {
    /// The device code's own summary (round trips, body bytes, messages).
    pub summary: Summary,
    /// From the call to its return.
    pub wall: Duration,
    /// Time inside round trips (request encoding, network, server, response decoding).
    pub in_exchange: Duration,
    /// Longest round trip.
    pub max_exchange: Duration,
    /// When the last round trip that uploaded messages ended, if one did.
    pub last_upload: Option<Instant>,
}

impl SyncStats {
    /// Time the device spent outside round trips (priming messages, applying responses).
    pub fn on_device(&self) -> Duration {
        self.wall.saturating_sub(self.in_exchange)
    }
}

impl Device {
    /// Creates device number `index` in `home` with `docs` generated checks.
    ///
    /// # Errors
    /// Store or generation failures.
    pub fn create(home: &Path, index: usize, docs: usize) -> anyhow::Result<Device> {
        let mut generator = Generator::new(index as u64);
        let identity = generator.identity(index);
        let mut store = Store::init(home, &identity)
            .with_context(|| format!("creating a device store in {}", home.display()))?;
        let (ids, saved_bytes) = r#gen::fill(&mut store, &mut generator, &identity, 0, docs)?;
        Ok(Device {
            store,
            identity,
            ids,
            saved_bytes,
        })
    }

    /// Reopens a device store made earlier.
    ///
    /// # Errors
    /// No store in `home`, or store failures.
    pub fn open(home: &Path) -> anyhow::Result<Device> {
        let store = Store::open(home)?;
        let meta = store.db().meta()?;
        let identity = NewIdentity {
            device_id: meta.device_id,
            actor: meta.actor,
            user: meta.user,
            role: meta.role,
            server_url: meta.server_url,
        };
        Ok(Device {
            store,
            identity,
            ids: Vec::new(),
            saved_bytes: 0,
        })
    }

    /// The author this device writes as.
    pub fn author(&self) -> Author {
        r#gen::author_of(&self.identity)
    }

    /// Documents with something to send.
    ///
    /// # Errors
    /// Store failures.
    pub fn pending(&self) -> anyhow::Result<usize> {
        Ok(self.store.db().pending_ids()?.len())
    }

    /// One `fieldsync sync` against `url`. A rejected check is an error (the generator must
    /// only make valid checks).
    ///
    /// # Errors
    /// Transport, store or protocol failures, or a rejection.
    pub fn sync(&mut self, url: &str) -> anyhow::Result<SyncStats> {
        let mut transport = self.transport(url)?;
        self.sync_over(&mut transport)
    }

    /// An HTTP transport to `url` carrying this device's token (none before [`Device::enrol`]).
    ///
    /// # Errors
    /// Store failures.
    pub fn transport(&self, url: &str) -> anyhow::Result<HttpTransport> {
        Ok(HttpTransport::new(url).with_token(self.store.db().token()?))
    }

    /// Enrols this device with the server at `url` whose data directory is `data`, as an admin's
    /// `user add` / `device enrol` and the device's `fieldsync enrol` would (through the
    /// server's directory, not HTTP: enrolment is not what is measured), and keeps the token.
    /// Does nothing if the device already has a token. Not timed by any scenario.
    ///
    /// # Errors
    /// The server's database cannot be opened, or the directory refuses.
    pub fn enrol(&mut self, data: &Path, url: &str) -> anyhow::Result<()> {
        if self.store.db().token()?.is_some() {
            return Ok(());
        }
        let mut conn = open_connection(data)?;
        let (user, role) = (self.identity.user.as_str(), self.identity.role);
        let ttl = directory::DEFAULT_CODE_TTL;
        let code = match directory::add_user(&mut conn, user, role, None, ttl) {
            Ok(code) => code,
            Err(directory::DirectoryError::DuplicateUser(_)) => {
                directory::issue_code(&mut conn, user, ttl)?
            }
            Err(err) => return Err(err.into()),
        };
        let actor = self.identity.actor.to_hex_string();
        let enrolment = directory::Enrolment {
            code: &code,
            device: &self.identity.device_id,
            actor: &actor,
            existing: Some((user, role)),
        };
        let (token, identity) = directory::enrol(&mut conn, &enrolment)?;
        self.store
            .db()
            .set_enrolment(&token, url, &identity.user, identity.role)?;
        Ok(())
    }

    /// One sync over any transport, timed.
    ///
    /// # Errors
    /// As [`Device::sync`].
    pub fn sync_over(&mut self, transport: &mut dyn Transport) -> anyhow::Result<SyncStats> {
        let mut metered = Metered {
            inner: transport,
            stats: SyncStats::default(),
        };
        let started = Instant::now();
        let summary = sync_rounds::run(&mut self.store, &mut metered, |_| {})?;
        let mut stats = metered.stats;
        stats.wall = started.elapsed();
        if let Some(first) = summary.rejected.first() {
            bail!(
                "the server rejected {} generated check(s), e.g. {} ({}): {}",
                summary.rejected.len(),
                first.check,
                first.error,
                first.message
            );
        }
        stats.summary = summary;
        Ok(stats)
    }

    /// Syncs until nothing is pending, as a user re-running `fieldsync sync` would when a
    /// run gives up early ("run `fieldsync sync` again"). Returns the stats of every run.
    ///
    /// # Errors
    /// As [`Device::sync`], or still pending after 1,000 runs.
    pub fn sync_all(&mut self, url: &str) -> anyhow::Result<Vec<SyncStats>> {
        let mut runs = Vec::new();
        for _ in 0..1000 {
            match self.sync(url) {
                Ok(stats) => runs.push(stats),
                Err(err) if format!("{err:#}").contains("fieldsync sync` again") => {}
                Err(err) => return Err(err),
            }
            if self.pending()? == 0 && !runs.is_empty() {
                return Ok(runs);
            }
        }
        bail!("still pending after 1,000 syncs")
    }

    /// Sets which changed checks the server sends this device (`fieldsync init --receive`).
    ///
    /// # Errors
    /// Store failures.
    pub fn set_receive(&mut self, receive: Receive) -> anyhow::Result<()> {
        self.store.db().set_receive(receive)?;
        Ok(())
    }

    /// Edits one check (`index` into [`Device::ids`]) as this device, like `fieldsync edit`.
    ///
    /// # Errors
    /// No such check, or store failures.
    pub fn edit_one(&mut self, index: usize) -> anyhow::Result<CheckId> {
        let id = *self.ids.get(index).context("no such generated check")?;
        let author = self.author();
        let actor = self.identity.actor.clone();
        let mut generator = Generator::new(0xed17);
        self.store.write(|db| {
            let mut doc = db.load_existing(id)?.doc;
            doc.set_actor(actor);
            while !generator.edit(&mut doc, &author)? {}
            db.save_local(id, &mut doc)?;
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(id)
    }
}

/// Checks generated, then pushed, per step when filling a large server (bounds the memory
/// and the length of each sync run).
pub const DOCS_PER_STEP: usize = 20_000;

/// Times every round trip of the transport it wraps.
struct Metered<'t> {
    inner: &'t mut dyn Transport,
    stats: SyncStats,
}

impl Transport for Metered<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        let started = Instant::now();
        let result = self.inner.exchange(request);
        let took = started.elapsed();
        self.stats.in_exchange += took;
        self.stats.max_exchange = self.stats.max_exchange.max(took);
        if !request.messages.is_empty() && result.is_ok() {
            self.stats.last_upload = Some(Instant::now());
        }
        result
    }
}
