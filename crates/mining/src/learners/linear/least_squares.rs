//! Least squares and ridge regression (scikit-learn's LinearRegression / Ridge): the intercept is
//! not penalized; the data are centred and the normal equations solved by Cholesky.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LinearModel {
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.intercept + self.coef.iter().zip(x).map(|(w, v)| w * v).sum::<f64>()
    }
}

/// Rows per partial Gram matrix.
const CHUNK: usize = 1024;
/// Partial Gram matrices computed (and held) at once.
pub const GROUP: usize = 8;

/// X is row-major n × p. `alpha` = 0 is ordinary least squares; a rank-deficient X (e.g. one-hot
/// columns beside the intercept) gets the smallest ridge that makes it solvable.
pub fn fit(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    alpha: f64,
    fit_intercept: bool,
    cancel: &dyn Fn() -> bool,
) -> Result<LinearModel> {
    if n == 0 || x.len() != n * p || y.len() != n {
        return Err(Error::internal("linear fit: shape mismatch"));
    }
    let (x_mean, y_mean) = if fit_intercept {
        let mut m = vec![0.0; p];
        for row in x.chunks_exact(p.max(1)).take(n) {
            m.iter_mut().zip(row).for_each(|(a, b)| *a += b);
        }
        m.iter_mut().for_each(|v| *v /= n as f64);
        (m, y.iter().sum::<f64>() / n as f64)
    } else {
        (vec![0.0; p], 0.0)
    };
    if p == 0 {
        return Ok(LinearModel {
            coef: vec![],
            intercept: y_mean,
        });
    }
    // Gram matrix and X'y over fixed row chunks in parallel, summed in chunk order so the
    // result does not depend on the thread count; a group of chunks at a time, so that at most
    // GROUP partial matrices exist at once.
    let partial = |(xs, ys): (&[f64], &[f64])| {
        let mut g = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        let mut c = vec![0.0; p];
        for (row, &yv) in xs.chunks_exact(p).zip(ys) {
            for j in 0..p {
                c[j] = row[j] - x_mean[j];
            }
            let yc = yv - y_mean;
            for j in 0..p {
                b[j] += c[j] * yc;
                let cj = c[j];
                for k in 0..=j {
                    g[j * p + k] += cj * c[k];
                }
            }
        }
        (g, b)
    };
    let mut gram = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for (xg, yg) in x.chunks(p * CHUNK * GROUP).zip(y.chunks(CHUNK * GROUP)) {
        if cancel() {
            return Err(Error::internal("training was cancelled"));
        }
        let partials: Vec<(Vec<f64>, Vec<f64>)> = xg
            .par_chunks(p * CHUNK)
            .zip(yg.par_chunks(CHUNK))
            .map(partial)
            .collect();
        for (g, b) in &partials {
            gram.iter_mut().zip(g).for_each(|(a, v)| *a += v);
            xty.iter_mut().zip(b).for_each(|(a, v)| *a += v);
        }
    }
    let trace: f64 = (0..p).map(|j| gram[j * p + j]).sum::<f64>();
    let mut jitter = 0.0;
    let scale = (trace / p as f64).max(1e-300);
    for _ in 0..12 {
        let mut a = gram.clone();
        for j in 0..p {
            a[j * p + j] += alpha + jitter;
        }
        if let Some(coef) = cholesky_solve(&mut a, &xty, p) {
            let intercept = if fit_intercept {
                y_mean - coef.iter().zip(&x_mean).map(|(w, m)| w * m).sum::<f64>()
            } else {
                0.0
            };
            return Ok(LinearModel { coef, intercept });
        }
        jitter = if jitter == 0.0 {
            scale * 1e-10
        } else {
            jitter * 10.0
        };
    }
    Err(Error::data(
        "the feature matrix is numerically singular; try ridge with a larger alpha",
    ))
}

/// Solves A w = b for symmetric positive definite A (lower triangle used), in place.
fn cholesky_solve(a: &mut [f64], b: &[f64], p: usize) -> Option<Vec<f64>> {
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if d <= 1e-12 * a[j * p + j].abs().max(1e-300) || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    let mut z = b.to_vec();
    for i in 0..p {
        for k in 0..i {
            z[i] -= a[i * p + k] * z[k];
        }
        z[i] /= a[i * p + i];
    }
    for i in (0..p).rev() {
        for k in i + 1..p {
            z[i] -= a[k * p + i] * z[k];
        }
        z[i] /= a[i * p + i];
    }
    Some(z)
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn recovers_exact_linear_relation() {
        // y = 3 + 2 a - b
        let rows = [[0.0, 1.0], [1.0, 0.0], [2.0, 5.0], [3.0, 1.0], [4.0, 4.0]];
        let x: Vec<f64> = rows.iter().flatten().copied().collect();
        let y: Vec<f64> = rows.iter().map(|r| 3.0 + 2.0 * r[0] - r[1]).collect();
        let m = fit(&x, 5, 2, &y, 0.0, true, &|| false).unwrap();
        assert!(
            (m.intercept - 3.0).abs() < 1e-9
                && (m.coef[0] - 2.0).abs() < 1e-9
                && (m.coef[1] + 1.0).abs() < 1e-9
        );
        assert!((m.predict(&[1.0, 1.0]) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn ridge_matches_closed_form() {
        // One feature, centred: w = sxy / (sxx + alpha). x = 1,2,3 ; y = 2,4,7
        let x = [1.0, 2.0, 3.0];
        let y = [2.0, 4.0, 7.0];
        let m = fit(&x, 3, 1, &y, 1.0, true, &|| false).unwrap();
        let w = 5.0 / (2.0 + 1.0);
        assert!((m.coef[0] - w).abs() < 1e-12);
        assert!((m.intercept - (13.0 / 3.0 - w * 2.0)).abs() < 1e-12);
    }

    #[test]
    fn collinear_columns_still_solve() {
        // Two identical columns: any split of the weight fits; predictions must be exact.
        let x = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
        let y = [1.0, 2.0, 3.0, 4.0];
        let m = fit(&x, 4, 2, &y, 0.0, true, &|| false).unwrap();
        assert!((m.predict(&[5.0, 5.0]) - 5.0).abs() < 1e-4);
    }

    #[test]
    fn least_squares_and_ridge_match_sklearn() {
        use crate::learners::linear::least_squares;
        use crate::test_support::floats;
        let f = crate::test_support::fixture("sklearn_reference.json");
        for case in f["linear"].as_array().unwrap() {
            let (n, p) = (
                case["n"].as_u64().unwrap() as usize,
                case["p"].as_u64().unwrap() as usize,
            );
            let alpha = case["alpha"].as_f64().unwrap();
            let m = least_squares::fit(
                &floats(&case["x"]),
                n,
                p,
                &floats(&case["y"]),
                alpha,
                true,
                &|| false,
            )
            .unwrap();
            for (ours, theirs) in m.coef.iter().zip(floats(&case["coef"])) {
                assert!(
                    (ours - theirs).abs() < 1e-9,
                    "alpha {alpha}: coef {ours} vs {theirs}"
                );
            }
            let b = case["intercept"].as_f64().unwrap();
            assert!(
                (m.intercept - b).abs() < 1e-9,
                "alpha {alpha}: intercept {} vs {b}",
                m.intercept
            );
        }
    }
}
