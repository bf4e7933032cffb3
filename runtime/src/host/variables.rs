//! A component's resolved variables as the guest looks them up (their
//! resolution at load time is [`crate::load::variables`]).

use std::collections::HashMap;

/// Why a component variable lookup failed (mirrors Spin's `variables.error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableError {
    /// Not a valid Spin variable name.
    InvalidName(String),
    /// The component declares no such variable, or it has no value.
    Undefined(String),
}

/// A component's resolved variables.
#[derive(Debug, Clone, Default)]
pub struct ComponentVariables {
    values: HashMap<String, Option<String>>,
}

impl ComponentVariables {
    /// The values of a component's variables (`None`: declared, no value).
    pub(crate) fn new(values: HashMap<String, Option<String>>) -> Self {
        Self { values }
    }

    /// Looks a variable up with Spin's name rules and errors.
    pub fn get(&self, name: &str) -> Result<String, VariableError> {
        if !valid_name(name) {
            return Err(VariableError::InvalidName(format!(
                "invalid variable name `{name}`"
            )));
        }
        match self.values.get(name) {
            Some(Some(value)) => Ok(value.clone()),
            Some(None) => Err(VariableError::Undefined(format!(
                "no value for variable `{name}`"
            ))),
            None => Err(VariableError::Undefined(format!(
                "no variable for `{name}`"
            ))),
        }
    }
}

/// Spin's rule: lower-case ASCII letters, digits and single underscores, starting with a letter.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}
