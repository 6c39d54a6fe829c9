//! Unit tests of `mining::split`.

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
