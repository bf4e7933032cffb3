//! The driver's own values: the shapes of Spin's `rdbms-types`, without the
//! generated WIT types, which the host bindings convert to and from.

/// A statement's parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParameterValue {
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Uint8(u8),
    Uint16(u16),
    Uint32(u32),
    Uint64(u64),
    Floating32(f32),
    Floating64(f64),
    Str(String),
    Binary(Vec<u8>),
    DbNull,
}

/// A value of a result row, converted as Spin converts it.
#[derive(Debug, Clone, PartialEq)]
pub enum DbValue {
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Uint8(u8),
    Uint16(u16),
    Uint32(u32),
    Uint64(u64),
    Floating32(f32),
    Floating64(f64),
    Str(String),
    Binary(Vec<u8>),
    DbNull,
}

/// A column's type, as Spin maps MySQL's (`convert_data_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbDataType {
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Floating32,
    Floating64,
    Str,
    Binary,
    Other,
}

/// A result's column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub data_type: DbDataType,
}

/// One row's values.
pub type Row = Vec<DbValue>;

/// A whole (buffered) result.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSet {
    /// The result's columns.
    pub columns: Vec<Column>,
    /// Its rows.
    pub rows: Vec<Row>,
}

/// What went wrong, in the cases of Spin's `rdbms-types` `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    ConnectionFailed(String),
    QueryFailed(String),
    ValueConversionFailed(String),
    Other(String),
}
