//! Unit tests of `mining::frame`.

use super::*;

#[test]
fn text_columns_are_dictionary_encoded() {
    let mut c = Column::new("plan", "text", ColumnKind::Text);
    for v in [Some("a"), Some("b"), None, Some("a")] {
        c.push_text(v);
    }
    match &c.data {
        ColumnData::Text { codes, levels, .. } => {
            assert_eq!(levels, &vec!["a".to_string(), "b".to_string()]);
            assert_eq!(codes, &vec![0, 1, NULL_CODE, 0]);
        }
        _ => panic!("not text"),
    }
    assert_eq!(c.null_count(), 1);
    assert_eq!(c.text_at(3).as_deref(), Some("a"));
    assert_eq!(c.cell_hash(0), c.cell_hash(3));
    assert_ne!(c.cell_hash(0), c.cell_hash(1));
}

#[test]
fn numbers_and_booleans_print_like_postgres() {
    let mut c = Column::new("flag", "boolean", ColumnKind::Boolean);
    c.push_number(Some(1.0));
    c.push_number(None);
    assert_eq!(c.text_at(0).as_deref(), Some("true"));
    assert_eq!(c.text_at(1), None);
    assert_eq!(format_number(3.0), "3");
    assert_eq!(format_number(2.5), "2.5");
}

#[test]
fn column_lookup_falls_back_to_case_insensitive() {
    let f = Frame {
        columns: vec![Column::new("Age", "integer", ColumnKind::Integer)],
    };
    assert_eq!(f.position("Age"), Some(0));
    assert_eq!(f.position("age"), Some(0));
    assert_eq!(f.position("agex"), None);
}
