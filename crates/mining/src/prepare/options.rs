//! The `options` argument of dm_train, parsed strictly: an unknown key is an error naming it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::common::budget::Budget;
use crate::common::error::{Error, Result};
use crate::common::progress::Cancel;
use crate::common::task::Task;
use crate::prepare::preprocess::{ColumnChoice, Encode, Impute, Scale, Unknown};
use crate::prepare::search::{parse_folds, parse_search, SearchSpec};
use crate::prepare::split::{check_sizes, SplitMethod};

/// options.guards: what a guard that fires does (pipeline/guards.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guards {
    /// A WARNING, stored with the version.
    Warn,
    /// The run stops with an ERROR naming the guard.
    Error,
}

/// options.calibration: how a binary classifier's probabilities are calibrated
/// (model/calibration.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationMethod {
    Sigmoid,
    Isotonic,
}

impl CalibrationMethod {
    pub fn name(self) -> &'static str {
        match self {
            CalibrationMethod::Sigmoid => "sigmoid",
            CalibrationMethod::Isotonic => "isotonic",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deploy {
    IfBetter,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SplitOptions {
    /// None: stratified for classification, random otherwise.
    pub method: Option<SplitMethod>,
    pub test_size: f64,
    pub validation_size: f64,
    pub order_by: Option<String>,
    /// The column whose rows stay on one side of the split and of every fold.
    pub group_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    pub task: Option<Task>,
    pub features: Option<Vec<String>>,
    pub exclude: Vec<String>,
    /// options.weight_column: the numeric column whose values weigh the training rows
    /// (scikit-learn's sample_weight); not a feature.
    pub weight_column: Option<String>,
    pub split: SplitOptions,
    pub seed: u64,
    pub preprocess: BTreeMap<String, ColumnChoice>,
    pub dedup: bool,
    /// Whether `dedup` / `split` were given (unsupervised runs default to neither).
    pub dedup_set: bool,
    pub split_set: bool,
    /// The default scaling of numeric features (per-column `preprocess` wins).
    pub scale: Option<Scale>,
    pub deploy: Deploy,
    /// Whether `deploy` was given (a role that may train a model but not deploy it trains with
    /// the default policy as `never`).
    pub deploy_set: bool,
    /// The role that owns a new model name (the extension checks that the caller is a member).
    pub owner: Option<String>,
    /// The metric the run is judged by (evaluation/objective.rs checks it against the task).
    pub metric: Option<String>,
    pub guards: Guards,
    /// options.threshold: the decision threshold of a binary classifier and how it is chosen.
    pub threshold: Option<crate::prepare::threshold::Rule>,
    /// options.calibration: how a binary classifier's probabilities are calibrated.
    pub calibration: Option<CalibrationMethod>,
    pub unknown: Unknown,
    pub max_categories: usize,
    /// k-fold cross-validation on the training rows.
    pub cv: Option<usize>,
    pub search: Option<SearchSpec>,
    /// algorithm 'auto': seconds to spend comparing learners.
    pub time_budget_s: f64,
    /// The memory budget (not a key of `options`: the extension sets it from the server's
    /// setting).
    pub memory: Budget,
    /// The run's cancel flag (not a key of `options`: the extension shares it with the pool).
    pub cancel: Cancel,
}

pub const DEFAULT_SEED: u64 = 42;

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            task: None,
            features: None,
            exclude: Vec::new(),
            weight_column: None,
            split: SplitOptions {
                method: None,
                test_size: 0.2,
                validation_size: 0.0,
                order_by: None,
                group_by: None,
            },
            seed: DEFAULT_SEED,
            preprocess: BTreeMap::new(),
            dedup: true,
            dedup_set: false,
            split_set: false,
            scale: None,
            deploy: Deploy::IfBetter,
            deploy_set: false,
            owner: None,
            metric: None,
            guards: Guards::Warn,
            threshold: None,
            calibration: None,
            unknown: Unknown::Ignore,
            max_categories: 100,
            cv: None,
            search: None,
            time_budget_s: 60.0,
            memory: Budget::unlimited(),
            cancel: Cancel::default(),
        }
    }
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| Error::param(format!("{what} must be a JSON object; got {v}")))
}

