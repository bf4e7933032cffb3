//! One module per sub-command.

pub mod migrate;
