//! Probability calibration of a binary classifier (options.calibration), as scikit-learn's
//! CalibratedClassifierCV with ensemble=False: a map from the model's probability of the second
//! class to a calibrated one, fitted on held-out probabilities (the validation rows, or
//! out-of-fold predictions of the training rows) and applied to every probability the model
//! gives afterwards. "sigmoid": Platt's sigmoid (learners/svm/platt.rs, the targets smoothed
//! by the class counts as Platt and scikit-learn do); "isotonic": the isotonic regression of the
//! labels on the probabilities (pool adjacent violators; equal probabilities are merged first,
//! predictions interpolate linearly between the fitted points and are clipped outside them, as
//! scikit-learn's IsotonicRegression(out_of_bounds="clip")). Kept in dm.models.calibration (not
//! in the model bytes), set when the model is loaded.

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::learners::svm::platt;
pub use crate::prepare::options::CalibrationMethod as Method;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Calibrator {
    Sigmoid {
        a: f64,
        b: f64,
    },
    /// Increasing fitted points (x ascending, y non-decreasing).
    Isotonic {
        x: Vec<f64>,
        y: Vec<f64>,
    },
}

impl Calibrator {
    /// Fits `method` to held-out probabilities of the second class and whether each row is of it.
    pub fn fit(method: Method, proba: &[f64], positive: &[bool]) -> Result<Calibrator> {
        if proba.len() != positive.len() || proba.is_empty() {
            return Err(Error::data("calibration needs held-out rows"));
        }
        if positive.iter().all(|&p| p) || positive.iter().all(|&p| !p) {
            return Err(Error::data(
                "the held-out rows calibration is fitted on hold a single class; use more validation rows or folds",
            ));
        }
        Ok(match method {
            Method::Sigmoid => {
                let s = platt::fit(proba, positive);
                Calibrator::Sigmoid { a: s.a, b: s.b }
            }
            Method::Isotonic => isotonic(proba, positive),
        })
    }

    /// The calibrated probability of the second class.
    pub fn apply(&self, p: f64) -> f64 {
        match self {
            Calibrator::Sigmoid { a, b } => platt::Sigmoid { a: *a, b: *b }.prob(p),
            Calibrator::Isotonic { x, y } => interpolate(x, y, p),
        }
    }

    /// Calibrates rows of two class probabilities in place.
    pub fn apply_rows(&self, proba: &mut [f64]) {
        for row in proba.chunks_exact_mut(2) {
            let p = self.apply(row[1]).clamp(0.0, 1.0);
            row[0] = 1.0 - p;
            row[1] = p;
        }
    }

    pub fn method(&self) -> Method {
        match self {
            Calibrator::Sigmoid { .. } => Method::Sigmoid,
            Calibrator::Isotonic { .. } => Method::Isotonic,
        }
    }

    /// From dm.models.calibration: checked (finite; isotonic points ascending, same lengths).
    pub fn from_json(v: &serde_json::Value) -> Result<Calibrator> {
        let bad = || {
            Error::data(
                "the stored calibration is damaged (dm.models.calibration); retrain the model",
            )
        };
        let c: Calibrator = serde_json::from_value(v.clone()).map_err(|_| bad())?;
        let ok = match &c {
            Calibrator::Sigmoid { a, b } => a.is_finite() && b.is_finite(),
            Calibrator::Isotonic { x, y } => {
                !x.is_empty()
                    && x.len() == y.len()
                    && x.iter().chain(y).all(|v| v.is_finite())
                    && x.windows(2).all(|w| w[0] <= w[1])
            }
        };
        if ok {
            Ok(c)
        } else {
            Err(bad())
        }
    }
}

