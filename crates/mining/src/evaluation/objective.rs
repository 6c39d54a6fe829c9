//! The metric a training run is judged by (`options.metric`): a search and `auto` rank their
//! candidates by it, deploy `if_better` compares versions by it, and the report puts it
//! beside the trivial model's score (the baseline). Each metric knows its direction.
//!
//! The default for classification is `balanced_accuracy`, the mean recall over the classes:
//! always predicting the majority class scores 1 / (number of classes) however rare the other
//! classes are, so an imbalanced set cannot make a useless model look good (accuracy can: 0.97
//! on a set with 3% positives), and unlike `f1_macro` it does not prefer a model that finds
//! almost none of the rare class to one that finds most of it at a lower precision.

use serde_json::{json, Value};

use crate::common::error::{Error, Result};
use crate::common::task::Task;

/// A metric and whether higher values are better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    pub name: &'static str,
    pub higher_is_better: bool,
}

/// The metrics a classification run measures (sklearn.metrics names): from the labels, and
/// from the probabilities (roc_auc, pr_auc = average precision, log_loss, brier). `f1`,
/// `precision`, `recall` and `brier` are the positive class's: the second of two classes, as
/// scikit-learn's pos_label = 1 for labels 0/1 or false/true.
const CLASSIFICATION: &[&str] = &[
    "balanced_accuracy",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "f1_macro",
    "f1_weighted",
    "mcc",
    "accuracy",
    "precision_macro",
    "precision_weighted",
    "recall_macro",
    "recall_weighted",
    "f1",
    "precision",
    "recall",
    "brier",
];

/// Defined for two classes only.
const BINARY: &[&str] = &["f1", "precision", "recall", "brier"];

const REGRESSION: &[&str] = &["r2", "rmse", "mse", "mae", "mape", "max_error"];

/// Errors and losses: lower is better.
const LOWER_IS_BETTER: &[&str] = &[
    "rmse",
    "mse",
    "mae",
    "mape",
    "max_error",
    "log_loss",
    "brier",
];

impl Objective {
    /// The metric a task is judged by when options.metric is not given.
    pub fn default_for(task: Task) -> Objective {
        let name = match task {
            Task::Classification => "balanced_accuracy",
            Task::Regression => "r2",
            Task::Clustering => "silhouette",
            Task::Decomposition => "explained_variance_ratio_total",
            // Without labels there is nothing to compare.
            Task::Anomaly => "none",
        };
        Objective {
            name,
            higher_is_better: true,
        }
    }

    /// The objective of a run: options.metric if given (checked against what the task
    /// measures), else the task's default. `n_classes`: the classes of a classification.
    pub fn choose(task: Task, asked: Option<&str>, n_classes: usize) -> Result<Objective> {
        let Some(asked) = asked else {
            return Ok(Objective::default_for(task));
        };
        let known: &[&'static str] = match task {
            Task::Classification => CLASSIFICATION,
            Task::Regression => REGRESSION,
            _ => &[],
        };
        let Some(&name) = known.iter().find(|m| **m == asked) else {
            return Err(if known.is_empty() {
                Error::param(format!(
                    "option \"metric\" applies to classification and regression; {} model is judged by {}",
                    task.with_article(),
                    Objective::default_for(task).name
                ))
            } else {
                Error::param(format!(
                    "option \"metric\": unknown {} metric \"{asked}\"; use one of {}",
                    task.name(),
                    known.join(", ")
                ))
            });
        };
        if task == Task::Classification && BINARY.contains(&name) && n_classes != 2 {
            return Err(Error::param(format!(
                "option \"metric\": \"{name}\" is the positive class's and needs two classes; \
                 the target has {n_classes}: use {}",
                if name == "brier" {
                    "log_loss".to_string()
                } else {
                    format!("{name}_macro or {name}_weighted")
                }
            )));
        }
        Ok(Objective {
            name,
            higher_is_better: !LOWER_IS_BETTER.contains(&name),
        })
    }

    /// Whether `a` is strictly better than `b` (a NaN is never better; anything beats NaN).
    pub fn better(self, a: f64, b: f64) -> bool {
        if a.is_nan() {
            return false;
        }
        if b.is_nan() {
            return true;
        }
        if self.higher_is_better {
            a > b
        } else {
            a < b
        }
    }

