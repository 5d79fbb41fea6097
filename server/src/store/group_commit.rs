//! Group commit: concurrent sync rounds share one SQLite transaction, and one `fsync`.
//!
//! With `synchronous=FULL` every commit waits for the disk (a few milliseconds on a virtual
//! disk); one transaction per round would cap the server at a few hundred rounds a second
//! however fast the rounds are. Here each round still runs alone on the single writer
//! connection, inside its own `SAVEPOINT` (so a failed round is rolled back without touching
//! the others), but the enclosing transaction is committed only by the last round in line:
//! rounds that arrive while others run join the open transaction and wait for its commit.
//! Nobody is answered before the commit that holds their work succeeded, so an acknowledged
//! round is durable exactly as before.
//!
//! A group is committed at the latest after [`MAX_GROUP`] rounds, so a steady stream of
//! arrivals cannot postpone a commit forever.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::{StorageFault, StoreError};

/// Most rounds sharing one transaction.
pub(crate) const MAX_GROUP: usize = 64;

/// Generations whose failed commits are remembered for late waiters.
const REMEMBERED_FAILURES: usize = 64;

/// The writer connection and the state of the open group.
#[derive(Debug)]
struct Group {
    conn: Connection,
    /// A transaction is open.
    open: bool,
    /// Rounds run in the open transaction.
    members: usize,
    /// Incremented at every commit attempt; a round waits for the generation it joined to end.
    generation: u64,
    /// Generations whose commit failed (rolled back), with the storage fault behind it.
    failed: BTreeMap<u64, Option<StorageFault>>,
    /// The first storage fault a round of the open transaction met (disk full, read-only).
    fault: Option<StorageFault>,
    /// A round failed and its savepoint could not be rolled back (or SQLite rolled the
    /// whole transaction back, as it may after `SQLITE_FULL` or an I/O error): the open
    /// transaction must not be committed.
    broken: bool,
}

/// The single writer connection, shared by rounds with group commit.
#[derive(Debug)]
pub(crate) struct GroupWriter {
    group: Mutex<Group>,
    committed: Condvar,
    /// Rounds waiting to take the connection: while any wait, the running one leaves the
    /// commit to them.
    waiting: AtomicUsize,
}

