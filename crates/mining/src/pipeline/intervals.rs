//! A regression's prediction intervals, calibrated after the fit (model/interval.rs): on the
//! test rows, the only rows no part of fitting looked at (early stopping and decision
//! thresholds use the validation rows or folds), so the intervals' coverage holds for new rows.

use serde_json::{json, Value};

use crate::common::error::Result;
use crate::common::progress::Progress;
use crate::model::fitted::Fitted;
use crate::model::interval::Conformal;
use crate::pipeline::prepared::{Prepared, Target};

impl Prepared {
    /// The held-out residuals and what the report says of them; None for classes, and without
    /// test rows.
    pub(super) fn calibrate_intervals(
        &self,
        fitted: &Fitted,
        stop: &Progress,
    ) -> Result<Option<(Conformal, Value)>> {
        let Target::Values(y) = &self.target else {
            return Ok(None);
        };
        let rows = &self.split.test;
        if rows.is_empty() {
            return Ok(None);
        }
        let predicted = self.source().values_at(fitted, rows, stop)?;
        let actual: Vec<f64> = rows.iter().map(|&r| y[r]).collect();
        let c = Conformal::calibrate(&actual, &predicted, self.seed);
        let width = |alpha: f64| c.half_width(alpha).ok();
        let info = json!({"calibrated_on": "test", "residuals": c.residuals.len(),
                          "half_width": {"0.1": width(0.1), "0.05": width(0.05)}});
        Ok(Some((c, info)))
    }
}