    /// The index of the best of `values` (the first of equals; None if all are NaN).
    pub fn best(self, values: impl IntoIterator<Item = f64>) -> Option<usize> {
        values
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
                Some((_, b)) if !self.better(v, b) => best,
                _ => Some((i, v)),
            })
            .map(|(i, _)| i)
    }

    /// Whether `value` beats the baseline's `b`: strictly better, or equal at the metric's
    /// best possible value (a test split of one class gives the baseline a perfect
    /// balanced_accuracy, which no model can exceed).
    pub fn beats_baseline(self, value: f64, b: f64) -> bool {
        let perfect = if self.higher_is_better {
            b >= 1.0 && self.name != "max_error"
        } else {
            b <= 0.0
        };
        self.better(value, b) || (value == b && perfect)
    }

    /// What the baseline predicts, for messages: the training rows' mean, most frequent
    /// class, or class shares (the probability metrics).
    pub fn baseline_words(self, task: Task) -> &'static str {
        match (task, self.name) {
            (Task::Regression, _) => "always predicting the training rows' mean",
            (_, "roc_auc" | "pr_auc" | "log_loss" | "brier") => {
                "giving every row the training rows' class shares"
            }
            _ => "always predicting the training rows' most frequent class",
        }
    }

    /// Has a value to compare (anomaly detection has none).
    pub fn compares(self) -> bool {
        self.name != "none"
    }

    /// "higher" or "lower", for messages and the report.
    pub fn direction(self) -> &'static str {
        if self.higher_is_better {
            "higher"
        } else {
            "lower"
        }
    }

    pub fn to_json(self) -> Value {
        json!({"name": self.name, "better": self.direction()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_directions() {
        assert_eq!(
            Objective::default_for(Task::Classification).name,
            "balanced_accuracy"
        );
        let rmse = Objective::choose(Task::Regression, Some("rmse"), 0).unwrap();
        assert!(!rmse.higher_is_better);
        assert!(rmse.better(1.0, 2.0) && !rmse.better(2.0, 1.0));
        let r2 = Objective::choose(Task::Regression, None, 0).unwrap();
        assert!(r2.higher_is_better && r2.better(0.9, 0.1));
        assert!(!r2.better(f64::NAN, 0.0) && r2.better(0.0, f64::NAN));
    }

    #[test]
    fn best_follows_the_direction() {
        let v = [0.3, f64::NAN, 0.1, 0.3, 0.2];
        let hi = Objective::choose(Task::Classification, Some("mcc"), 3).unwrap();
        let lo = Objective::choose(Task::Regression, Some("mae"), 0).unwrap();
        assert_eq!(hi.best(v), Some(0));
        assert_eq!(lo.best(v), Some(2));
        assert_eq!(hi.best([f64::NAN]), None);
    }

    #[test]
    fn probability_metrics_have_their_direction() {
        let c = Task::Classification;
        assert!(
            Objective::choose(c, Some("roc_auc"), 3)
                .unwrap()
                .higher_is_better
        );
        assert!(
            Objective::choose(c, Some("pr_auc"), 2)
                .unwrap()
                .higher_is_better
        );
        assert!(
            !Objective::choose(c, Some("log_loss"), 3)
                .unwrap()
                .higher_is_better
        );
        assert!(
            !Objective::choose(c, Some("brier"), 2)
                .unwrap()
                .higher_is_better
        );
        let e = Objective::choose(c, Some("brier"), 3).unwrap_err();
        assert!(e.to_string().contains("use log_loss"), "{e}");
    }

    #[test]
    fn a_perfect_baseline_is_matched_not_beaten() {
        let c = Task::Classification;
        let ba = Objective::default_for(c);
        assert!(ba.beats_baseline(1.0, 1.0) && !ba.beats_baseline(0.5, 0.5));
        let ll = Objective::choose(c, Some("log_loss"), 2).unwrap();
        assert!(ll.beats_baseline(0.1, 0.2) && !ll.beats_baseline(0.2, 0.2));
        assert!(ba.baseline_words(c).contains("most frequent class"));
        assert!(ll.baseline_words(c).contains("class shares"));
    }

    #[test]
    fn refuses_what_the_task_does_not_measure() {
        let e = Objective::choose(Task::Classification, Some("r2"), 2).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown classification metric \"r2\""),
            "{e}"
        );
        let e = Objective::choose(Task::Classification, Some("recall"), 3).unwrap_err();
        assert!(e.to_string().contains("needs two classes"), "{e}");
        assert!(Objective::choose(Task::Classification, Some("recall"), 2).is_ok());
        let e = Objective::choose(Task::Clustering, Some("silhouette"), 0).unwrap_err();
        assert!(
            e.to_string()
                .contains("applies to classification and regression"),
            "{e}"
        );
    }
}
