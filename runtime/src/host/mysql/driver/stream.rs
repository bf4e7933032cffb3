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
//! A statement, once sent, runs to its end: sqlx's reads are not
//! cancel-safe (a read dropped between a packet's header and its payload
//! leaves the connection out of step with the server, and its next statement
//! waits forever), so no statement is dropped half-way on a connection that
//! will be used again. When the guest drops a query's rows (or cancels the
//! call) before the end, the task reads and discards the rest, as MySQL's own
//! clients do, and the connection is free once the result is drained. Only
//! when nobody can use the rest (the guest's `connection` is gone, dropped or
//! with its store after a trap or timeout, and nobody awaits the query's
//! outcome) is the statement abandoned half-way: the connection, marked in
//! flight, is then closed rather than pooled.
//!
//! A connection runs one statement at a time: another `execute` or `query`
//! on it waits until the one before has ended (its rows read, or drained).
//! An `execute` runs in its caller's call, as in v2 and in Spin: when the
//! guest cancels that call half-way, the connection refuses further
//! statements (`connection-failed`) and is closed when dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::{FutureExt as _, TryStreamExt as _};
use sqlx::{Executor as _, Row as _, Statement as _};
use tokio::sync::{mpsc, oneshot, watch, Mutex, OwnedMutexGuard};

use super::convert::{bind, convert_columns, convert_row, value_size};
use super::types::{Column, Error, ParameterValue, Row};
use super::{query_failed, MysqlConnection};

/// A batch is handed over once its values reach this size (or as soon as the
/// next row is not there yet). With one batch in the channel, one being
/// filled and one the guest is reading, the rows buffered on the host for a
/// query stay under about three times this, plus three rows.
const MAX_BATCH_BYTES: usize = 256 << 10;

/// A guest's `connection` (v3), cloned into each of its calls. The task
/// running a statement holds the connection itself (locked), not a clone of
/// this: it learns from [`Gone`] that the last clone went.
#[derive(Clone)]
pub struct SharedConnection {
    conn: Arc<Mutex<MysqlConnection>>,
    /// Dropped with the last clone, which ends every [`Gone`] wait.
    held: Arc<watch::Sender<()>>,
}

impl From<MysqlConnection> for SharedConnection {
    fn from(conn: MysqlConnection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
            held: Arc::new(watch::Sender::new(())),
        }
    }
}

/// Tells a statement's task that the guest's `connection` is gone, so nobody
/// will use it again.
struct Gone(watch::Receiver<()>);

impl Gone {
    /// Until the guest's `connection` is gone.
    async fn wait(&mut self) {
        // Nothing is ever sent: `changed` fails once the sender is dropped.
        while self.0.changed().await.is_ok() {}
    }
}

impl SharedConnection {
    fn gone(&self) -> Gone {
        Gone(self.held.subscribe())
    }

    /// Runs a statement (see [`MysqlConnection::execute`]).
    pub async fn execute(&self, statement: &str, params: Vec<ParameterValue>) -> Result<(), Error> {
        let mut conn = self.conn.lock().await;
        usable(&conn)?;
        conn.execute(statement, params).await
    }

