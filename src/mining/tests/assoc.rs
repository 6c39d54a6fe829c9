//! Unit tests of `mining::assoc` (the mlxtend comparison is in sklearn_reference.rs).

use super::*;

fn baskets() -> Baskets {
    // 0 bread, 1 milk, 2 beer, 3 diapers, 4 eggs
    let t = vec![
        vec![0, 1],
        vec![0, 3, 2, 4],
        vec![1, 3, 2],
        vec![0, 1, 3, 2],
        vec![0, 1, 3, 1],
    ];
    Baskets {
        transactions: t,
        items: ["bread", "milk", "beer", "diapers", "eggs"]
            .map(String::from)
            .to_vec(),
    }
}

#[test]
fn textbook_example() {
    let sets = frequent_itemsets(&baskets(), 0.6, None, &mut || Ok(())).unwrap();
    let find = |items: &[u32]| sets.iter().find(|s| s.items == items).map(|s| s.support);
    assert_eq!(find(&[0]), Some(0.8));
    assert_eq!(find(&[2, 3]), Some(0.6));
    assert_eq!(find(&[4]), None);
    let r = rules(&sets, 1.0).unwrap();
    // beer -> diapers holds in every basket with beer.
    let bd = r
        .iter()
        .find(|r| r.antecedent == [2] && r.consequent == [3])
        .unwrap();
    assert_eq!(bd.confidence, 1.0);
    assert!((bd.lift - 1.25).abs() < 1e-12 && bd.conviction.is_infinite());
}

#[test]
fn bad_thresholds_and_max_len() {
    assert!(frequent_itemsets(&baskets(), 0.0, None, &mut || Ok(())).is_err());
    assert!(frequent_itemsets(&baskets(), 1.5, None, &mut || Ok(())).is_err());
    assert!(rules(&[], 1.5).is_err());
    let sets = frequent_itemsets(&baskets(), 0.2, Some(1), &mut || Ok(())).unwrap();
    assert!(sets.iter().all(|s| s.items.len() == 1));
}
