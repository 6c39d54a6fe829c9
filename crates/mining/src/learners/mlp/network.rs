//! Multi-layer perceptrons (scikit-learn's MLPClassifier / MLPRegressor): fully connected
//! hidden layers with relu or tanh, a softmax (classes) or identity (values) output, trained
//! with Adam on shuffled mini-batches and an L2 penalty. Training stops when the loss (or, with
//! validation rows, the validation score) has not improved by `tol` for `n_iter_no_change`
//! epochs; with validation rows the best epoch's weights are kept. Weights start from
//! scikit-learn's Glorot-uniform initialisation, from the seed. Row weights (class_weight) weigh
//! each row's loss, gradient and validation score as scikit-learn's `sample_weight` does: a
//! batch's gradient and penalty are divided by its total weight instead of its row count.
//! Matrix work is ndarray's.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::numeric::argmax;
use crate::common::rng::Rng;
use crate::common::task::Labels;
use crate::learners::class_weight::ClassWeight;
use crate::learners::Curve;

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
    /// Classification only (resolved per fit; mod.rs passes each row's weight to `fit`).
    #[serde(default, skip_serializing_if = "ClassWeight::is_none")]
    pub class_weight: ClassWeight,
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
    /// Per epoch: the training loss (cross-entropy, or half the squared error of the
    /// standardised target, as scikit-learn's loss_curve_) and the validation score (accuracy
    /// or R², its validation_scores_); not stored.
    #[serde(skip)]
    pub curve: Curve,
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

/// Mean loss of outputs against targets (cross-entropy, or half squared error as scikit-learn),
/// each row weighted by `w` (its weight; total `total`).
fn loss(out: &Array2<f64>, t: &Array2<f64>, classes: bool, w: &[f64], total: f64) -> f64 {
    let sum: f64 = out
        .rows()
        .into_iter()
        .zip(t.rows())
        .zip(w)
        .map(|((o, t), wi)| {
            let row: f64 = if classes {
                -o.iter()
                    .zip(t.iter())
                    .map(|(p, y)| {
                        if *y > 0.0 {
                            y * p.clamp(1e-10, 1.0).ln()
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>()
            } else {
                o.iter()
                    .zip(t.iter())
                    .map(|(p, y)| (p - y) * (p - y))
                    .sum::<f64>()
                    / 2.0
            };
            wi * row
        })
        .sum();
    sum / total.max(f64::MIN_POSITIVE)
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
/// drive early stopping. `weights`: each row's weight (indexed as the rows of x), or None.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: &[f64],
    p: usize,
    (labels, weights): (Labels, Option<&[f64]>),
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
    let weight_of = |r: usize| weights.and_then(|w| w.get(r).copied()).unwrap_or(1.0);
    let wt: Vec<f64> = train.iter().map(|&r| weight_of(r)).collect();
    let wv: Vec<f64> = valid.iter().map(|&r| weight_of(r)).collect();
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
    let mut curve = Curve::default();
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
            let wb: Vec<f64> = chunk
                .iter()
                .map(|&i| wt.get(i).copied().unwrap_or(1.0))
                .collect();
            // The batch's total weight (its row count when unweighted).
            let m = wb.iter().sum::<f64>().max(f64::MIN_POSITIVE);
            let acts = net.forward(xb.view(), params.activation, classes);
            let out = &acts[layers - 1];
            let mut l = loss(out, &tb, classes, &wb, m);
            l += 0.5
                * params.alpha
                * net
                    .w
                    .iter()
                    .map(|w| w.iter().map(|v| v * v).sum::<f64>())
                    .sum::<f64>()
                / m;
            total += l * chunk.len() as f64;
            // Output delta: (prediction - target) × row weight / m for both losses.
            let mut delta = out - &tb;
            if weights.is_some() {
                delta
                    .rows_mut()
                    .into_iter()
                    .zip(&wb)
                    .for_each(|(mut row, w)| row *= *w);
            }
            delta /= m;
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
        curve.train.push(epoch_loss);
        if valid.is_empty() {
            if epoch_loss > best_loss - params.tol {
                no_change += 1;
            } else {
                no_change = 0;
            }
            best_loss = best_loss.min(epoch_loss);
        } else {
            // Validation score: accuracy (weighted by the rows' weights), or R² for values
            // (scikit-learn's early stopping).
            let out = net
                .forward(xv.view(), params.activation, classes)
                .pop()
                .unwrap_or_default();
            let score = if classes {
                let hit: f64 = out
                    .rows()
                    .into_iter()
                    .zip(tv.rows())
                    .zip(&wv)
                    .filter(|((o, t), _)| argmax(o.iter()) == argmax(t.iter()))
                    .map(|(_, w)| w)
                    .sum();
                hit / wv.iter().sum::<f64>().max(f64::MIN_POSITIVE)
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
            curve.validation.push(score);
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
        curve,
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
mod tests;
