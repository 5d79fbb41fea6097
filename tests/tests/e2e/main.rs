//! End-to-end suites: the real server on 127.0.0.1:0 and real CLI devices as processes.

mod harness;
mod process;

mod api_errors;
mod auth;
mod auth_matrix;
mod backup;
mod corrupt;
mod desk;
mod export_filters;
mod export_fixture;
mod exports;
mod fetch;
mod hostile;
mod input;
mod local_data;
mod offline;
mod reports;
mod resolutions;
mod restore;
mod review;
mod story;
mod validation;
