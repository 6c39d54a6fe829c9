//! class_weight for every classifier that takes it: none, "balanced" (scikit-learn's
//! `compute_class_weight`: rows / (classes × rows of the class), counted over the fit's own
//! training rows) or a weight per class label (classes the map does not name weigh 1; a label
//! that is no class of the target is an error, as in scikit-learn). Each fit resolves it to one
//! weight per class, and learners that weight rows take each row's class weight.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::error::{Error, Result};
use crate::common::task::Task;
use crate::learners::spec::{Hyper, Val};
use crate::learners::TrainData;

/// class_weight as given (see the module's comment). Stored in the hyperparameters as given:
/// null, "balanced" or the map.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(into = "Value", try_from = "Value")]
pub enum ClassWeight {
    #[default]
    None,
    Balanced,
    /// Class label (its text form) → weight > 0, in the order given.
    Map(Vec<(String, f64)>),
}

impl ClassWeight {
    /// The `class_weight` key of `h` (declared as spec::CLASS_WEIGHT).
    pub fn from_hyper(h: &Hyper) -> Result<ClassWeight> {
        Ok(match h.get("class_weight")? {
            Val::Word("balanced") => ClassWeight::Balanced,
            Val::WeightMap(m) => ClassWeight::Map(m.clone()),
            _ => ClassWeight::None,
        })
    }

    /// The `class_weight` of a learner that declares it for classification only (as
    /// `CLASS_WEIGHT.for_task(Task::Classification)`): none for the other tasks.
    pub fn of_task(h: &Hyper, task: Task) -> Result<ClassWeight> {
        match task {
            Task::Classification => ClassWeight::from_hyper(h),
            _ => Ok(ClassWeight::None),
        }
    }

    pub fn is_none(&self) -> bool {
        *self == ClassWeight::None
    }

    /// One weight per class for a fit on `data` (None: every class weighs 1). A map naming a
    /// label that is not one of the classes is an error listing them.
    pub fn per_class(&self, data: &TrainData) -> Result<Option<Vec<f64>>> {
        let (y, n_classes) = match data.labels()? {
            crate::common::task::Labels::Classes { y, n_classes } => (y, n_classes),
            _ => return Ok(None),
        };
        match self {
            ClassWeight::None => Ok(None),
            ClassWeight::Balanced => Ok(Some(crate::learners::balanced_class_weights(
                y, data.rows, n_classes,
            ))),
            ClassWeight::Map(map) => {
                let mut w = vec![1.0; n_classes];
                for (label, weight) in map {
                    let k = data.classes.iter().position(|c| c == label).ok_or_else(|| {
                        Error::param(format!(
                            "hyperparameter \"class_weight\" names {label:?}, which is not a class of the target; its classes are {}",
                            shown(data.classes)
                        ))
                    })?;
                    if let Some(slot) = w.get_mut(k) {
                        *slot = *weight;
                    }
                }
                Ok(Some(w))
            }
        }
    }

    /// Each row's weight (indexed like the rows of `data.x`): its class's weight times its
    /// sample weight (options.weight_column), or None when every row weighs 1.
    pub fn per_row(&self, data: &TrainData) -> Result<Option<Vec<f64>>> {
        let class = self.per_class(data)?;
        if class.is_none() && data.weights.is_none() {
            return Ok(None);
        }
        let (n, y) = match data.labels()? {
            crate::common::task::Labels::Classes { y, .. } => (y.len(), Some(y)),
            crate::common::task::Labels::Values(v) => (v.len(), None),
        };
        data.budget.check_items("the rows' weights", n, 8)?;
        let of_class = |r: usize| match (&class, y) {
            (Some(w), Some(y)) => y.get(r).and_then(|&c| w.get(c)).copied().unwrap_or(1.0),
            _ => 1.0,
        };
        let sample = |r: usize| data.weights.and_then(|w| w.get(r)).copied().unwrap_or(1.0);
        Ok(Some((0..n).map(|r| of_class(r) * sample(r)).collect()))
    }

    /// `per_row` for the training rows only, in their order (as `TrainData::gather` lays
    /// them out).
    pub fn per_train_row(&self, data: &TrainData) -> Result<Option<Vec<f64>>> {
        Ok(self.per_row(data)?.map(|w| {
            data.rows
                .iter()
                .map(|&r| w.get(r).copied().unwrap_or(1.0))
                .collect()
        }))
    }
}

/// class_weight as logistic_regression and svm store it in their hyperparameters (flattened
/// into them): `"balanced": true | false`, the shape it had before maps were taken, and
/// `"class_weight": {...}` beside it for a map only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredAsBalanced(pub ClassWeight);

impl Serialize for StoredAsBalanced {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let map = matches!(self.0, ClassWeight::Map(_));
        let mut m = s.serialize_map(Some(1 + usize::from(map)))?;
        m.serialize_entry("balanced", &(self.0 == ClassWeight::Balanced))?;
        if map {
            m.serialize_entry("class_weight", &self.0)?;
        }
        m.end()
    }
}

