//! Looking inside a model: dm_coefficients (scikit-learn's coef_ and intercept_).

use pgrx::prelude::*;

use crate::catalog::cache;
use crate::pg::errors::OrRaise;
use mining::common::error::{Error, ErrorKind};
use mining::model::fitted::Fitted;

/// Coefficients of a linear or logistic model on its encoded, scaled input columns (see
/// dm.models.preprocessing), with the intercept as feature '(intercept)'. For a binary logistic
/// model the coefficients are those of the second class.
#[pg_extern(stable, parallel_safe)]
fn dm_coefficients(
    model: &str,
) -> TableIterator<
    'static,
    (
        name!(class, Option<String>),
        name!(feature, String),
        name!(coefficient, f64),
    ),
> {
    let m = cache::get(model);
    let names = m.model.prep.output_names();
    let mut rows: Vec<(Option<String>, String, f64)> = Vec::new();
    let mut push = |class: Option<String>, coef: &[f64], intercept: f64| {
        rows.push((class.clone(), "(intercept)".to_string(), intercept));
        rows.extend(
            names
                .iter()
                .zip(coef)
                .map(|(n, w)| (class.clone(), n.clone(), *w)),
        );
    };
    match &m.model.estimator {
        Fitted::Linear(l) => push(None, &l.coef, l.intercept),
        Fitted::Logistic(l) => {
            let classes = &m.model.classes;
            for (k, (coef, b)) in l.coef.iter().zip(&l.intercept).enumerate() {
                let class = if l.n_classes == 2 {
                    classes.get(1)
                } else {
                    classes.get(k)
                };
                push(class.cloned(), coef, *b);
            }
        }
        _ => Err(Error::new(
            ErrorKind::NotSupported,
            format!(
                "dm_coefficients applies to linear models; this one is {}",
                m.model.algorithm
            ),
        ))
        .or_raise_for(model),
    }
    TableIterator::new(rows)
}

/// Per feature of a gradient_boosting model: its share of the total split gain (summing to 1,
/// as scikit-learn's feature_importances_) and the number of splits on it, most important first.
#[pg_extern(stable, parallel_safe)]
fn dm_feature_importance(
    model: &str,
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(importance, f64),
        name!(splits, i64),
    ),
> {
    let m = cache::get(model);
    let mut rows = m.model.feature_importance().or_raise_for(model);
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    TableIterator::new(
        rows.into_iter()
            .map(|(f, share, splits)| (f, share, splits as i64)),
    )
}
