//! Feature extraction: principal component analysis (pca.rs). Its registry entry and
//! hyperparameters are here.

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::common::task::Task;
use crate::learners::spec::{forms::*, Bound, Literal, Param, Val};
use crate::learners::{
    ensure, finite, Algorithm, Auto, Checked, Entry, Learner, Predict, Preprocessing, Shape,
    TrainData,
};

pub mod pca;

use pca::{Components, PcaModel, PcaParams};

pub const PCA: Entry<PcaParams> = Entry {
    algorithm: Algorithm {
        name: "pca",
        summary: "principal components of the preprocessed training rows, by explained variance (scikit-learn's PCA); dm_transform projects rows onto them",
        tasks: &[Task::Decomposition],
        params: &[&[
            Param::new(
                "n_components",
                &[NULL, int(1, MAX), number(Bound::Open(0.0), Bound::Open(1.0))],
                Literal::Null,
                "null (all), an integer ≥ 1 or a fraction of variance in (0, 1)",
                "components kept: null = min(rows, columns), a count, or the fewest that explain more than this fraction of the variance",
            ),
            Param::new(
                "whiten",
                &[BOOL],
                Literal::Bool(false),
                "true or false",
                "divide each coordinate by the square root of its explained variance (unit variance)",
            ),
        ]],
        // Components follow variance: inputs are standard-scaled by default.
        preprocessing: Preprocessing {
            scale: true,
            routes_missing: false,
        },
        auto: Auto::TaskDefault,
        stored_as: "Pca",
    },
    build: |h, _| {
        Ok(PcaParams {
            n_components: match h.get("n_components")? {
                Val::Int(k) => Components::Count(*k as usize),
                Val::Number(f) => Components::Variance(*f),
                _ => Components::All,
            },
            whiten: h.bool("whiten")?,
        })
    },
};

impl Learner for PcaParams {
    type Model = PcaModel;
    fn fit(&self, data: &TrainData, _: u64, progress: &Progress) -> Result<PcaModel> {
        pca::fit(data.x, data.n_cols, data.rows, self, progress)
    }
}

impl Predict for PcaModel {
    fn validate(&self, shape: Shape) -> Checked {
        let k = self.explained_variance.len();
        ensure(self.mean.len() == shape.inputs && shape.inputs > 0, || {
            format!(
                "a mean of {} columns for {} inputs",
                self.mean.len(),
                shape.inputs
            )
        })?;
        ensure(
            k > 0 && k.checked_mul(shape.inputs) == Some(self.components.len()),
            || "components and their variances differ in number".into(),
        )?;
        ensure(self.explained_variance_ratio.len() == k, || {
            "variance ratios do not match the components".into()
        })?;
        finite(&self.components, "the components")?;
        finite(&self.mean, "the mean")
    }

    fn n_outputs(&self) -> usize {
        self.n_components()
    }

    fn transform(&self, x: &[f64], out: &mut [f64]) {
        PcaModel::transform(self, x, out)
    }
}
