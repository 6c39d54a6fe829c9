//! The state of dm_classification_metrics: labels as text (any SQL type), optional scores,
//! metrics at the end. (dm_regression_metrics streams through metrics::RegressionAcc.)

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::evaluation::metrics::Confusion;
use crate::evaluation::scores;

#[derive(Debug, Default)]
pub struct LabelAcc {
    labels: Vec<String>,
    index: HashMap<String, u32>,
    /// All labels came from numeric or boolean values: sort them as numbers.
    pub numeric: bool,
    pairs: Vec<(u32, u32)>,
    scores: Vec<f64>,
    pub skipped: u64,
}

impl LabelAcc {
    pub fn new(numeric: bool) -> Self {
        LabelAcc {
            numeric,
            ..Default::default()
        }
    }

    fn id(&mut self, label: &str) -> u32 {
        if let Some(&i) = self.index.get(label) {
            return i;
        }
        let i = self.labels.len() as u32;
        self.labels.push(label.to_string());
        self.index.insert(label.to_string(), i);
        i
    }

    /// Rows kept so far.
    pub fn rows(&self) -> usize {
        self.pairs.len()
    }

    /// About the bytes held: the pairs and scores (with their vectors' spare room) and the
    /// distinct labels.
    pub fn held_bytes(&self) -> usize {
        self.pairs.capacity() * 8
            + self.scores.capacity() * 8
            + self.labels.iter().map(|l| 2 * l.len() + 64).sum::<usize>()
    }

    pub fn pairs_is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn push(&mut self, actual: &str, predicted: &str, score: Option<f64>) {
        let (a, p) = (self.id(actual), self.id(predicted));
        self.pairs.push((a, p));
        if let Some(s) = score {
            self.scores.push(s);
        }
    }

    /// Labels in sklearn's order (np.unique): numbers by value, booleans false < true, text by
    /// code point.
    fn sorted_labels(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.labels.len()).collect();
        if self.numeric {
            let key = |s: &str| match s {
                "true" => 1.0,
                "false" => 0.0,
                other => other.parse::<f64>().unwrap_or(f64::NAN),
            };
            order.sort_by(|&a, &b| key(&self.labels[a]).total_cmp(&key(&self.labels[b])));
        } else {
            order.sort_by(|&a, &b| self.labels[a].cmp(&self.labels[b]));
        }
        order
    }

    /// The metrics as JSON. With scores (one per row) and two labels, the score is the
    /// positive (greater) label's probability or score: roc_auc, and log_loss when all scores
    /// lie in [0, 1].
    pub fn finish(&self) -> Value {
        let mut m = Map::new();
        m.insert("rows".into(), json!(self.pairs.len()));
        if self.skipped > 0 {
            m.insert("skipped_nulls".into(), json!(self.skipped));
        }
        if self.pairs.is_empty() {
            return Value::Object(m);
        }
        let order = self.sorted_labels();
        let mut rank = vec![0usize; order.len()];
        for (r, &l) in order.iter().enumerate() {
            rank[l] = r;
        }
        let k = order.len();
        let actual: Vec<usize> = self.pairs.iter().map(|&(a, _)| rank[a as usize]).collect();
        let predicted: Vec<usize> = self.pairs.iter().map(|&(_, p)| rank[p as usize]).collect();
        let conf = Confusion::new(&actual, &predicted, k);
        let positive = (k == 2).then_some(1);
        for (name, v) in conf.metrics(positive) {
            m.insert(name, json!(v));
        }
        let names: Vec<&str> = order.iter().map(|&l| self.labels[l].as_str()).collect();
        let per: Map<String, Value> = conf
            .per_class()
            .iter()
            .zip(&names)
            .map(|(p, n)| {
                (
                    n.to_string(),
                    json!({"precision": p[0], "recall": p[1], "f1": p[2], "support": p[3]}),
                )
            })
            .collect();
        m.insert("per_class".into(), Value::Object(per));
        m.insert("labels".into(), json!(names));
        if k == 2 && self.scores.len() == self.pairs.len() {
            m.insert("positive_label".into(), json!(names[1]));
            let pos: Vec<bool> = actual.iter().map(|&a| a == 1).collect();
            if let Some(auc) = scores::roc_auc(&pos, &self.scores) {
                m.insert("roc_auc".into(), json!(auc));
            }
            if self.scores.iter().all(|s| (0.0..=1.0).contains(s)) {
                let proba: Vec<f64> = self.scores.iter().flat_map(|&s| [1.0 - s, s]).collect();
                m.insert(
                    "log_loss".into(),
                    json!(scores::log_loss(&actual, &proba, 2)),
                );
            }
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_labels_sort_by_value_and_scores_give_auc() {
        let mut acc = LabelAcc::new(true);
        for (a, p, s) in [
            ("10", "10", 0.9),
            ("2", "2", 0.2),
            ("10", "2", 0.4),
            ("2", "2", 0.1),
        ] {
            acc.push(a, p, Some(s));
        }
        let v = acc.finish();
        assert_eq!(v["labels"], json!(["2", "10"]));
        assert_eq!(v["positive_label"], "10");
        assert_eq!(v["roc_auc"], 1.0);
        assert_eq!(v["accuracy"], 0.75);
        assert!(v["log_loss"].as_f64().is_some());
    }

    #[test]
    fn empty_is_zero_rows() {
        assert_eq!(LabelAcc::new(false).finish()["rows"], 0);
    }
}
