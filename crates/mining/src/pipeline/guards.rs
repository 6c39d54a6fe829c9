//! options.guards: the checks of a training run that can stop it. Each guard names a trap the
//! run found: "leakage" (a single feature predicts the test rows almost perfectly),
//! "time_split" (a date or time feature under a split that is not by time), "baseline" (the
//! model does not beat always predicting the majority class or the mean). (No test row copies
//! a training row: duplicates are dropped, or kept together on one side, prepare/groups.rs.) With guards "warn" (the default) each is a WARNING stored with the version; with
//! "error" the run stops before storing anything, with an ERROR naming the guard.

use crate::common::error::{Error, Result};
use crate::prepare::options::Guards;

/// A guard fired with `warning`: kept in `warnings`, or the error that stops the run.
pub fn fire(mode: Guards, guard: &str, warning: String, warnings: &mut Vec<String>) -> Result<()> {
    match mode {
        Guards::Warn => {
            warnings.push(warning);
            Ok(())
        }
        Guards::Error => Err(stopped(guard, &warning)),
    }
}

/// The error of a guard that stops the run (options.guards "error").
pub fn stopped(guard: &str, warning: &str) -> Error {
    Error::data(format!(
        "guard \"{guard}\" stopped the training: {warning}. Fix the data or the options, or set options.guards to \"warn\" to store the model with this warning"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warn_keeps_the_warning_and_error_names_the_guard() {
        let mut w = Vec::new();
        fire(Guards::Warn, "leakage", "a leak".into(), &mut w).unwrap();
        assert_eq!(w, vec!["a leak".to_string()]);
        let e = fire(Guards::Error, "leakage", "a leak".into(), &mut w).unwrap_err();
        assert!(
            e.message
                .starts_with("guard \"leakage\" stopped the training: a leak."),
            "{}",
            e.message
        );
        assert!(e.message.contains("options.guards to \"warn\""));
        assert_eq!(w.len(), 1);
    }
}
