//! The preprocessing an algorithm gets unless the options say otherwise: what its registry
//! entry declares (standard scaling for the learners that compare distances or weights, missing
//! numbers left to the tree learners), under options.scale and the category options.

use crate::model::estimator::Estimator;
use crate::prepare::options::TrainOptions;
use crate::prepare::preprocess::{Defaults, Scale};

/// The preprocessing defaults for `estimator` under `opts`.
pub(super) fn for_estimator(estimator: &Estimator, opts: &TrainOptions) -> Defaults {
    let declared = estimator.preprocessing();
    Defaults {
        scale: opts.scale.unwrap_or(if declared.scale {
            Scale::Standard
        } else {
            Scale::None
        }),
        missing_numbers: declared.routes_missing,
        unknown: opts.unknown,
        max_categories: opts.max_categories,
    }
}
