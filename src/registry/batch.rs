//! Many tags at once: a few threads, one shared deadline, and a verdict on being offline.

use super::{Answer, Lookup, Registry};
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
    /// timeout (see [`Registry::many`]).
    pub fn lookup_many<S: AsRef<str> + Sync>(&self, model: &str, tags: &[S]) -> Lookups {
        let (answers, offline) = self.many(tags.len(), |index, left| {
            self.lookup_within(model, tags[index].as_ref(), left)
        });
        let tags = tags
            .iter()
            .zip(answers)
            .map(|(tag, lookup)| TagLookup {
                tag: tag.as_ref().to_string(),
                lookup,
            })
            .collect();
        Lookups { tags, offline }
    }

    /// Asks `count` questions, [`MAX_CONCURRENT`] at a time, all within one timeout;
    /// `ask(index, time_left)` asks one. Every request goes to the same host, so once
    /// one finds it unreachable the questions not yet started are not asked: a dead
    /// network costs one timeout. Returns the answers in order and, when the registry
    /// answered none and at least one could not reach it, why (the caller warns once).
    pub(super) fn many<T: Send>(
        &self,
        count: usize,
        ask: impl Fn(usize, Duration) -> Answer<T> + Sync,
    ) -> (Vec<Answer<T>>, Option<String>) {
        let deadline = Instant::now() + self.timeout;
        let next = AtomicUsize::new(0);
        let unreachable: Mutex<Option<String>> = Mutex::new(None);
        let results: Mutex<Vec<Option<Answer<T>>>> = Mutex::new((0..count).map(|_| None).collect());
        thread::scope(|scope| {
            for _ in 0..count.min(MAX_CONCURRENT) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= count {
                            break;
                        }
                        let answer =
                            self.one_of_many(|left| ask(index, left), deadline, &unreachable);
                        lock(&results)[index] = Some(answer);
                    }
                });
            }
        });
        let answers: Vec<Answer<T>> = results
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .into_iter()
            .map(|answer| answer.expect("every question was asked"))
            .collect();
        let offline = match answers.iter().any(Answer::is_answer) {
            true => None,
            false => lock(&unreachable).take(),
        };
        (answers, offline)
    }

    /// One question of a batch: skipped when the host is already known unreachable
    /// or the deadline has passed, otherwise asked with whatever time is left.
    fn one_of_many<T>(
        &self,
        ask: impl FnOnce(Duration) -> Answer<T>,
        deadline: Instant,
        unreachable: &Mutex<Option<String>>,
    ) -> Answer<T> {
        if let Some(reason) = lock(unreachable).clone() {
            return Answer::Unreachable(reason);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let answer = if left.is_zero() {
            Answer::Unreachable(format!("no time left of the {:?} timeout", self.timeout))
        } else {
            ask(left.max(Duration::from_millis(1)))
        };
        if let Answer::Unreachable(reason) = &answer {
            lock(unreachable).get_or_insert_with(|| reason.clone());
        }
        answer
    }
}

/// Locks a mutex; a panicked worker already failed the batch, so poison is ignored.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
