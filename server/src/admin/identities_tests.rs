use super::*;

#[test]
fn since_takes_an_instant_or_a_date_and_names_a_bad_value() {
    assert_eq!(
        parse_since("2026-03-01").expect("date"),
        "2026-03-01T00:00:00Z"
    );
    assert_eq!(
        parse_since("2026-03-01T08:00:00+03:00").expect("instant"),
        "2026-03-01T05:00:00Z"
    );
    let err = parse_since("yesterday").expect_err("bad");
    assert!(err.to_string().contains("\"yesterday\""), "{err}");
}

#[test]
fn admin_commands_add_enrol_revoke_and_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let add = AdminCommand::User(UserCommand::Add {
        name: "ana".into(),
        role: "inspector".into(),
        team: Some("north".into()),
        code: CodeLife {
            code_days: 7,
            qr: false,
        },
    });
    run(dir.path(), &add).expect("add");
    let again = run(dir.path(), &add).expect_err("duplicate");
    assert!(again.to_string().contains("already exists"), "{again}");
    let enrol = AdminCommand::Device(DeviceCommand::Enrol {
        user: "nobody".into(),
        code: CodeLife {
            code_days: 1,
            qr: true,
        },
    });
    let err = run(dir.path(), &enrol).expect_err("unknown user");
    assert!(err.to_string().contains("nobody"), "{err}");
    let conn = open_connection(dir.path()).expect("open");
    let actions: Vec<String> = audit::list(&conn, None)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, [audit::USER_ADDED, audit::CODE_ISSUED]);
}
