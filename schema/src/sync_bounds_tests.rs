use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::sync::{Have, Message, State, SyncDoc as _};
use automerge::transaction::Transactable as _;
use automerge::{AutoCommit, ROOT};

use super::*;

fn leb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A v1 message built byte by byte: `haves` are (last_sync, bloom bytes).
fn message(heads: &[[u8; 32]], haves: &[(Vec<[u8; 32]>, Vec<u8>)], changes: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![MESSAGE_V1];
    leb(&mut out, heads.len() as u64);
    heads.iter().for_each(|h| out.extend(h));
    leb(&mut out, 0);
    leb(&mut out, haves.len() as u64);
    for (last_sync, bloom) in haves {
        leb(&mut out, last_sync.len() as u64);
        last_sync.iter().for_each(|h| out.extend(h));
        leb(&mut out, bloom.len() as u64);
        out.extend(bloom);
    }
    leb(&mut out, changes.len() as u64);
    for change in changes {
        leb(&mut out, change.len() as u64);
        out.extend(change);
    }
    out
}

fn bloom(entries: u64, bits_per_entry: u64, probes: u64, bits: usize) -> Vec<u8> {
    let mut out = Vec::new();
    leb(&mut out, entries);
    leb(&mut out, bits_per_entry);
    leb(&mut out, probes);
    out.resize(out.len() + bits, 0xff);
    out
}

/// A document with `n` changes.
fn doc_with_changes(n: usize) -> AutoCommit {
    let mut doc = AutoCommit::new();
    for i in 0..n {
        doc.put(ROOT, "n", i as i64).expect("put");
        doc.commit();
    }
    doc
}

fn bounds() -> MessageBounds {
    MessageBounds::default()
}

#[test]
fn messages_automerge_writes_pass_with_their_counts() {
    let mut doc = doc_with_changes(3);
    let mut state = State::new();
    let first = doc.sync().generate_sync_message(&mut state).expect("msg");
    let shape = check_message(&first.encode(), &bounds()).expect("first message");
    assert_eq!(
        (shape.version, shape.heads, shape.haves),
        (MESSAGE_V1, 1, 1)
    );

    // A peer's reply that asks for everything, then the message carrying the changes (v1).
    let mut peer = AutoCommit::new();
    let mut peer_state = State::new();
    let mut state = State::new();
    let to_peer = doc.sync().generate_sync_message(&mut state).expect("msg");
    peer.sync()
        .receive_sync_message(&mut peer_state, to_peer)
        .expect("receive");
    let reply = peer
        .sync()
        .generate_sync_message(&mut peer_state)
        .expect("reply");
    check_message(&reply.clone().encode(), &bounds()).expect("reply");
    doc.sync()
        .receive_sync_message(&mut state, reply)
        .expect("receive reply");
    let changes = doc
        .sync()
        .generate_sync_message(&mut state)
        .expect("changes");
    let shape = check_message(&changes.encode(), &bounds()).expect("changes message");
    assert_eq!(
        shape.chunks.count(),
        1,
        "a v2 document or v1 changes: {shape:?}"
    );
    assert!(shape.chunks.decoded_bytes > 0);
}

#[test]
fn an_empty_bloom_bit_array_crashes_automerge_and_is_refused_here() {
    // Heads the server does not know keep the peer's `have` in the state, and an empty
    // `last_sync` makes Automerge consult its Bloom filter: 1 entry of 0 bits is a filter of
    // no bytes, and every lookup takes a remainder modulo 0.
    let crafted = message(&[[7; 32]], &[(vec![], bloom(1, 0, 7, 0))], &[]);
    let err = check_message(&crafted, &bounds()).expect_err("refused");
    assert!(err.to_string().contains("num_bits_per_entry is 0"), "{err}");
    assert_eq!(err.breach(), Breach::Malformed);

    let decoded = Message::decode(&crafted).expect("automerge decodes it");
    let mut doc = doc_with_changes(2);
    let mut state = State::new();
    doc.sync()
        .receive_sync_message(&mut state, decoded)
        .expect("automerge accepts it");
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        doc.sync().generate_sync_message(&mut state)
    }));
    std::panic::set_hook(hook);
    assert!(outcome.is_err(), "automerge 0.12 panics on this filter");
}

