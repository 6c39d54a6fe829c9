//! Model bytes of formats 1 and 2. Their trees had 24-byte nodes with both children and kept
//! every node's output; everything else was laid out as today. Such a model is read into a
//! mirror of `StoredModel` whose trees (alone, or in a forest) have the old layout, and then
//! converted: the leaves and thresholds stay, node outputs (where kept) still explain.

use serde::de::{EnumAccess, Error as _, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::common::frame::ColumnKind;
use crate::common::task::Task;
use crate::learners::trees::forest::Forest;
use crate::learners::trees::tree::{self, LEAF};
use crate::model::fitted::{read_kind, tag, Fitted, KINDS};
use crate::model::stored::StoredModel;
use crate::prepare::preprocess::Preprocessor;

#[derive(Deserialize)]
struct Node {
    feature: u32,
    threshold: f64,
    left: u32,
    right: u32,
}

/// A tree of format 2 and before.
#[derive(Deserialize)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    values: Vec<f64>,
    width: usize,
    gain: Vec<f64>,
}

#[derive(Deserialize)]
struct OldForest {
    trees: Vec<Tree>,
    width: usize,
}

/// `StoredModel` as formats 1 and 2 laid it out (the same fields in the same order).
#[derive(Deserialize)]
pub(crate) struct StoredModelV2 {
    task: Task,
    algorithm: String,
    target: String,
    target_type: String,
    target_kind: ColumnKind,
    classes: Vec<String>,
    prep: Preprocessor,
    estimator: FittedV2,
}

struct FittedV2(Fitted);

impl StoredModelV2 {
    pub(crate) fn into_current(self) -> StoredModel {
        StoredModel {
            task: self.task,
            algorithm: self.algorithm,
            target: self.target,
            target_type: self.target_type,
            target_kind: self.target_kind,
            classes: self.classes,
            prep: self.prep,
            estimator: self.estimator.0,
            class_numbers: Default::default(),
            threshold: None,
            intervals: None,
            calibration: None,
            background: None,
        }
    }
}

impl Tree {
    /// Every tree pg_mining grew put a split's right child next to its left one, after the
    /// split; a tree that does not is refused rather than guessed at. The outputs stay as
    /// they were (leaves point into them; node outputs, where kept, still explain).
    pub(crate) fn convert(self) -> Result<tree::Tree, String> {
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.into_iter().enumerate() {
            let split = n.feature != LEAF;
            if split && (n.right != n.left.wrapping_add(1) || n.left as usize <= i) {
                return Err(format!(
                    "tree node {i} has an unexpected layout; retrain the model"
                ));
            }
            nodes.push(tree::Node {
                threshold: n.threshold,
                feature: n.feature,
                left: n.left,
            });
        }
        Ok(tree::Tree {
            nodes,
            values: self.values,
            counts: Vec::new(),
            width: self.width,
            gain: self.gain,
            node_outputs: Default::default(),
        })
    }
}

struct V2Visitor;

impl<'de> Visitor<'de> for V2Visitor {
    type Value = FittedV2;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a fitted model of format 2")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<FittedV2, A::Error> {
        let (t, v): (u32, _) = data.variant()?;
        let fitted = match t {
            tag::TREE => {
                let old: Tree = v.newtype_variant()?;
                Fitted::Tree(old.convert().map_err(A::Error::custom)?)
            }
            tag::FOREST => {
                let old: OldForest = v.newtype_variant()?;
                let trees = old
                    .trees
                    .into_iter()
                    .map(Tree::convert)
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(A::Error::custom)?;
                Fitted::Forest(Forest {
                    trees,
                    width: old.width,
                    layout: Default::default(),
                })
            }
            other => read_kind(other, v)?,
        };
        Ok(FittedV2(fitted))
    }
}

impl<'de> Deserialize<'de> for FittedV2 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FittedV2, D::Error> {
        d.deserialize_enum("Fitted", KINDS, V2Visitor)
    }
}
