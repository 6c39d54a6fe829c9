//! Multi-layer perceptrons (scikit-learn's MLPClassifier / MLPRegressor): fully connected
//! hidden layers with relu or tanh, a softmax (classes) or identity (values) output, trained
//! with Adam on shuffled mini-batches and an L2 penalty. Training stops when the loss (or, with
//! validation rows, the validation score) has not improved by `tol` for `n_iter_no_change`
//! epochs; with validation rows the best epoch's weights are kept. Weights start from
//! scikit-learn's Glorot-uniform initialisation, from the seed. Matrix work is ndarray's.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::numeric::argmax;
use crate::common::rng::Rng;
use crate::common::task::Labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    Relu,
    Tanh,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub alpha: f64,
    pub learning_rate: f64,
    pub batch_size: Option<usize>,
    pub max_iter: usize,
    pub tol: f64,
    pub n_iter_no_change: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// Per layer: weights (fan_in × fan_out, row-major) and biases.
    pub weights: Vec<(usize, usize, Vec<f64>)>,
    pub biases: Vec<Vec<f64>>,
    pub activation: Activation,
    /// Number of classes (softmax output), or 0 for regression.
    pub n_classes: usize,
    pub epochs: usize,
}

fn activate(a: Activation, m: &mut Array2<f64>) {
    match a {
        Activation::Relu => m.mapv_inplace(|v| v.max(0.0)),
        Activation::Tanh => m.mapv_inplace(f64::tanh),
    }
}

/// Multiplies the upstream gradient by the activation's derivative, given the activations.
fn derivative(a: Activation, act: &Array2<f64>, grad: &mut Array2<f64>) {
    match a {
        Activation::Relu => grad.zip_mut_with(act, |g, &h| {
            if h <= 0.0 {
                *g = 0.0
            }
        }),
        Activation::Tanh => grad.zip_mut_with(act, |g, &h| *g *= 1.0 - h * h),
    }
}

fn softmax_rows(m: &mut Array2<f64>) {
    for mut row in m.rows_mut() {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.mapv_inplace(|v| (v - max).exp());
        let s = row.sum();
        if s > 0.0 {
            row.mapv_inplace(|v| v / s);
        }
    }
}

struct Net {
    w: Vec<Array2<f64>>,
    b: Vec<Array1<f64>>,
}

impl Net {
    /// Activations of every layer for a batch (the last is the output, softmaxed if classes).
    fn forward(&self, x: ArrayView2<f64>, act: Activation, classes: bool) -> Vec<Array2<f64>> {
        let mut out = Vec::with_capacity(self.w.len());
        let mut h = x.to_owned();
        let last = self.w.len() - 1;
        for (l, (w, b)) in self.w.iter().zip(&self.b).enumerate() {
            let mut z = h.dot(w) + b;
            if l < last {
                activate(act, &mut z);
            } else if classes {
                softmax_rows(&mut z);
            }
            h = z.clone();
            out.push(z);
        }
        out
    }
}

