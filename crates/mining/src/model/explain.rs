//! dm_explain: why a model scores a row as it does, per original feature (a one-hot feature's
//! encoded columns summed into one value), with the base, so that base + contributions = the
//! model's output. Three methods:
//! - `tree_shap` / `path`: tree models, from the trees themselves (learners/trees).
//! - `linear`: linear, ridge, lasso, elastic net and logistic models, exact: coefficient ×
//!   (value − training mean) of each encoded, scaled column; the base is the output at the
//!   training means. Logistic models are explained on the log-odds (class scores for more than
//!   two classes), before any calibration, as shap's LinearExplainer does.
//! - `sampling`: every other model (svm, mlp, knn, naive Bayes): sampling Shapley values
//!   (Štrumbelj & Kononenko), over permutations of the features drawn from a fixed seed, each
//!   walked from a row of the training background (model/background.rs) to the row explained,
//!   in antithetic pairs (a permutation and its reverse). The walk's steps add up to the output
//!   minus the background row's, so base (the mean output over the background rows walked
//!   from) + contributions = the output exactly; each contribution is an estimate whose error
//!   shrinks as one over the square root of the permutations (`permutations` in the result).

use std::ops::Range;

use serde_json::{json, Value};

use crate::common::error::{Error, ErrorKind, Result};
use crate::common::rng::Rng;
use crate::common::task::Task;
use crate::learners::Explained;
use crate::model::background::Background;
use crate::model::fitted::Fitted;
use crate::model::stored::StoredModel;
use crate::prepare::preprocess::Raw;

/// Model outputs computed at most for one sampled explanation.
pub const MAX_EVALUATIONS: usize = 4096;
/// Permutation pairs at least and at most.
pub const MIN_PAIRS: usize = 8;
pub const MAX_PAIRS: usize = 256;
const SEED: u64 = 0x5348_4150;

/// One output's base and per-feature contributions.
struct Part {
    base: f64,
    per_feature: Vec<f64>,
}

struct Explanation {
    /// The outputs are raw scores (log-odds, class scores, value), not probabilities.
    raw: bool,
    method: &'static str,
    parts: Vec<Part>,
    /// Sampling: permutations walked and background rows used.
    sampled: Option<(usize, usize)>,
}

/// Permutation pairs for `features` features: as many as fit in MAX_EVALUATIONS outputs
/// (rounded down to a multiple of the background rows when there are more pairs than rows).
pub fn pairs_for(features: usize) -> usize {
    (MAX_EVALUATIONS / (2 * (features + 1))).clamp(MIN_PAIRS, MAX_PAIRS)
}

impl StoredModel {
    /// The encoded columns of each feature, in feature order.
    pub(crate) fn feature_ranges(&self) -> Vec<Range<usize>> {
        let mut col = 0;
        self.prep
            .features
            .iter()
            .map(|f| {
                let w = self.prep.width_of(f);
                col += w;
                col - w..col
            })
            .collect()
    }

    fn fold(&self, contrib: &[f64]) -> Vec<f64> {
        self.feature_ranges()
            .into_iter()
            .map(|r| contrib.get(r).map_or(0.0, |c| c.iter().sum()))
            .collect()
    }

