//! Turns a scoring input — a table row or named composite (by column name), an anonymous ROW or
//! an array (by position), or jsonb (by key) — into the model's feature values.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use pgrx::htup::{
    heap_tuple_header_get_datum_length, heap_tuple_header_get_type_id, heap_tuple_header_get_typmod,
};
use pgrx::pg_sys::{self, Oid};
use pgrx::prelude::*;
use pgrx::{AnyElement, AnyNumeric};

use crate::pg::compat;

use super::types::{base_type, jsonb_value, kind_of, parse_temporal, to_f64, to_str, type_name};
use mining::common::error::{Error, Result};
use mining::common::frame::ColumnKind;
use mining::model::stored::StoredModel;
use mining::prepare::preprocess::{NumberParams, Raw};

mod numbers;

use numbers::{fixed_encoded, fixed_offsets, float8_array_encoded, NumberSource};

/// Where each feature comes from in a composite type, and how to read it.
pub struct Plan {
    /// Per feature: attribute index and its base type.
    sources: Vec<(usize, Oid, bool)>,
    natts: usize,
    /// A text column feeds a date/timestamp feature (parsed per row).
    parses_dates: bool,
    /// When every feature is a number read from a number column and the model only fills,
    /// centres and scales it: per feature (attribute, type, fill, center, scale).
    numbers: Option<Vec<NumberSource>>,
    /// The row type's descriptor, copied into TopMemoryContext: no typcache lookup per row.
    desc: pg_sys::TupleDesc,
}

impl Drop for Plan {
    fn drop(&mut self) {
        if !self.desc.is_null() {
            // SAFETY: our own copy, made by CreateTupleDescCopy and freed once here.
            unsafe { pg_sys::FreeTupleDesc(self.desc) };
        }
    }
}

thread_local! {
    /// Bumped by every relcache invalidation: a row type may have changed (ALTER TABLE), so
    /// plans and descriptors built before are dropped. Anonymous record types never change.
    static ROW_TYPES_EPOCH: Cell<u64> = const { Cell::new(0) };
}

/// Called from the relcache invalidation callback.
pub fn row_types_changed() {
    ROW_TYPES_EPOCH.with(|e| e.set(e.get().wrapping_add(1)));
}

// heap_deform_tuple only reads the tuple and the descriptor and never raises an ERROR, so it is
// called without pgrx's setjmp guard (a third of the per-row overhead of a guarded call).
extern "C" {
    #[link_name = "heap_deform_tuple"]
    fn heap_deform_tuple_unguarded(
        tuple: pg_sys::HeapTuple,
        desc: pg_sys::TupleDesc,
        values: *mut pg_sys::Datum,
        isnull: *mut bool,
    );
}

/// A composite type: (type oid, typmod).
type TypeKey = (u32, i32);

/// Plans per composite type (type oid, typmod), kept with the cached model (usually one), and
/// the buffers a row is deformed into.
#[derive(Default)]
pub struct PlanCache {
    plans: RefCell<Vec<(TypeKey, Rc<Plan>)>>,
    /// ROW_TYPES_EPOCH when `plans` were built.
    epoch: Cell<u64>,
    last_rowtype: Cell<Option<u32>>,
    values: RefCell<Vec<pg_sys::Datum>>,
    nulls: RefCell<Vec<bool>>,
    /// The model's (fill, center, scale) per feature when all its features are numbers.
    numbers: std::cell::OnceCell<Option<Vec<NumberParams>>>,
}

fn feature_kinds(model: &StoredModel) -> impl Iterator<Item = (&str, bool)> {
    model
        .prep
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.kind == ColumnKind::Text))
}

