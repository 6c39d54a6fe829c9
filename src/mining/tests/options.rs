//! Unit tests of `mining::options`.

use super::*;
use serde_json::json;

#[test]
fn defaults_when_empty() {
    let o = TrainOptions::parse(&json!({})).unwrap();
    assert_eq!(o, TrainOptions::default());
    assert_eq!(o.seed, 42);
}

#[test]
fn parses_everything() {
    let o = TrainOptions::parse(&json!({
        "task": "regression", "features": ["a", "b"], "exclude": ["c"], "seed": 7, "dedup": false,
        "deploy": "never", "split": {"method": "time", "order_by": "ts", "test_size": 0.3},
        "preprocess": {"a": {"impute": "median", "scale": "minmax"}}
    }))
    .unwrap();
    assert_eq!(o.task, Some(Task::Regression));
    assert_eq!(o.split.method, Some(SplitMethod::Time));
    assert_eq!(o.preprocess["a"].impute, Some(Impute::Median));
    assert_eq!(o.deploy, Deploy::Never);
}

#[test]
fn errors_name_the_key() {
    let msg = |v: Value| TrainOptions::parse(&v).unwrap_err().message;
    assert!(msg(json!({"speed": 1})).contains("\"speed\""));
    assert!(msg(json!({"split": {"size": 1}})).contains("\"size\""));
    assert!(msg(json!({"split": {"test_size": 1.5}})).contains("test_size"));
    assert!(msg(json!({"split": {"method": "time"}})).contains("order_by"));
    assert!(msg(json!({"preprocess": {"x": {"impute": "avg"}}})).contains("avg"));
    assert!(msg(json!({"task": "magic"})).contains("magic"));
    assert!(msg(json!("x")).contains("options"));
    assert!(msg(json!({"cv": 1})).contains("cv"));
    assert!(msg(json!({"search": {"params": {}}})).contains("empty"));
    assert_eq!(TrainOptions::parse(&json!({"cv": 3})).unwrap().cv, Some(3));
}
