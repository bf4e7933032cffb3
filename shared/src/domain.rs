//! Domain values and their validation: usernames, passwords, names, device
//! fields, roles and pagination. Each constructor either returns a valid value
//! or an [`ApiError`] naming the field at fault.

use crate::energy::{Energy, UWH_PER_KWH};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The two roles of iems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users and devices, sees everything, answers the support chat.
    Admin,
    /// Sees only the devices assigned to them.
    Client,
}

impl Role {
    /// The role as stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Client => "client",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "client" => Ok(Role::Client),
            _ => Err(ApiError::invalid(
                "role",
                "role must be \"admin\" or \"client\"",
            )),
        }
    }
}

/// Length limits, shared with the frontend's forms.
pub mod limits {
    /// Username length in characters.
    pub const USERNAME: std::ops::RangeInclusive<usize> = 3..=32;
    /// Password length in characters (the upper bound caps hashing work).
    pub const PASSWORD: std::ops::RangeInclusive<usize> = 8..=128;
    /// Full name and device name length.
    pub const NAME: std::ops::RangeInclusive<usize> = 1..=100;
    /// Address length.
    pub const ADDRESS_MAX: usize = 200;
    /// Largest accepted hourly limit, in kWh.
    pub const MAX_HOURLY_KWH: f64 = 1_000_000.0;
    /// Largest page size.
    pub const PER_PAGE_MAX: u32 = 100;
    /// Default page size.
    pub const PER_PAGE_DEFAULT: u32 = 20;
    /// Search text length.
    pub const SEARCH_MAX: usize = 100;
}

/// A valid username; [`Username::key`] is the case-insensitive identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// 3–32 characters of ASCII letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let s = raw.trim();
        let len = s.chars().count();
        if !limits::USERNAME.contains(&len) {
            return Err(ApiError::invalid(
                "username",
                "username must be 3 to 32 characters",
            ));
        }
        let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let all_ok = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !first_ok || !all_ok {
            return Err(ApiError::invalid(
                "username",
                "username may contain letters, digits, '.', '_' and '-', and must start with a letter or digit",
            ));
        }
        Ok(Username(s.to_string()))
    }

    /// As the user typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form that must be unique.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// Checks a new password: 8–128 characters, not only whitespace.
pub fn validate_password(field: &str, password: &str) -> Result<(), ApiError> {
    let len = password.chars().count();
    if !limits::PASSWORD.contains(&len) {
        return Err(ApiError::invalid(
            field,
            "password must be 8 to 128 characters",
        ));
    }
    if password.trim().is_empty() {
        return Err(ApiError::invalid(field, "password must not be only spaces"));
    }
    Ok(())
}

/// Characters that change how the text around them is displayed without being
/// visible themselves: the Unicode bidirectional controls (which can make
/// "evil\u{202E}gnp.exe" read as "evilexe.png") and the invisible separators
/// and joiners used to make two names look alike.
pub fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}'                      // Arabic letter mark
        | '\u{200B}'..='\u{200F}'      // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202E}'      // line/paragraph separators, LRE..RLO
        | '\u{2060}'..='\u{2069}'      // word joiner .. isolates (LRI, RLI, FSI, PDI)
        | '\u{FEFF}'                    // zero-width no-break space (BOM)
    )
}

/// Refuses (422 naming `field`) text with control characters (except the
/// line breaks and tabs `allow` lists) or bidi/invisible formatting characters.
pub fn check_visible_text(field: &str, text: &str, allow: &[char]) -> Result<(), ApiError> {
    if let Some(c) = text
        .chars()
        .find(|c| (c.is_control() && !allow.contains(c)) || is_bidi_or_invisible(*c))
    {
        let what = if c.is_control() {
            "control characters"
        } else {
            "invisible or text-direction characters"
        };
        return Err(ApiError::invalid(
            field,
            format!("{field} must not contain {what} (found U+{:04X})", c as u32),
        ));
    }
    Ok(())
}

/// A trimmed, non-empty name of at most 100 characters without control,
/// bidi or invisible characters.
pub fn parse_name(field: &str, raw: &str) -> Result<String, ApiError> {
    let s = raw.trim();
    let len = s.chars().count();
    if !limits::NAME.contains(&len) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be 1 to 100 characters"),
        ));
    }
    check_visible_text(field, s, &[])?;
    Ok(s.to_string())
}

/// An optional address: trimmed, empty becomes `None`, at most 200 characters.
pub fn parse_address(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > limits::ADDRESS_MAX {
        return Err(ApiError::invalid(
            "address",
            "address must be at most 200 characters",
        ));
    }
    check_visible_text("address", s, &['\n'])?;
    Ok(Some(s.to_string()))
}

/// A device's hourly limit: a positive, finite number of kWh, at most 1 000 000,
/// kept exactly as µWh.
pub fn parse_max_hourly_kwh(kwh: f64) -> Result<Energy, ApiError> {
    const FIELD: &str = "max_hourly_kwh";
    if !kwh.is_finite() {
        return Err(ApiError::invalid(FIELD, "max_hourly_kwh must be a number"));
    }
    if kwh <= 0.0 {
        return Err(ApiError::invalid(
            FIELD,
            "max_hourly_kwh must be greater than 0",
        ));
    }
    if kwh > limits::MAX_HOURLY_KWH {
        return Err(ApiError::invalid(
            FIELD,
            "max_hourly_kwh must be at most 1000000",
        ));
    }
    let uwh = (kwh * UWH_PER_KWH as f64).round() as i64;
    if uwh == 0 {
        return Err(ApiError::invalid(
            FIELD,
            "max_hourly_kwh is below the precision of 1 µWh",
        ));
    }
    Ok(Energy::from_uwh(uwh))
}