#[test]
fn absurd_bloom_parameters_are_refused_before_any_allocation() {
    // A filter of 2^32-1 probes would make automerge reserve 16 GiB; it is never decoded here.
    for (filter, needle) in [
        (
            bloom(1, 10, u64::from(u32::MAX), 2),
            "num_probes is 4294967295",
        ),
        (bloom(1, 10, 0, 2), "num_probes is 0"),
        (bloom(0, 10, 7, 0), "num_entries is 0"),
        (
            bloom(u64::from(u32::MAX), 10, 7, 0),
            "num_entries is 4294967295",
        ),
        (
            bloom(1, u64::from(u32::MAX), 7, 0),
            "num_bits_per_entry is 4294967295",
        ),
        (
            bloom(4, 10, 7, 4),
            "4 bytes of bits; 4 entries of 10 bits need exactly 5",
        ),
        (bloom(4, 10, 7, 6), "6 bytes of bits"),
        (vec![0xff; 11], "not valid LEB128"),
        (vec![0x81], "ends"),
    ] {
        let crafted = message(&[], &[(vec![], filter)], &[]);
        let err = check_message(&crafted, &bounds()).expect_err(needle);
        assert!(err.to_string().contains(needle), "{err} lacks {needle}");
    }
    check_message(
        &message(&[], &[(vec![], bloom(4, 10, 7, 5))], &[]),
        &bounds(),
    )
    .expect("a well-formed filter");
}

#[test]
fn every_truncation_of_a_real_message_is_refused_or_whole() {
    let mut doc = doc_with_changes(2);
    let mut peer_state = State::new();
    peer_state.their_heads = Some(vec![]);
    peer_state.their_need = Some(vec![]);
    peer_state.their_have = Some(vec![Have::default()]);
    let full = doc
        .sync()
        .generate_sync_message(&mut peer_state)
        .expect("msg")
        .encode();
    check_message(&full, &bounds()).expect("whole");
    for len in 0..full.len() {
        match check_message(&full[..len], &bounds()) {
            Err(err) => assert_eq!(err.breach(), Breach::Malformed, "{len}: {err}"),
            // Cut exactly before the optional flags: still a whole message.
            Ok(shape) => assert!(len + 4 >= full.len(), "{len}: {shape:?}"),
        }
    }
}

#[test]
fn counts_over_their_bounds_are_refused_naming_the_count() {
    let heads = vec![[1; 32]; MAX_HEADS as usize + 1];
    let err = check_message(&message(&heads, &[], &[]), &bounds()).expect_err("heads");
    assert_eq!(err.to_string(), "heads is 257; at most 256 are accepted");
    // A count far beyond the message's bytes fails on the count, not on reading.
    let mut huge = vec![MESSAGE_V1];
    leb(&mut huge, u64::MAX);
    let err = check_message(&huge, &bounds()).expect_err("huge");
    assert!(
        err.to_string().starts_with("heads is 18446744073709551615"),
        "{err}"
    );
}

fn change_chunk(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = CHUNK_MAGIC_FOR_TESTS.to_vec();
    out.extend([0; 4]);
    out.push(kind);
    leb(&mut out, data.len() as u64);
    out.extend(data);
    out
}

const CHUNK_MAGIC_FOR_TESTS: [u8; 4] = crate::sync_chunks::CHUNK_MAGIC;

