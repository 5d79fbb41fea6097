use super::*;

fn open() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = crate::store::open_connection(dir.path()).expect("open");
    (dir, conn)
}

fn enrolment<'a>(code: &'a str, device: &'a str, actor: &'a str) -> Enrolment<'a> {
    Enrolment {
        code,
        device,
        actor,
        existing: None,
    }
}

#[test]
fn a_code_enrols_once_and_the_token_authenticates_until_revoked() {
    let (_dir, mut conn) = open();
    let code = add_user(
        &mut conn,
        "ana",
        Role::Inspector,
        Some("north"),
        DEFAULT_CODE_TTL,
    )
    .expect("add");
    let (token, who) = enrol(&mut conn, &enrolment(&code, "dev-1", "aa01")).expect("enrol");
    assert_eq!((who.user.as_str(), who.team.as_str()), ("ana", "north"));
    assert_eq!(who.role, Role::Inspector);
    let found = authenticate(&conn, &token).expect("auth").expect("known");
    assert_eq!(found.device, "dev-1");
    assert!(authenticate(&conn, "fst_nope").expect("auth").is_none());
    let again = enrol(&mut conn, &enrolment(&code, "dev-2", "aa02"));
    assert!(matches!(again, Err(DirectoryError::BadCode)), "one-time");
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM devices WHERE token_hash = ?1",
            [secret::hash(&token)],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(stored, 1, "only the hash is stored");
    revoke(&mut conn, "dev-1", "lost").expect("revoke");
    assert!(
        authenticate(&conn, &token).expect("auth").is_none(),
        "revoked"
    );
    assert!(registry(&conn).expect("registry")["aa01"].revoked);
}

#[test]
fn expired_codes_other_users_devices_and_offline_name_mismatches_are_refused() {
    let (_dir, mut conn) = open();
    let expired = add_user(&mut conn, "ana", Role::Inspector, None, Duration::ZERO).expect("add");
    let err = enrol(&mut conn, &enrolment(&expired, "dev-1", "aa01")).expect_err("expired");
    assert!(matches!(err, DirectoryError::BadCode), "{err}");

    let code = issue_code(&mut conn, "ana", DEFAULT_CODE_TTL).expect("code");
    enrol(&mut conn, &enrolment(&code, "dev-1", "aa01")).expect("enrol");
    let sara = add_user(&mut conn, "sara", Role::Supervisor, None, DEFAULT_CODE_TTL).expect("add");
    let err = enrol(&mut conn, &enrolment(&sara, "dev-1", "bb01")).expect_err("ana's device");
    assert!(err.to_string().contains("another user"), "{err}");

    let mismatch = Enrolment {
        existing: Some(("sara-offline", Role::Supervisor)),
        ..enrolment(&sara, "dev-9", "cc01")
    };
    let err = enrol(&mut conn, &mismatch).expect_err("other name");
    assert!(err.to_string().contains("sara-offline"), "{err}");
    let same = Enrolment {
        existing: Some(("sara", Role::Supervisor)),
        ..enrolment(&sara, "dev-9", "cc01")
    };
    enrol(&mut conn, &same).expect("the code was not used up by the refusal");

    assert!(matches!(
        add_user(&mut conn, "ana", Role::Admin, None, DEFAULT_CODE_TTL),
        Err(DirectoryError::DuplicateUser(_))
    ));
    assert!(parse_role("server").is_err() && parse_role("boss").is_err());
    assert!(add_user(&mut conn, " ", Role::Inspector, None, DEFAULT_CODE_TTL).is_err());
    let err = enrol(&mut conn, &enrolment("nope", "dev-3", "dd01")).expect_err("bad code");
    assert!(err.to_string().contains("12 characters"), "{err}");
}

#[test]
fn the_servers_own_actor_is_refused_at_enrolment() {
    let (_dir, mut conn) = open();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('actor', 'beef01')",
        [],
    )
    .expect("server actor");
    let code = add_user(&mut conn, "eve", Role::Inspector, None, DEFAULT_CODE_TTL).expect("add");
    let err = enrol(&mut conn, &enrolment(&code, "eve-dev", "BEEF01")).expect_err("server's actor");
    assert!(
        matches!(&err, DirectoryError::Taken(m) if m.contains("server's own")),
        "{err}"
    );
    // The code was not used up: the same device enrols with its own actor.
    enrol(&mut conn, &enrolment(&code, "eve-dev", "ee01")).expect("own actor");
}
