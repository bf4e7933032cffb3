//! `spin:mysql/mysql@3.0.0` (what `spin_sdk::mysql` imports from spin-sdk 7,
//! Spin 4): component-model async functions, a query's rows in a `stream` and
//! its late outcome in a `future`. The semantics are v2's ([`super::driver`]),
//! with rows streamed ([`super::driver::stream`]) rather than buffered.

use std::pin::Pin;
use std::task::{Context, Poll};

use wasmtime::component::{
    Accessor, Destination, FutureReader, HasData, Linker, Resource, StreamProducer, StreamReader,
    StreamResult, VecBuffer,
};
use wasmtime::StoreContextMut;

use super::driver::stream::{RowBatches, SharedConnection};
use super::driver::types as plain;
use crate::host::state::HostState;

wasmtime::component::bindgen!({
    path: "wit-mysql3",
    world: "iems:runtime-mysql3/spin-mysql3",
    with: {
        "spin:mysql/mysql.connection": crate::host::mysql::driver::stream::SharedConnection,
    },
});

use spin::mysql::mysql as v3;
use v3::{Column, DbDataType, DbValue, Error, ParameterValue, Row};

/// Adds the MySQL interface to the linker.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    v3::add_to_linker::<HostState, SpinMysql3Host>(linker, |s| s)
}

/// The [`HasData`] of the v3 bindings: their functions reach the store's
/// [`HostState`] through an [`Accessor`], never across an `.await`.
pub struct SpinMysql3Host;

impl HasData for SpinMysql3Host {
    type Data<'a> = &'a mut HostState;
}

impl v3::Host for HostState {}

impl v3::HostConnection for HostState {
    fn drop(&mut self, conn: Resource<SharedConnection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}

fn connection<T>(
    accessor: &Accessor<T, SpinMysql3Host>,
    conn: &Resource<SharedConnection>,
) -> Result<SharedConnection, Error> {
    accessor.with(|mut access| {
        access
            .get()
            .table
            .get(conn)
            .cloned()
            .map_err(|_| Error::ConnectionFailed("no connection found".into()))
    })
}

impl<T> v3::HostConnectionWithStore<T> for SpinMysql3Host {
    async fn open(
        accessor: &Accessor<T, Self>,
        address: String,
    ) -> Result<Resource<SharedConnection>, Error> {
        let component = accessor.with(|mut access| access.get().component.clone());
        let conn = super::open(&component, &address).await?;
        accessor.with(|mut access| {
            access
                .get()
                .table
                .push(SharedConnection::from(conn))
                .map_err(|_| Error::ConnectionFailed("too many connections".into()))
        })
    }

    async fn query(
        accessor: &Accessor<T, Self>,
        conn: Resource<SharedConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<
        (
            Vec<Column>,
            StreamReader<Row>,
            FutureReader<Result<(), Error>>,
        ),
        Error,
    > {
        let conn = connection(accessor, &conn)?;
        let params = params.into_iter().map(Into::into).collect();
        let query = conn.query(statement, params).await?;
        let columns = query.columns.into_iter().map(Into::into).collect();
        let outcome = query.outcome;
        accessor.with(|mut access| {
            let rows = StreamReader::new(&mut access, RowProducer(query.rows))
                .map_err(|e| Error::Other(e.to_string()))?;
            let outcome = FutureReader::new(&mut access, async move {
                wasmtime::error::Ok(outcome.await.map_err(Error::from))
            })
            .map_err(|e| Error::Other(e.to_string()))?;
            Ok((columns, rows, outcome))
        })
    }

    async fn execute(
        accessor: &Accessor<T, Self>,
        conn: Resource<SharedConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<(), Error> {
        let conn = connection(accessor, &conn)?;
        let params = params.into_iter().map(Into::into).collect();
        conn.execute(&statement, params).await.map_err(Error::from)
    }
}

/// Hands a query's row batches to the guest's reads of its `stream<row>`.
struct RowProducer(RowBatches);

impl<D> StreamProducer<D> for RowProducer {
    type Item = Row;
    type Buffer = VecBuffer<Row>;

    fn poll_produce<'a>(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<'a, D>,
        mut destination: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        // A zero-length read asks whether rows are coming: say yes rather
        // than take a batch the guest may never read.
        if destination.remaining(store) == Some(0) {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        match self.0.poll_batch(cx) {
            Poll::Ready(Some(batch)) => {
                // What the guest does not take now is kept for its next reads.
                let rows: Vec<Row> = batch
                    .into_iter()
                    .map(|row| row.into_iter().map(DbValue::from).collect())
                    .collect();
                destination.set_buffer(rows.into());
                Poll::Ready(Ok(StreamResult::Completed))
            }
            Poll::Ready(None) => Poll::Ready(Ok(StreamResult::Dropped)),
            Poll::Pending if finish => Poll::Ready(Ok(StreamResult::Cancelled)),
            Poll::Pending => Poll::Pending,
        }
    }
}

convert_to_driver!();
