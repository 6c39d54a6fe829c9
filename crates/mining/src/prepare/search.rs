//! options.search of dm_train: the search space (lists and ranges of hyperparameter values),
//! parsed strictly, and its candidates: every combination of a grid, or seeded random draws.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::common::error::{Error, Result};
use crate::common::rng::Rng;

#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    List(Vec<Value>),
    Range {
        min: f64,
        max: f64,
        log: bool,
        int: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Grid,
    Random,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpec {
    pub method: Method,
    pub params: BTreeMap<String, Space>,
    pub folds: usize,
    pub n_iter: usize,
}

/// Most candidates a search may try.
pub const MAX_CANDIDATES: usize = 500;

fn bad(msg: String) -> Error {
    Error::param(msg)
}

pub fn parse_folds(v: &Value, key: &str) -> Result<usize> {
    v.as_u64()
        .filter(|k| (2..=50).contains(k))
        .map(|k| k as usize)
        .ok_or_else(|| {
            bad(format!(
                "option \"{key}\" must be an integer from 2 to 50; got {v}"
            ))
        })
}

pub fn parse_search(v: &Value, default_folds: usize) -> Result<SearchSpec> {
    let map = v
        .as_object()
        .ok_or_else(|| bad(format!("option \"search\" must be a JSON object; got {v}")))?;
    const KEYS: &[&str] = &["method", "params", "folds", "n_iter"];
    if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown key \"{k}\" in options.search; allowed: {}",
            KEYS.join(", ")
        )));
    }
    let method = match map.get("method").and_then(Value::as_str) {
        None | Some("grid") => Method::Grid,
        Some("random") => Method::Random,
        Some(other) => {
            return Err(bad(format!(
                "search.method must be \"grid\" or \"random\"; got \"{other}\""
            )))
        }
    };
    let folds = match map.get("folds") {
        Some(f) => parse_folds(f, "search.folds")?,
        None => default_folds,
    };
    let n_iter = match map.get("n_iter") {
        None => 20,
        Some(n) => n
            .as_u64()
            .filter(|n| (1..=MAX_CANDIDATES as u64).contains(n))
            .ok_or_else(|| {
                bad(format!(
                    "search.n_iter must be an integer from 1 to {MAX_CANDIDATES}; got {n}"
                ))
            })? as usize,
    };
    let params = map
        .get("params")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            bad(
                "options.search needs \"params\": an object of hyperparameter → list or range"
                    .into(),
            )
        })?;
    if params.is_empty() {
        return Err(bad(
            "the search space is empty: options.search.params names no hyperparameter".into(),
        ));
    }
    let mut out = BTreeMap::new();
    for (name, space) in params {
        let s = match space {
            Value::Array(list) if !list.is_empty() => Space::List(list.clone()),
            Value::Array(_) => return Err(bad(format!("search.params.{name} is an empty list"))),
            Value::Object(r) => {
                let num = |k: &str| r.get(k).and_then(Value::as_f64);
                let (Some(min), Some(max)) = (num("min"), num("max")) else {
                    return Err(bad(format!(
                        "search.params.{name} needs \"min\" and \"max\""
                    )));
                };
                let log = r.get("log").and_then(Value::as_bool).unwrap_or(false);
                let int = r.get("int").and_then(Value::as_bool).unwrap_or(false);
                if min.is_nan() || max.is_nan() || min > max || (log && min <= 0.0) {
                    return Err(bad(format!(
                        "search.params.{name}: need min ≤ max (and min > 0 for log)"
                    )));
                }
                if method == Method::Grid {
                    return Err(bad(format!(
                        "search.params.{name} is a range; a grid search needs lists"
                    )));
                }
                Space::Range { min, max, log, int }
            }
            other => {
                return Err(bad(format!(
                    "search.params.{name} must be a list or a {{min, max}} range; got {other}"
                )))
            }
        };
        out.insert(name.clone(), s);
    }
    Ok(SearchSpec {
        method,
        params: out,
        folds,
        n_iter,
    })
}

/// The candidates: every combination of a grid, or n_iter seeded draws.
pub fn candidates(spec: &SearchSpec, seed: u64) -> Result<Vec<Map<String, Value>>> {
    match spec.method {
        Method::Grid => {
            let mut out = vec![Map::new()];
            for (name, space) in &spec.params {
                let Space::List(values) = space else { continue };
                out = out
                    .into_iter()
                    .flat_map(|c| {
                        values.iter().map(move |v| {
                            let mut c = c.clone();
                            c.insert(name.clone(), v.clone());
                            c
                        })
                    })
                    .collect();
                if out.len() > MAX_CANDIDATES {
                    return Err(bad(format!("the grid has more than {MAX_CANDIDATES} combinations; use method \"random\"")));
                }
            }
            Ok(out)
        }
        Method::Random => {
            let mut rng = Rng::new(seed ^ 0x5EA2C4);
            Ok((0..spec.n_iter)
                .map(|_| {
                    spec.params
                        .iter()
                        .map(|(name, space)| {
                            let v = match space {
                                Space::List(values) => values[rng.below(values.len())].clone(),
                                Space::Range { min, max, log, int } => {
                                    let u = rng.unit();
                                    let x = if *log {
                                        (min.ln() + u * (max.ln() - min.ln())).exp()
                                    } else {
                                        min + u * (max - min)
                                    };
                                    if *int {
                                        json!(x.round().clamp(*min, *max) as i64)
                                    } else {
                                        json!(x)
                                    }
                                }
                            };
                            (name.clone(), v)
                        })
                        .collect()
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn grid_is_the_cartesian_product() {
        let spec =
            parse_search(&json!({"params": {"a": [1, 2], "b": ["x", "y", "z"]}}), 5).unwrap();
        let c = candidates(&spec, 1).unwrap();
        assert_eq!(c.len(), 6);
        assert_eq!(c[0]["a"], 1);
        assert_eq!(c[5]["b"], "z");
    }

    #[test]
    fn random_draws_stay_in_range_and_are_seeded() {
        let spec =
        parse_search(&json!({"method": "random", "n_iter": 30, "params": {"C": {"min": 0.01, "max": 100, "log": true}, "d": {"min": 1, "max": 5, "int": true}}}), 3)
            .unwrap();
        let a = candidates(&spec, 7).unwrap();
        assert_eq!(a, candidates(&spec, 7).unwrap());
        assert_eq!(a.len(), 30);
        for c in &a {
            let v = c["C"].as_f64().unwrap();
            assert!((0.01..=100.0).contains(&v));
            assert!((1..=5).contains(&c["d"].as_i64().unwrap()));
        }
    }

    #[test]
    fn bad_spaces_are_errors() {
        assert!(parse_search(&json!({"params": {}}), 5)
            .unwrap_err()
            .message
            .contains("empty"));
        assert!(parse_search(&json!({"params": {"a": []}}), 5).is_err());
        assert!(
            parse_search(&json!({"params": {"a": {"min": 1, "max": 2}}}), 5)
                .unwrap_err()
                .message
                .contains("grid")
        );
        assert!(parse_search(&json!({"params": {"a": [1]}, "foo": 1}), 5)
            .unwrap_err()
            .message
            .contains("\"foo\""));
        assert!(parse_folds(&json!(1), "cv").is_err());
    }
}
