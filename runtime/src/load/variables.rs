//! Spin variables: `[variables]` defaults, `SPIN_VARIABLE_<NAME>` environment
//! values and programmatic overrides, expanded into each component's
//! `[component.<id>.variables]` templates.

use std::collections::{BTreeMap, HashMap};

use super::manifest::VariableDecl;
use crate::error::RuntimeError;
pub use crate::host::variables::{valid_name, ComponentVariables, VariableError};

/// Resolved application variables: name → value (if any) and secrecy.
#[derive(Debug, Clone, Default)]
pub struct AppVariables {
    values: HashMap<String, (Option<String>, bool)>,
}

impl AppVariables {
    /// Resolves each declared variable: override, then `SPIN_VARIABLE_<NAME>`, then default.
    /// Fails when a `required` variable has no value.
    pub fn resolve(
        decls: &BTreeMap<String, VariableDecl>,
        overrides: &HashMap<String, String>,
    ) -> Result<Self, RuntimeError> {
        let mut values = HashMap::new();
        for (name, decl) in decls {
            if !valid_name(name) {
                return Err(RuntimeError::Variables(format!(
                    "invalid variable name `{name}`"
                )));
            }
            if decl.required && decl.default.is_some() {
                return Err(RuntimeError::Variables(format!(
                    "variable `{name}` cannot be both required and have a default"
                )));
            }
            let env_name = format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase());
            let value = overrides
                .get(name)
                .cloned()
                .or_else(|| std::env::var(&env_name).ok())
                .or_else(|| decl.default.clone());
            if decl.required && value.is_none() {
                return Err(RuntimeError::Variables(format!(
                    "required variable `{name}` has no value (set {env_name})"
                )));
            }
            values.insert(name.clone(), (value, decl.secret));
        }
        Ok(Self { values })
    }

    /// Expands a component's `variables` templates (`"{{ name }}"` and literals).
    pub fn for_component(
        &self,
        templates: &BTreeMap<String, String>,
    ) -> Result<ComponentVariables, RuntimeError> {
        let mut values = HashMap::new();
        for (name, template) in templates {
            if !valid_name(name) {
                return Err(RuntimeError::Variables(format!(
                    "invalid variable name `{name}`"
                )));
            }
            values.insert(name.clone(), self.expand(template)?);
        }
        Ok(ComponentVariables::new(values))
    }

    fn expand(&self, template: &str) -> Result<Option<String>, RuntimeError> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| {
                RuntimeError::Variables(format!("unterminated `{{{{` in `{template}`"))
            })?;
            let name = after[..end].trim();
            match self.values.get(name) {
                Some((Some(value), _)) => out.push_str(value),
                Some((None, _)) => return Ok(None),
                None => {
                    return Err(RuntimeError::Variables(format!(
                        "template `{template}` refers to undeclared variable `{name}`"
                    )))
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(Some(out))
    }

    /// Expands manifest expressions (Spin allows them in
    /// `allowed_outbound_hosts`), resolved once at load time; every variable
    /// used must have a value.
    pub fn expand_all(&self, templates: &[String]) -> Result<Vec<String>, RuntimeError> {
        templates
            .iter()
            .map(|template| {
                self.expand(template)?.ok_or_else(|| {
                    RuntimeError::Variables(format!(
                        "`{template}` uses a variable that has no value"
                    ))
                })
            })
            .collect()
    }

    /// Whether a variable is declared secret (its value must never be logged).
    pub fn is_secret(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|(_, secret)| *secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(default: Option<&str>, required: bool) -> VariableDecl {
        VariableDecl {
            default: default.map(str::to_owned),
            required,
            ..Default::default()
        }
    }

    #[test]
    fn resolution_order_and_templates() {
        let mut decls = BTreeMap::new();
        decls.insert("greeting".to_owned(), decl(Some("hi"), false));
        decls.insert("unset".to_owned(), decl(None, false));
        let overrides = HashMap::from([("greeting".to_owned(), "hello".to_owned())]);
        let app = AppVariables::resolve(&decls, &overrides).unwrap();
        let templates = BTreeMap::from([
            ("msg".to_owned(), "{{ greeting }}, world".to_owned()),
            ("lit".to_owned(), "plain".to_owned()),
            ("none".to_owned(), "{{unset}}".to_owned()),
        ]);
        let vars = app.for_component(&templates).unwrap();
        assert_eq!(vars.get("msg").unwrap(), "hello, world");
        assert_eq!(vars.get("lit").unwrap(), "plain");
        assert!(matches!(vars.get("none"), Err(VariableError::Undefined(_))));
        assert!(matches!(
            vars.get("other"),
            Err(VariableError::Undefined(_))
        ));
        assert!(matches!(
            vars.get("Bad-Name"),
            Err(VariableError::InvalidName(_))
        ));
        let bad = BTreeMap::from([("x".to_owned(), "{{ nope }}".to_owned())]);
        assert!(app.for_component(&bad).is_err());
        // Manifest expressions (allowed_outbound_hosts): every variable needs a value.
        let hosts = app
            .expand_all(&[
                "mysql://{{ greeting }}:3306".to_owned(),
                "http://x".to_owned(),
            ])
            .unwrap();
        assert_eq!(hosts, ["mysql://hello:3306", "http://x"]);
        assert!(app.expand_all(&["mysql://{{ unset }}".to_owned()]).is_err());
        assert!(app.expand_all(&["mysql://{{ nope }}".to_owned()]).is_err());
    }

    #[test]
    fn missing_required_fails() {
        let decls = BTreeMap::from([("iems_test_never_set_xyz".to_owned(), decl(None, true))]);
        let err = AppVariables::resolve(&decls, &HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("iems_test_never_set_xyz"));
    }
}