#[test]
fn too_many_changes_is_its_own_breach() {
    let small = MessageBounds {
        max_changes: 3,
        ..bounds()
    };
    // A real change: its header and columns are read too.
    let chunk = doc_with_changes(1).get_changes(&[])[0].raw_bytes().to_vec();
    let four = message(&[], &[], &vec![chunk.clone(); 4]);
    let err = check_message(&four, &small).expect_err("4 > 3");
    assert_eq!(err.breach(), Breach::TooManyChanges);
    assert!(err.to_string().contains("changes is 4; at most 3"), "{err}");
    // Chunks packed into one item count one by one.
    let packed = message(&[], &[], &[chunk.repeat(4)]);
    assert_eq!(
        check_message(&packed, &small).map_err(|e| e.breach()),
        Err(Breach::TooManyChanges)
    );
    check_message(&message(&[], &[], &vec![chunk; 3]), &small).expect("3 is fine");
}

#[test]
fn a_deflate_bomb_is_refused_without_inflating_it_whole() {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0; 64 << 20]).expect("deflate");
    let bomb = encoder.finish().expect("deflate");
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let crafted = message(&[], &[], &[change_chunk(2, &bomb)]);
    let err = check_message(&crafted, &bounds()).expect_err("bomb");
    assert_eq!(err.breach(), Breach::TooLarge);
    assert!(
        err.to_string()
            .contains("decode to more than 16777216 bytes"),
        "{err}"
    );
}

#[test]
fn malformed_chunks_and_framing_are_refused_with_a_reason() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![], "empty"),
        (vec![0x44], "first byte is 0x44"),
        (message(&[], &[], &[vec![]]), "change 0: it is empty"),
        (message(&[], &[], &[b"garbage!!".to_vec()]), "magic bytes"),
        (message(&[], &[], &[change_chunk(3, b"")]), "bundle"),
        (message(&[], &[], &[change_chunk(9, b"")]), "chunk type 9"),
        (
            message(&[], &[], &[change_chunk(2, b"not deflate")]),
            "does not inflate",
        ),
        (message(&[], &[], &[change_chunk(0, &[5])]), "actor 0"),
        (
            [message(&[], &[], &[]), vec![1, 2, 3]].concat(),
            "1 bytes follow",
        ),
    ];
    for (bytes, needle) in cases {
        let err = check_message(&bytes, &bounds()).expect_err(needle);
        assert!(err.to_string().contains(needle), "{err} lacks {needle}");
    }
    let len = bounds().max_bytes + 1;
    let err = check_message(&vec![MESSAGE_V1; len], &bounds()).expect_err("size");
    assert_eq!(err.breach(), Breach::TooLarge);
}

#[test]
fn a_whole_document_chunk_is_one_change_and_its_columns_count_inflated() {
    let mut doc = doc_with_changes(50);
    let saved = doc.save();
    let crafted = message(&[], &[], std::slice::from_ref(&saved));
    let shape = check_message(&crafted, &bounds()).expect("document");
    assert_eq!((shape.chunks.documents, shape.chunks.changes), (1, 0));
    assert!(shape.chunks.decoded_bytes >= saved.len(), "{shape:?}");
    let tight = MessageBounds {
        max_decoded_bytes: saved.len() / 2,
        ..bounds()
    };
    assert_eq!(
        check_message(&crafted, &tight).map_err(|e| e.breach()),
        Err(Breach::TooLarge)
    );
}

#[test]
fn framing_refuses_bundles_and_partial_chunks_but_passes_saved_documents() {
    let mut doc = doc_with_changes(3);
    let saved = doc.save();
    crate::sync_chunks::check_framing(&saved).expect("a saved document");
    let changes: Vec<u8> = doc
        .get_changes(&[])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    crate::sync_chunks::check_framing(&[saved.clone(), changes].concat()).expect("appended");
    let bundle = change_chunk(3, b"");
    let err = crate::sync_chunks::check_framing(&bundle).expect_err("bundle");
    assert!(err.contains("chunk type 3"), "{err}");
    let err = crate::sync_chunks::check_framing(&saved[..saved.len() - 1]).expect_err("cut");
    assert!(err.contains("ends"), "{err}");
}
