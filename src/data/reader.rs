//! Reads a table, view or query through an SPI cursor, batch by batch, into a column-oriented
//! frame. Each batch is converted and freed before the next is fetched.

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::spi::SpiClient;

use super::types::{base_type, kind_of, to_f64, to_str, type_name};
use crate::pg::compat;
use crate::pg::errors::{raise, SqlError};
use crate::pg::spi::read_one;
use mining::common::budget::Budget;
use mining::common::frame::{Column, ColumnKind, Frame};

const BATCH: i64 = 10_000;

/// A frame plus the columns it left out (unsupported types).
pub struct ReadResult {
    pub frame: Frame,
    pub skipped: Vec<(String, String)>,
}

/// An identifier in double quotes (quotes inside doubled): safe to put in SQL text.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Is `relation` a query rather than a relation name?
pub fn is_query(relation: &str) -> bool {
    let t = relation.trim_start().to_ascii_lowercase();
    ["select", "with", "values", "table", "("].iter().any(|k| {
        t.starts_with(k)
            && t[k.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    })
}

/// Splits `schema.name` into identifiers, honouring double quotes. None if malformed.
pub fn parse_qualified_name(s: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = s.trim().chars().peekable();
    loop {
        let mut ident = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        ident.push('"');
                    }
                    Some('"') => break,
                    Some(c) => ident.push(c),
                    None => return None,
                }
            }
            if ident.is_empty() {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    ident.push(c.to_ascii_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit() || c == '$') {
                return None;
            }
        }
        parts.push(ident);
        match chars.next() {
            None => break,
            Some('.') if parts.len() < 3 => continue,
            Some(_) => return None,
        }
    }
    Some(parts)
}

/// The SELECT that reads `relation`: a validated, quoted relation name, or the user's query
/// wrapped as a subquery (so it is a single statement).
pub fn source_query(relation: &str) -> String {
    if is_query(relation) {
        let q = relation
            .trim()
            .trim_end_matches(|c: char| c == ';' || c.is_whitespace());
        return format!("SELECT * FROM ({q}\n) AS dm_source");
    }
    if parse_qualified_name(relation).is_none() {
        raise(SqlError::InvalidName(format!(
            "\"{relation}\" is neither a relation name nor a query (SELECT, WITH, VALUES or TABLE ...)"
        )));
    }
    let oid = read_one::<pg_sys::Oid>("SELECT to_regclass($1)::oid", &[relation.into()])
        .ok()
        .flatten();
    let Some(oid) = oid else {
        raise(SqlError::UndefinedTable(format!(
            "relation \"{relation}\" does not exist"
        )));
    };
    let quoted = read_one::<String>(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1",
        &[oid.into()],
    )
    .ok()
    .flatten();
    match quoted {
        Some(q) => format!("SELECT * FROM {q}"),
        None => raise(SqlError::UndefinedTable(format!(
            "relation \"{relation}\" does not exist"
        ))),
    }
}

struct Reader {
    columns: Vec<Option<(Column, pg_sys::Oid)>>,
    skipped: Vec<(String, String)>,
}

impl Reader {
    unsafe fn from_tupdesc(desc: pg_sys::TupleDesc) -> Reader {
        let natts = (*desc).natts as usize;
        let mut columns = Vec::with_capacity(natts);
        let mut skipped = Vec::new();
        let attrs = compat::attributes(desc);
        for att in attrs {
            let name = std::ffi::CStr::from_ptr(att.attname.data.as_ptr())
                .to_string_lossy()
                .into_owned();
            if att.attisdropped {
                columns.push(None);
                continue;
            }
            let base = base_type(att.atttypid);
            match kind_of(base) {
                Some(kind) => columns.push(Some((
                    Column::new(name, type_name(att.atttypid), kind),
                    base,
                ))),
                None => {
                    skipped.push((name, type_name(att.atttypid)));
                    columns.push(None);
                }
            }
        }
        Reader { columns, skipped }
    }

    unsafe fn add_batch(&mut self, table: *mut pg_sys::SPITupleTable, n: usize) {
        let desc = (*table).tupdesc;
        let tuples = std::slice::from_raw_parts((*table).vals, n);
        for (j, slot) in self.columns.iter_mut().enumerate() {
            let Some((col, base)) = slot else { continue };
            let attno = (j + 1) as i32;
            for &tuple in tuples {
                let mut isnull = false;
                let datum = pg_sys::SPI_getbinval(tuple, desc, attno, &mut isnull);
                if isnull {
                    col.push_number(None);
                } else if col.kind == ColumnKind::Text {
                    col.push_text(Some(to_str(datum, *base)));
                } else {
                    col.push_number(Some(to_f64(datum, *base)));
                }
            }
        }
    }
}

/// Reads every row of `query` into a frame, within the memory budget.
pub fn read(query: &str, budget: &Budget) -> ReadResult {
    let result = Spi::connect(
        |client: &SpiClient<'_>| -> Result<ReadResult, pgrx::spi::Error> {
            let mut cursor = client.try_open_cursor(query, &[])?;
            let mut reader: Option<Reader> = None;
            loop {
                pg_sys::check_for_interrupts!();
                let batch = cursor.fetch(BATCH)?;
                let n = batch.len();
                // SAFETY: fetch left the batch in SPI_tuptable; we read it and free it before the
                // next fetch, and `batch` is not used after that.
                unsafe {
                    let table = pg_sys::SPI_tuptable;
                    if table.is_null() {
                        break;
                    }
                    let r = reader.get_or_insert_with(|| Reader::from_tupdesc((*table).tupdesc));
                    r.add_batch(table, n);
                    pg_sys::SPI_freetuptable(table);
                    pg_sys::SPI_tuptable = std::ptr::null_mut();
                }
                if let Some(r) = &reader {
                    let bytes = r
                        .columns
                        .iter()
                        .flatten()
                        .map(|(c, _)| c.heap_bytes())
                        .sum();
                    if let Err(e) = budget.check("reading the relation", bytes) {
                        raise(SqlError::Mining(e));
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let reader = reader.unwrap_or(Reader {
                columns: Vec::new(),
                skipped: Vec::new(),
            });
            Ok(ReadResult {
                frame: Frame {
                    columns: reader
                        .columns
                        .into_iter()
                        .flatten()
                        .map(|(mut c, _)| {
                            c.shrink_to_fit();
                            c
                        })
                        .collect(),
                },
                skipped: reader.skipped,
            })
        },
    );
    match result {
        Ok(r) => r,
        Err(e) => raise(SqlError::Internal(format!(
            "reading the relation failed: {e}"
        ))),
    }
}
