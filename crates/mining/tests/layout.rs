//! The floor plan of the mining core, checked: every file is at most 600 lines, the imports
//! between its files form no circle, no folder imports one above it (common < prepare,
//! learners, association < model < evaluation < pipeline < report), a learner family imports no other
//! family, and no SQL function body in the extension's src/api is over 150 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;
const MAX_API_FUNCTION_LINES: usize = 150;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path below the crate root: lib.rs = [], a/mod.rs = [a], a/b.rs = [a, b].
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without its tests and comments (tests sit in `mod tests` at the end).
fn code_of(text: &str) -> String {
    let end = [
        "#[cfg(test)]\nmod tests",
        "#[cfg(test)]\npub(crate) mod tests",
    ]
    .iter()
    .filter_map(|m| text.find(m))
    .min()
    .unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a piece of code names from one of `roots` (`crate`, `super`, a child module),
/// braces expanded; a path from a child starts with `self`.
fn paths_in(code: &str, roots: &[String]) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let inline = inline_modules(&chars);
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        let root = boundary
            .then(|| {
                roots.iter().find(|r| {
                    let needle: Vec<char> = format!("{r}::").chars().collect();
                    chars[i..].starts_with(&needle)
                })
            })
            .flatten();
        let Some(root) = root else {
            i += 1;
            continue;
        };
        // Read the path up to the end of its use tree.
        let mut j = i;
        let mut depth = 0i32;
        while j < chars.len() {
            let c = chars[j];
            if c == '{' {
                depth += 1;
            } else if c == '}' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') {
                break;
            }
            j += 1;
        }
        let tree: String = chars[i..j].iter().collect();
        let mut prefix = Vec::new();
        if root != "crate" && root != "super" {
            prefix.push("self".to_string());
        }
        let mut found = Vec::new();
        expand(&tree, &prefix, &mut found);
        let nesting = inline.iter().filter(|(a, b)| *a < i && i < *b).count();
        out.extend(found.into_iter().map(|p| (nesting, p)));
        i = j.max(i + 1);
    }
    out
}

/// The character ranges of inline modules (`mod name { ... }`): inside one, `super` is the file.
fn inline_modules(chars: &[char]) -> Vec<(usize, usize)> {
    let text: String = chars.iter().collect();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("mod ") {
        let start = from + at;
        from = start + 4;
        let rest = &text[from..];
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(0);
        if name_len == 0 || !rest[name_len..].trim_start().starts_with('{') {
            continue;
        }
        let open = from + name_len + rest[name_len..].find('{').unwrap_or(0);
        let mut depth = 0;
        let mut end = text.len();
        for (k, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        // Character offsets (the code is mostly ASCII; comments are stripped).
        out.push((text[..start].chars().count(), text[..end].chars().count()));
    }
    out
}

fn expand(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    match tree.find('{') {
        None => {
            let mut p = prefix.to_vec();
            p.extend(
                tree.split("::")
                    .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
                    .filter(|s| !s.is_empty()),
            );
            out.push(p);
        }
        Some(at) => {
            let head = &tree[..at];
            let inner = tree[at + 1..].trim_end().trim_end_matches('}');
            let mut p = prefix.to_vec();
            p.extend(head.split("::").filter(|s| !s.is_empty()).map(String::from));
            let mut depth = 0;
            let mut item = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if c == ',' && depth == 0 {
                    expand(&item, &p, out);
                    item.clear();
                } else {
                    item.push(c);
                }
            }
            if !item.trim().is_empty() {
                expand(&item, &p, out);
            }
        }
    }
}

/// The modules a file declares as its children (`mod x;`, `pub mod x;`).
fn children(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| {
            let t = l.trim();
            let t = t
                .strip_prefix("pub ")
                .or_else(|| t.strip_prefix("pub(crate) "))
                .unwrap_or(t);
            t.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(|m| m.trim().to_string())
        })
        .collect()
}

struct Crate {
    /// Module path → file (relative to src).
    modules: BTreeMap<Vec<String>, PathBuf>,
    /// File → the files it imports.
    edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

/// Unit-test files: `tests.rs`, `<topic>_tests.rs` (a second test file of a module whose
/// tests.rs is full) and the shared helpers.
fn is_test_file(rel: &Path) -> bool {
    rel.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "tests.rs" || n.ends_with("_tests.rs") || n == "test_support.rs")
}

