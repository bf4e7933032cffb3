use super::*;

const H: i64 = 3_600_000;

fn uwh(rows: &[(i64, Energy)]) -> Vec<(i64, i64)> {
    rows.iter().map(|&(h, e)| (h, e.uwh())).collect()
}

#[test]
fn the_series_starts_on_a_monday_at_midnight_utc() {
    let start = DateTime::<Utc>::from_timestamp_millis(SERIES_START_MS).unwrap();
    assert_eq!(start.to_rfc3339(), "2026-01-05T00:00:00+00:00");
    assert_eq!(start.format("%A").to_string(), "Monday");
}

#[test]
fn registers_become_exact_hourly_energy_and_a_reset_counts_as_nothing() {
    // 20-minute steps: 0.1, 0.2 and 0.05 kWh in the first hour, a reset (a
    // drop to 0.05) that counts 0, then 0.3 kWh.
    let regs = [5.0, 5.1, 5.3, 5.35, 0.05, 0.35];
    let rows = hourly_rows(&regs, 0, Duration::minutes(20)).unwrap();
    assert_eq!(uwh(&rows), vec![(0, 350_000_000), (H, 300_000_000)]);
}

#[test]
fn a_step_across_an_hour_is_split_by_its_minutes() {
    // 40-minute steps of 0.4 kWh: the second step lies 20 minutes in each hour.
    let regs = [0.0, 0.4, 0.8, 1.2];
    let rows = hourly_rows(&regs, 0, Duration::minutes(40)).unwrap();
    assert_eq!(
        uwh(&rows),
        vec![(0, 600_000_000), (H, 600_000_000)],
        "0.4 + 0.2 in the first hour, 0.2 + 0.4 in the second"
    );
    // µWh that do not split evenly still add up exactly.
    let odd = hourly_rows(&[0.0, 0.000_001], 0, Duration::minutes(90)).unwrap();
    assert_eq!(odd.iter().map(|r| r.1.uwh()).sum::<i64>(), 1_000);
}

#[test]
fn refuses_a_step_that_is_not_positive() {
    assert_eq!(
        hourly_rows(&[0.0, 1.0], 0, Duration::zero()),
        Err(BacktestError::Step)
    );
}

/// `weeks` weeks of 10-minute use (kWh, whole µWh) that depends only on the
/// minute of the week (nothing at all early on Sunday).
fn weekly_use(weeks: usize) -> Vec<f64> {
    (0..weeks * 7 * 144)
        .map(|step| {
            let of_week = step % (7 * 144);
            let (day, of_day) = (of_week / 144, of_week % 144);
            if day == 6 && of_day < 36 {
                0.0
            } else {
                0.01 + 0.002 * (of_day % 17) as f64 + 0.05 * day as f64
            }
        })
        .collect()
}

/// The register of a meter starting at 1234.5 kWh with this use per step.
fn registers(used: &[f64]) -> Vec<f64> {
    let mut register = 1234.5;
    let mut out = vec![register];
    for kwh in used {
        register += kwh;
        out.push(register);
    }
    out
}

fn weekly_registers(weeks: usize) -> Vec<f64> {
    registers(&weekly_use(weeks))
}

#[test]
fn a_perfectly_weekly_series_is_forecast_without_error() {
    let regs = weekly_registers(5);
    for tz in [chrono_tz::UTC, chrono_tz::Europe::Bucharest] {
        let result =
            backtest_registers(&regs, Duration::minutes(10), tz, BaselineParams::default())
                .unwrap();
        // Days 22 to 35 (the baseline needs 3 whole weeks).
        assert!(result.days.len() >= 13, "{tz}: {} days", result.days.len());
        for day in &result.days {
            assert_eq!(day.mape, Some(0.0), "{tz} {}", day.date);
        }
        assert_eq!(result.mean(), Some(0.0));
        assert_eq!(result.median(), Some(0.0));
    }
    let utc = backtest_registers(
        &regs,
        Duration::minutes(10),
        chrono_tz::UTC,
        BaselineParams::default(),
    )
    .unwrap();
    assert_eq!(utc.whole_days, 35);
    assert_eq!(utc.days.len(), 14);
    assert_eq!(utc.days[0].date.to_string(), "2026-01-26");
}

#[test]
fn a_changed_week_shows_in_the_error() {
    // The last Monday uses twice as much as usual.
    let mut used = weekly_use(5);
    let monday = 4 * 7 * 144;
    for kwh in &mut used[monday..monday + 144] {
        *kwh *= 2.0;
    }
    let regs = registers(&used);
    let result = backtest_registers(
        &regs,
        Duration::minutes(10),
        chrono_tz::UTC,
        BaselineParams::default(),
    )
    .unwrap();
    let day = result
        .days
        .iter()
        .find(|d| d.date.to_string() == "2026-02-02")
        .unwrap();
    // Forecast x against actual 2x: 50 % in every hour.
    assert!((day.mape.unwrap() - 50.0).abs() < 1e-3, "{:?}", day.mape);
    assert!(result.median().unwrap() < 1e-3, "the other days are exact");
}

#[test]
fn too_few_weeks_scores_no_day() {
    let regs = weekly_registers(2);
    let result = backtest_registers(
        &regs,
        Duration::minutes(10),
        chrono_tz::UTC,
        BaselineParams::default(),
    )
    .unwrap();
    assert_eq!(result.whole_days, 14);
    assert!(result.days.is_empty());
    assert_eq!(result.mean(), None);
    assert_eq!(result.median(), None);
    assert!((result.weeks_of_data - 2.0).abs() < 1e-9);
}

#[test]
fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
    let date = NaiveDate::from_ymd_opt(2026, 1, 26).unwrap();
    let score = |m| DayScore {
        date,
        mape: Some(m),
        hours: 24,
    };
    let result = Backtest {
        whole_days: 4,
        weeks_of_data: 1.0,
        days: vec![score(40.0), score(10.0), score(20.0), score(30.0)],
    };
    assert_eq!(result.median(), Some(25.0));
    assert_eq!(result.mean(), Some(25.0));
}
