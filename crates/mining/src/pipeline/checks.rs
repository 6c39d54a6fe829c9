//! Checks on a fitted model: leakage suspects.

use rayon::prelude::*;

use crate::model::fitted::Fitted;

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::Task;
use crate::learners::trees::cart;
use crate::learners::trees::tree::{Criterion, TreeParams};
use crate::pipeline::prepared::Prepared;

impl Prepared {
    /// Features that alone predict the target almost perfectly (a depth-4 tree on that feature
    /// only, measured on the test rows, or on the training rows when there are fewer than 30
    /// test rows: a handful of rows is predicted perfectly by chance): leakage suspects.
    /// Stops when `stop` is cancelled.
    pub fn leakage_suspects(&self, stop: &Progress) -> Result<Vec<String>> {
        let Some(labels) = self.labels() else {
            return Ok(Vec::new());
        };
        let eval_rows = if self.split.test.len() < 30 {
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
        let found: Vec<Result<Option<String>>> = self
            .prep
            .features
            .par_iter()
            .zip(offsets)
            .map(|(f, (off, w))| {
                stop.check()?;
                let x = self.source().columns(off, w);
                let tree = cart::fit(&x, w, labels, &train, &params, &mut Rng::new(self.seed));
                let m = self.measure_x(crate::pipeline::encoded::Source::Dense(&x, w), &Fitted::Tree(tree), eval_rows, stop)?;
                let metric = |k: &str| m.get(k).copied();
                let (name, v, limit) = match (self.task, metric("accuracy"), metric("baseline_accuracy"), metric("r2")) {
                    (Task::Classification, Some(v), Some(base), _) => ("accuracy", v, base.max(0.98)),
                    (Task::Regression, _, _, Some(v)) => ("r2", v, 0.98),
                    _ => return Ok(None),
                };
                Ok((v > limit).then(|| {
                    format!("leakage suspect: column \"{}\" alone predicts the target with {name} {v:.3}; check it is known before the target is", f.name)
                }))
            })
            .collect();
        let mut out = Vec::new();
        for f in found {
            out.extend(f?);
        }
        Ok(out)
    }
}
