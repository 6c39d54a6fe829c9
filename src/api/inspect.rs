//! Looking inside a model: dm_coefficients (scikit-learn's coef_ and intercept_).

use pgrx::prelude::*;

use crate::catalog::cache;
use crate::pg::errors::OrRaise;

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
    let rows = m.model.coefficients().or_raise_for(model);
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
