//! Model bytes: a header (magic, format version, algorithm) then the bincode body, which from
//! format 2 on is compressed (an LZ4 frame with a content checksum, then the body's length as
//! a little-endian u64, so a cut anywhere shows; format 1 stored the body as it is, and still
//! loads). The only place that knows the layout, so a format or library change
//! is one file.

use std::io::Read;

use crate::common::budget::Budget;
use crate::common::error::{Error, ErrorKind, Result};
use crate::model::format_legacy::StoredModelV2;
use crate::model::stored::StoredModel;

const MAGIC: &[u8; 8] = b"PGMINING";
/// 4: a classification tree grown with class weights keeps each leaf's weight per class in
/// `values` beside its row counts (learners/trees/tree.rs; the body's layout is that of 3, so
/// 3 loads as it is, while a pg_mining that reads up to 3 refuses such a tree instead of
/// misreading it). 3: trees keep 16-byte nodes, leaf outputs and leaf weights (2 and before:
/// 24-byte nodes and every node's output).
pub const FORMAT_VERSION: u16 = 4;
/// Corrupt length fields must not make us allocate without bound.
const BODY_LIMIT: usize = 1 << 31;

/// What a body's decoding may allocate, at most, per byte of the body: a value decodes to more
/// memory than its bytes (varints, vector headers), but not to this many times more.
const EXPANSION: usize = 64;

/// Decodes a body, allowing it to allocate in all at most a tier of memory chosen by its size
/// (EXPANSION × its length, rounded up to 16 MiB, 128 MiB, 1 GiB or BODY_LIMIT): a damaged
/// length in a small model cannot ask for gigabytes. (bincode takes the limit as a constant,
/// hence the tiers.)
fn decode_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> std::result::Result<(T, usize), bincode::error::DecodeError> {
    use bincode::serde::decode_from_slice;
    let standard = bincode::config::standard;
    let want = body.len().saturating_mul(EXPANSION);
    if want <= 16 << 20 {
        decode_from_slice(body, standard().with_limit::<{ 16 << 20 }>())
    } else if want <= 128 << 20 {
        decode_from_slice(body, standard().with_limit::<{ 128 << 20 }>())
    } else if want <= 1 << 30 {
        decode_from_slice(body, standard().with_limit::<{ 1 << 30 }>())
    } else {
        decode_from_slice(body, config())
    }
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<BODY_LIMIT>()
}

pub fn encode(model: &StoredModel) -> Result<Vec<u8>> {
    let algo = model.algorithm.as_bytes();
    let failed = |e: &dyn std::fmt::Display| Error::internal(format!("cannot encode model: {e}"));
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(algo.len() as u16).to_le_bytes());
    out.extend_from_slice(algo);
    // Compressed as it is written: a large forest's body (tens of megabytes) is never held
    // whole.
    let info = lz4_flex::frame::FrameInfo::new().content_checksum(true);
    let mut lz4 = lz4_flex::frame::FrameEncoder::with_frame_info(info, Grown(out));
    let length =
        bincode::serde::encode_into_std_write(model, &mut lz4, config()).map_err(|e| failed(&e))?;
    let mut out = lz4.finish().map_err(|e| failed(&e))?.0;
    out.extend_from_slice(&(length as u64).to_le_bytes());
    out.shrink_to_fit();
    Ok(out)
}

/// Model bytes being written: grown by a quarter when full, not doubled, so a large model's
/// bytes take at most a quarter more than their size while they are written (they are the
/// last large allocation of training, beside the fitted model).
struct Grown(Vec<u8>);

impl std::io::Write for Grown {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let v = &mut self.0;
        if v.capacity() - v.len() < buf.len() {
            v.reserve_exact(buf.len().max(v.len() / 4));
        }
        v.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn corrupt(why: &str) -> Error {
    Error::new(
        ErrorKind::Corrupt,
        format!("model bytes are corrupt: {why}"),
    )
}

/// Reads the header only: (format version, algorithm).
pub fn header(bytes: &[u8]) -> Result<(u16, String, usize)> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(corrupt("no pg_mining header"));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    let len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let algo = bytes
        .get(12..12 + len)
        .ok_or_else(|| corrupt("truncated header"))?;
    let algo = std::str::from_utf8(algo).map_err(|_| corrupt("algorithm name is not UTF-8"))?;
    Ok((version, algo.to_string(), 12 + len))
}

