//! The device side of the batched sync protocol described in [`fieldsync_schema::sync`].
//!
//! Each round sends at most [`MAX_MESSAGES_PER_REQUEST`] messages: first the replies queued by
//! the previous response, then primed messages for pending documents not yet sent in this
//! run. Each response is applied in one transaction together with its cursor. Rounds go on
//! while replies are queued, pending documents are left, or the server says `more`.
//!
//! A check the server names in `wanted` (its copy was damaged on disk) that this device
//! holds becomes pending again, its sync state forgotten, and goes whole in the next round:
//! once per run, so a server that keeps asking costs one message per check and sync.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use anyhow::bail;
use automerge::ChangeHash;
use fieldsync_schema::CheckId;
use fieldsync_schema::wire::{
    BATCH_BYTES, DeletedCheck, DocMessage, MAX_MESSAGES_PER_REQUEST, MAX_WINDOW_BYTES, Rejection,
    SyncRequest, SyncResponse,
};

use crate::store::Store;
use crate::sync_client::{SyncClientError, Transport};

/// Rounds in a row in which no document moved (no pending document sent for the first time in
/// this run, none changed by what was received, none acknowledged) after which a sync gives
/// up: the server keeps asking for more, or the two sides keep answering each other, without
/// anything changing. A long sync that makes progress is never cut short.
pub const MAX_ROUNDS: u32 = 50;

/// What a sync did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Messages sent that carried changes.
    pub sent: usize,
    /// Documents changed on this device by what was received.
    pub received: usize,
    /// Documents the server refused, in the order reported.
    pub rejected: Vec<Rejection>,
    /// Deleted checks: those this device sent changes to, as the server reported them (the
    /// tombstone itself arrives with the messages, so they read as deleted here too), then
    /// those it held and received the tombstone of.
    pub deleted: Vec<DeletedCheck>,
    /// Checks the server asked for whole (its copy was damaged on disk) and this device
    /// sent again.
    pub resent: Vec<CheckId>,
    /// HTTP round trips.
    pub rounds: u32,
    /// Request bytes.
    pub bytes_up: u64,
    /// Response bytes (decoded).
    pub bytes_down: u64,
}

/// A message to send, and whether it carries changes (for the summary).
#[derive(Debug, Clone)]
struct Outgoing {
    message: DocMessage,
    has_changes: bool,
    /// The heads the message announces; acknowledged if the server neither replies nor
    /// rejects.
    heads: Vec<ChangeHash>,
}

/// What a sync run reports while it goes, for progress display.
pub trait Observer {
    /// Called once before the first round with the number of pending documents.
    fn started(&mut self, _pending: usize) {}
    /// Called after each round with the totals so far.
    fn round(&mut self, _so_far: &Summary) {}
    /// Called for each document the server refused.
    fn rejected(&mut self, _rejection: &Rejection) {}
    /// Called when the device forgets what it believed the server holds and starts over.
    fn reset(&mut self, _reason: &str) {}
    /// Called for each deleted check this device sent changes to, or held and received
    /// the tombstone of.
    fn deleted(&mut self, _deleted: &DeletedCheck) {}
    /// Called for each check the server asked for whole (its copy was damaged), which this
    /// device holds and sends again.
    fn resent(&mut self, _check: CheckId) {}
}

/// Why the device must forget what it believes the server holds, if it must: the server
/// says the device's cursor is ahead of it (restored from a backup), or it is another server.
fn reset_reason(known: Option<&str>, response: &SyncResponse) -> Option<String> {
    match known {
        Some(id) if id != response.server => Some(format!(
            "this is a different server (id {} instead of {id}); offering every check again",
            response.server
        )),
        _ if response.reset => Some(
            "the server holds less than this device last saw (restored from a backup?); \
             offering every check again"
                .to_owned(),
        ),
        _ => None,
    }
}

/// An [`Observer`] that only passes rejections to a closure.
struct OnRejection<F>(F);

impl<F: FnMut(&Rejection)> Observer for OnRejection<F> {
    fn rejected(&mut self, rejection: &Rejection) {
        (self.0)(rejection);
    }
}

