//! Parsers of untrusted input on arbitrary bytes (the part of fuzzing that
//! always runs; cargo-fuzz runs the same parsers with coverage guidance where
//! a nightly toolchain is present): the WebSocket frame decoder and the static
//! file path parser never panic, and what they accept is safe.

use iems_shared::static_path::{segments, PathError};
use iems_shared::wire::{
    decode_client_frame, validate_chat_body, validate_client_msg_id, ClientFrame,
};
use proptest::prelude::*;

/// Text that is often almost a client frame.
fn near_frames() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just("chat.send"),
        Just("chat.typing"),
        Just("chat.read"),
        Just("auth.renew"),
        Just("chat.sent"),
    ];
    let field = prop_oneof![
        ".{0,30}".prop_map(|s| serde_json::json!(s)),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<bool>().prop_map(|b| serde_json::json!(b)),
        Just(serde_json::json!(null)),
    ];
    (kind, field.clone(), field.clone(), field).prop_map(|(kind, a, b, c)| {
        serde_json::json!({
            "type": kind, "conversation_id": a, "body": b.clone(), "client_msg_id": c,
            "typing": b, "up_to_id": "m", "access_token": "t"
        })
        .to_string()
    })
}

fn check_frame(text: &str) {
    if let Ok(ClientFrame::ChatSend {
        body,
        client_msg_id,
        ..
    }) = decode_client_frame(text)
    {
        if let Ok(clean) = validate_chat_body(&body) {
            assert!(!clean.is_empty() && clean.chars().count() <= 4000);
            assert!(!clean
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
        }
        let _ = validate_client_msg_id(&client_msg_id);
    }
}

/// Paths that are often almost an attack on the mount.
fn near_paths() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_string()),
        Just("%2e%2e".to_string()),
        Just("%2F".to_string()),
        Just("%5c".to_string()),
        Just("%00".to_string()),
        Just(".env".to_string()),
        Just("%".to_string()),
        Just("%zz".to_string()),
        Just("%c3%a9".to_string()),
        "[a-z.]{0,8}",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| format!("/{}", p.join("/")))
}

fn check_path(path: &str) {
    match segments(path) {
        Ok(segs) => {
            for s in &segs {
                assert!(!s.is_empty(), "{path}");
                assert!(!s.starts_with('.'), "{path}: {s}");
                assert!(!s.contains(['/', '\\', '\0', ':']), "{path}: {s}");
                assert!(!s.chars().any(char::is_control), "{path}: {s}");
            }
        }
        Err(PathError::Malformed | PathError::Forbidden) => {}
    }
}

proptest! {
    #[test]
    fn any_bytes_as_a_frame(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_frame(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn near_frames_decode_or_fail_cleanly(text in near_frames()) {
        check_frame(&text);
    }

    #[test]
    fn any_text_as_a_path(text in ".{0,200}") {
        check_path(&text);
    }

    #[test]
    fn near_attacks_never_leave_the_mount(path in near_paths()) {
        check_path(&path);
    }
}

#[test]
fn known_escapes_are_refused() {
    for path in [
        "/../etc/passwd",
        "/a/%2e%2e/b",
        "/a%2Fb",
        "/a%5cb",
        "/%00",
        "/.env",
        "/a/.git/config",
    ] {
        assert_eq!(segments(path), Err(PathError::Forbidden), "{path}");
    }
    for path in ["/%", "/%zz", "/%c3"] {
        assert_eq!(segments(path), Err(PathError::Malformed), "{path}");
    }
    assert_eq!(
        segments("/assets/app.js?v=1").unwrap(),
        ["assets", "app.js"]
    );
}
