//! Clustering: k-means (kmeans.rs, also behind the dm_kmeans aggregate) and DBSCAN (dbscan.rs).
//! Their registry entries and hyperparameters are here.

use serde::Serialize;

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::spec::{forms::*, Literal, Param};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod dbscan;
pub mod kmeans;

use dbscan::{DbscanModel, DbscanParams};
use kmeans::{KMeansModel, KMeansParams};

/// Distances need comparable scales: inputs are standard-scaled by default.
const SCALED: Preprocessing = Preprocessing {
    scale: true,
    routes_missing: false,
};

#[derive(Debug, Clone, Serialize)]
pub struct KMeans {
    pub n_clusters: usize,
    pub n_init: usize,
    pub max_iter: usize,
    pub tol: f64,
}

pub const KMEANS: Entry<KMeans> = Entry {
    algorithm: Algorithm {
        name: "kmeans",
        summary: "Lloyd's k-means with greedy k-means++ seeding, the lowest inertia of several initialisations (scikit-learn's KMeans)",
        tasks: &[Task::Clustering],
        params: &[&[
            Param::new(
                "n_clusters",
                &[int(1, 100_000)],
                Literal::Int(8),
                "an integer in [1, 100000]",
                "clusters (at most the training rows); k-means++ seeding from options.seed",
            ),
            Param::new(
                "n_init",
                &[int(1, 1000)],
                Literal::Int(10),
                "an integer in [1, 1000]",
                "seeded initialisations; the lowest inertia wins",
            ),
            Param::new(
                "max_iter",
                &[int(1, 100_000)],
                Literal::Int(300),
                "an integer in [1, 100000]",
                "Lloyd iterations at most per initialisation",
            ),
            Param::new(
                "tol",
                &[NON_NEGATIVE],
                Literal::Number(1e-4),
                "a number ≥ 0",
                "converged when the centres move less than tol × the mean feature variance",
            ),
        ]],
        preprocessing: SCALED,
        auto: Auto::TaskDefault,
        stored_as: "KMeans",
    },
    build: |h, _| {
        Ok(KMeans {
            n_clusters: h.int("n_clusters")?,
            n_init: h.int("n_init")?,
            max_iter: h.int("max_iter")?,
            tol: h.number("tol")?,
        })
    },
};

pub const DBSCAN: Entry<DbscanParams> = Entry {
    algorithm: Algorithm {
        name: "dbscan",
        summary: "density-based clusters and noise (scikit-learn's DBSCAN, identical labels); new rows join the cluster of their nearest core point within eps",
        tasks: &[Task::Clustering],
        params: &[&[
            Param::new(
                "eps",
                &[POSITIVE],
                Literal::Number(0.5),
                "a number > 0",
                "neighbourhood radius (euclidean)",
            ),
            Param::new(
                "min_samples",
                &[int(1, 1_000_000)],
                Literal::Int(5),
                "an integer in [1, 1000000]",
                "points within eps (itself included) that make a core point",
            ),
        ]],
        preprocessing: SCALED,
        auto: Auto::No,
        stored_as: "Dbscan",
    },
    build: |h, _| {
        Ok(DbscanParams {
            eps: h.number("eps")?,
            min_samples: h.int("min_samples")?,
        })
    },
};

impl Learner for KMeans {
    type Model = KMeansModel;
    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<KMeansModel> {
        let n = data.rows.len();
        if self.n_clusters > n {
            return Err(Error::param(format!(
                "hyperparameter \"n_clusters\" is {} but there are only {n} training rows",
                self.n_clusters
            )));
        }
        let params = KMeansParams {
            k: self.n_clusters,
            n_init: self.n_init,
            max_iter: self.max_iter,
            tol: self.tol,
            seed,
        };
        let fit = kmeans::fit(
            &data.gather()?,
            data.n_cols,
            &params,
            &data.budget,
            progress,
        )?;
        Ok(KMeansModel {
            d: data.n_cols,
            centroids: fit.centroids,
        })
    }

    fn work_units(&self) -> usize {
        self.n_init
    }
}

impl Learner for DbscanParams {
    type Model = DbscanModel;
    fn fit(&self, data: &TrainData, _: u64, progress: &Progress) -> Result<DbscanModel> {
        let (model, _) = dbscan::fit(&data.gather()?, data.n_cols, self, &data.budget, progress)?;
        Ok(model)
    }
}

impl Predict for KMeansModel {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(self.d == shape.inputs && self.d > 0, || {
            format!(
                "centroids of {} columns for {} inputs",
                self.d, shape.inputs
            )
        })?;
        ensure(
            !self.centroids.is_empty() && self.centroids.len().is_multiple_of(self.d),
            || "the centroids are cut short".into(),
        )?;
        finite(&self.centroids, "the centroids")
    }

    fn cluster(&self, x: &[f64]) -> Option<i64> {
        Some(self.predict(x))
    }
}

impl Predict for DbscanModel {
    fn validate(&self, shape: Shape) -> Checked {
        ensure(self.d == shape.inputs && self.d > 0, || {
            format!(
                "core points of {} columns for {} inputs",
                self.d, shape.inputs
            )
        })?;
        ensure(
            self.core_label.len().checked_mul(self.d) == Some(self.core.len()),
            || "core points and their clusters differ in number".into(),
        )?;
        ensure(self.eps.is_finite() && self.eps > 0.0, || {
            "eps is not a positive number".into()
        })?;
        finite(&self.core, "the core points")
    }

    fn cluster(&self, x: &[f64]) -> Option<i64> {
        Some(self.predict(x))
    }
}
