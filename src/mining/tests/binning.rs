//! Unit tests of `mining::binning`.

use super::*;

#[test]
fn few_distinct_values_get_one_bin_each() {
    let e = edges_of(vec![3.0, 1.0, 2.0, 2.0, 1.0], 255);
    assert_eq!(e, vec![1.5, 2.5]);
    assert_eq!(bin_of(&e, 1.0), 0);
    assert_eq!(bin_of(&e, 1.5), 0);
    assert_eq!(bin_of(&e, 2.0), 1);
    assert_eq!(bin_of(&e, 3.0), 2);
    assert_eq!(bin_of(&e, 100.0), 2);
    assert_eq!(bin_of(&e, -100.0), 0);
    assert!(edges_of(vec![7.0; 10], 255).is_empty());
}

#[test]
fn many_values_are_cut_into_balanced_bins() {
    let values: Vec<f64> = (0..10_000).map(|i| (i as f64).sqrt()).collect();
    let e = edges_of(values.clone(), 16);
    assert!(e.len() <= 15 && e.len() >= 14, "{} edges", e.len());
    assert!(e.windows(2).all(|w| w[0] < w[1]));
    let mut counts = [0usize; 16];
    for v in &values {
        counts[bin_of(&e, *v) as usize] += 1;
    }
    let used: Vec<usize> = counts.iter().copied().filter(|c| *c > 0).collect();
    let (lo, hi) = (used.iter().min().unwrap(), used.iter().max().unwrap());
    assert!(*hi < *lo * 2, "unbalanced bins {counts:?}");
    // Never more than 255 bins, whatever max_bins says.
    assert!(edges_of((0..100_000).map(|i| i as f64).collect(), 1000).len() <= 254);
}

#[test]
fn bins_every_row_with_edges_from_training_rows() {
    // Two columns; training rows are the first 4.
    let x = vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0, 100.0, -5.0];
    let b = bin(&x, 2, &[0, 1, 2, 3], 255, 1);
    assert_eq!((b.n_rows, b.n_cols), (5, 2));
    assert_eq!(b.column(0), &[0, 1, 2, 3, 3]);
    assert_eq!(b.column(1), &[0, 1, 2, 3, 0]);
    assert_eq!(b.n_bins(0), 4);
    // The bin test and the raw-value test agree.
    for f in 0..2 {
        for r in 0..5 {
            for (k, edge) in b.edges[f].iter().enumerate() {
                assert_eq!(b.column(f)[r] as usize <= k, x[r * 2 + f] <= *edge);
            }
        }
    }
}

/// Columns handed over one at a time give the bins and edges of the matrix (past the edge
/// sample size too), and a decoded row falls back into the bins it came from.
#[test]
fn column_binner_equals_bin_and_decoded_rows_rebin() {
    let mut rng = Rng::new(4);
    let (n, p) = (SAMPLE + 10_000, 3);
    let x: Vec<f64> = (0..n * p)
        .map(|i| match i % p {
            0 => rng.unit() * 1000.0,
            1 => (rng.below(7) as f64) - 3.0,
            _ if rng.below(10) == 0 => f64::NAN,
            _ => rng.unit().powi(3),
        })
        .collect();
    let train: Vec<usize> = (0..n).filter(|r| r % 5 != 0).collect();
    let whole = bin(&x, p, &train, MAX_BINS, 9);
    let mut by_column = ColumnBinner::new(n, p, &train, MAX_BINS, 9);
    for f in 0..p {
        let col: Vec<f64> = (0..n).map(|r| x[r * p + f]).collect();
        by_column.push(&col);
    }
    assert_eq!(by_column.finish(), whole);
    assert!(whole.missing[2] && !whole.missing[0]);
    let mut row = vec![0.0; p];
    for r in (0..n).step_by(997) {
        whole.decode_row(r, &mut row);
        for (f, &v) in row.iter().enumerate() {
            let b = whole.bins[f * n + r];
            assert_eq!(bin_of(&whole.edges[f], v), b, "row {r} feature {f}");
        }
    }
}