/// A device's plausible maximum power (the reading policy's `implausible`
/// rule): a positive number of kW, at most 1 000 000 (1 GW), kept as whole watts.
pub fn parse_max_power_kw(kw: f64) -> Result<i64, ApiError> {
    const FIELD: &str = "max_power_kw";
    if !kw.is_finite() {
        return Err(ApiError::invalid(FIELD, "max_power_kw must be a number"));
    }
    if kw <= 0.0 {
        return Err(ApiError::invalid(
            FIELD,
            "max_power_kw must be greater than 0",
        ));
    }
    let watts = (kw * 1000.0).round();
    if watts > crate::consumption::policy::MAX_POWER_W_LIMIT as f64 {
        return Err(ApiError::invalid(
            FIELD,
            "max_power_kw must be at most 1000000",
        ));
    }
    if watts < 1.0 {
        return Err(ApiError::invalid(
            FIELD,
            "max_power_kw must be at least 0.001 (1 W)",
        ));
    }
    Ok(watts as i64)
}

/// A page request: `page` from 1, `per_page` from 1 to 100 (default 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: limits::PER_PAGE_DEFAULT,
        }
    }
}

impl PageRequest {
    /// From the raw `page` and `per_page` query parameters.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ApiError> {
        let page = match page {
            None | Some("") => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=1_000_000).contains(p))
                .ok_or_else(|| ApiError::invalid("page", "page must be a whole number from 1"))?,
        };
        let per_page = match per_page {
            None | Some("") => limits::PER_PAGE_DEFAULT,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=limits::PER_PAGE_MAX).contains(p))
                .ok_or_else(|| ApiError::invalid("per_page", "per_page must be from 1 to 100"))?,
        };
        Ok(PageRequest { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// A search text: trimmed, at most 100 characters, `None` when empty.
pub fn parse_search(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > limits::SEARCH_MAX {
        return Err(ApiError::invalid(
            "q",
            "search text must be at most 100 characters",
        ));
    }
    Ok(Some(s.to_string()))
}

/// The escape character of [`like_pattern`]: `!`, not `\`, because a backslash
/// is itself an escape inside MySQL string literals, so `ESCAPE '\'` cannot be
/// written the same way for SQLite and MySQL, and `ESCAPE '!'` can.
pub const LIKE_ESCAPE: char = '!';

/// Escapes `%`, `_` and `!` for a `LIKE ? ESCAPE '!'` pattern and wraps it in `%…%`.
pub fn like_pattern(search: &str) -> String {
    let mut out = String::with_capacity(search.len() + 2);
    out.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A UUID from a path or body, as a 404 when malformed (an id that cannot exist is not found).
pub fn parse_id(what: &str, raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::not_found(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Alice.B ").unwrap().key(), "alice.b");
        for bad in ["ab", "_alice", "al ice", "alïce", &"a".repeat(33)] {
            let err = Username::parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::ValidationFailed, "{bad}");
            assert_eq!(err.field.as_deref(), Some("username"));
        }
    }

    #[test]
    fn passwords() {
        assert!(validate_password("password", "correct horse").is_ok());
        assert!(validate_password("password", "short").is_err());
        assert!(validate_password("password", "        ").is_err());
        assert!(validate_password("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn limits_must_be_positive() {
        assert_eq!(parse_max_hourly_kwh(1.5).unwrap().uwh(), 1_500_000_000);
        assert_eq!(parse_max_power_kw(11.04).unwrap(), 11_040);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e7, 0.0001] {
            assert!(parse_max_power_kw(bad).is_err(), "{bad}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 2e6, 1e-12] {
            assert!(parse_max_hourly_kwh(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pagination() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest::default()
        );
        let p = PageRequest::parse(Some("3"), Some("50")).unwrap();
        assert_eq!(p.offset(), 100);
        for (page, per) in [
            ("0", "10"),
            ("x", "10"),
            ("1", "0"),
            ("1", "101"),
            ("-1", "5"),
        ] {
            assert!(
                PageRequest::parse(Some(page), Some(per)).is_err(),
                "{page} {per}"
            );
        }
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off!\\"), "%50!%!_off!!\\%");
    }

    #[test]
    fn names_and_addresses() {
        assert_eq!(parse_name("name", "  Meter 1 ").unwrap(), "Meter 1");
        assert!(parse_name("name", "   ").is_err());
        assert!(parse_name("name", "a\u{0}b").is_err());
        assert_eq!(parse_address(Some("  ")).unwrap(), None);
        assert!(parse_address(Some(&"x".repeat(201))).is_err());
        assert_eq!(
            parse_address(Some("Main St 1\nFlat 2")).unwrap().as_deref(),
            Some("Main St 1\nFlat 2")
        );
        for bad in [
            "Ann\u{202E}nimda",
            "a\u{2067}b",
            "x\u{200D}y",
            "\u{FEFF}bom",
            "tab\there",
        ] {
            let e = parse_name("full_name", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("full_name"), "{bad:?}");
        }
        assert!(parse_address(Some("a\u{202D}b")).is_err());
        assert_eq!(
            parse_name("name", "Zoë Ünal 名前").unwrap(),
            "Zoë Ünal 名前"
        );
    }
}
