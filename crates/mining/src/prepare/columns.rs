//! Which columns a training run uses: the target, the features (named, or all but the target,
//! the excluded ones and the time column) and the time column of a time split.

use std::collections::HashSet;

use crate::common::error::{Error, Result};
use crate::common::frame::Frame;
use crate::prepare::options::TrainOptions;

pub struct Roles {
    pub features: Vec<usize>,
    /// The time column of a time split.
    pub order: Option<usize>,
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

/// Chooses the feature and time columns beside the target column `target` (None: unsupervised).
pub fn choose(frame: &Frame, target: Option<usize>, opts: &TrainOptions) -> Result<Roles> {
    for e in &opts.exclude {
        find(frame, e, "excluded")?;
    }
    let order = match &opts.split.order_by {
        Some(name) => Some(find(frame, name, "split.order_by")?),
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
                .filter(|&i| Some(i) != target && Some(i) != order && !excluded.contains(&i))
                .collect()
        }
    };
    if features.is_empty() {
        return Err(Error::param(
            "no feature columns are left beside the target",
        ));
    }
    for col in opts.preprocess.keys() {
        if !features.iter().any(|&i| frame.columns[i].name == *col) {
            return Err(Error::column(format!(
                "options.preprocess names \"{col}\", which is not a feature column"
            )));
        }
    }
    let used = features.iter().chain(target.iter()).chain(order.iter());
    if let Some(c) = used.map(|&i| &frame.columns[i]).find(|c| c.non_finite > 0) {
        return Err(Error::data(format!(
            "column \"{}\" holds NaN or Infinity in {} row{}; pg_mining does not train on them (make them NULL or filter them out)",
            c.name,
            c.non_finite,
            if c.non_finite == 1 { "" } else { "s" }
        )));
    }
    Ok(Roles { features, order })
}
