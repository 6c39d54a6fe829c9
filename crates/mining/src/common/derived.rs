//! A value derived from a model when it is first used and kept beside it (e.g. a faster layout
//! for scoring): not stored with the model, not part of its value (always equal), cloned
//! empty. None inside means the model does not fit the derived form.

use std::sync::OnceLock;

#[derive(Debug)]
pub struct Derived<T>(OnceLock<Option<T>>);

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived(OnceLock::new())
    }
}

impl<T> Derived<T> {
    /// The derived value, built by `make` on first use.
    pub fn get(&self, make: impl FnOnce() -> Option<T>) -> Option<&T> {
        self.0.get_or_init(make).as_ref()
    }

    /// The derived value if it was built (and fits), without building it.
    pub fn built(&self) -> Option<&T> {
        self.0.get().and_then(Option::as_ref)
    }
}

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Clone for Derived<T> {
    fn clone(&self) -> Self {
        Derived::default()
    }
}
