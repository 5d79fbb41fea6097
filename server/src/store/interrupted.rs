//! A data directory an interrupted `restore` left without its database.

use std::path::Path;

use super::{DB_FILE, StoreError};

/// Name of a backup being restored, beside [`DB_FILE`] (see `admin/restore.rs`).
pub const RESTORING: &str = "fieldsync.db.restoring";

/// Refuses a data directory that an interrupted `restore` left without its database (the
/// current one set aside, the backup's copy not yet in place): opening would create an
/// empty database and hide the data.
///
/// # Errors
/// [`StoreError::Corrupt`] naming both files and what to do.
pub fn refuse_interrupted_restore(data_dir: &Path) -> Result<(), StoreError> {
    let restoring = data_dir.join(RESTORING);
    if data_dir.join(DB_FILE).exists() || !restoring.exists() {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        what: data_dir.display().to_string(),
        detail: format!(
            "a restore was interrupted: {DB_FILE} is missing and {} holds the backup being \
             restored; run `fieldsync-server restore --from BACKUP` again (the database it \
             replaced is kept as {DB_FILE}.before-restore-*)",
            restoring.display()
        ),
    })
}
