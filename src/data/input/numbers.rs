//! The fast paths of scoring a model of numbers: a row read from fixed offsets in its bytes,
//! a float8[] read in place. Each says false where it does not apply, and the caller takes
//! the general path (which also words the errors).

use pgrx::htup::heap_tuple_header_get_datum_length;
use pgrx::pg_sys::{self, Oid};

use super::PlanCache;
use crate::data::types::to_f64;
use mining::model::stored::StoredModel;
use mining::prepare::preprocess::NumberParams;

/// A number feature read from a number column: where, and how the model encodes it.
pub(super) struct NumberSource {
    pub attr: usize,
    pub base: Oid,
    pub encode: NumberParams,
    /// Where the value starts in a row without NULLs, and its width, when every column up to
    /// it has a fixed width and it is passed by value.
    pub fixed: Option<(usize, usize)>,
}

/// Per attribute, where its value starts in the data of a row without NULLs, and its width,
/// as heap_deform_tuple finds it: known while every attribute before it has a fixed width
/// (dropped ones too: their bytes are still in old rows), kept for those passed by value.
pub(super) fn fixed_offsets(
    attrs: &[pg_sys::FormData_pg_attribute],
) -> Vec<Option<(usize, usize)>> {
    let mut out = Vec::with_capacity(attrs.len());
    let mut off = 0usize;
    for a in attrs {
        let Ok(len) = usize::try_from(a.attlen) else {
            break; // variable width (-1, -2): later offsets depend on the row
        };
        let align = match a.attalign as u8 {
            pg_sys::TYPALIGN_DOUBLE => 8,
            pg_sys::TYPALIGN_INT => 4,
            pg_sys::TYPALIGN_SHORT => 2,
            _ => 1,
        };
        off = off.div_ceil(align) * align;
        out.push((a.attbyval && matches!(len, 1 | 2 | 4 | 8)).then_some((off, len)));
        off += len;
    }
    out
}

/// The value at a fixed offset of a row's data, as a by-value datum (fetch_att).
///
/// # Safety
/// `data` points at a row's data with at least `off + len` bytes.
unsafe fn fixed_datum(data: *const u8, (off, len): (usize, usize)) -> pg_sys::Datum {
    unsafe {
        let at = data.add(off);
        match len {
            8 => pg_sys::Datum::from(at.cast::<i64>().read_unaligned()),
            4 => pg_sys::Datum::from(at.cast::<i32>().read_unaligned()),
            2 => pg_sys::Datum::from(at.cast::<i16>().read_unaligned()),
            _ => pg_sys::Datum::from(at.read()),
        }
    }
}

/// A row of numbers encoded straight from its bytes into `buf` (true): every feature at a
/// fixed offset, the row without NULLs and with all its columns (not one written before a
/// column was added), every value finite. Otherwise false and `buf` is to be refilled.
///
/// # Safety
/// `header` must be a valid row of the type `numbers` was planned for.
pub(super) unsafe fn fixed_encoded(
    numbers: &[NumberSource],
    natts: usize,
    header: pg_sys::HeapTupleHeader,
    buf: &mut Vec<f64>,
) -> bool {
    unsafe {
        let h = &*header;
        if u32::from(h.t_infomask) & pg_sys::HEAP_HASNULL != 0
            || (u32::from(h.t_infomask2) & pg_sys::HEAP_NATTS_MASK) as usize != natts
        {
            return false;
        }
        let hoff = usize::from(h.t_hoff);
        let Some(room) = heap_tuple_header_get_datum_length(header).checked_sub(hoff) else {
            return false;
        };
        let data = header.cast::<u8>().add(hoff).cast_const();
        buf.clear();
        numbers.iter().all(|n| {
            let Some(fixed) = n.fixed.filter(|&(off, len)| off + len <= room) else {
                return false;
            };
            let v = to_f64(fixed_datum(data, fixed), n.base);
            buf.push((v - n.encode.center) / n.encode.scale);
            v.is_finite()
        })
    }
}

/// A float8[] of the model's feature count, without NULLs, NaN or infinities, for a model of
/// numbers only: encoded in place into `buf` (true). Otherwise false, for the general path.
///
/// # Safety
/// `datum` must be a valid, non-NULL float8[].
pub(super) unsafe fn float8_array_encoded(
    model: &StoredModel,
    plans: &PlanCache,
    datum: pg_sys::Datum,
    buf: &mut Vec<f64>,
) -> bool {
    let Some(numbers) = plans.numbers.get_or_init(|| model.prep.number_params()) else {
        return false;
    };
    let Some(stale) = std::ptr::NonNull::new(datum.cast_mut_ptr::<pg_sys::varlena>()) else {
        return false;
    };
    // SAFETY: a non-NULL float8[]; a detoasted copy is freed once its elements are read.
    unsafe {
        let fresh = pg_sys::pg_detoast_datum(stale.as_ptr());
        let Some(ptr) = std::ptr::NonNull::new(fresh) else {
            return false;
        };
        let mut raw = pgrx::array::RawArray::from_ptr(ptr.cast());
        let ok = raw.len() == numbers.len() && !raw.any_nulls() && {
            let values: &[f64] = raw.data::<f64>().as_ref();
            buf.clear();
            values.iter().zip(numbers).all(|(&x, n)| {
                buf.push((x - n.center) / n.scale);
                x.is_finite()
            })
        };
        if fresh != stale.as_ptr() {
            pg_sys::pfree(fresh.cast());
        }
        ok
    }
}