/// Mean loss of outputs against targets (cross-entropy, or half squared error as scikit-learn).
fn loss(out: &Array2<f64>, t: &Array2<f64>, classes: bool) -> f64 {
    let n = out.nrows().max(1) as f64;
    if classes {
        -out.iter()
            .zip(t.iter())
            .map(|(p, y)| {
                if *y > 0.0 {
                    y * p.clamp(1e-10, 1.0).ln()
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / n
    } else {
        out.iter()
            .zip(t.iter())
            .map(|(p, y)| (p - y) * (p - y))
            .sum::<f64>()
            / (2.0 * n)
    }
}

/// A network's weights and biases, layer by layer.
type Layers = (Vec<Array2<f64>>, Vec<Array1<f64>>);

/// The mean and standard deviation (population; 1 when the target is constant) of the
/// training rows' target.
fn target_moments(y: &[f64], train: &[usize]) -> (f64, f64) {
    let n = train.len().max(1) as f64;
    let mean = train.iter().map(|&r| y[r]).sum::<f64>() / n;
    let var = train.iter().map(|&r| (y[r] - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (mean, if sd > 0.0 && sd.is_finite() { sd } else { 1.0 })
}

/// Fits on the training rows of a row-major matrix with p columns; `valid` rows (may be empty)
/// drive early stopping.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
    labels: Labels,
    train: &[usize],
    valid: &[usize],
    params: &MlpParams,
    seed: u64,
    cancel: &dyn Fn() -> bool,
) -> Result<Mlp> {
    let n = train.len();
    if n == 0 || p == 0 {
        return Err(Error::data(
            "there are no training rows or no feature columns",
        ));
    }
    let (classes, k) = match labels {
        Labels::Classes { n_classes, .. } => (true, n_classes),
        Labels::Values(_) => (false, 1),
    };
    // A regression learns the standardized target (the training rows' mean and standard
    // deviation), as its features are scaled: targets in the hundreds would otherwise need
    // thousands of epochs from a Glorot start. The output layer is rescaled after the fit, so
    // the stored network predicts in the target's units.
    let (y_mean, y_scale) = match labels {
        Labels::Values(y) => target_moments(y, train),
        Labels::Classes { .. } => (0.0, 1.0),
    };
    let gather = |rows: &[usize]| -> (Array2<f64>, Array2<f64>) {
        let mut xm = Array2::zeros((rows.len(), p));
        let mut tm = Array2::zeros((rows.len(), k));
        for (i, &r) in rows.iter().enumerate() {
            xm.row_mut(i)
                .iter_mut()
                .zip(&x[r * p..(r + 1) * p])
                .for_each(|(a, b)| *a = *b);
            match labels {
                Labels::Classes { y, .. } => tm[[i, y[r]]] = 1.0,
                Labels::Values(y) => tm[[i, 0]] = (y[r] - y_mean) / y_scale,
            }
        }
        (xm, tm)
    };
    let (xt, tt) = gather(train);
    let (xv, tv) = gather(valid);
    // Glorot-uniform initialisation, as scikit-learn.
    let mut rng = Rng::new(seed);
    let mut sizes = vec![p];
    sizes.extend(&params.hidden);
    sizes.push(k);
    let mut net = Net {
        w: Vec::new(),
        b: Vec::new(),
    };
    for win in sizes.windows(2) {
        let (fi, fo) = (win[0], win[1]);
        let bound = (6.0 / (fi + fo) as f64).sqrt();
        net.w.push(Array2::from_shape_fn((fi, fo), |_| {
            (rng.unit() * 2.0 - 1.0) * bound
        }));
        net.b.push(Array1::from_shape_fn(fo, |_| {
            (rng.unit() * 2.0 - 1.0) * bound
        }));
    }
    let layers = net.w.len();
    // Adam state.
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let mut mw: Vec<Array2<f64>> = net.w.iter().map(|w| Array2::zeros(w.raw_dim())).collect();
    let mut vw = mw.clone();
    let mut mb: Vec<Array1<f64>> = net.b.iter().map(|b| Array1::zeros(b.raw_dim())).collect();
    let mut vb = mb.clone();
    let mut step = 0i32;
    let batch = params.batch_size.unwrap_or(200).clamp(1, n);
    let mut order: Vec<usize> = (0..n).collect();
    let mut best_loss = f64::INFINITY;
    let mut best_valid = f64::NEG_INFINITY;
    let mut best_net: Option<Layers> = None;
    let mut no_change = 0;
    let mut epochs = 0;
    for epoch in 0..params.max_iter {
        if cancel() {
            return Err(Error::internal("training was cancelled"));
        }
        epochs = epoch + 1;
        rng.shuffle(&mut order);
        let mut total = 0.0;
        for chunk in order.chunks(batch) {
            let xb = xt.select(Axis(0), chunk);
            let tb = tt.select(Axis(0), chunk);
            let m = chunk.len() as f64;
            let acts = net.forward(xb.view(), params.activation, classes);
            let out = &acts[layers - 1];
            let mut l = loss(out, &tb, classes);
            l += 0.5
                * params.alpha
                * net
                    .w
                    .iter()
                    .map(|w| w.iter().map(|v| v * v).sum::<f64>())
                    .sum::<f64>()
                / m;
            total += l * m;
            // Output delta: (prediction - target) / m for both losses.
            let mut delta = (out - &tb) / m;
            for layer in (0..layers).rev() {
                let input = if layer == 0 {
                    xb.view()
                } else {
                    acts[layer - 1].view()
                };
                let gw = input.t().dot(&delta) + &(&net.w[layer] * (params.alpha / m));
                let gb = delta.sum_axis(Axis(0));
                if layer > 0 {
                    let mut back = delta.dot(&net.w[layer].t());
                    derivative(params.activation, &acts[layer - 1], &mut back);
                    delta = back;
                }
                // Adam moments of this layer.
                mw[layer] = &mw[layer] * b1 + &(&gw * (1.0 - b1));
                vw[layer] = &vw[layer] * b2 + &(gw.mapv(|g| g * g) * (1.0 - b2));
                mb[layer] = &mb[layer] * b1 + &(&gb * (1.0 - b1));
                vb[layer] = &vb[layer] * b2 + &(gb.mapv(|g| g * g) * (1.0 - b2));
            }
            step += 1;
            let lr = params.learning_rate * (1.0 - b2.powi(step)).sqrt() / (1.0 - b1.powi(step));
            for layer in 0..layers {
                let upd_w = &mw[layer] / &vw[layer].mapv(|v| v.sqrt() + eps) * lr;
                net.w[layer] -= &upd_w;
                let upd_b = &mb[layer] / &vb[layer].mapv(|v| v.sqrt() + eps) * lr;
                net.b[layer] -= &upd_b;
            }
        }
        let epoch_loss = total / n as f64;
        if !epoch_loss.is_finite() {
            return Err(Error::data(
                "the network diverged (loss is not finite); lower learning_rate or scale the features",
            ));
        }
        if valid.is_empty() {
            if epoch_loss > best_loss - params.tol {
                no_change += 1;
            } else {
                no_change = 0;
            }
            best_loss = best_loss.min(epoch_loss);
        } else {
            // Validation score: accuracy, or R² for values (scikit-learn's early stopping).
            let out = net
                .forward(xv.view(), params.activation, classes)
                .pop()
                .unwrap_or_default();
            let score = if classes {
                out.rows()
                    .into_iter()
                    .zip(tv.rows())
                    .filter(|(o, t)| argmax(o.iter()) == argmax(t.iter()))
                    .count() as f64
                    / valid.len() as f64
            } else {
                let mean = tv.mean().unwrap_or(0.0);
                let sse: f64 = out
                    .iter()
                    .zip(tv.iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                let sst: f64 = tv.iter().map(|b| (b - mean) * (b - mean)).sum();
                1.0 - sse / sst.max(f64::MIN_POSITIVE)
            };
            if score < best_valid + params.tol {
                no_change += 1;
            } else {
                no_change = 0;
            }
            if score > best_valid {
                best_valid = score;
                best_net = Some((net.w.clone(), net.b.clone()));
            }
        }
        if no_change > params.n_iter_no_change {
            break;
        }
    }
    if let Some((w, b)) = best_net {
        net.w = w;
        net.b = b;
    }
    if !classes {
        // y = scale * (h W + b) + mean: fold the target's scale into the output layer.
        if let (Some(w), Some(b)) = (net.w.last_mut(), net.b.last_mut()) {
            w.mapv_inplace(|v| v * y_scale);
            b.mapv_inplace(|v| v * y_scale + y_mean);
        }
    }
    Ok(Mlp {
        weights: net
            .w
            .iter()
            .map(|w| (w.nrows(), w.ncols(), w.iter().copied().collect()))
            .collect(),
        biases: net.b.iter().map(|b| b.to_vec()).collect(),
        activation: params.activation,
        n_classes: if classes { k } else { 0 },
        epochs,
    })
}

impl Mlp {
    /// The output layer for one row (class probabilities, or the value).
    fn output(&self, x: &[f64], out: &mut Vec<f64>) {
        let mut h: Vec<f64> = x.to_vec();
        let last = self.weights.len().saturating_sub(1);
        for (l, ((fi, fo, w), b)) in self.weights.iter().zip(&self.biases).enumerate() {
            let mut z = b.clone();
            for i in 0..(*fi).min(h.len()) {
                let hi = h[i];
                if hi == 0.0 {
                    continue;
                }
                let row = &w[i * fo..(i + 1) * fo];
                z.iter_mut().zip(row).for_each(|(a, wv)| *a += hi * wv);
            }
            if l < last {
                match self.activation {
                    Activation::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
                    Activation::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
                }
            }
            h = z;
        }
        *out = h;
    }

    pub fn predict_value(&self, x: &[f64]) -> f64 {
        let mut out = Vec::new();
        self.output(x, &mut out);
        out.first().copied().unwrap_or(f64::NAN)
    }

    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        let mut z = Vec::new();
        self.output(x, &mut z);
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut s = 0.0;
        z.iter_mut().for_each(|v| {
            *v = (*v - max).exp();
            s += *v;
        });
        for (o, v) in out.iter_mut().zip(&z) {
            *o = if s > 0.0 { v / s } else { 0.0 };
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn params(hidden: Vec<usize>) -> MlpParams {
        MlpParams {
            hidden,
            activation: Activation::Relu,
            alpha: 1e-4,
            learning_rate: 0.01,
            batch_size: None,
            max_iter: 300,
            tol: 1e-5,
            n_iter_no_change: 10,
        }
    }

    #[test]
    fn learns_xor_and_a_curve() {
        let mut rng = Rng::new(4);
        let (mut x, mut y, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..800 {
            let (a, b) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0);
            x.extend([a, b]);
            y.push(((a > 0.0) ^ (b > 0.0)) as usize);
            v.push((3.0 * a).sin() + b);
        }
        let train: Vec<usize> = (0..600).collect();
        let test: Vec<usize> = (600..800).collect();
        let m = fit(
            &x,
            2,
            Labels::Classes {
                y: &y,
                n_classes: 2,
            },
            &train,
            &[],
            &params(vec![32, 16]),
            1,
            &|| false,
        )
        .unwrap();
        let mut out = [0.0; 2];
        let right = test
            .iter()
            .filter(|&&r| {
                m.predict_proba(&x[r * 2..r * 2 + 2], &mut out);
                (out[1] > out[0]) as usize == y[r]
            })
            .count();
        assert!(right >= 180, "{right} of 200");
        let mut p = params(vec![32]);
        p.activation = Activation::Tanh;
        let m = fit(&x, 2, Labels::Values(&v), &train, &[], &p, 1, &|| false).unwrap();
        let mean = test.iter().map(|&r| v[r]).sum::<f64>() / 200.0;
        let (sse, sst) = test.iter().fold((0.0, 0.0), |(a, b), &r| {
            let e = m.predict_value(&x[r * 2..r * 2 + 2]) - v[r];
            (a + e * e, b + (v[r] - mean).powi(2))
        });
        assert!(1.0 - sse / sst > 0.95, "r2 {}", 1.0 - sse / sst);
    }

    #[test]
    fn seeded_early_stopping_and_round_trip() {
        let x: Vec<f64> = (0..400)
            .map(|i| ((i * 37) % 100) as f64 / 50.0 - 1.0)
            .collect();
        let y: Vec<usize> = x.iter().map(|&v| (v > 0.0) as usize).collect();
        let train: Vec<usize> = (0..300).collect();
        let valid: Vec<usize> = (300..400).collect();
        let labels = Labels::Classes {
            y: &y,
            n_classes: 2,
        };
        let mut p = params(vec![8]);
        p.max_iter = 500;
        let a = fit(&x, 1, labels, &train, &valid, &p, 3, &|| false).unwrap();
        let b = fit(&x, 1, labels, &train, &valid, &p, 3, &|| false).unwrap();
        assert_eq!(a, b);
        assert!(
            a.epochs < 500,
            "validation score stops improving: {} epochs",
            a.epochs
        );
        let bytes = bincode::serde::encode_to_vec(&a, bincode::config::standard()).unwrap();
        let (back, _): (Mlp, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, a);
        assert!(fit(&x, 1, labels, &train, &[], &p, 3, &|| true).is_err());
        assert!(fit(&x, 1, labels, &[], &[], &p, 3, &|| false).is_err());
    }

    /// mlp against MLPClassifier/MLPRegressor (one hidden layer of 100, relu, Adam, defaults) on
    /// standard-scaled inputs, mean of 3 seeds each, on the bundled data sets (regression: up to
    /// 2000 epochs on both sides).
    #[test]
    fn mlp_within_one_point_of_sklearn() {
        use crate::common::numeric::argmax;
        use crate::common::task::Labels;
        use crate::learners::mlp::network::{self, Activation, MlpParams};
        use crate::test_support::{accuracy, bundled_sets, r2};
        let params = MlpParams {
            hidden: vec![100],
            activation: Activation::Relu,
            alpha: 1e-4,
            learning_rate: 1e-3,
            batch_size: None,
            max_iter: 200,
            tol: 1e-4,
            n_iter_no_change: 10,
        };
        for mut set in bundled_sets() {
            // StandardScaler fitted on the training rows.
            let (p, n) = (set.p, set.x.len() / set.p);
            for j in 0..p {
                let col = |r: usize| set.x[r * p + j];
                let m = set.train.iter().map(|&r| col(r)).sum::<f64>() / set.train.len() as f64;
                let var = set.train.iter().map(|&r| (col(r) - m).powi(2)).sum::<f64>()
                    / set.train.len() as f64;
                let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
                for r in 0..n {
                    set.x[r * p + j] = (set.x[r * p + j] - m) / sd;
                }
            }
            let theirs = set.json[if set.classify {
                "mlp"
            } else {
                "mlp_scaled_target"
            }]
            .as_f64()
            .unwrap();
            let mut ours = 0.0;
            for seed in 0..3 {
                ours += if set.classify {
                    let (y, k) = set.classes();
                    let m = network::fit(
                        &set.x,
                        p,
                        Labels::Classes {
                            y: &y,
                            n_classes: k,
                        },
                        &set.train,
                        &[],
                        &params,
                        seed,
                        &|| false,
                    )
                    .unwrap();
                    let mut out = vec![0.0; k];
                    accuracy(&set.test, &y, |r| {
                        m.predict_proba(set.row(r), &mut out);
                        argmax(&out)
                    })
                } else {
                    // The target is standardized, as scikit-learn's TransformedTargetRegressor
                    // with a StandardScaler does: compared at the default 200 epochs.
                    let y = set.values();
                    let m = network::fit(
                        &set.x,
                        p,
                        Labels::Values(&y),
                        &set.train,
                        &[],
                        &params,
                        seed,
                        &|| false,
                    )
                    .unwrap();
                    r2(&set.test, &y, |r| m.predict_value(set.row(r)))
                } / 3.0;
            }
            eprintln!("{} mlp: ours {ours:.4}, scikit-learn {theirs:.4}", set.name);
            assert!(
                ours >= theirs - 0.01,
                "{}: ours {ours} vs scikit-learn {theirs}",
                set.name
            );
        }
    }
}
