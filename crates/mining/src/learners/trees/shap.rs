//! Exact SHAP values of a tree: path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent
//! individualized feature attribution for tree ensembles", 2018, Algorithm 2), which
//! `shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")` computes. A feature
//! left out of a coalition follows both children of its splits, weighted by the training rows
//! (covers) through each. The root's output plus a row's SHAP values equals the tree's output
//! for the row; missing values (NaN) follow the side the split learned for them.
//!
//! The walk keeps the "unique path" of the features split on so far; each node gets its own
//! copy of its parent's path, kept on one stack (`Scratch`), and the tree is walked with an
//! explicit stack, so a deep tree cannot overflow the thread's stack.

/// A tree as the walk reads it: every node's outputs (`width` per node, in node order) and
/// cover, and for a split node (None for a leaf) what `split(node)` says.
pub struct Nodes<'a, F: Fn(usize) -> Option<Split>> {
    pub outputs: &'a [f64],
    pub covers: &'a [f64],
    pub width: usize,
    pub split: F,
}

/// A split node for one row: its feature, its children, and whether the row goes left
/// (missing values as the split learned).
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub feature: usize,
    pub left: usize,
    pub right: usize,
    pub goes_left: bool,
}

/// One feature on the path to a node: the share of the training rows that its splits keep
/// (`zero`: the feature is left out of the coalition) and whether the row itself follows them
/// (`one`: in the coalition), and the weight of the path's coalitions of each size.
#[derive(Debug, Clone, Copy)]
struct Step {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

/// A node still to visit: its parent's path is `path[start..start + len]`.
#[derive(Debug, Clone, Copy)]
struct Visit {
    node: usize,
    start: usize,
    len: usize,
    zero: f64,
    one: f64,
    feature: usize,
}

/// Buffers reused across rows and trees.
#[derive(Debug, Default)]
pub struct Scratch {
    path: Vec<Step>,
    visits: Vec<Visit>,
    phi: Vec<f64>,
    /// recip[k] = 1 / k (recip[0] unused): the walk multiplies where the algorithm divides.
    recip: Vec<f64>,
}

/// The most path steps a walk may hold at once (a fixed 8 MiB, whatever the model): a tree
/// whose depth times its distinct split features exceeds this is explained along its path
/// instead.
const MAX_STEPS: usize = 1 << 18;

const NO_FEATURE: usize = usize::MAX;

/// Adds the tree's root output to `base` (len = width) and the SHAP values of the row that
/// `tree.split` routes to `contrib` (`contrib[f * width + k]`: feature f, output k). False, with
/// nothing added, when the nodes do not fit together or the tree is too deep for the walk's
/// memory.
pub fn add_tree_shap<F: Fn(usize) -> Option<Split>>(
    tree: &Nodes<'_, F>,
    base: &mut [f64],
    contrib: &mut [f64],
    scratch: &mut Scratch,
) -> bool {
    let w = tree.width;
    let (values, covers) = (tree.outputs, tree.covers);
    let n = covers.len();
    if n == 0 || w == 0 || base.len() < w || values.len() < n * w {
        return false;
    }
    let Scratch {
        path,
        visits,
        phi,
        recip,
    } = scratch;
    phi.clear();
    phi.resize(contrib.len(), 0.0);
    path.clear();
    visits.clear();
    visits.push(Visit {
        node: 0,
        start: 0,
        len: 0,
        zero: 1.0,
        one: 1.0,
        feature: NO_FEATURE,
    });
    while let Some(v) = visits.pop() {
        // Everything above the parent's path belongs to subtrees already walked.
        path.truncate(v.start + v.len);
        let start = path.len();
        if start + v.len + 1 > MAX_STEPS {
            return false;
        }
        path.extend_from_within(v.start..v.start + v.len);
        let mut depth = v.len;
        while recip.len() < depth + 2 {
            recip.push(1.0 / recip.len().max(1) as f64);
        }
        path.push(Step {
            feature: v.feature,
            zero: v.zero,
            one: v.one,
            weight: if depth == 0 { 1.0 } else { 0.0 },
        });
        extend(&mut path[start..], depth, v.zero, v.one, recip);
        let Some(cover) = covers.get(v.node).copied() else {
            return false;
        };
        let Some(split) = (tree.split)(v.node) else {
            let seg = &path[start..start + depth + 1];
            let leaf = &values[v.node * w..(v.node + 1) * w];
            for i in 1..=depth {
                let step = seg[i];
                let share = step.one - step.zero;
                if share == 0.0 {
                    continue;
                }
                let scale = unwound_sum(seg, depth, i, recip) * share;
                if let Some(out) = phi.get_mut(step.feature * w..(step.feature + 1) * w) {
                    out.iter_mut().zip(leaf).for_each(|(o, l)| *o += scale * l);
                }
            }
            continue;
        };
        let (f, left, right) = (split.feature, split.left, split.right);
        if left <= v.node || right <= v.node || left >= n || right >= n {
            return false;
        }
        let (hot, cold) = if split.goes_left {
            (left, right)
        } else {
            (right, left)
        };
        let fraction = |child: usize| {
            if cover > 0.0 {
                covers[child] / cover
            } else {
                0.0
            }
        };
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        let seg = &mut path[start..start + depth + 1];
        if let Some(i) = (1..=depth).find(|&i| seg[i].feature == f) {
            in_zero = seg[i].zero;
            in_one = seg[i].one;
            unwind(seg, depth, i);
            depth -= 1;
        }
        let child = |node: usize, zero: f64, one: f64| Visit {
            node,
            start,
            len: depth + 1,
            zero,
            one,
            feature: f,
        };
        // A cold child no training row reached adds nothing (both its fractions are 0).
        let cold_zero = fraction(cold) * in_zero;
        if cold_zero > 0.0 {
            visits.push(child(cold, cold_zero, 0.0));
        }
        visits.push(child(hot, fraction(hot) * in_zero, in_one));
    }
    base.iter_mut().zip(&values[..w]).for_each(|(b, v)| *b += v);
    contrib
        .iter_mut()
        .zip(phi.iter())
        .for_each(|(c, p)| *c += p);
    true
}

/// Grows the path by its last step (at `depth`, its fractions `zero` and `one`): the weights of
/// the coalitions of each size.
fn extend(path: &mut [Step], depth: usize, zero: f64, one: f64, recip: &[f64]) {
    let inv = recip[depth + 1];
    for i in (0..depth).rev() {
        let wi = path[i].weight;
        path[i + 1].weight += one * wi * (i + 1) as f64 * inv;
        path[i].weight = zero * wi * (depth - i) as f64 * inv;
    }
}

/// Takes step `at` back out of the path (the inverse of `extend`), shifting the later steps down.
fn unwind(path: &mut [Step], depth: usize, at: usize) {
    let (zero, one) = (path[at].zero, path[at].one);
    let d = depth as f64;
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        let fi = i as f64;
        if one != 0.0 {
            let kept = path[i].weight;
            path[i].weight = next * (d + 1.0) / ((fi + 1.0) * one);
            next = kept - path[i].weight * zero * (d - fi) / (d + 1.0);
        } else {
            path[i].weight = path[i].weight * (d + 1.0) / (zero * (d - fi));
        }
    }
    for i in at..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The total weight of the path's coalitions with step `at` taken out, without changing it.
fn unwound_sum(path: &[Step], depth: usize, at: usize, recip: &[f64]) -> f64 {
    let (zero, one) = (path[at].zero, path[at].one);
    let mut total = 0.0;
    if one != 0.0 {
        let inv_one = 1.0 / one;
        let mut next = path[depth].weight;
        // The factors are computed off the chain from one step's `next` to the next: the loop
        // runs at the latency of two multiplications and a subtraction per step.
        for i in (0..depth).rev() {
            let up = inv_one * recip[i + 1];
            let down = zero * (depth - i) as f64;
            let part = next * up;
            total += part;
            next = path[i].weight - part * down;
        }
    } else if zero != 0.0 {
        let inv_zero = 1.0 / zero;
        for i in (0..depth).rev() {
            total += path[i].weight * (inv_zero * recip[depth - i]);
        }
    }
    total * (depth + 1) as f64
}

#[cfg(test)]
mod tests;
