//! The usual cast of the API tests: an admin, two clients and their devices.

use super::{TestApi, TestUser};

/// A fresh API with an admin, clients alice and bob, and three devices.
pub struct World {
    /// The running API.
    pub api: TestApi,
    /// The seeded admin.
    pub admin: TestUser,
    /// A client.
    pub alice: TestUser,
    /// Another client.
    pub bob: TestUser,
    /// Alice's device (limit 2 kWh).
    pub mine: String,
    /// Bob's device (limit 3 kWh).
    pub theirs: String,
    /// Nobody's device (limit 1 kWh).
    pub spare: String,
}

/// Starts the API and seeds the cast.
pub async fn world() -> World {
    let api = TestApi::start().await;
    let admin = api.admin().await;
    let alice = api.client("alice").await;
    let bob = api.client("bob").await;
    let mine = api.seed_device("Alice meter", Some(&alice.id), 2.0).await;
    let theirs = api.seed_device("Bob meter", Some(&bob.id), 3.0).await;
    let spare = api.seed_device("Spare meter", None, 1.0).await;
    World {
        api,
        admin,
        alice,
        bob,
        mine,
        theirs,
        spare,
    }
}
