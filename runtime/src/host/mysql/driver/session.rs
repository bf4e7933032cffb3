//! Which statements leave a connection unfit for the next request.

/// What a statement does to the session, judged by its leading keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// `BEGIN`, `START TRANSACTION`, `COMMIT AND CHAIN`…: a transaction may be open.
    Begin,
    /// `COMMIT`, `ROLLBACK`: the transaction ends (once the statement succeeds).
    End,
    /// `SET`, `USE`, `LOCK`, `CREATE TEMPORARY`, `CALL`, `XA`…: session state
    /// the next user of the connection must not inherit.
    AlterSession,
    /// Anything else.
    None,
}

impl Effect {
    pub(super) fn of(statement: &str) -> Self {
        let words: Vec<String> = strip_leading_comments(statement)
            .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
            .filter(|w| !w.is_empty())
            .take(4)
            .map(str::to_ascii_uppercase)
            .collect();
        let word = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
        let chains = || {
            let i = words.iter().position(|w| w == "CHAIN");
            i.is_some_and(|i| i == 0 || words[i - 1] != "NO")
        };
        match word(0) {
            "BEGIN" => Effect::Begin,
            "START" if word(1) == "TRANSACTION" => Effect::Begin,
            "COMMIT" | "ROLLBACK" if word(1) == "TO" || word(2) == "TO" => Effect::None,
            "COMMIT" | "ROLLBACK" if chains() => Effect::Begin,
            "COMMIT" | "ROLLBACK" => Effect::End,
            "SET" | "USE" | "LOCK" | "CALL" | "XA" | "HANDLER" => Effect::AlterSession,
            "CREATE" if word(1) == "TEMPORARY" => Effect::AlterSession,
            _ => Effect::None,
        }
    }
}

fn strip_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, after)| after);
        } else if s.starts_with("--") || s.starts_with('#') {
            s = s.split_once('\n').map_or("", |(_, after)| after);
        } else {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_that_open_or_close_a_transaction() {
        for s in [
            "BEGIN",
            " begin work",
            "START TRANSACTION",
            "start transaction read only",
            "/* tx */ START TRANSACTION",
            "COMMIT AND CHAIN",
        ] {
            assert_eq!(Effect::of(s), Effect::Begin, "{s}");
        }
        for s in [
            "COMMIT",
            "rollback;",
            "ROLLBACK WORK",
            "COMMIT AND NO CHAIN",
        ] {
            assert_eq!(Effect::of(s), Effect::End, "{s}");
        }
        for s in [
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK WORK TO a",
            "SELECT 1",
            "INSERT INTO t VALUES (1)",
            "-- begin\nSELECT 1",
        ] {
            assert_eq!(Effect::of(s), Effect::None, "{s}");
        }
        for s in [
            "SET autocommit = 0",
            "set @x = 1",
            "USE other",
            "LOCK TABLES t WRITE",
            "CREATE TEMPORARY TABLE t (id INT)",
            "CALL p()",
        ] {
            assert_eq!(Effect::of(s), Effect::AlterSession, "{s}");
        }
    }
}
