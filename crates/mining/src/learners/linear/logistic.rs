//! Logistic regression as scikit-learn's LogisticRegression(solver="lbfgs"): the weighted
//! log-loss (binary) or multinomial cross-entropy over the mean of the row weights, plus the L2
//! penalty ½‖w‖²/(C·Σweights) on the coefficients (not the intercepts), minimised by smartcore's
//! L-BFGS on our objective and gradient (smartcore's own LogisticRegression takes no row
//! weights, and class_weight "balanced" needs them). We keep only the coefficients, so scoring is
//! a dot product.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smartcore::optimization::first_order::lbfgs::LBFGS;
use smartcore::optimization::first_order::FirstOrderOptimizer;
use smartcore::optimization::line_search::Backtracking;

use crate::common::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// One row of coefficients for a binary model (for class 1), one per class otherwise.
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    pub n_classes: usize,
}

impl LogisticModel {
    /// Two classes: the predicted class is 1 when the log-odds are positive (as scikit-learn's
    /// predict), without computing the probability.
    pub fn predict_binary(&self, x: &[f64]) -> usize {
        let w = self.coef.first().map_or(&[][..], |w| &w[..]);
        let score = self.intercept.first().copied().unwrap_or(0.0)
            + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>();
        usize::from(score > 0.0)
    }

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

/// Row weights for class_weight "balanced": n / (classes × rows of the class), as scikit-learn.
pub fn balanced_weights(y: &[usize], n_classes: usize) -> Vec<f64> {
    let all: Vec<usize> = (0..y.len()).collect();
    let w = crate::learners::balanced_class_weights(y, &all, n_classes);
    y.iter()
        .map(|&c| w.get(c).copied().unwrap_or(1.0))
        .collect()
}

/// The objective's rows in parallel chunks: each chunk returns (loss, gradient).
const CHUNK: usize = 4096;

/// Loss and gradient of the mean weighted loss at `w` (k score vectors of p coefficients and
/// then k intercepts; k = 1 for two classes).
fn loss_and_gradient(
    x: &[f64],
    p: usize,
    y: &[usize],
    s: &[f64],
    k: usize,
    w: &[f64],
) -> (f64, Vec<f64>) {
    let n = y.len();
    let width = k * (p + 1);
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut grad = vec![0.0; width];
            let mut loss = 0.0;
            let mut z = vec![0.0; k];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let xi = &x[i * p..(i + 1) * p];
                for (j, zj) in z.iter_mut().enumerate() {
                    *zj = w[k * p + j]
                        + w[j * p..(j + 1) * p]
                            .iter()
                            .zip(xi)
                            .map(|(a, b)| a * b)
                            .sum::<f64>();
                }
                let si = s[i];
                if k == 1 {
                    let t = if y[i] == 1 { 1.0 } else { 0.0 };
                    // log(1 + e^z) - t z, stably.
                    let zz = z[0];
                    loss += si * (zz.max(0.0) + (-zz.abs()).exp().ln_1p() - t * zz);
                    let sig = if zz >= 0.0 {
                        1.0 / (1.0 + (-zz).exp())
                    } else {
                        let e = zz.exp();
                        e / (1.0 + e)
                    };
                    let d = si * (sig - t);
                    grad[..p].iter_mut().zip(xi).for_each(|(g, v)| *g += d * v);
                    grad[p] += d;
                } else {
                    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
                    let lse = max + sum.ln();
                    loss += si * (lse - z[y[i]]);
                    for j in 0..k {
                        let d = si * ((z[j] - lse).exp() - f64::from(j == y[i]));
                        grad[j * p..(j + 1) * p]
                            .iter_mut()
                            .zip(xi)
                            .for_each(|(g, v)| *g += d * v);
                        grad[k * p + j] += d;
                    }
                }
            }
            (loss, grad)
        })
        .reduce(
            || (0.0, vec![0.0; width]),
            |(l1, mut g1), (l2, g2)| {
                g1.iter_mut().zip(&g2).for_each(|(a, b)| *a += b);
                (l1 + l2, g1)
            },
        )
}

