//! options.threshold: how a binary classifier's decision threshold is chosen (the tuning
//! itself is evaluation/threshold.rs).

use serde_json::{json, Value};

use crate::common::error::{Error, Result};

/// How the threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// A value given by the user.
    Fixed(f64),
    /// The threshold that maximizes f1, balanced_accuracy or mcc.
    Optimize(&'static str),
    /// The highest precision among thresholds with at least this recall.
    Recall(f64),
    /// The highest recall among thresholds with at least this precision.
    Precision(f64),
    /// The lowest total cost of the errors.
    Cost { fp: f64, fn_: f64 },
}

fn unit(v: &Value, what: &str) -> Result<f64> {
    v.as_f64().filter(|x| *x > 0.0 && *x <= 1.0).ok_or_else(|| {
        Error::param(format!(
            "option \"threshold\": {what} must be a number in (0, 1]; got {v}"
        ))
    })
}

impl Rule {
    /// options.threshold: a number in (0, 1], or one of {"optimize": "f1" | "balanced_accuracy"
    /// | "mcc"}, {"recall": r}, {"precision": p}, {"cost": {"fp": a, "fn": b}}.
    pub fn parse(v: &Value) -> Result<Rule> {
        const USE: &str = "a number in (0, 1], {\"optimize\": \"f1\" | \"balanced_accuracy\" | \"mcc\"}, {\"recall\": r}, {\"precision\": p} or {\"cost\": {\"fp\": a, \"fn\": b}}";
        if v.is_number() {
            return unit(v, "the threshold").map(Rule::Fixed);
        }
        let bad = || Error::param(format!("option \"threshold\" must be {USE}; got {v}"));
        let map = v.as_object().filter(|m| m.len() == 1).ok_or_else(bad)?;
        let Some((key, val)) = map.iter().next() else {
            return Err(bad());
        };
        match key.as_str() {
            "optimize" => match val.as_str() {
                Some("f1") => Ok(Rule::Optimize("f1")),
                Some("balanced_accuracy") => Ok(Rule::Optimize("balanced_accuracy")),
                Some("mcc") => Ok(Rule::Optimize("mcc")),
                _ => Err(Error::param(format!(
                    "option \"threshold\": \"optimize\" must be \"f1\", \"balanced_accuracy\" or \"mcc\"; got {val}"
                ))),
            },
            "recall" => unit(val, "\"recall\"").map(Rule::Recall),
            "precision" => unit(val, "\"precision\"").map(Rule::Precision),
            "cost" => {
                let cost = |k: &str| {
                    val.get(k).and_then(Value::as_f64).filter(|c| *c >= 0.0 && c.is_finite())
                };
                match (cost("fp"), cost("fn"), val.as_object().map(|m| m.len())) {
                    (Some(fp), Some(fn_), Some(2)) if fp + fn_ > 0.0 => Ok(Rule::Cost { fp, fn_ }),
                    _ => Err(Error::param(format!(
                        "option \"threshold\": \"cost\" must be {{\"fp\": a, \"fn\": b}} with costs ≥ 0, not both 0; got {val}"
                    ))),
                }
            }
            _ => Err(bad()),
        }
    }

    /// Whether the rule needs rows to tune on.
    pub fn tuned(self) -> bool {
        !matches!(self, Rule::Fixed(_))
    }

    pub fn to_json(self) -> Value {
        match self {
            Rule::Fixed(t) => json!(t),
            Rule::Optimize(m) => json!({"optimize": m}),
            Rule::Recall(r) => json!({"recall": r}),
            Rule::Precision(p) => json!({"precision": p}),
            Rule::Cost { fp, fn_ } => json!({"cost": {"fp": fp, "fn": fn_}}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_rule_and_refuses_the_rest() {
        for bad in [
            json!(0),
            json!(1.5),
            json!({"optimize": "auc"}),
            json!({"recall": 2}),
            json!({"cost": {"fp": 1}}),
            json!({"recall": 0.5, "precision": 0.5}),
            json!("f1"),
        ] {
            assert!(Rule::parse(&bad).is_err(), "{bad}");
        }
        assert_eq!(
            Rule::parse(&json!({"cost": {"fp": 1, "fn": 5}})).unwrap(),
            Rule::Cost { fp: 1.0, fn_: 5.0 }
        );
        assert_eq!(Rule::parse(&json!(0.3)).unwrap(), Rule::Fixed(0.3));
        assert_eq!(
            Rule::parse(&json!({"optimize": "mcc"})).unwrap(),
            Rule::Optimize("mcc")
        );
        assert!(!Rule::Fixed(0.3).tuned() && Rule::Recall(0.9).tuned());
    }
}
