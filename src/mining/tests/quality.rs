//! Unit tests of `mining::quality`.

use super::*;
use crate::mining::frame::ColumnKind;

/// A test row counts once when every used column equals some training row's (NULLs equal
/// NULLs), however many training rows it copies; test rows equal only to each other, or equal
/// to a training row in one column only, do not count.
#[test]
fn overlap_counts_test_rows_that_copy_a_training_row() {
    let mut a = Column::new("a", "double precision", ColumnKind::Float);
    let mut b = Column::new("b", "text", ColumnKind::Text);
    let rows: [(Option<f64>, Option<&str>); 9] = [
        (Some(1.0), Some("x")),
        (Some(1.0), Some("x")),
        (None, Some("y")),
        (Some(2.0), None),
        // test rows from here
        (Some(1.0), Some("x")),
        (None, Some("y")),
        (Some(2.0), Some("y")),
        (Some(5.0), Some("z")),
        (Some(5.0), Some("z")),
    ];
    for (x, t) in rows {
        a.push_number(x);
        b.push_text(t);
    }
    let cols = [&a, &b];
    let (train, test) = ([0, 1, 2, 3], [4, 5, 6, 7, 8]);
    assert_eq!(overlap(&cols, &train, &test), 2);
    assert_eq!(overlap(&cols, &train, &[]), 0);
    assert_eq!(overlap(&cols, &[], &test), 0);
    // Over column a alone, row 6 (2.0) copies row 3 too.
    assert_eq!(overlap(&[&a], &train, &test), 3);
}