fn check_keys(map: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<()> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Error::param(format!(
            "unknown key \"{k}\" in {what}; allowed: {}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

fn string<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| Error::param(format!("option \"{key}\" must be a string; got {v}")))
}

fn names(v: &Value, key: &str) -> Result<Vec<String>> {
    let arr = v.as_array().ok_or_else(|| {
        Error::param(format!(
            "option \"{key}\" must be an array of column names; got {v}"
        ))
    })?;
    arr.iter()
        .map(|x| string(x, key).map(str::to_string))
        .collect()
}

fn choice<T: Copy>(v: &Value, key: &str, table: &[(&str, T)]) -> Result<T> {
    let s = string(v, key)?;
    table
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            Error::param(format!(
                "option \"{key}\" must be one of {}; got \"{s}\"",
                table
                    .iter()
                    .map(|(n, _)| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn fraction(v: &Value, key: &str) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| Error::param(format!("option \"{key}\" must be a number; got {v}")))
}

impl TrainOptions {
    pub fn parse(v: &Value) -> Result<TrainOptions> {
        let mut o = TrainOptions::default();
        if v.is_null() {
            return Ok(o);
        }
        let map = object(v, "options")?;
        const KEYS: &[&str] = &[
            "task",
            "features",
            "exclude",
            "weight_column",
            "split",
            "seed",
            "preprocess",
            "dedup",
            "scale",
            "deploy",
            "owner",
            "metric",
            "guards",
            "threshold",
            "calibration",
            "unknown_categories",
            "max_categories",
            "cv",
            "search",
            "time_budget_s",
        ];
        check_keys(map, KEYS, "options")?;
        for (key, val) in map {
            match key.as_str() {
                "task" => {
                    o.task = Some(choice(
                        val,
                        "task",
                        &[
                            ("classification", Task::Classification),
                            ("regression", Task::Regression),
                            ("clustering", Task::Clustering),
                            ("anomaly", Task::Anomaly),
                            ("decomposition", Task::Decomposition),
                        ],
                    )?)
                }
                "features" => {
                    let f = names(val, "features")?;
                    if f.is_empty() {
                        return Err(Error::param(
                            "option \"features\" must name at least one column",
                        ));
                    }
                    o.features = Some(f)
                }
                "exclude" => o.exclude = names(val, "exclude")?,
                "weight_column" => {
                    o.weight_column = Some(
                        val.as_str()
                            .filter(|c| !c.is_empty())
                            .ok_or_else(|| {
                                Error::param(format!(
                                    "option \"weight_column\" must be the name of a numeric column; got {val}"
                                ))
                            })?
                            .to_string(),
                    )
                }
                "seed" => {
                    o.seed = val.as_u64().ok_or_else(|| {
                        Error::param(format!(
                            "option \"seed\" must be a non-negative integer; got {val}"
                        ))
                    })?
                }
                "dedup" => {
                    o.dedup = val.as_bool().ok_or_else(|| {
                        Error::param(format!("option \"dedup\" must be true or false; got {val}"))
                    })?;
                    o.dedup_set = true;
                }
                "scale" => {
                    o.scale = Some(choice(
                        val,
                        "scale",
                        &[
                            ("standard", Scale::Standard),
                            ("minmax", Scale::MinMax),
                            ("none", Scale::None),
                        ],
                    )?)
                }
                "deploy" => {
                    o.deploy = choice(
                        val,
                        "deploy",
                        &[
                            ("if_better", Deploy::IfBetter),
                            ("always", Deploy::Always),
                            ("never", Deploy::Never),
                        ],
                    )?;
                    o.deploy_set = true;
                }
                "owner" => {
                    o.owner = Some(
                        val.as_str()
                            .filter(|r| !r.is_empty() && r.len() <= 63)
                            .ok_or_else(|| {
                                Error::param(format!(
                                    "option \"owner\" must be a role name; got {val}"
                                ))
                            })?
                            .to_string(),
                    )
                }
                "metric" => {
                    o.metric = Some(
                        val.as_str()
                            .filter(|m| !m.is_empty() && m.len() <= 63)
                            .ok_or_else(|| {
                                Error::param(format!(
                                    "option \"metric\" must be the name of a metric; got {val}"
                                ))
                            })?
                            .to_string(),
                    )
                }
                "threshold" => o.threshold = Some(crate::prepare::threshold::Rule::parse(val)?),
                "calibration" => {
                    o.calibration = Some(choice(
                        val,
                        "calibration",
                        &[
                            ("sigmoid", CalibrationMethod::Sigmoid),
                            ("isotonic", CalibrationMethod::Isotonic),
                        ],
                    )?)
                }
                "guards" => {
                    o.guards = choice(
                        val,
                        "guards",
                        &[("warn", Guards::Warn), ("error", Guards::Error)],
                    )?
                }
                "unknown_categories" => {
                    o.unknown = choice(
                        val,
                        "unknown_categories",
                        &[("ignore", Unknown::Ignore), ("error", Unknown::Error)],
                    )?
                }
                "max_categories" => {
                    o.max_categories = val
                        .as_u64()
                        .filter(|&k| (1..=10_000).contains(&k))
                        .ok_or_else(|| {
                            Error::param(format!(
                            "option \"max_categories\" must be an integer in [1, 10000]; got {val}"
                        ))
                        })? as usize
                }
                "split" => {
                    o.split = parse_split(val)?;
                    o.split_set = true;
                }
                "cv" => o.cv = Some(parse_folds(val, "cv")?),
                "time_budget_s" => {
                    o.time_budget_s = val
                        .as_f64()
                        .filter(|t| *t > 0.0 && t.is_finite())
                        .ok_or_else(|| {
                            Error::param(format!(
                            "option \"time_budget_s\" must be a number of seconds > 0; got {val}"
                        ))
                        })?
                }
                "search" => {}
                "preprocess" => {
                    for (col, spec) in object(val, "option \"preprocess\"")? {
                        o.preprocess
                            .insert(col.clone(), parse_column_choice(col, spec)?);
                    }
                }
                _ => {}
            }
        }
        if let Some(v) = map.get("search") {
            o.search = Some(parse_search(v, o.cv.unwrap_or(5))?);
        }
        Ok(o)
    }
}

fn parse_split(v: &Value) -> Result<SplitOptions> {
    let map = object(v, "option \"split\"")?;
    check_keys(
        map,
        &[
            "method",
            "test_size",
            "validation_size",
            "order_by",
            "group_by",
        ],
        "options.split",
    )?;
    let mut s = TrainOptions::default().split;
    if let Some(m) = map.get("method") {
        s.method = Some(choice(
            m,
            "split.method",
            &[
                ("random", SplitMethod::Random),
                ("stratified", SplitMethod::Stratified),
                ("time", SplitMethod::Time),
                ("group", SplitMethod::Group),
            ],
        )?);
    }
    if let Some(t) = map.get("test_size") {
        s.test_size = fraction(t, "split.test_size")?;
    }
    if let Some(t) = map.get("validation_size") {
        s.validation_size = fraction(t, "split.validation_size")?;
    }
    if let Some(c) = map.get("order_by") {
        s.order_by = Some(string(c, "split.order_by")?.to_string());
    }
    if let Some(c) = map.get("group_by") {
        s.group_by = Some(string(c, "split.group_by")?.to_string());
    }
    check_sizes(s.test_size, s.validation_size)?;
    match (s.method, &s.group_by) {
        (Some(SplitMethod::Group), None) => {
            return Err(Error::param(
                "split method \"group\" needs \"group_by\": the column whose rows stay on one side",
            ))
        }
        (Some(SplitMethod::Time), Some(_)) => {
            return Err(Error::param(
                "split.group_by cannot be combined with method \"time\": a time split keeps the latest rows apart already",
            ))
        }
        (None, Some(_)) => s.method = Some(SplitMethod::Group),
        _ => {}
    }
    if s.method == Some(SplitMethod::Time) && s.order_by.is_none() {
        return Err(Error::param(
            "split method \"time\" needs \"order_by\": the column that orders the rows in time",
        ));
    }
    Ok(s)
}

fn parse_column_choice(col: &str, v: &Value) -> Result<ColumnChoice> {
    let what = format!("options.preprocess.{col}");
    let map = object(v, &what)?;
    check_keys(map, &["impute", "encode", "scale"], &what)?;
    let mut c = ColumnChoice::default();
    if let Some(i) = map.get("impute") {
        c.impute = Some(choice(
            i,
            "impute",
            &[
                ("mean", Impute::Mean),
                ("median", Impute::Median),
                ("mode", Impute::Mode),
                ("zero", Impute::Zero),
                ("error", Impute::Error),
                ("missing", Impute::Missing),
            ],
        )?);
    }
    if let Some(e) = map.get("encode") {
        c.encode = Some(choice(
            e,
            "encode",
            &[("onehot", Encode::OneHot), ("ordinal", Encode::Ordinal)],
        )?);
    }
    if let Some(s) = map.get("scale") {
        c.scale = Some(choice(
            s,
            "scale",
            &[
                ("standard", Scale::Standard),
                ("minmax", Scale::MinMax),
                ("none", Scale::None),
            ],
        )?);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {

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
}
