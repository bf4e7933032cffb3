//! Insight from stored consumption: each device's baseline (the typical use of
//! every local hour of the week), unusual-consumption runs that depart from it,
//! and the day-ahead forecast drawn from it. Pure rules with no clock and no
//! database; the callers pass the hourly rows and `now`. See `docs/insight.md`.

pub mod baseline;
pub mod compare;
pub mod forecast;
pub mod unusual;

pub use baseline::{
    decode_slots, encode_slots, history_from_ms, learn_baseline, weeks_of_history, Baseline,
    BaselineParams, SlotStats,
};
pub use forecast::{forecast_day, mape, sum_forecasts, tomorrow};
pub use unusual::{
    check_window, decide, find_unusual, AlertDecision, Direction, UnusualRun, UnusualSettings,
};