unsafe fn build_plan(
    model: &StoredModel,
    desc: pg_sys::TupleDesc,
    positional: bool,
) -> Result<Plan> {
    let natts = (*desc).natts as usize;
    let attrs = compat::attributes(desc);
    let live: Vec<(usize, String, Oid)> = attrs
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.attisdropped)
        .map(|(i, a)| {
            (
                i,
                std::ffi::CStr::from_ptr(a.attname.data.as_ptr())
                    .to_string_lossy()
                    .into_owned(),
                a.atttypid,
            )
        })
        .collect();
    let mut sources = Vec::with_capacity(model.n_features());
    if positional && live.len() != model.n_features() {
        return Err(Error::input(format!(
            "the ROW has {} fields but the model has {} features ({})",
            live.len(),
            model.n_features(),
            model.feature_names().collect::<Vec<_>>().join(", ")
        )));
    }
    for (k, (name, _)) in feature_kinds(model).enumerate() {
        let found = if positional {
            live.get(k)
        } else {
            live.iter().find(|(_, n, _)| n == name).or_else(|| {
                let lower = name.to_lowercase();
                live.iter().find(|(_, n, _)| n.to_lowercase() == lower)
            })
        };
        let Some((i, col, typ)) = found else {
            return Err(Error::input(format!(
                "the input has no column \"{name}\", a feature of the model"
            )));
        };
        let base = base_type(*typ);
        let Some(kind) = kind_of(base) else {
            return Err(Error::input(format!(
                "input column \"{col}\" for feature \"{name}\" has type {}, which pg_mining cannot score",
                type_name(*typ)
            )));
        };
        sources.push((*i, base, kind == ColumnKind::Text));
    }
    let desc =
        pgrx::PgMemoryContexts::TopMemoryContext.switch_to(|_| pg_sys::CreateTupleDescCopy(desc));
    let parses_dates = sources
        .iter()
        .zip(&model.prep.features)
        .any(|((_, _, text), f)| *text && f.kind == ColumnKind::Temporal);
    let offsets = fixed_offsets(attrs);
    let numbers = model.prep.number_params().and_then(|params| {
        sources
            .iter()
            .zip(params)
            .map(|(&(attr, base, text), n)| {
                (!text).then_some(NumberSource {
                    attr,
                    base,
                    encode: n,
                    fixed: offsets.get(attr).copied().flatten(),
                })
            })
            .collect::<Option<Vec<_>>>()
    });
    Ok(Plan {
        sources,
        natts,
        parses_dates,
        numbers,
        desc,
    })
}

/// Dates and timestamps given as text become the numbers training used.
fn temporal(model: &StoredModel, raw: &mut [Raw]) {
    for (r, feat) in raw.iter_mut().zip(&model.prep.features) {
        if let (Raw::Text(s), ColumnKind::Temporal) = (*r, feat.kind) {
            *r = Raw::Num(parse_temporal(s, &feat.sql_type));
        }
    }
}

/// Calls `f` with the feature values of `input`, in feature order.
pub fn with_features<R>(
    model: &StoredModel,
    plans: &PlanCache,
    input: &AnyElement,
    f: impl FnOnce(&[Raw]) -> R,
) -> Result<R> {
    // SAFETY: an AnyElement is a valid, non-NULL datum of its type.
    unsafe { with_datum(model, plans, input.datum(), input.oid(), f) }
}

/// As `with_features`, for a datum and its type.
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of type `oid`.
pub unsafe fn with_datum<R>(
    model: &StoredModel,
    plans: &PlanCache,
    datum: pg_sys::Datum,
    oid: Oid,
    f: impl FnOnce(&[Raw]) -> R,
) -> Result<R> {
    unsafe {
        if oid == pg_sys::JSONBOID {
            let value = jsonb_value(datum, "the jsonb input")?;
            return from_json(model, &value).map(|mut raw| {
                temporal(model, &mut raw);
                f(&raw)
            });
        }
        if let Some(raw) = from_array(model, datum, oid)? {
            let mut raw: Vec<Raw> = raw.iter().map(|r| r.as_raw()).collect();
            temporal(model, &mut raw);
            return Ok(f(&raw));
        }
        let plan = deform_row(model, plans, datum, oid)?;
        Ok(with_deformed(model, plans, &plan, f))
    }
}

