//! What to play: the course format (one cumulative kWh value per line, no
//! header) or `timestamp,device_id,register_kwh` rows.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A parsed CSV.
#[derive(Debug, Clone, PartialEq)]
pub enum Course {
    /// One register value (kWh) per line; devices and times come from the play configuration.
    Registers(Vec<f64>),
    /// Rows that name their own time and device.
    Rows(Vec<Row>),
}

/// One row of the rich format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Meter time.
    pub at: DateTime<Utc>,
    /// The device.
    pub device_id: Uuid,
    /// Register in kWh.
    pub register_kwh: f64,
}

/// Why a CSV could not be read.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct CourseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

impl Course {
    /// Parses either format (decided by the first data line); a header line is skipped.
    pub fn parse(text: &str) -> Result<Course, CourseError> {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let data: Vec<(usize, &str)> = match lines.first() {
            Some((_, first)) if first.contains("timestamp") || first.contains("register") => {
                lines[1..].to_vec()
            }
            _ => lines,
        };
        let rich = data.first().is_some_and(|(_, l)| l.contains(','));
        if rich {
            data.iter()
                .map(|(n, l)| parse_row(*n, l))
                .collect::<Result<_, _>>()
                .map(Course::Rows)
        } else {
            data.iter()
                .map(|(n, l)| parse_kwh(*n, l))
                .collect::<Result<_, _>>()
                .map(Course::Registers)
        }
    }

    /// Number of lines of data.
    pub fn len(&self) -> usize {
        match self {
            Course::Registers(v) => v.len(),
            Course::Rows(v) => v.len(),
        }
    }

    /// True when there is nothing to play.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn parse_kwh(line: usize, s: &str) -> Result<f64, CourseError> {
    let v: f64 = s.parse().map_err(|_| CourseError {
        line,
        problem: format!("{s:?} is not a number"),
    })?;
    if !v.is_finite() || v < 0.0 {
        return Err(CourseError {
            line,
            problem: format!("{s} is not a non-negative register value"),
        });
    }
    Ok(v)
}

fn parse_row(line: usize, s: &str) -> Result<Row, CourseError> {
    let fields: Vec<&str> = s.split(',').map(str::trim).collect();
    let [ts, device, kwh] = fields[..] else {
        return Err(CourseError {
            line,
            problem: "expected timestamp,device_id,register_kwh".into(),
        });
    };
    let at = parse_time(ts).ok_or_else(|| CourseError {
        line,
        problem: format!("{ts:?} is not unix seconds, unix milliseconds or RFC 3339"),
    })?;
    let device_id = Uuid::parse_str(device).map_err(|_| CourseError {
        line,
        problem: format!("{device:?} is not a UUID"),
    })?;
    Ok(Row {
        at,
        device_id,
        register_kwh: parse_kwh(line, kwh)?,
    })
}

/// Unix seconds or milliseconds (told apart as the wire format does) or RFC 3339.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(n) = s.parse::<f64>() {
        let ms = if n < 1e11 { n * 1000.0 } else { n };
        return DateTime::from_timestamp_millis(ms.round() as i64);
    }
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_course_format() {
        assert_eq!(
            Course::parse("0\n0.5\n\n1.25\n").unwrap(),
            Course::Registers(vec![0.0, 0.5, 1.25])
        );
    }

    #[test]
    fn reads_rows_with_any_timestamp_form() {
        let id = Uuid::new_v4();
        let text = format!(
            "timestamp,device_id,register_kwh\n2026-03-01T00:00:00Z,{id},1.5\n1772323800,{id},2\n1772324400000,{id},2.5\n"
        );
        let Course::Rows(rows) = Course::parse(&text).unwrap() else {
            panic!("rows expected")
        };
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].at.timestamp(), 1_772_323_800);
        assert_eq!(rows[2].at.timestamp(), 1_772_324_400);
        assert_eq!(rows[2].register_kwh, 2.5);
    }

    #[test]
    fn reports_bad_lines() {
        assert_eq!(Course::parse("1\nabc\n").unwrap_err().line, 2);
        assert!(Course::parse("-1\n").is_err());
        assert!(Course::parse("2026-03-01T00:00:00Z,not-a-uuid,1\n").is_err());
    }
}
