//! algorithm => 'auto' for classification and regression: a short list of learner families,
//! each scored by cross-validation on the training rows (with its own preprocessing defaults),
//! cheapest first, until the time budget is spent; above SEARCH_FROM_ROWS training rows the two
//! best families are then tried again with the few settings near their defaults that their
//! registry entries declare. The folds are sized to the data (repeated 5-fold up to 1,000
//! training rows, where one split's luck decides otherwise; 5-fold up to 20,000; 3-fold above;
//! options.cv overrides). The simplest candidate whose mean is within one
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
    /// The hyperparameters it was tried with ({}: the defaults).
    pub hyperparams: Value,
    pub mean: f64,
    pub std: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone)]
pub struct AutoChoice {
    pub winner: &'static str,
    /// The winner's hyperparameters ({}: its defaults).
    pub hyperparams: Value,
    pub objective: Objective,
    /// Folds per round and rounds of the cross-validation.
    pub folds: usize,
    pub repeats: usize,
    /// The best mean's candidate (its algorithm and hyperparameters), which the winner is
    /// within one standard error of.
    pub best: &'static str,
    pub best_hyperparams: Value,
    pub tried: Vec<Tried>,
    /// Candidates not tried, and why.
    pub skipped: Vec<(&'static str, String)>,
}

impl AutoChoice {
    /// The experiment record stored with the model (metrics -> 'auto').
    pub fn to_json(&self) -> Value {
        json!({
            "winner": self.winner,
            "hyperparams": self.hyperparams,
            "best_mean": self.best,
            "best_hyperparams": self.best_hyperparams,
            "rule": "the cheapest candidate within one standard error of the best mean",
            "folds": self.folds,
            "repeats": self.repeats,
            "metric": self.objective.name,
            "candidates": self.tried.iter().map(|t| json!({
                "algorithm": t.algorithm, "hyperparams": t.hyperparams, "cv_mean": t.mean, "cv_std": t.std, "seconds": t.seconds
            })).collect::<Vec<_>>(),
            "skipped": self.skipped.iter().map(|(a, why)| json!({"algorithm": a, "reason": why})).collect::<Vec<_>>(),
        })
    }

