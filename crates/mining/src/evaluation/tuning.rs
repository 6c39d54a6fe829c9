//! Cross-validation and hyperparameter search on the training rows: k folds (stratified for
//! classes), every candidate of the search space (prepare/search.rs) scored on every fold in
//! parallel, the fold scores summarized; the preprocessing is refitted inside every fold
//! (pipeline/tuned.rs) so no held-out row leaks into imputation, categories or scaling.

use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::evaluation::metrics::Metrics;
use crate::prepare::groups::Groups;

/// k folds of the training rows (held-out part of each), stratified when `classes` is given;
/// with `groups`, each group's rows in one fold (like scikit-learn's StratifiedGroupKFold).
pub fn folds(
    train: &[usize],
    classes: Option<(&[usize], usize)>,
    k: usize,
    seed: u64,
    groups: Option<&Groups>,
) -> Result<Vec<Vec<usize>>> {
    if let Some(g) = groups {
        let parts = g.deal(train, classes, &vec![1.0 / k as f64; k], seed ^ 0xF01D);
        let n = parts.iter().filter(|p| !p.is_empty()).count();
        if n < k {
            let mut seen = vec![false; g.count];
            train.iter().for_each(|&r| seen[g.of[r]] = true);
            let have = seen.iter().filter(|s| **s).count();
            return Err(Error::param(format!(
                "{k} folds need at least {k} groups of training rows (rows that stay together: one value of split.group_by, or the copies of a row); there are {have}"
            )));
        }
        return Ok(parts);
    }
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
                    return Err(Error::param(format!(
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
                return Err(Error::param(format!(
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
            progress.check()?;
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

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn stratified_folds_cover_and_balance() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let train: Vec<usize> = (0..100).collect();
        let f = folds(&train, Some((&y, 2)), 5, 1, None).unwrap();
        let mut all: Vec<usize> = f.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, train);
        for fold in &f {
            assert_eq!(fold.len(), 20);
            assert_eq!(fold.iter().filter(|&&r| y[r] == 1).count(), 5);
        }
        assert!(folds(&train[..8], Some((&y, 2)), 5, 1, None)
            .unwrap_err()
            .message
            .contains("smallest class"));
    }
}
