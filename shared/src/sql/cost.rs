//! Statements on the cost tables (`tariffs`, `tariff_prices`,
//! `tariff_assignments`, `budgets`, `budget_alerts`) and the hourly rows a
//! pricing or projection reads. The functions run them through
//! `fn_common::db::Db`, the broker-adapter through `iems_db::statement`; the
//! rows they return go to `crate::cost::load` to become a device's `Pricer`
//! or a client's month projection. Columns are listed in each constant's doc.

use super::{placeholders, rows, Dialect, Statement, Value};

/// The most devices of one client a summary or projection reads.
pub const MAX_CLIENT_DEVICES: i64 = 1000;

// ---- tariffs ----

/// Columns: `id, name, spec, created_at, updated_at, assigned` (0/1: ever
/// assigned). Follow with a `WHERE`.
pub const TARIFF_SELECT: &str = "SELECT t.id, t.name, t.spec, t.created_at, t.updated_at, \
     CASE WHEN EXISTS (SELECT 1 FROM tariff_assignments x WHERE x.tariff_id = t.id) \
     THEN 1 ELSE 0 END FROM tariffs t";

/// The tariff with id `?`: [`TARIFF_SELECT`]'s columns.
pub const TARIFF_BY_ID: &str = "SELECT t.id, t.name, t.spec, t.created_at, t.updated_at, \
     CASE WHEN EXISTS (SELECT 1 FROM tariff_assignments x WHERE x.tariff_id = t.id) \
     THEN 1 ELSE 0 END FROM tariffs t WHERE t.id = ?";

/// The condition "tariff `t` is assigned to client `?` or to a device owned
/// by client `?`" (bind the client's id twice).
pub const VISIBLE_TO_CLIENT: &str = "t.id IN (SELECT a.tariff_id FROM tariff_assignments a \
     LEFT JOIN devices d ON d.id = a.device_id WHERE a.client_id = ? OR d.owner_id = ?)";

/// A page of tariffs by name (admin: `client` = `None`, all of them; a
/// client: only [`VISIBLE_TO_CLIENT`]): [`TARIFF_SELECT`]'s columns.
pub fn tariff_page(client: Option<&str>, limit: i64, offset: i64) -> Statement {
    let (filter, mut params) = tariff_filter(client);
    params.push(Value::Int(limit));
    params.push(Value::Int(offset));
    Statement::new(
        format!("{TARIFF_SELECT}{filter} ORDER BY t.name, t.id LIMIT ? OFFSET ?"),
        params,
    )
}

/// The count of [`tariff_page`]'s tariffs: one column.
pub fn tariff_count(client: Option<&str>) -> Statement {
    let (filter, params) = tariff_filter(client);
    Statement::new(format!("SELECT COUNT(*) FROM tariffs t{filter}"), params)
}

fn tariff_filter(client: Option<&str>) -> (String, Vec<Value>) {
    match client {
        Some(c) => (
            format!(" WHERE {VISIBLE_TO_CLIENT}"),
            vec![c.into(), c.into()],
        ),
        None => (String::new(), Vec::new()),
    }
}

/// A validated tariff to store.
#[derive(Debug, Clone)]
pub struct NewTariff<'a> {
    /// UUID.
    pub id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// ISO 4217 code.
    pub currency: &'a str,
    /// `flat`, `time_of_use` or `dynamic`.
    pub kind: &'a str,
    /// The validated `TariffSpec` as JSON.
    pub spec: &'a str,
    /// Unix ms.
    pub created_at_ms: i64,
}

/// Inserts `tariff`.
pub fn insert_tariff(tariff: &NewTariff<'_>) -> Statement {
    Statement::new(
        "INSERT INTO tariffs (id, name, currency, kind, spec, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            tariff.id.into(),
            tariff.name.into(),
            tariff.currency.into(),
            tariff.kind.into(),
            tariff.spec.into(),
            Value::Int(tariff.created_at_ms),
            Value::Int(tariff.created_at_ms),
        ],
    )
}

/// Renames tariff `id`.
pub fn rename_tariff(id: &str, name: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE tariffs SET name = ?, updated_at = ? WHERE id = ?",
        vec![name.into(), Value::Int(now_ms), id.into()],
    )
}