    /// One line for the NOTICE: the winner, by how much, and what it beat.
    pub fn summary(&self) -> String {
        let ranked = ranked(&self.tried, self.objective);
        let others: Vec<String> = ranked
            .iter()
            .skip(1)
            .map(|t| format!("{} {:.4}", t.label(), t.mean))
            .collect();
        let best = ranked.first().map_or(f64::NAN, |t| t.mean);
        let margin = ranked.get(1).map_or(String::new(), |t| {
            format!(", {:+.4} over {}", best - t.mean, t.label())
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
        let winner = ranked
            .iter()
            .find(|t| t.algorithm == self.winner && t.hyperparams == self.hyperparams)
            .map_or(self.winner.to_string(), |t| t.label());
        format!(
            "auto chose {winner} (cross-validated {} {best:.4}{margin}); others: {}{skipped}",
            self.objective.name,
            if others.is_empty() {
                "none".to_string()
            } else {
                others.join(", ")
            }
        )
    }
}

impl Tried {
    /// Its name, with its hyperparameters when they are not the defaults.
    fn label(&self) -> String {
        match self.hyperparams.as_object() {
            Some(m) if !m.is_empty() => format!("{} {}", self.algorithm, self.hyperparams),
            _ => self.algorithm.to_string(),
        }
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

/// Training rows above which auto also tries the settings near the two best families'
/// defaults. Below it, folds of a few hundred rows cannot rank settings: on iris and wine
/// (about 140 training rows) choosing among the neighbours by cross-validation lost 1 to 4
/// points of held-out balanced accuracy against keeping the defaults.
pub const SEARCH_FROM_ROWS: usize = 1_000;

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
        &with_algorithm(req, "random_forest", json!({}), None),
        &mut |_| {},
    )?;
    let resolved = probe.task;
    let n_train = probe.split.train.len();
    let (folds, repeats) = folds_for(req.options.cv, n_train);
    drop(probe);
    let candidates = registry::auto_candidates(resolved);
    let cv = |algorithm: &'static str, hyper: Value| -> Result<(Tried, Objective)> {
        let t = Instant::now();
        let p = prepare(
            frame,
            &with_algorithm(req, algorithm, hyper.clone(), Some(folds)),
            &mut |_| {},
        )?;
        let objective = p.objective();
        let cv = p.cross_validate_repeated(&p.estimator, folds, repeats, progress)?;
        let tried = Tried {
            algorithm,
            hyperparams: hyper,
            mean: cv["mean"][objective.name].as_f64().unwrap_or(f64::NAN),
            std: cv["std"][objective.name].as_f64().unwrap_or(f64::NAN),
            seconds: t.elapsed().as_secs_f64(),
        };
        Ok((tried, objective))
    };
    // The defaults of every family, cheapest first.
    for c in &candidates {
        progress.check()?;
        if !tried.is_empty() && start.elapsed().as_secs_f64() > budget {
            skipped.push((c.name, format!("time budget of {budget} s spent")));
            continue;
        }
        if req.options.weight_column.is_some()
            && !registry::estimator(c.name, resolved, &json!({}))?.takes_sample_weights()
        {
            skipped.push((c.name, "takes no sample weights".to_string()));
            continue;
        }
        if let Some(cap) = c.max_rows.filter(|cap| n_train > *cap) {
            skipped.push((c.name, format!("more than {cap} training rows")));
            continue;
        }
        let (t, o) = cv(c.name, json!({}))?;
        objective = o;
        tried.push(t);
    }
    // The settings near the defaults of the two best families, while the budget lasts; only
    // where the folds are large enough to rank settings (see SEARCH_FROM_ROWS).
    let searched = if n_train > SEARCH_FROM_ROWS { 2 } else { 0 };
    for c in best_families(&tried, objective, searched)
        .into_iter()
        .filter_map(|name| candidates.iter().find(|c| c.name == name))
    {
        for text in c.around {
            progress.check()?;
            if start.elapsed().as_secs_f64() > budget {
                break;
            }
            let hyper: Value = serde_json::from_str(text)
                .map_err(|e| Error::param(format!("auto: {} setting {text}: {e}", c.name)))?;
            tried.push(cv(c.name, hyper)?.0);
        }
    }
    let none = || Error::data("auto: no candidate could be cross-validated");
    let (winner, best) = pick(&tried, objective, folds * repeats).ok_or_else(none)?;
    let best = tried.get(best).ok_or_else(none)?;
    let winner = tried.get(winner).ok_or_else(none)?;
    Ok(AutoChoice {
        winner: winner.algorithm,
        hyperparams: winner.hyperparams.clone(),
        objective,
        folds,
        repeats,
        best: best.algorithm,
        best_hyperparams: best.hyperparams.clone(),
        tried,
        skipped,
    })
}

/// The candidates from the best mean to the worst.
fn ranked(tried: &[Tried], objective: Objective) -> Vec<&Tried> {
    let mut ranked: Vec<&Tried> = tried.iter().collect();
    let sign = if objective.higher_is_better {
        1.0
    } else {
        -1.0
    };
    ranked.sort_by(|a, b| (sign * b.mean).total_cmp(&(sign * a.mean)));
    ranked
}

/// The families of the `k` best means (finite ones, best first).
fn best_families(tried: &[Tried], objective: Objective, k: usize) -> Vec<&'static str> {
    ranked(tried, objective)
        .into_iter()
        .filter(|t| t.mean.is_finite())
        .take(k)
        .map(|t| t.algorithm)
        .collect()
}

/// The positions in `tried` of the winner and of the best mean: the winner is the first of
/// `tried` (the cheapest family's defaults first, the settings near the defaults last) whose
/// mean is within one standard error (its std over √folds) of the best mean.
pub(super) fn pick(tried: &[Tried], objective: Objective, folds: usize) -> Option<(usize, usize)> {
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
        .position(|t| {
            t.mean.is_finite()
                && if objective.higher_is_better {
                    t.mean >= b.mean - se
                } else {
                    t.mean <= b.mean + se
                }
        })
        .unwrap_or(best);
    Some((winner, best))
}

fn with_algorithm(
    req: &TrainRequest,
    algorithm: &str,
    hyperparams: Value,
    cv: Option<usize>,
) -> TrainRequest {
    let mut options = req.options.clone();
    options.cv = cv;
    options.search = None;
    TrainRequest {
        target: req.target.clone(),
        algorithm: algorithm.to_string(),
        // Hyperparameters belong to one learner: its defaults, or a setting near them.
        hyperparams,
        options,
    }
}
