//! The statistics a numeric column is imputed and scaled with (as scikit-learn's SimpleImputer,
//! StandardScaler and MinMaxScaler compute them).

use std::collections::HashMap;

use super::choices::Scale;

pub(super) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

pub(super) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub(super) fn mode(v: &[f64]) -> f64 {
    let mut counts: HashMap<u64, (usize, f64)> = HashMap::new();
    for &x in v {
        counts.entry(x.to_bits()).or_insert((0, x)).0 += 1;
    }
    // Most frequent; ties go to the smallest value, as scikit-learn's SimpleImputer does.
    counts
        .values()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map_or(0.0, |&(_, x)| x)
}

pub(super) fn scale_params(values: &[f64], scale: Scale) -> (f64, f64) {
    match scale {
        Scale::None => (0.0, 1.0),
        Scale::Standard => {
            let m = mean(values);
            let var =
                values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / values.len().max(1) as f64;
            let sd = var.sqrt();
            (m, if sd > 0.0 { sd } else { 1.0 })
        }
        Scale::MinMax => {
            let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            if lo.is_finite() && hi > lo {
                (lo, hi - lo)
            } else {
                (if lo.is_finite() { lo } else { 0.0 }, 1.0)
            }
        }
    }
}
