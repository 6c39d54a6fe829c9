//! A fitted model of any family, and how it scores preprocessed rows (one, or many in parallel).
//! Each kind is stored in model bytes under an explicit tag (`tag`), never by its position in
//! the enum: a new kind takes the next free tag, and no tag is ever reused or renumbered.

use rayon::prelude::*;
use serde::de::{EnumAccess, Error as _, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::common::error::Result as MiningResult;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::anomaly::isolation_forest::IsolationForest;
use crate::learners::cluster::dbscan::DbscanModel;
use crate::learners::cluster::kmeans::KMeansModel;
use crate::learners::decomposition::pca::PcaModel;
use crate::learners::knn::neighbours::KnnModel;
use crate::learners::linear::least_squares::LinearModel;
use crate::learners::linear::logistic::LogisticModel;
use crate::learners::mlp::network::Mlp;
use crate::learners::naive_bayes::mixed::NaiveBayes;
use crate::learners::svm::machine::SvmModel;
use crate::learners::trees::boosting::Boosted;
use crate::learners::trees::forest::Forest;
use crate::learners::trees::tree::Tree;
use crate::learners::Predict;

#[derive(Debug, Clone, PartialEq)]
pub enum Fitted {
    Linear(LinearModel),
    Logistic(LogisticModel),
    Tree(Tree),
    Forest(Forest),
    KMeans(KMeansModel),
    Dbscan(DbscanModel),
    Isolation(IsolationForest),
    Pca(PcaModel),
    Boosted(Boosted),
    Knn(KnnModel),
    NaiveBayes(NaiveBayes),
    Mlp(Mlp),
    Svm(SvmModel),
}

/// Runs `$body` with `$m` bound to the model inside whatever kind `$fitted` is: a match with
/// one arm per kind, so each arm calls its family's code directly (no virtual call on the
/// scoring path).
macro_rules! each_kind {
    ($fitted:expr, $m:ident => $body:expr) => {
        match $fitted {
            Fitted::Linear($m) => $body,
            Fitted::Logistic($m) => $body,
            Fitted::Tree($m) => $body,
            Fitted::Forest($m) => $body,
            Fitted::KMeans($m) => $body,
            Fitted::Dbscan($m) => $body,
            Fitted::Isolation($m) => $body,
            Fitted::Pca($m) => $body,
            Fitted::Boosted($m) => $body,
            Fitted::Knn($m) => $body,
            Fitted::NaiveBayes($m) => $body,
            Fitted::Mlp($m) => $body,
            Fitted::Svm($m) => $body,
        }
    };
}

/// The tag of each kind in stored model bytes (bincode writes it where an enum's variant
/// index goes; formats 1 to 3 wrote these same numbers).
pub mod tag {
    pub const LINEAR: u32 = 0;
    pub const LOGISTIC: u32 = 1;
    pub const TREE: u32 = 2;
    pub const FOREST: u32 = 3;
    pub const KMEANS: u32 = 4;
    pub const DBSCAN: u32 = 5;
    pub const ISOLATION: u32 = 6;
    pub const PCA: u32 = 7;
    pub const BOOSTED: u32 = 8;
    pub const KNN: u32 = 9;
    pub const NAIVE_BAYES: u32 = 10;
    pub const MLP: u32 = 11;
    pub const SVM: u32 = 12;
}

/// Names of the kinds in tag order (serde wants them; bincode writes only the tag).
pub(crate) const KINDS: &[&str] = &[
    "Linear",
    "Logistic",
    "Tree",
    "Forest",
    "KMeans",
    "Dbscan",
    "Isolation",
    "Pca",
    "Boosted",
    "Knn",
    "NaiveBayes",
    "Mlp",
    "Svm",
];

impl Fitted {
    /// The tag this kind is stored under.
    pub fn tag(&self) -> u32 {
        match self {
            Fitted::Linear(_) => tag::LINEAR,
            Fitted::Logistic(_) => tag::LOGISTIC,
            Fitted::Tree(_) => tag::TREE,
            Fitted::Forest(_) => tag::FOREST,
            Fitted::KMeans(_) => tag::KMEANS,
            Fitted::Dbscan(_) => tag::DBSCAN,
            Fitted::Isolation(_) => tag::ISOLATION,
            Fitted::Pca(_) => tag::PCA,
            Fitted::Boosted(_) => tag::BOOSTED,
            Fitted::Knn(_) => tag::KNN,
            Fitted::NaiveBayes(_) => tag::NAIVE_BAYES,
            Fitted::Mlp(_) => tag::MLP,
            Fitted::Svm(_) => tag::SVM,
        }
    }

    /// Whether this kind of model serves `task` (a stored model's task and kind must agree).
    pub fn serves(&self, task: Task) -> bool {
        use Task::*;
        match self {
            Fitted::Linear(_) => task == Regression,
            Fitted::Logistic(_) | Fitted::NaiveBayes(_) => task == Classification,
            Fitted::Tree(_)
            | Fitted::Forest(_)
            | Fitted::Boosted(_)
            | Fitted::Knn(_)
            | Fitted::Mlp(_)
            | Fitted::Svm(_) => task.is_supervised(),
            Fitted::KMeans(_) | Fitted::Dbscan(_) => task == Clustering,
            Fitted::Isolation(_) => task == Anomaly,
            Fitted::Pca(_) => task == Decomposition,
        }
    }

    /// The model as its family scores it.
    pub fn model(&self) -> &dyn Predict {
        each_kind!(self, m => m)
    }
}

macro_rules! from_model {
    ($($ty:ty => $kind:ident),* $(,)?) => {
        $(impl From<$ty> for Fitted {
            fn from(m: $ty) -> Fitted {
                Fitted::$kind(m)
            }
        })*
    };
}

from_model! {
    LinearModel => Linear,
    LogisticModel => Logistic,
    Tree => Tree,
    Forest => Forest,
    KMeansModel => KMeans,
    DbscanModel => Dbscan,
    IsolationForest => Isolation,
    PcaModel => Pca,
    Boosted => Boosted,
    KnnModel => Knn,
    NaiveBayes => NaiveBayes,
    Mlp => Mlp,
    SvmModel => Svm,
}

impl Serialize for Fitted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.tag();
        let name = KINDS.get(t as usize).copied().unwrap_or("?");
        each_kind!(self, m => s.serialize_newtype_variant("Fitted", t, name, m))
    }
}

