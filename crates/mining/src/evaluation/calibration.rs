//! dm_calibration_curve: the reliability curve of a classifier's probabilities, as
//! scikit-learn's calibration_curve: the probabilities cut into `n_bins` bins of equal width
//! ("uniform") or equal counts ("quantile": numpy percentiles), a probability on an inner edge
//! in the lower bin; per non-empty bin the share of positives and the mean probability.

use crate::common::error::{Error, Result};
use crate::common::numeric::quantile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Uniform,
    Quantile,
}

impl Strategy {
    pub fn parse(s: &str) -> Result<Strategy> {
        match s {
            "uniform" => Ok(Strategy::Uniform),
            "quantile" => Ok(Strategy::Quantile),
            _ => Err(Error::param(format!(
                "strategy must be 'uniform' or 'quantile'; got '{s}'"
            ))),
        }
    }
}

/// One bin of the curve (bins without rows are left out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// 1-based, of `n_bins`.
    pub bin: usize,
    pub mean_predicted: f64,
    pub fraction_positive: f64,
    pub rows: usize,
}

pub const MAX_BINS: usize = 1000;

pub fn curve(
    positive: &[bool],
    proba: &[f64],
    n_bins: usize,
    strategy: Strategy,
) -> Result<Vec<Bin>> {
    if !(1..=MAX_BINS).contains(&n_bins) {
        return Err(Error::param(format!(
            "n_bins must be in [1, {MAX_BINS}]; got {n_bins}"
        )));
    }
    let edges: Vec<f64> = match strategy {
        Strategy::Uniform => (0..=n_bins).map(|i| i as f64 / n_bins as f64).collect(),
        Strategy::Quantile => {
            let mut sorted = proba.to_vec();
            (0..=n_bins)
                .map(|i| quantile(&mut sorted, i as f64 / n_bins as f64))
                .collect()
        }
    };
    let inner = &edges[1..n_bins];
    let mut sums = vec![(0.0, 0.0, 0usize); n_bins];
    for (&p, &y) in proba.iter().zip(positive) {
        let b = inner.partition_point(|&e| e < p);
        if let Some(s) = sums.get_mut(b) {
            s.0 += p;
            s.1 += f64::from(u8::from(y));
            s.2 += 1;
        }
    }
    Ok(sums
        .iter()
        .enumerate()
        .filter(|(_, s)| s.2 > 0)
        .map(|(i, s)| Bin {
            bin: i + 1,
            mean_predicted: s.0 / s.2 as f64,
            fraction_positive: s.1 / s.2 as f64,
            rows: s.2,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learns_calibration_curve() {
        let f = crate::test_support::fixture("sklearn_calibration.json");
        let p = crate::test_support::floats(&f["proba"]);
        let y = crate::test_support::flags(&f["y"]);
        for (name, strategy) in [
            ("uniform", Strategy::Uniform),
            ("quantile", Strategy::Quantile),
        ] {
            let c = curve(&y, &p, 10, strategy).unwrap();
            let want = &f["curves"][name];
            let t = want["prob_true"].as_array().unwrap();
            let m = want["prob_pred"].as_array().unwrap();
            assert_eq!(c.len(), t.len(), "{name}");
            for ((b, t), m) in c.iter().zip(t).zip(m) {
                assert!(
                    (b.fraction_positive - t.as_f64().unwrap()).abs() < 1e-12,
                    "{name} bin {}",
                    b.bin
                );
                assert!(
                    (b.mean_predicted - m.as_f64().unwrap()).abs() < 1e-12,
                    "{name} bin {}",
                    b.bin
                );
            }
        }
        assert!(curve(&y, &p, 0, Strategy::Uniform).is_err());
        assert!(Strategy::parse("even").is_err());
    }
}
