//! Turns a course and a device list into the readings to send, in meter-time order.

use crate::course::Course;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// One reading to send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planned {
    /// The device.
    pub device_id: Uuid,
    /// Meter time.
    pub at: DateTime<Utc>,
    /// Cumulative register in kWh.
    pub register_kwh: f64,
}

/// Where and how fast meter time runs for the course format.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    /// Meter time of the first reading.
    pub start: DateTime<Utc>,
    /// Meter time between readings of one device.
    pub step: Duration,
    /// Device `d` starts at line `d * offset_per_device`, so meters differ.
    pub offset_per_device: usize,
    /// Readings per device (default: the whole course once).
    pub count: Option<usize>,
}

/// The readings to send: for the course format every device at every step (a
/// device that runs past the last line wraps around and keeps counting, so its
/// register never drops); rows of the rich format as they are.
pub fn plan(course: &Course, devices: &[Uuid], timeline: &Timeline) -> Vec<Planned> {
    match course {
        Course::Rows(rows) => rows
            .iter()
            .map(|r| Planned {
                device_id: r.device_id,
                at: r.at,
                register_kwh: r.register_kwh,
            })
            .collect(),
        Course::Registers(values) if values.is_empty() => Vec::new(),
        Course::Registers(values) => {
            let n = values.len();
            let lap = values[n - 1] - values[0];
            let count = timeline.count.unwrap_or(n);
            let mut out = Vec::with_capacity(count * devices.len());
            for tick in 0..count {
                let at = timeline.start + timeline.step * tick as i32;
                for (d, device_id) in devices.iter().enumerate() {
                    let line = d * timeline.offset_per_device + tick;
                    let register_kwh = values[line % n] + (line / n) as f64 * lap;
                    out.push(Planned {
                        device_id: *device_id,
                        at,
                        register_kwh,
                    });
                }
            }
            out
        }
    }
}

/// Where a meter stopped: its last stored reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastReading {
    /// Meter time of the reading.
    pub at: DateTime<Utc>,
    /// Its register in kWh.
    pub register_kwh: f64,
}

/// Continues each device of `planned` (in meter-time order) from its last
/// stored reading: planned readings at or before it are left out, and the rest
/// are shifted so that the register goes on from the stored value with the
/// plan's own increments, never below it. Devices without a last reading are
/// played as planned.
pub fn continue_from(planned: Vec<Planned>, last: &HashMap<Uuid, LastReading>) -> Vec<Planned> {
    /// Per device: the planned register at or before the last reading, the
    /// shift once known, and the register published last.
    struct Resume {
        planned_before: Option<f64>,
        shift: Option<f64>,
        floor: f64,
    }
    let mut state: HashMap<Uuid, Resume> = HashMap::new();
    let mut out = Vec::with_capacity(planned.len());
    for mut p in planned {
        let Some(stop) = last.get(&p.device_id) else {
            out.push(p);
            continue;
        };
        let s = state.entry(p.device_id).or_insert(Resume {
            planned_before: None,
            shift: None,
            floor: stop.register_kwh,
        });
        if p.at <= stop.at {
            s.planned_before = Some(p.register_kwh);
            continue;
        }
        // Stopped before the plan begins: its first reading continues the stored register.
        let shift = *s
            .shift
            .get_or_insert(stop.register_kwh - s.planned_before.unwrap_or(p.register_kwh));
        p.register_kwh = (p.register_kwh + shift).max(s.floor);
        s.floor = p.register_kwh;
        out.push(p);
    }
    out
}

/// Parses `10m`, `30s`, `1h`, `500ms` or a bare number of seconds.
pub fn parse_step(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?}: expected e.g. 10m, 30s, 1h"))?;
    let step = match unit {
        "" | "s" => Duration::seconds(n),
        "ms" => Duration::milliseconds(n),
        "m" | "min" => Duration::minutes(n),
        "h" => Duration::hours(n),
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (ms, s, m, h)")),
    };
    if step <= Duration::zero() {
        return Err(format!("{s:?}: the step must be positive"));
    }
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_start_at_their_offset_and_wrap_without_dropping() {
        let course = Course::Registers(vec![0.0, 1.0, 3.0]);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let start = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let timeline = Timeline {
            start,
            step: Duration::minutes(10),
            offset_per_device: 2,
            count: Some(3),
        };
        let p = plan(&course, &[a, b], &timeline);
        let of = |d: Uuid| {
            p.iter()
                .filter(|x| x.device_id == d)
                .map(|x| x.register_kwh)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(a), vec![0.0, 1.0, 3.0]);
        assert_eq!(of(b), vec![3.0, 3.0, 4.0]);
        assert_eq!(p[2].at, start + Duration::minutes(10));
    }

    #[test]
    fn continues_each_meter_after_its_last_reading_without_stepping_back() {
        let course = Course::Registers(vec![10.0, 11.0, 13.0, 16.0, 20.0]);
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let start = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let step = Duration::minutes(10);
        let timeline = Timeline {
            start,
            step,
            offset_per_device: 0,
            count: Some(5),
        };
        let planned = plan(&course, &[a, b, c], &timeline);
        let last = HashMap::from([
            // Stopped at the plan's second tick, with a register far above the plan's.
            (
                a,
                LastReading {
                    at: start + step,
                    register_kwh: 5417.63,
                },
            ),
            // Stopped before the plan begins, with a register below it.
            (
                b,
                LastReading {
                    at: start - Duration::days(3),
                    register_kwh: 2.0,
                },
            ),
        ]);
        let resumed = continue_from(planned, &last);
        let of = |d: Uuid| {
            resumed
                .iter()
                .filter(|x| x.device_id == d)
                .map(|x| (x.at, x.register_kwh))
                .collect::<Vec<_>>()
        };
        let a_regs: Vec<f64> = of(a).iter().map(|x| x.1).collect();
        assert_eq!(a_regs, vec![5419.63, 5422.63, 5426.63]);
        assert_eq!(
            of(a)[0].0,
            start + step * 2,
            "nothing at or before the last reading"
        );
        let b_regs: Vec<f64> = of(b).iter().map(|x| x.1).collect();
        assert_eq!(b_regs, vec![2.0, 3.0, 5.0, 8.0, 12.0]);
        assert_eq!(of(c).len(), 5, "a meter without readings plays as planned");
        assert_eq!(of(c)[0].1, 10.0);
    }

    #[test]
    fn parses_steps() {
        assert_eq!(parse_step("10m").unwrap(), Duration::minutes(10));
        assert_eq!(parse_step("250ms").unwrap(), Duration::milliseconds(250));
        assert_eq!(parse_step("5").unwrap(), Duration::seconds(5));
        assert!(parse_step("0m").is_err());
        assert!(parse_step("10 parsecs").is_err());
    }
}