/// Pool adjacent violators over the points sorted by x, equal x merged (their mean label,
/// weighted by count).
fn isotonic(proba: &[f64], positive: &[bool]) -> Calibrator {
    let mut pts: Vec<(f64, f64)> = proba
        .iter()
        .zip(positive)
        .map(|(&p, &y)| (p, if y { 1.0 } else { 0.0 }))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Unique x with (sum of y, count).
    let mut ux: Vec<f64> = Vec::new();
    let mut sums: Vec<(f64, f64)> = Vec::new();
    for (x, y) in pts {
        if ux.last() == Some(&x) {
            if let Some(s) = sums.last_mut() {
                s.0 += y;
                s.1 += 1.0;
            }
        } else {
            ux.push(x);
            sums.push((y, 1.0));
        }
    }
    // Blocks: (sum, weight, first index, last index).
    let mut blocks: Vec<(f64, f64, usize, usize)> = Vec::with_capacity(ux.len());
    for (i, &(s, w)) in sums.iter().enumerate() {
        blocks.push((s, w, i, i));
        while blocks.len() >= 2 {
            let n = blocks.len();
            let (a, b) = (blocks[n - 2], blocks[n - 1]);
            if a.0 / a.1 > b.0 / b.1 {
                blocks.truncate(n - 2);
                blocks.push((a.0 + b.0, a.1 + b.1, a.2, b.3));
            } else {
                break;
            }
        }
    }
    let mut y = vec![0.0; ux.len()];
    for (s, w, from, to) in blocks {
        y[from..=to].iter_mut().for_each(|v| *v = s / w);
    }
    Calibrator::Isotonic { x: ux, y }
}

/// numpy's interp: linear between the points, clipped outside them.
fn interpolate(x: &[f64], y: &[f64], p: f64) -> f64 {
    let (Some(&x0), Some(&xn)) = (x.first(), x.last()) else {
        return p;
    };
    if p <= x0 {
        return y[0];
    }
    if p >= xn {
        return y[y.len() - 1];
    }
    let i = x.partition_point(|&v| v <= p);
    let (xa, xb, ya, yb) = (x[i - 1], x[i], y[i - 1], y[i]);
    if xb == xa {
        yb
    } else {
        ya + (yb - ya) * (p - xa) / (xb - xa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learns_isotonic_regression_and_sigmoid() {
        let f = crate::test_support::fixture("sklearn_calibration.json");
        let p = crate::test_support::floats(&f["proba"]);
        let y = crate::test_support::flags(&f["y"]);
        let at = crate::test_support::floats(&f["at"]);
        let iso = Calibrator::fit(Method::Isotonic, &p, &y).unwrap();
        for (x, want) in at.iter().zip(f["isotonic"].as_array().unwrap()) {
            let w = want.as_f64().unwrap();
            assert!(
                (iso.apply(*x) - w).abs() < 1e-12,
                "isotonic at {x}: {} vs {w}",
                iso.apply(*x)
            );
        }
        let sig = Calibrator::fit(Method::Sigmoid, &p, &y).unwrap();
        for (x, want) in at.iter().zip(f["sigmoid"].as_array().unwrap()) {
            let w = want.as_f64().unwrap();
            assert!(
                (sig.apply(*x) - w).abs() < 1e-5,
                "sigmoid at {x}: {} vs {w}",
                sig.apply(*x)
            );
        }
    }

    #[test]
    fn round_trips_and_damage() {
        let c = Calibrator::fit(
            Method::Isotonic,
            &[0.1, 0.4, 0.35, 0.8],
            &[false, true, false, true],
        )
        .unwrap();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["method"], "isotonic");
        assert_eq!(Calibrator::from_json(&v).unwrap(), c);
        assert!(Calibrator::from_json(
            &serde_json::json!({"method": "isotonic", "x": [0.5, 0.1], "y": [0, 1]})
        )
        .is_err());
        assert!(
            Calibrator::from_json(&serde_json::json!({"method": "sigmoid", "a": "x"})).is_err()
        );
        assert!(Calibrator::fit(Method::Sigmoid, &[0.2, 0.3], &[true, true]).is_err());
        let mut rows = vec![0.3, 0.7, 0.9, 0.1];
        c.apply_rows(&mut rows);
        assert!((rows[0] + rows[1] - 1.0).abs() < 1e-12);
    }
}
