//! What a model learns (its task) and the labels of the training rows it learns from.

use serde::{Deserialize, Serialize};

/// Stored in model bytes by variant position: append new tasks at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    Classification,
    Regression,
    Clustering,
    Anomaly,
    /// Feature extraction (PCA).
    Decomposition,
}

impl Task {
    pub const ALL: [Task; 5] = [
        Task::Classification,
        Task::Regression,
        Task::Clustering,
        Task::Anomaly,
        Task::Decomposition,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
            Task::Clustering => "clustering",
            Task::Anomaly => "anomaly",
            Task::Decomposition => "decomposition",
        }
    }

    /// The name with its article: "an anomaly", "a regression".
    pub fn with_article(self) -> String {
        let article = if self == Task::Anomaly { "an" } else { "a" };
        format!("{article} {}", self.name())
    }

    /// Clustering, anomaly detection and decomposition learn without a target.
    pub fn is_supervised(self) -> bool {
        matches!(self, Task::Classification | Task::Regression)
    }

    /// The function that scores a model of this task.
    pub fn scoring_function(self) -> &'static str {
        match self {
            Task::Classification => "dm_predict, dm_predict_label or dm_predict_proba",
            Task::Regression => "dm_predict",
            Task::Clustering => "dm_cluster",
            Task::Anomaly => "dm_anomaly_score or dm_is_anomaly",
            Task::Decomposition => "dm_transform",
        }
    }
}

/// The label of each training row.
#[derive(Debug, Clone, Copy)]
pub enum Labels<'a> {
    Classes { y: &'a [usize], n_classes: usize },
    Values(&'a [f64]),
}
