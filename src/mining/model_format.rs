//! Model bytes: a header (magic, format version, algorithm) then the bincode body. The only
//! place that knows the layout, so a format or library change is one file.

use super::error::{Error, ErrorKind, Result};
use super::model::StoredModel;

const MAGIC: &[u8; 8] = b"PGMINING";
pub const FORMAT_VERSION: u16 = 1;
/// Corrupt length fields must not make us allocate without bound.
const BODY_LIMIT: usize = 1 << 31;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<BODY_LIMIT>()
}

pub fn encode(model: &StoredModel) -> Result<Vec<u8>> {
    let algo = model.algorithm.as_bytes();
    let failed =
        |e: bincode::error::EncodeError| Error::internal(format!("cannot encode model: {e}"));
    // Measured first, then written once into a buffer of the exact size: a large forest is
    // tens of megabytes, which a growing buffer would hold up to three times over.
    let mut size = bincode::enc::write::SizeWriter::default();
    bincode::serde::encode_into_writer(model, &mut size, config()).map_err(failed)?;
    let mut out = Vec::with_capacity(12 + algo.len() + size.bytes_written);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(algo.len() as u16).to_le_bytes());
    out.extend_from_slice(algo);
    bincode::serde::encode_into_std_write(model, &mut out, config()).map_err(failed)?;
    Ok(out)
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
    let (model, used): (StoredModel, usize) =
        bincode::serde::decode_from_slice(&bytes[start..], config())
            .map_err(|e| corrupt(&format!("the body cannot be decoded ({e})")))?;
    if used != bytes.len() - start {
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
