//! Whether a new version is deployed when it is stored: options.deploy ("if_better" by default:
//! a version that beats the trivial model's score on its test rows — the first always, later
//! ones when their metric also beats the deployed version's). The metric is the run's
//! (options.metric), with its direction.

use crate::common::task::Task;
use crate::pipeline::prepared::Primary;
use crate::prepare::options::Deploy;

/// The version deployed now and its stored value of the run's metric (None: it has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deployed {
    pub version: i32,
    pub metric: Option<f64>,
}

/// Whether `decide` compares with the deployed version's metric (so the caller fetches it).
pub fn compares(policy: Deploy, primary: Primary) -> bool {
    policy == Deploy::IfBetter && primary.objective.compares()
}

/// Whether to deploy the new version, and why (for the NOTICE).
pub fn decide(
    policy: Deploy,
    task: Task,
    primary: Primary,
    deployed: Option<Deployed>,
) -> (bool, String) {
    let Primary {
        objective,
        value,
        baseline,
    } = primary;
    let name = objective.name;
    match (policy, deployed) {
        (Deploy::Always, _) => (true, "deploy is \"always\"".to_string()),
        (Deploy::Never, _) => (false, "deploy is \"never\"".to_string()),
        (Deploy::IfBetter, Some(_)) if !objective.compares() => (
            true,
            format!("{} model has no quality metric to compare, so if_better deploys it (deploy \"never\" keeps the deployed version)", task.with_article()),
        ),
        (Deploy::IfBetter, _) if baseline.is_some_and(|b| !objective.beats_baseline(value, b)) => (
            false,
            format!(
                "{name} {value:.4} does not beat the baseline's {:.4} ({}); deploy \"always\" deploys it anyway",
                baseline.unwrap_or(f64::NAN),
                objective.baseline_words(task)
            ),
        ),
        (Deploy::IfBetter, None) => (true, "it is the first deployment".to_string()),
        (Deploy::IfBetter, Some(d)) => match d.metric {
            Some(old) if objective.better(value, old) => (
                true,
                format!("{name} {value:.4} beats {old:.4} of version {}", d.version),
            ),
            Some(old) => (
                false,
                format!(
                    "{name} {value:.4} does not beat {old:.4} of deployed version {} ({} is better)",
                    d.version,
                    objective.direction()
                ),
            ),
            None => (
                true,
                format!("deployed version {} has no {name}", d.version),
            ),
        },
    }
}

/// The NOTICE that ends a training run.
pub fn notice(version: i32, deployed: bool, why: &str) -> String {
    format!(
        "version {version} {}: {why}",
        if deployed {
            "deployed"
        } else {
            "stored, not deployed"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::objective::Objective;

    fn primary(task: Task, metric: Option<&str>, value: f64, baseline: Option<f64>) -> Primary {
        Primary {
            objective: Objective::choose(task, metric, 2).unwrap(),
            value,
            baseline,
        }
    }

    #[test]
    fn if_better_deploys_the_first_version_and_better_ones() {
        let at = |metric| Some(Deployed { version: 3, metric });
        let f1 = primary(Task::Classification, Some("f1_macro"), 0.8, Some(0.4));
        let c = Task::Classification;
        assert_eq!(
            decide(Deploy::IfBetter, c, f1, None),
            (true, "it is the first deployment".into())
        );
        assert_eq!(
            decide(Deploy::IfBetter, c, f1, at(Some(0.7))),
            (true, "f1_macro 0.8000 beats 0.7000 of version 3".into())
        );
        assert_eq!(
            decide(Deploy::IfBetter, c, f1, at(Some(0.8))),
            (
                false,
                "f1_macro 0.8000 does not beat 0.8000 of deployed version 3 (higher is better)"
                    .into()
            )
        );
        assert_eq!(
            decide(Deploy::IfBetter, c, f1, at(None)),
            (true, "deployed version 3 has no f1_macro".into())
        );
        let none = Primary {
            objective: Objective::default_for(Task::Anomaly),
            value: f64::NAN,
            baseline: None,
        };
        let (deploy, why) = decide(Deploy::IfBetter, Task::Anomaly, none, at(None));
        assert!(
            deploy && why.starts_with("an anomaly model has no quality metric"),
            "{why}"
        );
    }

    #[test]
    fn a_lower_is_better_metric_compares_the_other_way() {
        let at = Some(Deployed {
            version: 1,
            metric: Some(3.0),
        });
        let r = Task::Regression;
        let rmse = |v| primary(r, Some("rmse"), v, Some(10.0));
        assert!(decide(Deploy::IfBetter, r, rmse(2.0), at).0);
        assert!(!decide(Deploy::IfBetter, r, rmse(4.0), at).0);
    }

    #[test]
    fn if_better_never_deploys_what_the_baseline_beats() {
        let c = Task::Classification;
        let useless = primary(c, None, 0.5, Some(0.5));
        let (deploy, why) = decide(Deploy::IfBetter, c, useless, None);
        assert!(!deploy, "{why}");
        assert!(why.contains("does not beat the baseline's 0.5000 (always predicting the training rows' most frequent class)"), "{why}");
        assert!(decide(Deploy::Always, c, useless, None).0);
        let r = Task::Regression;
        let (deploy, why) = decide(
            Deploy::IfBetter,
            r,
            primary(r, None, -0.2, Some(-0.01)),
            None,
        );
        assert!(!deploy && why.contains("training rows' mean"), "{why}");
    }

    #[test]
    fn always_and_never_ignore_the_metric() {
        let better = Some(Deployed {
            version: 1,
            metric: Some(0.1),
        });
        let r = Task::Regression;
        assert!(decide(Deploy::Always, r, primary(r, None, -5.0, Some(0.0)), better).0);
        assert!(!decide(Deploy::Never, r, primary(r, None, 0.99, Some(0.0)), better).0);
        assert_eq!(
            notice(4, false, "deploy is \"never\""),
            "version 4 stored, not deployed: deploy is \"never\""
        );
        assert!(compares(Deploy::IfBetter, primary(r, None, 0.5, None)));
        let none = Primary {
            objective: Objective::default_for(Task::Anomaly),
            value: 0.5,
            baseline: None,
        };
        assert!(!compares(Deploy::IfBetter, none));
        assert!(!compares(Deploy::Always, primary(r, None, 0.5, None)));
    }
}