/// Replaces the prices of tariff `id` (callers check it was never assigned).
pub fn replace_spec(id: &str, t: &NewTariff<'_>, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE tariffs SET name = ?, currency = ?, kind = ?, spec = ?, updated_at = ? WHERE id = ?",
        vec![
            t.name.into(),
            t.currency.into(),
            t.kind.into(),
            t.spec.into(),
            Value::Int(now_ms),
            id.into(),
        ],
    )
}

/// Deletes tariff `id` unless it was ever assigned (then no row changes).
pub fn delete_unassigned_tariff(id: &str) -> Statement {
    Statement::new(
        "DELETE FROM tariffs WHERE id = ? AND NOT EXISTS \
         (SELECT 1 FROM tariff_assignments x WHERE x.tariff_id = ?)",
        vec![id.into(), id.into()],
    )
}

/// `id, spec` of `n` tariffs whose ids are bound in the `IN` list.
pub fn tariffs_by_ids(n: usize) -> String {
    format!(
        "SELECT id, spec FROM tariffs WHERE id IN ({})",
        placeholders(n)
    )
}

// ---- dynamic prices ----

/// `slot_start, price_micro` of tariff `?` with `? <= slot_start < ?`, by start.
pub const PRICES_IN: &str = "SELECT slot_start, price_micro FROM tariff_prices \
     WHERE tariff_id = ? AND slot_start >= ? AND slot_start < ? ORDER BY slot_start";

/// [`PRICES_IN`] paged: bind tariff, from, to, limit, offset.
pub const PRICES_PAGE: &str = "SELECT slot_start, price_micro FROM tariff_prices \
     WHERE tariff_id = ? AND slot_start >= ? AND slot_start < ? ORDER BY slot_start LIMIT ? OFFSET ?";

/// The count of [`PRICES_IN`]'s rows: bind tariff, from, to.
pub const PRICES_COUNT: &str = "SELECT COUNT(*) FROM tariff_prices \
     WHERE tariff_id = ? AND slot_start >= ? AND slot_start < ?";

/// `tariff_id, slot_start, price_micro` of the `n` tariffs bound first, then
/// `? <= slot_start < ?`: the series a pricing over a range needs.
pub fn prices_of_tariffs(n: usize) -> String {
    format!(
        "SELECT tariff_id, slot_start, price_micro FROM tariff_prices \
         WHERE tariff_id IN ({}) AND slot_start >= ? AND slot_start < ? \
         ORDER BY tariff_id, slot_start",
        placeholders(n)
    )
}

/// `slot_start, price_micro` of tariff `?` at the `n` slot starts bound
/// after it (what an upload would replace).
pub fn prices_at(n: usize) -> String {
    format!(
        "SELECT slot_start, price_micro FROM tariff_prices WHERE tariff_id = ? AND slot_start IN ({})",
        placeholders(n)
    )
}

/// Stores `(slot_start, price_micro)` rows of tariff `id` (at most a few
/// hundred per statement), replacing the price of a slot already stored.
pub fn upsert_prices(dialect: Dialect, id: &str, slots: &[(i64, i64)]) -> Statement {
    let mut params = Vec::with_capacity(slots.len() * 3);
    for &(start, price) in slots {
        params.extend([id.into(), Value::Int(start), Value::Int(price)]);
    }
    Statement::new(
        format!(
            "INSERT INTO tariff_prices (tariff_id, slot_start, price_micro) VALUES {} {} price_micro = {}",
            rows("(?, ?, ?)", slots.len()),
            dialect.on_conflict_update("tariff_id, slot_start"),
            dialect.new_value("price_micro"),
        ),
        params,
    )
}

// ---- assignments ----

/// Columns: `id, client_id, device_id, tariff_id, tariff name, valid_from,
/// created_at`. Follow with a `WHERE`.
pub const ASSIGNMENT_SELECT: &str =
    "SELECT a.id, a.client_id, a.device_id, a.tariff_id, t.name, a.valid_from, a.created_at \
     FROM tariff_assignments a LEFT JOIN tariffs t ON t.id = a.tariff_id";

/// The assignment with id `?`.
pub const ASSIGNMENT_BY_ID: &str =
    "SELECT a.id, a.client_id, a.device_id, a.tariff_id, t.name, a.valid_from, a.created_at \
     FROM tariff_assignments a LEFT JOIN tariffs t ON t.id = a.tariff_id WHERE a.id = ?";

