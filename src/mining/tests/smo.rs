use super::*;

fn never() -> bool {
    false
}

/// Two points per side of x = 0, linear kernel: the margin is x = ±1, so w = 1, b = 0 and
/// only the two inner points are support vectors with α = ½ (the hard-margin solution).
#[test]
fn linear_hard_margin_on_a_line() {
    let x = [-1.0, -3.0, 1.0, 3.0];
    let prob = Problem {
        x: &x,
        p: 1,
        kernel: Kernel::Linear,
        y: vec![-1.0, -1.0, 1.0, 1.0],
        linear: vec![-1.0; 4],
        upper: vec![100.0; 4],
    };
    let s = solve(&prob, 1e-6, 1 << 20, &never).unwrap();
    assert!(
        (s.alpha[0] - 0.5).abs() < 1e-9 && (s.alpha[2] - 0.5).abs() < 1e-9,
        "{:?}",
        s.alpha
    );
    assert_eq!(s.alpha[1], 0.0);
    assert_eq!(s.alpha[3], 0.0);
    assert!(s.rho.abs() < 1e-9);
}

/// The constraints hold at the end: 0 ≤ α ≤ C and Σ y α = 0; the stopping gap is below eps.
#[test]
fn rbf_solution_is_feasible_and_optimal() {
    let mut rng = crate::mining::rng::Rng::new(3);
    let n = 300;
    let x: Vec<f64> = (0..n * 2).map(|_| rng.unit() * 4.0 - 2.0).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            if x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1] < 1.5 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    let c = 2.0;
    let prob = Problem {
        x: &x,
        p: 2,
        kernel: Kernel::Rbf { gamma: 0.5 },
        y: y.clone(),
        linear: vec![-1.0; n],
        upper: vec![c; n],
    };
    // A cache of 4 rows forces evictions; the answer must not depend on it.
    let small = solve(&prob, 1e-3, 4 * 4 * n, &never).unwrap();
    let large = solve(&prob, 1e-3, 1 << 24, &never).unwrap();
    assert_eq!(small.alpha, large.alpha);
    assert!(small.alpha.iter().all(|&a| (0.0..=c).contains(&a)));
    let balance: f64 = small.alpha.iter().zip(&y).map(|(a, y)| a * y).sum();
    assert!(balance.abs() < 1e-9, "{balance}");
    // Training accuracy of the fitted decision function on this separable-ish circle.
    let k = Kernel::Rbf { gamma: 0.5 };
    let right = (0..n)
        .filter(|&t| {
            let f: f64 = (0..n)
                .map(|i| small.alpha[i] * y[i] * k.eval(&x[2 * i..2 * i + 2], &x[2 * t..2 * t + 2]))
                .sum::<f64>()
                - small.rho;
            (f > 0.0) == (y[t] > 0.0)
        })
        .count();
    assert!(right as f64 / n as f64 > 0.95, "{right} of {n}");
}

#[test]
fn cancel_stops_the_solver() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let prob = Problem {
        x: &x,
        p: 1,
        kernel: Kernel::Linear,
        y: vec![-1.0, -1.0, 1.0, 1.0],
        linear: vec![-1.0; 4],
        upper: vec![1.0; 4],
    };
    let err = solve(&prob, 1e-3, 1 << 20, &|| true).err().unwrap();
    assert!(err.message.contains("cancelled"));
}

#[test]
fn kernels_match_their_formulas() {
    let (a, b) = ([1.0, 2.0, 3.0, 4.0, 5.0], [0.5, -1.0, 2.0, 0.0, 1.0]);
    let d: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    let s: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
    assert!((Kernel::Linear.eval(&a, &b) - d).abs() < 1e-12);
    assert!((Kernel::Rbf { gamma: 0.1 }.eval(&a, &b) - (-0.1 * s).exp()).abs() < 1e-12);
    let poly = Kernel::Poly {
        gamma: 0.5,
        degree: 3,
        coef0: 1.0,
    };
    assert!((poly.eval(&a, &b) - (0.5 * d + 1.0).powi(3)).abs() < 1e-9);
    let sig = Kernel::Sigmoid {
        gamma: 0.01,
        coef0: -1.0,
    };
    assert!((sig.eval(&a, &b) - (0.01 * d - 1.0).tanh()).abs() < 1e-12);
}