/// Up to ten class labels, quoted, for a message.
fn shown(classes: &[String]) -> String {
    let mut out: Vec<String> = classes.iter().take(10).map(|c| format!("{c:?}")).collect();
    if classes.len() > 10 {
        out.push(format!("and {} more", classes.len() - 10));
    }
    out.join(", ")
}

impl From<ClassWeight> for Value {
    fn from(c: ClassWeight) -> Value {
        match c {
            ClassWeight::None => Value::Null,
            ClassWeight::Balanced => Value::from("balanced"),
            ClassWeight::Map(m) => {
                Value::Object(m.into_iter().map(|(k, w)| (k, Value::from(w))).collect())
            }
        }
    }
}

impl TryFrom<Value> for ClassWeight {
    type Error = String;

    fn try_from(v: Value) -> std::result::Result<ClassWeight, String> {
        match v {
            Value::Null => Ok(ClassWeight::None),
            Value::String(s) if s == "balanced" => Ok(ClassWeight::Balanced),
            Value::Object(m) => m
                .into_iter()
                .map(|(k, w)| w.as_f64().map(|w| (k, w)))
                .collect::<Option<Vec<_>>>()
                .map(ClassWeight::Map)
                .ok_or_else(|| "a class weight is not a number".into()),
            other => Err(format!("class_weight {other} is none of its forms")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::budget::Budget;
    use crate::common::task::Labels;

    fn data<'a>(y: &'a [usize], rows: &'a [usize], classes: &'a [String]) -> TrainData<'a> {
        TrainData {
            x: &[],
            binned: None,
            n_cols: 0,
            rows,
            validation: &[],
            one_hot: &[],
            labels: Some(Labels::Classes {
                y,
                n_classes: classes.len(),
            }),
            classes,
            weights: None,
            budget: Budget::unlimited(),
        }
    }

    /// scikit-learn's compute_class_weight("balanced", classes=[0, 1, 2], y=[0, 0, 0, 0, 1, 1,
    /// 2]) is [7/12, 7/6, 7/3]; rows outside the fit's rows do not count.
    #[test]
    fn balanced_is_scikit_learns_and_counts_the_fits_rows_only() {
        let y = [0, 0, 0, 0, 1, 1, 2, 2, 2];
        let rows: Vec<usize> = (0..7).collect();
        let classes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let w = ClassWeight::Balanced
            .per_class(&data(&y, &rows, &classes))
            .unwrap()
            .unwrap();
        for (got, want) in w.iter().zip([7.0 / 12.0, 7.0 / 6.0, 7.0 / 3.0]) {
            assert!((got - want).abs() < 1e-15, "{w:?}");
        }
        let per_row = ClassWeight::Balanced
            .per_row(&data(&y, &rows, &classes))
            .unwrap()
            .unwrap();
        assert_eq!(per_row.len(), y.len());
        assert_eq!(per_row[8], w[2]);
    }

    #[test]
    fn a_map_weights_the_classes_it_names_and_rejects_unknown_labels() {
        let y = [0, 1, 1];
        let rows = [0, 1, 2];
        let classes: Vec<String> = ["no", "yes"].map(String::from).to_vec();
        let d = data(&y, &rows, &classes);
        let w = ClassWeight::Map(vec![("yes".into(), 10.0)]).per_class(&d);
        assert_eq!(w.unwrap(), Some(vec![1.0, 10.0]));
        let e = ClassWeight::Map(vec![("maybe".into(), 2.0)])
            .per_class(&d)
            .unwrap_err();
        assert!(e.message.contains("\"maybe\"") && e.message.contains("\"no\", \"yes\""));
        assert_eq!(ClassWeight::None.per_class(&d).unwrap(), None);
    }

    /// Sample weights multiply the class weights, row by row; alone they are the weights.
    #[test]
    fn sample_weights_multiply_the_class_weights() {
        let y = [0, 1, 1];
        let rows = [0, 1, 2];
        let classes: Vec<String> = ["no", "yes"].map(String::from).to_vec();
        let sample = [2.0, 0.5, 0.0];
        let mut d = data(&y, &rows, &classes);
        d.weights = Some(&sample);
        let map = ClassWeight::Map(vec![("yes".into(), 10.0)]);
        assert_eq!(map.per_row(&d).unwrap(), Some(vec![2.0, 5.0, 0.0]));
        assert_eq!(
            ClassWeight::None.per_row(&d).unwrap(),
            Some(sample.to_vec())
        );
        let d = data(&y, &[2, 0], &classes);
        assert_eq!(map.per_train_row(&d).unwrap(), Some(vec![10.0, 1.0]));
    }

    #[test]
    fn it_is_stored_as_given() {
        for c in [
            ClassWeight::None,
            ClassWeight::Balanced,
            // jsonb keeps an object's keys sorted, and so does the map read back.
            ClassWeight::Map(vec![("no".into(), 1.0), ("yes".into(), 2.5)]),
        ] {
            let v = serde_json::to_value(&c).unwrap();
            assert_eq!(serde_json::from_value::<ClassWeight>(v).unwrap(), c);
        }
        let v = serde_json::to_value(ClassWeight::Balanced).unwrap();
        assert_eq!(v, serde_json::json!("balanced"));
    }
}
