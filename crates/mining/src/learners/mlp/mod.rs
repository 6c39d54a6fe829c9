//! Multi-layer perceptrons (network.rs). Their registry entry and hyperparameters are here.

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::class_weight::ClassWeight;
use crate::learners::spec::{forms::*, Bound, Form, Literal, Param, Val, CLASS_WEIGHT};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod network;

use network::{Activation, Mlp, MlpParams};

pub const MLP: Entry<MlpParams> = Entry {
    algorithm: Algorithm {
        name: "mlp",
        summary: "a neural network as scikit-learn's MLPClassifier / MLPRegressor: Adam on shuffled mini-batches, Glorot initialisation from the seed; with validation rows it stops on the validation score and keeps the best epoch",
        tasks: &[Task::Classification, Task::Regression],
        params: &[&[
            Param::new(
                "hidden_layer_sizes",
                &[Form::IntList {
                    min: 1,
                    max: 10_000,
                    max_len: 10,
                }],
                Literal::IntList(&[100]),
                "a list of layer sizes (integers in [1, 10000]), e.g. [100] or [64, 32]",
                "units per hidden layer (at most 10 layers)",
            ),
            Param::new(
                "activation",
                &[Form::Word(&["relu", "tanh"])],
                Literal::Word("relu"),
                "\"relu\" or \"tanh\"",
                "hidden layers' activation",
            ),
            Param::new(
                "alpha",
                &[NON_NEGATIVE],
                Literal::Number(1e-4),
                "a number ≥ 0",
                "L2 penalty",
            ),
            Param::new(
                "learning_rate_init",
                &[number(Bound::Open(0.0), Bound::Closed(10.0))],
                Literal::Number(1e-3),
                "a number in (0, 10]",
                "Adam's step size",
            ),
            Param::new(
                "batch_size",
                &[NULL, int(1, 1_000_000)],
                Literal::Null,
                "null or an integer in [1, 1000000]",
                "rows per mini-batch (null: min(200, rows))",
            ),
            Param::new(
                "max_iter",
                &[int(1, 100_000)],
                Literal::Int(200),
                "an integer in [1, 100000]",
                "epochs at most",
            ),
            Param::new(
                "tol",
                &[NON_NEGATIVE],
                Literal::Number(1e-4),
                "a number ≥ 0",
                "an improvement smaller than tol does not count",
            ),
            Param::new(
                "n_iter_no_change",
                &[int(1, 100_000)],
                Literal::Int(10),
                "an integer in [1, 100000]",
                "epochs without improvement before stopping",
            ),
            CLASS_WEIGHT.for_task(Task::Classification),
        ]],
        preprocessing: Preprocessing {
            scale: true,
            routes_missing: false,
        },
        auto: Auto::No,
        stored_as: "Mlp",
    },
    build: |h, task| {
        let hidden = match h.get("hidden_layer_sizes")? {
            Val::IntList(l) => l.iter().map(|&k| k as usize).collect(),
            _ => vec![100],
        };
        Ok(MlpParams {
            hidden,
            activation: match h.word("activation")? {
                "tanh" => Activation::Tanh,
                _ => Activation::Relu,
            },
            alpha: h.number("alpha")?,
            learning_rate: h.number("learning_rate_init")?,
            batch_size: h.int_or_null("batch_size")?,
            max_iter: h.int("max_iter")?,
            tol: h.number("tol")?,
            n_iter_no_change: h.int("n_iter_no_change")?,
            class_weight: ClassWeight::of_task(h, task)?,
        })
    },
};

/// Bytes a fit of `params` takes: the weights five times over (themselves, Adam's two
/// moments, the gradient, the best epoch's copy), the rows copied with their targets, and a
/// batch's activations through the widest layer, forward and back.
fn fit_bytes(params: &MlpParams, inputs: usize, outputs: usize, rows: usize) -> usize {
    let mut sizes = vec![inputs];
    sizes.extend(&params.hidden);
    sizes.push(outputs);
    let weights = sizes
        .windows(2)
        .map(|w| w[0].saturating_mul(w[1]).saturating_add(w[1]))
        .fold(0usize, usize::saturating_add);
    let widest = sizes.iter().copied().max().unwrap_or(0);
    let batch = params.batch_size.unwrap_or(200).min(rows.max(1));
    let activations = batch.saturating_mul(widest).saturating_mul(sizes.len() * 2);
    let copies = rows.saturating_mul(inputs + outputs);
    weights
        .saturating_mul(5)
        .saturating_add(activations)
        .saturating_add(copies)
        .saturating_mul(8)
}

impl Learner for MlpParams {
    type Model = Mlp;
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Mlp> {
        let outputs = match data.labels()? {
            crate::common::task::Labels::Classes { n_classes, .. } => n_classes,
            crate::common::task::Labels::Values(_) => 1,
        };
        let rows = data.rows.len() + data.validation.len();
        data.budget.check(
            "the network's weights, optimizer state and batches",
            fit_bytes(self, data.n_cols, outputs, rows),
        )?;
        let cancel = || progress.cancelled();
        let weights = self.class_weight.per_row(data)?;
        network::fit(
            data.x,
            data.n_cols,
            (data.labels()?, weights.as_deref()),
            data.rows,
            data.validation,
            self,
            seed,
            &cancel,
        )
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Predict for Mlp {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(
            !self.weights.is_empty() && self.weights.len() == self.biases.len(),
            || "layers and biases differ in number".into(),
        )?;
        let mut fan_in = shape.inputs;
        for ((fi, fo, w), b) in self.weights.iter().zip(&self.biases) {
            ensure(*fi == fan_in, || {
                format!("a layer takes {fi} inputs after a layer of {fan_in}")
            })?;
            ensure(
                fi.checked_mul(*fo) == Some(w.len()) && b.len() == *fo,
                || {
                    format!(
                        "a layer of {fi} × {fo} holds {} weights and {} biases",
                        w.len(),
                        b.len()
                    )
                },
            )?;
            finite(w, "the weights")?;
            finite(b, "the biases")?;
            fan_in = *fo;
        }
        let outputs = if self.n_classes == 0 {
            1
        } else {
            self.n_classes
        };
        ensure(fan_in == outputs && outputs == shape.outputs, || {
            format!("an output layer of {fan_in} for {} outputs", shape.outputs)
        })
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        Mlp::predict_value(self, x)
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        Mlp::predict_proba(self, x, out)
    }

    fn fit_summary(&self) -> Option<serde_json::Value> {
        let mut out = serde_json::json!({ "epochs": self.epochs });
        if let Some(c) = self.curve.to_json("train_loss", "validation_score") {
            out["curve"] = c;
        }
        Some(out)
    }
}
