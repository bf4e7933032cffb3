//! MySQL for guests: `fermyon:spin/mysql@2.0.0` (what `spin_sdk::mysql`
//! imports), bound with async host functions so that database I/O never
//! blocks a tokio worker, and Spin 4's `spin:mysql/mysql@3.0.0` ([`v3`]).
//! The semantics are the [`driver`]'s; this layer checks the allow-list and
//! converts between the WIT types and the driver's own.

use wasmtime::component::{HasSelf, Linker, Resource};

use super::state::{ComponentCtx, HostState};
use driver::types as plain;
use driver::MysqlConnection;

pub mod driver;

wasmtime::component::bindgen!({
    path: "wit",
    world: "iems:runtime/spin-mysql",
    imports: { default: async },
    with: {
        "fermyon:spin/mysql.connection": crate::host::mysql::driver::MysqlConnection,
    },
});

use fermyon::spin::mysql as v2;
use fermyon::spin::rdbms_types::{Column, DbDataType, DbValue, Error, ParameterValue, RowSet};

/// Adds the MySQL interface to the linker.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    SpinMysql::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

/// Opens a connection for `component` to `address`, which must be in its
/// `allowed_outbound_hosts` (checked before anything is sent anywhere).
pub(crate) async fn open(
    component: &ComponentCtx,
    address: &str,
) -> Result<MysqlConnection, plain::Error> {
    if !component.allowed_hosts.allows_url(address, "mysql") {
        tracing::warn!(component = %component.id, "MySQL address denied: not in allowed_outbound_hosts");
        // Spin's message, with the password left out: the guest may log it.
        return Err(plain::Error::ConnectionFailed(format!(
            "address {} is not permitted",
            iems_shared::redact::redact_url(address)
        )));
    }
    component.mysql.open(address).await
}

impl fermyon::spin::rdbms_types::Host for HostState {}

impl v2::Host for HostState {}

impl HostState {
    fn mysql_connection(
        &mut self,
        conn: &Resource<MysqlConnection>,
    ) -> Result<&mut MysqlConnection, Error> {
        self.table
            .get_mut(conn)
            .map_err(|_| Error::ConnectionFailed("no connection found".into()))
    }
}

impl v2::HostConnection for HostState {
    async fn open(&mut self, address: String) -> Result<Resource<MysqlConnection>, Error> {
        let conn = open(&self.component, &address).await?;
        self.table
            .push(conn)
            .map_err(|_| Error::ConnectionFailed("too many connections".into()))
    }

    async fn query(
        &mut self,
        conn: Resource<MysqlConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let params = params.into_iter().map(Into::into).collect();
        let rows = self
            .mysql_connection(&conn)?
            .query(&statement, params)
            .await?;
        Ok(rows.into())
    }

    async fn execute(
        &mut self,
        conn: Resource<MysqlConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<(), Error> {
        let params = params.into_iter().map(Into::into).collect();
        self.mysql_connection(&conn)?
            .execute(&statement, params)
            .await?;
        Ok(())
    }

    async fn drop(&mut self, conn: Resource<MysqlConnection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}

/// Conversions between a binding's WIT types and the driver's: the same
/// cases under the same names, moved across.
macro_rules! same_cases {
    ($from:ty => $to:ty { $($tuple:ident),* ; $($unit:ident),* }) => {
        impl From<$from> for $to {
            fn from(value: $from) -> Self {
                type From = $from;
                match value {
                    $(From::$tuple(v) => Self::$tuple(v),)*
                    $(From::$unit => Self::$unit,)*
                }
            }
        }
    };
}

/// Every conversion a binding of `rdbms-types`' shapes needs, for the WIT
/// types in scope as `ParameterValue`, `DbValue`, `DbDataType`, `Error`,
/// `Column` (the v2 and v3 bindings each have their own).
macro_rules! convert_to_driver {
    () => {
        same_cases!(ParameterValue => plain::ParameterValue {
            Boolean, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Floating32,
            Floating64, Str, Binary; DbNull
        });
        same_cases!(plain::DbValue => DbValue {
            Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Floating32, Floating64,
            Str, Binary; DbNull
        });
        same_cases!(plain::DbDataType => DbDataType {
            ; Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Floating32, Floating64,
            Str, Binary, Other
        });
        same_cases!(plain::Error => Error {
            ConnectionFailed, QueryFailed, ValueConversionFailed, Other;
        });

        impl From<plain::Column> for Column {
            fn from(column: plain::Column) -> Self {
                Self {
                    name: column.name,
                    data_type: column.data_type.into(),
                }
            }
        }
    };
}

convert_to_driver!();

// After the macros, which it uses.
#[cfg(feature = "spin-mysql3")]
pub mod v3;

impl From<plain::RowSet> for RowSet {
    fn from(rows: plain::RowSet) -> Self {
        Self {
            columns: rows.columns.into_iter().map(Into::into).collect(),
            rows: rows
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(Into::into).collect())
                .collect(),
        }
    }
}
