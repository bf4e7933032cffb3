//! The ingestion planner: from a device's stored readings around some new
//! ones, decide which new readings are stored, refused or duplicates, how the
//! hourly totals change and which meter events (resets, gaps) appear or go.
//!
//! Pure: the broker-adapter reads the neighbours, calls [`plan_device`] and
//! writes the plan in one transaction. Each new reading is judged against its
//! two neighbours only, so its work is bounded: at most three steps of at most
//! [`ReadingPolicy::max_gap_ms`] each are spread over hours.

use super::policy::{DeviceLimits, ReadingPolicy, Refusal, Step};
use super::{spread_energy, HourlyTotals, Reading};
use crate::energy::{Energy, EnergyOverflow};
use std::collections::BTreeMap;

/// How the step ending at a stored reading was booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The register dropped to near zero before this reading (energy spread).
    Reset,
    /// The reading came after a gap; the energy since the reading before is
    /// booked on the event, not spread over the hours.
    Gap,
}

impl EventKind {
    /// The stored name (`reset`, `gap`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Reset => "reset",
            EventKind::Gap => "gap",
        }
    }

    /// The kind of a stored name.
    pub fn parse(s: &str) -> Option<EventKind> {
        match s {
            "reset" => Some(EventKind::Reset),
            "gap" => Some(EventKind::Gap),
            _ => None,
        }
    }
}

/// A stored reading and how the step ending at it was booked (`None`: spread as usual).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// The reading.
    pub reading: Reading,
    /// The event recorded for the step from the reading before to this one.
    pub event: Option<EventKind>,
}

/// A meter event: a step between two consecutive readings that was a reset or a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterEvent {
    /// The event's kind (a gap that is also a reset is a gap).
    pub kind: EventKind,
    /// The earlier reading.
    pub from: Reading,
    /// The later reading (the event is keyed by its timestamp).
    pub to: Reading,
    /// Energy of the step that is not in the hourly totals (a gap's energy; zero for a reset).
    pub unspread: Energy,
}

/// What to write for one device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevicePlan {
    /// New readings to store.
    pub accepted: Vec<Reading>,
    /// Indexes (into the new readings) of readings already stored: counted once.
    pub duplicates: Vec<usize>,
    /// Indexes of refused readings, with the reason.
    pub refused: Vec<(usize, Refusal)>,
    /// The change of each hour's total (hours that do not change are left out).
    pub hours: HourlyTotals,
    /// Meter events to write, by the later reading's timestamp; `None` deletes one.
    pub events: BTreeMap<i64, Option<MeterEvent>>,
}

/// Plans the storing of `new` (in arrival order) among `stored`, which must
/// hold every stored reading between the earliest and latest new one and the
/// nearest stored reading on either side of them.
pub fn plan_device(
    mut stored: BTreeMap<i64, Stored>,
    new: &[Reading],
    policy: &ReadingPolicy,
    limits: DeviceLimits,
    received_ms: i64,
) -> DevicePlan {
    let mut plan = DevicePlan::default();
    for (index, reading) in new.iter().enumerate() {
        let ts = reading.at_ms();
        if stored.contains_key(&ts) {
            plan.duplicates.push(index);
            continue;
        }
        match judge(&stored, reading, policy, limits, received_ms) {
            Ok(judged) => match merge(&mut plan.hours, &judged.hours) {
                Ok(()) => {
                    record(&mut plan, &mut stored, reading, &judged);
                    plan.accepted.push(*reading);
                }
                Err(overflow) => plan.refused.push((index, overflow.into())),
            },
            Err(refusal) => plan.refused.push((index, refusal)),
        }
    }
    plan
}

/// One accepted reading's effect.
struct Judged {
    prev: Option<Stored>,
    next: Option<Stored>,
    step_in: Option<Step>,
    step_out: Option<Step>,
    hours: HourlyTotals,
}

