//! Scoring: dm_predict, dm_predict_label, dm_predict_proba, dm_predict_interval, dm_model_classes, and for models
//! without a target dm_cluster, dm_anomaly_score, dm_is_anomaly and dm_transform.

use pgrx::prelude::*;
use pgrx::AnyElement;

use super::args::{call_site, AnyArg, TextArg};
use crate::catalog::cache;
use crate::data::input::{with_encoded, with_features};
use crate::pg::errors::OrRaise;
use mining::common::error::{Error, ErrorKind};
use mining::common::frame::format_number;
use mining::common::task::Task;
use mining::model::stored::StoredModel;

/// Regression value, or the class label as a number (booleans 1/0).
#[pg_extern(stable, parallel_safe)]
fn dm_predict(model: TextArg, input: AnyArg, fcinfo: pg_sys::FunctionCallInfo) -> f64 {
    scored(&model, &input, fcinfo, |m, x| match m.task {
        Task::Classification => m.class_of(x).and_then(|c| m.class_number(c)),
        _ => m.value_of(x),
    })
}

/// The class label in its original text form (regression: the value as text).
#[pg_extern(stable, parallel_safe)]
fn dm_predict_label(model: TextArg, input: AnyArg, fcinfo: pg_sys::FunctionCallInfo) -> String {
    scored(&model, &input, fcinfo, |m, x| match m.task {
        Task::Classification => m.class_of(x).map(|c| m.classes[c].clone()),
        _ => m.value_of(x).map(format_number),
    })
}

/// Class probabilities in the order of dm_model_classes(model).
#[pg_extern(stable, parallel_safe)]
fn dm_predict_proba(model: TextArg, input: AnyArg, fcinfo: pg_sys::FunctionCallInfo) -> Vec<f64> {
    scored(&model, &input, fcinfo, |m, x| m.proba_of(x))
}

/// A regression's prediction and its split-conformal interval at miscoverage `alpha` (0.1: a
/// 90% interval), calibrated on the model's held-out residuals.
#[pg_extern(stable, parallel_safe)]
fn dm_predict_interval(
    model: TextArg,
    input: AnyArg,
    alpha: default!(f64, 0.1),
    fcinfo: pg_sys::FunctionCallInfo,
) -> pgrx::composite_type!('static, "dm.prediction_interval") {
    let (value, lower, upper) = scored(&model, &input, fcinfo, |m, x| m.interval_of(x, alpha));
    let row = PgHeapTuple::new_composite_type("dm.prediction_interval")
        .map_err(|e| e.to_string())
        .and_then(|mut t| {
            for (column, v) in [("prediction", value), ("lower", lower), ("upper", upper)] {
                t.set_by_name(column, v).map_err(|e| e.to_string())?;
            }
            Ok(t)
        });
    match row {
        Ok(t) => t,
        Err(e) => Err::<PgHeapTuple<'static, AllocatedByRust>, _>(Error::internal(format!(
            "building the prediction interval row: {e}"
        )))
        .or_raise_for(&model.as_str()),
    }
}

/// `f` on the model and the preprocessed scoring input (argument 2). The call site keeps the
/// input's type and where its model's resolution is (fn_extra), so a row costs no lookup by
/// name while the same reference comes and nothing was deployed meanwhile.
fn scored<R>(
    model: &TextArg,
    input: &AnyArg,
    fcinfo: pg_sys::FunctionCallInfo,
    f: impl FnOnce(&StoredModel, &[f64]) -> mining::common::error::Result<R>,
) -> R {
    // SAFETY: fcinfo is this scalar call's, and fn_extra is only this record; the datum is the
    // non-NULL (strict function) argument of the recorded type.
    let result = unsafe {
        match call_site(fcinfo, 1) {
            Some(site) => {
                // A literal name is the one the slot was resolved for: no need to compare.
                let name = (!site.literal_name).then(|| model.bytes());
                let kept = site.slot.and_then(|s| cache::by_slot(s, name));
                let m = match kept {
                    Some(m) => m,
                    None => {
                        let (m, slot) = cache::get_with_slot(&model.as_str());
                        site.slot = Some(slot);
                        m
                    }
                };
                let mut buf = m.buf.borrow_mut();
                with_encoded(
                    &m.model,
                    &m.plans,
                    input.datum(),
                    site.input_type,
                    &mut buf,
                    |x| f(&m.model, x),
                )
            }
            None => Err(mining::common::error::Error::internal(
                "scoring function called without its call information",
            )),
        }
    };
    match result {
        Ok(Ok(v)) => v,
        Ok(Err(e)) | Err(e) => Err::<R, _>(e).or_raise_for(&model.as_str()),
    }
}

/// The class labels of a classification model, in the order of dm_predict_proba.
#[pg_extern(stable, parallel_safe)]
fn dm_model_classes(model: &str) -> Vec<String> {
    let m = cache::get(model);
    if m.model.task != Task::Classification {
        Err(Error::new(
            ErrorKind::NotSupported,
            format!("a {} model has no classes", m.model.task.name()),
        ))
        .or_raise_for(model)
    } else {
        m.model.classes.clone()
    }
}

/// The cluster of a row (clustering models; -1 is DBSCAN's noise).
#[pg_extern(stable, parallel_safe)]
fn dm_cluster(model: &str, input: AnyElement) -> i32 {
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    with_features(&m.model, &m.plans, &input, |raw| {
        m.model.cluster(raw, &mut buf)
    })
    .and_then(|r| r)
    .map(|c| c as i32)
    .or_raise_for(model)
}

/// The anomaly score of a row in (0, 1]; higher is more anomalous (isolation forest models).
#[pg_extern(stable, parallel_safe)]
fn dm_anomaly_score(model: &str, input: AnyElement) -> f64 {
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    with_features(&m.model, &m.plans, &input, |raw| {
        m.model.anomaly(raw, &mut buf)
    })
    .and_then(|r| r)
    .map(|a| a.0)
    .or_raise_for(model)
}

/// Whether the anomaly score of a row passes the model's threshold (0.5, or the training
/// scores' quantile set by the contamination hyperparameter).
#[pg_extern(stable, parallel_safe)]
fn dm_is_anomaly(model: &str, input: AnyElement) -> bool {
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    with_features(&m.model, &m.plans, &input, |raw| {
        m.model.anomaly(raw, &mut buf)
    })
    .and_then(|r| r)
    .map(|a| a.1)
    .or_raise_for(model)
}

/// The principal components of a row (pca models).
#[pg_extern(stable, parallel_safe)]
fn dm_transform(model: &str, input: AnyElement) -> Vec<f64> {
    let m = cache::get(model);
    let mut buf = m.buf.borrow_mut();
    with_features(&m.model, &m.plans, &input, |raw| {
        m.model.transform(raw, &mut buf)
    })
    .and_then(|r| r)
    .or_raise_for(model)
}
