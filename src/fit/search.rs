//! The exact roster search: one option per model, least total loss within a
//! memory limit. A depth-first walk pruned by memory and by the best loss so far.

const EPSILON: f64 = 1e-12;

/// For each model a list of options `(bytes, loss)`, returns the index picked per
/// model that minimises the summed loss with summed bytes ≤ `limit`; ties go to the
/// smaller total. None if a model has no option or no mix fits.
pub fn best_mix(options: &[Vec<(u64, f64)>], limit: u64) -> Option<Vec<usize>> {
    best_mix_where(options, limit, &|_| true)
}

/// Like [`best_mix`], among the mixes `accept` takes (a check on the whole mix,
/// such as Ollama's admission rule for models loaded together).
pub fn best_mix_where(
    options: &[Vec<(u64, f64)>],
    limit: u64,
    accept: &dyn Fn(&[usize]) -> bool,
) -> Option<Vec<usize>> {
    if options.iter().any(Vec::is_empty) {
        return None;
    }
    // Lower bounds of what the models from position i on still need.
    let mut min_bytes = vec![0u64; options.len() + 1];
    let mut min_loss = vec![0f64; options.len() + 1];
    for i in (0..options.len()).rev() {
        let bytes = options[i].iter().map(|o| o.0).min().unwrap_or(0);
        let loss = options[i].iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
        min_bytes[i] = min_bytes[i + 1].saturating_add(bytes);
        min_loss[i] = min_loss[i + 1] + loss;
    }
    let mut search = Search {
        options,
        limit,
        accept,
        min_bytes,
        min_loss,
        picks: Vec::new(),
        best: None,
    };
    search.descend(0, 0, 0.0);
    search.best.map(|(_, _, picks)| picks)
}

struct Search<'a> {
    options: &'a [Vec<(u64, f64)>],
    limit: u64,
    accept: &'a dyn Fn(&[usize]) -> bool,
    min_bytes: Vec<u64>,
    min_loss: Vec<f64>,
    picks: Vec<usize>,
    best: Option<(f64, u64, Vec<usize>)>,
}

impl Search<'_> {
    fn descend(&mut self, i: usize, bytes: u64, loss: f64) {
        if bytes.saturating_add(self.min_bytes[i]) > self.limit {
            return;
        }
        if let Some((best_loss, _, _)) = &self.best
            && loss + self.min_loss[i] > *best_loss + EPSILON
        {
            return;
        }
        if i == self.options.len() {
            if better(loss, bytes, self.best.as_ref()) && (self.accept)(&self.picks) {
                self.best = Some((loss, bytes, self.picks.clone()));
            }
            return;
        }
        for (k, &(option_bytes, option_loss)) in self.options[i].iter().enumerate() {
            self.picks.push(k);
            self.descend(
                i + 1,
                bytes.saturating_add(option_bytes),
                loss + option_loss,
            );
            self.picks.pop();
        }
    }
}

fn better(loss: f64, bytes: u64, best: Option<&(f64, u64, Vec<usize>)>) -> bool {
    match best {
        None => true,
        Some((best_loss, best_bytes, _)) => {
            loss < best_loss - EPSILON
                || ((loss - best_loss).abs() <= EPSILON && bytes < *best_bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination, the slow way.
    fn brute_force(options: &[Vec<(u64, f64)>], limit: u64) -> Option<(f64, u64)> {
        let mut best: Option<(f64, u64)> = None;
        let mut index = vec![0usize; options.len()];
        loop {
            let bytes: u64 = index.iter().zip(options).map(|(&k, o)| o[k].0).sum();
            let loss: f64 = index.iter().zip(options).map(|(&k, o)| o[k].1).sum();
            let wins = best.is_none_or(|(l, b)| {
                loss < l - EPSILON || ((loss - l).abs() <= EPSILON && bytes < b)
            });
            if bytes <= limit && wins {
                best = Some((loss, bytes));
            }
            let Some(pos) = (0..options.len()).find(|&p| index[p] + 1 < options[p].len()) else {
                return best;
            };
            index[pos] += 1;
            index[..pos].iter_mut().for_each(|k| *k = 0);
        }
    }

    #[test]
    fn matches_brute_force_on_many_rosters() {
        // A fixed linear congruential generator: reproducible pseudo-random rosters.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |modulo: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % modulo
        };
        for _ in 0..300 {
            let models = 1 + next(5) as usize;
            let options: Vec<Vec<(u64, f64)>> = (0..models)
                .map(|_| {
                    (0..1 + next(5))
                        .map(|_| (1 + next(100), next(50) as f64 / 7.0))
                        .collect()
                })
                .collect();
            let limit = next(60 * models as u64);
            let expected = brute_force(&options, limit);
            let picks = best_mix(&options, limit);
            let got = picks.map(|p| {
                let bytes = p.iter().zip(&options).map(|(&k, o)| o[k].0).sum::<u64>();
                let loss = p.iter().zip(&options).map(|(&k, o)| o[k].1).sum::<f64>();
                (loss, bytes)
            });
            match (expected, got) {
                (None, None) => {}
                (Some((el, eb)), Some((gl, gb))) => {
                    assert!(
                        (el - gl).abs() < 1e-9 && eb == gb,
                        "{options:?} limit {limit}"
                    )
                }
                other => panic!("{other:?} for {options:?} limit {limit}"),
            }
        }
    }

    #[test]
    fn eight_models_of_seven_options_are_fast() {
        let options: Vec<Vec<(u64, f64)>> = (0..8)
            .map(|m| {
                (0..7)
                    .map(|q| (100 - 10 * q + m, f64::from(q as u32)))
                    .collect()
            })
            .collect();
        let start = std::time::Instant::now();
        let picks = best_mix(&options, 8 * 75).unwrap();
        assert!(start.elapsed().as_millis() < 2000, "{:?}", start.elapsed());
        let bytes: u64 = picks.iter().zip(&options).map(|(&k, o)| o[k].0).sum();
        assert!(bytes <= 600);
    }

    proptest::proptest! {
        #[test]
        fn any_sizes_search_without_overflow(
            options in proptest::collection::vec(
                proptest::collection::vec((proptest::num::u64::ANY, 0.0f64..10.0), 1..3),
                1..4,
            ),
            limit in 0..u64::MAX,
        ) {
            if let Some(picks) = best_mix(&options, limit) {
                let total = picks
                    .iter()
                    .zip(&options)
                    .try_fold(0u64, |sum, (&k, o)| sum.checked_add(o[k].0));
                proptest::prop_assert!(total.is_some_and(|t| t <= limit));
            }
        }
    }
}
