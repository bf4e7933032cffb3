//! Insight from stored consumption: each device's baseline (the typical use of
//! every local hour of the week), unusual-consumption runs that depart from it,
//! and the day-ahead forecast drawn from it. Pure rules with no clock and no
//! database; the callers pass the hourly rows and `now`. See `docs/insight.md`.

pub mod baseline;
pub mod forecast;
pub mod unusual;

pub use baseline::{history_from_ms, learn_baseline, Baseline, BaselineParams, SlotStats};
pub use forecast::{forecast_day, mape, sum_forecasts, tomorrow};
pub use unusual::{find_unusual, Direction, UnusualRun, UnusualSettings};
