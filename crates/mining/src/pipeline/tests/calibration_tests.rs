//! Unit tests of options.calibration through the pipeline: an overconfident naive Bayes (the
//! same signal in five copied columns) gets a lower test Brier score once calibrated, and the
//! stored model's probabilities are the calibrated ones.

use crate::common::frame::{Column, ColumnKind, Frame};
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::pipeline::*;
use crate::prepare::options::TrainOptions;
use serde_json::{json, Value};

fn frame(n: usize) -> Frame {
    let mut rng = Rng::new(3);
    let mut cols: Vec<Column> = (0..5)
        .map(|i| Column::new(format!("x{i}"), "double precision", ColumnKind::Float))
        .collect();
    let mut y = Column::new("y", "text", ColumnKind::Text);
    for _ in 0..n {
        let s = rng.unit() * 2.0 - 1.0;
        let label = rng.unit() < 1.0 / (1.0 + (-2.0 * s).exp());
        for c in &mut cols {
            c.push_number(Some(s + 0.05 * (rng.unit() - 0.5)));
        }
        y.push_text(Some(if label { "yes" } else { "no" }));
    }
    cols.push(y);
    Frame { columns: cols }
}

fn trained(options: Value) -> crate::pipeline::run::Trained {
    let req = TrainRequest {
        target: Some("y".into()),
        algorithm: "naive_bayes".into(),
        hyperparams: json!({}),
        options: TrainOptions::parse(&options).unwrap(),
    };
    let p = prepare(&frame(4000), &req, &mut |_| {}).unwrap();
    let f = p.fit_and_measure(&Progress::default()).unwrap();
    let timings = crate::pipeline::run::Timings {
        read_ms: 0,
        prepare_ms: 0,
        started: std::time::Instant::now(),
    };
    p.complete(f, None, timings)
}

#[test]
fn calibration_lowers_the_brier_score_of_an_overconfident_model() {
    let plain = trained(json!({}));
    let brier =
        |t: &crate::pipeline::run::Trained| t.report["metrics"]["test"]["brier"].as_f64().unwrap();
    for method in ["sigmoid", "isotonic"] {
        for split in [json!({}), json!({"validation_size": 0.2})] {
            let cal = trained(json!({"calibration": method, "split": split}));
            assert!(
                brier(&cal) < brier(&plain) - 0.005,
                "{method}: {} vs {}",
                brier(&cal),
                brier(&plain)
            );
            let info = &cal.report["metrics"]["calibration"];
            assert_eq!(info["method"], method);
            assert!(
                info["brier_after"].as_f64() < info["brier_before"].as_f64(),
                "{info}"
            );
            assert!(cal.calibration.is_some());
            // The stored model scores with it.
            let m = &cal.model;
            let x = [0.3; 5];
            let (mut raw, calibrated) = (vec![0.0; 2], m.proba_of(&x).unwrap());
            m.estimator.predict_proba(&x, &mut raw);
            assert!(
                (raw[1] - calibrated[1]).abs() > 1e-3,
                "{raw:?} {calibrated:?}"
            );
        }
    }
    let on = |t: &crate::pipeline::run::Trained| {
        t.report["metrics"]["calibration"]["fitted_on"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(on(&trained(json!({"calibration": "sigmoid"}))).starts_with("out-of-fold"));
    assert_eq!(
        on(&trained(
            json!({"calibration": "sigmoid", "split": {"validation_size": 0.2}})
        )),
        "the validation rows"
    );
    assert!(TrainOptions::parse(&json!({"calibration": "platt"})).is_err());
}