/// Whose assignments a statement reads.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A client's own (not its devices').
    Client(&'a str),
    /// One device's own.
    Device(&'a str),
}

impl Subject<'_> {
    fn filter(self) -> (&'static str, Value) {
        match self {
            Subject::Client(id) => ("a.client_id = ?", id.into()),
            Subject::Device(id) => ("a.device_id = ?", id.into()),
        }
    }
}

/// A page of `subject`'s assignments, newest `valid_from` first.
pub fn assignment_page(subject: Subject<'_>, limit: i64, offset: i64) -> Statement {
    let (filter, id) = subject.filter();
    Statement::new(
        format!(
            "{ASSIGNMENT_SELECT} WHERE {filter} \
             ORDER BY a.valid_from DESC, a.created_at DESC, a.id DESC LIMIT ? OFFSET ?"
        ),
        vec![id, Value::Int(limit), Value::Int(offset)],
    )
}

/// The count of `subject`'s assignments.
pub fn assignment_count(subject: Subject<'_>) -> Statement {
    let (filter, id) = subject.filter();
    Statement::new(
        format!("SELECT COUNT(*) FROM tariff_assignments a WHERE {filter}"),
        vec![id],
    )
}

/// `subject`'s latest assignment starting at or before `at_ms` (`None`: the
/// latest of all, future ones included).
pub fn latest_assignment(subject: Subject<'_>, at_ms: Option<i64>) -> Statement {
    let (filter, id) = subject.filter();
    let mut params = vec![id];
    let mut sql = format!("{ASSIGNMENT_SELECT} WHERE {filter}");
    if let Some(at) = at_ms {
        sql.push_str(" AND a.valid_from <= ?");
        params.push(Value::Int(at));
    }
    sql.push_str(" ORDER BY a.valid_from DESC, a.created_at DESC, a.id DESC LIMIT 1");
    Statement::new(sql, params)
}

/// A new assignment (exactly one of client and device; tariff `None` only
/// for a device).
#[derive(Debug, Clone)]
pub struct NewAssignment<'a> {
    /// UUID.
    pub id: &'a str,
    /// The client, for a client's assignment.
    pub client_id: Option<&'a str>,
    /// The device, for a device's override.
    pub device_id: Option<&'a str>,
    /// The tariff; `None` sends a device back to its client's.
    pub tariff_id: Option<&'a str>,
    /// Unix ms from which it applies.
    pub valid_from_ms: i64,
    /// Unix ms.
    pub created_at_ms: i64,
    /// The admin who made it.
    pub created_by: Option<&'a str>,
}

/// Inserts `a`.
pub fn insert_assignment(a: &NewAssignment<'_>) -> Statement {
    Statement::new(
        "INSERT INTO tariff_assignments (id, client_id, device_id, tariff_id, valid_from, created_at, created_by) \
         VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM users WHERE id = ?))",
        vec![
            a.id.into(),
            a.client_id.into(),
            a.device_id.into(),
            a.tariff_id.into(),
            Value::Int(a.valid_from_ms),
            Value::Int(a.created_at_ms),
            a.created_by.into(),
        ],
    )
}

/// Deletes assignment `id` if it starts after `now_ms` (else no row changes).
pub fn delete_future_assignment(id: &str, now_ms: i64) -> Statement {
    Statement::new(
        "DELETE FROM tariff_assignments WHERE id = ? AND valid_from > ?",
        vec![id.into(), Value::Int(now_ms)],
    )
}

/// The distinct currencies of the tariffs assigned to client `?` or to its
/// devices (bind the client twice): all of one device's tariffs share one.
pub const CLIENT_CURRENCIES: &str = "SELECT DISTINCT t.currency FROM tariff_assignments a \
     JOIN tariffs t ON t.id = a.tariff_id LEFT JOIN devices d ON d.id = a.device_id \
     WHERE a.client_id = ? OR d.owner_id = ?";

/// The distinct currencies of device `?`'s own tariffs and of its owner
/// client `?`'s (bind the device, then the owner or NULL).
pub const DEVICE_CURRENCIES: &str = "SELECT DISTINCT t.currency FROM tariff_assignments a \
     JOIN tariffs t ON t.id = a.tariff_id WHERE a.device_id = ? OR a.client_id = ?";

