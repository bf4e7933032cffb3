//! Any request path: the static file component's parser never panics, and a
//! path it accepts cannot leave the mount or reach a hidden file.
#![no_main]

use iems_shared::static_path::segments;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|path: &str| {
    if let Ok(segs) = segments(path) {
        for s in segs {
            assert!(!s.is_empty() && !s.starts_with('.'));
            assert!(!s.contains(['/', '\\', '\0', ':']));
            assert!(!s.chars().any(char::is_control));
        }
    }
});