/// Calls `f` with the feature values of the row `deform_row` left in the plan cache.
fn with_deformed<R>(
    model: &StoredModel,
    plans: &PlanCache,
    plan: &Plan,
    f: impl FnOnce(&[Raw]) -> R,
) -> R {
    // SAFETY: the buffers hold the datums of a row deformed just before, alive for the call.
    unsafe {
        let values = plans.values.borrow();
        let nulls = plans.nulls.borrow();
        let read = |&(i, base, is_text): &(usize, Oid, bool)| {
            if nulls[i] {
                Raw::Null
            } else if is_text {
                Raw::Text(to_str(values[i], base))
            } else {
                Raw::Num(to_f64(values[i], base))
            }
        };
        // Feature values on the stack for the common case of few features.
        let mut small = [Raw::Null; 16];
        let mut large = Vec::new();
        let raw: &mut [Raw] = if plan.sources.len() <= small.len() {
            let part = &mut small[..plan.sources.len()];
            part.iter_mut()
                .zip(&plan.sources)
                .for_each(|(r, s)| *r = read(s));
            part
        } else {
            large.extend(plan.sources.iter().map(read));
            &mut large
        };
        if plan.parses_dates {
            temporal(model, raw);
        }
        f(raw)
    }
}

/// Deforms a row input (a table row or ROW(...)) into the plan cache's value and null
/// buffers; returns the plan that says where each feature is.
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of type `oid`.
unsafe fn deform_row(
    model: &StoredModel,
    plans: &PlanCache,
    datum: pg_sys::Datum,
    oid: Oid,
) -> Result<Rc<Plan>> {
    unsafe {
        let (plan, header) = row_plan(model, plans, datum, oid)?;
        deform(plans, &plan, header);
        Ok(plan)
    }
}

/// The plan of a row input's type, and the row.
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of type `oid`.
unsafe fn row_plan(
    model: &StoredModel,
    plans: &PlanCache,
    datum: pg_sys::Datum,
    oid: Oid,
) -> Result<(Rc<Plan>, pg_sys::HeapTupleHeader)> {
    unsafe {
        // The last composite type seen needs no type_is_rowtype lookup.
        let known_row = plans.last_rowtype.get() == Some(oid.to_u32());
        if !known_row && !pg_sys::type_is_rowtype(oid) {
            return Err(Error::input(format!(
                "cannot score a value of type {}; pass a table row, a ROW(...), a numeric array or jsonb",
                type_name(oid)
            )));
        }
        plans.last_rowtype.set(Some(oid.to_u32()));
        // A composite datum built for a call (a row, ROW(...)) is a plain 4-byte-header varlena;
        // only a toasted or compressed one needs pg_detoast_datum.
        let ptr = datum.cast_mut_ptr::<pg_sys::varlena>();
        let header = if pgrx::varlena::varatt_is_4b_u(ptr) {
            ptr as pg_sys::HeapTupleHeader
        } else {
            pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as pg_sys::HeapTupleHeader
        };
        let typid = heap_tuple_header_get_type_id(header);
        let typmod = heap_tuple_header_get_typmod(header);
        let key = (typid.to_u32(), typmod);
        let epoch = ROW_TYPES_EPOCH.with(Cell::get);
        if plans.epoch.get() != epoch {
            plans.plans.borrow_mut().clear();
            plans.epoch.set(epoch);
        }
        let cached = plans
            .plans
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p.clone());
        let plan = match cached {
            Some(p) => p,
            None => {
                let desc = pg_sys::lookup_rowtype_tupdesc(typid, typmod);
                let plan = build_plan(model, desc, typid == pg_sys::RECORDOID);
                if (*desc).tdrefcount >= 0 {
                    pg_sys::DecrTupleDescRefCount(desc);
                }
                let plan = Rc::new(plan?);
                plans.plans.borrow_mut().push((key, plan.clone()));
                plan
            }
        };
        Ok((plan, header))
    }
}

