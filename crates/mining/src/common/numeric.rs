//! Small numeric helpers that several learners and the evaluation share.

/// The index of the largest value; ties go to the first (as numpy's argmax), and a NaN never
/// wins over a value before it.
pub fn argmax<'a>(values: impl IntoIterator<Item = &'a f64>) -> usize {
    let mut it = values.into_iter().enumerate();
    let Some((_, &first)) = it.next() else {
        return 0;
    };
    let mut best = (0, first);
    for (i, &v) in it {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// The class of a two-class probability row at a decision threshold: the second class where
/// its probability is at least `threshold`.
pub fn class_at_threshold(row: &[f64], threshold: f64) -> usize {
    usize::from(row.get(1).is_some_and(|&p| p >= threshold))
}

/// The sum of `term(a[i], b[i])` in four independent lanes (no serial add chain), then the
/// lanes pairwise and the tail.
#[inline(always)]
fn lane_sum(a: &[f64], b: &[f64], term: impl Fn(f64, f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| term(*x, *y))
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..4 {
            lanes[i] += term(x[i], y[i]);
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Squared euclidean distance.
pub fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Dot product.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| x * y)
}

/// numpy's percentile (linear interpolation) of `values` at quantile `a`; sorts `values`.
pub fn quantile(values: &mut [f64], a: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(f64::total_cmp);
    let pos = a * (values.len() - 1) as f64;
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + frac * (values[hi] - values[lo])
}

/// scikit-learn's `_weighted_percentile` of (value, weight) pairs at quantile `a` (what its
/// pinball loss uses with sample weights): the smallest value whose cumulative weight reaches
/// `a` × the total (the first of positive weight for `a` = 0); sorts `pairs`.
pub fn weighted_quantile(pairs: &mut [(f64, f64)], a: f64) -> f64 {
    pairs.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut target = a * total;
    if target == 0.0 {
        target = f64::MIN_POSITIVE;
    }
    let mut cum = 0.0;
    for &(v, w) in pairs.iter() {
        cum += w;
        if cum >= target {
            return v;
        }
    }
    pairs.last().map_or(0.0, |p| p.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_of_ties_and_never_a_later_nan() {
        assert_eq!(argmax(&[0.2, 0.5, 0.5]), 1);
        assert_eq!(argmax(&[0.7, f64::NAN, 0.1]), 0);
        assert_eq!(argmax(&[]), 0);
    }

    /// Values from scikit-learn 1.9's `_weighted_percentile`.
    #[test]
    fn weighted_quantile_is_scikit_learns() {
        let mut p = [(4.0, 1.0), (1.0, 3.0), (3.0, 0.0), (2.0, 1.0)];
        assert_eq!(weighted_quantile(&mut p, 0.5), 1.0); // cdf 3, 4, 4, 5 against 2.5
        assert_eq!(weighted_quantile(&mut p, 0.7), 2.0); // 3.5
        assert_eq!(weighted_quantile(&mut p, 0.9), 4.0); // 4.5: 3.0 weighs nothing
        let mut z = [(1.0, 0.0), (5.0, 2.0)];
        assert_eq!(weighted_quantile(&mut z, 0.0), 5.0);
        assert_eq!(weighted_quantile(&mut [], 0.3), 0.0);
    }

    #[test]
    fn squared_distance_is_the_sum_of_squares() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [0.0, 0.0, 1.0, 1.0, 1.0, 9.0];
        assert_eq!(squared_distance(&a, &b), 1.0 + 4.0 + 4.0 + 9.0 + 16.0 + 9.0);
        assert_eq!(squared_distance(&[], &[]), 0.0);
        assert_eq!(dot(&a, &b), 3.0 + 4.0 + 5.0 + 6.0 * 9.0);
    }
}
