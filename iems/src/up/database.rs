//! The database of `iems up`, and how the functions it serves are pointed at
//! the same one: SQLite as Spin's `default` database, MySQL through the Spin
//! variables `db_backend`, `mysql_url` and `mysql_host` (spin.toml).

use iems_db::Backend;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where the functions find the database of `iems up`.
#[derive(Debug, PartialEq, Eq)]
pub struct FunctionsDatabase {
    /// The file behind Spin's `default` SQLite database.
    pub default_database: PathBuf,
    /// Spin variables that choose the backend (none for SQLite, the default).
    pub variables: HashMap<String, String>,
}

/// The functions' view of the database at `url`; `data` holds the SQLite file
/// they get when the services use MySQL (their `sqlite_databases` must exist).
pub fn for_functions(url: &str, data: &Path) -> anyhow::Result<FunctionsDatabase> {
    match Backend::of(url)? {
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            let path = path.split('?').next().unwrap_or(path);
            Ok(FunctionsDatabase {
                default_database: PathBuf::from(path),
                variables: HashMap::new(),
            })
        }
        Backend::Mysql => {
            let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = if host.contains(':') {
                host.to_owned()
            } else {
                format!("{host}:3306")
            };
            Ok(FunctionsDatabase {
                default_database: data.join("iems.db"),
                variables: HashMap::from([
                    ("db_backend".to_owned(), "mysql".to_owned()),
                    ("mysql_url".to_owned(), format!("mysql://{rest}")),
                    ("mysql_host".to_owned(), host),
                ]),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_the_default_database_file() {
        let db = for_functions("sqlite:///srv/iems/iems.db?mode=rwc", Path::new("/data")).unwrap();
        assert_eq!(db.default_database, PathBuf::from("/srv/iems/iems.db"));
        assert!(db.variables.is_empty());
        let db = for_functions("sqlite:.data/iems.db", Path::new("/data")).unwrap();
        assert_eq!(db.default_database, PathBuf::from(".data/iems.db"));
    }

    #[test]
    fn mysql_goes_through_the_spin_variables() {
        let db = for_functions("mariadb://iems:pw@db.internal/iems", Path::new("/data")).unwrap();
        assert_eq!(db.default_database, PathBuf::from("/data/iems.db"));
        assert_eq!(db.variables["db_backend"], "mysql");
        assert_eq!(
            db.variables["mysql_url"],
            "mysql://iems:pw@db.internal/iems"
        );
        assert_eq!(db.variables["mysql_host"], "db.internal:3306");
        let db = for_functions("mysql://root@127.0.0.1:3307/x", Path::new("/d")).unwrap();
        assert_eq!(db.variables["mysql_host"], "127.0.0.1:3307");
        assert!(for_functions("postgres://h/db", Path::new("/d")).is_err());
    }
}
