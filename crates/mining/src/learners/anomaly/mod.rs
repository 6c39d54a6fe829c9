//! Anomaly detection: the isolation forest (isolation_forest.rs). Its registry entry and
//! hyperparameters are here.

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::spec::{forms::*, Bound, Form, Literal, Param, Val};
use crate::learners::{
    child_after, ensure, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod isolation_forest;

use isolation_forest::{IsolationForest, IsolationParams, MaxSamples};

pub const ISOLATION_FOREST: Entry<IsolationParams> = Entry {
    algorithm: Algorithm {
        name: "isolation_forest",
        summary: "random isolation trees on subsamples; the score 2^(−mean path / c(max_samples)) is higher for rows isolated sooner (scikit-learn's IsolationForest)",
        tasks: &[Task::Anomaly],
        params: &[&[
            Param::new(
                "n_estimators",
                &[int(1, 10_000)],
                Literal::Int(100),
                "an integer in [1, 10000]",
                "trees (built in parallel, each from its own seeded generator)",
            ),
            Param::new(
                "max_samples",
                &[Form::Word(&["auto"]), int(1, MAX), FRACTION],
                Literal::Word("auto"),
                "\"auto\", an integer ≥ 1 or a fraction in (0, 1]",
                "rows per tree, drawn without replacement: a count or a fraction of the rows (\"auto\": min(256, rows))",
            ),
            Param::new(
                "contamination",
                &[
                    Form::Word(&["auto"]),
                    number(Bound::Open(0.0), Bound::Closed(0.5)),
                ],
                Literal::Word("auto"),
                "\"auto\" or a fraction in (0, 0.5]",
                "the expected fraction of anomalies: the threshold becomes the score above which that fraction of the training rows lies (numpy's linear percentile, as scikit-learn); \"auto\" keeps the threshold 0.5",
            ),
            Param::new(
                "max_features",
                &[FRACTION],
                Literal::Number(1.0),
                "a fraction in (0, 1]",
                "the share of the features each tree may split on",
            ),
        ]],
        // Trees split on raw values: no scaling.
        preprocessing: Preprocessing {
            scale: false,
            routes_missing: false,
        },
        auto: Auto::TaskDefault,
        stored_as: "IsolationForest",
    },
    build: |h, _| {
        Ok(IsolationParams {
            n_estimators: h.int("n_estimators")?,
            max_samples: match h.get("max_samples")? {
                Val::Int(k) => MaxSamples::Count(*k as usize),
                Val::Number(f) => MaxSamples::Fraction(*f),
                _ => MaxSamples::Auto,
            },
            contamination: match h.get("contamination")? {
                Val::Number(c) => Some(*c),
                _ => None,
            },
            max_features: h.number("max_features")?,
        })
    },
};

impl Learner for IsolationParams {
    type Model = IsolationForest;
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<IsolationForest> {
        isolation_forest::fit(data.x, data.n_cols, data.rows, self, seed, progress)
    }

    fn work_units(&self) -> usize {
        self.n_estimators
    }
}

impl Predict for IsolationForest {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(!self.trees.is_empty(), || "no trees".into())?;
        ensure(self.norm.is_finite() && self.threshold.is_finite(), || {
            "the score normaliser or threshold is not finite".into()
        })?;
        for (t, tree) in self.trees.iter().enumerate() {
            let n = tree.nodes.len();
            ensure(n > 0, || format!("tree {t} has no nodes"))?;
            for (i, node) in tree.nodes.iter().enumerate() {
                if node.left == isolation_forest::LEAF {
                    continue;
                }
                let what = format!("tree {t}");
                child_after(i, node.left, n, &what)?;
                child_after(i, node.right, n, &what)?;
                ensure((node.feature as usize) < shape.inputs, || {
                    format!("tree {t} splits on a column outside the inputs")
                })?;
            }
        }
        Ok(())
    }

    fn anomaly(&self, x: &[f64]) -> Option<(f64, bool)> {
        let s = self.score(x);
        Some((s, s > self.threshold))
    }
}
