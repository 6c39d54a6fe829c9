//! The fast path of k-NN search: the stored rows copied once to f32 in blocks of 8 rows
//! (within a block, column by column), so one vector instruction serves 8 distances; the scan
//! runs with AVX2 where the CPU has it (checked at run time) and splits the rows over the
//! current rayon pool for large models. f32 distances only choose candidates: every row whose
//! f32 distance is within a proven rounding bound of the k-th best is measured again in f64, so
//! the neighbours (and their tie order) are exactly those of the plain f64 scan.

use rayon::prelude::*;

use crate::common::numeric::squared_distance;

const LANES: usize = 8;

/// What a scan of some blocks found: its k best f32 distances, and its candidate rows with
/// their f32 distances.
type Found = (Vec<f32>, Vec<(u32, f32)>);

#[derive(Debug, Clone, PartialEq)]
pub struct BlockIndex {
    p: usize,
    n: usize,
    /// Blocks of LANES rows: block b, column j, lane l at (b * p + j) * LANES + l.
    x: Vec<f32>,
    /// The largest squared norm of a stored row (for the rounding bound).
    max_norm: f64,
}

impl BlockIndex {
    /// Packs row-major f64 rows; None when they are not all finite (the f64 scan handles those).
    pub fn new(x: &[f64], p: usize) -> Option<BlockIndex> {
        let n = x.len().checked_div(p)?;
        if n == 0 || x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let blocks = n.div_ceil(LANES);
        let mut out = vec![0f32; blocks * p * LANES];
        let mut max_norm = 0.0f64;
        for (r, row) in x.chunks_exact(p).enumerate() {
            let (b, l) = (r / LANES, r % LANES);
            for (j, v) in row.iter().enumerate() {
                out[(b * p + j) * LANES + l] = *v as f32;
            }
            max_norm = max_norm.max(row.iter().map(|v| v * v).sum());
        }
        Some(BlockIndex {
            p,
            n,
            x: out,
            max_norm,
        })
    }

    /// Indices of the rows that can be among the k nearest to `q` (f64 distance), in
    /// increasing order; a superset of the true neighbours. None when q is not finite.
    pub fn candidates(&self, q: &[f64], k: usize) -> Option<Vec<u32>> {
        if q.len() < self.p || k == 0 || q[..self.p].iter().any(|v| !v.is_finite()) {
            return None;
        }
        let q32: Vec<f32> = q[..self.p].iter().map(|&v| v as f32).collect();
        let qn: f64 = q[..self.p].iter().map(|v| v * v).sum();
        // |f32 distance - f64 distance| stays below 2^-20 (|q|² + |x|²) for these row widths
        // (rounding of both points, of each difference and of the sums); twice that, with room.
        let slack = (qn + self.max_norm) * (self.p as f64 + 8.0) * f64::powi(2.0, -20);
        let blocks = self.n.div_ceil(LANES);
        // Split big scans over the pool; each part keeps its own k best and candidates.
        let parts = if self.n * self.p >= 400_000 {
            rayon::current_num_threads().clamp(1, 8) * 2
        } else {
            1
        };
        let per = blocks.div_ceil(parts);
        let scan = |part: usize| {
            let (lo, hi) = (part * per, ((part + 1) * per).min(blocks));
            scan(self, &q32, k, slack as f32, lo, hi)
        };
        let found: Vec<Found> = if parts == 1 {
            vec![scan(0)]
        } else {
            (0..parts).into_par_iter().map(scan).collect()
        };
        let mut best: Vec<f32> = found.iter().flat_map(|f| f.0.iter().copied()).collect();
        best.sort_by(f32::total_cmp);
        let kth = best.get(k - 1).copied().unwrap_or(f32::INFINITY);
        let bound = kth + slack as f32;
        Some(
            found
                .into_iter()
                .flat_map(|f| f.1)
                .filter(|&(_, d)| d <= bound)
                .map(|(i, _)| i)
                .collect(),
        )
    }
}

/// Blocks [lo, hi): the k best f32 distances seen, and every row within `slack` of the k-th
/// best at the time it was seen.
fn scan(m: &BlockIndex, q: &[f32], k: usize, slack: f32, lo: usize, hi: usize) -> Found {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { scan_avx2(m, q, k, slack, lo, hi) };
        }
    }
    scan_blocks(m, q, k, slack, lo, hi)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_avx2(m: &BlockIndex, q: &[f32], k: usize, slack: f32, lo: usize, hi: usize) -> Found {
    scan_blocks(m, q, k, slack, lo, hi)
}

#[inline(always)]
fn scan_blocks(m: &BlockIndex, q: &[f32], k: usize, slack: f32, lo: usize, hi: usize) -> Found {
    let p = m.p;
    let mut best: Vec<f32> = Vec::with_capacity(k + 1);
    let mut kth = f32::INFINITY;
    let mut cand = Vec::new();
    for b in lo..hi {
        let block = &m.x[b * p * LANES..(b + 1) * p * LANES];
        let mut acc = [0f32; LANES];
        for (col, &qj) in block.chunks_exact(LANES).zip(q) {
            for l in 0..LANES {
                let t = col[l] - qj;
                acc[l] += t * t;
            }
        }
        let lowest = acc.iter().fold(f32::INFINITY, |a, &d| a.min(d));
        if lowest > kth + slack {
            continue;
        }
        for (l, &d) in acc.iter().enumerate() {
            let r = b * LANES + l;
            if r >= m.n {
                break;
            }
            if d < kth || best.len() < k {
                let at = best.partition_point(|&v| v <= d);
                best.insert(at, d);
                best.truncate(k);
                if best.len() == k {
                    kth = best[k - 1];
                }
            }
            if d <= kth + slack {
                cand.push((r as u32, d));
            }
        }
    }
    (best, cand)
}

/// The exact f64 k nearest among `candidates` (increasing row order), nearest first; equal
/// distances keep row order — the same list as a full scan.
pub fn exact(x: &[f64], p: usize, q: &[f64], k: usize, candidates: &[u32]) -> Vec<(f64, u32)> {
    let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
    for &i in candidates {
        let Some(row) = x.get(i as usize * p..(i as usize + 1) * p) else {
            continue;
        };
        let d = squared_distance(row, &q[..p]);
        if best.len() == k && d >= best[k - 1].0 {
            continue;
        }
        let at = best.partition_point(|b| b.0 <= d);
        best.insert(at, (d, i));
        best.truncate(k);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::rng::Rng;

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
            let packed = BlockIndex::new(&x, p).unwrap();
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
        assert!(BlockIndex::new(&[1.0, f64::NAN], 1).is_none());
        let packed = BlockIndex::new(&[1.0, 2.0], 1).unwrap();
        assert!(packed.candidates(&[f64::INFINITY], 1).is_none());
        assert_eq!(packed.candidates(&[1.9], 1).unwrap(), vec![1]);
    }
}
