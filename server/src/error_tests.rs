//! Each error's status, code and message; server errors and storage faults keep their
//! detail (database text) from the client.

use super::*;

#[test]
fn statuses_and_codes() {
    let id = CheckId::new();
    let cases = [
        (
            ApiError::bad_request("x"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            ApiError::NotFound {
                message: "x".into(),
                check: Some(id),
            },
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            ApiError::Timeout("x".into()),
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
        ),
        (
            ApiError::UnsupportedEncoding("x".into()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding",
        ),
        (
            ApiError::Status {
                status: StatusCode::URI_TOO_LONG,
                message: "x".into(),
            },
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
        ),
        (
            ApiError::TooLarge("x".into()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            ApiError::Invalid {
                message: "x".into(),
                check: None,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (err, status, code) in cases {
        let (s, c, m, _) = err.parts();
        assert_eq!((s, c, m.as_str()), (status, code, "x"));
    }
}

#[test]
fn from_status_keeps_the_status_and_explains_client_errors() {
    let cases = [
        (400, "bad_request"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (408, "timeout"),
        (413, "too_large"),
        (414, "uri_too_long"),
        (415, "unsupported_media_type"),
        (422, "invalid"),
        (431, "headers_too_large"),
        (418, "client_error"),
    ];
    for (status, code) in cases {
        let status = StatusCode::from_u16(status).expect("status");
        let (s, c, message, _) = ApiError::from_status(status, None).parts();
        assert_eq!((s, c), (status, code));
        assert!(!message.is_empty(), "{status}");
        let (_, _, message, _) = ApiError::from_status(status, Some(" why \n")).parts();
        assert_eq!(message, "why", "{status}");
    }
}

#[test]
fn from_status_hides_server_error_details() {
    for (status, code) in [
        (500, "internal"),
        (503, "unavailable"),
        (599, "server_error"),
    ] {
        let status = StatusCode::from_u16(status).expect("status");
        let (s, c, message, _) =
            ApiError::from_status(status, Some("pool exhausted at db.rs:12")).parts();
        assert_eq!((s, c), (status, code));
        assert_eq!(message, GENERIC_SERVER_ERROR);
    }
}

#[test]
fn storage_faults_are_507_and_503_with_a_message_and_no_database_text() {
    let failure = |code| {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            Some("database or disk is full at page 7".into()),
        ))
    };
    let full = ApiError::from(failure(rusqlite::ffi::SQLITE_FULL));
    let (status, code, message, _) = full.parts();
    assert_eq!((status.as_u16(), code), (507, "insufficient_storage"));
    assert!(message.contains("disk is full") && !message.contains("page 7"));
    let read_only = ApiError::from(failure(rusqlite::ffi::SQLITE_READONLY));
    let (status, code, message, _) = read_only.parts();
    assert_eq!((status.as_u16(), code), (503, "unavailable"));
    assert!(message.contains("cannot write"), "{message}");
    let commit = ApiError::from(StoreError::CommitFailed {
        cause: Some(StorageFault::Full),
    });
    assert_eq!(commit.parts().0.as_u16(), 507);
    let other = ApiError::from(StoreError::CommitFailed { cause: None });
    assert_eq!(other.parts().0.as_u16(), 500);
}

#[test]
fn internal_errors_hide_their_detail() {
    let err = ApiError::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
    let (status, code, message, _) = err.parts();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(code, "internal");
    assert!(!message.contains("Query"), "{message}");
}