/// Runs rounds until nothing is left to exchange, passing rejections to `on_rejection` as
/// they arrive. See [`run_observed`].
///
/// # Errors
/// As [`run_observed`].
pub fn run(
    store: &mut Store,
    transport: &mut dyn Transport,
    on_rejection: impl FnMut(&Rejection),
) -> anyhow::Result<Summary> {
    run_observed(store, transport, &mut OnRejection(on_rejection))
}

/// Runs rounds until nothing is left to exchange. Rejections are collected in the summary
/// (and reported to `observer` as they arrive), never turned into an error here.
///
/// # Errors
/// A transport failure (earlier rounds stay applied), a store failure, a malformed message
/// from the server, or [`MAX_ROUNDS`] rounds in a row without progress.
pub fn run_observed(
    store: &mut Store,
    transport: &mut dyn Transport,
    observer: &mut dyn Observer,
) -> anyhow::Result<Summary> {
    run_fetching(store, transport, observer, &[])
}

/// As [`run_observed`], and also asks the server for the checks in `wanted` that this device
/// does not hold (`fieldsync fetch`): each goes out as the first message of an empty
/// document, which the server answers with the whole check and, from then on, counts the
/// check as held by this device (so [`Receive::Own`](fieldsync_schema::wire::Receive)
/// devices receive its changes). A wanted check the server does not have is simply not
/// there afterwards; the caller checks.
///
/// # Errors
/// As [`run_observed`].
pub fn run_fetching(
    store: &mut Store,
    transport: &mut dyn Transport,
    observer: &mut dyn Observer,
    wanted: &[CheckId],
) -> anyhow::Result<Summary> {
    let meta = store.db().meta()?;
    let device = meta.device_info();
    let receive = store.db().receive()?;
    let mut cursor = meta.cursor;
    let mut horizon = store.db().horizon()?;
    let mut queue: VecDeque<Outgoing> = fetch_messages(store.db(), wanted)?;
    let mut sent_ids: BTreeSet<CheckId> = BTreeSet::new();
    // Checks sent whole again because the server asked (`wanted`): once each per run, so a
    // server that keeps asking cannot keep the device busy.
    let mut resent: BTreeSet<CheckId> = BTreeSet::new();
    // Pending documents are listed once per run (and after a reset), not every round: the
    // scan costs milliseconds on a large store, and a round takes one batch off the front.
    let mut todo: VecDeque<CheckId> = store.db().pending_ids()?.into();
    let mut summary = Summary::default();
    let mut resets = 0;
    let mut stalled = 0;
    let mut window = BATCH_BYTES;
    // Lowered when the server refuses a round as too many operations together.
    let mut max_messages = MAX_MESSAGES_PER_REQUEST;
    observer.started(todo.len());
    loop {
        if stalled >= MAX_ROUNDS {
            bail!(
                "sync made no progress in {MAX_ROUNDS} round trips in a row; run `fieldsync sync` again"
            );
        }
        let queued = queue.len();
        let limit = Batch {
            window,
            messages: max_messages,
        };
        let batch = next_batch(store.db(), &mut queue, &mut todo, &mut sent_ids, limit)?;
        // Kept to send again, fewer per round, if the server finds them too many operations.
        let retry: Vec<Outgoing> = batch.clone();
        // Replies re-send documents already in flight; only pending ones are new work.
        let fresh = batch.len() - (queued - queue.len());
        summary.sent += batch.iter().filter(|o| o.has_changes).count();
        let sent: Vec<(CheckId, Vec<ChangeHash>)> = batch
            .iter()
            .map(|o| (o.message.check, o.heads.clone()))
            .collect();
        let request = SyncRequest {
            device: device.clone(),
            cursor,
            horizon: horizon.clone(),
            receive,
            messages: batch.into_iter().map(|o| o.message).collect(),
            window: (window > BATCH_BYTES).then(|| u32::try_from(window).unwrap_or(u32::MAX)),
        };
        let started = Instant::now();
        let exchange = match transport.exchange(&request) {
            Err(SyncClientError::Refused {
                status: 413, code, ..
            }) if code == "too_many_operations" && retry.len() > 1 => {
                max_messages = retry.len() / 2;
                summary.sent -= retry.iter().filter(|o| o.has_changes).count();
                for out in retry.into_iter().rev() {
                    sent_ids.remove(&out.message.check);
                    queue.push_front(out);
                }
                continue;
            }
            other => other?,
        };
        window = next_window(window, started.elapsed());
        summary.rounds += 1;
        summary.bytes_up += exchange.bytes_up;
        summary.bytes_down += exchange.bytes_down;
        let response = exchange.response;
        let known = store.db().server_id()?;
        if let Some(reason) = reset_reason(known.as_deref(), &response) {
            if resets > 0 {
                bail!(
                    "the server asked this device to start over twice in one sync ({reason}); run `fieldsync sync` again"
                );
            }
            resets += 1;
            observer.reset(&reason);
            store.write(|db| db.reset_sync(&response.server))?;
            (cursor, horizon, queue) = (0, None, VecDeque::new());
            sent_ids = BTreeSet::new();
            todo = store.db().pending_ids()?.into();
            continue;
        }
        let (applied, wanted) = store.write(|db| {
            if known.is_none() {
                db.set_server_id(&response.server)?;
            }
            let applied = apply::apply_response(db, &sent, &response)?;
            let wanted = apply::forget_wanted(db, &response.wanted, &resent)?;
            anyhow::Ok((applied, wanted))
        })?;
        cursor = response.cursor;
        if response.horizon.as_ref().map(|h| h.seq) >= horizon.as_ref().map(|h| h.seq) {
            horizon.clone_from(&response.horizon);
        }
        summary.received += applied.received;
        let moved = fresh + applied.received + applied.acknowledged;
        stalled = if moved > 0 { 0 } else { stalled + 1 };
        for rejection in &response.rejected {
            observer.rejected(rejection);
        }
        summary.rejected.extend(response.rejected);
        let mut deleted = response.deleted;
        for d in applied.deleted {
            if !deleted.iter().any(|known| known.check == d.check) {
                deleted.push(d);
            }
        }
        for d in &deleted {
            observer.deleted(d);
        }
        summary.deleted.extend(deleted);
        observer.round(&summary);
        queue.extend(applied.replies);
        todo.retain(|id| !sent_ids.contains(id));
        // Each wanted check goes whole next round, in place of any reply queued for it.
        for id in wanted {
            observer.resent(id);
            queue.retain(|o| o.message.check != id);
            sent_ids.remove(&id);
            todo.push_front(id);
            resent.insert(id);
            summary.resent.push(id);
        }
        if queue.is_empty() && todo.is_empty() && !response.more {
            return Ok(summary);
        }
    }
}

