//! Unit tests of the preprocessing.

use super::*;
use crate::common::frame::ColumnKind;

fn num(name: &str, vals: &[Option<f64>]) -> Column {
    let mut c = Column::new(name, "double precision", ColumnKind::Float);
    vals.iter().for_each(|v| c.push_number(*v));
    c
}

fn text(name: &str, vals: &[Option<&str>]) -> Column {
    let mut c = Column::new(name, "text", ColumnKind::Text);
    vals.iter().for_each(|v| c.push_text(*v));
    c
}

const D: Defaults = Defaults {
    missing_numbers: false,
    scale: Scale::None,
    unknown: Unknown::Ignore,
    max_categories: 100,
};

#[test]
fn mean_imputation_uses_training_rows_only() {
    let c = num("x", &[Some(1.0), Some(3.0), None, Some(100.0)]);
    // Row 3 (100) is a test row and must not move the mean.
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1, 2], &[ColumnChoice::default()], D).unwrap();
    let m = p.transform_columns(&[&c], &[2]).unwrap();
    assert_eq!(m, vec![2.0]);
    let mut out = [0.0];
    p.transform_row(&[Raw::Null], &mut out).unwrap();
    assert_eq!(out[0], 2.0);
}

#[test]
fn median_mode_zero_and_error() {
    let c = num("x", &[Some(1.0), Some(5.0), Some(5.0), Some(10.0), None]);
    let rows = [0, 1, 2, 3, 4];
    let fill = |i: Impute| {
        let ch = ColumnChoice {
            impute: Some(i),
            ..Default::default()
        };
        Preprocessor::fit(&[&c], &rows, &[ch], D)
            .map(|(p, _)| p.transform_columns(&[&c], &[4]).unwrap()[0])
    };
    assert_eq!(fill(Impute::Median).unwrap(), 5.0);
    assert_eq!(fill(Impute::Mode).unwrap(), 5.0);
    assert_eq!(fill(Impute::Zero).unwrap(), 0.0);
    let err = fill(Impute::Error).unwrap_err();
    assert!(err.message.contains("\"x\""), "{}", err.message);
}

#[test]
fn standard_scaling_matches_population_sd() {
    let c = num("x", &[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
    let d = Defaults {
        missing_numbers: false,
        scale: Scale::Standard,
        ..D
    };
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[ColumnChoice::default()], d).unwrap();
    let m = p.transform_columns(&[&c], &[0, 3]).unwrap();
    let sd = 1.25f64.sqrt();
    assert!((m[0] + 1.5 / sd).abs() < 1e-12 && (m[1] - 1.5 / sd).abs() < 1e-12);
    let mm = ColumnChoice {
        scale: Some(Scale::MinMax),
        ..Default::default()
    };
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[mm], d).unwrap();
    assert_eq!(
        p.transform_columns(&[&c], &[0, 1, 3]).unwrap(),
        vec![0.0, 1.0 / 3.0, 1.0]
    );
}

#[test]
fn one_hot_with_missing_column_and_unknown_values() {
    let c = text("plan", &[Some("b"), Some("a"), None, Some("b")]);
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[ColumnChoice::default()], D).unwrap();
    assert_eq!(p.output_names(), vec!["plan=a", "plan=b", "plan=NULL"]);
    let m = p.transform_columns(&[&c], &[0, 1, 2]).unwrap();
    assert_eq!(m, vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    let mut out = [9.0; 3];
    p.transform_row(&[Raw::Text("zzz")], &mut out).unwrap();
    assert_eq!(out, [0.0, 0.0, 0.0]);
    let strict = Defaults {
        missing_numbers: false,
        unknown: Unknown::Error,
        ..D
    };
    let (p, _) =
        Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[ColumnChoice::default()], strict).unwrap();
    let err = p.transform_row(&[Raw::Text("zzz")], &mut out).unwrap_err();
    assert!(err.message.contains("zzz") && err.message.contains("plan"));
}

#[test]
fn ordinal_and_mode_for_text() {
    let c = text("size", &[Some("s"), Some("m"), Some("m"), None]);
    let ch = ColumnChoice {
        impute: Some(Impute::Mode),
        encode: Some(Encode::Ordinal),
        scale: None,
    };
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[ch], D).unwrap();
    // levels sorted: m=0, s=1; NULL -> mode "m" -> 0
    assert_eq!(
        p.transform_columns(&[&c], &[0, 1, 3]).unwrap(),
        vec![1.0, 0.0, 0.0]
    );
}

#[test]
fn category_cap_keeps_most_frequent() {
    let c = text("id", &[Some("a"), Some("a"), Some("b"), Some("c")]);
    let d = Defaults {
        missing_numbers: false,
        max_categories: 1,
        ..D
    };
    let (p, notes) =
        Preprocessor::fit(&[&c], &[0, 1, 2, 3], &[ColumnChoice::default()], d).unwrap();
    assert_eq!(p.output_names(), vec!["id=a"]);
    assert_eq!(notes.len(), 1);
}

#[test]
fn scoring_rejects_nan_and_bad_text() {
    let c = num("x", &[Some(1.0), Some(2.0)]);
    let (p, _) = Preprocessor::fit(&[&c], &[0, 1], &[ColumnChoice::default()], D).unwrap();
    let mut out = [0.0];
    assert!(p.transform_row(&[Raw::Num(f64::NAN)], &mut out).is_err());
    assert!(p
        .transform_row(&[Raw::Num(f64::INFINITY)], &mut out)
        .is_err());
    assert!(p.transform_row(&[Raw::Text("abc")], &mut out).is_err());
    p.transform_row(&[Raw::Text(" 4 ")], &mut out).unwrap();
    assert_eq!(out[0], 4.0);
    assert!(p.transform_row(&[], &mut out).is_err());
}
