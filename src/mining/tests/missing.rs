//! Missing values (NaN in the matrix: NULLs the preprocessing left to the learner) in the binned
//! tree learners: a bin of their own, a learned direction at each split, the same direction at
//! scoring time.

use crate::mining::binning::{self, MISSING};
use crate::mining::boosting::{self, BoostParams};
use crate::mining::forest::{self, Progress};
use crate::mining::model::argmax;
use crate::mining::rng::Rng;
use crate::mining::tree::{self, Criterion, Labels, TreeParams};

/// x0 decides the class when present; when x0 is missing (30% of rows) the class is 1 — so a
/// model must send missing rows to the class-1 side, which no single imputed value does.
fn data(n: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(9);
    let mut x = Vec::with_capacity(n * 2);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let a = rng.unit();
        let noise = rng.unit();
        if rng.unit() < 0.3 {
            x.push(f64::NAN);
            y.push(1);
        } else {
            x.push(a);
            y.push(usize::from(a > 0.5));
        }
        x.push(noise);
    }
    (x, y)
}

fn accuracy(pred: impl Fn(&[f64]) -> usize, x: &[f64], y: &[usize], rows: &[usize]) -> f64 {
    rows.iter()
        .filter(|&&r| pred(&x[2 * r..2 * r + 2]) == y[r])
        .count() as f64
        / rows.len() as f64
}

#[test]
fn binning_puts_missing_in_its_own_bin() {
    let x = [1.0, f64::NAN, 3.0, 2.0];
    let b = binning::bin(&x, 1, &[0, 1, 2, 3], 255, 0);
    assert_eq!(b.column(0), &[0, MISSING, 2, 1]);
    assert_eq!(b.missing, vec![true]);
    assert_eq!(binning::bin_of(&b.edges[0], f64::NAN), MISSING);
}

#[test]
fn learners_route_missing_values() {
    let (x, y) = data(4000);
    let train: Vec<usize> = (0..3000).collect();
    let test: Vec<usize> = (3000..4000).collect();
    let missing_test: Vec<usize> = test
        .iter()
        .copied()
        .filter(|&r| x[2 * r].is_nan())
        .collect();
    assert!(missing_test.len() > 200);
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let b = boosting::fit(
        &x,
        2,
        labels,
        &train,
        &[],
        &BoostParams::default(),
        0,
        &Progress::default(),
    )
    .unwrap();
    let params = TreeParams {
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let f = forest::fit(
        &x,
        2,
        labels,
        &train,
        &params,
        30,
        true,
        false,
        0,
        &Progress::default(),
    )
    .unwrap();
    let e = forest::fit(
        &x,
        2,
        labels,
        &train,
        &params,
        30,
        false,
        true,
        0,
        &Progress::default(),
    )
    .unwrap();
    let t = tree::fit(&x, 2, labels, &train, &params, &mut Rng::new(0));
    let mut out = [0.0; 2];
    let boosted = |row: &[f64]| {
        let mut o = [0.0; 2];
        b.predict_proba(row, &mut o);
        argmax(&o)
    };
    fn forest(m: &forest::Forest) -> impl Fn(&[f64]) -> usize + '_ {
        move |row: &[f64]| {
            let mut o = [0.0; 2];
            m.predict(row, &mut o);
            argmax(&o)
        }
    }
    let single = |row: &[f64]| argmax(t.leaf(row));
    for (name, acc_all, acc_missing) in [
        (
            "gradient_boosting",
            accuracy(boosted, &x, &y, &test),
            accuracy(boosted, &x, &y, &missing_test),
        ),
        (
            "random_forest",
            accuracy(forest(&f), &x, &y, &test),
            accuracy(forest(&f), &x, &y, &missing_test),
        ),
        (
            "extra_trees",
            accuracy(forest(&e), &x, &y, &test),
            accuracy(forest(&e), &x, &y, &missing_test),
        ),
        (
            "decision_tree",
            accuracy(single, &x, &y, &test),
            accuracy(single, &x, &y, &missing_test),
        ),
    ] {
        eprintln!("{name}: accuracy {acc_all:.3}, on missing rows {acc_missing:.3}");
        assert!(acc_missing == 1.0, "{name}: {acc_missing}");
        assert!(acc_all > 0.97, "{name}: {acc_all}");
    }
    // Explanations still add up on a row with a missing value.
    let row = [f64::NAN, 0.3];
    let (base, contrib) = f.explain(&row, 2).unwrap();
    f.predict(&row, &mut out);
    assert!((base[1] + contrib[1] + contrib[3] - out[1]).abs() < 1e-9);
}

/// Without missing values the trees are what they were: NaN routing only changes splits when
/// a feature has missing rows (every node's missing flag is clear).
#[test]
fn no_missing_no_flags() {
    let (mut x, y) = data(1000);
    for v in x.iter_mut() {
        if v.is_nan() {
            *v = 0.75;
        }
    }
    let rows: Vec<usize> = (0..1000).collect();
    let labels = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let params = TreeParams {
        max_depth: Some(5),
        min_samples_split: 2,
        min_samples_leaf: 1,
        max_features: None,
        criterion: Criterion::Gini,
    };
    let t = tree::fit(&x, 2, labels, &rows, &params, &mut Rng::new(0));
    assert!(t
        .nodes
        .iter()
        .all(|n| n.feature == tree::LEAF || n.feature & tree::MISSING_LEFT == 0));
}
