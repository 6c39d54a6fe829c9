//! Unit tests of `mining::rng`.

use super::*;

#[test]
fn same_seed_same_stream() {
    let mut a = Rng::new(7);
    let mut b = Rng::new(7);
    for _ in 0..100 {
        assert_eq!(a.next_u64(), b.next_u64());
    }
    assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
}

#[test]
fn below_stays_in_range_and_covers_it() {
    let mut r = Rng::new(3);
    let mut seen = [0usize; 5];
    for _ in 0..5000 {
        seen[r.below(5)] += 1;
    }
    assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
}

#[test]
fn shuffle_is_a_permutation() {
    let mut v: Vec<usize> = (0..100).collect();
    Rng::new(9).shuffle(&mut v);
    assert_ne!(v, (0..100).collect::<Vec<_>>());
    v.sort();
    assert_eq!(v, (0..100).collect::<Vec<_>>());
}