/// A round trip faster than this doubles the window; one slower than [`SLOW_ROUND`] halves it.
const FAST_ROUND: Duration = Duration::from_secs(1);
/// See [`FAST_ROUND`]: on 2G a 16 KiB round takes about 6.5 s, so the window stays small.
const SLOW_ROUND: Duration = Duration::from_secs(4);

/// The window for the next round: grown on a fast link (up to [`MAX_WINDOW_BYTES`]) so a
/// good connection is not held to 2G-sized rounds, shrunk on a slow one (down to
/// [`BATCH_BYTES`]) so a round fits between the cuts of a poor link.
fn next_window(window: usize, round_trip: Duration) -> usize {
    if round_trip < FAST_ROUND {
        (window * 2).min(MAX_WINDOW_BYTES)
    } else if round_trip > SLOW_ROUND {
        (window / 2).max(BATCH_BYTES)
    } else {
        window
    }
}

#[path = "sync_apply.rs"]
mod apply;

#[path = "sync_batch.rs"]
mod batch;
use batch::{Batch, fetch_messages, next_batch, outgoing};

#[cfg(test)]
#[path = "sync_rounds_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sync_fetch_tests.rs"]
mod fetch_tests;

#[cfg(test)]
#[path = "sync_wanted_tests.rs"]
mod wanted_tests;

#[cfg(test)]
#[path = "sync_budget_tests.rs"]
mod budget_tests;
