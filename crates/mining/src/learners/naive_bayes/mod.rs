//! Naive Bayes for mixed data (mixed.rs): Gaussian likelihoods for numbers, categorical ones
//! for text columns. Its registry entry and hyperparameters are here.

use serde::Serialize;

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::task::{Labels, Task};
use crate::learners::class_weight::ClassWeight;
use crate::learners::spec::{forms::*, Literal, Param, CLASS_WEIGHT};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod mixed;

use mixed::NaiveBayes;

#[derive(Debug, Clone, Serialize)]
pub struct NaiveBayesParams {
    pub var_smoothing: f64,
    pub alpha: f64,
    /// class_weight: each row weighted by its class's weight in the priors, the category
    /// counts and the means ("balanced": every class weighs the same in total, equal priors);
    /// stored hyperparameters name it only when set.
    #[serde(skip_serializing_if = "ClassWeight::is_none")]
    pub class_weight: ClassWeight,
}

pub const NAIVE_BAYES: Entry<NaiveBayesParams> = Entry {
    algorithm: Algorithm {
        name: "naive_bayes",
        summary: "Gaussian likelihoods for numeric columns (scikit-learn's GaussianNB) and categorical ones with additive smoothing for text columns, in one model; an unseen category leaves its feature out",
        tasks: &[Task::Classification],
        params: &[&[
            Param::new(
                "var_smoothing",
                &[NON_NEGATIVE],
                Literal::Number(1e-9),
                "a number ≥ 0",
                "share of the largest variance added to every variance (GaussianNB's)",
            ),
            Param::new(
                "alpha",
                &[POSITIVE],
                Literal::Number(1.0),
                "a number > 0",
                "additive smoothing of the category counts",
            ),
            CLASS_WEIGHT,
        ]],
        preprocessing: Preprocessing {
            scale: false,
            routes_missing: false,
        },
        auto: Auto::Candidate {
            cost: 1,
            max_rows: None,
            around: &[r#"{"var_smoothing": 0.001}"#],
        },
        stored_as: "NaiveBayes",
    },
    build: |h, _| {
        Ok(NaiveBayesParams {
            var_smoothing: h.number("var_smoothing")?,
            alpha: h.number("alpha")?,
            class_weight: ClassWeight::from_hyper(h)?,
        })
    },
};

impl Learner for NaiveBayesParams {
    type Model = NaiveBayes;
    fn fit(&self, data: &TrainData, _: u64, _: &Progress) -> Result<NaiveBayes> {
        let Labels::Classes { y, n_classes } = data.labels()? else {
            return Err(Error::internal("naive_bayes got values, not classes"));
        };
        mixed::fit(
            data.x,
            data.n_cols,
            y,
            n_classes,
            data.rows,
            data.one_hot,
            self.var_smoothing,
            self.alpha,
            self.class_weight.per_row(data)?.as_deref(),
        )
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

impl Predict for NaiveBayes {
    fn validate(&self, shape: Shape) -> Checked {
        let k = self.n_classes;
        let m = self.numeric.len();
        ensure(
            k >= 2 && k == shape.outputs && self.log_prior.len() == k,
            || format!("{k} classes for {} labels", shape.outputs),
        )?;
        ensure(self.numeric.iter().all(|&j| j < shape.inputs), || {
            "a numeric column outside the inputs".into()
        })?;
        let sizes = k.checked_mul(m);
        ensure(
            sizes == Some(self.mean.len()) && sizes == Some(self.var.len()),
            || "means and variances do not match the classes and columns".into(),
        )?;
        let mut levels = 0usize;
        for &(start, w) in &self.groups {
            ensure(
                start.checked_add(w).is_some_and(|e| e <= shape.inputs),
                || "a category group outside the inputs".into(),
            )?;
            levels += w;
        }
        ensure(k.checked_mul(levels) == Some(self.log_level.len()), || {
            "category likelihoods do not match the classes and levels".into()
        })?;
        finite(&self.var, "the variances")?;
        finite(&self.mean, "the means")
    }

    fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        NaiveBayes::predict_proba(self, x, out)
    }
}
