//! Turning a request path into a safe relative file path inside a mount (the
//! static files component): a parser of untrusted input, fuzzed.

/// Why a request path cannot name a file.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// Bad percent-encoding or not UTF-8.
    Malformed,
    /// `..`, a hidden segment, a backslash or a NUL: never served.
    Forbidden,
}

/// Decodes `%XX` escapes; `+` stays a plus (it only means space in query strings).
fn percent_decode(raw: &str) -> Result<String, PathError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(PathError::Malformed)?;
            let hex = std::str::from_utf8(hex).map_err(|_| PathError::Malformed)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| PathError::Malformed)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PathError::Malformed)
}

/// The segments of a request path (without query), decoded and checked. Empty
/// segments (`//`, a trailing `/`) are dropped; any segment that could leave the
/// mount or reach a hidden file is refused rather than normalised away.
pub fn segments(path: &str) -> Result<Vec<String>, PathError> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_decode(raw)?;
        let bad = seg.starts_with('.')
            || seg.contains(['/', '\\', '\0', ':'])
            || seg.chars().any(char::is_control);
        if bad {
            return Err(PathError::Forbidden);
        }
        out.push(seg);
    }
    Ok(out)
}

/// True when the last segment looks like a file name (has an extension), so a
/// miss is a real 404 rather than a client-side route.
pub fn has_extension(segments: &[String]) -> bool {
    segments
        .last()
        .and_then(|s| s.rsplit_once('.'))
        .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
}
