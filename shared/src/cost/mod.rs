//! Energy cost: tariffs, the one rounding rule, costs per bucket, tariff
//! history, standing charges and the month projection for budgets.
//!
//! Everything here is pure (no clock, no database): callers pass `now` and the
//! stored rows. Money and prices are exact integers of micro-units; an hour's
//! cost is rounded once ([`hour_cost`]) and every range costs the sum of its
//! hours, so the cost of a range is exactly the sum of the costs of its parts.
//! The rules for users are in `docs/cost.md`.

pub mod buckets;
pub mod dynamic;
pub mod hour;
pub mod load;
pub mod money;
pub mod pricer;
pub mod projection;
pub mod tariff;
pub mod timeline;

pub use buckets::{into_cost_buckets, standing_charges, BucketCost};
pub use dynamic::DynamicPrices;
pub use hour::{hour_cost, mean_price, QuarterPrices};
pub use money::{Currency, Money, Price};
pub use pricer::{PricedHour, PricedTariff, Pricer, QuarterClock};
pub use projection::{budget_status, project_month, Budget, BudgetStatus, Projection};
pub use tariff::{PriceRule, Tariff, TariffSpec};
pub use timeline::{TariffId, TariffTimeline};
