//! Unit tests of `mining::linear`.

use super::*;

#[test]
fn recovers_exact_linear_relation() {
    // y = 3 + 2 a - b
    let rows = [[0.0, 1.0], [1.0, 0.0], [2.0, 5.0], [3.0, 1.0], [4.0, 4.0]];
    let x: Vec<f64> = rows.iter().flatten().copied().collect();
    let y: Vec<f64> = rows.iter().map(|r| 3.0 + 2.0 * r[0] - r[1]).collect();
    let m = fit(&x, 5, 2, &y, 0.0, true).unwrap();
    assert!(
        (m.intercept - 3.0).abs() < 1e-9
            && (m.coef[0] - 2.0).abs() < 1e-9
            && (m.coef[1] + 1.0).abs() < 1e-9
    );
    assert!((m.predict(&[1.0, 1.0]) - 4.0).abs() < 1e-9);
}

#[test]
fn ridge_matches_closed_form() {
    // One feature, centred: w = sxy / (sxx + alpha). x = 1,2,3 ; y = 2,4,7
    let x = [1.0, 2.0, 3.0];
    let y = [2.0, 4.0, 7.0];
    let m = fit(&x, 3, 1, &y, 1.0, true).unwrap();
    let w = 5.0 / (2.0 + 1.0);
    assert!((m.coef[0] - w).abs() < 1e-12);
    assert!((m.intercept - (13.0 / 3.0 - w * 2.0)).abs() < 1e-12);
}

#[test]
fn collinear_columns_still_solve() {
    // Two identical columns: any split of the weight fits; predictions must be exact.
    let x = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
    let y = [1.0, 2.0, 3.0, 4.0];
    let m = fit(&x, 4, 2, &y, 0.0, true).unwrap();
    assert!((m.predict(&[5.0, 5.0]) - 5.0).abs() < 1e-4);
}
