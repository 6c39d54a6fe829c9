//! The metrics of a model without a target on rows of a preprocessed matrix: clustering
//! (silhouette, Davies-Bouldin, inertia, noise), anomaly detection (the flagged share and score
//! quantiles) and decomposition (explained variance, reconstruction error).

use serde_json::{json, Value};

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::evaluation::clustering;
use crate::model::fitted::Fitted;

/// The metrics of an unsupervised model on rows of a preprocessed matrix.
pub fn measure(
    task: Task,
    fitted: &Fitted,
    x: &[f64],
    p: usize,
    rows: &[usize],
    seed: u64,
    stop: &Progress,
) -> Result<Value> {
    Ok(match task {
        Task::Clustering => {
            let labels = fitted.clusters_at(x, p, rows, stop)?;
            let clustered: Vec<usize> = (0..rows.len()).filter(|&i| labels[i] >= 0).collect();
            let noise = rows.len() - clustered.len();
            let xs: Vec<f64> = clustered
                .iter()
                .flat_map(|&i| x[rows[i] * p..(rows[i] + 1) * p].iter().copied())
                .collect();
            let ls: Vec<i64> = clustered.iter().map(|&i| labels[i]).collect();
            let mut m = clustering::report(&xs, p, &ls, seed);
            if let Value::Object(o) = &mut m {
                o.insert("rows".into(), json!(rows.len()));
                if matches!(fitted, Fitted::Dbscan(_)) {
                    o.insert("noise".into(), json!(noise));
                    o.insert(
                        "noise_fraction".into(),
                        json!(noise as f64 / rows.len().max(1) as f64),
                    );
                }
            }
            m
        }
        Task::Anomaly => {
            let mut scores = fitted.anomaly_scores_at(x, p, rows, stop)?;
            let threshold = match fitted {
                Fitted::Isolation(f) => f.threshold,
                _ => 0.5,
            };
            let flagged = scores.iter().filter(|s| **s > threshold).count();
            scores.sort_by(f64::total_cmp);
            let q = |f: f64| {
                scores
                    .get(((scores.len().saturating_sub(1)) as f64 * f).round() as usize)
                    .copied()
            };
            json!({"rows": rows.len(), "threshold": threshold, "anomalies": flagged,
                   "anomaly_fraction": flagged as f64 / rows.len().max(1) as f64,
                   "score_mean": scores.iter().sum::<f64>() / scores.len().max(1) as f64,
                   "score_median": q(0.5), "score_p90": q(0.9), "score_p99": q(0.99), "score_max": q(1.0)})
        }
        Task::Decomposition => match fitted {
            Fitted::Pca(m) => {
                let (err, total) = m.reconstruction(x, p, rows);
                json!({"rows": rows.len(), "n_components": m.n_components(),
                       "explained_variance": m.explained_variance,
                       "explained_variance_ratio": m.explained_variance_ratio,
                       "explained_variance_ratio_total": m.explained_variance_ratio.iter().sum::<f64>(),
                       "reconstruction_rmse": err,
                       "reconstructed_variance_fraction": total})
            }
            _ => json!({"rows": rows.len()}),
        },
        Task::Classification | Task::Regression => json!({}),
    })
}
