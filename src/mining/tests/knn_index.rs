use super::*;
use crate::mining::rng::Rng;

/// The plain f64 scan, for comparison.
fn brute(x: &[f64], p: usize, q: &[f64], k: usize) -> Vec<(f64, u32)> {
    let all: Vec<u32> = (0..(x.len() / p) as u32).collect();
    exact(x, p, q, k, &all)
}

/// Random rows (and some exact duplicates and near ties, which exercise the tie order):
/// candidates then exact give the same neighbours as the full f64 scan, for serial and split
/// scans, row counts that do not fill the last block, and large offsets (rounding bound).
#[test]
fn same_neighbours_as_the_f64_scan() {
    let mut rng = Rng::new(5);
    for (n, p, offset) in [
        (1, 3, 0.0),
        (37, 3, 0.0),
        (5_003, 20, 0.0),
        (30_011, 20, 1e3),
        (2_000, 7, 1e6),
    ] {
        let mut x: Vec<f64> = (0..n * p)
            .map(|_| offset + rng.unit() * 2.0 - 1.0)
            .collect();
        // Duplicates of row 0 and a row one ulp-ish away.
        if n > 10 {
            let r0: Vec<f64> = x[..p].to_vec();
            x[3 * p..4 * p].copy_from_slice(&r0);
            x[7 * p..8 * p].copy_from_slice(&r0);
            x[9 * p] = r0[0] + 1e-12;
            x[(9 * p + 1)..(10 * p)].copy_from_slice(&r0[1..]);
        }
        let packed = Packed::new(&x, p).unwrap();
        for t in 0..40 {
            let q: Vec<f64> = if t % 4 == 0 {
                x[..p].to_vec()
            } else {
                (0..p).map(|_| offset + rng.unit() * 2.2 - 1.1).collect()
            };
            for k in [1, 5, 12] {
                let k = k.min(n);
                let c = packed.candidates(&q, k).unwrap();
                assert!(c.windows(2).all(|w| w[0] < w[1]));
                assert_eq!(
                    exact(&x, p, &q, k, &c),
                    brute(&x, p, &q, k),
                    "n {n} p {p} k {k}"
                );
            }
        }
    }
}

#[test]
fn non_finite_values_use_the_plain_scan() {
    assert!(Packed::new(&[1.0, f64::NAN], 1).is_none());
    let packed = Packed::new(&[1.0, 2.0], 1).unwrap();
    assert!(packed.candidates(&[f64::INFINITY], 1).is_none());
    assert_eq!(packed.candidates(&[1.9], 1).unwrap(), vec![1]);
}