    fn background_or_retrain(&self) -> Result<&Background> {
        self.background.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::NotSupported,
                format!(
                    "this {} model keeps no training background (trained before 0.4.0); retrain it to explain its predictions",
                    self.algorithm
                ),
            )
        })
    }

    fn explanation(&self, x: &[f64]) -> Result<Explanation> {
        if !self.task.is_supervised() {
            return Err(Error::new(
                ErrorKind::NotSupported,
                format!(
                    "explanations are for classification and regression models, not {} models",
                    self.task.name()
                ),
            ));
        }
        match self.estimator.model().explain(x, self.prep.width()) {
            Explained::Parts { raw, method, parts } => Ok(Explanation {
                raw,
                method: method.name(),
                parts: parts
                    .iter()
                    .map(|(base, c)| Part {
                        base: *base,
                        per_feature: self.fold(c),
                    })
                    .collect(),
                sampled: None,
            }),
            Explained::Retrain => Err(Error::new(
                ErrorKind::NotSupported,
                "this model keeps leaf outputs only (trained by an older pg_mining); retrain it to explain its predictions",
            )),
            Explained::NotSupported => match &self.estimator {
                Fitted::Linear(l) => Ok(self.linear(x, &[(&l.coef, l.intercept)])?),
                Fitted::Logistic(l) => {
                    let rows: Vec<(&Vec<f64>, f64)> = l
                        .coef
                        .iter()
                        .zip(l.intercept.iter().copied())
                        .collect();
                    self.linear(x, &rows)
                }
                _ => self.sampling(x),
            },
        }
    }

    /// Exact contributions of a linear score per output row (coefficients, intercept).
    fn linear(&self, x: &[f64], rows: &[(&Vec<f64>, f64)]) -> Result<Explanation> {
        let means = &self.background_or_retrain()?.means;
        let parts = rows
            .iter()
            .map(|(w, b)| {
                let base = b + w.iter().zip(means).map(|(w, m)| w * m).sum::<f64>();
                let c: Vec<f64> = w
                    .iter()
                    .zip(x.iter().zip(means))
                    .map(|(w, (v, m))| w * (v - m))
                    .collect();
                Part {
                    base,
                    per_feature: self.fold(&c),
                }
            })
            .collect();
        Ok(Explanation {
            raw: true,
            method: "linear",
            parts,
            sampled: None,
        })
    }

    /// The outputs explained for an encoded row: class probabilities, or the value.
    fn outputs(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        if self.task == Task::Classification {
            out.copy_from_slice(&self.proba_of(x)?);
        } else if let Some(o) = out.first_mut() {
            *o = self.value_of(x)?;
        }
        Ok(())
    }

    /// Sampling Shapley values from the background rows (see the module's doc).
    fn sampling(&self, x: &[f64]) -> Result<Explanation> {
        let bg = self.background_or_retrain()?;
        let groups = self.feature_ranges();
        let (g, p) = (groups.len(), self.prep.width());
        let k = if self.task == Task::Classification {
            self.classes.len()
        } else {
            1
        };
        // Every background row walked from equally often: the base is their mean output.
        let b = bg.rows.len().max(1);
        let pairs = match pairs_for(g) {
            n if n >= b => n / b * b,
            n => n,
        };
        let used = pairs.min(b);
        let mut phi = vec![0.0; k * g];
        let mut base = vec![0.0; k];
        let (mut prev, mut now) = (vec![0.0; k], vec![0.0; k]);
        let mut cur = vec![0.0; p];
        let mut order: Vec<usize> = (0..g).collect();
        let mut rng = Rng::new(SEED);
        for walk in 0..2 * pairs {
            if walk % 2 == 0 {
                rng.shuffle(&mut order);
            } else {
                order.reverse();
            }
            let z = &bg.rows[(walk / 2) % bg.rows.len()];
            cur.copy_from_slice(&z[..p]);
            self.outputs(&cur, &mut prev)?;
            base.iter_mut().zip(&prev).for_each(|(b, v)| *b += v);
            for &j in &order {
                let r = groups[j].clone();
                cur[r.clone()].copy_from_slice(&x[r]);
                self.outputs(&cur, &mut now)?;
                for c in 0..k {
                    phi[c * g + j] += now[c] - prev[c];
                }
                std::mem::swap(&mut prev, &mut now);
            }
        }
        let walks = (2 * pairs) as f64;
        let parts = (0..k)
            .map(|c| Part {
                base: base[c] / walks,
                per_feature: phi[c * g..(c + 1) * g].iter().map(|v| v / walks).collect(),
            })
            .collect();
        Ok(Explanation {
            raw: false,
            method: "sampling",
            parts,
            sampled: Some((2 * pairs, used)),
        })
    }

    /// Why the model scores a row as it does (see the module's doc): per feature its
    /// contribution, largest first, the base and the method. With `top_k`, the k largest
    /// contributions only, each with the feature's value in the row.
    pub fn explain(&self, raw: &[Raw], buf: &mut Vec<f64>, top_k: Option<usize>) -> Result<Value> {
        self.encode(raw, buf)?;
        let e = self.explanation(buf)?;
        let names: Vec<&str> = self.prep.features.iter().map(|f| f.name.as_str()).collect();
        let per_feature = |c: &[f64]| {
            let mut rows: Vec<(usize, f64)> = c.iter().copied().enumerate().collect();
            rows.sort_by(|a, b| {
                b.1.abs()
                    .total_cmp(&a.1.abs())
                    .then_with(|| names.get(a.0).cmp(&names.get(b.0)))
            });
            rows.truncate(top_k.unwrap_or(usize::MAX));
            rows.into_iter()
                .map(|(i, v)| {
                    let name = names.get(i).copied().unwrap_or("");
                    match top_k {
                        None => json!({"feature": name, "contribution": v}),
                        Some(_) => json!({"feature": name, "value": raw_json(raw.get(i)), "contribution": v}),
                    }
                })
                .collect::<Vec<_>>()
        };
        let total = |p: &Part| p.base + p.per_feature.iter().sum::<f64>();
        let class = |i: usize| self.classes.get(i).map_or("1", String::as_str);
        let mut out = match (self.task, e.raw, e.parts.as_slice()) {
            (Task::Regression, _, [part]) => json!({
                "output": "value",
                "base": part.base,
                "value": total(part),
                "contributions": per_feature(&part.per_feature),
            }),
            (_, true, [part]) => {
                let log_odds = total(part);
                json!({
                    "output": format!("log-odds of class {}", class(1)),
                    "base": part.base,
                    "log_odds": log_odds,
                    "probability": 1.0 / (1.0 + (-log_odds).exp()),
                    "contributions": per_feature(&part.per_feature),
                })
            }
            (_, true, many) => json!({
                "output": "class scores before softmax",
                "classes": many.iter().enumerate().map(|(i, part)| json!({
                    "class": class(i),
                    "base": part.base,
                    "score": total(part),
                    "contributions": per_feature(&part.per_feature),
                })).collect::<Vec<_>>(),
            }),
            (_, false, [_, part]) => json!({
                "output": format!("probability of class {}", class(1)),
                "base": part.base,
                "probability": total(part),
                "contributions": per_feature(&part.per_feature),
            }),
            (_, false, many) => json!({
                "output": "class probabilities",
                "classes": many.iter().enumerate().map(|(i, part)| json!({
                    "class": class(i),
                    "base": part.base,
                    "probability": total(part),
                    "contributions": per_feature(&part.per_feature),
                })).collect::<Vec<_>>(),
            }),
        };
        if let Some(o) = out.as_object_mut() {
            o.insert("method".into(), json!(e.method));
            if let Some((walks, rows)) = e.sampled {
                o.insert("permutations".into(), json!(walks));
                o.insert("background_rows".into(), json!(rows));
            }
        }
        Ok(out)
    }
}