/// X row-major n × p; `y` class indices 0..n_classes, every class present; `weights` one per row
/// (None: all 1).
pub fn fit(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[usize],
    n_classes: usize,
    c: f64,
    weights: Option<&[f64]>,
) -> Result<LogisticModel> {
    if p == 0 {
        return Err(Error::data(
            "logistic regression needs at least one feature",
        ));
    }
    if x.len() != n * p || y.len() != n || n_classes < 2 || y.iter().any(|&c| c >= n_classes) {
        return Err(Error::internal(
            "logistic regression input of inconsistent size",
        ));
    }
    let ones;
    let s = match weights {
        Some(w) if w.len() == n => w,
        Some(_) => return Err(Error::internal("one weight per row expected")),
        None => {
            ones = vec![1.0; n];
            &ones
        }
    };
    let total: f64 = s.iter().sum();
    let k = if n_classes == 2 { 1 } else { n_classes };
    let penalty = 1.0 / (c * total);
    let objective = |w: &Vec<f64>| -> (f64, Vec<f64>) {
        let (loss, mut grad) = loss_and_gradient(x, p, y, s, k, w);
        let mut f = loss / total;
        grad.iter_mut().for_each(|g| *g /= total);
        for (g, v) in grad.iter_mut().zip(w).take(k * p) {
            f += 0.5 * penalty * v * v;
            *g += penalty * v;
        }
        (f, grad)
    };
    // L-BFGS asks for the value and the gradient at the same point in separate calls: one pass
    // over the rows serves both.
    type Point = (Vec<f64>, f64, Vec<f64>);
    let last: std::cell::RefCell<Option<Point>> = Default::default();
    let at = |w: &Vec<f64>| -> (f64, Vec<f64>) {
        if let Some((lw, lf, lg)) = last.borrow().as_ref() {
            if lw == w {
                return (*lf, lg.clone());
            }
        }
        let (fv, g) = objective(w);
        *last.borrow_mut() = Some((w.clone(), fv, g.clone()));
        (fv, g)
    };
    let f = |w: &Vec<f64>| at(w).0;
    let df = |g: &mut Vec<f64>, w: &Vec<f64>| *g = at(w).1;
    let optimizer = LBFGS {
        max_iter: 1000,
        g_atol: 1e-6,
        ..LBFGS::default()
    };
    let w0 = vec![0.0; k * (p + 1)];
    let result = optimizer.optimize(&f, &df, &w0, &Backtracking::default());
    let w = result.x;
    if w.iter().any(|v| !v.is_finite()) {
        return Err(Error::data(
            "logistic regression diverged (non-finite coefficients); scale the features or lower C",
        ));
    }
    let coef = (0..k).map(|j| w[j * p..(j + 1) * p].to_vec()).collect();
    let intercept = w[k * p..].to_vec();
    Ok(LogisticModel {
        coef,
        intercept,
        n_classes,
    })
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn separates_two_classes() {
        let x: Vec<f64> = (0..40).map(|i| i as f64 / 10.0 - 2.0).collect();
        let y: Vec<usize> = x.iter().map(|&v| usize::from(v > 0.0)).collect();
        let m = fit(&x, 40, 1, &y, 2, 1.0, None).unwrap();
        let mut p = [0.0; 2];
        m.predict_proba(&[1.5], &mut p);
        assert!(p[1] > 0.9 && (p[0] + p[1] - 1.0).abs() < 1e-12);
        m.predict_proba(&[-1.5], &mut p);
        assert!(p[0] > 0.9);
    }

    #[test]
    fn multinomial_probabilities_sum_to_one() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            let c = i % 3;
            x.push(c as f64 * 3.0 + (i as f64 * 0.37).sin());
            y.push(c);
        }
        let m = fit(&x, 60, 1, &y, 3, 1.0, None).unwrap();
        let mut p = [0.0; 3];
        m.predict_proba(&[6.0], &mut p);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[2] > p[0] && p[2] > p[1]);
    }

    /// Against LogisticRegression(lbfgs) fitted to a tight tolerance (tests/fixtures/
    /// sklearn_logistic.py): C = 1 and 0.1, with and without class_weight "balanced", on the
    /// standard-scaled classification sets — coefficients within 2e-3 (relative to their size),
    /// the same test predictions on at least 99% of rows.
    #[test]
    fn matches_sklearn_with_and_without_balanced_weights() {
        use crate::common::numeric::argmax;
        use crate::test_support::{bundled_sets, floats, scaled};
        let refs: serde_json::Value = crate::test_support::fixture("sklearn_logistic.json");
        for set in bundled_sets().into_iter().filter(|s| s.classify) {
            let x = scaled(&set);
            let (y, k) = set.classes();
            let mut xt = Vec::new();
            for &r in &set.train {
                xt.extend_from_slice(&x[r * set.p..(r + 1) * set.p]);
            }
            let yt: Vec<usize> = set.train.iter().map(|&r| y[r]).collect();
            for (key, settings) in refs["settings"].as_object().unwrap() {
                let theirs = &refs["sets"][&set.name][key];
                let c = settings["C"].as_f64().unwrap();
                let weights = settings
                    .get("class_weight")
                    .map(|_| balanced_weights(&yt, k));
                let m = fit(&xt, yt.len(), set.p, &yt, k, c, weights.as_deref()).unwrap();
                let ours: Vec<f64> = m.coef.iter().flatten().copied().collect();
                let want = floats(&theirs["coef"]);
                let scale = want.iter().fold(1.0f64, |a, v| a.max(v.abs()));
                let worst = ours
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                eprintln!(
                    "{} {key}: largest coefficient difference {worst:.2e} (largest {scale:.2})",
                    set.name
                );
                assert!(worst < 2e-3 * scale, "{} {key}: {worst}", set.name);
                let want_pred = floats(&theirs["predictions"]);
                let mut out = vec![0.0; k];
                let same = set
                    .test
                    .iter()
                    .zip(&want_pred)
                    .filter(|(&r, &w)| {
                        m.predict_proba(&x[r * set.p..(r + 1) * set.p], &mut out);
                        argmax(&out) as f64 == w
                    })
                    .count();
                assert!(
                    same as f64 >= 0.99 * set.test.len() as f64,
                    "{} {key}: {same}",
                    set.name
                );
            }
        }
    }

    #[test]
    fn balanced_weights_are_inverse_class_frequency() {
        let w = balanced_weights(&[0, 0, 0, 1], 2);
        assert_eq!(w, vec![4.0 / 6.0, 4.0 / 6.0, 4.0 / 6.0, 2.0]);
    }
}
