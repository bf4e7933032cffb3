//! The reading policy: what iems does with readings of meters that misbehave
//! (clocks that jump, registers that step back or flip, gaps of days).
//!
//! Every rule judges one reading against the time it was received or against
//! one of its two stored neighbours, so the work a reading causes is bounded
//! whatever its timestamp or value:
//!
//! | case | rule |
//! |---|---|
//! | timestamp more than [`ReadingPolicy::max_ahead_ms`] after it was received | refused: `future_timestamp` |
//! | timestamp more than [`ReadingPolicy::max_age_ms`] before it was received | refused: `stale_timestamp` |
//! | register drops to near zero: to no more than the meter could have counted since the reading before at the device's plausible power | a meter reset: the new value counts as consumed since, and a `reset` event is recorded |
//! | register drops, but not that far | refused: `step_back` (a small step back is a faulty reading, not a reset) |
//! | average power between two readings above the device's plausible maximum | refused: `implausible` |
//! | two readings further apart than [`ReadingPolicy::max_gap_ms`] | the energy between them is not spread over the hours; it is booked as a `gap` event of the device, visible beside its totals |
//! | a sum that leaves the range of `i64` µWh | refused: `overflow` |

use crate::consumption::{Reading, HOUR_MS};
use crate::energy::{Energy, EnergyOverflow};

/// Plausible maximum power of a device whose own setting is not given, in
/// watts: the larger of this and four times its hourly limit.
pub const DEFAULT_MAX_POWER_W: i64 = 50_000;

/// The largest plausible power a device may be set to, in watts (1 GW): keeps
/// every hour's total far inside `i64` µWh.
pub const MAX_POWER_W_LIMIT: i64 = 1_000_000_000;

/// The rules' limits; [`ReadingPolicy::default`] is what the services use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadingPolicy {
    /// How far a reading's timestamp may lie after the time it was received.
    pub max_ahead_ms: i64,
    /// How far a reading's timestamp may lie before the time it was received.
    pub max_age_ms: i64,
    /// The longest time between two consecutive readings whose energy is
    /// spread over the hours between them.
    pub max_gap_ms: i64,
    /// Register resolution allowed on top of the plausible power (meters round
    /// their register; two readings close together may differ by one step).
    pub register_slack: Energy,
}

impl Default for ReadingPolicy {
    fn default() -> Self {
        ReadingPolicy {
            max_ahead_ms: 5 * 60 * 1000,
            max_age_ms: 366 * 24 * HOUR_MS,
            max_gap_ms: 48 * HOUR_MS,
            register_slack: Energy::from_uwh(10_000_000), // 10 Wh
        }
    }
}

/// What the policy needs to know of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceLimits {
    /// The device's plausible maximum power in watts.
    pub max_power_w: i64,
}

impl DeviceLimits {
    /// The limits of a device with an hourly limit and an optional power setting.
    pub fn new(max_hourly: Energy, max_power_w: Option<i64>) -> Self {
        DeviceLimits {
            max_power_w: max_power_w.unwrap_or_else(|| default_max_power_w(max_hourly)),
        }
    }
}

/// The plausible maximum power of a device without its own setting: four times
/// its hourly limit as a power, at least [`DEFAULT_MAX_POWER_W`], at most
/// [`MAX_POWER_W_LIMIT`]. (An hour may exceed its limit; that is what alerts are for.)
pub fn default_max_power_w(max_hourly: Energy) -> i64 {
    // µWh in one hour → W: / 10^6.
    let limit_w = max_hourly.uwh() / 1_000_000;
    limit_w
        .saturating_mul(4)
        .clamp(DEFAULT_MAX_POWER_W, MAX_POWER_W_LIMIT)
}

/// Why a reading is refused; [`Refusal::code`] starts its dead-letter reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Dated after the time it was received, beyond the allowance.
    #[error(
        "future_timestamp: dated {ahead_s} s after it was received (at most {max_s} s allowed)"
    )]
    FutureTimestamp {
        /// Seconds ahead.
        ahead_s: i64,
        /// The allowance in seconds.
        max_s: i64,
    },
    /// Dated too long before the time it was received (a meter clock reset).
    #[error("stale_timestamp: dated {age_days} days before it was received (at most {max_days} days allowed)")]
    StaleTimestamp {
        /// Days before.
        age_days: i64,
        /// The allowance in days.
        max_days: i64,
    },
    /// The register is lower than the reading before, but not near zero.
    #[error("step_back: register {after} after {before} at the reading before (a drop, but not to near zero as a reset would be)")]
    StepBack {
        /// The earlier register value.
        before: Energy,
        /// The later, lower register value.
        after: Energy,
    },
    /// The energy between two readings implies more power than the device can draw.
    #[error("implausible: {energy} in {seconds} s is an average of {power_w} W, above the device's plausible {max_power_w} W")]
    Implausible {
        /// The energy between the readings.
        energy: Energy,
        /// The time between them.
        seconds: i64,
        /// The average power it implies.
        power_w: i64,
        /// The device's plausible maximum.
        max_power_w: i64,
    },
    /// A total would leave the range of `i64` µWh.
    #[error("overflow: {0}")]
    Overflow(#[from] EnergyOverflow),
}

impl Refusal {
    /// The machine-readable reason code (`future_timestamp`, `implausible`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::FutureTimestamp { .. } => "future_timestamp",
            Refusal::StaleTimestamp { .. } => "stale_timestamp",
            Refusal::StepBack { .. } => "step_back",
            Refusal::Implausible { .. } => "implausible",
            Refusal::Overflow(_) => "overflow",
        }
    }
}

