//! Connections cut mid-request and mid-response, and requests delivered twice and out of
//! order: the device and the server converge, nothing is stored twice.

use anyhow::{Result, ensure};

use crate::harness::Device;
use crate::process::ServerProcess;
use crate::proxy::{Plan, Proxy};
use crate::support::{
    Changes, DeviceState, Rng, acknowledged_present, edit_checks, finish, iterations, seed_checks,
};

/// Sends `request` again, straight to the server; the answer must not be a server error.
fn replay(server: &ServerProcess, request: &crate::proxy::Request) -> Result<()> {
    let mut call = ureq::post(&format!("{}{}", server.url(), request.path))
        .config()
        .http_status_as_error(false)
        .build();
    for (name, value) in &request.headers {
        let forwarded = [
            "authorization",
            "content-type",
            "content-encoding",
            "accept-encoding",
        ];
        if forwarded.contains(&name.as_str()) {
            call = call.header(name, value);
        }
    }
    let response = call.send(&request.body[..])?;
    let status = response.status().as_u16();
    // Replayed as the device sent it (its token included), it is served again: Automerge
    // ignores the changes the server already has.
    ensure!(status == 200, "a replayed request got {status}");
    Ok(())
}

#[test]
fn cut_duplicated_and_reordered_requests_converge_without_duplicates() -> Result<()> {
    let iterations = iterations(4);
    let mut rng = Rng::new();
    let root = tempfile::tempdir()?;
    let server = ServerProcess::start(&root.path().join("data"), &[])?;
    let upstream = server.url().trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(&upstream)?;
    let ana = Device::init_with("ana", "inspector", &["--receive", "all"])?;
    server.enrol(&ana)?;
    let mut changes = Changes::default();
    let mut replayed = 0;
    let mut interrupted = 0;
    for i in 0..iterations {
        let old = changes.pick(10, &mut rng);
        changes.edited_to(&edit_checks(ana.home(), &old, &mut rng)?);
        changes.seeded(&seed_checks(ana.home(), 60, &mut rng)?);

        // Each way carries about 10 KB (gzip) per iteration: cut somewhere inside.
        let cut = 1 + rng.below(9_000) as usize;
        proxy.plan(if i % 2 == 0 {
            Plan::CutRequest(cut)
        } else {
            Plan::CutResponse(cut)
        });
        // The cut sync may fail or, if the cut fell after its last byte, succeed.
        interrupted += usize::from(ana.sync_url(proxy.url()).is_err());
        acknowledged_present(&DeviceState::read(ana.home())?, &server)?;
        ana.sync_url(proxy.url())?;

        // Every request of this iteration again, in reverse order, then a sync.
        let mut requests = proxy.take_requests();
        requests.reverse();
        for request in &requests {
            replay(&server, request)?;
        }
        replayed += requests.len();
        ana.sync_url(proxy.url())?;
        acknowledged_present(&DeviceState::read(ana.home())?, &server)?;
    }
    ensure!(replayed > 0, "no request was replayed");
    ana.sync_url(server.url())?;
    finish(
        "connection cut/dup/reorder",
        (iterations, interrupted),
        &changes,
        ana.home(),
        &server,
        rng.seed,
    )
}
