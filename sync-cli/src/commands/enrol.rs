//! `fieldsync enrol CODE`: enrol a device set up offline with the server, keeping its
//! identity (device id and Automerge actor) so everything recorded offline syncs under it;
//! and the enrolment exchange `fieldsync init --enrol` shares.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::wire::{EnrolRequest, EnrolResponse};

use super::init::check_server_url;
use super::open_store;
use crate::sync_client::{SyncClientError, refused};

/// Enrol this device with the server using a one-time code from an admin
/// (`fieldsync-server device enrol --user NAME`); the device keeps its data and identity.
#[derive(Debug, Args)]
pub struct Enrol {
    /// The enrolment code, e.g. 7K3M-Q9TZ-X2RB.
    pub code: String,
    /// The server, e.g. http://127.0.0.1:8080 [default: the one given at init or last synced].
    #[arg(long, env = "FIELDSYNC_SERVER", value_name = "URL")]
    pub server: Option<String>,
}

impl Enrol {
    /// Exchanges the code for a token and stores it.
    ///
    /// # Errors
    /// No server known, the server unreachable, or the code refused (unknown, used, expired,
    /// or for another user than the one this device writes as).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let meta = store.db().meta()?;
        let Some(server) = self.server.or(meta.server_url.clone()) else {
            bail!("no server known: pass --server URL or set FIELDSYNC_SERVER");
        };
        let server = check_server_url(&server)?;
        let request = EnrolRequest {
            code: self.code,
            device: meta.device_id.clone(),
            actor: meta.actor.to_hex_string(),
            name: Some(meta.user.clone()),
            role: Some(meta.role),
        };
        let answer = exchange(&server, &request)?;
        store
            .db()
            .set_enrolment(&answer.token, &server, &answer.user, answer.role)?;
        eprintln!("{}", enrolled_line(&answer, &meta.device_id));
        Ok(())
    }
}

/// `تم التسجيل / enrolled: ana (inspector, team north), device ...`.
pub fn enrolled_line(answer: &EnrolResponse, device: &str) -> String {
    format!(
        "تم تسجيل الجهاز / device enrolled: {} ({}, team {}), device {device}",
        answer.user,
        answer.role.as_str(),
        answer.team
    )
}

/// `POST /api/v1/enrol`.
///
/// # Errors
/// The server unreachable, the code refused (the server's message), or an unreadable answer.
pub fn exchange(server: &str, request: &EnrolRequest) -> anyhow::Result<EnrolResponse> {
    let url = format!("{server}/api/v1/enrol");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut response =
        agent
            .post(&url)
            .send_json(request)
            .map_err(|e| SyncClientError::Unreachable {
                url: url.clone(),
                source: Box::new(e),
            })?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_vec()
        .with_context(|| format!("reading the answer of {url}"))?;
    if status >= 400 {
        let err = refused(&url, status, &body);
        return Err(anyhow::Error::new(err).context("التسجيل مرفوض / enrolment refused"));
    }
    serde_json::from_slice(&body).with_context(|| format!("unreadable answer from {url}"))
}

/// Turns a 401 from the server into the message a person can act on; other errors pass.
pub fn explain_unauthorised(err: anyhow::Error, server: &str) -> anyhow::Error {
    let unauthorised = err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<SyncClientError>(),
            Some(SyncClientError::Refused { status: 401, .. })
        )
    });
    if !unauthorised {
        return err;
    }
    err.context(format!(
        "الجهاز غير مسجّل لدى الخادم أو أُلغي تسجيله؛ بياناتك محفوظة على الجهاز / this device is \
         not enrolled with {server}, was revoked, or enrolled after the backup the server was \
         restored from: every check stays on this device, unsynced ones included; ask an admin \
         for a code (fieldsync-server device enrol --user NAME), then run `fieldsync enrol CODE`"
    ))
}
