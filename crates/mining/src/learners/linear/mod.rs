//! Linear models: least squares and ridge (least_squares.rs), lasso and elastic net by
//! coordinate descent (elastic_net.rs), logistic regression (logistic.rs); sample weights for the
//! first two by rescaling the rows (weighted.rs). Their registry entries and hyperparameters are
//! declared here.

use serde::Serialize;

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::class_weight::{ClassWeight, StoredAsBalanced};
use crate::learners::spec::{forms::*, Hyper, Literal, Param, CLASS_WEIGHT};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod elastic_net;
pub mod least_squares;
pub mod logistic;
pub mod weighted;

use elastic_net::ElasticNetParams;
use least_squares::LinearModel;
use logistic::LogisticModel;

/// Linear learners compare weights: their inputs are standard-scaled by default.
const SCALED: Preprocessing = Preprocessing {
    scale: true,
    routes_missing: false,
};

const FIT_INTERCEPT: Param = Param::new(
    "fit_intercept",
    &[BOOL],
    Literal::Bool(true),
    "true or false",
    "fit an intercept (not penalized)",
);
const MAX_ITER: Param = Param::new(
    "max_iter",
    &[int(1, 1_000_000)],
    Literal::Int(1000),
    "an integer in [1, 1000000]",
    "coordinate descent passes at most",
);
const TOL: Param = Param::new(
    "tol",
    &[POSITIVE],
    Literal::Number(1e-4),
    "a number > 0",
    "stop when the largest coefficient change falls below tol (scikit-learn's rule)",
);
const PENALTY: Param = Param::new(
    "alpha",
    &[POSITIVE],
    Literal::Number(1.0),
    "a number > 0",
    "penalty strength",
);
#[derive(Debug, Clone, Serialize)]
pub struct LinearRegression {
    pub fit_intercept: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ridge {
    pub alpha: f64,
    pub fit_intercept: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogisticRegression {
    pub c: f64,
    /// class_weight: each row weighted by its class's weight in the loss.
    #[serde(flatten)]
    pub class_weight: StoredAsBalanced,
}

pub const LINEAR_REGRESSION: Entry<LinearRegression> = Entry {
    algorithm: Algorithm {
        name: "linear_regression",
        summary: "ordinary least squares (scikit-learn's LinearRegression)",
        tasks: &[Task::Regression],
        params: &[&[FIT_INTERCEPT]],
        preprocessing: SCALED,
        auto: Auto::No,
        stored_as: "LinearRegression",
    },
    build: |h, _| {
        Ok(LinearRegression {
            fit_intercept: h.bool("fit_intercept")?,
        })
    },
};

pub const RIDGE: Entry<Ridge> = Entry {
    algorithm: Algorithm {
        name: "ridge",
        summary: "least squares with an L2 penalty alpha·‖w‖² (scikit-learn's Ridge)",
        tasks: &[Task::Regression],
        params: &[&[
            Param::new(
                "alpha",
                &[NON_NEGATIVE],
                Literal::Number(1.0),
                "a number ≥ 0",
                "L2 penalty strength (0: least squares)",
            ),
            FIT_INTERCEPT,
        ]],
        preprocessing: SCALED,
        auto: Auto::Candidate {
            cost: 2,
            max_rows: None,
            around: &[r#"{"alpha": 0.1}"#, r#"{"alpha": 10}"#],
        },
        stored_as: "Ridge",
    },
    build: |h, _| {
        Ok(Ridge {
            alpha: h.number("alpha")?,
            fit_intercept: h.bool("fit_intercept")?,
        })
    },
};

pub const LASSO: Entry<ElasticNetParams> = Entry {
    algorithm: Algorithm {
        name: "lasso",
        summary: "least squares with an L1 penalty alpha·‖w‖₁ by coordinate descent (scikit-learn's Lasso); zeroed coefficients show in dm_coefficients",
        tasks: &[Task::Regression],
        params: &[&[PENALTY, FIT_INTERCEPT, MAX_ITER, TOL]],
        preprocessing: SCALED,
        auto: Auto::No,
        stored_as: "ElasticNet",
    },
    build: |h, task| elastic_net_params(h, task, 1.0),
};

pub const ELASTIC_NET: Entry<ElasticNetParams> = Entry {
    algorithm: Algorithm {
        name: "elastic_net",
        summary: "least squares with the penalty alpha·(l1_ratio·‖w‖₁ + (1 − l1_ratio)/2·‖w‖²) (scikit-learn's ElasticNet)",
        tasks: &[Task::Regression],
        params: &[&[
            PENALTY,
            Param::new(
                "l1_ratio",
                &[number(Bound::Closed(0.0), Bound::Closed(1.0))],
                Literal::Number(0.5),
                "a number in [0, 1]",
                "the L1 share of the penalty (1: lasso, 0: ridge)",
            ),
            FIT_INTERCEPT,
            MAX_ITER,
            TOL,
        ]],
        preprocessing: SCALED,
        auto: Auto::No,
        stored_as: "ElasticNet",
    },
    build: |h, task| {
        let ratio = h.number("l1_ratio")?;
        elastic_net_params(h, task, ratio)
    },
};

fn elastic_net_params(h: &Hyper, _: Task, l1_ratio: f64) -> Result<ElasticNetParams> {
    Ok(ElasticNetParams {
        alpha: h.number("alpha")?,
        l1_ratio,
        fit_intercept: h.bool("fit_intercept")?,
        max_iter: h.int("max_iter")?,
        tol: h.number("tol")?,
    })
}

pub const LOGISTIC_REGRESSION: Entry<LogisticRegression> = Entry {
    algorithm: Algorithm {
        name: "logistic_regression",
        summary: "the L2-penalized log-loss, multinomial for more than two classes (scikit-learn's LogisticRegression, lbfgs)",
        tasks: &[Task::Classification],
        params: &[&[
            Param::new(
                "C",
                &[POSITIVE],
                Literal::Number(1.0),
                "a number > 0",
                "inverse penalty: L2 penalty 1/C on the coefficients, not the intercept",
            ),
            CLASS_WEIGHT,
        ]],
        preprocessing: SCALED,
        auto: Auto::Candidate {
            cost: 2,
            max_rows: None,
            around: &[r#"{"C": 0.1}"#, r#"{"C": 10}"#],
        },
        stored_as: "LogisticRegression",
    },
    build: |h, _| {
        Ok(LogisticRegression {
            c: h.number("C")?,
            class_weight: StoredAsBalanced(ClassWeight::from_hyper(h)?),
        })
    },
};

use crate::learners::spec::Bound;

/// The normal equations hold a p × p matrix per group of row chunks, the sum and its
/// factorisation: checked before the fit.
fn check_gram(data: &TrainData) -> Result<()> {
    let p = data.n_cols;
    data.budget.check_items(
        "the normal equations (columns squared)",
        p.saturating_mul(p),
        8 * (least_squares::GROUP + 3),
    )
}

/// A least-squares fit of the training rows (ordinary, ridge with `alpha` > 0), with their
/// sample weights if any.
fn least_squares_fit(
    data: &TrainData,
    alpha: f64,
    fit_intercept: bool,
    progress: &Progress,
) -> Result<LinearModel> {
    check_gram(data)?;
    let (mut x, mut y) = (data.gather()?, data.values()?);
    let (n, p) = (y.len(), data.n_cols);
    let cancel = || progress.cancelled();
    match ClassWeight::None.per_train_row(data)? {
        None => least_squares::fit(&x, n, p, &y, alpha, fit_intercept, &cancel),
        Some(w) => {
            let c = weighted::rescale(&mut x, &mut y, p, &w, fit_intercept, false);
            Ok(c.restore(least_squares::fit(&x, n, p, &y, alpha, false, &cancel)?))
        }
    }
}

impl Learner for LinearRegression {
    type Model = LinearModel;
    fn fit(&self, data: &TrainData, _: u64, progress: &Progress) -> Result<LinearModel> {
        least_squares_fit(data, 0.0, self.fit_intercept, progress)
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Learner for Ridge {
    type Model = LinearModel;
    fn fit(&self, data: &TrainData, _: u64, progress: &Progress) -> Result<LinearModel> {
        least_squares_fit(data, self.alpha, self.fit_intercept, progress)
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Learner for ElasticNetParams {
    type Model = LinearModel;
    fn fit(&self, data: &TrainData, _: u64, progress: &Progress) -> Result<LinearModel> {
        let (mut x, mut y) = (data.gather()?, data.values()?);
        let (n, p) = (y.len(), data.n_cols);
        let cancel = || progress.cancelled();
        match ClassWeight::None.per_train_row(data)? {
            None => Ok(elastic_net::fit(&x, n, p, &y, self, &cancel)?.0),
            Some(w) => {
                let c = weighted::rescale(&mut x, &mut y, p, &w, self.fit_intercept, true);
                let plain = ElasticNetParams {
                    fit_intercept: false,
                    ..*self
                };
                Ok(c.restore(elastic_net::fit(&x, n, p, &y, &plain, &cancel)?.0))
            }
        }
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Learner for LogisticRegression {
    type Model = LogisticModel;
    fn fit(&self, data: &TrainData, _: u64, _: &Progress) -> Result<LogisticModel> {
        let (y, n_classes) = data.classes()?;
        // One weight per gathered row (the training rows in order): class × sample weight.
        let weights = self.class_weight.0.per_train_row(data)?;
        logistic::fit(
            &data.gather()?,
            y.len(),
            data.n_cols,
            &y,
            n_classes,
            self.c,
            weights.as_deref(),
        )
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Predict for LinearModel {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(self.coef.len() == shape.inputs, || {
            format!(
                "{} coefficients for {} inputs",
                self.coef.len(),
                shape.inputs
            )
        })?;
        finite(&self.coef, "the coefficients")?;
        finite(&[self.intercept], "the intercept")
    }

    fn predict_value(&self, x: &[f64]) -> f64 {
        self.predict(x)
    }
}

impl Predict for LogisticModel {
    fn validate(&self, shape: Shape) -> Checked {
        let rows = if self.n_classes == 2 {
            1
        } else {
            self.n_classes
        };
        ensure(
            self.n_classes >= 2 && self.n_classes == shape.outputs,
            || format!("{} classes for {} labels", self.n_classes, shape.outputs),
        )?;
        ensure(
            self.coef.len() == rows && self.intercept.len() == rows,
            || {
                format!(
                    "{} coefficient rows and {} intercepts for {} classes",
                    self.coef.len(),
                    self.intercept.len(),
                    self.n_classes
                )
            },
        )?;
        for w in &self.coef {
            ensure(w.len() == shape.inputs, || {
                format!("{} coefficients for {} inputs", w.len(), shape.inputs)
            })?;
            finite(w, "the coefficients")?;
        }
        finite(&self.intercept, "the intercepts")
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        LogisticModel::predict_proba(self, x, out)
    }

    /// Two classes: the sign of the decision function (a probability of exactly 0.5 is not
    /// an argmax tie).
    fn class_is_argmax(&self) -> bool {
        self.n_classes != 2
    }

    fn predict_class(&self, x: &[f64], out: &mut [f64]) -> usize {
        if self.n_classes == 2 {
            self.predict_binary(x)
        } else {
            LogisticModel::predict_proba(self, x, out);
            crate::common::numeric::argmax(&*out)
        }
    }
}
