//! Spin host interfaces (variables, SQLite, key-value), generated from
//! `runtime/wit` and implemented on the store state with synchronous host
//! functions. A new local interface is one more `import` in `wit/world.wit`'s
//! `spin-host` and one more impl here; network-bound ones (MySQL) are async,
//! in a world and module of their own ([`super::mysql`]).

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker, Resource};

use super::db::{self, KvError, KvStore, Lease, SqlError, SqlValue};
use super::state::HostState;
use super::variables::VariableError;

wasmtime::component::bindgen!({
    path: "wit",
    world: "iems:runtime/spin-host",
    with: {
        "fermyon:spin/sqlite.connection": crate::host::db::Lease,
        "spin:sqlite/sqlite.connection": crate::host::db::Lease,
        "fermyon:spin/key-value.store": crate::host::spin::KvHandle,
        "spin:key-value/key-value.store": crate::host::spin::KvHandle,
    },
});

/// An open key-value store handle held in the guest's resource table.
pub struct KvHandle(Arc<KvStore>);

/// Adds the synchronous Spin interfaces to the linker.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    SpinHost::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl HostState {
    fn sqlite_open(&mut self, name: &str) -> Result<Lease, SqlError> {
        if !self.component.sqlite_allowed.contains(name) {
            return Err(SqlError::AccessDenied);
        }
        let pool = self
            .component
            .sqlite
            .get(name)
            .ok_or(SqlError::NoSuchDatabase)?;
        Lease::new(pool.clone())
    }

    fn kv_open(&mut self, label: &str) -> Result<KvHandle, KvError> {
        if !self.component.kv_allowed.contains(label) {
            return Err(KvError::AccessDenied);
        }
        let store = self.component.kv.get(label).ok_or(KvError::NoSuchStore)?;
        Ok(KvHandle(store.clone()))
    }
}

macro_rules! impl_sqlite {
    ($m:path, $v:ident) => {
        const _: () = {
            use $m as m;

            fn to_core(v: m::Value) -> SqlValue {
                match v {
                    m::Value::Integer(i) => SqlValue::Integer(i),
                    m::Value::Real(r) => SqlValue::Real(r),
                    m::Value::Text(t) => SqlValue::Text(t),
                    m::Value::Blob(b) => SqlValue::Blob(b),
                    m::Value::Null => SqlValue::Null,
                }
            }

            fn from_core(v: SqlValue) -> m::Value {
                match v {
                    SqlValue::Integer(i) => m::Value::Integer(i),
                    SqlValue::Real(r) => m::Value::Real(r),
                    SqlValue::Text(t) => m::Value::Text(t),
                    SqlValue::Blob(b) => m::Value::Blob(b),
                    SqlValue::Null => m::Value::Null,
                }
            }

            fn err(e: SqlError) -> m::Error {
                match e {
                    SqlError::NoSuchDatabase => m::Error::NoSuchDatabase,
                    SqlError::AccessDenied => m::Error::AccessDenied,
                    SqlError::InvalidConnection => m::Error::InvalidConnection,
                    SqlError::DatabaseFull => m::Error::DatabaseFull,
                    SqlError::Io(s) => m::Error::Io(s),
                }
            }

            impl m::Host for HostState {}

            impl m::HostConnection for HostState {
                fn open(&mut self, database: String) -> Result<Resource<Lease>, m::Error> {
                    let lease = self.sqlite_open(&database).map_err(err)?;
                    self.table
                        .push(lease)
                        .map_err(|e| m::Error::Io(e.to_string()))
                }

                fn execute(
                    &mut self,
                    conn: Resource<Lease>,
                    statement: String,
                    parameters: Vec<m::Value>,
                ) -> Result<m::QueryResult, m::Error> {
                    let lease = self
                        .table
                        .get(&conn)
                        .map_err(|_| err(SqlError::InvalidConnection))?;
                    let params = parameters.into_iter().map(to_core).collect();
                    let (columns, rows) =
                        db::execute(lease.conn(), &statement, params).map_err(err)?;
                    let rows = rows
                        .into_iter()
                        .map(|r| m::RowResult {
                            values: r.into_iter().map(from_core).collect(),
                        })
                        .collect();
                    Ok(m::QueryResult { columns, rows })
                }

                impl_sqlite!(@extra $v);

                fn drop(&mut self, conn: Resource<Lease>) -> wasmtime::Result<()> {
                    self.table.delete(conn)?;
                    Ok(())
                }
            }
        };
    };
    (@extra v2) => {};
    (@extra v3) => {
        fn last_insert_rowid(&mut self, conn: Resource<Lease>) -> i64 {
            self.table
                .get(&conn)
                .map(|l| l.conn().last_insert_rowid())
                .unwrap_or(0)
        }

        fn changes(&mut self, conn: Resource<Lease>) -> u64 {
            self.table
                .get(&conn)
                .map(|l| l.conn().changes())
                .unwrap_or(0)
        }
    };
}