/// Reads the body of the kind stored under `tag` (for the current format; older formats
/// read some kinds in their own layout first, see format_legacy.rs).
pub(crate) fn read_kind<'de, A: VariantAccess<'de>>(tag: u32, v: A) -> Result<Fitted, A::Error> {
    Ok(match tag {
        tag::LINEAR => Fitted::Linear(v.newtype_variant()?),
        tag::LOGISTIC => Fitted::Logistic(v.newtype_variant()?),
        tag::TREE => Fitted::Tree(v.newtype_variant()?),
        tag::FOREST => Fitted::Forest(v.newtype_variant()?),
        tag::KMEANS => Fitted::KMeans(v.newtype_variant()?),
        tag::DBSCAN => Fitted::Dbscan(v.newtype_variant()?),
        tag::ISOLATION => Fitted::Isolation(v.newtype_variant()?),
        tag::PCA => Fitted::Pca(v.newtype_variant()?),
        tag::BOOSTED => Fitted::Boosted(v.newtype_variant()?),
        tag::KNN => Fitted::Knn(v.newtype_variant()?),
        tag::NAIVE_BAYES => Fitted::NaiveBayes(v.newtype_variant()?),
        tag::MLP => Fitted::Mlp(v.newtype_variant()?),
        tag::SVM => Fitted::Svm(v.newtype_variant()?),
        other => {
            return Err(A::Error::custom(format!(
                "unknown kind of fitted model (tag {other})"
            )))
        }
    })
}

struct CurrentVisitor;

impl<'de> Visitor<'de> for CurrentVisitor {
    type Value = Fitted;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a fitted model")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Fitted, A::Error> {
        let (t, v): (u32, _) = data.variant()?;
        read_kind(t, v)
    }
}

impl<'de> Deserialize<'de> for Fitted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fitted, D::Error> {
        d.deserialize_enum("Fitted", KINDS, CurrentVisitor)
    }
}

impl Fitted {
    pub fn predict_value(&self, x: &[f64]) -> f64 {
        each_kind!(self, m => Predict::predict_value(m, x))
    }

    pub fn predict_proba(&self, x: &[f64], out: &mut [f64]) {
        each_kind!(self, m => Predict::predict_proba(m, x, out))
    }

    /// The predicted class (`out`: scratch, len = classes).
    pub fn predict_class(&self, x: &[f64], out: &mut [f64]) -> usize {
        each_kind!(self, m => Predict::predict_class(m, x, out))
    }

    /// What fitting decided that the hyperparameters did not say (boosting: the rounds kept by
    /// early stopping), for the training report.
    pub fn fit_summary(&self) -> Option<serde_json::Value> {
        self.model().fit_summary()
    }

    /// Clustering: the cluster of a preprocessed row (-1: noise); None for other models.
    pub fn cluster(&self, x: &[f64]) -> Option<i64> {
        self.model().cluster(x)
    }

