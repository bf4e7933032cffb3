//! `Accept-Encoding` negotiation for precompressed siblings (`.br`, `.gz`).

/// A precompressed variant we may serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `file.br`
    Brotli,
    /// `file.gz`
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` value.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The sibling file's suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }
}

/// The q-value the header gives `coding` (`*` counts when it is not named);
/// 0 when not accepted.
fn quality(header: &str, coding: &str) -> f32 {
    let mut star = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name == coding || (coding == "gzip" && name == "x-gzip") {
            return q;
        }
        if name == "*" {
            star = Some(q);
        }
    }
    star.unwrap_or(0.0)
}

/// The encodings the client accepts, best first (brotli wins a tie: it is smaller).
pub fn preferred(accept_encoding: Option<&str>) -> Vec<Encoding> {
    let Some(header) = accept_encoding else {
        return Vec::new();
    };
    let mut found: Vec<(f32, Encoding)> = [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .map(|e| (quality(header, e.token()), e))
        .filter(|(q, _)| *q > 0.0)
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().map(|(_, e)| e).collect()
}
