//! Metric aggregates over any query: dm_classification_metrics(actual, predicted [, score]) and
//! dm_regression_metrics(actual, predicted), usable with GROUP BY.

use pgrx::aggregate::Aggregate;
use pgrx::pg_sys::errcodes::PgSqlErrorCode;
use pgrx::prelude::*;
use pgrx::{AggregateName, AnyElement, Internal, JsonB};
use serde_json::json;

use crate::data::types::label_of;
use crate::pg::errors::OrRaise;
use mining::evaluation::accumulate::LabelAcc;
use mining::evaluation::metrics::RegressionAcc;

fn push_labels(
    state: &mut Internal,
    actual: Option<AnyElement>,
    predicted: Option<AnyElement>,
    score: Option<f64>,
    with_score: bool,
) {
    // SAFETY: this Internal only ever holds a LabelAcc (allocated in the aggregate's context).
    let acc = unsafe { state.get_or_insert_default::<LabelAcc>() };
    match (actual, predicted) {
        (Some(a), Some(p)) if !with_score || score.is_some() => {
            let (a_label, a_num) = unsafe { label_of(a.datum(), a.oid()) };
            let (p_label, p_num) = unsafe { label_of(p.datum(), p.oid()) };
            if acc.pairs_is_empty() {
                acc.numeric = a_num && p_num;
            }
            acc.push(&a_label, &p_label, score);
            within_budget("dm_classification_metrics", acc.rows(), || acc.held_bytes());
        }
        _ => acc.skipped += 1,
    }
}

/// An aggregate's state holds its rows: at every power of two from 65,536 rows on, it is
/// checked against pg_mining.max_memory (ERROR 53200 naming the aggregate).
fn within_budget(aggregate: &str, rows: usize, bytes: impl Fn() -> usize) {
    if rows >= 1 << 16 && rows.is_power_of_two() {
        crate::memory_budget()
            .check("the rows it holds", bytes())
            .or_raise_in(aggregate);
    }
}

fn finish_labels(state: Internal) -> JsonB {
    // SAFETY: as in push_labels.
    match unsafe { state.get::<LabelAcc>() } {
        Some(acc) => JsonB(acc.finish()),
        None => JsonB(json!({"rows": 0})),
    }
}

/// dm_classification_metrics(actual, predicted): the sklearn.metrics label metrics as jsonb.
#[derive(AggregateName)]
#[aggregate_name = "dm_classification_metrics"]
pub struct ClassMetrics;

#[pg_aggregate]
impl Aggregate<ClassMetrics> for ClassMetrics {
    type State = Internal;
    type Args = (
        name!(actual, Option<AnyElement>),
        name!(predicted, Option<AnyElement>),
    );
    type Finalize = JsonB;

    fn state(
        mut state: Self::State,
        (actual, predicted): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        push_labels(&mut state, actual, predicted, None, false);
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        finish_labels(state)
    }
}

/// dm_classification_metrics(actual, predicted, score): with the positive class's score, also
/// roc_auc and log_loss for two labels.
#[derive(AggregateName)]
#[aggregate_name = "dm_classification_metrics"]
pub struct ClassMetricsScored;

#[pg_aggregate]
impl Aggregate<ClassMetricsScored> for ClassMetricsScored {
    type State = Internal;
    type Args = (
        name!(actual, Option<AnyElement>),
        name!(predicted, Option<AnyElement>),
        name!(score, Option<f64>),
    );
    type Finalize = JsonB;

    fn state(
        mut state: Self::State,
        (actual, predicted, score): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        push_labels(&mut state, actual, predicted, score, true);
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        finish_labels(state)
    }
}

/// dm_regression_metrics(actual, predicted): r2, mse, rmse, mae, mape, max_error as jsonb.
#[derive(AggregateName)]
#[aggregate_name = "dm_regression_metrics"]
pub struct RegMetrics;

#[derive(Default)]
struct RegressionState {
    acc: RegressionAcc,
    skipped: u64,
}

#[pg_aggregate]
impl Aggregate<RegMetrics> for RegMetrics {
    type State = Internal;
    type Args = (name!(actual, Option<f64>), name!(predicted, Option<f64>));
    type Finalize = JsonB;

    fn state(
        mut state: Self::State,
        (actual, predicted): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        // SAFETY: this Internal only ever holds a RegressionState.
        let st = unsafe { state.get_or_insert_default::<RegressionState>() };
        match (actual, predicted) {
            (Some(a), Some(p)) if a.is_finite() && p.is_finite() => st.acc.push(a, p),
            _ => st.skipped += 1,
        }
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        // SAFETY: as in state.
        let Some(st) = (unsafe { state.get::<RegressionState>() }) else {
            return JsonB(json!({"rows": 0}));
        };
        let mut v = json!(st.acc.metrics());
        v["rows"] = json!(st.acc.rows());
        if st.skipped > 0 {
            v["skipped"] = json!(st.skipped);
        }
        JsonB(v)
    }
}

/// dm_clustering_metrics(features, cluster): inertia, silhouette, davies_bouldin and cluster
/// sizes of any clustering (sklearn.metrics definitions; silhouette on a seeded sample of
/// 10,000 rows above that).
#[derive(AggregateName)]
#[aggregate_name = "dm_clustering_metrics"]
pub struct ClusterMetrics;

#[derive(Default)]
struct ClusterState {
    x: Vec<f64>,
    labels: Vec<i64>,
    dims: usize,
    skipped: u64,
}

#[pg_aggregate]
impl Aggregate<ClusterMetrics> for ClusterMetrics {
    type State = Internal;
    type Args = (
        name!(features, Option<Vec<Option<f64>>>),
        name!(cluster, Option<i64>),
    );
    type Finalize = JsonB;

    fn state(
        mut state: Self::State,
        (features, cluster): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        // SAFETY: this Internal only ever holds a ClusterState.
        let st = unsafe { state.get_or_insert_default::<ClusterState>() };
        let row: Option<Vec<f64>> =
            features.and_then(|f| f.into_iter().collect::<Option<Vec<f64>>>());
        match (row, cluster) {
            (Some(row), Some(c)) if !row.is_empty() && row.iter().all(|v| v.is_finite()) => {
                if st.labels.is_empty() {
                    st.dims = row.len();
                } else if row.len() != st.dims {
                    ereport!(
                        ERROR,
                        PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
                        format!(
                            "dm_clustering_metrics: row {} has {} features but the rows before it had {}",
                            st.labels.len() + st.skipped as usize + 1,
                            row.len(),
                            st.dims
                        )
                    );
                }
                st.x.extend(row);
                st.labels.push(c);
                within_budget("dm_clustering_metrics", st.labels.len(), || {
                    8 * (st.x.capacity() + st.labels.capacity())
                });
            }
            _ => st.skipped += 1,
        }
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        // SAFETY: as in state.
        let Some(st) = (unsafe { state.get::<ClusterState>() }) else {
            return JsonB(json!({"rows": 0}));
        };
        let mut v = mining::evaluation::clustering::report(&st.x, st.dims, &st.labels, 42);
        if st.skipped > 0 {
            v["skipped"] = json!(st.skipped);
        }
        JsonB(v)
    }
}
