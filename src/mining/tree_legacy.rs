//! Trees as model formats 1 and 2 stored them (24-byte nodes with both children, every node's
//! output), converted to the current layout when such a model is read.

use serde::Deserialize;

use super::{Node as Current, LEAF};

#[derive(Deserialize)]
struct Node {
    feature: u32,
    threshold: f64,
    left: u32,
    right: u32,
}

#[derive(Deserialize)]
pub(super) struct Tree {
    nodes: Vec<Node>,
    values: Vec<f64>,
    width: usize,
    gain: Vec<f64>,
}

impl Tree {
    /// Every tree pg_mining grew put a split's right child next to its left one, after the
    /// split; a tree that does not is refused rather than guessed at. The outputs stay as
    /// they were (leaves point into them; node outputs, where kept, still explain).
    pub(super) fn convert(self) -> Result<super::Tree, String> {
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.into_iter().enumerate() {
            let split = n.feature != LEAF;
            if split && (n.right != n.left.wrapping_add(1) || n.left as usize <= i) {
                return Err(format!(
                    "tree node {i} has an unexpected layout; retrain the model"
                ));
            }
            nodes.push(Current {
                threshold: n.threshold,
                feature: n.feature,
                left: n.left,
            });
        }
        Ok(super::Tree {
            nodes,
            values: self.values,
            counts: Vec::new(),
            width: self.width,
            gain: self.gain,
            node_outputs: Default::default(),
        })
    }
}