fn judge(
    stored: &BTreeMap<i64, Stored>,
    reading: &Reading,
    policy: &ReadingPolicy,
    limits: DeviceLimits,
    received_ms: i64,
) -> Result<Judged, Refusal> {
    policy.check_time(reading, received_ms)?;
    let ts = reading.at_ms();
    let prev = stored.range(..ts).next_back().map(|(_, s)| *s);
    let next = stored.range(ts + 1..).next().map(|(_, s)| *s);
    let step_in = prev
        .map(|p| policy.step(&p.reading, reading, limits))
        .transpose()?;
    let step_out = next
        .map(|n| policy.step(reading, &n.reading, limits))
        .transpose()?;
    let mut hours = HourlyTotals::new();
    if let (Some(p), Some(n)) = (prev, next) {
        // The step being split, as it was booked.
        if n.event != Some(EventKind::Gap) {
            let energy = super::consumed_between(&p.reading, &n.reading);
            add(&mut hours, &p.reading, &n.reading, energy, -1)?;
        }
    }
    if let (Some(p), Some(step)) = (prev, step_in) {
        if !step.gap {
            add(&mut hours, &p.reading, reading, step.energy, 1)?;
        }
    }
    if let (Some(n), Some(step)) = (next, step_out) {
        if !step.gap {
            add(&mut hours, reading, &n.reading, step.energy, 1)?;
        }
    }
    Ok(Judged {
        prev,
        next,
        step_in,
        step_out,
        hours,
    })
}

/// Adds `sign` × the energy spread between two readings to `hours`.
fn add(
    hours: &mut HourlyTotals,
    from: &Reading,
    to: &Reading,
    energy: Energy,
    sign: i64,
) -> Result<(), EnergyOverflow> {
    for (hour, part) in spread_energy(from.at_ms(), to.at_ms(), energy) {
        let part = Energy::from_uwh(part.uwh() * sign);
        let entry = hours.entry(hour).or_insert(Energy::ZERO);
        *entry = entry.checked_add(part)?;
    }
    Ok(())
}

/// Adds `delta` into `totals`, all or nothing; hours that reach zero are dropped.
fn merge(totals: &mut HourlyTotals, delta: &HourlyTotals) -> Result<(), EnergyOverflow> {
    let sums = delta
        .iter()
        .map(|(hour, change)| {
            let now = totals.get(hour).copied().unwrap_or(Energy::ZERO);
            Ok((*hour, now.checked_add(*change)?))
        })
        .collect::<Result<Vec<_>, EnergyOverflow>>()?;
    for (hour, sum) in sums {
        if sum == Energy::ZERO {
            totals.remove(&hour);
        } else {
            totals.insert(hour, sum);
        }
    }
    Ok(())
}

fn event(from: &Reading, to: &Reading, step: &Step) -> Option<MeterEvent> {
    let kind = if step.gap {
        EventKind::Gap
    } else if step.reset {
        EventKind::Reset
    } else {
        return None;
    };
    Some(MeterEvent {
        kind,
        from: *from,
        to: *to,
        unspread: if step.gap { step.energy } else { Energy::ZERO },
    })
}

/// Records an accepted reading: its events, and itself among the stored ones.
fn record(
    plan: &mut DevicePlan,
    stored: &mut BTreeMap<i64, Stored>,
    reading: &Reading,
    judged: &Judged,
) {
    let in_event = judged
        .prev
        .zip(judged.step_in)
        .and_then(|(p, step)| event(&p.reading, reading, &step));
    if let Some(e) = in_event {
        plan.events.insert(reading.at_ms(), Some(e));
    }
    if let (Some(n), Some(step)) = (judged.next, judged.step_out) {
        let out_event = event(reading, &n.reading, &step);
        let key = n.reading.at_ms();
        if out_event.is_some() || n.event.is_some() || plan.events.contains_key(&key) {
            plan.events.insert(key, out_event);
        }
        if let Some(next) = stored.get_mut(&key) {
            next.event = out_event.map(|e| e.kind);
        }
    }
    stored.insert(
        reading.at_ms(),
        Stored {
            reading: *reading,
            event: in_event.map(|e| e.kind),
        },
    );
}

#[cfg(test)]
mod tests;