impl_sqlite!(fermyon::spin::sqlite, v2);
impl_sqlite!(spin::sqlite::sqlite, v3);

macro_rules! impl_variables {
    ($m:path) => {
        const _: () = {
            use $m as m;
            impl m::Host for HostState {
                fn get(&mut self, name: String) -> Result<String, m::Error> {
                    self.component.variables.get(&name).map_err(|e| match e {
                        VariableError::InvalidName(s) => m::Error::InvalidName(s),
                        VariableError::Undefined(s) => m::Error::Undefined(s),
                    })
                }
            }
        };
    };
}

impl_variables!(fermyon::spin::variables);
impl_variables!(spin::variables::variables);

macro_rules! impl_kv {
    ($m:path) => {
        const _: () = {
            use $m as m;

            fn err(e: KvError) -> m::Error {
                match e {
                    KvError::NoSuchStore => m::Error::NoSuchStore,
                    KvError::AccessDenied => m::Error::AccessDenied,
                    KvError::Other(s) => m::Error::Other(s),
                }
            }

            impl m::Host for HostState {}

            fn kv(state: &HostState, store: &Resource<KvHandle>) -> Result<Arc<KvStore>, m::Error> {
                let handle = state
                    .table
                    .get(store)
                    .map_err(|e| m::Error::Other(e.to_string()))?;
                Ok(handle.0.clone())
            }

            impl m::HostStore for HostState {
                fn open(&mut self, label: String) -> Result<Resource<KvHandle>, m::Error> {
                    let handle = self.kv_open(&label).map_err(err)?;
                    self.table
                        .push(handle)
                        .map_err(|_| m::Error::StoreTableFull)
                }

                fn get(
                    &mut self,
                    s: Resource<KvHandle>,
                    key: String,
                ) -> Result<Option<Vec<u8>>, m::Error> {
                    kv(self, &s)?.get(&key).map_err(err)
                }

                fn set(
                    &mut self,
                    s: Resource<KvHandle>,
                    key: String,
                    value: Vec<u8>,
                ) -> Result<(), m::Error> {
                    kv(self, &s)?.set(&key, &value).map_err(err)
                }

                fn delete(&mut self, s: Resource<KvHandle>, key: String) -> Result<(), m::Error> {
                    kv(self, &s)?.delete(&key).map_err(err)
                }

                fn exists(&mut self, s: Resource<KvHandle>, key: String) -> Result<bool, m::Error> {
                    kv(self, &s)?.exists(&key).map_err(err)
                }

                fn get_keys(&mut self, s: Resource<KvHandle>) -> Result<Vec<String>, m::Error> {
                    kv(self, &s)?.keys().map_err(err)
                }

                fn drop(&mut self, s: Resource<KvHandle>) -> wasmtime::Result<()> {
                    self.table.delete(s)?;
                    Ok(())
                }
            }
        };
    };
}

impl_kv!(fermyon::spin::key_value);
impl_kv!(spin::key_value::key_value);