impl GroupWriter {
    pub(crate) fn new(conn: Connection) -> Self {
        Self {
            group: Mutex::new(Group {
                conn,
                open: false,
                members: 0,
                generation: 0,
                failed: BTreeMap::new(),
                fault: None,
                broken: false,
            }),
            committed: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Runs `work` in the open transaction (beginning one if needed) and returns once the
    /// transaction holding its changes has committed.
    ///
    /// # Errors
    /// `work`'s error (its changes are rolled back, the group's are not); a panic in `work`
    /// (reported as [`StoreError::Corrupt`]-free internal error); or a failed commit (the
    /// whole group is rolled back and every member gets the error).
    pub(crate) fn run(
        &self,
        work: &mut dyn FnMut(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut group = lock(&self.group);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        if !group.open {
            group.conn.execute_batch("BEGIN IMMEDIATE")?;
            group.open = true;
            group.members = 0;
            group.fault = None;
            group.broken = false;
        }
        let (result, intact) = run_savepoint(&group.conn, work);
        if let Err(err) = &result
            && let Some(fault) = err.storage_fault()
        {
            group.fault.get_or_insert(fault);
        }
        group.broken |= !intact || group.conn.is_autocommit();
        group.members += 1;
        let joined = group.generation;
        if self.waiting.load(Ordering::SeqCst) == 0 || group.members >= MAX_GROUP {
            let commit = self.commit(&mut group);
            return result.and(commit);
        }
        while group.generation == joined {
            group = self
                .committed
                .wait(group)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if let Some(cause) = group.failed.get(&joined) {
            return Err(StoreError::CommitFailed { cause: *cause });
        }
        result
    }

    /// Runs `f` on the writer connection between rounds (configuration pragmas).
    ///
    /// # Errors
    /// `f`'s error.
    pub(crate) fn with_conn(
        &self,
        f: &mut dyn FnMut(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        f(&lock(&self.group).conn)
    }

    /// Between rounds (no transaction open), hands the writer connection to `reopen` and
    /// keeps the one it returns; returns false, touching nothing, while a transaction is
    /// open. Used when a read-only store becomes writable: SQLite shares one shared-memory
    /// mapping per database file within a process, so the read-only connection must be
    /// closed before a writable one can open.
    pub(crate) fn reopen(&self, reopen: &mut dyn FnMut(Connection) -> Connection) -> bool {
        let mut group = lock(&self.group);
        if group.open {
            return false;
        }
        let Ok(placeholder) = Connection::open_in_memory() else {
            return false;
        };
        let old = std::mem::replace(&mut group.conn, placeholder);
        group.conn = reopen(old);
        true
    }

    /// Commits the open transaction (rolling back if the commit fails) and wakes its members.
    fn commit(&self, group: &mut MutexGuard<'_, Group>) -> Result<(), StoreError> {
        let outcome = if group.broken {
            Err(StoreError::CommitFailed { cause: group.fault })
        } else {
            group.conn.execute_batch("COMMIT").map_err(StoreError::from)
        };
        if let Err(err) = &outcome {
            // The transaction may still be open after a failed COMMIT (e.g. SQLITE_BUSY).
            let _ = group.conn.execute_batch("ROLLBACK");
            let cause = group.fault.or_else(|| err.storage_fault());
            let generation = group.generation;
            group.failed.insert(generation, cause);
            while group.failed.len() > REMEMBERED_FAILURES {
                group.failed.pop_first();
            }
        }
        group.open = false;
        group.generation += 1;
        self.committed.notify_all();
        outcome
    }
}

/// Runs `work` inside a savepoint: released on success, rolled back on error or panic.
/// The flag is false when the savepoint could not be released or rolled back: the open
/// transaction may then hold part of this round and must not be committed.
fn run_savepoint(
    conn: &Connection,
    work: &mut dyn FnMut(&Connection) -> Result<(), StoreError>,
) -> (Result<(), StoreError>, bool) {
    if let Err(err) = conn.execute_batch("SAVEPOINT round") {
        return (Err(err.into()), false);
    }
    let result = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        tracing::error!(
            panic = detail,
            "a sync round panicked; its changes are rolled back"
        );
        Err(StoreError::Panicked)
    });
    match result {
        Ok(()) => match conn.execute_batch("RELEASE round") {
            Ok(()) => (Ok(()), true),
            Err(err) => (Err(err.into()), false),
        },
        Err(err) => {
            let intact = conn
                .execute_batch("ROLLBACK TO round; RELEASE round")
                .is_ok();
            (Err(err), intact)
        }
    }
}

/// Locks a mutex, recovering it after a panic elsewhere (panics in rounds are caught and
/// rolled back in [`run_savepoint`], so the connection stays consistent).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn writer() -> (tempfile::TempDir, Arc<GroupWriter>) {
        let dir = tempfile::tempdir().expect("dir");
        let conn = Connection::open(dir.path().join("t.db")).expect("open");
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER UNIQUE)")
            .expect("schema");
        (dir, Arc::new(GroupWriter::new(conn)))
    }

    fn count(dir: &tempfile::TempDir) -> i64 {
        let conn = Connection::open(dir.path().join("t.db")).expect("open");
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn every_round_is_committed_when_it_returns_and_failures_stay_alone() {
        let (dir, writer) = writer();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let writer = Arc::clone(&writer);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let n = t * 1000 + i;
                        let outcome = writer.run(&mut |conn| {
                            conn.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                            if i % 10 == 9 {
                                // Fails after writing: its row must be rolled back alone.
                                conn.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                            }
                            Ok(())
                        });
                        assert_eq!(outcome.is_err(), i % 10 == 9);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
        assert_eq!(count(&dir), 8 * 45, "successful rounds only, all committed");
    }

    #[test]
    fn a_panicking_round_is_rolled_back_and_the_writer_keeps_working() {
        let (dir, writer) = writer();
        let panicked = writer.run(&mut |conn| {
            conn.execute("INSERT INTO t (n) VALUES (1)", [])?;
            panic!("a bug in a round");
        });
        assert!(matches!(panicked, Err(StoreError::Panicked)));
        writer
            .run(&mut |conn| {
                conn.execute("INSERT INTO t (n) VALUES (2)", [])?;
                Ok(())
            })
            .expect("next round");
        assert_eq!(count(&dir), 1);
    }
}
