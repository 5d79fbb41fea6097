//! `GET /api/v1/export?format=F&kind=&resolution=&state=&since=&until=&site=&lang=`: the
//! checks a filter covers as CSV, JSON, NDJSON, GeoJSON or XLSX, streamed, so spreadsheet
//! and GIS tools can pull them.
//!
//! The walk ([`Store::for_each_record`]) runs on a blocking thread and pushes each record to
//! the format's encoder ([`fieldsync_schema::export`]), which writes into a
//! [`ChannelWriter`]: 64 KiB chunks through a bounded channel into the response body. A
//! slow client slows the walk (the channel is full) instead of filling memory; a client
//! that goes away stops it. XLSX is zipped when the walk ends, so its body starts then.
//!
//! The status and headers are sent before the walk: a store failure during it cannot
//! become a 500 any more, so it is logged and the body is cut (the chunked encoding is
//! never terminated), and a client sees a failed download rather than a short file that
//! looks whole.

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse as _, Response};
use fieldsync_schema::export::{ExportError, Format, encoder};
use fieldsync_schema::{Lang, RecordFilter};
use tokio::sync::mpsc;

use super::record_query::{filter_parameters, refuse_repeats, set_filter};
use crate::auth::{RequireRole, Supervisor};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Store;

/// Bytes gathered before a chunk is sent to the body.
const CHUNK: usize = 64 * 1024;

/// Chunks waiting in the channel at most (so at most about 0.5 MiB per export in flight).
const CHUNKS: usize = 8;

/// One export request, as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportQuery {
    /// The format (`format=`, required).
    pub format: Format,
    /// XLSX sheet names, headers and direction (`lang=ar|en`, default `ar`).
    pub lang: Lang,
    /// Which checks.
    pub filter: RecordFilter,
}

/// Streams the export the query asks for, with `Content-Type` and a `Content-Disposition`
/// naming a file (`fieldsync-checks.csv`).
///
/// Supervisors and admins only: an export covers every team's checks.
///
/// # Errors
/// 401 without a valid token, 403 for an inspector; 400 naming the parameter, value and rule for a missing or unknown format, an unknown
/// language, a bad filter value or an unknown parameter. A store failure after the status
/// was sent cuts the body (see the [module docs](self)).
pub async fn export(
    _reader: RequireRole<Supervisor>,
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) =
        query.map_err(|e| ApiError::bad_request(format!("malformed query: {}", e.body_text())))?;
    let query = parse_query(&pairs)?;
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(CHUNKS);
    let store = Arc::clone(state.store());
    let format = query.format;
    tokio::task::spawn_blocking(move || stream(store.as_ref(), &query, tx));
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let disposition = format!("attachment; filename=\"fieldsync-checks.{format}\"");
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// Reads the query; a repeated parameter is refused.
///
/// # Errors
/// 400 naming the parameter and value.
pub fn parse_query(pairs: &[(String, String)]) -> Result<ExportQuery, ApiError> {
    refuse_repeats(pairs)?;
    let mut format = None;
    let mut lang = Lang::Ar;
    let mut filter = RecordFilter::default();
    for (key, value) in pairs {
        match key.as_str() {
            "format" => {
                format =
                    Some(value.parse::<Format>().map_err(|e| {
                        ApiError::bad_request(format!("query parameter format: {e}"))
                    })?);
            }
            "lang" => {
                lang = value
                    .parse::<Lang>()
                    .map_err(|e| ApiError::bad_request(format!("query parameter lang: {e}")))?;
            }
            other => {
                if !set_filter(&mut filter, other, value)? {
                    return Err(ApiError::bad_request(format!(
                        "unknown query parameter {other:?}: expected format, lang, {}",
                        filter_parameters()
                    )));
                }
            }
        }
    }
    let format = format.ok_or_else(|| {
        ApiError::bad_request(
            "query parameter format is required: csv, json, ndjson, geojson or xlsx",
        )
    })?;
    Ok(ExportQuery {
        format,
        lang,
        filter,
    })
}

/// The walk behind [`export`], on a blocking thread: records into the encoder, chunks into
/// `tx`. A failure other than the client going away is logged and sent as the body's error.
fn stream(store: &dyn Store, query: &ExportQuery, tx: mpsc::Sender<io::Result<Bytes>>) {
    let mut out = ChannelWriter {
        tx: tx.clone(),
        buf: Vec::with_capacity(CHUNK),
    };
    match walk(store, query, &mut out) {
        Ok(()) => {}
        Err(ExportError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            tracing::debug!("export stopped: the client went away");
        }
        Err(e) => {
            tracing::error!(error = %e, "export failed after its status was sent; body cut");
            let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
        }
    }
}

fn walk(
    store: &dyn Store,
    query: &ExportQuery,
    out: &mut ChannelWriter,
) -> Result<(), ExportError> {
    let mut sink = encoder(query.format, out, query.lang, &query.filter)?;
    let mut failed = None;
    let walked = store
        .for_each_record(&query.filter, &mut |record| match sink.push(&record) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        })
        .map_err(|e| ExportError::Io(io::Error::other(e.to_string())))?;
    if let Some(e) = failed {
        return Err(e);
    }
    let totals = sink.finish()?;
    tracing::info!(
        format = %query.format,
        records = totals.records,
        without_location = totals.without_location,
        unreadable = walked.unreadable.len(),
        "export sent"
    );
    Ok(())
}

/// A [`Write`] into the response body: bytes gather into `CHUNK`-sized chunks (64 KiB), each sent
/// through the bounded channel (waiting while it is full). Once the body is gone (the
/// client disconnected), writes fail with [`io::ErrorKind::BrokenPipe`].
pub struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
