//! Train / validation / test splits: random, stratified by label, by time, or by group (the
//! rows of one entity, and the copies of one row, on one side: prepare/groups.rs).

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};
use crate::common::rng::Rng;
use crate::prepare::groups::{check_parts, Groups};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitMethod {
    Random,
    Stratified,
    Time,
    /// The rows of each value of `group_by` on one side (stratified for classes, as far as the
    /// groups allow).
    Group,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub train: Vec<usize>,
    pub validation: Vec<usize>,
    pub test: Vec<usize>,
}

/// Rows per part: test rounds up, as scikit-learn's train_test_split does.
fn sizes(n: usize, test_size: f64, validation_size: f64) -> Result<(usize, usize)> {
    let n_test = (test_size * n as f64).ceil() as usize;
    let n_val = (validation_size * n as f64).ceil() as usize;
    if n_test + n_val >= n {
        return Err(Error::data(format!(
            "{n} rows cannot be split into test_size {test_size} and validation_size {validation_size} with any training rows left"
        )));
    }
    Ok((n_test, n_val))
}

pub fn check_sizes(test_size: f64, validation_size: f64) -> Result<()> {
    if !(0.0..1.0).contains(&test_size) {
        return Err(Error::param(format!(
            "split.test_size must be in [0, 1); got {test_size}"
        )));
    }
    if !(0.0..1.0).contains(&validation_size) || test_size + validation_size >= 1.0 {
        return Err(Error::param(format!(
            "split.validation_size must be in [0, 1) and leave training rows beside test_size; got {validation_size}"
        )));
    }
    Ok(())
}

/// Random split of rows 0..n.
pub fn random(n: usize, test_size: f64, validation_size: f64, seed: u64) -> Result<Split> {
    let (n_test, n_val) = sizes(n, test_size, validation_size)?;
    let mut idx: Vec<usize> = (0..n).collect();
    Rng::new(seed).shuffle(&mut idx);
    let mut split = Split {
        test: idx[..n_test].to_vec(),
        validation: idx[n_test..n_test + n_val].to_vec(),
        train: idx[n_test + n_val..].to_vec(),
    };
    split.sort();
    Ok(split)
}

/// Stratified split: each class keeps its share in every part (largest remainders decide the
/// rounding so that part sizes are the same as a random split's).
pub fn stratified(
    labels: &[usize],
    test_size: f64,
    validation_size: f64,
    seed: u64,
) -> Result<Split> {
    let n = labels.len();
    let (n_test, n_val) = sizes(n, test_size, validation_size)?;
    let n_classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in labels.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut rng = Rng::new(seed);
    for rows in &mut by_class {
        rng.shuffle(rows);
    }
    let counts: Vec<usize> = by_class.iter().map(|r| r.len()).collect();
    // Every class keeps at least one training row.
    let caps: Vec<usize> = counts.iter().map(|c| c.saturating_sub(1)).collect();
    let test_per = apportion(&counts, &caps, n_test);
    let rest: Vec<usize> = counts.iter().zip(&test_per).map(|(c, t)| c - t).collect();
    let caps: Vec<usize> = rest.iter().map(|c| c.saturating_sub(1)).collect();
    let val_per = apportion(&rest, &caps, n_val);
    let mut split = Split::default();
    for (c, rows) in by_class.iter().enumerate() {
        let (t, v) = (test_per[c], val_per[c]);
        split.test.extend_from_slice(&rows[..t]);
        split.validation.extend_from_slice(&rows[t..t + v]);
        split.train.extend_from_slice(&rows[t + v..]);
    }
    split.sort();
    Ok(split)
}