/// The assignment history a device's pricing needs: its own and its owner's.
/// Bind the device, then the owner (or NULL). Columns: `for_device` (0/1),
/// `valid_from`, `tariff_id`, in the order the timeline keeps ties.
pub const DEVICE_TIMELINE: &str = "SELECT CASE WHEN a.device_id IS NULL THEN 0 ELSE 1 END, \
     a.valid_from, a.tariff_id FROM tariff_assignments a \
     WHERE a.device_id = ? OR a.client_id = ? ORDER BY a.valid_from, a.created_at, a.id";

// ---- hourly rows ----

/// `hour_start, energy_uwh` of device `?` with `? <= hour_start < ?`, by hour.
pub const DEVICE_HOURS: &str = "SELECT hour_start, energy_uwh FROM hourly_consumption \
     WHERE device_id = ? AND hour_start >= ? AND hour_start < ? ORDER BY hour_start";

/// The first stored hour of device `?` (NULL when none).
pub const DEVICE_FIRST_HOUR: &str =
    "SELECT MIN(hour_start) FROM hourly_consumption WHERE device_id = ?";

/// `id, name` of client `?`'s devices by name, at most `?` of them.
pub const CLIENT_DEVICES: &str =
    "SELECT id, name FROM devices WHERE owner_id = ? ORDER BY name, id LIMIT ?";

// ---- budgets ----

/// Client `?`'s budget: `kind, amount, tz, updated_at`.
pub const BUDGET_BY_CLIENT: &str =
    "SELECT kind, amount, tz, updated_at FROM budgets WHERE client_id = ?";

/// Sets client `client_id`'s budget (`kind` `money` | `kwh`, amount in
/// micro-units or µWh).
pub fn upsert_budget(
    dialect: Dialect,
    client_id: &str,
    kind: &str,
    amount: i64,
    tz: &str,
    now_ms: i64,
    by: &str,
) -> Statement {
    let set = |c: &str| format!("{c} = {}", dialect.new_value(c));
    Statement::new(
        format!(
            "INSERT INTO budgets (client_id, kind, amount, tz, updated_at, updated_by) \
             VALUES (?, ?, ?, ?, ?, (SELECT id FROM users WHERE id = ?)) {} {}, {}, {}, {}, {}",
            dialect.on_conflict_update("client_id"),
            set("kind"),
            set("amount"),
            set("tz"),
            set("updated_at"),
            set("updated_by"),
        ),
        vec![
            client_id.into(),
            kind.into(),
            Value::Int(amount),
            tz.into(),
            Value::Int(now_ms),
            by.into(),
        ],
    )
}

/// Deletes client `?`'s budget.
pub const DELETE_BUDGET: &str = "DELETE FROM budgets WHERE client_id = ?";

// ---- budget alerts ----

/// Columns: `id, client_id, client name, month, kind, budget_kind,
/// budget_amount, spent, projected, currency, created_at, acknowledged_at`
/// (see `crate::model::StoredBudgetAlert`). Follow with a `WHERE`.
pub const BUDGET_ALERT_SELECT: &str = "SELECT b.id, b.client_id, u.full_name, b.month, b.kind, \
     b.budget_kind, b.budget_amount, b.spent, b.projected, b.currency, b.created_at, \
     b.acknowledged_at FROM budget_alerts b LEFT JOIN users u ON u.id = b.client_id";

/// A row of [`BUDGET_ALERT_SELECT`], in its column order.
pub type BudgetAlertRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    i64,
    Option<i64>,
);

/// The stored alert from its row.
pub fn budget_alert(row: BudgetAlertRow) -> crate::model::StoredBudgetAlert {
    let (
        id,
        client_id,
        client_name,
        month,
        kind,
        budget_kind,
        budget_amount,
        spent,
        projected,
        currency,
        created_at_ms,
        acknowledged_at_ms,
    ) = row;
    crate::model::StoredBudgetAlert {
        id,
        client_id,
        client_name,
        month,
        kind,
        budget_kind,
        budget_amount,
        spent,
        projected,
        currency,
        created_at_ms,
        acknowledged_at_ms,
    }
}

