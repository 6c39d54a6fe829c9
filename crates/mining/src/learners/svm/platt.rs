//! Probabilities from SVM decision values: Platt's sigmoid, fitted by the Newton method with
//! backtracking of Lin, Lin and Weng (2007), and the pairwise coupling of Wu, Lin and Weng
//! (2004) that turns one-vs-one probabilities into class probabilities — both as LIBSVM (and so
//! scikit-learn's SVC(probability=True)) computes them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sigmoid {
    pub a: f64,
    pub b: f64,
}

impl Sigmoid {
    /// P(positive | decision value f) = 1 / (1 + exp(A f + B)), computed without overflow.
    pub fn prob(&self, f: f64) -> f64 {
        let z = f * self.a + self.b;
        if z >= 0.0 {
            (-z).exp() / (1.0 + (-z).exp())
        } else {
            1.0 / (1.0 + z.exp())
        }
    }
}

/// Fits A and B to decision values `dec` with labels `positive` (targets smoothed by the
/// class counts, as Platt proposed).
pub fn fit(dec: &[f64], positive: &[bool]) -> Sigmoid {
    let prior1 = positive.iter().filter(|&&p| p).count() as f64;
    let prior0 = positive.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let target: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
    let objective = |a: f64, b: f64| -> f64 {
        dec.iter()
            .zip(&target)
            .map(|(&f, &t)| {
                let z = f * a + b;
                if z >= 0.0 {
                    t * z + (-z).exp().ln_1p()
                } else {
                    (t - 1.0) * z + z.exp().ln_1p()
                }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let mut fval = objective(a, b);
    let sigma = 1e-12;
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for (&f, &t) in dec.iter().zip(&target) {
            let z = f * a + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += f * f * d2;
            h22 += d2;
            h21 += f * d2;
            let d1 = t - p;
            g1 += f * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    Sigmoid { a, b }
}

/// Class probabilities from pairwise ones: `r[i * k + j]` = P(class i | class i or j).
pub fn couple(r: &[f64], k: usize, out: &mut [f64]) {
    let mut q = vec![0.0; k * k];
    for t in 0..k {
        for j in 0..k {
            if j != t {
                q[t * k + t] += r[j * k + t] * r[j * k + t];
                q[t * k + j] = -r[j * k + t] * r[t * k + j];
            }
        }
    }
    let p = &mut out[..k];
    p.iter_mut().for_each(|v| *v = 1.0 / k as f64);
    let mut qp = vec![0.0; k];
    let eps = 0.005 / k as f64;
    for _ in 0..100.max(k) {
        let mut pqp = 0.0;
        for t in 0..k {
            qp[t] = (0..k).map(|j| q[t * k + j] * p[j]).sum();
            pqp += p[t] * qp[t];
        }
        if qp.iter().all(|v| (v - pqp).abs() < eps) {
            break;
        }
        for t in 0..k {
            let qtt = q[t * k + t];
            if qtt <= 0.0 {
                continue;
            }
            let diff = (-qp[t] + pqp) / qtt;
            p[t] += diff;
            pqp = (pqp + diff * (diff * qtt + 2.0 * qp[t])) / ((1.0 + diff) * (1.0 + diff));
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[t * k + j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
}
