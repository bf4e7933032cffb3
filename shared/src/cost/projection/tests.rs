//! Unit tests of the projection rules, with hand-computed values.

use super::*;

const H: i64 = HOUR_MS;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn kwh(k: i64) -> Energy {
    Energy::from_uwh(k * 1_000_000_000)
}

/// 0.10 per kWh, exactly.
fn ten_cents(_h: i64, e: Energy) -> Option<Money> {
    Some(Money::from_micros(e.uwh() / 10_000))
}

#[test]
fn remaining_hours_use_the_mean_of_recent_weeks() {
    // A month of 3 days starting at T0 + 5 weeks; now is in its first hour.
    let start = T0 + 5 * WEEK_MS;
    let end = start + 72 * H;
    let mut history = vec![(start, kwh(1))];
    // The hour after now, 1..4 weeks earlier: 4, 0 (no row), 2, 6 kWh → mean 3.
    for (k, e) in [(1, 4), (3, 2), (4, 6)] {
        history.push((start + H - k * WEEK_MS, kwh(e)));
    }
    let p = project_month(
        &history,
        Some(T0),
        start + 10 * 60_000,
        start,
        end,
        ten_cents,
    );
    assert_eq!(p.spent_energy, kwh(1));
    assert_eq!(p.spent_cost, Money::from_micros(100_000));
    assert_eq!(p.projected_energy, kwh(1 + 3));
    assert_eq!(p.projected_cost, Money::from_micros(400_000));
    // A device stored rows only from two weeks ago: weeks 1 and 2 count → mean 2.
    let p = project_month(
        &history,
        Some(start - 2 * WEEK_MS),
        start,
        start,
        end,
        ten_cents,
    );
    assert_eq!(p.projected_energy, kwh(1 + 2));
    // No history at all: nothing expected.
    let p = project_month(&[], None, start, start, end, ten_cents);
    assert_eq!(p, Projection::default());
}

#[test]
fn hours_beyond_a_week_sample_measured_weeks() {
    let start = T0 + 5 * WEEK_MS;
    let end = start + 10 * 24 * H;
    // Every hour before now used 1 kWh.
    let history: Vec<_> = (0..5 * 7 * 24).map(|i| (T0 + i * H, kwh(1))).collect();
    let p = project_month(&history, Some(T0), start - 1, start, end, ten_cents);
    assert_eq!(p.spent_energy, Energy::ZERO);
    assert_eq!(p.projected_energy, kwh(10 * 24));
    assert_eq!(p.projected_cost, Money::from_micros(24_000_000));
}

#[test]
fn unpriced_hours_are_counted_apart() {
    let start = T0 + WEEK_MS;
    let history = [(start, kwh(2)), (start + H - WEEK_MS, kwh(5))];
    let p = project_month(&history, Some(T0), start, start, start + 2 * H, |_, _| None);
    assert_eq!(p.projected_energy, kwh(7));
    assert_eq!(p.unpriced_energy, kwh(7));
    assert_eq!(p.projected_cost, Money::ZERO);
}

#[test]
fn budget_thresholds() {
    let p = Projection {
        spent_energy: kwh(50),
        spent_cost: Money::from_micros(10_000_000),
        projected_energy: kwh(120),
        projected_cost: Money::from_micros(25_000_000),
        unpriced_energy: Energy::ZERO,
    };
    let money = Budget::parse("money", "20").unwrap();
    assert_eq!(
        budget_status(money, &p),
        BudgetStatus {
            projected_over: true,
            spent_over: false
        }
    );
    let reached = Budget::parse("money", "10").unwrap();
    assert_eq!(
        budget_status(reached, &p),
        BudgetStatus {
            projected_over: true,
            spent_over: true
        }
    );
    let energy = Budget::parse("kwh", "120").unwrap();
    assert_eq!(
        budget_status(energy, &p),
        BudgetStatus {
            projected_over: false,
            spent_over: false
        }
    );
    assert!(Budget::parse("kwh", "0").is_err());
    assert!(Budget::parse("watts", "1").is_err());
    assert_eq!(
        serde_json::to_value(money).unwrap(),
        serde_json::json!({"kind": "money", "amount": 20_000_000})
    );
}

#[test]
fn budgets_round_trip_through_their_stored_form() {
    for b in [
        Budget::parse("money", "120.50").unwrap(),
        Budget::parse("kwh", "300").unwrap(),
    ] {
        assert_eq!(Budget::from_stored(b.kind(), b.stored_amount()), Some(b));
    }
    let kwh = Budget::parse("kwh", "300").unwrap();
    assert_eq!((kwh.kind(), kwh.stored_amount()), ("kwh", 300_000_000_000));
    assert_eq!(kwh.units_of(kwh.stored_amount()), 300.0);
    let money = Budget::parse("money", "120.50").unwrap();
    assert_eq!(
        (money.kind(), money.stored_amount()),
        ("money", 120_500_000)
    );
    assert_eq!(money.units_of(money.stored_amount()), 120.5);
    assert_eq!(Budget::from_stored("watts", 1), None);
}
