//! Whether a new version is deployed when it is stored: options.deploy ("if_better" by default:
//! the first version always; later ones when their primary metric beats the deployed version's).

use crate::common::task::Task;
use crate::prepare::options::Deploy;

/// The version deployed now and its stored value of the primary metric (None: it has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deployed {
    pub version: i32,
    pub metric: Option<f64>,
}

/// Whether `decide` compares with the deployed version's metric (so the caller fetches it).
pub fn compares(policy: Deploy, primary: (&str, f64)) -> bool {
    policy == Deploy::IfBetter && primary.0 != "none"
}

/// Whether to deploy the new version, and why (for the NOTICE).
pub fn decide(
    policy: Deploy,
    task: Task,
    primary: (&str, f64),
    deployed: Option<Deployed>,
) -> (bool, String) {
    let (name, value) = primary;
    match (policy, deployed) {
        (Deploy::Always, _) => (true, "deploy is \"always\"".to_string()),
        (Deploy::Never, _) => (false, "deploy is \"never\"".to_string()),
        (Deploy::IfBetter, None) => (true, "it is the first deployment".to_string()),
        (Deploy::IfBetter, Some(_)) if name == "none" => (
            true,
            format!("{} model has no quality metric to compare, so if_better deploys it (deploy \"never\" keeps the deployed version)", task.with_article()),
        ),
        (Deploy::IfBetter, Some(d)) => match d.metric {
            Some(old) if value > old => (
                true,
                format!("{name} {value:.4} beats {old:.4} of version {}", d.version),
            ),
            Some(old) => (
                false,
                format!(
                    "{name} {value:.4} does not beat {old:.4} of deployed version {}",
                    d.version
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

    const F1: (&str, f64) = ("f1_macro", 0.8);

    #[test]
    fn if_better_deploys_the_first_version_and_better_ones() {
        let at = |metric| Some(Deployed { version: 3, metric });
        assert_eq!(
            decide(Deploy::IfBetter, Task::Classification, F1, None),
            (true, "it is the first deployment".into())
        );
        assert_eq!(
            decide(Deploy::IfBetter, Task::Classification, F1, at(Some(0.7))),
            (true, "f1_macro 0.8000 beats 0.7000 of version 3".into())
        );
        assert_eq!(
            decide(Deploy::IfBetter, Task::Classification, F1, at(Some(0.8))),
            (
                false,
                "f1_macro 0.8000 does not beat 0.8000 of deployed version 3".into()
            )
        );
        assert_eq!(
            decide(Deploy::IfBetter, Task::Classification, F1, at(None)),
            (true, "deployed version 3 has no f1_macro".into())
        );
        let (deploy, why) = decide(
            Deploy::IfBetter,
            Task::Anomaly,
            ("none", f64::NEG_INFINITY),
            at(None),
        );
        assert!(
            deploy && why.starts_with("an anomaly model has no quality metric"),
            "{why}"
        );
    }

    #[test]
    fn always_and_never_ignore_the_metric() {
        let better = Some(Deployed {
            version: 1,
            metric: Some(0.1),
        });
        assert!(decide(Deploy::Always, Task::Regression, ("r2", -5.0), better).0);
        assert!(!decide(Deploy::Never, Task::Regression, ("r2", 0.99), better).0);
        assert_eq!(
            notice(4, false, "deploy is \"never\""),
            "version 4 stored, not deployed: deploy is \"never\""
        );
        assert!(compares(Deploy::IfBetter, ("r2", 0.5)));
        assert!(!compares(Deploy::IfBetter, ("none", 0.5)));
        assert!(!compares(Deploy::Always, ("r2", 0.5)));
    }
}
