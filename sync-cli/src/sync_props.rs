//! Protocol-level property test: random interleavings of offline edits on 2-4 devices, with
//! random sync order, lost responses and duplicated requests, all converge to identical
//! documents on every device and the server, and no change made anywhere is lost.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use fieldsync_schema::wire::SyncRequest;
use fieldsync_schema::{CheckId, Role};
use proptest::prelude::*;

use crate::store::Store;
use crate::sync_client::{Exchange, SyncClientError, Transport};
use crate::sync_rounds::run;
use crate::test_support::{LocalServer, bakery, edit, new_store};

/// What can go wrong with one sync.
#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    /// The server processes the first request but its response never arrives.
    LoseResponse,
    /// Every request reaches the server twice (a retry after a timeout).
    Duplicate,
}

#[derive(Debug, Clone)]
enum Op {
    Record(usize),
    Edit {
        device: usize,
        check: usize,
        field: &'static str,
        value: u32,
    },
    Sync(usize, Fault),
}

/// A transport that injects `fault` into the real server's logic.
struct Faulty<'a> {
    server: &'a mut LocalServer,
    fault: Fault,
}

impl Transport for Faulty<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        match self.fault {
            Fault::None => self.server.exchange(request),
            Fault::LoseResponse => {
                self.server.exchange(request)?;
                self.fault = Fault::None;
                Err(SyncClientError::BadResponse {
                    url: "http://faulty".into(),
                    reason: "response lost".into(),
                })
            }
            Fault::Duplicate => {
                self.server.exchange(request)?;
                self.server.exchange(request)
            }
        }
    }
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        Just(Fault::None),
        Just(Fault::LoseResponse),
        Just(Fault::Duplicate)
    ];
    let field = prop::sample::select(vec!["bread_price_syp", "flour_received_kg", "operating"]);
    prop_oneof![
        1 => (0..devices).prop_map(Op::Record),
        4 => (0..devices, 0..4usize, field, 0..3000u32)
            .prop_map(|(device, check, field, value)| Op::Edit { device, check, field, value }),
        3 => (0..devices, fault).prop_map(|(d, f)| Op::Sync(d, f)),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2..=4usize).prop_flat_map(|devices| (Just(devices), prop::collection::vec(op(devices), 1..25)))
}

fn set(field: &str, value: u32) -> String {
    match field {
        "operating" => format!("operating={}", value.is_multiple_of(2)),
        other => format!("{other}={value}"),
    }
}

/// The ids of the checks on the device.
fn check_ids(store: &Store) -> Vec<CheckId> {
    let checks = store.db().checks().expect("checks").readable;
    checks.iter().map(|c| c.check.id).collect()
}

/// Every change hash of every document on the device.
fn changes(store: &Store) -> BTreeMap<CheckId, Vec<ChangeHash>> {
    check_ids(store)
        .into_iter()
        .map(|id| {
            let mut doc = store.db().load_existing(id).expect("doc").doc;
            let hashes = doc
                .automerge()
                .get_changes(&[])
                .iter()
                .map(|c| c.hash())
                .collect();
            (id, hashes)
        })
        .collect()
}

fn run_case(devices: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut server = LocalServer::default();
    let mut stores: Vec<_> = (0..devices)
        .map(|i| new_store(&format!("d{i}"), Role::Inspector))
        .collect();
    let mut known: Vec<Vec<CheckId>> = vec![Vec::new(); devices];
    let mut made: BTreeMap<CheckId, Vec<ChangeHash>> = BTreeMap::new();
    for op in ops {
        match op {
            Op::Record(d) => {
                let id = bakery(&[]).record(&mut stores[*d].1).expect("record");
                known[*d].push(id);
            }
            Op::Edit {
                device,
                check,
                field,
                value,
            } => {
                let Some(id) = known[*device]
                    .get(check % known[*device].len().max(1))
                    .copied()
                else {
                    continue;
                };
                edit(id, &[&set(field, *value)])
                    .apply(&mut stores[*device].1)
                    .expect("edit");
            }
            Op::Sync(d, fault) => {
                let mut transport = Faulty {
                    server: &mut server,
                    fault: *fault,
                };
                let outcome = run(&mut stores[*d].1, &mut transport, |_| {});
                prop_assert!(
                    outcome.is_ok() || matches!(fault, Fault::LoseResponse),
                    "{outcome:?}"
                );
                known[*d] = check_ids(&stores[*d].1);
            }
        }
        for (_, store) in &stores {
            for (id, hashes) in changes(store) {
                made.entry(id).or_default().extend(hashes);
            }
        }
    }
    // Two fault-free passes: the first spreads everything to the server, the second back.
    for _ in 0..2 {
        for (_, store) in &mut stores {
            run(store, &mut server, |_| {}).expect("final sync");
        }
    }
    let reference = stores[0].1.db().checks().expect("checks").readable;
    for (_, store) in &stores {
        let checks = store.db().checks().expect("checks").readable;
        prop_assert_eq!(&checks, &reference);
        prop_assert!(checks.iter().all(|c| !c.pending));
        for (id, hashes) in &made {
            let mut doc = store
                .db()
                .load_existing(*id)
                .expect("every check everywhere")
                .doc;
            for hash in hashes {
                prop_assert!(
                    doc.automerge().get_change_by_hash(hash).is_some(),
                    "change {hash} of {id} lost"
                );
            }
        }
    }
    for check in &reference {
        prop_assert_eq!(&server.check(check.check.id), &check.check);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn devices_converge_and_lose_nothing_despite_faults((devices, ops) in scenario()) {
        run_case(devices, &ops)?;
    }
}
