//! dm_kmeans(features, k [, options]): an aggregate returning the k × d centroids as a
//! two-dimensional float8 array; one clustering per GROUP BY group.

use std::sync::Arc;

use pgrx::aggregate::Aggregate;
use pgrx::pg_sys;
use pgrx::pg_sys::errcodes::PgSqlErrorCode;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::prelude::*;
use pgrx::{AggregateName, Internal};

use super::args::{Float8ArrayArg, JsonbArg, Row};
use crate::pg::errors::OrRaise;
use crate::pg::pool;
use mining::common::progress::Progress;
use mining::learners::cluster::kmeans::{self, KMeansParams};

/// A k × d matrix returned as a two-dimensional double precision[].
pub struct Matrix {
    rows: usize,
    cols: usize,
    values: Vec<f64>,
}

unsafe impl SqlTranslatable for Matrix {
    const TYPE_IDENT: &'static str = <Vec<f64> as SqlTranslatable>::TYPE_IDENT;
    const TYPE_ORIGIN: TypeOrigin = <Vec<f64> as SqlTranslatable>::TYPE_ORIGIN;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
        <Vec<f64> as SqlTranslatable>::ARGUMENT_SQL;
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = <Vec<f64> as SqlTranslatable>::RETURN_SQL;
}

impl IntoDatum for Matrix {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        let mut elems: Vec<pg_sys::Datum> = self
            .values
            .iter()
            .map(|v| pg_sys::Datum::from(v.to_bits()))
            .collect();
        let mut dims = [self.rows as i32, self.cols as i32];
        let mut lbs = [1i32, 1i32];
        // SAFETY: float8 is pass-by-value, 8 bytes, double-aligned; dims match the element count.
        let array = unsafe {
            pg_sys::construct_md_array(
                elems.as_mut_ptr(),
                std::ptr::null_mut(),
                2,
                dims.as_mut_ptr(),
                lbs.as_mut_ptr(),
                pg_sys::FLOAT8OID,
                8,
                true,
                b'd' as std::ffi::c_char,
            )
        };
        Some(pg_sys::Datum::from(array))
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::FLOAT8ARRAYOID
    }
}

// SAFETY: the datum is returned to the function call that made it.
unsafe impl pgrx::callconv::BoxRet for Matrix {
    unsafe fn box_into<'fcx>(
        self,
        fcinfo: &mut pgrx::callconv::FcInfo<'fcx>,
    ) -> pgrx::datum::Datum<'fcx> {
        match self.into_datum() {
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}

#[derive(Default)]
struct KMeansState {
    x: Vec<f64>,
    dims: usize,
    rows: usize,
    skipped: usize,
    k: i64,
    options: Option<serde_json::Value>,
    /// pg_mining.max_memory, read with the first row.
    budget: Option<mining::common::budget::Budget>,
}

fn push(
    state: &mut Internal,
    features: Option<Float8ArrayArg>,
    k: Option<i32>,
    options: Option<JsonbArg>,
) {
    // SAFETY: this Internal only ever holds a KMeansState.
    let st = unsafe { state.get_or_insert_default::<KMeansState>() };
    if st.rows == 0 && st.skipped == 0 {
        st.k = k.map_or(0, i64::from);
        st.options = options.map(|o| o.json("options").or_raise_in("dm_kmeans"));
    }
    let Some(features) = features else {
        st.skipped += 1;
        return;
    };
    let start = st.x.len();
    let (row, len) = features.append_to(&mut st.x);
    if let Row::Nulls = row {
        st.skipped += 1;
        return;
    }
    if len == 0 || st.x[start..].iter().any(|v| !v.is_finite()) {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
            format!(
                "dm_kmeans: row {} has an empty array or a NaN/Infinity feature",
                st.rows + st.skipped + 1
            )
        );
    }
    if st.rows == 0 {
        st.dims = len;
    } else if len != st.dims {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
            format!(
                "dm_kmeans: row {} has {} features but the {} rows before it had {}",
                st.rows + st.skipped + 1,
                len,
                st.rows,
                st.dims
            )
        );
    }
    st.rows += 1;
    // The rows a group holds are checked as they grow (every 4,096 rows).
    if st.rows % 4096 == 0 {
        let budget = *st.budget.get_or_insert_with(crate::memory_budget);
        budget
            .check_items("the rows of a dm_kmeans group", st.x.capacity(), 8)
            .or_raise_in("dm_kmeans");
    }
}

/// The centroids, or NULL for no rows (as other aggregates).
fn finish(mut state: Internal) -> Option<Matrix> {
    // SAFETY: as in push.
    let st = unsafe { state.get_mut::<KMeansState>() }?;
    if st.skipped > 0 {
        notice!(
            "dm_kmeans: skipped {} rows with a NULL array or NULL element",
            st.skipped
        );
    }
    let params = KMeansParams::parse(st.k, st.options.as_ref()).or_raise_in("dm_kmeans");
    let x = Arc::new(std::mem::take(&mut st.x));
    let d = st.dims;
    let units = params.n_init;
    let budget = crate::memory_budget();
    // The job polls the progress the pool cancels when the statement ends.
    let progress = Arc::new(Progress::default());
    let job_progress = progress.clone();
    let fit = pool::run("dm_kmeans", progress, units, move || {
        kmeans::fit(&x, d, &params, &budget, &job_progress)
    })
    .or_raise_in("dm_kmeans");
    Some(Matrix {
        rows: fit.centroids.len() / d.max(1),
        cols: d,
        values: fit.centroids,
    })
}

/// dm_kmeans(features float8[], k int): k-means++ seeded, 10 inits, the best inertia kept.
#[derive(AggregateName)]
#[aggregate_name = "dm_kmeans"]
pub struct KMeans2;

#[pg_aggregate]
impl Aggregate<KMeans2> for KMeans2 {
    type State = Internal;
    type Args = (
        name!(features, Option<Float8ArrayArg>),
        name!(k, Option<i32>),
    );
    type Finalize = Option<Matrix>;

    fn state(
        mut state: Self::State,
        (features, k): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        push(&mut state, features, k, None);
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        finish(state)
    }
}

/// dm_kmeans(features float8[], k int, options jsonb): n_init, max_iter, tol, seed.
#[derive(AggregateName)]
#[aggregate_name = "dm_kmeans"]
pub struct KMeans3;

#[pg_aggregate]
impl Aggregate<KMeans3> for KMeans3 {
    type State = Internal;
    type Args = (
        name!(features, Option<Float8ArrayArg>),
        name!(k, Option<i32>),
        name!(options, Option<JsonbArg>),
    );
    type Finalize = Option<Matrix>;

    fn state(
        mut state: Self::State,
        (features, k, options): Self::Args,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::State {
        push(&mut state, features, k, options);
        state
    }

    fn finalize(
        state: Self::State,
        _direct: Self::OrderedSetArgs,
        _fcinfo: pg_sys::FunctionCallInfo,
    ) -> Self::Finalize {
        finish(state)
    }
}
