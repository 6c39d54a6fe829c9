//! JSON text (a jsonb argument as Postgres prints it) into a value, where a number beyond
//! float8's range (`1e309`: jsonb keeps it, f64 cannot) is an error naming the key it belongs
//! to, not an internal failure.

use serde_json::Value;

use crate::common::error::{Error, Result};

/// Parses `text`; `what` names the argument for the message.
pub fn parse(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        let at = offset_of(text, e.line(), e.column());
        match key_before(text, at) {
            Some(key) if e.to_string().contains("number out of range") => Error::param(format!(
                "{what}: the number of \"{key}\" is beyond the range of float8"
            )),
            _ if e.to_string().contains("number out of range") => {
                Error::param(format!("{what}: a number is beyond the range of float8"))
            }
            _ => Error::param(format!("{what} is not JSON pg_mining can read: {e}")),
        }
    })
}

/// The byte offset of a 1-based (line, column) position.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(text.len())
}

/// The last object key that starts before `at` (`"key":`), if any.
fn key_before(text: &str, at: usize) -> Option<String> {
    let head = text.get(..at)?;
    let colon = head.rfind("\":")?;
    let open = head[..colon].rfind('"')?;
    Some(head[open + 1..colon].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_float8_name_their_key() {
        let e = parse(r#"{"max_depth": 1e309}"#, "hyperparams").unwrap_err();
        assert_eq!(
            e.message,
            "hyperparams: the number of \"max_depth\" is beyond the range of float8"
        );
        let e = parse(r#"{"a": 1, "b": [1, -1e400]}"#, "the jsonb input").unwrap_err();
        assert!(e.message.contains("\"b\""), "{}", e.message);
        assert_eq!(parse(r#"{"a": 1e308}"#, "x").unwrap()["a"], 1e308);
        assert!(parse("{", "options")
            .unwrap_err()
            .message
            .starts_with("options is not JSON"));
    }
}