/// Deforms a row of the plan's type into the plan cache's value and null buffers.
///
/// # Safety
/// `header` must be a valid row of the plan's type.
unsafe fn deform(plans: &PlanCache, plan: &Plan, header: pg_sys::HeapTupleHeader) {
    unsafe {
        let natts = plan.natts;
        let mut values = plans.values.borrow_mut();
        let mut nulls = plans.nulls.borrow_mut();
        // heap_deform_tuple fills every slot: the buffers only need the right length.
        if values.len() != natts {
            values.resize(natts, pg_sys::Datum::from(0usize));
            nulls.resize(natts, true);
        }
        let mut tuple: pg_sys::HeapTupleData = std::mem::zeroed();
        tuple.t_len = heap_tuple_header_get_datum_length(header) as u32;
        tuple.t_data = header;
        heap_deform_tuple_unguarded(
            &mut tuple,
            plan.desc,
            values.as_mut_ptr(),
            nulls.as_mut_ptr(),
        );
    }
}

/// The encoded (preprocessed) row of a scoring input into `buf`, then `f` on it. A row whose
/// features are all numbers read from number columns, for a model that only centres and scales
/// them, goes straight from the deformed row into `buf`; anything else (text, arrays, jsonb, a
/// NULL without a fill, a non-finite value — whose errors the general path words) goes through
/// `with_datum` and the model's preprocessing.
///
/// # Safety
/// `datum` must be a valid, non-NULL datum of type `oid`.
pub unsafe fn with_encoded<R>(
    model: &StoredModel,
    plans: &PlanCache,
    datum: pg_sys::Datum,
    oid: Oid,
    buf: &mut Vec<f64>,
    f: impl FnOnce(&[f64]) -> R,
) -> Result<R> {
    unsafe {
        let rowtype = plans.last_rowtype.get() == Some(oid.to_u32())
            || (oid != pg_sys::JSONBOID && !is_array_input(oid) && pg_sys::type_is_rowtype(oid));
        if rowtype {
            let (plan, header) = row_plan(model, plans, datum, oid)?;
            if let Some(numbers) = &plan.numbers {
                if fixed_encoded(numbers, plan.natts, header, buf) {
                    return Ok(f(buf));
                }
            }
            deform(plans, &plan, header);
            if let Some(numbers) = &plan.numbers {
                let values = plans.values.borrow();
                let nulls = plans.nulls.borrow();
                buf.clear();
                let direct = numbers.iter().all(|n| {
                    let x = if nulls[n.attr] {
                        match n.encode.fill {
                            Some(v) => v,
                            None => return false,
                        }
                    } else {
                        let v = to_f64(values[n.attr], n.base);
                        if !v.is_finite() {
                            return false;
                        }
                        v
                    };
                    buf.push((x - n.encode.center) / n.encode.scale);
                    true
                });
                if direct {
                    return Ok(f(buf));
                }
            }
            with_deformed(model, plans, &plan, |raw| model.encode(raw, buf))?;
            return Ok(f(buf));
        }
        if oid == pg_sys::FLOAT8ARRAYOID && float8_array_encoded(model, plans, datum, buf) {
            return Ok(f(buf));
        }
        with_datum(model, plans, datum, oid, |raw| model.encode(raw, buf))??;
        Ok(f(buf))
    }
}

/// The array types `from_array` reads.
fn is_array_input(oid: Oid) -> bool {
    matches!(
        oid,
        pg_sys::FLOAT8ARRAYOID
            | pg_sys::FLOAT4ARRAYOID
            | pg_sys::INT2ARRAYOID
            | pg_sys::INT4ARRAYOID
            | pg_sys::INT8ARRAYOID
            | pg_sys::NUMERICARRAYOID
            | pg_sys::TEXTARRAYOID
            | pg_sys::VARCHARARRAYOID
    )
}

enum Owned {
    Null,
    Num(f64),
    Text(String),
}

impl Owned {
    fn as_raw(&self) -> Raw<'_> {
        match self {
            Owned::Null => Raw::Null,
            Owned::Num(x) => Raw::Num(*x),
            Owned::Text(s) => Raw::Text(s),
        }
    }
}

