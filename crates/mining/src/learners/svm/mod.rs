//! Support vector machines: `svm` (C-SVC) and `svr` (epsilon-SVR) in machine.rs, solved by the
//! SMO of smo.rs, with probabilities from Platt sigmoids (platt.rs). Their registry entries and
//! hyperparameters are declared here.

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::class_weight::{ClassWeight, StoredAsBalanced};
use crate::learners::spec::{forms::*, Form, Hyper, Literal, Param, Val, CLASS_WEIGHT};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod machine;
pub mod platt;
pub mod smo;

use machine::{Gamma, KernelName, SvmModel, SvmParams};

const SCALED: Preprocessing = Preprocessing {
    scale: true,
    routes_missing: false,
};

/// The hyperparameters svm and svr share.
const KERNEL: &[Param] = &[
    Param::new(
        "kernel",
        &[Form::Word(&["rbf", "linear", "poly", "sigmoid"])],
        Literal::Word("rbf"),
        "one of \"rbf\", \"linear\", \"poly\", \"sigmoid\"",
        "the kernel",
    ),
    Param::new(
        "C",
        &[POSITIVE],
        Literal::Number(1.0),
        "a number > 0",
        "inverse regularization: the cost of a margin violation",
    ),
    Param::new(
        "gamma",
        &[Form::Word(&["scale", "auto"]), POSITIVE],
        Literal::Word("scale"),
        "\"scale\", \"auto\" or a number > 0",
        "kernel width: \"scale\" = 1/(features × variance of the scaled training matrix), \"auto\" = 1/features, or a number",
    ),
    Param::new(
        "degree",
        &[int(1, 10)],
        Literal::Int(3),
        "an integer in [1, 10]",
        "degree of the poly kernel",
    ),
    Param::new(
        "coef0",
        &[ANY_NUMBER],
        Literal::Number(0.0),
        "a number",
        "constant term of the poly and sigmoid kernels",
    ),
    Param::new(
        "tol",
        &[POSITIVE],
        Literal::Number(1e-3),
        "a number > 0",
        "stopping tolerance of the solver (LIBSVM's)",
    ),
];

/// The solver's limits, after the kernel and the task's own keys.
const LIMITS: &[Param] = &[
    Param::new(
        "cache_size",
        &[int(1, 65_536)],
        Literal::Int(200),
        "an integer in [1, 65536]",
        "megabytes of kernel rows kept",
    ),
    Param::new(
        "max_train_rows",
        &[int(1, MAX)],
        Literal::Int(50_000),
        "an integer in [1, 18446744073709551615]",
        "training rows at most: kernel SVM training grows with the square of the rows, so more is an ERROR unless raised",
    ),
];

/// svr's tube when svm stores its parameters (never used by svm).
const EPSILON_DEFAULT: f64 = 0.1;

