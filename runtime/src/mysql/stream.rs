//! Streamed query results, for `spin:mysql/mysql@3.0.0`: a guest connection
//! shared between its resource and the task that reads a query's rows, the
//! rows in size-capped batches, and the query's late outcome.
//!
//! `query` answers once the statement produced its first row (or ended): a
//! statement the server refuses is the call's `query-failed`, as in v2. The
//! rows are then read from the server by a task of their own, converted and
//! handed over in batches; the task stays a batch or two ahead of the guest
//! (the channel holds one), so a result is never buffered whole. What
//! goes wrong after the first row (a value that cannot be converted, the
//! connection lost) ends the rows and is the outcome of the query's future.
//!
//! The task gives up as soon as nobody waits for its rows any more (the guest
//! dropped the stream, or its store went away after a trap or timeout): the
//! statement is abandoned half-way and the connection, marked in flight, is
//! closed rather than pooled when the guest's `connection` goes, unless a
//! later statement on it completes first (sqlx skips what is left of the
//! abandoned result before running it).
//!
//! A connection runs one statement at a time: another `execute` or `query`
//! on it waits until the rows of the one before are read or dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{FutureExt as _, TryStreamExt as _};
use sqlx::{Executor as _, Row as _, Statement as _};
use tokio::sync::{mpsc, oneshot, Mutex, OwnedMutexGuard};

use super::convert::{bind, convert_columns, convert_row, value_size};
use super::{query_failed, MysqlConnection};
use crate::host_mysql::fermyon::spin::rdbms_types::{Column, DbValue, Error, ParameterValue};

/// A batch is handed over once its values reach this size (or as soon as the
/// next row is not there yet). With one batch in the channel, one being
/// filled and one the guest is reading, the rows buffered on the host for a
/// query stay under about three times this, plus three rows.
const MAX_BATCH_BYTES: usize = 256 << 10;

/// One row's values.
pub type Row = Vec<DbValue>;

/// A guest's `connection` (v3): shared by its resource and the task streaming
/// a query's rows, which holds it until the rows are read or abandoned.
#[derive(Clone)]
pub struct SharedConnection(Arc<Mutex<MysqlConnection>>);

impl From<MysqlConnection> for SharedConnection {
    fn from(conn: MysqlConnection) -> Self {
        Self(Arc::new(Mutex::new(conn)))
    }
}

impl SharedConnection {
    /// Runs a statement (see [`MysqlConnection::execute`]).
    pub async fn execute(&self, statement: &str, params: Vec<ParameterValue>) -> Result<(), Error> {
        self.0.lock().await.execute(statement, params).await
    }

    /// Runs a query: its columns once the first row (or the end) is there,
    /// then its rows and outcome as they come.
    pub async fn query(
        &self,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<StreamedQuery, Error> {
        let conn = self.0.clone().lock_owned().await;
        let (head_tx, head_rx) = oneshot::channel();
        let (rows_tx, rows_rx) = mpsc::channel(1);
        let (outcome_tx, outcome_rx) = oneshot::channel();
        tokio::spawn(run(
            conn,
            statement,
            params,
            Senders {
                head: Some(head_tx),
                rows: rows_tx,
                outcome: outcome_tx,
            },
        ));
        let columns = head_rx
            .await
            .map_err(|_| Error::Other("the query ended unexpectedly".into()))??;
        Ok(StreamedQuery {
            columns,
            rows: RowBatches(rows_rx),
            outcome: QueryOutcome(outcome_rx),
        })
    }
}

/// A query under way.
pub struct StreamedQuery {
    /// The result's columns.
    pub columns: Vec<Column>,
    /// Its rows, in batches.
    pub rows: RowBatches,
    /// How it ended, once its rows were read (or abandoned).
    pub outcome: QueryOutcome,
}

/// The rows of a [`StreamedQuery`], in the order of the result.
pub struct RowBatches(mpsc::Receiver<Vec<Row>>);

impl RowBatches {
    /// The next batch (never empty); `None` after the last.
    pub fn poll_batch(&mut self, cx: &mut Context<'_>) -> Poll<Option<Vec<Row>>> {
        self.0.poll_recv(cx)
    }
}

/// The outcome of a [`StreamedQuery`]: an error that ended its rows early, if any.
pub struct QueryOutcome(oneshot::Receiver<Result<(), Error>>);

impl Future for QueryOutcome {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.poll_unpin(cx).map(|outcome| {
            outcome.unwrap_or_else(|_| Err(Error::Other("the query ended unexpectedly".into())))
        })
    }
}

struct Senders {
    /// The columns (or the statement's error), taken once sent.
    head: Option<oneshot::Sender<Result<Vec<Column>, Error>>>,
    rows: mpsc::Sender<Vec<Row>>,
    outcome: oneshot::Sender<Result<(), Error>>,
}

