//! Size limits: oversized documents are refused without storing their bytes, and responses
//! are bounded in bytes so a batch fits between the cuts of a poor link.

use fieldsync_schema::wire::BATCH_BYTES;

use crate::support::{Device, TestApp, bakery};

/// A bakery check with `notes` characters of varied Arabic notes (Automerge compresses
/// repeated text to almost nothing, so the text must not repeat).
fn with_notes(device: &mut Device, site: &str, notes: usize) -> fieldsync_schema::CheckId {
    let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ".chars().collect();
    let mut seed: u64 = site.bytes().map(u64::from).sum::<u64>() + 1;
    let mut text = String::with_capacity(notes * 2);
    for _ in 0..notes {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        text.push(letters[(seed >> 33) as usize % letters.len()]);
    }
    let mut new = bakery(site, "2026-03-29T10:15:00+03:00");
    new.notes = text;
    device.record(&new)
}

#[tokio::test]
async fn an_oversized_document_is_rejected_too_large_and_its_bytes_are_not_kept() {
    let app = TestApp::with(
        |mut config| {
            config.max_document_bytes = 4096;
            config
        },
        |state| state,
    );
    let mut ana = Device::new("ana");
    let big = with_notes(&mut ana, "SITE-BIG", 20_000);
    let small = with_notes(&mut ana, "SITE-SMALL", 100);
    let response = app.sync(&ana.request(&[big, small])).await;
    assert_eq!(response.rejected.len(), 1, "{response:?}");
    let rejection = &response.rejected[0];
    assert_eq!(
        (rejection.check, rejection.error.as_str()),
        (big, "too_large")
    );
    assert!(
        rejection.message.contains("4096"),
        "names the limit: {}",
        rejection.message
    );
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "the small one is stored: {list}"
    );
    let quarantined = app.state.store().quarantined().expect("quarantine");
    assert_eq!(quarantined.len(), 1);
    assert!(quarantined[0].reason.starts_with("too_large"));
    assert!(
        quarantined[0].message.is_empty(),
        "the oversized payload is not stored"
    );
}

#[tokio::test]
async fn a_pull_of_large_checks_comes_in_responses_bounded_in_bytes() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let checks: Vec<_> = (0..12)
        .map(|i| with_notes(&mut ana, &format!("S-{i}"), 6_000))
        .collect();
    for chunk in checks.chunks(2) {
        ana.sync_all(&app, chunk).await;
    }
    let mut sara = Device::new("sara");
    let responses = sara.sync_all(&app, &[]).await;
    assert!(responses.len() > 1, "paged by bytes, not only by count");
    for response in &responses {
        let bytes: usize = response.messages.iter().map(|m| m.message.len()).sum();
        assert!(
            response.messages.len() == 1 || bytes <= 2 * BATCH_BYTES,
            "{bytes} bytes in {} messages",
            response.messages.len()
        );
    }
    let received: usize = responses.iter().map(|r| r.messages.len()).sum();
    assert_eq!(received, checks.len());
}
