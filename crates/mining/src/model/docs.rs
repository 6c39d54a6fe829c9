//! The hyperparameter reference (sql/docs/hyperparameters.md), rendered from the registry: one
//! section per algorithm with its tasks, what it is, and a table of its keys (default, accepted
//! values, what each does). A test keeps the committed page equal to the rendering.

use crate::common::task::Task;
use crate::learners::spec::{Default, Literal, Param};
use crate::learners::{Algorithm, Auto};
use crate::model::registry::ALGORITHMS;

fn number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:e}")
    } else if x.fract() == 0.0 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

fn literal(l: Literal) -> String {
    match l {
        Literal::Null => "null".into(),
        Literal::Bool(b) => b.to_string(),
        Literal::Word(w) => format!("\"{w}\""),
        Literal::Int(i) => i.to_string(),
        Literal::Number(x) => number(x),
        Literal::IntList(l) => format!(
            "[{}]",
            l.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn default_of(p: &Param) -> String {
    match p.default {
        Default::Is(l) => format!("`{}`", literal(l)),
        Default::ByTask {
            classification,
            regression,
        } => format!(
            "`{}` (classification), `{}` (regression)",
            literal(classification),
            literal(regression)
        ),
    }
}

fn tasks(a: &Algorithm) -> String {
    a.tasks
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn section(a: &Algorithm, out: &mut String) {
    let mut summary = a.summary.chars();
    let first = summary
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    out.push_str(&format!(
        "## {}\n\n{first}{}.\n\n",
        a.name,
        summary.as_str()
    ));
    let mut facts = vec![format!("task: {}", tasks(a))];
    if a.preprocessing.scale {
        facts.push("inputs standard-scaled by default".into());
    }
    if a.preprocessing.routes_missing {
        facts.push("NULL numbers routed by the trees, not imputed".into());
    }
    match a.auto {
        Auto::Candidate {
            max_rows, around, ..
        } => {
            let upto = max_rows.map_or(String::new(), |m| format!(" up to {m} training rows"));
            let near = around
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ");
            facts.push(format!(
                "a candidate of `auto`{upto} (among the two best, also tried with {near})"
            ))
        }
        Auto::TaskDefault => facts.push("what `auto` trains for its task".into()),
        Auto::No => {}
    }
    out.push_str(&format!("{}.\n\n", facts.join("; ")));
    out.push_str("| key | default | accepted | what it does |\n|---|---|---|---|\n");
    // Keys once each, in declaration order; a key declared per task shows each task's line.
    let mut shown: Vec<(&str, Option<Task>)> = Vec::new();
    for p in a.params.iter().flat_map(|g| g.iter()) {
        if shown.iter().any(|(k, t)| *k == p.key && *t == p.task) {
            continue;
        }
        shown.push((p.key, p.task));
        let key = match p.task {
            Some(t) => format!("`{}` ({})", p.key, t.name()),
            None => format!("`{}`", p.key),
        };
        out.push_str(&format!(
            "| {key} | {} | {} | {} |\n",
            default_of(p),
            cell(p.want),
            cell(p.about)
        ));
    }
    out.push('\n');
}

/// The whole page.
pub fn hyperparameters_page() -> String {
    let mut out = String::from(
        "# Hyperparameters\n\n\
         Generated from the registry (crates/mining/src/learners/*/mod.rs) by\n\
         `PG_MINING_BLESS=1 cargo test -p mining docs`; a test fails when this page and the\n\
         registry disagree. Defaults are scikit-learn's. An unknown key, or a value none of the\n\
         accepted forms takes, is an ERROR (SQLSTATE 22023) naming the key; `dm.models.hyperparams`\n\
         stores every key with its resolved value.\n\n",
    );
    out.push_str(
        &ALGORITHMS
            .iter()
            .map(|e| format!("[{0}](#{0})", e.algorithm().name))
            .collect::<Vec<_>>()
            .join(" · "),
    );
    out.push_str("\n\n");
    for e in ALGORITHMS {
        section(e.algorithm(), &mut out);
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hyperparameter_page_is_the_registry() {
        let path = format!(
            "{}/../../sql/docs/hyperparameters.md",
            env!("CARGO_MANIFEST_DIR")
        );
        let page = hyperparameters_page();
        if std::env::var_os("PG_MINING_BLESS").is_some() {
            std::fs::write(&path, &page).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == page,
            "{path} is not what the registry renders; run PG_MINING_BLESS=1 cargo test -p mining docs"
        );
        for e in ALGORITHMS {
            assert!(page.contains(&format!("## {}\n", e.algorithm().name)));
        }
    }
}
