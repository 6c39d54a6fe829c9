//! The hyperparameter spec: what an algorithm declares about every key it takes (accepted forms
//! and bounds, default, the message for a bad value, what it does), and parsing the jsonb given
//! to dm_train against that declaration. Validation, error messages, search candidates and the
//! docs' tables all read the same declarations (scikit-learn's `_parameter_constraints`).

use serde_json::{Map, Value};

use crate::common::error::{Error, Result};
use crate::common::task::Task;

/// One accepted form of a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Form {
    /// JSON null.
    Null,
    /// true or false.
    Bool,
    /// A JSON string, one of these words.
    Word(&'static [&'static str]),
    /// A JSON integer in [min, max].
    Int { min: u64, max: u64 },
    /// A finite JSON number within the bounds.
    Number { low: Bound, high: Bound },
    /// A list of 1 to `max_len` integers, each in [min, max].
    IntList { min: u64, max: u64, max_len: usize },
    /// A JSON object of 1 to `max_len` keys (class labels), each a finite number > 0.
    WeightMap { max_len: usize },
}

/// One end of a number's range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    Unbounded,
    Open(f64),
    Closed(f64),
}

/// A value as declared (a default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Word(&'static str),
    Int(u64),
    Number(f64),
    IntList(&'static [u64]),
}

/// A parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Word(&'static str),
    Int(u64),
    Number(f64),
    IntList(Vec<u64>),
    /// Key → weight, in the order given.
    WeightMap(Vec<(String, f64)>),
}

/// A default: the same for every task, or one per supervised task (scikit-learn's forests
/// try sqrt(features) per split for classes and all of them for values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Is(Literal),
    ByTask {
        classification: Literal,
        regression: Literal,
    },
}

/// One hyperparameter of an algorithm.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub key: &'static str,
    /// What a value may be, tried in order.
    pub forms: &'static [Form],
    pub default: Default,
    /// The bad-value message says the value "must be {want}".
    pub want: &'static str,
    /// What it does, for the docs.
    pub about: &'static str,
    /// Declared for one task only (criterion); None: for every task the algorithm serves.
    pub task: Option<Task>,
}

impl Param {
    /// A key with one default for every task.
    pub const fn new(
        key: &'static str,
        forms: &'static [Form],
        default: Literal,
        want: &'static str,
        about: &'static str,
    ) -> Param {
        Param {
            key,
            forms,
            default: Default::Is(default),
            want,
            about,
            task: None,
        }
    }

    /// The same key declared for `task` only.
    pub const fn for_task(mut self, task: Task) -> Param {
        self.task = Some(task);
        self
    }

    /// A default per supervised task.
    pub const fn by_task(mut self, classification: Literal, regression: Literal) -> Param {
        self.default = Default::ByTask {
            classification,
            regression,
        };
        self
    }

    pub fn applies_to(&self, task: Task) -> bool {
        self.task.is_none_or(|t| t == task)
    }

    /// The default for `task`.
    pub fn default_for(&self, task: Task) -> Val {
        match self.default {
            Default::Is(l) => l.into(),
            Default::ByTask {
                classification,
                regression,
            } => match task {
                Task::Classification => classification.into(),
                _ => regression.into(),
            },
        }
    }

    /// The value if it has one of the declared forms.
    pub fn accept(&self, v: &Value) -> Option<Val> {
        self.forms.iter().find_map(|f| f.accept(v))
    }
}

impl From<Literal> for Val {
    fn from(l: Literal) -> Val {
        match l {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(b),
            Literal::Word(w) => Val::Word(w),
            Literal::Int(i) => Val::Int(i),
            Literal::Number(x) => Val::Number(x),
            Literal::IntList(l) => Val::IntList(l.to_vec()),
        }
    }
}

impl Bound {
    fn below(self, x: f64) -> bool {
        match self {
            Bound::Unbounded => true,
            Bound::Open(b) => b < x,
            Bound::Closed(b) => b <= x,
        }
    }

    fn above(self, x: f64) -> bool {
        match self {
            Bound::Unbounded => true,
            Bound::Open(b) => x < b,
            Bound::Closed(b) => x <= b,
        }
    }
}

