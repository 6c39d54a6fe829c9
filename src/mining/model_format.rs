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
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(algo.len() as u16).to_le_bytes());
    out.extend_from_slice(algo);
    let body = bincode::serde::encode_to_vec(model, config()).map_err(|e| Error::internal(format!("cannot encode model: {e}")))?;
    out.extend_from_slice(&body);
    Ok(out)
}

fn corrupt(why: &str) -> Error {
    Error::new(ErrorKind::Corrupt, format!("model bytes are corrupt: {why}"))
}

/// Reads the header only: (format version, algorithm).
pub fn header(bytes: &[u8]) -> Result<(u16, String, usize)> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(corrupt("no pg_mining header"));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    let len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let algo = bytes.get(12..12 + len).ok_or_else(|| corrupt("truncated header"))?;
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
mod tests {
    use super::*;
    use crate::mining::estimator::{Fitted, Task};
    use crate::mining::frame::{Column, ColumnKind};
    use crate::mining::linear::LinearModel;
    use crate::mining::preprocess::{ColumnChoice, Defaults, Preprocessor, Raw, Scale, Unknown};

    fn model() -> StoredModel {
        let mut c = Column::new("plan", "text", ColumnKind::Text);
        for v in ["a", "b", "a"] {
            c.push_text(Some(v));
        }
        let d = Defaults { scale: Scale::None, unknown: Unknown::Ignore, max_categories: 10 };
        let (prep, _) = Preprocessor::fit(&[&c], &[0, 1, 2], &[ColumnChoice::default()], d).unwrap();
        StoredModel {
            task: Task::Regression,
            algorithm: "linear_regression".into(),
            target: "y".into(),
            target_type: "double precision".into(),
            target_kind: ColumnKind::Float,
            classes: vec![],
            prep,
            estimator: Fitted::Linear(LinearModel { coef: vec![1.0, 2.0], intercept: 0.5 }),
        }
    }

    #[test]
    fn round_trip_gives_identical_predictions() {
        let m = model();
        let bytes = encode(&m).unwrap();
        let back = decode(&bytes).unwrap();
        let mut buf = Vec::new();
        for v in ["a", "b", "zzz"] {
            assert_eq!(
                m.predict_value(&[Raw::Text(v)], &mut buf).unwrap(),
                back.predict_value(&[Raw::Text(v)], &mut buf).unwrap()
            );
        }
        assert_eq!(back.predict_value(&[Raw::Text("b")], &mut buf).unwrap(), 2.5);
        assert_eq!(header(&bytes).unwrap().1, "linear_regression");
    }

    #[test]
    fn corrupt_bytes_are_errors_not_panics() {
        let bytes = encode(&model()).unwrap();
        assert_eq!(decode(b"hello").unwrap_err().kind, ErrorKind::Corrupt);
        assert_eq!(decode(&bytes[..bytes.len() - 3]).unwrap_err().kind, ErrorKind::Corrupt);
        let mut flipped = bytes.clone();
        for b in flipped.iter_mut().skip(30) {
            *b = 0xFF;
        }
        assert!(decode(&flipped).is_err());
        let mut newer = bytes.clone();
        newer[8] = 99;
        assert_eq!(decode(&newer).unwrap_err().kind, ErrorKind::NotSupported);
        // Every truncation is an error, never a panic.
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err());
        }
    }
}
