//! Helpers shared by the unit tests: reading fixture JSON, the bundled data sets of
//! tests/fixtures/sklearn_datasets.json, scores, and the benchmark CSV.

use serde_json::Value;

/// A JSON fixture of the repository's tests/fixtures (committed beside the script that wrote it).
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A fixture's array of 0/1 labels, as whether each is 1.
pub fn flags(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64() == Some(1))
        .collect()
}

/// The feature names and probe rows of tests/fixtures/model_format_3.json.
pub fn format3_probes(doc: &Value) -> (Vec<&str>, Vec<Vec<Option<String>>>) {
    let names = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let probes = doc["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().map(String::from))
                .collect()
        })
        .collect();
    (names, probes)
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// One of scikit-learn's bundled data sets with its fixed train/test rows and reference scores.
pub struct Set {
    pub name: String,
    pub classify: bool,
    pub p: usize,
    pub x: Vec<f64>,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
    /// The whole fixture entry (targets, reference scores and predictions).
    pub json: Value,
}

impl Set {
    pub fn classes(&self) -> (Vec<usize>, usize) {
        let y = usizes(&self.json["y"]);
        let k = y.iter().max().map_or(0, |m| m + 1);
        (y, k)
    }

    pub fn values(&self) -> Vec<f64> {
        floats(&self.json["y"])
    }

    /// scikit-learn's forest defaults for this set: fully grown, sqrt(features) per split for
    /// classes (gini), every feature for values (squared error).
    pub fn forest_params(&self) -> crate::learners::trees::tree::TreeParams {
        use crate::learners::trees::tree::{Criterion, TreeParams};
        TreeParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: Some(if self.classify {
                ((self.p as f64).sqrt() as usize).max(1)
            } else {
                self.p
            }),
            criterion: if self.classify {
                Criterion::Gini
            } else {
                Criterion::SquaredError
            },
        }
    }

    pub fn row(&self, r: usize) -> &[f64] {
        &self.x[r * self.p..(r + 1) * self.p]
    }
}

pub fn bundled_sets() -> Vec<Set> {
    let f: Value = crate::test_support::fixture("sklearn_datasets.json");
    f["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = s["n"].as_u64().unwrap() as usize;
            let train = usizes(&s["train"]);
            Set {
                name: s["name"].as_str().unwrap().to_string(),
                classify: s["classify"].as_bool().unwrap(),
                p: s["p"].as_u64().unwrap() as usize,
                x: floats(&s["x"]),
                test: (0..n).filter(|r| train.binary_search(r).is_err()).collect(),
                train,
                json: s.clone(),
            }
        })
        .collect()
}

/// Share of `rows` whose predicted class is the label.
pub fn accuracy(rows: &[usize], y: &[usize], mut predict: impl FnMut(usize) -> usize) -> f64 {
    rows.iter().filter(|&&r| predict(r) == y[r]).count() as f64 / rows.len() as f64
}

/// R² of predictions on `rows`.
pub fn r2(rows: &[usize], y: &[f64], mut predict: impl FnMut(usize) -> f64) -> f64 {
    let mean = rows.iter().map(|&r| y[r]).sum::<f64>() / rows.len() as f64;
    let (sse, sst) = rows.iter().fold((0.0, 0.0), |(a, b), &r| {
        let e = predict(r) - y[r];
        (a + e * e, b + (y[r] - mean).powi(2))
    });
    1.0 - sse / sst
}

/// The CSV bench/classification_data.py writes: features..., label, is_test. Returns
/// (x row-major, labels, columns, training rows, test rows).
pub fn bench_csv(path: &str) -> (Vec<f64>, Vec<usize>, usize, Vec<usize>, Vec<usize>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut x, mut y, mut train, mut test) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut p = 0;
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        p = f.len() - 2;
        x.extend(f[..p].iter().map(|v| v.parse::<f64>().unwrap()));
        y.push(f[p].parse::<usize>().unwrap());
        if f[p + 1] == "true" {
            test.push(i)
        } else {
            train.push(i)
        }
    }
    (x, y, p, train, test)
}

/// The set standard-scaled on its training rows (as StandardScaler: population standard
/// deviation; a constant column is left centred).
pub fn scaled(set: &Set) -> Vec<f64> {
    let p = set.p;
    let n = set.train.len() as f64;
    let mut x = set.x.clone();
    for j in 0..p {
        let mean = set.train.iter().map(|&r| set.x[r * p + j]).sum::<f64>() / n;
        let var = set
            .train
            .iter()
            .map(|&r| (set.x[r * p + j] - mean).powi(2))
            .sum::<f64>()
            / n;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        for r in 0..x.len() / p {
            x[r * p + j] = (x[r * p + j] - mean) / sd;
        }
    }
    x
}

/// The test binary's allocator: the system one, counting the bytes held now and at their peak,
/// so the engine benchmarks can report the working memory of a fit.
pub struct Counting;

static HELD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counters are added.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc(layout) };
        if !p.is_null() {
            held_add(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { std::alloc::System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            HELD.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
            held_add(new_size);
        }
        p
    }
}

fn held_add(n: usize) {
    let now = HELD.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
    PEAK.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes held on the heap now.
pub fn heap_held() -> usize {
    HELD.load(std::sync::atomic::Ordering::Relaxed)
}

/// Starts a new peak from what is held now; returns that baseline.
pub fn heap_peak_reset() -> usize {
    let now = heap_held();
    PEAK.store(now, std::sync::atomic::Ordering::Relaxed);
    now
}

/// The most bytes held since the last reset.
pub fn heap_peak() -> usize {
    PEAK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Fits `name` on every row of `x` (p columns) with its labels, optional per-row sample weights
/// and hyperparameters, as the pipeline would hand them over (classes named "0", "1", ...).
pub fn fit_all_rows(
    name: &str,
    (x, p): (&[f64], usize),
    labels: crate::common::task::Labels,
    weights: Option<&[f64]>,
    hyper: &Value,
) -> crate::model::fitted::Fitted {
    use crate::common::task::{Labels, Task};
    let n = match labels {
        Labels::Classes { y, .. } => y.len(),
        Labels::Values(v) => v.len(),
    };
    let rows: Vec<usize> = (0..n).collect();
    let (task, names) = match labels {
        Labels::Classes { n_classes, .. } => (
            Task::Classification,
            (0..n_classes).map(|c| c.to_string()).collect(),
        ),
        Labels::Values(_) => (Task::Regression, Vec::new()),
    };
    let data = crate::learners::TrainData {
        x,
        binned: None,
        n_cols: p,
        rows: &rows,
        validation: &[],
        one_hot: &[],
        labels: Some(labels),
        classes: &names,
        weights,
        budget: crate::common::budget::Budget::unlimited(),
    };
    crate::model::registry::estimator(name, task, hyper)
        .unwrap()
        .fit(&data, 0, &crate::common::progress::Progress::default())
        .unwrap()
}
