//! Tree models on one binned engine: features cut once into at most 255 bins (binning.rs); CART
//! trees grown depth first on the bins (cart.rs) make decision trees (tree.rs) and random
//! forests and extra trees (forest.rs, scored through scoring_layout.rs); leaf-wise trees on
//! gradients (leafwise.rs) make gradient boosting (boosting.rs). Their registry entries and
//! hyperparameters are declared here.

use serde::Serialize;

use crate::common::error::{Error, Result};
use crate::common::progress::Progress;
use crate::common::rng::Rng;
use crate::common::task::Task;
use crate::learners::class_weight::ClassWeight;
use crate::learners::spec::{forms::*, Bound, Form, Hyper, Literal, Param, Val, CLASS_WEIGHT};
use crate::learners::{Algorithm, Auto, Entry, Learner, Preprocessing, TrainData};

pub mod binning;
pub mod boosting;
pub mod cart;
pub mod forest;
pub mod leafwise;
pub mod scoring_layout;
pub mod shap;
pub mod tree;

use boosting::{BoostParams, Boosted, RegressionLoss};
use forest::Forest;
use tree::{Criterion, MaxFeatures, Tree, TreeParams};

/// Trees split on raw values and route missing ones themselves: no scaling, no imputation.
const TREE_INPUTS: Preprocessing = Preprocessing {
    scale: false,
    routes_missing: true,
};

const MAX_DEPTH: Param = Param::new(
    "max_depth",
    &[NULL, int(1, 1000)],
    Literal::Null,
    "null or an integer in [1, 1000]",
    "levels at most (null: grown until the leaves are pure or too small)",
);

/// What every CART tree takes (decision_tree, random_forest, extra_trees).
const TREE_PARAMS: &[Param] = &[
    MAX_DEPTH,
    Param::new(
        "min_samples_split",
        &[int(2, MAX)],
        Literal::Int(2),
        "an integer in [2, 18446744073709551615]",
        "rows a node needs to be split",
    ),
    Param::new(
        "min_samples_leaf",
        &[int(1, MAX)],
        Literal::Int(1),
        "an integer in [1, 18446744073709551615]",
        "rows every leaf keeps at least",
    ),
    Param::new(
        "criterion",
        &[Form::Word(&["gini", "entropy", "log_loss"])],
        Literal::Word("gini"),
        "\"gini\" or \"entropy\"",
        "split quality for classes: gini, or entropy (log_loss is its other name)",
    )
    .for_task(Task::Classification),
    Param::new(
        "criterion",
        &[Form::Word(&["squared_error"])],
        Literal::Word("squared_error"),
        "\"squared_error\"",
        "split quality for values",
    )
    .for_task(Task::Regression),
];

const MAX_FEATURES_FORMS: &[Form] = &[Form::Word(&["sqrt", "log2"]), NULL, int(1, MAX), FRACTION];
const MAX_FEATURES_WANT: &str =
    "\"sqrt\", \"log2\", null (all), an integer ≥ 1 or a fraction in (0, 1]";
const MAX_FEATURES_ABOUT: &str =
    "features tried per split: \"sqrt\", \"log2\", null (all), a count or a fraction";

const N_TREES: Param = Param::new(
    "n_estimators",
    &[int(1, 10_000)],
    Literal::Int(100),
    "an integer in [1, 10000]",
    "trees",
);

/// A forest tries sqrt(features) per split for classes and all of them for values, as
/// scikit-learn's forests.
const FOREST_MAX_FEATURES: Param = Param::new(
    "max_features",
    MAX_FEATURES_FORMS,
    Literal::Word("sqrt"),
    MAX_FEATURES_WANT,
    MAX_FEATURES_ABOUT,
)
.by_task(Literal::Word("sqrt"), Literal::Null);

/// class_weight of random_forest and extra_trees: as every classifier's, applied to every row
/// of each tree's sample (a bootstrap repeat weighs as its row).
const FOREST_CLASS_WEIGHT: Param = CLASS_WEIGHT.for_task(Task::Classification);

