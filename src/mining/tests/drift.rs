//! Unit tests of `mining::drift`.

use super::*;
use crate::mining::frame::ColumnKind;

fn num(vals: impl Iterator<Item = f64>) -> Column {
    let mut c = Column::new("x", "double precision", ColumnKind::Float);
    vals.for_each(|v| c.push_number(Some(v)));
    c
}

#[test]
fn same_distribution_has_no_drift_and_a_shift_has() {
    let train = num((0..1000).map(|i| (i % 100) as f64));
    let rows: Vec<usize> = (0..1000).collect();
    let p = profile(&train, &rows, false);
    let same = compare(
        &p,
        &num((0..500).map(|i| (i * 7 % 100) as f64)),
        &(0..500).collect::<Vec<_>>(),
    );
    assert!(same.psi < 0.01 && same.ks.unwrap() < 0.02, "{same:?}");
    let shifted = compare(
        &p,
        &num((0..500).map(|i| 50.0 + (i % 100) as f64)),
        &(0..500).collect::<Vec<_>>(),
    );
    assert!(
        shifted.psi > 1.0 && shifted.ks.unwrap() > 0.45,
        "{shifted:?}"
    );
}

#[test]
fn a_column_turning_null_drifts() {
    let train = num((0..1000).map(|i| (i % 100) as f64));
    let rows: Vec<usize> = (0..1000).collect();
    let p = profile(&train, &rows, false);
    let mut now = Column::new("x", "double precision", ColumnKind::Float);
    (0..100).for_each(|i| {
        now.push_number(if i % 4 == 0 {
            None
        } else {
            Some((i % 100) as f64)
        })
    });
    let d = compare(&p, &now, &(0..100).collect::<Vec<_>>());
    assert!(
        d.psi > 1.0 && (d.null_rate_now - 0.25).abs() < 1e-12,
        "{d:?}"
    );
}

#[test]
fn categories_and_nulls() {
    let mut train = Column::new("c", "text", ColumnKind::Text);
    for i in 0..100 {
        train.push_text(if i % 10 == 0 {
            None
        } else {
            Some(if i % 2 == 0 { "a" } else { "b" })
        });
    }
    let rows: Vec<usize> = (0..100).collect();
    let p = profile(&train, &rows, true);
    let d = compare(&p, &train, &rows);
    assert!(d.psi.abs() < 1e-12 && d.chi2.unwrap() < 1e-9);
    assert!((d.null_rate_train - 0.1).abs() < 1e-12);
    let mut now = Column::new("c", "text", ColumnKind::Text);
    (0..50).for_each(|_| now.push_text(Some("z")));
    let d = compare(&p, &now, &(0..50).collect::<Vec<_>>());
    assert!(d.psi > 1.0 && d.chi2.unwrap() > 100.0, "{d:?}");
}
