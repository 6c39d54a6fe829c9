//! Checks on a fitted model: leakage suspects and the profile of its predictions.

use rayon::prelude::*;
use serde_json::{json, Value};

use super::super::drift;
use super::super::estimator::{Fitted, Model, Task};
use super::super::frame::{Column, ColumnKind};
use super::super::model::argmax;
use super::super::rng::Rng;
use super::super::tree::{self, Criterion, TreeParams};
use super::{Prepared, Target};

impl Prepared {
    /// Features that alone predict the target almost perfectly (a depth-4 tree on that feature
    /// only, measured on the test rows): leakage suspects.
    pub fn leakage_suspects(&self) -> Vec<String> {
        let eval_rows = if self.split.test.is_empty() {
            &self.split.train
        } else {
            &self.split.test
        };
        let train: Vec<usize> = self.split.train.iter().copied().take(20_000).collect();
        let params = TreeParams {
            max_depth: Some(4),
            min_samples_split: 2,
            min_samples_leaf: 5,
            max_features: None,
            criterion: if self.task == Task::Classification {
                Criterion::Gini
            } else {
                Criterion::SquaredError
            },
        };
        let mut offsets = Vec::new();
        let mut at = 0;
        for f in &self.prep.features {
            let w = self.prep.width_of(f);
            offsets.push((at, w));
            at += w;
        }
        let found: Vec<Option<String>> = self
            .prep
            .features
            .par_iter()
            .zip(offsets)
            .map(|(f, (off, w))| {
                let x: Vec<f64> = self.x.chunks_exact(self.n_cols.max(1)).flat_map(|r| r[off..off + w].iter().copied()).collect();
                let tree = tree::fit(&x, w, self.labels(), &train, &params, &mut Rng::new(self.seed));
                let m = self.measure_x(&x, w, &Fitted::Tree(tree), eval_rows);
                let (name, v, limit) = match self.task {
                    Task::Classification => ("accuracy", m.get("accuracy").copied()?, m.get("baseline_accuracy").copied()?.max(0.98)),
                    Task::Regression => ("r2", m.get("r2").copied()?, 0.98),
                };
                (v > limit).then(|| {
                    format!("leakage suspect: column \"{}\" alone predicts the target with {name} {v:.3}; check it is known before the target is", f.name)
                })
            })
            .collect();
        found.into_iter().flatten().collect()
    }

    /// The profile of the model's predictions on the training rows, for drift checks.
    pub fn prediction_profile(&self, fitted: &Fitted) -> Value {
        let p = self.n_cols.max(1);
        let rows = &self.split.train;
        let col = match &self.target {
            Target::Classes { n_classes, .. } => {
                let mut c = Column::new("(prediction)", "text", ColumnKind::Text);
                for &r in rows {
                    let mut out = vec![0.0; *n_classes];
                    fitted.predict_proba(&self.x[r * p..(r + 1) * p], &mut out);
                    c.push_text(self.classes.get(argmax(&out)).map(String::as_str));
                }
                c
            }
            Target::Values(_) => {
                let mut c = Column::new("(prediction)", "double precision", ColumnKind::Float);
                rows.iter().for_each(|&r| {
                    c.push_number(Some(fitted.predict_value(&self.x[r * p..(r + 1) * p])))
                });
                c
            }
        };
        let all: Vec<usize> = (0..rows.len()).collect();
        json!(drift::profile(&col, &all, col.kind.is_text()))
    }
}