const fn bootstrap(default: bool) -> Param {
    Param::new(
        "bootstrap",
        &[BOOL],
        Literal::Bool(default),
        "true or false",
        "each tree grows on a bootstrap sample of the rows (false: on all of them)",
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionTree {
    pub tree: TreeParams,
    pub max_features: MaxFeatures,
    /// Rows weighted by their class in every split and leaf (stored only when set).
    #[serde(skip_serializing_if = "ClassWeight::is_none")]
    pub class_weight: ClassWeight,
}

/// random_forest and extra_trees.
#[derive(Debug, Clone, Serialize)]
pub struct ForestParams {
    pub tree: TreeParams,
    pub n_estimators: usize,
    pub bootstrap: bool,
    pub max_features: MaxFeatures,
    /// Rows weighted by their class in every split and leaf (stored only when set).
    #[serde(skip_serializing_if = "ClassWeight::is_none")]
    pub class_weight: ClassWeight,
    /// Extra trees: one random cut per candidate feature (not stored: the key tells).
    #[serde(skip)]
    pub extra: bool,
}

pub const DECISION_TREE: Entry<DecisionTree> = Entry {
    algorithm: Algorithm {
        name: "decision_tree",
        summary: "one CART tree on all training rows, gini or entropy for classes, squared error for values (scikit-learn's DecisionTreeClassifier / Regressor; its exact cuts for features of at most 255 distinct values)",
        tasks: &[Task::Classification, Task::Regression],
        params: &[
            TREE_PARAMS,
            &[
                Param::new(
                    "max_features",
                    MAX_FEATURES_FORMS,
                    Literal::Null,
                    MAX_FEATURES_WANT,
                    MAX_FEATURES_ABOUT,
                ),
                CLASS_WEIGHT.for_task(Task::Classification),
            ],
        ],
        preprocessing: TREE_INPUTS,
        auto: Auto::No,
        stored_as: "DecisionTree",
    },
    build: |h, task| {
        Ok(DecisionTree {
            tree: tree_params(h, task)?,
            max_features: max_features(h)?,
            class_weight: ClassWeight::of_task(h, task)?,
        })
    },
};

pub const RANDOM_FOREST: Entry<ForestParams> = Entry {
    algorithm: Algorithm {
        name: "random_forest",
        summary: "bootstrap samples, a random subset of features per split, probabilities and values averaged over the trees (scikit-learn's RandomForest*)",
        tasks: &[Task::Classification, Task::Regression],
        params: &[&[N_TREES], TREE_PARAMS, &[FOREST_MAX_FEATURES, bootstrap(true), FOREST_CLASS_WEIGHT]],
        preprocessing: TREE_INPUTS,
        auto: Auto::Candidate {
            cost: 4,
            max_rows: None,
            around: &[r#"{"min_samples_leaf": 3}"#, r#"{"max_features": 0.5}"#],
        },
        stored_as: "RandomForest",
    },
    build: |h, task| forest_params(h, task, false),
};

pub const EXTRA_TREES: Entry<ForestParams> = Entry {
    algorithm: Algorithm {
        name: "extra_trees",
        summary: "as random_forest, but each split tries one random threshold per candidate feature, drawn uniformly in the node's range, and bootstrap is off (scikit-learn's ExtraTrees*)",
        tasks: &[Task::Classification, Task::Regression],
        params: &[&[N_TREES], TREE_PARAMS, &[FOREST_MAX_FEATURES, bootstrap(false), FOREST_CLASS_WEIGHT]],
        preprocessing: TREE_INPUTS,
        auto: Auto::No,
        stored_as: "ExtraTrees",
    },
    build: |h, task| forest_params(h, task, true),
};

pub const GRADIENT_BOOSTING: Entry<BoostParams> = Entry {
    algorithm: Algorithm {
        name: "gradient_boosting",
        summary: "histogram gradient boosting with leaf-wise trees: squared error, absolute error or a quantile's pinball loss, binary or multinomial log-loss, early stopping on validation rows (LightGBM's and scikit-learn's HistGradientBoosting)",
        tasks: &[Task::Classification, Task::Regression],
        params: &[&[
            Param::new(
                "n_estimators",
                &[int(1, 100_000)],
                Literal::Int(100),
                "an integer in [1, 100000]",
                "boosting rounds at most",
            ),
            Param::new(
                "learning_rate",
                &[number(Bound::Open(0.0), Bound::Closed(10.0))],
                Literal::Number(0.1),
                "a number in (0, 10]",
                "shrinkage of every tree's output",
            ),
            Param::new(
                "num_leaves",
                &[int(2, 65_536)],
                Literal::Int(31),
                "an integer in [2, 65536]",
                "leaves per tree at most, grown best gain first (scikit-learn's max_leaf_nodes)",
            ),
            MAX_DEPTH,
            Param::new(
                "min_samples_leaf",
                &[int(1, MAX)],
                Literal::Int(20),
                "an integer in [1, 18446744073709551615]",
                "rows every leaf keeps at least",
            ),
            Param::new(
                "l2_regularization",
                &[NON_NEGATIVE],
                Literal::Number(0.0),
                "a number ≥ 0",
                "L2 penalty on leaf values",
            ),
            Param::new(
                "subsample",
                &[FRACTION],
                Literal::Number(1.0),
                "a fraction in (0, 1]",
                "the fraction of training rows drawn (without replacement, seeded) for each round",
            ),
            Param::new(
                "max_bins",
                &[int(2, 255)],
                Literal::Int(255),
                "an integer in [2, 255]",
                "bins per feature",
            ),
            Param::new(
                "n_iter_no_change",
                &[int(0, 100_000)],
                Literal::Int(10),
                "an integer in [0, 100000]",
                "with validation rows: stop after this many rounds without a lower validation loss and keep the best round; 0 turns early stopping off",
            ),
            Param::new(
                "loss",
                &[Form::Word(&["squared_error", "absolute_error", "quantile"])],
                Literal::Word("squared_error"),
                "one of \"squared_error\", \"absolute_error\", \"quantile\"",
                "what a regression minimises: the squared error (predicts the mean), the absolute error (the median) or the pinball loss of `quantile` (that quantile: 0.9 predicts a value 90% of rows fall below)",
            )
            .for_task(Task::Regression),
            Param::new(
                "quantile",
                &[
                    Form::Null,
                    Form::Number {
                        low: Bound::Open(0.0),
                        high: Bound::Open(1.0),
                    },
                ],
                Literal::Null,
                "null or a number in (0, 1)",
                "the quantile loss \"quantile\" estimates",
            )
            .for_task(Task::Regression),
            CLASS_WEIGHT.for_task(Task::Classification),
        ]],
        preprocessing: TREE_INPUTS,
        auto: Auto::Candidate {
            cost: 3,
            max_rows: None,
            around: &[r#"{"learning_rate": 0.05}"#, r#"{"min_samples_leaf": 5}"#],
        },
        stored_as: "GradientBoosting",
    },
    build: |h, task| {
        let regression = task == Task::Regression;
        let loss = match regression.then(|| h.word("loss")).transpose()? {
            Some("absolute_error") => RegressionLoss::AbsoluteError,
            Some("quantile") => RegressionLoss::Quantile,
            _ => RegressionLoss::SquaredError,
        };
        let quantile = match regression.then(|| h.get("quantile")).transpose()? {
            Some(Val::Number(q)) => Some(*q),
            _ => None,
        };
        if loss == RegressionLoss::Quantile && quantile.is_none() {
            return Err(h.bad("quantile", "a number in (0, 1) with loss \"quantile\""));
        }
        Ok(BoostParams {
            n_estimators: h.int("n_estimators")?,
            learning_rate: h.number("learning_rate")?,
            num_leaves: h.int("num_leaves")?,
            max_depth: h.int_or_null("max_depth")?,
            min_samples_leaf: h.int("min_samples_leaf")?,
            l2_regularization: h.number("l2_regularization")?,
            subsample: h.number("subsample")?,
            max_bins: h.int("max_bins")?,
            n_iter_no_change: h.int("n_iter_no_change")?,
            loss,
            quantile,
            class_weight: ClassWeight::of_task(h, task)?,
        })
    },
};

fn tree_params(h: &Hyper, task: Task) -> Result<TreeParams> {
    let criterion = match (task, h.word("criterion")?) {
        (Task::Regression, _) => Criterion::SquaredError,
        (_, "entropy" | "log_loss") => Criterion::Entropy,
        _ => Criterion::Gini,
    };
    Ok(TreeParams {
        max_depth: h.int_or_null("max_depth")?,
        min_samples_split: h.int("min_samples_split")?,
        min_samples_leaf: h.int("min_samples_leaf")?,
        max_features: None,
        criterion,
    })
}

fn max_features(h: &Hyper) -> Result<MaxFeatures> {
    Ok(match h.get("max_features")? {
        Val::Word("sqrt") => MaxFeatures::Sqrt,
        Val::Word("log2") => MaxFeatures::Log2,
        Val::Int(k) => MaxFeatures::Count(*k as usize),
        Val::Number(f) => MaxFeatures::Fraction(*f),
        _ => MaxFeatures::All,
    })
}

fn forest_params(h: &Hyper, task: Task, extra: bool) -> Result<ForestParams> {
    Ok(ForestParams {
        tree: tree_params(h, task)?,
        n_estimators: h.int("n_estimators")?,
        bootstrap: h.bool("bootstrap")?,
        max_features: max_features(h)?,
        class_weight: ClassWeight::of_task(h, task)?,
        extra,
    })
}

/// A leaf must be able to hold min_samples_leaf of the training rows.
fn leaf_fits(tree: &TreeParams, rows: usize) -> Result<()> {
    if tree.min_samples_leaf > rows {
        return Err(Error::param(format!(
            "hyperparameter \"min_samples_leaf\" is {} but there are only {rows} training rows",
            tree.min_samples_leaf
        )));
    }
    Ok(())
}

impl Learner for DecisionTree {
    type Model = Tree;

    fn fit(&self, data: &TrainData, seed: u64, _: &Progress) -> Result<Tree> {
        leaf_fits(&self.tree, data.rows.len())?;
        let mut params = self.tree.clone();
        params.max_features = Some(self.max_features.resolve(data.n_cols));
        let mut rng = Rng::new(seed);
        let labels = data.labels()?;
        let weights = self.class_weight.per_row(data)?;
        // Drawn first, as cart::fit draws it (and `binning_seed` says).
        let binning_seed = rng.next_u64();
        let dense;
        let binned = match data.binned {
            Some(b) => b,
            None => {
                let (x, p) = (data.x, data.n_cols);
                dense = binning::bin(x, p, data.rows, binning::MAX_BINS, binning_seed);
                &dense
            }
        };
        let labels = (labels, weights.as_deref());
        Ok(cart::fit_binned(
            binned, labels, data.rows, &params, &mut rng,
        ))
    }

    fn binning_seed(&self, seed: u64) -> Option<u64> {
        Some(Rng::new(seed).next_u64())
    }
    fn sample_weights(&self) -> bool {
        true
    }
}

impl Learner for ForestParams {
    type Model = Forest;

    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Forest> {
        leaf_fits(&self.tree, data.rows.len())?;
        let mut params = self.tree.clone();
        params.max_features = Some(self.max_features.resolve(data.n_cols));
        let dense;
        let binned = match data.binned {
            Some(b) => b,
            None => {
                dense = binning::bin(data.x, data.n_cols, data.rows, binning::MAX_BINS, seed);
                &dense
            }
        };
        let weights = self.class_weight.per_row(data)?;
        forest::fit_within(
            binned,
            (data.labels()?, weights.as_deref()),
            data.rows,
            (&params, self.n_estimators, self.bootstrap, self.extra, seed),
            progress,
            &data.budget,
        )
    }

    fn work_units(&self) -> usize {
        self.n_estimators
    }

    fn binning_seed(&self, seed: u64) -> Option<u64> {
        Some(seed)
    }
    fn sample_weights(&self) -> bool {
        true
    }
}

impl Learner for BoostParams {
    type Model = Boosted;

    fn fit(&self, data: &TrainData, seed: u64, progress: &Progress) -> Result<Boosted> {
        boosting::fit_within(
            data.x,
            data.n_cols,
            data.labels()?,
            (data.rows, data.validation),
            self,
            self.class_weight.per_row(data)?.as_deref(),
            seed,
            progress,
            &data.budget,
        )
    }

    fn work_units(&self) -> usize {
        self.n_estimators
    }

    fn sample_weights(&self) -> bool {
        true
    }
}

/// Tests start from the registry's defaults.
#[cfg(test)]
impl Default for BoostParams {
    fn default() -> Self {
        GRADIENT_BOOSTING.defaults(Task::Classification).unwrap()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod class_weight_tests;