impl Form {
    pub fn accept(&self, v: &Value) -> Option<Val> {
        match (self, v) {
            (Form::Null, Value::Null) => Some(Val::Null),
            (Form::Bool, Value::Bool(b)) => Some(Val::Bool(*b)),
            (Form::Word(words), Value::String(s)) => words
                .iter()
                .find(|w| **w == s.as_str())
                .map(|w| Val::Word(w)),
            (Form::Int { min, max }, v) => v
                .as_u64()
                .filter(|i| (*min..=*max).contains(i))
                .map(Val::Int),
            (Form::Number { low, high }, v) => v
                .as_f64()
                .filter(|x| x.is_finite() && low.below(*x) && high.above(*x))
                .map(Val::Number),
            (Form::IntList { min, max, max_len }, Value::Array(items))
                if !items.is_empty() && items.len() <= *max_len =>
            {
                items
                    .iter()
                    .map(|i| i.as_u64().filter(|i| (*min..=*max).contains(i)))
                    .collect::<Option<Vec<u64>>>()
                    .map(Val::IntList)
            }
            (Form::WeightMap { max_len }, Value::Object(m))
                if !m.is_empty() && m.len() <= *max_len =>
            {
                m.iter()
                    .map(|(k, v)| {
                        v.as_f64()
                            .filter(|w| w.is_finite() && *w > 0.0)
                            .map(|w| (k.clone(), w))
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Val::WeightMap)
            }
            _ => None,
        }
    }
}

/// The keys of a spec (its groups in order), each once, for `task`.
pub fn params_for(groups: &[&'static [Param]], task: Task) -> Vec<&'static Param> {
    let mut out: Vec<&'static Param> = Vec::new();
    for p in groups.iter().flat_map(|g| g.iter()) {
        if p.applies_to(task) && !out.iter().any(|q| q.key == p.key) {
            out.push(p);
        }
    }
    out
}

/// Every key of a spec, each once, in declaration order (for messages and docs).
pub fn keys(groups: &[&'static [Param]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in groups.iter().flat_map(|g| g.iter()) {
        if !out.contains(&p.key) {
            out.push(p.key);
        }
    }
    out
}

/// Hyperparameters parsed against a spec: every declared key with its value (given or default).
#[derive(Debug, Clone)]
pub struct Hyper {
    pub algorithm: &'static str,
    values: Vec<(&'static str, Val)>,
    given: Map<String, Value>,
}

impl Hyper {
    /// Parses `given` (a JSON object or null) against the spec for `task`: an unknown key or a
    /// value of none of the declared forms is an error naming the key.
    pub fn parse(
        algorithm: &'static str,
        groups: &[&'static [Param]],
        task: Task,
        given: &Value,
    ) -> Result<Hyper> {
        check_keys(algorithm, groups, given)?;
        let given = object(given)?;
        let declared = params_for(groups, task);
        if let Some(k) = given
            .keys()
            .find(|k| !declared.iter().any(|p| p.key == k.as_str()))
        {
            let other = groups
                .iter()
                .flat_map(|g| g.iter())
                .find(|p| p.key == k.as_str())
                .and_then(|p| p.task);
            return Err(Error::param(format!(
                "hyperparameter \"{k}\" of {algorithm} is for {}, not {}",
                other.map_or("another task", |t| t.name()),
                task.name()
            )));
        }
        let mut values = Vec::new();
        for p in params_for(groups, task) {
            let v = match given.get(p.key) {
                None => p.default_for(task),
                Some(v) => p.accept(v).ok_or_else(|| bad_value(algorithm, p, v))?,
            };
            values.push((p.key, v));
        }
        Ok(Hyper {
            algorithm,
            values,
            given: given.clone(),
        })
    }

    pub fn get(&self, key: &str) -> Result<&Val> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                Error::internal(format!(
                    "{} reads hyperparameter \"{key}\", which its spec does not declare",
                    self.algorithm
                ))
            })
    }

    fn mismatch(&self, key: &str, what: &str) -> Error {
        Error::internal(format!(
            "hyperparameter \"{key}\" of {} is not {what} as its spec says",
            self.algorithm
        ))
    }

    pub fn bool(&self, key: &str) -> Result<bool> {
        match self.get(key)? {
            Val::Bool(b) => Ok(*b),
            _ => Err(self.mismatch(key, "a boolean")),
        }
    }

    pub fn int(&self, key: &str) -> Result<usize> {
        match self.get(key)? {
            Val::Int(i) => usize::try_from(*i).map_err(|_| self.mismatch(key, "a count")),
            _ => Err(self.mismatch(key, "an integer")),
        }
    }

    pub fn number(&self, key: &str) -> Result<f64> {
        match self.get(key)? {
            Val::Number(x) => Ok(*x),
            _ => Err(self.mismatch(key, "a number")),
        }
    }

    pub fn word(&self, key: &str) -> Result<&'static str> {
        match self.get(key)? {
            Val::Word(w) => Ok(w),
            _ => Err(self.mismatch(key, "a word")),
        }
    }

    /// An integer, or None for null.
    pub fn int_or_null(&self, key: &str) -> Result<Option<usize>> {
        match self.get(key)? {
            Val::Null => Ok(None),
            _ => self.int(key).map(Some),
        }
    }

    /// The bad-value error for `key` as the spec words it.
    pub fn bad(&self, key: &str, want: &str) -> Error {
        let got = self
            .given
            .get(key)
            .map_or("nothing".into(), Value::to_string);
        Error::param(format!(
            "hyperparameter \"{key}\" of {} must be {want}; got {got}",
            self.algorithm
        ))
    }
}

fn bad_value(algorithm: &str, p: &Param, v: &Value) -> Error {
    Error::param(format!(
        "hyperparameter \"{}\" of {algorithm} must be {}; got {v}",
        p.key, p.want
    ))
}

/// An error naming the first key of `given` that the spec does not declare.
pub fn check_keys(algorithm: &str, groups: &[&'static [Param]], given: &Value) -> Result<()> {
    let allowed = keys(groups);
    match object(given)?
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        Some(k) => Err(Error::param(format!(
            "unknown hyperparameter \"{k}\" for {algorithm}; allowed: {}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// The hyperparameters argument as a JSON object (null = none given).
pub fn object(v: &Value) -> Result<&Map<String, Value>> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(EMPTY.get_or_init(Map::new)),
        other => Err(Error::param(format!(
            "hyperparams must be a JSON object; got {other}"
        ))),
    }
}

/// Classes a class_weight map may name at most.
pub const MAX_WEIGHTED_CLASSES: usize = 10_000;

/// class_weight, as every classifier that takes it declares it (learners/class_weight.rs):
/// null (every class 1), "balanced" (n / (classes × class rows)) or a weight per class label.
pub const CLASS_WEIGHT: Param = Param::new(
    "class_weight",
    &[
        Form::Null,
        Form::Word(&["balanced"]),
        Form::WeightMap {
            max_len: MAX_WEIGHTED_CLASSES,
        },
    ],
    Literal::Null,
    "null, \"balanced\" or an object of class label → weight > 0",
    "null, \"balanced\" (each row weighted by rows / (classes × rows of its class), for imbalanced classes) or a weight per class label, such as {\"yes\": 10} (classes not named weigh 1)",
);

/// Shorthands for declaring specs.
pub mod forms {
    use super::{Bound, Form};

    pub const fn int(min: u64, max: u64) -> Form {
        Form::Int { min, max }
    }
    pub const fn number(low: Bound, high: Bound) -> Form {
        Form::Number { low, high }
    }
    pub const ANY_NUMBER: Form = number(Bound::Unbounded, Bound::Unbounded);
    pub const POSITIVE: Form = number(Bound::Open(0.0), Bound::Unbounded);
    pub const NON_NEGATIVE: Form = number(Bound::Closed(0.0), Bound::Unbounded);
    /// (0, 1]
    pub const FRACTION: Form = number(Bound::Open(0.0), Bound::Closed(1.0));
    pub const BOOL: Form = Form::Bool;
    pub const NULL: Form = Form::Null;
    /// The largest count a key may take.
    pub const MAX: u64 = u64::MAX;
}

#[cfg(test)]
mod tests {
    use super::forms::*;
    use super::*;
    use serde_json::json;

    const SPEC: &[Param] = &[
        Param::new(
            "depth",
            &[NULL, int(1, 10)],
            Literal::Null,
            "null or an integer in [1, 10]",
            "",
        ),
        Param::new(
            "rate",
            &[FRACTION],
            Literal::Number(0.5),
            "a fraction in (0, 1]",
            "",
        ),
        Param::new(
            "how",
            &[Form::Word(&["a", "b"])],
            Literal::Word("a"),
            "\"a\" or \"b\"",
            "",
        )
        .for_task(Task::Classification),
        Param::new(
            "how",
            &[Form::Word(&["c"])],
            Literal::Word("c"),
            "\"c\"",
            "",
        )
        .for_task(Task::Regression),
        Param::new(
            "sizes",
            &[Form::IntList {
                min: 1,
                max: 9,
                max_len: 2,
            }],
            Literal::IntList(&[3]),
            "a list",
            "",
        ),
        Param::new(
            "only_values",
            &[Form::Bool],
            Literal::Bool(false),
            "a boolean",
            "",
        )
        .for_task(Task::Regression),
    ];

    #[test]
    fn a_key_of_the_other_task_is_an_error_naming_its_task() {
        let e = Hyper::parse(
            "algo",
            &[SPEC],
            Task::Classification,
            &json!({"only_values": true}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "hyperparameter \"only_values\" of algo is for regression, not classification"
        );
        assert!(Hyper::parse(
            "algo",
            &[SPEC],
            Task::Regression,
            &json!({"only_values": true})
        )
        .is_ok());
    }

    #[test]
    fn defaults_values_and_errors_name_the_key() {
        let h = Hyper::parse("algo", &[SPEC], Task::Classification, &json!({})).unwrap();
        assert_eq!(h.int_or_null("depth").unwrap(), None);
        assert_eq!(h.number("rate").unwrap(), 0.5);
        assert_eq!(h.word("how").unwrap(), "a");
        assert_eq!(h.get("sizes").unwrap(), &Val::IntList(vec![3]));
        let h = Hyper::parse(
            "algo",
            &[SPEC],
            Task::Regression,
            &json!({"depth": 3, "rate": 1, "how": "c"}),
        )
        .unwrap();
        assert_eq!(
            (
                h.int("depth").unwrap(),
                h.number("rate").unwrap(),
                h.word("how").unwrap()
            ),
            (3, 1.0, "c")
        );
        let e = Hyper::parse("algo", &[SPEC], Task::Regression, &json!({"how": "a"})).unwrap_err();
        assert_eq!(
            e.message,
            "hyperparameter \"how\" of algo must be \"c\"; got \"a\""
        );
        let e = Hyper::parse("algo", &[SPEC], Task::Regression, &json!({"rate": 0})).unwrap_err();
        assert_eq!(
            e.message,
            "hyperparameter \"rate\" of algo must be a fraction in (0, 1]; got 0"
        );
        let e =
            Hyper::parse("algo", &[SPEC], Task::Regression, &json!({"depth": 2.0})).unwrap_err();
        assert!(e.message.contains("\"depth\""));
        let e = Hyper::parse(
            "algo",
            &[SPEC],
            Task::Regression,
            &json!({"sizes": [1, 2, 3]}),
        )
        .unwrap_err();
        assert!(e.message.contains("\"sizes\""));
        let e = Hyper::parse("algo", &[SPEC], Task::Regression, &json!({"nope": 1})).unwrap_err();
        assert_eq!(
            e.message,
            "unknown hyperparameter \"nope\" for algo; allowed: depth, rate, how, sizes, only_values"
        );
        assert!(Hyper::parse("algo", &[SPEC], Task::Regression, &json!([1])).is_err());
        // A key the spec does not declare is a bug of the algorithm, not the user's.
        assert_eq!(h_err(), crate::common::error::ErrorKind::Internal);
    }

    fn h_err() -> crate::common::error::ErrorKind {
        let h = Hyper::parse("algo", &[SPEC], Task::Regression, &json!({})).unwrap();
        h.int("missing").unwrap_err().kind
    }
}