pub const SVM: Entry<SvmParams> = Entry {
    algorithm: Algorithm {
        name: "svm",
        summary: "C-SVC, one-vs-one for more than two classes, voted classes and Platt-scaled probabilities (scikit-learn's SVC)",
        tasks: &[Task::Classification],
        params: &[
            KERNEL,
            &[
                CLASS_WEIGHT,
                Param::new(
                    "probability",
                    &[BOOL],
                    Literal::Bool(true),
                    "true or false",
                    "fit Platt sigmoids on 5-fold cross-validated decision values for probabilities (false: ~4× faster, dm_predict_proba gives 1 to the voted class)",
                ),
            ],
            LIMITS,
        ],
        preprocessing: SCALED,
        // SMO's kernel cache grows with the rows squared: small and medium sets only.
        auto: Auto::Candidate {
            cost: 6,
            max_rows: Some(10_000),
            around: &[r#"{"C": 0.3}"#, r#"{"C": 3}"#, r#"{"C": 10}"#],
        },
        stored_as: "Svm",
    },
    build: |h, _| {
        Ok(SvmParams {
            epsilon: EPSILON_DEFAULT,
            class_weight: StoredAsBalanced(ClassWeight::from_hyper(h)?),
            probability: h.bool("probability")?,
            ..shared(h)?
        })
    },
};

pub const SVR: Entry<SvmParams> = Entry {
    algorithm: Algorithm {
        name: "svr",
        summary: "epsilon-SVR: no loss inside a tube of width epsilon (scikit-learn's SVR)",
        tasks: &[Task::Regression],
        params: &[
            KERNEL,
            &[Param::new(
                "epsilon",
                &[NON_NEGATIVE],
                Literal::Number(EPSILON_DEFAULT),
                "a number ≥ 0",
                "the width of the tube without loss, in the target's units",
            )],
            LIMITS,
        ],
        preprocessing: SCALED,
        // SMO's kernel cache grows with the rows squared: small and medium sets only.
        auto: Auto::Candidate {
            cost: 6,
            max_rows: Some(10_000),
            around: &[r#"{"C": 10}"#, r#"{"C": 100}"#],
        },
        stored_as: "Svm",
    },
    build: |h, _| {
        Ok(SvmParams {
            epsilon: h.number("epsilon")?,
            ..shared(h)?
        })
    },
};

/// The keys svm and svr share; no class weights and probabilities on for svr (unused).
fn shared(h: &Hyper) -> Result<SvmParams> {
    let kernel = match h.word("kernel")? {
        "linear" => KernelName::Linear,
        "poly" => KernelName::Poly,
        "sigmoid" => KernelName::Sigmoid,
        _ => KernelName::Rbf,
    };
    let gamma = match h.get("gamma")? {
        Val::Word("auto") => Gamma::Auto,
        Val::Number(g) => Gamma::Value(*g),
        _ => Gamma::Scale,
    };
    Ok(SvmParams {
        kernel,
        c: h.number("C")?,
        gamma,
        degree: h.int("degree")? as u32,
        coef0: h.number("coef0")?,
        tol: h.number("tol")?,
        epsilon: EPSILON_DEFAULT,
        class_weight: StoredAsBalanced(ClassWeight::None),
        probability: true,
        cache_mb: h.int("cache_size")?,
        max_train_rows: h.int("max_train_rows")?,
    })
}

impl Learner for SvmParams {
    type Model = SvmModel;
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<SvmModel> {
        data.budget
            .check_items("the kernel cache (cache_size)", self.cache_mb, 1 << 20)?;
        let cancel = || progress.cancelled();
        machine::fit(
            data.x,
            data.n_cols,
            (
                data.labels()?,
                self.class_weight.0.per_row(data)?.as_deref(),
            ),
            data.rows,
            self,
            seed,
            &cancel,
        )
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Predict for SvmModel {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(self.p == shape.inputs && self.p > 0, || {
            format!(
                "support vectors of {} columns for {} inputs",
                self.p, shape.inputs
            )
        })?;
        ensure(self.sv.len().is_multiple_of(self.p), || {
            "support vectors cut short".into()
        })?;
        finite(&self.sv, "the support vectors")?;
        let classes = self.n_classes.max(1);
        ensure(
            self.n_classes == 0 || self.n_classes == shape.outputs,
            || format!("{} classes for {} labels", self.n_classes, shape.outputs),
        )?;
        let n = self.n_support();
        for m in &self.machines {
            ensure(m.a < classes && m.b < classes, || {
                "a machine names a class the model lacks".into()
            })?;
            ensure(m.index.len() == m.coef.len(), || {
                "a machine's coefficients and vectors differ in number".into()
            })?;
            ensure(m.index.iter().all(|&i| (i as usize) < n), || {
                format!("a machine names a support vector of {n} that does not exist")
            })?;
            finite(&m.coef, "a machine's coefficients")?;
        }
        ensure(!self.machines.is_empty(), || "no machines".into())
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        SvmModel::predict_value(self, x)
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        SvmModel::predict_proba(self, x, out)
    }

    /// An SVM votes over class pairs; its probabilities are Platt's, fitted apart.
    fn class_is_argmax(&self) -> bool {
        false
    }

    /// The one-vs-one vote, as scikit-learn's SVC.predict.
    fn predict_class(&self, x: &[f64], _: &mut [f64]) -> usize {
        SvmModel::predict_class(self, x)
    }

    fn fit_summary(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({ "support_vectors": self.n_support() }))
    }
}

/// Tests start from the registry's defaults.
#[cfg(test)]
impl Default for SvmParams {
    fn default() -> Self {
        SVM.defaults(Task::Classification).unwrap()
    }
}

#[cfg(test)]
mod tests;
