//! First start: the first admin from configuration, and on request a demo
//! client with two meters for the simulator to play.

use anyhow::Context;
use iems_db::Pool;
use iems_shared::domain::{validate_password, Role, Username};
use iems_shared::identity::{generate_password, hash_password};
use iems_shared::sql;

/// A user account created now, with the password to show once.
#[derive(Debug)]
pub struct Created {
    /// The username.
    pub username: String,
    /// A generated password in clear, to show once (never logged); `None`
    /// when the password came from configuration and must not be echoed.
    pub password: Option<String>,
}

/// The configured password, validated, or a generated one (then also returned
/// for showing once).
fn password_or_generated(
    configured: Option<&str>,
    variable: &str,
) -> anyhow::Result<(String, Option<String>)> {
    match configured {
        Some(p) => {
            validate_password("password", p)
                .map_err(|e| anyhow::anyhow!("{variable}: {}", e.message))?;
            Ok((p.to_string(), None))
        }
        None => {
            let p = generate_password();
            Ok((p.clone(), Some(p)))
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn insert_user(
    pool: &Pool,
    username: &Username,
    full_name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let hash = hash_password(password)?;
    iems_db::statement(&sql::users::insert(&sql::users::NewUser {
        id: &id,
        username: username.as_str(),
        username_key: &username.key(),
        full_name,
        address: None,
        role,
        password_hash: &hash,
        created_at_ms: now_ms(),
    }))
    .execute(pool)
    .await
    .with_context(|| format!("creating user {}", username.as_str()))?;
    Ok(id)
}

/// Creates the first admin when there is no admin yet. The username and
/// password come from configuration; without a password one is generated.
pub async fn ensure_admin(
    pool: &Pool,
    username: &str,
    password: Option<&str>,
) -> anyhow::Result<Option<Created>> {
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(pool)
        .await?;
    if admins > 0 {
        return Ok(None);
    }
    let username = Username::parse(username)
        .map_err(|e| anyhow::anyhow!("IEMS_ADMIN_USERNAME: {}", e.message))?;
    let (password, shown) = password_or_generated(password, "IEMS_ADMIN_PASSWORD")?;
    insert_user(pool, &username, "Administrator", Role::Admin, &password).await?;
    Ok(Some(Created {
        username: username.as_str().to_string(),
        password: shown,
    }))
}

/// The demo meters and their hourly limits in kWh.
const DEMO_DEVICES: [(&str, &str, f64); 2] = [
    ("Demo house main meter", "1 Demo Street", 2.5),
    ("Demo heat pump", "1 Demo Street", 1.2),
];

/// Creates the demo client `demo` with two assigned meters, once.
pub async fn ensure_demo(pool: &Pool, password: Option<&str>) -> anyhow::Result<Option<Created>> {
    let username = Username::parse("demo").expect("a valid username");
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username_key = ?")
        .bind(username.key())
        .fetch_one(pool)
        .await?;
    if exists > 0 {
        return Ok(None);
    }
    let (password, shown) = password_or_generated(password, "IEMS_DEMO_PASSWORD")?;
    let owner = insert_user(pool, &username, "Demo Client", Role::Client, &password).await?;
    for (name, address, max_kwh) in DEMO_DEVICES {
        let limit = iems_shared::domain::parse_max_hourly_kwh(max_kwh).expect("a valid limit");
        iems_db::statement(&sql::devices::insert(&sql::devices::NewDevice {
            id: &uuid::Uuid::new_v4().to_string(),
            name,
            address: Some(address),
            max_hourly_uwh: limit.uwh(),
            max_power_w: None,
            owner_id: Some(&owner),
            created_at_ms: now_ms(),
        }))
        .execute(pool)
        .await?;
    }
    Ok(Some(Created {
        username: username.as_str().to_string(),
        password: shown,
    }))
}

/// Every device id, for the simulator.
pub async fn device_ids(pool: &Pool) -> anyhow::Result<Vec<uuid::Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM devices ORDER BY created_at, id")
        .fetch_all(pool)
        .await?;
    ids.iter()
        .map(|s| uuid::Uuid::parse_str(s).with_context(|| format!("device id {s:?} is not a UUID")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use iems_db::testing::TestDatabase;

    /// A throwaway database on the backend `IEMS_TEST_DATABASE` names.
    async fn pool() -> (TestDatabase, Pool) {
        let db = TestDatabase::from_env().await;
        let pool = db.pool(1).await.unwrap();
        (db, pool)
    }

    #[tokio::test]
    async fn first_admin_once_with_a_verifiable_password() {
        let (_dir, pool) = pool().await;
        let created = ensure_admin(&pool, "Admin", None)
            .await
            .unwrap()
            .expect("created");
        assert_eq!(created.username, "Admin");
        let password = created.password.expect("a generated password is shown");
        assert!(password.len() >= 20);
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE username_key = 'admin'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(iems_shared::identity::verify_password(&password, &hash));
        assert!(ensure_admin(&pool, "other", Some("long enough pw"))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn configured_admin_password_is_validated() {
        let (_dir, pool) = pool().await;
        assert!(ensure_admin(&pool, "admin", Some("short")).await.is_err());
        assert!(ensure_admin(&pool, "a", Some("long enough pw"))
            .await
            .is_err());
    }

    #[tokio::test]
    async fn demo_client_gets_two_meters_once() {
        let (_dir, pool) = pool().await;
        let created = ensure_demo(&pool, Some("demo password"))
            .await
            .unwrap()
            .expect("created");
        assert_eq!(
            created.password, None,
            "a configured password is never echoed"
        );
        assert!(ensure_demo(&pool, None).await.unwrap().is_none());
        assert_eq!(device_ids(&pool).await.unwrap().len(), 2);
        let owned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM devices d JOIN users u ON u.id = d.owner_id WHERE u.username_key = 'demo' AND u.role = 'client'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(owned, 2);
    }
}
