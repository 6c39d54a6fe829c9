//! k-nearest neighbours: the model and its exact search (neighbours.rs), the f32 block index
//! that speeds the search up (index.rs). Its registry entry and hyperparameters are here.

use serde::Serialize;

use crate::common::error::Result as MiningResult;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::spec::{forms::*, Form, Literal, Param};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod index;
pub mod neighbours;

use neighbours::{KnnModel, KnnTarget, Weights};

#[derive(Debug, Clone, Serialize)]
pub struct Knn {
    pub n_neighbors: usize,
    pub weights: Weights,
}

pub const KNN: Entry<Knn> = Entry {
    algorithm: Algorithm {
        name: "knn",
        summary: "k-nearest neighbours by euclidean distance, exact (scikit-learn's KNeighborsClassifier / KNeighborsRegressor, brute force); the model keeps its training rows",
        tasks: &[Task::Classification, Task::Regression],
        params: &[&[
            Param::new(
                "n_neighbors",
                &[int(1, 100_000)],
                Literal::Int(5),
                "an integer in [1, 100000]",
                "neighbours that vote or average (at most the training rows)",
            ),
            Param::new(
                "weights",
                &[Form::Word(&["uniform", "distance"])],
                Literal::Word("uniform"),
                "\"uniform\" or \"distance\"",
                "\"uniform\", or \"distance\": 1/d, exact matches take all the weight",
            ),
        ]],
        preprocessing: Preprocessing {
            scale: true,
            routes_missing: false,
        },
        // Scoring is brute force: auto does not cross-validate it on large data.
        auto: Auto::Candidate {
            cost: 5,
            max_rows: Some(20_000),
            around: &[r#"{"n_neighbors": 3}"#, r#"{"n_neighbors": 10, "weights": "distance"}"#],
        },
        stored_as: "Knn",
    },
    build: |h, _| -> MiningResult<Knn> {
        Ok(Knn {
            n_neighbors: h.int("n_neighbors")?,
            weights: match h.word("weights")? {
                "distance" => Weights::Distance,
                _ => Weights::Uniform,
            },
        })
    },
};

impl Learner for Knn {
    type Model = KnnModel;
    fn fit(&self, data: &TrainData, _: u64, _: &Progress) -> MiningResult<KnnModel> {
        let labels = data.labels()?;
        neighbours::fit(
            data.x,
            data.n_cols,
            labels,
            data.rows,
            self.n_neighbors,
            self.weights,
        )
    }
}

impl Predict for KnnModel {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(self.p == shape.inputs && self.p > 0, || {
            format!(
                "training rows of {} columns for {} inputs",
                self.p, shape.inputs
            )
        })?;
        ensure(self.x.len().is_multiple_of(self.p), || {
            "training rows cut short".into()
        })?;
        finite(&self.x, "the training rows")?;
        let n = self.x.len() / self.p;
        ensure(self.k >= 1 && self.k <= n, || {
            format!("{} neighbours of {n} rows", self.k)
        })?;
        match &self.target {
            KnnTarget::Classes { y, n_classes } => {
                ensure(*n_classes == shape.outputs, || {
                    format!("{n_classes} classes for {} labels", shape.outputs)
                })?;
                ensure(
                    y.len() == n && y.iter().all(|&c| (c as usize) < *n_classes),
                    || "the training rows' classes do not match them".into(),
                )
            }
            KnnTarget::Values(v) => {
                ensure(v.len() == n, || {
                    "the training rows' values do not match them".into()
                })?;
                finite(v, "the training values")
            }
        }
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        KnnModel::predict_value(self, x)
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        KnnModel::predict_proba(self, x, out)
    }
}
