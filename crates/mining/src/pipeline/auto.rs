//! algorithm => 'auto' for classification and regression: a short list of learner families,
//! each scored by cross-validation on the training rows (with its own preprocessing defaults),
//! cheapest first, until the time budget is spent. The folds are sized to the data (repeated
//! 5-fold up to 1,000 training rows, where one split's luck decides otherwise; 5-fold up to
//! 20,000; 3-fold above; options.cv overrides). The simplest candidate whose mean is within one
//! standard error of the best mean of the run's metric (options.metric) wins (Breiman's
//! one-standard-error rule: a tie within the folds' noise goes to the cheaper model); every
//! candidate is kept for the experiment record.

use std::time::Instant;

use serde_json::{json, Value};

use crate::common::error::{Error, Result};
use crate::common::frame::Frame;
use crate::common::progress::Progress;
use crate::evaluation::objective::Objective;
use crate::model::registry;
use crate::pipeline::prepared::TrainRequest;
use crate::pipeline::supervised::prepare;

#[derive(Debug, Clone)]
pub struct Tried {
    pub algorithm: &'static str,
    pub mean: f64,
    pub std: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone)]
pub struct AutoChoice {
    pub winner: &'static str,
    pub objective: Objective,
    /// Folds per round and rounds of the cross-validation.
    pub folds: usize,
    pub repeats: usize,
    /// The best mean, which the winner is within one standard error of.
    pub best: &'static str,
    pub tried: Vec<Tried>,
    /// Candidates not tried, and why.
    pub skipped: Vec<(&'static str, String)>,
}

impl AutoChoice {
    /// The experiment record stored with the model (metrics -> 'auto').
    pub fn to_json(&self) -> Value {
        json!({
            "winner": self.winner,
            "best_mean": self.best,
            "rule": "the cheapest candidate within one standard error of the best mean",
            "folds": self.folds,
            "repeats": self.repeats,
            "metric": self.objective.name,
            "candidates": self.tried.iter().map(|t| json!({
                "algorithm": t.algorithm, "cv_mean": t.mean, "cv_std": t.std, "seconds": t.seconds
            })).collect::<Vec<_>>(),
            "skipped": self.skipped.iter().map(|(a, why)| json!({"algorithm": a, "reason": why})).collect::<Vec<_>>(),
        })
    }

