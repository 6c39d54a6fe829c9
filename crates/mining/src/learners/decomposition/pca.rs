//! Principal component analysis: the eigenvectors of the covariance matrix of the (already
//! preprocessed) training rows, found with the cyclic Jacobi method, sorted by explained
//! variance. Signs follow scikit-learn's `svd_flip` (the largest absolute loading of every
//! component is positive), so `dm_transform` gives the same numbers as `PCA.transform`.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Components {
    /// min(rows, columns).
    All,
    Count(usize),
    /// The fewest components that explain more than this fraction of the variance.
    Variance(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PcaParams {
    pub n_components: Components,
    pub whiten: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaModel {
    pub mean: Vec<f64>,
    /// k × p, row-major: one component per row.
    pub components: Vec<f64>,
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
    pub whiten: bool,
}

impl PcaModel {
    pub fn n_components(&self) -> usize {
        self.explained_variance.len()
    }

    /// Projects one row onto the components into `out` (len = n_components).
    pub fn transform(&self, x: &[f64], out: &mut [f64]) {
        let p = self.mean.len();
        for (k, o) in out.iter_mut().enumerate() {
            let c = &self.components[k * p..(k + 1) * p];
            let mut s: f64 = c
                .iter()
                .zip(x)
                .zip(&self.mean)
                .map(|((w, v), m)| w * (v - m))
                .sum();
            if self.whiten {
                let ev = self.explained_variance.get(k).copied().unwrap_or(1.0);
                s /= ev.sqrt().max(f64::MIN_POSITIVE);
            }
            *o = s;
        }
    }
}

impl PcaModel {
    /// Reconstruction from the kept components on the given rows: the root mean squared error
    /// per cell, and the fraction of the rows' variance (around the training mean) it keeps.
    pub fn reconstruction(&self, x: &[f64], p: usize, rows: &[usize]) -> (f64, f64) {
        let k = self.n_components();
        let (sse, sst) = rows
            .par_iter()
            .map(|&r| {
                let row = &x[r * p..(r + 1) * p];
                let z: Vec<f64> = row.iter().zip(&self.mean).map(|(v, m)| v - m).collect();
                let mut rec = vec![0.0; p];
                for c in self.components.chunks_exact(p.max(1)).take(k) {
                    let t: f64 = c.iter().zip(&z).map(|(w, v)| w * v).sum();
                    rec.iter_mut().zip(c).for_each(|(r, w)| *r += t * w);
                }
                let sse: f64 = z.iter().zip(&rec).map(|(a, b)| (a - b) * (a - b)).sum();
                let sst: f64 = z.iter().map(|a| a * a).sum();
                (sse, sst)
            })
            .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let cells = (rows.len() * p).max(1) as f64;
        let kept = if sst > 0.0 { 1.0 - sse / sst } else { 1.0 };
        ((sse / cells).sqrt(), kept)
    }
}

/// Eigenvalues and eigenvectors (columns of the returned p × p matrix, row-major) of a symmetric
/// matrix by cyclic Jacobi rotations.
pub fn symmetric_eigen(
    a: &[f64],
    p: usize,
    cancel: &dyn Fn() -> bool,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut a = a.to_vec();
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        v[i * p + i] = 1.0;
    }
    let scale: f64 = a
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        if cancel() {
            return Err(Error::internal("training was cancelled"));
        }
        let off: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * p + j] * a[i * p + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                let aij = a[i * p + j];
                if aij.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[j * p + j] - a[i * p + i]) / (2.0 * aij);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // Rotate rows/columns i and j of a.
                for k in 0..p {
                    let aki = a[k * p + i];
                    let akj = a[k * p + j];
                    a[k * p + i] = c * aki - s * akj;
                    a[k * p + j] = s * aki + c * akj;
                }
                for k in 0..p {
                    let aik = a[i * p + k];
                    let ajk = a[j * p + k];
                    a[i * p + k] = c * aik - s * ajk;
                    a[j * p + k] = s * aik + c * ajk;
                }
                for k in 0..p {
                    let vki = v[k * p + i];
                    let vkj = v[k * p + j];
                    v[k * p + i] = c * vki - s * vkj;
                    v[k * p + j] = s * vki + c * vkj;
                }
            }
        }
    }
    let values = (0..p).map(|i| a[i * p + i]).collect();
    Ok((values, v))
}