/// How the energy between two consecutive readings is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The energy consumed between them (the increase, or the value after a reset).
    pub energy: Energy,
    /// The register dropped to near zero: a meter reset.
    pub reset: bool,
    /// Too far apart: the energy is booked as a gap, not spread over the hours.
    pub gap: bool,
}

impl ReadingPolicy {
    /// Checks a reading's timestamp against the time it was received.
    pub fn check_time(&self, reading: &Reading, received_ms: i64) -> Result<(), Refusal> {
        let at = reading.at_ms();
        let ahead = at.saturating_sub(received_ms);
        if ahead > self.max_ahead_ms {
            return Err(Refusal::FutureTimestamp {
                ahead_s: ahead / 1000,
                max_s: self.max_ahead_ms / 1000,
            });
        }
        let age = received_ms.saturating_sub(at);
        if age > self.max_age_ms {
            return Err(Refusal::StaleTimestamp {
                age_days: age / (24 * HOUR_MS),
                max_days: self.max_age_ms / (24 * HOUR_MS),
            });
        }
        Ok(())
    }

    /// Judges two consecutive readings (`earlier` strictly before `later`).
    pub fn step(
        &self,
        earlier: &Reading,
        later: &Reading,
        limits: DeviceLimits,
    ) -> Result<Step, Refusal> {
        let (before, after) = (earlier.register, later.register);
        let elapsed_ms = later.at_ms().saturating_sub(earlier.at_ms()).max(1);
        let plausible = plausible_energy(limits.max_power_w, elapsed_ms, self.register_slack);
        // A reset falls to near zero: to what the meter could have counted
        // since. This holds for any two true readings around a reset, however
        // far apart, so it does not depend on the order readings arrive in.
        let reset = after < before;
        if reset && after > plausible {
            return Err(Refusal::StepBack { before, after });
        }
        let energy = if reset {
            after
        } else {
            after.checked_sub(before)?
        };
        if energy > plausible {
            let power_w = i128::from(energy.uwh()) * 36 / (10 * i128::from(elapsed_ms));
            return Err(Refusal::Implausible {
                energy,
                seconds: elapsed_ms / 1000,
                power_w: i64::try_from(power_w).unwrap_or(i64::MAX),
                max_power_w: limits.max_power_w,
            });
        }
        Ok(Step {
            energy,
            reset,
            gap: elapsed_ms > self.max_gap_ms,
        })
    }
}

/// The most energy a device of `max_power_w` can draw in `elapsed_ms`, plus the slack.
fn plausible_energy(max_power_w: i64, elapsed_ms: i64, slack: Energy) -> Energy {
    // 1 W for 1 ms is 1/3.6 µWh.
    let uwh = i128::from(max_power_w) * i128::from(elapsed_ms) * 10 / 36 + i128::from(slack.uwh());
    Energy::from_uwh(i64::try_from(uwh).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn r(minutes: i64, kwh: f64) -> Reading {
        let t0 = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        Reading::new(
            t0 + chrono::Duration::minutes(minutes),
            Energy::from_kwh(kwh).unwrap(),
        )
    }

    const HOME: DeviceLimits = DeviceLimits {
        max_power_w: 50_000,
    };

    #[test]
    fn a_small_step_back_is_refused_and_a_drop_to_near_zero_is_a_reset() {
        let p = ReadingPolicy::default();
        let step_back = p.step(&r(0, 5417.63), &r(10, 5417.53), HOME).unwrap_err();
        assert_eq!(step_back.code(), "step_back");
        let reset = p.step(&r(0, 5417.63), &r(10, 0.5), HOME).unwrap();
        assert!(reset.reset && !reset.gap);
        assert_eq!(reset.energy, Energy::from_kwh(0.5).unwrap());
    }

    #[test]
    fn a_flipping_register_is_implausible() {
        let p = ReadingPolicy::default();
        let err = p.step(&r(0, 0.0), &r(10, 1e9), HOME).unwrap_err();
        assert_eq!(err.code(), "implausible");
        // 50 kW for 10 minutes is 8.33 kWh: plausible; 9 kWh is not.
        assert!(p.step(&r(0, 100.0), &r(10, 108.3), HOME).is_ok());
        assert_eq!(
            p.step(&r(0, 100.0), &r(10, 109.0), HOME)
                .unwrap_err()
                .code(),
            "implausible"
        );
    }

    #[test]
    fn a_long_gap_is_booked_as_a_gap() {
        let p = ReadingPolicy::default();
        let step = p.step(&r(0, 100.0), &r(3 * 24 * 60, 130.0), HOME).unwrap();
        assert!(step.gap && !step.reset);
        let near = p.step(&r(0, 100.0), &r(47 * 60, 130.0), HOME).unwrap();
        assert!(!near.gap);
    }

    #[test]
    fn timestamps_are_judged_against_the_receive_time() {
        let p = ReadingPolicy::default();
        let received = r(0, 1.0).at_ms();
        assert!(p.check_time(&r(5, 1.0), received).is_ok());
        assert_eq!(
            p.check_time(&r(6, 1.0), received).unwrap_err().code(),
            "future_timestamp"
        );
        assert_eq!(
            p.check_time(&r(-367 * 24 * 60, 1.0), received)
                .unwrap_err()
                .code(),
            "stale_timestamp"
        );
        assert!(p.check_time(&r(-30 * 24 * 60, 1.0), received).is_ok());
    }

    #[test]
    fn the_default_power_follows_the_hourly_limit() {
        assert_eq!(default_max_power_w(Energy::from_kwh(1.2).unwrap()), 50_000);
        assert_eq!(
            default_max_power_w(Energy::from_kwh(100.0).unwrap()),
            400_000
        );
        assert_eq!(
            default_max_power_w(Energy::from_kwh(1e9).unwrap()),
            MAX_POWER_W_LIMIT
        );
    }
}
