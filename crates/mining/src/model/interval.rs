//! Split-conformal prediction intervals for regression (Vovk et al.; Lei et al. 2018): the
//! absolute residuals |y - ŷ| of held-out rows the model never learned from, sorted; for a
//! miscoverage `alpha` the interval is ŷ ± the ⌈(n + 1)(1 − alpha)⌉-th smallest residual, which
//! covers a new row from the same distribution with probability at least 1 − alpha. Kept in
//! dm.models.interval_residuals (not in the model bytes), set when the model is loaded.

use crate::common::error::{Error, Result};
use crate::common::rng::Rng;

/// Residuals kept at most: a seeded random subset of the held-out rows above it (a random
/// subset of exchangeable rows calibrates as validly; 20,000 pin the quantiles to ±0.5%).
pub const MAX_RESIDUALS: usize = 20_000;

/// Sorted absolute residuals of held-out rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Conformal {
    pub residuals: Vec<f64>,
}

impl Conformal {
    /// From the held-out rows' actual and predicted values (NaNs are not residuals).
    pub fn calibrate(actual: &[f64], predicted: &[f64], seed: u64) -> Conformal {
        let mut r: Vec<f64> = actual
            .iter()
            .zip(predicted)
            .map(|(a, p)| (a - p).abs())
            .filter(|r| r.is_finite())
            .collect();
        if r.len() > MAX_RESIDUALS {
            let mut rng = Rng::new(seed ^ 0xC0F0);
            for i in 0..MAX_RESIDUALS {
                let j = i + rng.below(r.len() - i);
                r.swap(i, j);
            }
            r.truncate(MAX_RESIDUALS);
        }
        r.sort_unstable_by(f64::total_cmp);
        Conformal { residuals: r }
    }

    /// From stored residuals: checked (finite, non-negative), sorted.
    pub fn from_stored(mut residuals: Vec<f64>) -> Result<Conformal> {
        if residuals.iter().any(|r| !r.is_finite() || *r < 0.0) {
            return Err(Error::data(
                "the stored interval residuals are damaged (dm.models.interval_residuals); retrain the model",
            ));
        }
        residuals.sort_unstable_by(f64::total_cmp);
        Ok(Conformal { residuals })
    }

    /// The half-width of the interval at miscoverage `alpha`.
    pub fn half_width(&self, alpha: f64) -> Result<f64> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::param(format!(
                "alpha must be in (0, 1); got {alpha}"
            )));
        }
        let n = self.residuals.len();
        let k = ((n as f64 + 1.0) * (1.0 - alpha)).ceil() as usize;
        if k == 0 {
            return Ok(0.0);
        }
        self.residuals.get(k - 1).copied().ok_or_else(|| {
            let shown = if alpha >= 1e-4 { format!("{alpha}") } else { format!("{alpha:e}") };
            let needed = ((1.0 / alpha) - 1.0).ceil();
            Error::param(format!(
                "alpha {shown} needs at least {} held-out residuals for a finite interval; the model kept {n} (use a larger alpha, or train with a larger test_size)",
                if needed < 1e12 { format!("{needed}") } else { format!("{needed:e}") }
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_is_the_conformal_order_statistic() {
        let actual: Vec<f64> = (1..=19).map(f64::from).collect();
        let predicted = vec![0.0; 19];
        let c = Conformal::calibrate(&actual, &predicted, 1);
        // n = 19, alpha 0.1: k = ceil(20 * 0.9) = 18: the 18th smallest residual.
        assert_eq!(c.half_width(0.1).unwrap(), 18.0);
        assert_eq!(c.half_width(0.5).unwrap(), 10.0);
        // alpha 0.05 needs k = 19 ≤ 19; 0.04 needs k = 20 > 19: no finite interval.
        assert_eq!(c.half_width(0.05).unwrap(), 19.0);
        let e = c.half_width(0.04).unwrap_err();
        assert!(
            e.message.contains("at least 24 held-out residuals"),
            "{}",
            e.message
        );
        assert!(
            c.half_width(0.0).is_err()
                && c.half_width(1.0).is_err()
                && c.half_width(f64::NAN).is_err()
        );
    }

    #[test]
    fn coverage_holds_on_new_rows() {
        // y = x + noise with a heavy tail; the "model" predicts x. Calibrate on 2,000 rows,
        // cover 20,000 new ones.
        let mut rng = Rng::new(7);
        let mut draw = |n: usize| -> (Vec<f64>, Vec<f64>) {
            (0..n)
                .map(|_| {
                    let x = rng.unit() * 100.0;
                    let u = rng.unit();
                    let noise = if u < 0.1 {
                        (rng.unit() - 0.5) * 80.0
                    } else {
                        (rng.unit() - 0.5) * 10.0
                    };
                    (x + noise, x)
                })
                .unzip()
        };
        let (ya, yp) = draw(2000);
        let c = Conformal::calibrate(&ya, &yp, 1);
        let (na, np) = draw(20_000);
        for alpha in [0.05, 0.1, 0.2] {
            let h = c.half_width(alpha).unwrap();
            let covered = na
                .iter()
                .zip(&np)
                .filter(|(a, p)| (*a - *p).abs() <= h)
                .count() as f64
                / na.len() as f64;
            assert!(
                (covered - (1.0 - alpha)).abs() < 0.02,
                "alpha {alpha}: coverage {covered}"
            );
        }
    }

    #[test]
    fn many_residuals_are_subsampled_and_damage_is_an_error() {
        let actual: Vec<f64> = (0..50_000).map(f64::from).collect();
        let c = Conformal::calibrate(&actual, &vec![0.0; 50_000], 3);
        assert_eq!(c.residuals.len(), MAX_RESIDUALS);
        assert!(c.residuals.windows(2).all(|w| w[0] <= w[1]));
        let median = c.half_width(0.5).unwrap();
        assert!((median - 25_000.0).abs() < 1_000.0, "{median}");
        assert!(Conformal::from_stored(vec![1.0, f64::NAN]).is_err());
        assert!(Conformal::from_stored(vec![-1.0]).is_err());
        assert_eq!(
            Conformal::from_stored(vec![2.0, 1.0]).unwrap().residuals,
            vec![1.0, 2.0]
        );
    }
}