/// Fits on the given rows of a row-major matrix with p columns.
pub fn fit(
    x: &[f64],
    p: usize,
    rows: &[usize],
    params: &PcaParams,
    progress: &Progress,
) -> Result<PcaModel> {
    let n = rows.len();
    if n < 2 || p == 0 {
        return Err(Error::data(format!(
            "PCA needs at least 2 rows and 1 column; got {n} rows and {p} columns"
        )));
    }
    let row = |r: usize| &x[r * p..(r + 1) * p];
    let sum = rows
        .par_chunks(4096)
        .map(|c| {
            let mut s = vec![0.0; p];
            for &r in c {
                s.iter_mut().zip(row(r)).for_each(|(a, v)| *a += v);
            }
            s
        })
        .reduce(
            || vec![0.0; p],
            |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
        );
    let mean: Vec<f64> = sum.iter().map(|s| s / n as f64).collect();
    // Upper triangle of the scatter matrix, in fixed chunks (same result on any thread count).
    let scatter = rows
        .par_chunks(4096)
        .map(|c| {
            let mut s = vec![0.0; p * p];
            let mut z = vec![0.0; p];
            for &r in c {
                z.iter_mut()
                    .zip(row(r))
                    .zip(&mean)
                    .for_each(|((z, v), m)| *z = v - m);
                for i in 0..p {
                    let zi = z[i];
                    if zi == 0.0 {
                        continue;
                    }
                    for j in i..p {
                        s[i * p + j] += zi * z[j];
                    }
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold(vec![0.0; p * p], |a, b| {
            a.iter().zip(&b).map(|(x, y)| x + y).collect()
        });
    let mut cov = vec![0.0; p * p];
    for i in 0..p {
        for j in i..p {
            let c = scatter[i * p + j] / (n - 1) as f64;
            cov[i * p + j] = c;
            cov[j * p + i] = c;
        }
    }
    let cancel = || progress.cancel.load(Ordering::Relaxed);
    let (values, vectors) = symmetric_eigen(&cov, p, &cancel)?;
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let ratio: Vec<f64> = order
        .iter()
        .map(|&i| {
            if total > 0.0 {
                values[i].max(0.0) / total
            } else {
                0.0
            }
        })
        .collect();
    let max_k = n.min(p);
    let k = match params.n_components {
        Components::All => max_k,
        Components::Count(k) if k <= max_k => k,
        Components::Count(k) => {
            return Err(Error::param(format!(
            "hyperparameter \"n_components\" of pca is {k}, more than min(rows, columns) = {max_k}"
        )))
        }
        Components::Variance(f) => {
            let mut acc = 0.0;
            let below = ratio.iter().take_while(|r| {
                acc += **r;
                acc <= f
            });
            (below.count() + 1).min(max_k)
        }
    };
    let mut components = Vec::with_capacity(k * p);
    for &i in order.iter().take(k) {
        let mut c: Vec<f64> = (0..p).map(|r| vectors[r * p + i]).collect();
        let big = c
            .iter()
            .copied()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        if big < 0.0 {
            c.iter_mut().for_each(|v| *v = -*v);
        }
        components.extend(c);
    }
    Ok(PcaModel {
        mean,
        components,
        explained_variance: order.iter().take(k).map(|&i| values[i].max(0.0)).collect(),
        explained_variance_ratio: ratio.into_iter().take(k).collect(),
        whiten: params.whiten,
    })
}

#[cfg(test)]
mod tests {
    //! Against scikit-learn's PCA(svd_solver="full") on the data of
    //! tests/fixtures/sklearn_unsupervised.json (written by tests/fixtures/sklearn_unsupervised.py).

    use serde_json::Value;

    use super::*;
    use crate::test_support::floats;

    fn fixture() -> Value {
        crate::test_support::fixture("sklearn_unsupervised.json")
    }

    fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs scikit-learn {y}");
        }
    }

    #[test]
    fn matches_sklearn_components_variances_and_transform() {
        let f = fixture();
        for case in f["pca"].as_array().unwrap() {
            let p = case["d"].as_u64().unwrap() as usize;
            let x = floats(&case["x"]);
            let rows: Vec<usize> = (0..x.len() / p).collect();
            let n_components = match case["n_components"].as_u64() {
                Some(k) => Components::Count(k as usize),
                None => Components::Variance(case["n_components"].as_f64().unwrap()),
            };
            let params = PcaParams {
                n_components,
                whiten: false,
            };
            let m = fit(&x, p, &rows, &params, &Progress::default()).unwrap();
            let what = format!("n_components {}", case["n_components"]);
            close(
                &m.explained_variance,
                &floats(&case["explained_variance"]),
                1e-9,
                &what,
            );
            close(
                &m.explained_variance_ratio,
                &floats(&case["explained_variance_ratio"]),
                1e-9,
                &what,
            );
            // Signs follow scikit-learn's svd_flip: the largest |loading| of each component is > 0.
            close(&m.components, &floats(&case["components"]), 1e-8, &what);
            let k = m.n_components();
            let mut got = Vec::new();
            for row in x.chunks(p).take(10) {
                let mut out = vec![0.0; k];
                m.transform(row, &mut out);
                got.extend(out);
            }
            close(&got, &floats(&case["transform_first_rows"]), 1e-8, &what);
        }
    }

    #[test]
    fn whitening_gives_unit_variance_and_reconstruction_is_exact_with_all_components() {
        let f = fixture();
        let case = &f["pca"][0];
        let p = 5;
        let x = floats(&case["x"]);
        let rows: Vec<usize> = (0..x.len() / p).collect();
        let m = fit(
            &x,
            p,
            &rows,
            &PcaParams {
                n_components: Components::Count(2),
                whiten: true,
            },
            &Progress::default(),
        )
        .unwrap();
        let n = rows.len() as f64;
        let mut sq = [0.0; 2];
        for row in x.chunks(p) {
            let mut out = [0.0; 2];
            m.transform(row, &mut out);
            sq[0] += out[0] * out[0];
            sq[1] += out[1] * out[1];
        }
        for s in sq {
            assert!(
                (s / (n - 1.0) - 1.0).abs() < 1e-9,
                "whitened variance {}",
                s / (n - 1.0)
            );
        }
        let all = fit(
            &x,
            p,
            &rows,
            &PcaParams {
                n_components: Components::All,
                whiten: false,
            },
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(all.n_components(), 5);
        assert!((all.explained_variance_ratio.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let (rmse, kept) = all.reconstruction(&x, p, &rows);
        assert!(
            rmse < 1e-9 && (kept - 1.0).abs() < 1e-9,
            "rmse {rmse}, kept {kept}"
        );
        let (rmse2, kept2) = m.reconstruction(&x, p, &rows);
        let ratio2: f64 = m.explained_variance_ratio.iter().sum();
        assert!(rmse2 > 0.1);
        // On the training rows the kept variance is exactly the explained variance ratio.
        assert!((kept2 - ratio2).abs() < 1e-9, "{kept2} vs {ratio2}");
    }

    #[test]
    fn eigen_decomposition_of_a_known_matrix() {
        // [[2,1],[1,2]]: eigenvalues 3 and 1, vectors (1,1)/√2 and (1,-1)/√2.
        let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2, &|| false).unwrap();
        let mut v = values.clone();
        v.sort_by(f64::total_cmp);
        close(&v, &[1.0, 3.0], 1e-12, "eigenvalues");
        let big = if values[0] > values[1] { 0 } else { 1 };
        let col = [vectors[big], vectors[2 + big]];
        assert!((col[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (col[0] - col[1]).abs() < 1e-12);
        assert!(symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2, &|| true).is_err());
    }

    #[test]
    fn bad_inputs() {
        let x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0];
        let rows = [0, 1, 2];
        let e = fit(
            &x,
            2,
            &rows,
            &PcaParams {
                n_components: Components::Count(3),
                whiten: false,
            },
            &Progress::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("\"n_components\""), "{}", e.message);
        assert!(fit(
            &x,
            2,
            &[0],
            &PcaParams {
                n_components: Components::All,
                whiten: false
            },
            &Progress::default()
        )
        .is_err());
        // Constant data: zero variance everywhere, ratios 0, no NaN.
        let c = vec![1.0; 6];
        let m = fit(
            &c,
            2,
            &rows,
            &PcaParams {
                n_components: Components::All,
                whiten: true,
            },
            &Progress::default(),
        )
        .unwrap();
        assert!(m.explained_variance_ratio.iter().all(|r| *r == 0.0));
        let mut out = [0.0; 2];
        m.transform(&[1.0, 1.0], &mut out);
        assert!(out.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn model_round_trips_through_bincode() {
        let f = fixture();
        let x = floats(&f["pca"][0]["x"]);
        let rows: Vec<usize> = (0..60).collect();
        let m = fit(
            &x,
            5,
            &rows,
            &PcaParams {
                n_components: Components::Count(2),
                whiten: false,
            },
            &Progress::default(),
        )
        .unwrap();
        let bytes = bincode::serde::encode_to_vec(&m, bincode::config::standard()).unwrap();
        let (back, _): (PcaModel, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, m);
    }
}
