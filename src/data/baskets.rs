//! Reads a (transaction, item) relation into baskets for FP-growth, streaming through an SPI
//! cursor: each transaction id and item name is hashed where it lies in the tuple and copied
//! only the first time it is seen. Integer, text and uuid transaction ids are compared as they
//! are stored; any other type by its text form. Rows with a NULL in either column are skipped.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::spi::SpiClient;
use rustc_hash::FxHasher;

use super::reader::{quote_ident, source_query};
use super::types::{base_type, to_str};
use crate::pg::compat;
use crate::pg::errors::{raise, OrRaise, SqlError};
use mining::association::fpgrowth::Baskets;
use mining::common::budget::Budget;

type Fx = BuildHasherDefault<FxHasher>;

const BATCH: i64 = 50_000;

/// How transaction ids are compared.
#[derive(Clone, Copy)]
enum TxKind {
    Int2,
    Int4,
    Int8,
    Text(pg_sys::Oid),
    Uuid,
    /// By the type's output function.
    Output(pg_sys::Oid),
}

#[derive(Default)]
struct Builder {
    baskets: Baskets,
    int_ids: HashMap<i64, u32, Fx>,
    byte_ids: HashMap<Box<[u8]>, u32, Fx>,
    item_ids: HashMap<Box<str>, u32, Fx>,
    rows: u64,
    /// Bytes of the distinct item names and transaction keys kept.
    name_bytes: usize,
}

impl Builder {
    fn transaction(&mut self, slot: Option<u32>) -> u32 {
        slot.unwrap_or_else(|| {
            self.baskets.transactions.push(Vec::new());
            (self.baskets.transactions.len() - 1) as u32
        })
    }

    fn push(&mut self, tx: u32, item: &str) {
        let id = match self.item_ids.get(item) {
            Some(&id) => id,
            None => {
                let id = self.baskets.items.len() as u32;
                self.name_bytes += 2 * item.len() + 64;
                self.baskets.items.push(item.to_string());
                self.item_ids.insert(item.into(), id);
                id
            }
        };
        if let Some(t) = self.baskets.transactions.get_mut(tx as usize) {
            t.push(id);
        }
        self.rows += 1;
    }

    /// About the bytes held so far: the baskets (their items as numbers, with the vectors' spare
    /// room), the names and the id maps.
    fn bytes(&self) -> usize {
        let t = &self.baskets.transactions;
        t.capacity() * (std::mem::size_of::<Vec<u32>>() + 32)
            + (self.rows as usize).saturating_mul(8)
            + self.name_bytes
    }

    /// The slot of a transaction id given as an integer.
    fn int_slot(&mut self, key: i64) -> u32 {
        let known = self.int_ids.get(&key).copied();
        let slot = self.transaction(known);
        if known.is_none() {
            self.int_ids.insert(key, slot);
        }
        slot
    }

    /// The slot of a transaction id given as bytes.
    fn byte_slot(&mut self, key: &[u8]) -> u32 {
        let known = self.byte_ids.get(key).copied();
        let slot = self.transaction(known);
        if known.is_none() {
            self.name_bytes += key.len() + 48;
            self.byte_ids.insert(key.into(), slot);
        }
        slot
    }

    /// # Safety
    /// `datum` is a non-NULL value of the type `kind` was made for.
    unsafe fn slot(&mut self, kind: TxKind, datum: pg_sys::Datum) -> u32 {
        unsafe {
            match kind {
                TxKind::Int2 => self.int_slot(i16::from_datum(datum, false).unwrap_or(0) as i64),
                TxKind::Int4 => self.int_slot(i32::from_datum(datum, false).unwrap_or(0) as i64),
                TxKind::Int8 => self.int_slot(i64::from_datum(datum, false).unwrap_or(0)),
                TxKind::Text(base) => self.byte_slot(to_str(datum, base).as_bytes()),
                TxKind::Uuid => {
                    let p = datum.cast_mut_ptr::<u8>();
                    self.byte_slot(std::slice::from_raw_parts(p, 16))
                }
                TxKind::Output(func) => {
                    let c = pg_sys::OidOutputFunctionCall(func, datum);
                    let slot = self.byte_slot(std::ffi::CStr::from_ptr(c).to_bytes());
                    pg_sys::pfree(c.cast());
                    slot
                }
            }
        }
    }
}

/// # Safety
/// `desc` is the tuple descriptor of the baskets query.
unsafe fn tx_kind(desc: pg_sys::TupleDesc) -> TxKind {
    unsafe {
        // The baskets query selects the transaction first; a descriptor without columns
        // reads as text and fails on the first row.
        let typ = compat::attributes(desc)
            .first()
            .map_or(pg_sys::TEXTOID, |a| a.atttypid);
        let base = base_type(typ);
        match base {
            pg_sys::INT2OID => TxKind::Int2,
            pg_sys::INT4OID => TxKind::Int4,
            pg_sys::INT8OID => TxKind::Int8,
            pg_sys::TEXTOID | pg_sys::VARCHAROID | pg_sys::BPCHAROID | pg_sys::NAMEOID => {
                TxKind::Text(base)
            }
            pg_sys::UUIDOID => TxKind::Uuid,
            _ => {
                let mut func = pg_sys::InvalidOid;
                let mut varlena = false;
                pg_sys::getTypeOutputInfo(typ, &mut func, &mut varlena);
                TxKind::Output(func)
            }
        }
    }
}

/// Reads the baskets of `relation` (a table, view or query), within the memory budget; errors
/// name `function`.
pub fn read(
    relation: &str,
    transaction_col: &str,
    item_col: &str,
    budget: &Budget,
    function: &str,
) -> Baskets {
    let query = format!(
        "SELECT s.{}, s.{}::text FROM ({}) s",
        quote_ident(transaction_col),
        quote_ident(item_col),
        source_query(relation)
    );
    let result = Spi::connect(
        |client: &SpiClient<'_>| -> Result<Builder, pgrx::spi::Error> {
            let mut cursor = client.try_open_cursor(&query, &[])?;
            let mut b = Builder::default();
            let mut kind: Option<TxKind> = None;
            loop {
                pg_sys::check_for_interrupts!();
                let n = cursor.fetch(BATCH)?.len();
                // SAFETY: fetch left the batch in SPI_tuptable; it is read and freed before the
                // next fetch. Column 1 is the transaction id (of the type `kind` was made for),
                // column 2 is text.
                unsafe {
                    let table = pg_sys::SPI_tuptable;
                    if table.is_null() {
                        break;
                    }
                    let desc = (*table).tupdesc;
                    let k = *kind.get_or_insert_with(|| tx_kind(desc));
                    for &tuple in std::slice::from_raw_parts((*table).vals, n) {
                        let (mut tx_null, mut item_null) = (false, false);
                        let tx = pg_sys::SPI_getbinval(tuple, desc, 1, &mut tx_null);
                        let item = pg_sys::SPI_getbinval(tuple, desc, 2, &mut item_null);
                        if tx_null || item_null {
                            continue;
                        }
                        let slot = b.slot(k, tx);
                        b.push(slot, to_str(item, pg_sys::TEXTOID));
                    }
                    pg_sys::SPI_freetuptable(table);
                    pg_sys::SPI_tuptable = std::ptr::null_mut();
                }
                if n == 0 {
                    break;
                }
                budget
                    .check("reading the baskets", b.bytes())
                    .or_raise_in(function);
            }
            Ok(b)
        },
    );
    match result {
        Ok(b) => b.baskets,
        Err(e) => raise(SqlError::Internal(format!(
            "reading the (transaction, item) relation failed: {e}"
        ))),
    }
}