/// Rows a report explains at most: exact methods, and sampling (each row costs up to
/// MAX_EVALUATIONS model outputs).
pub const SUMMARY_ROWS: usize = 200;
pub const SUMMARY_ROWS_SAMPLED: usize = 10;

impl StoredModel {
    /// Whether this model's explanations are sampled (slow) rather than exact.
    pub fn explains_by_sampling(&self) -> bool {
        // Tree models (those with split importance) and linear ones explain exactly.
        self.task.is_supervised()
            && self.estimator.model().importance().is_none()
            && !matches!(self.estimator, Fitted::Linear(_) | Fitted::Logistic(_))
    }

    /// Per feature, the mean absolute contribution over the encoded rows `x` (rows × width),
    /// summed over the outputs of a classifier, and the method: the global importance that
    /// SHAP summary plots show.
    pub fn mean_abs_contributions(
        &self,
        x: &[f64],
        stop: &crate::common::progress::Progress,
    ) -> Result<(&'static str, Vec<f64>)> {
        let p = self.prep.width().max(1);
        let mut sum = vec![0.0; self.prep.features.len()];
        let mut method = "";
        let mut n = 0usize;
        for row in x.chunks_exact(p) {
            stop.check()?;
            let e = self.explanation(row)?;
            method = e.method;
            // A binary probability model's two outputs mirror each other: count one.
            let parts: &[Part] = match (e.raw, e.parts.as_slice()) {
                (false, [_, second]) => std::slice::from_ref(second),
                (_, all) => all,
            };
            for part in parts {
                for (s, v) in sum.iter_mut().zip(&part.per_feature) {
                    *s += v.abs();
                }
            }
            n += 1;
        }
        let n = n.max(1) as f64;
        Ok((method, sum.into_iter().map(|s| s / n).collect()))
    }
}

/// One row of dm_attributions: rank, feature, its value in the row (as text), contribution.
pub type Attribution = (i32, String, Option<String>, f64);

impl StoredModel {
    /// The `top_k` largest contributions to one output, as rows: the value of a regression,
    /// the second class's probability (log-odds for logistic models) of a binary classifier,
    /// the predicted class's of more classes; with the class named (None: regression).
    pub fn attributions(
        &self,
        raw: &[Raw],
        buf: &mut Vec<f64>,
        top_k: usize,
    ) -> Result<(Option<String>, Vec<Attribution>)> {
        self.encode(raw, buf)?;
        let e = self.explanation(buf)?;
        let pick = match (self.task, e.parts.len()) {
            (Task::Regression, _) | (_, 1) => 0,
            (_, 2) if !e.raw => 1,
            _ => self.class_of(buf)?,
        };
        let class = match self.task {
            Task::Regression => None,
            _ if e.parts.len() == 1 => self.classes.get(1).cloned(),
            _ => self.classes.get(pick).cloned(),
        };
        let Some(part) = e.parts.get(pick) else {
            return Err(Error::internal(
                "an explanation without the output asked for",
            ));
        };
        let mut rows: Vec<(usize, f64)> = part.per_feature.iter().copied().enumerate().collect();
        rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        rows.truncate(top_k);
        let out = rows
            .into_iter()
            .enumerate()
            .map(|(rank, (i, v))| {
                let value = match raw.get(i) {
                    Some(Raw::Num(x)) => Some(x.to_string()),
                    Some(Raw::Text(t)) => Some(t.to_string()),
                    _ => None,
                };
                let name = self.prep.features.get(i).map_or("", |f| f.name.as_str());
                (rank as i32 + 1, name.to_string(), value, v)
            })
            .collect();
        Ok((class, out))
    }
}

fn raw_json(v: Option<&Raw>) -> Value {
    match v {
        Some(Raw::Num(x)) => json!(x),
        Some(Raw::Text(s)) => json!(s),
        Some(Raw::Null) | None => Value::Null,
    }
}

#[cfg(test)]
mod tests;
