//! `fermyon:spin/mysql@2.0.0` (what `spin_sdk::mysql` imports), bound with
//! async host functions so that database I/O never blocks a tokio worker.
//! The semantics are in [`crate::mysql`].

use wasmtime::component::{HasSelf, Linker, Resource};

use crate::mysql::MysqlConnection;
use crate::state::HostState;

wasmtime::component::bindgen!({
    path: "wit",
    world: "iems:runtime/spin-mysql",
    imports: { default: async },
    with: {
        "fermyon:spin/mysql.connection": crate::mysql::MysqlConnection,
    },
});

use fermyon::spin::mysql as v2;
use fermyon::spin::rdbms_types::{Error, ParameterValue, RowSet};

/// Adds the MySQL interface to the linker.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    SpinMysql::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
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
        let conn = crate::mysql::open(&self.component, &address).await?;
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
        self.mysql_connection(&conn)?
            .query(&statement, params)
            .await
    }

    async fn execute(
        &mut self,
        conn: Resource<MysqlConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<(), Error> {
        self.mysql_connection(&conn)?
            .execute(&statement, params)
            .await
    }

    async fn drop(&mut self, conn: Resource<MysqlConnection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}