unsafe fn from_array(
    model: &StoredModel,
    datum: pg_sys::Datum,
    oid: Oid,
) -> Result<Option<Vec<Owned>>> {
    fn nums<T: Into<f64>>(v: Option<Vec<Option<T>>>) -> Vec<Owned> {
        v.unwrap_or_default()
            .into_iter()
            .map(|x| x.map_or(Owned::Null, |x| Owned::Num(x.into())))
            .collect()
    }
    let numeric = oid != pg_sys::TEXTARRAYOID && oid != pg_sys::VARCHARARRAYOID;
    let values: Vec<Owned> = match oid {
        pg_sys::FLOAT8ARRAYOID => nums(Vec::<Option<f64>>::from_polymorphic_datum(
            datum, false, oid,
        )),
        pg_sys::FLOAT4ARRAYOID => nums(Vec::<Option<f32>>::from_polymorphic_datum(
            datum, false, oid,
        )),
        pg_sys::INT2ARRAYOID => nums(Vec::<Option<i16>>::from_polymorphic_datum(
            datum, false, oid,
        )),
        pg_sys::INT4ARRAYOID => nums(Vec::<Option<i32>>::from_polymorphic_datum(
            datum, false, oid,
        )),
        pg_sys::INT8ARRAYOID => Vec::<Option<i64>>::from_polymorphic_datum(datum, false, oid)
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.map_or(Owned::Null, |x| Owned::Num(x as f64)))
            .collect(),
        pg_sys::NUMERICARRAYOID => {
            Vec::<Option<AnyNumeric>>::from_polymorphic_datum(datum, false, oid)
                .unwrap_or_default()
                .into_iter()
                .map(|x| {
                    x.map_or(Owned::Null, |x| {
                        Owned::Num(f64::try_from(x).unwrap_or(f64::NAN))
                    })
                })
                .collect()
        }
        pg_sys::TEXTARRAYOID | pg_sys::VARCHARARRAYOID => {
            Vec::<Option<String>>::from_polymorphic_datum(datum, false, pg_sys::TEXTARRAYOID)
                .unwrap_or_default()
                .into_iter()
                .map(|x| x.map_or(Owned::Null, Owned::Text))
                .collect()
        }
        _ => return Ok(None),
    };
    if numeric {
        if let Some((name, _)) = feature_kinds(model).find(|(_, text)| *text) {
            return Err(Error::input(format!(
                "feature \"{name}\" is text; a numeric array cannot carry it (pass a row, a text array or jsonb)"
            )));
        }
    }
    if values.len() != model.n_features() {
        return Err(Error::input(format!(
            "the array has {} elements but the model has {} features ({})",
            values.len(),
            model.n_features(),
            model.feature_names().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Some(values))
}

fn from_json<'v>(model: &StoredModel, value: &'v serde_json::Value) -> Result<Vec<Raw<'v>>> {
    let obj = value.as_object().ok_or_else(|| {
        Error::input(format!(
            "the jsonb input must be an object keyed by feature name; got {value}"
        ))
    })?;
    feature_kinds(model)
        .map(|(name, _)| {
            let v = obj.get(name).or_else(|| {
                let lower = name.to_lowercase();
                obj.iter()
                    .find(|(k, _)| k.to_lowercase() == lower)
                    .map(|(_, v)| v)
            });
            match v {
                None => Err(Error::input(format!(
                    "the jsonb input has no key \"{name}\", a feature of the model"
                ))),
                Some(serde_json::Value::Null) => Ok(Raw::Null),
                Some(serde_json::Value::Number(n)) => Ok(Raw::Num(n.as_f64().unwrap_or(f64::NAN))),
                Some(serde_json::Value::String(s)) => Ok(Raw::Text(s.as_str())),
                Some(serde_json::Value::Bool(b)) => Ok(Raw::Num(f64::from(u8::from(*b)))),
                Some(other) => Err(Error::input(format!(
                    "key \"{name}\" of the jsonb input must be a scalar; got {other}"
                ))),
            }
        })
        .collect()
}
