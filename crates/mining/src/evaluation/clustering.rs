//! Clustering metrics as sklearn.metrics defines them: inertia (within-cluster sum of squares
//! to each cluster's mean), silhouette_score (euclidean) and davies_bouldin_score.

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::common::rng::Rng;

/// Rows above this are scored for silhouette on a seeded sample of this size.
pub const SILHOUETTE_SAMPLE: usize = 10_000;

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Cluster means (k × d, row-major) and sizes; labels are 0..k.
fn centroids(x: &[f64], d: usize, labels: &[usize], k: usize) -> (Vec<f64>, Vec<usize>) {
    let mut c = vec![0.0; k * d];
    let mut n = vec![0usize; k];
    for (row, &l) in x.chunks_exact(d).zip(labels) {
        n[l] += 1;
        c[l * d..(l + 1) * d]
            .iter_mut()
            .zip(row)
            .for_each(|(a, v)| *a += v);
    }
    for l in 0..k {
        let m = n[l].max(1) as f64;
        c[l * d..(l + 1) * d].iter_mut().for_each(|a| *a /= m);
    }
    (c, n)
}

pub fn inertia(x: &[f64], d: usize, labels: &[usize], k: usize) -> f64 {
    let (c, _) = centroids(x, d, labels, k);
    x.chunks_exact(d)
        .zip(labels)
        .map(|(row, &l)| dist(row, &c[l * d..(l + 1) * d]).powi(2))
        .sum()
}

/// Mean silhouette over `rows` (all rows when None); None unless 2 ≤ clusters ≤ n - 1.
pub fn silhouette(
    x: &[f64],
    d: usize,
    labels: &[usize],
    k: usize,
    rows: Option<&[usize]>,
) -> Option<f64> {
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..labels.len()).collect();
            &all
        }
    };
    let mut sizes = vec![0usize; k];
    rows.iter().for_each(|&r| sizes[labels[r]] += 1);
    let used = sizes.iter().filter(|&&s| s > 0).count();
    if used < 2 || used > rows.len().saturating_sub(1) {
        return None;
    }
    let s: f64 = rows
        .par_iter()
        .map(|&i| {
            let xi = &x[i * d..(i + 1) * d];
            let mut sums = vec![0.0; k];
            for &j in rows {
                if j != i {
                    sums[labels[j]] += dist(xi, &x[j * d..(j + 1) * d]);
                }
            }
            let own = labels[i];
            if sizes[own] <= 1 {
                return 0.0; // sklearn: a sample alone in its cluster scores 0
            }
            let a = sums[own] / (sizes[own] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != own && sizes[c] > 0)
                .map(|c| sums[c] / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 {
                (b - a) / m
            } else {
                0.0
            }
        })
        .sum();
    Some(s / rows.len() as f64)
}

pub fn davies_bouldin(x: &[f64], d: usize, labels: &[usize], k: usize) -> Option<f64> {
    let (c, n) = centroids(x, d, labels, k);
    let present: Vec<usize> = (0..k).filter(|&l| n[l] > 0).collect();
    if present.len() < 2 {
        return None;
    }
    let mut intra = vec![0.0; k];
    for (row, &l) in x.chunks_exact(d).zip(labels) {
        intra[l] += dist(row, &c[l * d..(l + 1) * d]);
    }
    for l in 0..k {
        intra[l] /= n[l].max(1) as f64;
    }
    let cd = |a: usize, b: usize| dist(&c[a * d..(a + 1) * d], &c[b * d..(b + 1) * d]);
    if present.iter().all(|&l| intra[l] == 0.0)
        || present
            .iter()
            .all(|&a| present.iter().all(|&b| a == b || cd(a, b) == 0.0))
    {
        return Some(0.0);
    }
    let total: f64 = present
        .iter()
        .map(|&a| {
            present
                .iter()
                .filter(|&&b| b != a)
                .map(|&b| {
                    let dab = cd(a, b);
                    if dab == 0.0 {
                        0.0 // sklearn sets zero centroid distances to infinity
                    } else {
                        (intra[a] + intra[b]) / dab
                    }
                })
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .sum();
    Some(total / present.len() as f64)
}

/// The clustering metric set as JSON, for cluster labels of any integer values.
pub fn report(x: &[f64], d: usize, raw_labels: &[i64], seed: u64) -> Value {
    let mut m = Map::new();
    m.insert("rows".into(), json!(raw_labels.len()));
    if raw_labels.is_empty() || d == 0 {
        return Value::Object(m);
    }
    let mut distinct: Vec<i64> = raw_labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let labels: Vec<usize> = raw_labels
        .iter()
        .map(|l| distinct.binary_search(l).unwrap_or(0))
        .collect();
    let k = distinct.len();
    m.insert("clusters".into(), json!(k));
    let (_, sizes) = centroids(x, d, &labels, k);
    let sizes: Map<String, Value> = distinct
        .iter()
        .zip(&sizes)
        .map(|(l, s)| (l.to_string(), json!(s)))
        .collect();
    m.insert("sizes".into(), Value::Object(sizes));
    m.insert("inertia".into(), json!(inertia(x, d, &labels, k)));
    let sample: Option<Vec<usize>> = (labels.len() > SILHOUETTE_SAMPLE).then(|| {
        let mut idx: Vec<usize> = (0..labels.len()).collect();
        Rng::new(seed).shuffle(&mut idx);
        idx.truncate(SILHOUETTE_SAMPLE);
        idx
    });
    if let Some(s) = silhouette(x, d, &labels, k, sample.as_deref()) {
        m.insert("silhouette".into(), json!(s));
        if sample.is_some() {
            m.insert("silhouette_sample".into(), json!(SILHOUETTE_SAMPLE));
        }
    }
    if let Some(db) = davies_bouldin(x, d, &labels, k) {
        m.insert("davies_bouldin".into(), json!(db));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clustering_metrics_match_sklearn() {
        use crate::evaluation::clustering;
        use crate::test_support::floats;
        let f = crate::test_support::fixture("sklearn_reference.json");
        for c in f["clustering"].as_array().unwrap() {
            let x = floats(&c["x"]);
            let labels: Vec<i64> = c["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let r = clustering::report(&x, 2, &labels, 1);
            for k in ["silhouette", "davies_bouldin", "inertia"] {
                let (ours, theirs) = (r[k].as_f64().unwrap(), c[k].as_f64().unwrap());
                assert!(
                    (ours - theirs).abs() < 1e-9,
                    "{k}: ours {ours}, sklearn {theirs}"
                );
            }
        }
    }
}