impl Senders {
    /// Until the query's caller or the rows' reader is gone.
    async fn abandoned(&mut self) {
        match &mut self.head {
            Some(head) => head.closed().await,
            None => self.rows.closed().await,
        }
    }
}

/// How the statement of a streamed query ended.
enum End {
    /// Before its first row: the `query` call's error.
    Failed(Error),
    /// Its rows were all sent (or an error ended them): the query's outcome.
    Done(Result<(), Error>),
    /// Nobody waits for its rows any more.
    Abandoned,
}

/// The streaming task: runs the statement on `conn` and feeds `to`.
async fn run(
    mut conn: OwnedMutexGuard<MysqlConnection>,
    statement: String,
    params: Vec<ParameterValue>,
    mut to: Senders,
) {
    let effect = conn.before(&statement);
    match stream(&mut conn, &statement, params, &mut to).await {
        // Left in flight: closed, not pooled, unless a later statement completes.
        End::Abandoned => {
            drop(conn);
            // The guest dropped the rows but may still await the outcome.
            let _ = to.outcome.send(Ok(()));
        }
        End::Failed(e) => {
            conn.after(effect, false);
            drop(conn);
            send_head(&mut to, Err(e));
        }
        End::Done(outcome) => {
            conn.after(effect, outcome.is_ok());
            // The connection is free again before the guest learns the outcome.
            drop(conn);
            let _ = to.outcome.send(outcome);
        }
    }
}

async fn stream(
    conn: &mut MysqlConnection,
    statement: &str,
    params: Vec<ParameterValue>,
    to: &mut Senders,
) -> End {
    {
        let mut rows = bind(sqlx::query(statement), params).fetch(&mut *conn.conn);
        let first = tokio::select! {
            first = rows.try_next() => first,
            () = to.abandoned() => return End::Abandoned,
        };
        match first {
            Err(e) => return End::Failed(query_failed(e)),
            Ok(Some(first)) => {
                let columns = convert_columns(first.columns());
                if !send_head(to, Ok(columns.clone())) {
                    return End::Abandoned;
                }
                return match pump(first, &mut rows, &columns, to).await {
                    Some(outcome) => End::Done(outcome),
                    None => End::Abandoned,
                };
            }
            Ok(None) => {}
        }
    }
    // No rows: the columns of the (cached) prepared statement.
    let prepared = tokio::select! {
        prepared = conn.conn.prepare(statement) => prepared,
        () = to.abandoned() => return End::Abandoned,
    };
    match prepared {
        Ok(prepared) => {
            if send_head(to, Ok(convert_columns(prepared.columns()))) {
                End::Done(Ok(()))
            } else {
                End::Abandoned
            }
        }
        Err(e) => End::Failed(query_failed(e)),
    }
}

/// Answers the `query` call; false when its caller is gone.
fn send_head(to: &mut Senders, head: Result<Vec<Column>, Error>) -> bool {
    to.head.take().is_some_and(|tx| tx.send(head).is_ok())
}

/// Converts and sends the rows from `first` on; the outcome, or `None` when
/// the reader is gone.
async fn pump<S>(
    first: sqlx::mysql::MySqlRow,
    rows: &mut S,
    columns: &[Column],
    to: &mut Senders,
) -> Option<Result<(), Error>>
where
    S: futures::Stream<Item = Result<sqlx::mysql::MySqlRow, sqlx::Error>> + Unpin,
{
    let mut batch: Vec<Row> = Vec::new();
    let mut batch_bytes = 0;
    let mut row = first;
    loop {
        let values = match convert_row(&row, columns) {
            Ok(values) => values,
            Err(e) => {
                flush(&mut batch, to).await?;
                return Some(Err(e));
            }
        };
        batch_bytes += values.iter().map(value_size).sum::<usize>();
        batch.push(values);
        if batch_bytes >= MAX_BATCH_BYTES {
            flush(&mut batch, to).await?;
            batch_bytes = 0;
        }
        // The next row: while rows are already there they join the batch;
        // otherwise the batch goes to the guest before waiting for more.
        let next = match rows.try_next().now_or_never() {
            Some(next) => next,
            None => {
                flush(&mut batch, to).await?;
                batch_bytes = 0;
                tokio::select! {
                    next = rows.try_next() => next,
                    () = to.abandoned() => return None,
                }
            }
        };
        match next {
            Ok(Some(next)) => row = next,
            Ok(None) => {
                flush(&mut batch, to).await?;
                return Some(Ok(()));
            }
            Err(e) => {
                flush(&mut batch, to).await?;
                return Some(Err(query_failed(e)));
            }
        }
    }
}

/// Sends the batch if it has rows; `None` when the reader is gone.
async fn flush(batch: &mut Vec<Row>, to: &Senders) -> Option<()> {
    if batch.is_empty() {
        return Some(());
    }
    to.rows.send(std::mem::take(batch)).await.ok()
}
