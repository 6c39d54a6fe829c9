//! Cross-validation and hyperparameter search on the training rows: k folds (stratified for
//! classes), candidates from a grid or random draws, the preprocessing refitted inside every
//! fold so no held-out row leaks into imputation, categories or scaling.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::error::{Error, Result};
use super::forest::Progress;
use super::metrics::Metrics;
use super::rng::Rng;

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

/// k folds of the training rows (held-out part of each), stratified when `classes` is given.
pub fn folds(
    train: &[usize],
    classes: Option<(&[usize], usize)>,
    k: usize,
    seed: u64,
) -> Result<Vec<Vec<usize>>> {
    let mut rng = Rng::new(seed ^ 0xF01D);
    let mut out = vec![Vec::new(); k];
    match classes {
        Some((y, n_classes)) => {
            let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes + 1];
            for &r in train {
                by_class[y[r].min(n_classes)].push(r);
            }
            if let Some(small) = by_class
                .iter()
                .filter(|c| !c.is_empty())
                .map(Vec::len)
                .min()
            {
                if small < k {
                    return Err(bad(format!(
                        "{k} folds need at least {k} training rows of every class; the smallest class has {small}"
                    )));
                }
            }
            // Deal each class's shuffled rows round-robin, continuing where the last one stopped.
            let mut next = 0;
            for rows in &mut by_class {
                rng.shuffle(rows);
                for &r in rows.iter() {
                    out[next % k].push(r);
                    next += 1;
                }
            }
        }
        None => {
            if train.len() < k {
                return Err(bad(format!(
                    "{k} folds need at least {k} training rows; there are {}",
                    train.len()
                )));
            }
            let mut rows = train.to_vec();
            rng.shuffle(&mut rows);
            for (i, r) in rows.into_iter().enumerate() {
                out[i % k].push(r);
            }
        }
    }
    for f in &mut out {
        f.sort_unstable();
    }
    Ok(out)
}

/// Mean and population standard deviation of each metric over folds.
pub fn summarize(per_fold: &[Metrics]) -> Value {
    let mut mean = Map::new();
    let mut std = Map::new();
    if let Some(first) = per_fold.first() {
        for key in first.keys() {
            let v: Vec<f64> = per_fold
                .iter()
                .filter_map(|m| m.get(key).copied())
                .collect();
            let m = v.iter().sum::<f64>() / v.len().max(1) as f64;
            let s =
                (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len().max(1) as f64).sqrt();
            mean.insert(key.clone(), json!(m));
            std.insert(key.clone(), json!(s));
        }
    }
    json!({"folds": per_fold.len(), "mean": mean, "std": std})
}

/// One tried candidate.
#[derive(Debug, Clone)]
pub struct Trial {
    pub params: Map<String, Value>,
    pub fold_scores: Vec<f64>,
    pub mean: f64,
    pub std: f64,
    pub ms: u64,
}

/// Runs `score(candidate, fold)` for every pair in parallel and collects the trials.
pub fn run_trials(
    candidates: &[Map<String, Value>],
    n_folds: usize,
    progress: &Progress,
    score: impl Fn(usize, usize) -> Result<f64> + Sync,
) -> Result<Vec<Trial>> {
    let pairs: Vec<(usize, usize)> = (0..candidates.len())
        .flat_map(|c| (0..n_folds).map(move |f| (c, f)))
        .collect();
    let results: Vec<Result<(f64, u64)>> = pairs
        .par_iter()
        .map(|&(c, f)| {
            if progress.cancel.load(Ordering::Relaxed) {
                return Err(Error::internal("training was cancelled"));
            }
            let t = Instant::now();
            let s = score(c, f);
            progress.done.fetch_add(1, Ordering::Relaxed);
            s.map(|s| (s, t.elapsed().as_millis() as u64))
        })
        .collect();
    let mut trials: Vec<Trial> = candidates
        .iter()
        .map(|p| Trial {
            params: p.clone(),
            fold_scores: Vec::new(),
            mean: 0.0,
            std: 0.0,
            ms: 0,
        })
        .collect();
    for (&(c, _), r) in pairs.iter().zip(results) {
        let (s, ms) = r?;
        trials[c].fold_scores.push(s);
        trials[c].ms += ms;
    }
    for t in &mut trials {
        let n = t.fold_scores.len().max(1) as f64;
        t.mean = t.fold_scores.iter().sum::<f64>() / n;
        t.std = (t
            .fold_scores
            .iter()
            .map(|x| (x - t.mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
    }
    Ok(trials)
}

/// The best trial: highest mean score, ties to the earlier one.
pub fn best(trials: &[Trial]) -> Option<usize> {
    (0..trials.len()).fold(None, |b: Option<usize>, i| match b {
        Some(j) if trials[j].mean >= trials[i].mean || trials[i].mean.is_nan() => Some(j),
        _ => Some(i),
    })
}

#[cfg(test)]
#[path = "tests/tuning.rs"]
mod tests;
