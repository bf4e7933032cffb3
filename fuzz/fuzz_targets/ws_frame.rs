//! Any text a browser (or an attacker holding a token) sends on `/ws`: the
//! frame decoder and the chat validation never panic, and an accepted chat
//! body is within its limits.
#![no_main]

use iems_shared::wire::{
    decode_client_frame, validate_chat_body, validate_client_msg_id, ClientFrame,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(ClientFrame::ChatSend {
        body,
        client_msg_id,
        ..
    }) = decode_client_frame(text)
    {
        if let Ok(clean) = validate_chat_body(&body) {
            assert!(!clean.is_empty() && clean.chars().count() <= 4000);
        }
        let _ = validate_client_msg_id(&client_msg_id);
    }
});
