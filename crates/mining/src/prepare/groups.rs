//! Rows that must stay on one side of every split and fold: the rows of one entity
//! (`split.group_by`, like scikit-learn's GroupShuffleSplit / StratifiedGroupKFold) and the copies
//! of one row (identical features, kept when `dedup` is off), so that no entity and no duplicate
//! sits both in the rows a model learns from and in the rows it is judged on.
//!
//! Groups are dealt to the parts greedily in a seeded random order (not largest first: when the
//! size of a group goes with what its rows hold, that would bias what each part holds): each
//! goes to the part where it brings the rows of every class closest to that part's share, so a
//! grouped split is stratified as far as the groups allow.

use std::collections::HashMap;

use crate::common::error::{Error, Result};
use crate::common::frame::Column;
use crate::common::progress::Cancel;
use crate::common::rng::Rng;
use crate::prepare::rows::row_hash;

/// Rows hashed between two looks at the cancel flag.
const CANCEL_ROWS: usize = 65_536;

/// A group number per row position (0..count), positions being those of the rows a run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    pub of: Vec<usize>,
    pub count: usize,
}

/// Union-find over row positions.
struct Union(Vec<usize>);

impl Union {
    fn root(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// The groups of `rows`: rows with the same value of `by` (NULL is one value), and rows equal
/// over every column of `copies`, share a group. None when every row is a group of its own (the
/// splits need not know of groups then).
pub fn build(
    by: Option<&Column>,
    copies: Option<&[&Column]>,
    rows: &[usize],
    cancel: &Cancel,
) -> Result<Option<Groups>> {
    let mut union = Union((0..rows.len()).collect());
    let mut joined = false;
    let mut join_equal = |key: &dyn Fn(usize) -> u64, union: &mut Union| -> Result<()> {
        let mut first: HashMap<u64, usize> = HashMap::with_capacity(rows.len());
        for (chunk, part) in rows.chunks(CANCEL_ROWS).enumerate() {
            cancel.check()?;
            for (j, &r) in part.iter().enumerate() {
                let pos = chunk * CANCEL_ROWS + j;
                let f = *first.entry(key(r)).or_insert(pos);
                if f != pos {
                    union.join(f, pos);
                    joined = true;
                }
            }
        }
        Ok(())
    };
    if let Some(c) = by {
        join_equal(&|r| c.cell_hash(r), &mut union)?;
    }
    if let Some(cols) = copies {
        join_equal(&|r| row_hash(cols, r), &mut union)?;
    }
    if !joined {
        return Ok(None);
    }
    let mut number: HashMap<usize, usize> = HashMap::new();
    let mut of = Vec::with_capacity(rows.len());
    for pos in 0..rows.len() {
        let root = union.root(pos);
        let next = number.len();
        of.push(*number.entry(root).or_insert(next));
    }
    Ok(Some(Groups {
        count: number.len(),
        of,
    }))
}

impl Groups {
    /// The positions of each group, in order.
    fn members(&self, positions: &[usize]) -> Vec<Vec<usize>> {
        let mut m = vec![Vec::new(); self.count];
        for &p in positions {
            m[self.of[p]].push(p);
        }
        m
    }

    /// Deals the groups of `positions` to parts with the given shares of the rows: returns the
    /// positions of each part, sorted. `labels` (class per position, number of classes): every
    /// part gets its share of each class as far as the groups allow. A part with share 0 gets
    /// nothing.
    pub fn deal(
        &self,
        positions: &[usize],
        labels: Option<(&[usize], usize)>,
        shares: &[f64],
        seed: u64,
    ) -> Vec<Vec<usize>> {
        let members: Vec<Vec<usize>> = self
            .members(positions)
            .into_iter()
            .filter(|m| !m.is_empty())
            .collect();
        let n_classes = labels.map_or(1, |(_, k)| k + 1);
        let class = |p: usize| labels.map_or(0, |(y, k)| y[p].min(k));
        let mut total = vec![0.0; n_classes];
        for &p in positions {
            total[class(p)] += 1.0;
        }
        let want: Vec<Vec<f64>> = shares
            .iter()
            .map(|s| total.iter().map(|t| s * t).collect())
            .collect();
        let mut have = vec![vec![0.0; n_classes]; shares.len()];
        let mut order: Vec<usize> = (0..members.len()).collect();
        Rng::new(seed ^ 0x6_2009).shuffle(&mut order);
        let mut parts = vec![Vec::new(); shares.len()];
        let mut counts: HashMap<usize, f64> = HashMap::new();
        for g in order {
            counts.clear();
            for &p in &members[g] {
                *counts.entry(class(p)).or_default() += 1.0;
            }
            // The rise in the squared distance from every class's wanted count.
            let cost = |part: usize| -> f64 {
                counts
                    .iter()
                    .map(|(&c, &n)| n * (2.0 * (have[part][c] - want[part][c]) + n))
                    .sum()
            };
            let best = (0..shares.len())
                .filter(|&part| shares[part] > 0.0)
                .min_by(|&a, &b| cost(a).total_cmp(&cost(b)));
            let Some(best) = best else { continue };
            for (&c, &n) in &counts {
                have[best][c] += n;
            }
            parts[best].extend_from_slice(&members[g]);
        }
        for p in &mut parts {
            p.sort_unstable();
        }
        parts
    }

    /// Moves every group into one part: the earliest of `parts` that holds one of its rows (a
    /// time split keeps copies with the earliest of them). Rows keep their order.
    pub fn keep_together(&self, parts: [&mut Vec<usize>; 3]) {
        let mut home = vec![usize::MAX; self.count];
        for (i, part) in parts.iter().enumerate() {
            for &p in part.iter() {
                let g = &mut home[self.of[p]];
                *g = (*g).min(i);
            }
        }
        let mut out: [Vec<usize>; 3] = Default::default();
        for part in parts.iter() {
            for &p in part.iter() {
                out[home[self.of[p]]].push(p);
            }
        }
        for (part, new) in parts.into_iter().zip(out) {
            *part = new;
        }
    }
}

/// An error unless every part with a share got rows: too few groups for the split or the folds.
pub fn check_parts(
    parts: &[Vec<usize>],
    shares: &[f64],
    groups: &Groups,
    what: &str,
) -> Result<()> {
    if parts
        .iter()
        .zip(shares)
        .any(|(p, &s)| s > 0.0 && p.is_empty())
    {
        return Err(Error::data(format!(
            "{what} cannot keep each group on one side: the rows form only {} group{}",
            groups.count,
            if groups.count == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::frame::ColumnKind;
    use crate::prepare::split;

    fn column(name: &str, values: &[Option<f64>]) -> Column {
        let mut c = Column::new(name, "double precision", ColumnKind::Float);
        values.iter().for_each(|v| c.push_number(*v));
        c
    }

    /// The part (0 train, 1 validation, 2 test) of each position.
    fn part_of(s: &split::Split, n: usize) -> Vec<usize> {
        let mut p = vec![9; n];
        for (i, rows) in [&s.train, &s.validation, &s.test].iter().enumerate() {
            rows.iter().for_each(|&r| p[r] = i);
        }
        p
    }

    #[test]
    fn groups_join_equal_values_and_copies() {
        let by = column(
            "id",
            &[Some(1.0), Some(2.0), Some(1.0), None, None, Some(3.0)],
        );
        let x = column(
            "x",
            &[
                Some(5.0),
                Some(6.0),
                Some(7.0),
                Some(8.0),
                Some(9.0),
                Some(6.0),
            ],
        );
        let rows: Vec<usize> = (0..6).collect();
        let cancel = Cancel::default();
        let g = build(Some(&by), None, &rows, &cancel).unwrap().unwrap();
        assert_eq!(g.of, vec![0, 1, 0, 2, 2, 3]);
        // Rows 1 and 5 are copies over x: their groups join.
        let g = build(Some(&by), Some(&[&x]), &rows, &cancel)
            .unwrap()
            .unwrap();
        assert_eq!(g.of, vec![0, 1, 0, 2, 2, 1]);
        assert_eq!(g.count, 3);
        // Distinct values and no copies: no groups to keep.
        assert_eq!(build(Some(&x), None, &rows[..5], &cancel).unwrap(), None);
        // Positions refer to `rows`: rows 1 and 5 alone are copies.
        let g = build(None, Some(&[&x]), &[1, 5], &cancel).unwrap().unwrap();
        assert_eq!(g.of, vec![0, 0]);
    }

    #[test]
    fn a_grouped_split_keeps_each_group_on_one_side_and_stratifies() {
        // 200 entities of 1 to 6 rows; the label is mostly the entity's own.
        let mut of = Vec::new();
        let mut y = Vec::new();
        for e in 0..200usize {
            for k in 0..(1 + e % 6) {
                of.push(e);
                y.push(usize::from(e % 4 == 0 || (k == 3 && e % 7 == 0)));
            }
        }
        let n = of.len();
        let g = Groups { of, count: 200 };
        let s = split::grouped(&g, Some((&y, 2)), 0.2, 0.1, 7).unwrap();
        let part = part_of(&s, n);
        assert!(part.iter().all(|&p| p < 3), "every row in a part");
        for e in 0..200 {
            let sides: std::collections::HashSet<usize> =
                (0..n).filter(|&r| g.of[r] == e).map(|r| part[r]).collect();
            assert_eq!(sides.len(), 1, "entity {e} on {sides:?}");
        }
        let share = |rows: &[usize]| rows.len() as f64 / n as f64;
        assert!(
            (share(&s.test) - 0.2).abs() < 0.02,
            "test share {}",
            share(&s.test)
        );
        assert!((share(&s.validation) - 0.1).abs() < 0.02);
        let positives =
            |rows: &[usize]| rows.iter().filter(|&&r| y[r] == 1).count() as f64 / rows.len() as f64;
        let all = positives(&(0..n).collect::<Vec<_>>());
        assert!(
            (positives(&s.test) - all).abs() < 0.03,
            "test {} vs {all}",
            positives(&s.test)
        );
        assert_eq!(s, split::grouped(&g, Some((&y, 2)), 0.2, 0.1, 7).unwrap());
        assert_ne!(s, split::grouped(&g, Some((&y, 2)), 0.2, 0.1, 8).unwrap());
    }

    #[test]
    fn too_few_groups_is_an_error() {
        let g = Groups {
            of: vec![0, 0, 0, 1, 1, 1],
            count: 2,
        };
        let e = split::grouped(&g, None, 0.2, 0.2, 1).unwrap_err();
        assert!(e.message.contains("only 2 groups"), "{}", e.message);
        let e = crate::evaluation::tuning::folds(&[0, 1, 2, 3, 4, 5], None, 3, 1, Some(&g))
            .unwrap_err();
        assert!(
            e.message.contains("3 folds need at least 3 groups")
                && e.message.contains("there are 2"),
            "{}",
            e.message
        );
    }

    #[test]
    fn grouped_folds_hold_whole_groups() {
        let of: Vec<usize> = (0..90).map(|r| r / 3).collect();
        let y: Vec<usize> = (0..90).map(|r| usize::from((r / 3) % 3 == 0)).collect();
        let g = Groups {
            of: of.clone(),
            count: 30,
        };
        let train: Vec<usize> = (0..90).filter(|r| r % 9 != 4).collect();
        let folds =
            crate::evaluation::tuning::folds(&train, Some((&y, 2)), 5, 3, Some(&g)).unwrap();
        let mut fold_of = vec![usize::MAX; 30];
        let mut seen = 0;
        for (i, f) in folds.iter().enumerate() {
            assert!(!f.is_empty());
            for &r in f {
                assert!(train.contains(&r));
                assert!(
                    fold_of[of[r]] == usize::MAX || fold_of[of[r]] == i,
                    "group {} in two folds",
                    of[r]
                );
                fold_of[of[r]] = i;
                seen += 1;
            }
        }
        assert_eq!(seen, train.len());
    }

    #[test]
    fn a_time_split_keeps_copies_with_the_earliest() {
        // Rows 3 and 4 are copies at one time; the split's boundary falls between them.
        let order = [1.0, 2.0, 3.0, 4.0, 4.0];
        let mut s = split::by_time(&order, 0.2, 0.0).unwrap();
        assert_eq!(s.test, vec![4]);
        s.keep_groups_together(&Groups {
            of: vec![0, 1, 2, 3, 3],
            count: 4,
        });
        assert_eq!((s.train, s.test), (vec![0, 1, 2, 3, 4], vec![]));
    }
}
