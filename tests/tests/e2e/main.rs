//! End-to-end suites: the real server on 127.0.0.1:0 and real CLI devices as processes.

mod harness;

mod api_errors;
mod desk;
mod fetch;
mod hostile;
mod input;
mod offline;
mod resolutions;
mod restore;
mod story;
mod validation;
