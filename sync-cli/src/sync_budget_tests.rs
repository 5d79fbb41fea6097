//! A round the server refuses as too many operations together is sent again in smaller
//! rounds: nothing is lost, and the sync completes.

use fieldsync_schema::Role;

use super::*;
use crate::sync_client::{Exchange, SyncClientError};
use crate::test_support::{LocalServer, bakery, new_store};

/// Refuses, as the server's per-request budget would, any request of more than
/// `most` messages; passes the rest to the real server logic.
struct Budget<'a> {
    server: &'a mut LocalServer,
    most: usize,
    sizes: Vec<usize>,
}

impl Transport for Budget<'_> {
    fn exchange(&mut self, request: &SyncRequest) -> Result<Exchange, SyncClientError> {
        self.sizes.push(request.messages.len());
        assert!(self.sizes.len() < 30, "looping: {:?}", self.sizes);
        if request.messages.len() > self.most {
            return Err(SyncClientError::Refused {
                url: "test".into(),
                status: 413,
                code: "too_many_operations".into(),
                message: "the request's messages describe too many operations".into(),
            });
        }
        self.server.exchange(request)
    }
}

#[test]
fn a_round_refused_as_too_many_operations_is_sent_again_in_smaller_rounds() {
    let mut server = LocalServer::default();
    let (_a, mut ana) = new_store("ana", Role::Inspector);
    for _ in 0..5 {
        bakery(&[]).record(&mut ana).expect("record");
    }
    let mut budget = Budget {
        server: &mut server,
        most: 2,
        sizes: Vec::new(),
    };
    let summary = run(&mut ana, &mut budget, |_: &Rejection| {}).expect("sync completes");
    assert_eq!(summary.sent, 5, "{summary:?}");
    assert_eq!(
        ana.db().pending_ids().expect("pending"),
        Vec::<CheckId>::new()
    );
    // The first round of 5 is refused; then rounds of 2 at most carry everything.
    assert_eq!(budget.sizes[0], 5, "{:?}", budget.sizes);
    assert!(
        budget.sizes[1..].iter().all(|&n| n <= 2),
        "{:?}",
        budget.sizes
    );
}