fn read_crate() -> Crate {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let rels: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().to_path_buf())
        .collect();
    let modules: BTreeMap<Vec<String>, PathBuf> =
        rels.iter().map(|r| (module_of(r), r.clone())).collect();
    let mut edges = BTreeMap::new();
    for rel in rels.iter().filter(|r| !is_test_file(r)) {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let here = module_of(rel);
        let code = code_of(&text);
        // Paths from the crate root, the parent, or a child module (`mod child;` here).
        let mut roots = vec!["crate".to_string(), "super".to_string()];
        roots.extend(children(&code));
        let paths = paths_in(&code, &roots);
        let mut targets = BTreeSet::new();
        for (nesting, path) in paths {
            let mut at: Vec<String> = here.clone();
            let mut segments = path.iter().peekable();
            // Inside an inline module, the first `super`s stay in this file.
            for _ in 0..nesting {
                if segments.peek().is_some_and(|s| *s == "super") {
                    segments.next();
                }
            }
            if segments.peek().is_some_and(|s| *s == "crate") {
                at.clear();
                segments.next();
            } else if segments.peek().is_some_and(|s| *s == "self") {
                segments.next();
            }
            while segments.peek().is_some_and(|s| *s == "super") {
                at.pop();
                segments.next();
            }
            let mut target = None;
            for s in segments {
                at.push(s.clone());
                if let Some(f) = modules.get(&at) {
                    target = Some(f.clone());
                }
            }
            // `super::Item` names the parent module's file.
            let target = target.or_else(|| modules.get(&at[..at.len().saturating_sub(1)]).cloned());
            if let Some(t) = target.filter(|t| t != rel && !is_test_file(t)) {
                targets.insert(t);
            }
        }
        edges.insert(rel.clone(), targets);
    }
    Crate { modules, edges }
}

#[test]
fn no_file_is_over_600_lines() {
    let c = read_crate();
    let long: Vec<String> = c
        .modules
        .values()
        .filter_map(|rel| {
            let n = std::fs::read_to_string(src().join(rel))
                .unwrap()
                .lines()
                .count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", rel.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// Tarjan's strongly connected components with more than one file.
fn circles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a PathBuf) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        if let Some(next) = s.edges.get(v) {
            for w in next {
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn imports_form_no_circle() {
    let c = read_crate();
    // The checker sees imports at all: the registry imports every family.
    let registry = &c.edges[Path::new("model/registry.rs")];
    assert!(
        registry.contains(Path::new("learners/trees/mod.rs")),
        "{registry:?}"
    );
    let found = circles(&c.edges);
    assert!(found.is_empty(), "import circles: {found:#?}");
}

/// The folder a file belongs to, and its rank: a file imports only files of a lower rank or of
/// its own folder.
fn folder(rel: &Path) -> (String, u8) {
    let top = rel
        .iter()
        .next()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let rank = match top.as_str() {
        "common" => 0,
        "prepare" | "learners" | "association" => 1,
        "model" => 2,
        "evaluation" => 3,
        "pipeline" => 4,
        "report" => 5,
        _ => 5,
    };
    (top, rank)
}

/// learners/<family>/..., or None for the contract (learners/mod.rs, learners/spec.rs).
fn family(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().to_string())
        .collect();
    (parts.len() >= 3 && parts[0] == "learners").then(|| parts[1].clone())
}

#[test]
fn no_upward_arrow_and_no_family_imports_another() {
    let c = read_crate();
    let mut wrong = Vec::new();
    for (from, targets) in &c.edges {
        let (top, rank) = folder(from);
        for to in targets {
            let (to_top, to_rank) = folder(to);
            if to_rank > rank || (to_rank == rank && to_top != top) {
                wrong.push(format!("{} imports {}", from.display(), to.display()));
            }
            match (family(from), family(to)) {
                (Some(a), Some(b)) if a != b => wrong.push(format!(
                    "family {a} imports family {b}: {} → {}",
                    from.display(),
                    to.display()
                )),
                // The contract knows one family file: the binned rows TrainData may carry.
                (None, Some(_))
                    if top == "learners" && to != Path::new("learners/trees/binning.rs") =>
                {
                    wrong.push(format!("the learner contract imports {}", to.display()))
                }
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sql_functions_stay_short() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src/api");
    let mut files = Vec::new();
    rust_files(&api, &mut files);
    let mut long = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let indent = l.len() - t.len();
            if !(t.starts_with("fn ")
                || t.starts_with("pub fn ")
                || t.starts_with("pub(crate) fn "))
            {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            let end = lines[i..]
                .iter()
                .position(|m| *m == close)
                .map_or(0, |e| e + 1);
            if end > MAX_API_FUNCTION_LINES {
                long.push(format!("{}:{} ({end} lines)", f.display(), i + 1));
            }
        }
    }
    assert!(!files.is_empty());
    assert!(
        long.is_empty(),
        "functions over {MAX_API_FUNCTION_LINES} lines: {long:?}"
    );
}
