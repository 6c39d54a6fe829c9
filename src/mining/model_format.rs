//! Model bytes: a header (magic, format version, algorithm) then the bincode body, which from
//! format 2 on is compressed (an LZ4 frame with a content checksum, then the body's length as
//! a little-endian u64, so a cut anywhere shows; format 1 stored the body as it is, and still
//! loads). The only place that knows the layout, so a format or library change
//! is one file.

use std::io::Read;

use super::error::{Error, ErrorKind, Result};
use super::model::StoredModel;

const MAGIC: &[u8; 8] = b"PGMINING";
/// 3: trees keep 16-byte nodes, leaf outputs and leaf weights (tree.rs; 2 and before: 24-byte
/// nodes and every node's output).
pub const FORMAT_VERSION: u16 = 3;
/// Corrupt length fields must not make us allocate without bound.
const BODY_LIMIT: usize = 1 << 31;

thread_local! {
    /// The format of the model being decoded on this thread, for types whose layout changed
    /// between formats (their Deserialize asks `reading_format`).
    static READING: std::cell::Cell<u16> = const { std::cell::Cell::new(FORMAT_VERSION) };
}

/// The format of the model bytes being decoded (the current one outside `decode`).
pub fn reading_format() -> u16 {
    READING.with(|r| r.get())
}

/// Sets the format being read until dropped.
struct Reading;

impl Reading {
    fn new(version: u16) -> Reading {
        READING.with(|r| r.set(version));
        Reading
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.with(|r| r.set(FORMAT_VERSION));
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

pub fn decode(bytes: &[u8]) -> Result<StoredModel> {
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
        lz4_flex::frame::FrameDecoder::new(frame)
            .take(BODY_LIMIT as u64)
            .read_to_end(&mut unpacked)
            .map_err(|e| corrupt(&format!("the body cannot be decompressed ({e})")))?;
        if unpacked.len() as u64 != u64::from_le_bytes(length_bytes) {
            return Err(corrupt("the body is cut short"));
        }
        &unpacked
    } else {
        stored
    };
    let reading = Reading::new(version);
    let (model, used): (StoredModel, usize) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| corrupt(&format!("the body cannot be decoded ({e})")))?;
    drop(reading);
    if used != body.len() {
        return Err(corrupt("trailing bytes after the model"));
    }
    if model.algorithm != algo {
        return Err(corrupt("header and body disagree on the algorithm"));
    }
    Ok(model)
}

#[cfg(test)]
#[path = "tests/model_format.rs"]
mod tests;
