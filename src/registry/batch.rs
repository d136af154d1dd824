//! Many tags at once: a few threads, one shared deadline, and a verdict on being offline.

use super::{Lookup, Registry};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// At most this many requests are in flight at once.
pub const MAX_CONCURRENT: usize = 8;

/// The outcome of one tag in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLookup {
    /// The tag as asked, e.g. `8b-instruct-q4_K_M`.
    pub tag: String,
    /// What the registry said.
    pub lookup: Lookup,
}

/// The outcome of a batch, in the order the tags were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookups {
    /// One entry per tag asked.
    pub tags: Vec<TagLookup>,
    /// `Some(reason)` when the registry answered no request at all and at least one
    /// could not reach it: the caller warns once and falls back to its catalog.
    pub offline: Option<String>,
}

impl Lookups {
    /// The outcome for `tag`, if it was asked.
    pub fn get(&self, tag: &str) -> Option<&Lookup> {
        self.tags.iter().find(|t| t.tag == tag).map(|t| &t.lookup)
    }
}

impl Registry {
    /// Looks up many tags of one model, [`MAX_CONCURRENT`] at a time, all within one
    /// timeout. Every request goes to the same host, so once one finds it unreachable
    /// the tags not yet started are not tried: a dead network costs one timeout.
    pub fn lookup_many<S: AsRef<str> + Sync>(&self, model: &str, tags: &[S]) -> Lookups {
        let deadline = Instant::now() + self.timeout;
        let next = AtomicUsize::new(0);
        let unreachable: Mutex<Option<String>> = Mutex::new(None);
        let results: Mutex<Vec<Option<Lookup>>> = Mutex::new(vec![None; tags.len()]);
        thread::scope(|scope| {
            for _ in 0..tags.len().min(MAX_CONCURRENT) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(tag) = tags.get(index) else { break };
                        let lookup = self.one_of_many(model, tag.as_ref(), deadline, &unreachable);
                        lock(&results)[index] = Some(lookup);
                    }
                });
            }
        });
        let tags: Vec<TagLookup> = tags
            .iter()
            .zip(lock(&results).drain(..))
            .map(|(tag, lookup)| TagLookup {
                tag: tag.as_ref().to_string(),
                lookup: lookup.expect("every tag was looked up"),
            })
            .collect();
        let answered = tags.iter().any(|t| t.lookup.is_answer());
        let offline = if answered {
            None
        } else {
            lock(&unreachable).take()
        };
        Lookups { tags, offline }
    }

    /// One tag of a batch: skipped when the host is already known unreachable or the
    /// deadline has passed, otherwise asked with whatever time is left.
    fn one_of_many(
        &self,
        model: &str,
        tag: &str,
        deadline: Instant,
        unreachable: &Mutex<Option<String>>,
    ) -> Lookup {
        if let Some(reason) = lock(unreachable).clone() {
            return Lookup::Unreachable(reason);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let lookup = if left.is_zero() {
            Lookup::Unreachable(format!("no time left of the {:?} timeout", self.timeout))
        } else {
            self.lookup_within(model, tag, left.max(Duration::from_millis(1)))
        };
        if let Lookup::Unreachable(reason) = &lookup {
            lock(unreachable).get_or_insert_with(|| reason.clone());
        }
        lookup
    }
}

/// Locks a mutex; a panicked worker already failed the batch, so poison is ignored.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
