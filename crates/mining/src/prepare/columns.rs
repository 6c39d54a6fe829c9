//! Which columns a training run uses: the target, the features (named, or all but the target,
//! the excluded ones, the time column, the group column and the weight column), the time column of
//! a time split and the weight column (options.weight_column).

use std::collections::HashSet;

use crate::common::error::{Error, ErrorKind, Result};
use crate::common::frame::{ColumnData, ColumnKind, Frame};
use crate::prepare::options::TrainOptions;

pub struct Roles {
    pub features: Vec<usize>,
    /// The time column of a time split.
    pub order: Option<usize>,
    /// options.weight_column: a numeric column, never a feature or the target.
    pub weight: Option<usize>,
}

fn columns_list(frame: &Frame) -> String {
    frame
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Position of a named column, or an error naming it and listing the columns.
pub fn find(frame: &Frame, name: &str, role: &str) -> Result<usize> {
    frame.position(name).ok_or_else(|| {
        Error::column(format!(
            "{role} column \"{name}\" does not exist; the columns are: {}",
            columns_list(frame)
        ))
    })
}

/// A column name used twice among the features, or the target again as a feature (a query
/// that selects it twice), is an error: the model would train on its own label, or keep two
/// features no input could tell apart.
fn distinct_names(frame: &Frame, features: &[usize], target: Option<usize>) -> Result<()> {
    let name = |i: usize| frame.columns[i].name.as_str();
    if let Some(t) = target {
        if let Some(&f) = features.iter().find(|&&f| name(f) == name(t)) {
            return Err(Error::new(
                ErrorKind::DuplicateColumn,
                format!(
                    "the target \"{}\" appears twice in the relation (columns {} and {}); select it once, or give the copy another name",
                    name(t),
                    t.min(f) + 1,
                    t.max(f) + 1
                ),
            ));
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    if let Some(&f) = features.iter().find(|&&f| !seen.insert(name(f))) {
        return Err(Error::new(
            ErrorKind::DuplicateColumn,
            format!(
                "column \"{}\" appears twice among the features; give each column its own name (SELECT ... AS)",
                name(f)
            ),
        ));
    }
    Ok(())
}

/// Chooses the feature and time columns beside the target column `target` (None: unsupervised).
pub fn choose(frame: &Frame, target: Option<usize>, opts: &TrainOptions) -> Result<Roles> {
    for e in &opts.exclude {
        find(frame, e, "excluded")?;
    }
    let order = match &opts.split.order_by {
        Some(name) => Some(find(frame, name, "split.order_by")?),
        None => None,
    };
    // An entity's identifier is not a feature unless named as one (a group split's test rows
    // hold only values the model never saw).
    let group = match &opts.split.group_by {
        Some(name) => Some(find(frame, name, "split.group_by")?),
        None => None,
    };
    let weight = match &opts.weight_column {
        Some(name) => Some(weight_column(frame, name, target)?),
        None => None,
    };
    let features: Vec<usize> = match &opts.features {
        Some(list) => {
            let mut idx = Vec::new();
            for f in list {
                let i = find(frame, f, "feature")?;
                if Some(i) == target {
                    return Err(Error::param(format!(
                        "the target \"{}\" cannot also be a feature",
                        frame.columns[i].name
                    )));
                }
                if Some(i) == weight {
                    return Err(Error::param(format!(
                        "the weight column \"{}\" cannot also be a feature",
                        frame.columns[i].name
                    )));
                }
                if !idx.contains(&i) {
                    idx.push(i);
                }
            }
            idx
        }
        None => {
            let excluded: HashSet<usize> = opts
                .exclude
                .iter()
                .filter_map(|e| frame.position(e))
                .collect();
            (0..frame.columns.len())
                .filter(|&i| {
                    Some(i) != target
                        && Some(i) != order
                        && Some(i) != group
                        && Some(i) != weight
                        && !excluded.contains(&i)
                })
                .collect()
        }
    };
    if features.is_empty() {
        return Err(Error::param(
            "no feature columns are left beside the target",
        ));
    }
    distinct_names(frame, &features, target)?;
    for col in opts.preprocess.keys() {
        if !features.iter().any(|&i| frame.columns[i].name == *col) {
            return Err(Error::column(format!(
                "options.preprocess names \"{col}\", which is not a feature column"
            )));
        }
    }
    let used = features
        .iter()
        .chain(target.iter())
        .chain(order.iter())
        .chain(weight.iter());
    if let Some(c) = used.map(|&i| &frame.columns[i]).find(|c| c.non_finite > 0) {
        return Err(Error::data(format!(
            "column \"{}\" holds NaN or Infinity in {} row{}; pg_mining does not train on them (make them NULL or filter them out)",
            c.name,
            c.non_finite,
            if c.non_finite == 1 { "" } else { "s" }
        )));
    }
    Ok(Roles {
        features,
        order,
        weight,
    })
}

/// The position of options.weight_column: a numeric column other than the target.
fn weight_column(frame: &Frame, name: &str, target: Option<usize>) -> Result<usize> {
    let i = find(frame, name, "weight")?;
    let c = &frame.columns[i];
    if Some(i) == target {
        return Err(Error::param(format!(
            "the target \"{name}\" cannot also be the weight column"
        )));
    }
    match (&c.data, c.kind) {
        (ColumnData::Numeric(_), ColumnKind::Integer | ColumnKind::Float) => Ok(i),
        _ => Err(Error::param(format!(
            "weight_column \"{name}\" must be numeric (a sample weight per row); it is {}",
            c.sql_type
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::frame::{Column, ColumnKind};

    fn frame(names: &[&str]) -> Frame {
        let columns = names
            .iter()
            .map(|n| {
                let mut c = Column::new(*n, "double precision", ColumnKind::Float);
                c.push_number(Some(1.0));
                c
            })
            .collect();
        Frame { columns }
    }

    #[test]
    fn a_column_selected_twice_is_an_error_naming_it() {
        let opts = TrainOptions::default();
        let f = frame(&["id", "a", "lab", "lab"]);
        let e = choose(&f, Some(2), &opts).err().unwrap();
        assert_eq!(e.kind, ErrorKind::DuplicateColumn);
        assert!(
            e.message.contains("the target \"lab\" appears twice")
                && e.message.contains("columns 3 and 4"),
            "{}",
            e.message
        );
        let f = frame(&["a", "a", "y"]);
        let e = choose(&f, Some(2), &opts).err().unwrap();
        assert!(
            e.message.contains("column \"a\" appears twice"),
            "{}",
            e.message
        );
        assert!(choose(&f, None, &opts).is_err());
        let f = frame(&["a", "b", "y"]);
        assert_eq!(choose(&f, Some(2), &opts).unwrap().features, vec![0, 1]);
    }
}
