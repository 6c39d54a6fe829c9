//! Sample weights for the least-squares learners, as scikit-learn applies them (its
//! `_rescale_data`): centre x and y at their weighted means, multiply each row by the square root
//! of its weight, fit without an intercept, and put the intercept back from the weighted means.
//! The weighted sum of squares is then the plain sum of squares of the rescaled rows.

use crate::learners::linear::least_squares::LinearModel;

/// Weighted means of x's columns and of y, as the intercept needs them.
pub struct Centre {
    x_mean: Vec<f64>,
    y_mean: f64,
}

/// Rescales row-major `x` (n × p) and `y` in place by `w` (one weight per row, ≥ 0, not all 0).
/// `fit_intercept`: centred first. `to_rows`: the weights first scaled to sum to n (elastic
/// net's objective divides by n, as scikit-learn's does after the same scaling).
pub fn rescale(
    x: &mut [f64],
    y: &mut [f64],
    p: usize,
    w: &[f64],
    fit_intercept: bool,
    to_rows: bool,
) -> Centre {
    let total: f64 = w.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut x_mean = vec![0.0; p];
    let mut y_mean = 0.0;
    if fit_intercept {
        for ((row, yv), wi) in x.chunks_exact(p.max(1)).zip(y.iter()).zip(w) {
            x_mean.iter_mut().zip(row).for_each(|(m, v)| *m += wi * v);
            y_mean += wi * yv;
        }
        x_mean.iter_mut().for_each(|m| *m /= total);
        y_mean /= total;
    }
    let factor = if to_rows { y.len() as f64 / total } else { 1.0 };
    for ((row, yv), wi) in x.chunks_exact_mut(p.max(1)).zip(y.iter_mut()).zip(w) {
        let s = (wi * factor).sqrt();
        row.iter_mut()
            .zip(&x_mean)
            .for_each(|(v, m)| *v = (*v - m) * s);
        *yv = (*yv - y_mean) * s;
    }
    Centre { x_mean, y_mean }
}

impl Centre {
    /// The model fitted without an intercept on the rescaled rows, with its intercept back.
    pub fn restore(&self, mut model: LinearModel) -> LinearModel {
        model.intercept = self.y_mean
            - model
                .coef
                .iter()
                .zip(&self.x_mean)
                .map(|(c, m)| c * m)
                .sum::<f64>();
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::linear::least_squares;

    /// A row of weight 2 fits as two copies of it; a row of weight 0 as no row.
    #[test]
    fn a_weight_is_a_count_of_copies() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 2.5, 2.0, 5.0, 100.0];
        let w = [1.0, 2.0, 1.0, 1.0, 0.0];
        let (mut xw, mut yw) = (x.to_vec(), y.to_vec());
        let c = rescale(&mut xw, &mut yw, 1, &w, true, false);
        let fitted = least_squares::fit(&xw, 5, 1, &yw, 0.5, false, &|| false).unwrap();
        let weighted = c.restore(fitted);
        let copies_x = [0.0, 1.0, 1.0, 2.0, 3.0];
        let copies_y = [1.0, 2.5, 2.5, 2.0, 5.0];
        let copies = least_squares::fit(&copies_x, 5, 1, &copies_y, 0.5, true, &|| false).unwrap();
        assert!(
            (weighted.coef[0] - copies.coef[0]).abs() < 1e-12,
            "{weighted:?} {copies:?}"
        );
        assert!((weighted.intercept - copies.intercept).abs() < 1e-12);
    }
}