    /// Anomaly detection: the score in (0, 1] and whether it is past the threshold.
    pub fn anomaly(&self, x: &[f64]) -> Option<(f64, bool)> {
        self.model().anomaly(x)
    }

    /// Decomposition: the number of output components.
    pub fn n_outputs(&self) -> usize {
        self.model().n_outputs()
    }

    /// Decomposition: the components of a preprocessed row into `out` (len = n_outputs).
    pub fn transform(&self, x: &[f64], out: &mut [f64]) {
        self.model().transform(x, out)
    }

    /// Clusters of the given rows, in parallel (stops when `stop` is cancelled).
    pub fn clusters_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        stop: &Progress,
    ) -> MiningResult<Vec<i64>> {
        par_rows(rows, stop, |r| {
            self.cluster(&x[r * p..(r + 1) * p]).unwrap_or(-1)
        })
    }

    /// Anomaly scores of the given rows, in parallel (stops when `stop` is cancelled).
    pub fn anomaly_scores_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        stop: &Progress,
    ) -> MiningResult<Vec<f64>> {
        par_rows(rows, stop, |r| {
            self.anomaly(&x[r * p..(r + 1) * p])
                .map_or(f64::NAN, |a| a.0)
        })
    }

    /// Anomaly scores of the given rows with whether each is flagged, in parallel (stops
    /// when `stop` is cancelled).
    pub fn anomalies_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        stop: &Progress,
    ) -> MiningResult<Vec<(f64, bool)>> {
        par_rows(rows, stop, |r| {
            self.anomaly(&x[r * p..(r + 1) * p])
                .unwrap_or((f64::NAN, false))
        })
    }

    /// Components of the given rows (rows × n_outputs, row-major), in parallel (stops when
    /// `stop` is cancelled).
    pub fn transforms_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        stop: &Progress,
    ) -> MiningResult<Vec<f64>> {
        let k = self.n_outputs();
        par_rows_wide(rows, stop, k, |r, out| {
            self.transform(&x[r * p..(r + 1) * p], out)
        })
    }

    /// Regression values of the given rows of a row-major matrix with p columns, in parallel
    /// (stops when `stop` is cancelled).
    pub fn values_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        stop: &Progress,
    ) -> MiningResult<Vec<f64>> {
        par_rows(rows, stop, |r| self.predict_value(&x[r * p..(r + 1) * p]))
    }

    /// Class probabilities (rows × k, row-major) of the given rows, in parallel (stops when
    /// `stop` is cancelled).
    pub fn probas_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        k: usize,
        stop: &Progress,
    ) -> MiningResult<Vec<f64>> {
        par_rows_wide(rows, stop, k, |r, out| {
            self.predict_proba(&x[r * p..(r + 1) * p], out)
        })
    }

    /// Predicted class of the given rows, in parallel (stops when `stop` is cancelled).
    pub fn classes_at(
        &self,
        x: &[f64],
        p: usize,
        rows: &[usize],
        k: usize,
        stop: &Progress,
    ) -> MiningResult<Vec<usize>> {
        par_rows(rows, stop, |r| {
            let mut out = vec![0.0; k];
            self.predict_class(&x[r * p..(r + 1) * p], &mut out)
        })
    }
}

/// Rows scored between two looks at the cancel flag (per pool thread).
const ROWS_PER_CHECK: usize = 256;

/// `f` of every row, in parallel and in order, a group of rows at a time: once `stop` is
/// cancelled no new group starts, and the result is the cancel error.
pub(crate) fn par_rows<T: Send>(
    rows: &[usize],
    stop: &Progress,
    f: impl Fn(usize) -> T + Sync + Send,
) -> MiningResult<Vec<T>> {
    let f = &f;
    let out: Vec<T> = rows
        .par_chunks(ROWS_PER_CHECK)
        .flat_map_iter(|group| {
            let live = !stop.cancelled();
            group.iter().filter(move |_| live).map(move |&r| f(r))
        })
        .collect();
    stop.check()?;
    Ok(out)
}

/// As `par_rows` for `k` outputs per row, written by `f` (rows × k, row-major).
pub(crate) fn par_rows_wide(
    rows: &[usize],
    stop: &Progress,
    k: usize,
    f: impl Fn(usize, &mut [f64]) + Sync + Send,
) -> MiningResult<Vec<f64>> {
    let f = &f;
    let out: Vec<f64> = rows
        .par_chunks(ROWS_PER_CHECK)
        .flat_map_iter(|group| {
            let mut block = Vec::new();
            if !stop.cancelled() {
                block = vec![0.0; group.len() * k];
                if k > 0 {
                    for (o, &r) in block.chunks_exact_mut(k).zip(group) {
                        f(r, o);
                    }
                }
            }
            block
        })
        .collect();
    stop.check()?;
    Ok(out)
}