    /// Runs a query: its columns once the first row (or the end) is there,
    /// then its rows and outcome as they come.
    pub async fn query(
        &self,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<StreamedQuery, Error> {
        let conn = self.conn.clone().lock_owned().await;
        usable(&conn)?;
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
            self.gone(),
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

/// Refuses a connection whose last `execute` the guest cancelled before it
/// ended (`in_flight` is still set): it may be out of step with the server.
/// (A query is never left so: its task drains what the guest leaves.)
fn usable(conn: &MysqlConnection) -> Result<(), Error> {
    if conn.in_flight {
        return Err(Error::ConnectionFailed(
            "the connection's last statement was cancelled before it ended; open a new connection"
                .into(),
        ));
    }
    Ok(())
}

/// A query under way.
pub struct StreamedQuery {
    /// The result's columns.
    pub columns: Vec<Column>,
    /// Its rows, in batches.
    pub rows: RowBatches,
    /// How it ended, once its rows were read (or drained).
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
    /// Until nobody can use the rest of the query: the guest's connection is
    /// gone (no statement can follow) and nobody waits for the outcome.
    async fn forsaken(&mut self, gone: &mut Gone) {
        gone.wait().await;
        self.outcome.closed().await;
    }
}

/// How the statement of a streamed query ended.
enum End {
    /// Before its first row: the `query` call's error.
    Failed(Error),
    /// Its rows were sent or drained (or an error ended them): the query's outcome.
    Done(Result<(), Error>),
    /// Nobody can use the rest: the statement was left half-way.
    Abandoned,
}

/// The streaming task: runs the statement on `conn` and feeds `to`.
async fn run(
    mut conn: OwnedMutexGuard<MysqlConnection>,
    statement: String,
    params: Vec<ParameterValue>,
    mut to: Senders,
    mut gone: Gone,
) {
    let effect = conn.before(&statement);
    match stream(&mut conn, &statement, params, &mut to, &mut gone).await {
        // Left in flight: closed, not pooled; nobody awaits the query any more.
        End::Abandoned => {}
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
    gone: &mut Gone,
) -> End {
    {
        let mut rows = bind(sqlx::query(statement), params).fetch(&mut *conn.conn);
        let first = tokio::select! {
            first = rows.try_next() => first,
            () = gone.wait() => return End::Abandoned,
        };
        match first {
            Err(e) => return End::Failed(query_failed(e)),
            Ok(Some(first)) => {
                let columns = convert_columns(first.columns());
                let flow = if send_head(to, Ok(columns.clone())) {
                    pump(first, &mut rows, &columns, to, gone).await
                } else {
                    // The guest cancelled the call.
                    Flow::ReaderGone
                };
                return match flow {
                    Flow::Ended(outcome) => End::Done(outcome),
                    Flow::ReaderGone => match drain(&mut rows, to, gone).await {
                        Some(outcome) => End::Done(outcome),
                        None => End::Abandoned,
                    },
                    Flow::Forsaken => End::Abandoned,
                };
            }
            Ok(None) => {}
        }
    }
    // No rows: the columns of the (cached) prepared statement.
    let prepared = tokio::select! {
        prepared = conn.conn.prepare(statement) => prepared,
        () = gone.wait() => return End::Abandoned,
    };
    match prepared {
        Ok(prepared) => {
            // The statement ran, whether or not the call is still awaited.
            send_head(to, Ok(convert_columns(prepared.columns())));
            End::Done(Ok(()))
        }
        Err(e) => End::Failed(query_failed(e)),
    }
}

/// Answers the `query` call; false when its caller is gone.
fn send_head(to: &mut Senders, head: Result<Vec<Column>, Error>) -> bool {
    to.head.take().is_some_and(|tx| tx.send(head).is_ok())
}

/// How sending a query's rows ended.
enum Flow {
    /// All were sent, or an error ended them: the query's outcome.
    Ended(Result<(), Error>),
    /// The guest dropped the rows: the rest of the result is still to read.
    ReaderGone,
    /// Nobody can use the rest (see [`Senders::forsaken`]).
    Forsaken,
}

/// Converts and sends the rows from `first` on.
async fn pump<S>(
    first: sqlx::mysql::MySqlRow,
    rows: &mut S,
    columns: &[Column],
    to: &mut Senders,
    gone: &mut Gone,
) -> Flow
where
    S: futures::Stream<Item = Result<sqlx::mysql::MySqlRow, sqlx::Error>> + Unpin,
{
    /// Sends the batch if it has rows; on from there unless the reader is gone.
    macro_rules! flush {
        ($batch:expr) => {
            if !$batch.is_empty() && to.rows.send(std::mem::take(&mut $batch)).await.is_err() {
                return Flow::ReaderGone;
            }
        };
    }
    let mut batch: Vec<Row> = Vec::new();
    let mut batch_bytes = 0;
    let mut row = first;
    loop {
        let values = match convert_row(&row, columns) {
            Ok(values) => values,
            Err(e) => {
                flush!(batch);
                // The rest of the result is drained before the outcome is told.
                return match drain(rows, to, gone).await {
                    Some(_) => Flow::Ended(Err(e)),
                    None => Flow::Forsaken,
                };
            }
        };
        batch_bytes += values.iter().map(value_size).sum::<usize>();
        batch.push(values);
        if batch_bytes >= MAX_BATCH_BYTES {
            flush!(batch);
            batch_bytes = 0;
        }
        // The next row: while rows are already there they join the batch;
        // otherwise the batch goes to the guest before waiting for more.
        // (Polling the stream once and leaving it is safe: it keeps what it
        // has read; only dropping it half-way is not.)
        let next = match rows.try_next().now_or_never() {
            Some(next) => next,
            None => {
                flush!(batch);
                batch_bytes = 0;
                tokio::select! {
                    next = rows.try_next() => next,
                    () = to.rows.closed() => return Flow::ReaderGone,
                }
            }
        };
        match next {
            Ok(Some(next)) => row = next,
            Ok(None) => {
                flush!(batch);
                return Flow::Ended(Ok(()));
            }
            Err(e) => {
                flush!(batch);
                return Flow::Ended(Err(query_failed(e)));
            }
        }
    }
}

/// Reads the rest of a result and discards it, so that the connection can
/// run its next statement: the result's outcome, or `None` when nobody can
/// use it any more (see [`Senders::forsaken`]).
async fn drain<S>(rows: &mut S, to: &mut Senders, gone: &mut Gone) -> Option<Result<(), Error>>
where
    S: futures::Stream<Item = Result<sqlx::mysql::MySqlRow, sqlx::Error>> + Unpin,
{
    loop {
        tokio::select! {
            next = rows.try_next() => match next {
                Ok(Some(_)) => {}
                Ok(None) => return Some(Ok(())),
                Err(e) => return Some(Err(query_failed(e))),
            },
            () = to.forsaken(gone) => return None,
        }
    }
}
