//! Logistic regression, fitted by smartcore's L-BFGS (L2 penalty alpha = 1/C, as scikit-learn's
//! C; multinomial for more than two classes). We keep only the coefficients, so scoring is a dot
//! product and the stored model does not depend on smartcore's serde layout.

use serde::{Deserialize, Serialize};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use super::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// One row of coefficients for a binary model (for class 1), one per class otherwise.
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    pub n_classes: usize,
}

impl LogisticModel {
    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        let score = |k: usize| {
            self.intercept.get(k).copied().unwrap_or(0.0)
                + self
                    .coef
                    .get(k)
                    .map_or(0.0, |w| w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>())
        };
        if self.n_classes == 2 {
            let p1 = 1.0 / (1.0 + (-score(0)).exp());
            if out.len() >= 2 {
                out[0] = 1.0 - p1;
                out[1] = p1;
            }
        } else {
            let mut max = f64::NEG_INFINITY;
            for (k, o) in out.iter_mut().enumerate().take(self.n_classes) {
                *o = score(k);
                max = max.max(*o);
            }
            let mut sum = 0.0;
            for o in out.iter_mut().take(self.n_classes) {
                *o = (*o - max).exp();
                sum += *o;
            }
            out.iter_mut().take(self.n_classes).for_each(|o| *o /= sum);
        }
    }
}

/// X row-major n × p; `y` class indices 0..n_classes, every class present.
pub fn fit(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[usize],
    n_classes: usize,
    c: f64,
) -> Result<LogisticModel> {
    use smartcore::linalg::basic::arrays::Array;
    if p == 0 {
        return Err(Error::data(
            "logistic regression needs at least one feature",
        ));
    }
    let matrix =
        DenseMatrix::new(n, p, x.to_vec(), false).map_err(|e| Error::internal(e.to_string()))?;
    let labels: Vec<i32> = y.iter().map(|&v| v as i32).collect();
    let params = LogisticRegressionParameters::default().with_alpha(1.0 / c);
    let model = LogisticRegression::fit(&matrix, &labels, params)
        .map_err(|e| Error::data(format!("logistic regression failed: {e}")))?;
    let (rows, cols) = model.coefficients().shape();
    if cols != p || model.classes().len() != n_classes {
        return Err(Error::internal(
            "logistic regression returned an unexpected shape",
        ));
    }
    let coef: Vec<Vec<f64>> = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|j| *model.coefficients().get((r, j)))
                .collect()
        })
        .collect();
    let intercept: Vec<f64> = (0..rows).map(|r| *model.intercept().get((r, 0))).collect();
    if coef
        .iter()
        .flatten()
        .chain(&intercept)
        .any(|v| !v.is_finite())
    {
        return Err(Error::data(
            "logistic regression diverged (non-finite coefficients); scale the features or lower C",
        ));
    }
    Ok(LogisticModel {
        coef,
        intercept,
        n_classes,
    })
}

#[cfg(test)]
#[path = "tests/logistic.rs"]
mod tests;