    /// One line for the NOTICE: the winner, by how much, and what it beat.
    pub fn summary(&self) -> String {
        let mut ranked: Vec<&Tried> = self.tried.iter().collect();
        let sign = if self.objective.higher_is_better {
            1.0
        } else {
            -1.0
        };
        ranked.sort_by(|a, b| (sign * b.mean).total_cmp(&(sign * a.mean)));
        let others: Vec<String> = ranked
            .iter()
            .skip(1)
            .map(|t| format!("{} {:.4}", t.algorithm, t.mean))
            .collect();
        let best = ranked.first().map_or(f64::NAN, |t| t.mean);
        let margin = ranked.get(1).map_or(String::new(), |t| {
            format!(", {:+.4} over {}", best - t.mean, t.algorithm)
        });
        let skipped = if self.skipped.is_empty() {
            String::new()
        } else {
            format!(
                "; not tried: {}",
                self.skipped
                    .iter()
                    .map(|(a, why)| format!("{a} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        format!(
            "auto chose {} (cross-validated {} {best:.4}{margin}); others: {}{skipped}",
            self.winner,
            self.objective.name,
            if others.is_empty() {
                "none".to_string()
            } else {
                others.join(", ")
            }
        )
    }
}

/// Whether `req` asks auto to compare learners (a target, a supervised or unset task); an
/// error when it also passes hyperparameters, which belong to one learner.
pub fn wanted(req: &TrainRequest) -> Result<bool> {
    let wanted = req.algorithm == "auto"
        && req.target.is_some()
        && req.options.task.is_none_or(|t| t.is_supervised());
    if wanted && req.hyperparams.as_object().is_some_and(|m| !m.is_empty()) {
        return Err(Error::param(
            "auto compares learners with their default hyperparameters; pass hyperparams with a named algorithm",
        ));
    }
    Ok(wanted)
}

/// Folds and rounds of the comparison for `n_train` training rows (options.cv: that many
/// folds, once).
pub fn folds_for(cv: Option<usize>, n_train: usize) -> (usize, usize) {
    match cv {
        Some(k) => (k, 1),
        None if n_train <= 1_000 => (5, 3),
        None if n_train <= 20_000 => (5, 1),
        None => (3, 1),
    }
}

/// The NOTICE before the comparison.
pub fn announce(req: &TrainRequest) -> String {
    format!(
        "auto: comparing learners by cross-validation on the training rows ({}; time budget {} s)",
        match req.options.cv {
            Some(k) => format!("{k} folds"),
            None => "folds sized to the data".to_string(),
        },
        req.options.time_budget_s
    )
}

/// Compares the candidates on `frame`. Pure computation: runs on the pool.
pub fn choose(frame: &Frame, req: &TrainRequest, progress: &Progress) -> Result<AutoChoice> {
    let start = Instant::now();
    let budget = req.options.time_budget_s;
    let mut tried = Vec::new();
    let mut skipped = Vec::new();
    let mut objective = Objective::default_for(crate::common::task::Task::Classification);
    // The task decides the list: let prepare infer it from the target first.
    let probe = prepare(
        frame,
        &with_algorithm(req, "random_forest", None),
        &mut |_| {},
    )?;
    let resolved = probe.task;
    let (folds, repeats) = folds_for(req.options.cv, probe.split.train.len());
    drop(probe);
    for (algorithm, max_rows) in registry::auto_candidates(resolved) {
        progress.check()?;
        if !tried.is_empty() && start.elapsed().as_secs_f64() > budget {
            skipped.push((algorithm, format!("time budget of {budget} s spent")));
            continue;
        }
        if req.options.weight_column.is_some()
            && !registry::estimator(algorithm, resolved, &json!({}))?.takes_sample_weights()
        {
            skipped.push((algorithm, "takes no sample weights".to_string()));
            continue;
        }
        let t = Instant::now();
        let p = prepare(
            frame,
            &with_algorithm(req, algorithm, Some(folds)),
            &mut |_| {},
        )?;
        if let Some(cap) = max_rows.filter(|cap| p.split.train.len() > *cap) {
            skipped.push((algorithm, format!("more than {cap} training rows")));
            continue;
        }
        objective = p.objective();
        let cv = p.cross_validate_repeated(&p.estimator, folds, repeats, progress)?;
        let mean = cv["mean"][objective.name].as_f64().unwrap_or(f64::NAN);
        let std = cv["std"][objective.name].as_f64().unwrap_or(f64::NAN);
        tried.push(Tried {
            algorithm,
            mean,
            std,
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    let (winner, best) = pick(&tried, objective, folds * repeats)
        .ok_or_else(|| Error::data("auto: no candidate could be cross-validated"))?;
    Ok(AutoChoice {
        winner,
        objective,
        folds,
        repeats,
        best,
        tried,
        skipped,
    })
}

/// The winner and the best mean's candidate: the first of `tried` (the cheapest) whose mean is
/// within one standard error (its std over √folds) of the best mean.
pub(super) fn pick(
    tried: &[Tried],
    objective: Objective,
    folds: usize,
) -> Option<(&'static str, &'static str)> {
    let best =
        objective.best(
            tried
                .iter()
                .map(|t| if t.mean.is_finite() { t.mean } else { f64::NAN }),
        )?;
    let b = tried.get(best)?;
    let se = if b.std.is_finite() {
        b.std / (folds.max(1) as f64).sqrt()
    } else {
        0.0
    };
    let winner = tried
        .iter()
        .find(|t| {
            t.mean.is_finite()
                && if objective.higher_is_better {
                    t.mean >= b.mean - se
                } else {
                    t.mean <= b.mean + se
                }
        })
        .map_or(b.algorithm, |t| t.algorithm);
    Some((winner, b.algorithm))
}

fn with_algorithm(req: &TrainRequest, algorithm: &str, cv: Option<usize>) -> TrainRequest {
    let mut options = req.options.clone();
    options.cv = cv;
    options.search = None;
    TrainRequest {
        target: req.target.clone(),
        algorithm: algorithm.to_string(),
        // Hyperparameters belong to one learner; auto compares the defaults.
        hyperparams: json!({}),
        options,
    }
}
