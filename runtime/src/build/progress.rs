//! Progress of a build command, readable in a terminal and in a log.
//!
//! Cargo's per-crate lines (`Compiling x`, `Downloaded x`) become a count: in
//! a terminal one status line rewritten in place, in a log (stderr not a
//! terminal) one plain line every [`LOG_EVERY`], so no control characters
//! reach a file. Every other line (warnings, errors, a non-cargo command's
//! output) is shown as it comes and kept for the error message.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::process::{Child, ExitStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a log gets a progress line while crates compile.
const LOG_EVERY: Duration = Duration::from_secs(15);
/// The lines kept for the error message of a failed command.
const TAIL_LINES: usize = 200;

/// Writes one line of progress to stderr.
pub(crate) fn line(text: &str) {
    eprintln!("{text}");
}

/// `75 s` as `1m15s`.
pub(crate) fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// The progress of one running command.
pub(super) struct Report {
    label: String,
    terminal: bool,
    started: Instant,
    state: Mutex<State>,
}

struct State {
    compiled: usize,
    downloaded: usize,
    current: String,
    last_logged: Instant,
    status_shown: bool,
    tail: VecDeque<String>,
}

impl Report {
    /// Announces `command` under `label` (such as `[2/5] auth`).
    pub(super) fn start(label: &str, command: &str) -> Self {
        line(&format!("{label}: {command}"));
        let now = Instant::now();
        Report {
            label: label.to_owned(),
            terminal: std::io::stderr().is_terminal(),
            started: now,
            state: Mutex::new(State {
                compiled: 0,
                downloaded: 0,
                current: String::new(),
                last_logged: now,
                status_shown: false,
                tail: VecDeque::new(),
            }),
        }
    }

    /// Shows the child's output as progress until it exits; returns its
    /// status and the lines kept for an error message.
    pub(super) fn follow(&self, mut child: Child) -> std::io::Result<(ExitStatus, String)> {
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        std::thread::scope(|scope| {
            if let Some(out) = stdout {
                scope.spawn(|| self.read(out));
            }
            if let Some(err) = stderr {
                self.read(err);
            }
        });
        let status = child.wait()?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.clear_status(&mut state);
        let tail = Vec::from(std::mem::take(&mut state.tail)).join("\n");
        Ok((status, tail))
    }

    /// The closing line: how long it took and how many crates were compiled.
    pub(super) fn done(&self) {
        let compiled = self.state.lock().map(|s| s.compiled).unwrap_or(0);
        let crates = match compiled {
            0 => String::new(),
            1 => ", 1 crate compiled".to_owned(),
            n => format!(", {n} crates compiled"),
        };
        line(&format!(
            "{}: built in {}{crates}",
            self.label,
            elapsed(self.started.elapsed())
        ));
    }

    fn read(&self, stream: impl Read) {
        for raw in BufReader::new(stream).split(b'\n') {
            let Ok(raw) = raw else { break };
            let text = String::from_utf8_lossy(&raw);
            self.handle(text.trim_end_matches('\r'));
        }
    }

    fn handle(&self, text: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let word = text.trim_start();
        if let Some(rest) = word.strip_prefix("Compiling ") {
            state.compiled += 1;
            state.current = rest.split_whitespace().next().unwrap_or("").to_owned();
        } else if word.starts_with("Downloaded ") {
            state.downloaded += 1;
        } else if word.starts_with("Downloading ") || word.starts_with("Finished ") {
            return;
        } else {
            self.clear_status(&mut state);
            eprintln!("{text}");
            if state.tail.len() == TAIL_LINES {
                state.tail.pop_front();
            }
            state.tail.push_back(text.to_owned());
            return;
        }
        self.show_status(&mut state);
    }

    fn status(&self, state: &State) -> String {
        let time = elapsed(self.started.elapsed());
        if state.compiled == 0 {
            format!(
                "{}: downloading crates ({} so far, {time})",
                self.label, state.downloaded
            )
        } else {
            let plural = if state.compiled == 1 { "" } else { "s" };
            format!(
                "{}: compiling {} ({} crate{plural} so far, {time})",
                self.label, state.current, state.compiled
            )
        }
    }

    fn show_status(&self, state: &mut State) {
        let text = self.status(state);
        if self.terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{text}");
            let _ = err.flush();
            state.status_shown = true;
        } else if state.last_logged.elapsed() >= LOG_EVERY {
            line(&text);
            state.last_logged = Instant::now();
        }
    }

    fn clear_status(&self, state: &mut State) {
        if state.status_shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            state.status_shown = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lines_are_counted_and_the_rest_kept_for_the_error() {
        let report = Report::start("[1/1] t", "cargo build");
        for line in [
            "   Compiling serde v1.0.0",
            "  Downloaded tokio v1.0.0",
            "   Compiling fn-auth v0.1.0 (/src/functions/auth)",
            "warning: unused variable",
            "    Finished `release` profile",
        ] {
            report.handle(line);
        }
        let state = report.state.lock().unwrap();
        assert_eq!((state.compiled, state.downloaded), (2, 1));
        assert_eq!(state.current, "fn-auth");
        assert_eq!(Vec::from(state.tail.clone()), ["warning: unused variable"]);
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(elapsed(Duration::from_secs(9)), "9s");
        assert_eq!(elapsed(Duration::from_secs(75)), "1m15s");
    }
}