/// Splits `total` among groups in proportion to `counts` (largest remainder method), never
/// giving a group more than its cap.
fn apportion(counts: &[usize], caps: &[usize], total: usize) -> Vec<usize> {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return vec![0; counts.len()];
    }
    let exact: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 * total as f64 / n as f64)
        .collect();
    let mut out: Vec<usize> = exact
        .iter()
        .zip(caps)
        .map(|(e, &c)| (e.floor() as usize).min(c))
        .collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    while left > 0 {
        let mut moved = false;
        for &g in &order {
            if left > 0 && out[g] < caps[g] {
                out[g] += 1;
                left -= 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    out
}

/// Time split: rows ordered by `order` (NULLs first); the latest rows are the test set and the
/// ones just before them the validation set.
pub fn by_time(order: &[f64], test_size: f64, validation_size: f64) -> Result<Split> {
    let n = order.len();
    let (n_test, n_val) = sizes(n, test_size, validation_size)?;
    let mut idx: Vec<usize> = (0..n).collect();
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    idx.sort_by(|&a, &b| key(order[a]).total_cmp(&key(order[b])).then(a.cmp(&b)));
    let n_train = n - n_test - n_val;
    Ok(Split {
        train: idx[..n_train].to_vec(),
        validation: idx[n_train..n_train + n_val].to_vec(),
        test: idx[n_train + n_val..].to_vec(),
    })
}

/// A split that keeps every group on one side: parts as near their sizes (and, with
/// `labels`, every class as near its share in each part) as the groups allow.
pub fn grouped(
    groups: &Groups,
    labels: Option<(&[usize], usize)>,
    test_size: f64,
    validation_size: f64,
    seed: u64,
) -> Result<Split> {
    let n = groups.of.len();
    sizes(n, test_size, validation_size)?;
    let positions: Vec<usize> = (0..n).collect();
    let shares = [
        1.0 - test_size - validation_size,
        validation_size,
        test_size,
    ];
    let mut parts = groups.deal(&positions, labels, &shares, seed);
    check_parts(&parts, &shares, groups, "the split")?;
    let test = parts.pop().unwrap_or_default();
    let validation = parts.pop().unwrap_or_default();
    let train = parts.pop().unwrap_or_default();
    Ok(Split {
        train,
        validation,
        test,
    })
}

impl Split {
    /// Moves rows so that no group sits in two parts (each to the earliest part holding one of
    /// its rows; used after a time split).
    pub fn keep_groups_together(&mut self, groups: &Groups) {
        groups.keep_together([&mut self.train, &mut self.validation, &mut self.test]);
    }

    fn sort(&mut self) {
        self.train.sort_unstable();
        self.validation.sort_unstable();
        self.test.sort_unstable();
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn disjoint_cover(s: &Split, n: usize) {
        let mut all: Vec<usize> = s
            .train
            .iter()
            .chain(&s.validation)
            .chain(&s.test)
            .copied()
            .collect();
        all.sort();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn random_split_sizes_and_reproducible() {
        let s = random(10, 0.25, 0.0, 1).unwrap();
        assert_eq!((s.train.len(), s.test.len()), (7, 3));
        disjoint_cover(&s, 10);
        assert_eq!(s, random(10, 0.25, 0.0, 1).unwrap());
        assert_ne!(s, random(10, 0.25, 0.0, 2).unwrap());
    }

    #[test]
    fn stratified_keeps_class_shares() {
        let labels: Vec<usize> = (0..100).map(|i| usize::from(i % 10 == 0)).collect();
        let s = stratified(&labels, 0.2, 0.1, 5).unwrap();
        disjoint_cover(&s, 100);
        assert_eq!(s.test.len(), 20);
        assert_eq!(s.validation.len(), 10);
        assert_eq!(s.test.iter().filter(|&&i| labels[i] == 1).count(), 2);
        assert_eq!(s.validation.iter().filter(|&&i| labels[i] == 1).count(), 1);
    }

    #[test]
    fn stratified_keeps_a_training_row_of_every_class() {
        let labels = [0, 0, 0, 0, 1, 2];
        let s = stratified(&labels, 0.5, 0.0, 1).unwrap();
        for c in 0..3 {
            assert!(
                s.train.iter().any(|&i| labels[i] == c),
                "class {c} missing from train"
            );
        }
    }

    #[test]
    fn time_split_tests_on_latest_rows() {
        let order = [5.0, 1.0, f64::NAN, 3.0, 4.0];
        let s = by_time(&order, 0.4, 0.0).unwrap();
        assert_eq!(s.test, vec![4, 0]);
        assert_eq!(s.train, vec![2, 1, 3]);
    }

    #[test]
    fn sizes_leave_training_rows() {
        assert!(random(2, 0.5, 0.5, 1).is_err());
        assert!(check_sizes(1.0, 0.0).is_err());
        assert!(check_sizes(0.5, 0.5).is_err());
        assert!(check_sizes(0.2, 0.1).is_ok());
    }
}