/// The stored model of `bytes`, checked (see `StoredModel::validate`) before anything scores
/// with it.
pub fn decode(bytes: &[u8]) -> Result<StoredModel> {
    decode_within(bytes, &Budget::unlimited())
}

/// `decode`, with the decompressed body's declared size checked against `budget` first.
pub fn decode_within(bytes: &[u8], budget: &Budget) -> Result<StoredModel> {
    let model = read(bytes, budget)?;
    model.validate().map_err(|why| corrupt(&why))?;
    Ok(model)
}

/// The stored model of `bytes`, as its format lays it out, not yet validated.
fn read(bytes: &[u8], budget: &Budget) -> Result<StoredModel> {
    let (version, algo, start) = header(bytes)?;
    if version > FORMAT_VERSION {
        return Err(Error::new(
            ErrorKind::NotSupported,
            format!("model format {version} was written by a newer pg_mining (this one reads up to {FORMAT_VERSION}); upgrade the extension"),
        ));
    }
    let stored = bytes.get(start..).unwrap_or(&[]);
    let mut unpacked = Vec::new();
    let body: &[u8] = if version >= 2 {
        let Some(split) = stored.len().checked_sub(8) else {
            return Err(corrupt("truncated body"));
        };
        let (frame, length) = stored.split_at(split);
        let mut length_bytes = [0u8; 8];
        length_bytes.copy_from_slice(length);
        let declared = u64::from_le_bytes(length_bytes);
        if declared > BODY_LIMIT as u64 {
            return Err(corrupt(
                "the body is cut short or damaged (its declared length is over 2 GiB)",
            ));
        }
        budget.check(
            "loading the model (its decompressed body)",
            declared as usize,
        )?;
        lz4_flex::frame::FrameDecoder::new(frame)
            // One byte more than declared: a body longer than its length shows.
            .take(declared + 1)
            .read_to_end(&mut unpacked)
            .map_err(|e| corrupt(&format!("the body cannot be decompressed ({e})")))?;
        if unpacked.len() as u64 != declared {
            return Err(corrupt("the body is cut short"));
        }
        &unpacked
    } else {
        stored
    };
    let cannot =
        |e: bincode::error::DecodeError| corrupt(&format!("the body cannot be decoded ({e})"));
    // The format decides the layout: trees changed in format 3.
    let (model, used) = if version < 3 {
        let (old, used): (StoredModelV2, usize) = decode_body(body).map_err(cannot)?;
        (old.into_current(), used)
    } else {
        decode_body::<StoredModel>(body).map_err(cannot)?
    };
    if used != body.len() {
        return Err(corrupt("trailing bytes after the model"));
    }
    if model.algorithm != algo {
        return Err(corrupt("header and body disagree on the algorithm"));
    }
    Ok(model)
}

/// The uncompressed body of a model, as `encode` compresses it (tests damage it).
#[cfg(test)]
pub(crate) fn body_for_tests(model: &StoredModel) -> Vec<u8> {
    bincode::serde::encode_to_vec(model, config()).unwrap_or_default()
}

/// Model bytes of the current format around an uncompressed `body`, with a valid checksum
/// and length, so that decoding reaches the body whatever it holds.
#[cfg(test)]
pub(crate) fn framed_for_tests(algorithm: &str, body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(algorithm.len() as u16).to_le_bytes());
    out.extend_from_slice(algorithm.as_bytes());
    let info = lz4_flex::frame::FrameInfo::new().content_checksum(true);
    let mut lz4 = lz4_flex::frame::FrameEncoder::with_frame_info(info, out);
    lz4.write_all(body).unwrap_or_default();
    let mut out = lz4.finish().unwrap_or_default();
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out
}

#[cfg(test)]
mod tests;