/// Client `client`'s alert of `kind` for `month` (the once-only key).
pub fn budget_alert_by_key(client: &str, month: &str, kind: &str) -> Statement {
    Statement::new(
        format!("{BUDGET_ALERT_SELECT} WHERE b.client_id = ? AND b.month = ? AND b.kind = ?"),
        vec![client.into(), month.into(), kind.into()],
    )
}

fn alert_filter(client: Option<&str>, unacknowledged: bool) -> (String, Vec<Value>) {
    let mut filter = String::from(" WHERE 1 = 1");
    let mut params = Vec::new();
    if let Some(c) = client {
        filter.push_str(" AND b.client_id = ?");
        params.push(c.into());
    }
    if unacknowledged {
        filter.push_str(" AND b.acknowledged_at IS NULL");
    }
    (filter, params)
}

/// A page of budget alerts, newest first (a client's only, with `client`).
pub fn budget_alert_page(
    client: Option<&str>,
    unacknowledged: bool,
    limit: i64,
    offset: i64,
) -> Statement {
    let (filter, mut params) = alert_filter(client, unacknowledged);
    params.push(Value::Int(limit));
    params.push(Value::Int(offset));
    Statement::new(
        format!("{BUDGET_ALERT_SELECT}{filter} ORDER BY b.created_at DESC, b.id LIMIT ? OFFSET ?"),
        params,
    )
}

/// The count of [`budget_alert_page`]'s alerts.
pub fn budget_alert_count(client: Option<&str>, unacknowledged: bool) -> Statement {
    let (filter, params) = alert_filter(client, unacknowledged);
    Statement::new(
        format!("SELECT COUNT(*) FROM budget_alerts b{filter}"),
        params,
    )
}

/// Budget alert `id` (a client's only, with `client`).
pub fn budget_alert_by_id(id: &str, client: Option<&str>) -> Statement {
    let (filter, mut params) = alert_filter(client, false);
    params.push(id.into());
    Statement::new(
        format!("{BUDGET_ALERT_SELECT}{filter} AND b.id = ?"),
        params,
    )
}

/// Acknowledges alert `id` the first time only.
pub fn ack_budget_alert(id: &str, by: &str, now_ms: i64) -> Statement {
    Statement::new(
        "UPDATE budget_alerts SET acknowledged_at = ?, \
         acknowledged_by = (SELECT id FROM users WHERE id = ?) WHERE id = ? AND acknowledged_at IS NULL",
        vec![Value::Int(now_ms), by.into(), id.into()],
    )
}

/// Stores `alert` unless the client has one for the month and kind (then no
/// row changes): the unique `budget_alerts_key` is the once-only guard.
pub fn insert_budget_alert_once(
    dialect: Dialect,
    alert: &crate::model::StoredBudgetAlert,
) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO budget_alerts (id, client_id, month, kind, budget_kind, budget_amount, \
             spent, projected, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) {}",
            dialect.keep_existing("client_id, month, kind")
        ),
        vec![
            alert.id.as_str().into(),
            alert.client_id.as_str().into(),
            alert.month.as_str().into(),
            alert.kind.as_str().into(),
            alert.budget_kind.as_str().into(),
            Value::Int(alert.budget_amount),
            Value::Int(alert.spent),
            Value::Int(alert.projected),
            alert.currency.as_deref().into(),
            Value::Int(alert.created_at_ms),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_has_its_value() {
        for d in [Dialect::Sqlite, Dialect::Mysql] {
            for s in [
                tariff_page(Some("c"), 1, 0),
                tariff_page(None, 1, 0),
                tariff_count(Some("c")),
                upsert_prices(d, "t", &[(0, 1), (900_000, 2)]),
                assignment_page(Subject::Client("c"), 1, 0),
                latest_assignment(Subject::Device("d"), Some(5)),
                latest_assignment(Subject::Client("c"), None),
                upsert_budget(d, "c", "money", 5, "UTC", 1, "u"),
                budget_alert_by_key("c", "2026-12", "spent"),
                budget_alert_page(Some("c"), true, 1, 0),
                budget_alert_by_id("a", None),
                delete_unassigned_tariff("t"),
            ] {
                assert_eq!(s.sql.matches('?').count(), s.params.len(), "{}", s.sql);
            }
        }
        assert_eq!(prices_of_tariffs(2).matches('?').count(), 4);
        assert_eq!(tariffs_by_ids(3).matches('?').count(), 3);
    }
}
