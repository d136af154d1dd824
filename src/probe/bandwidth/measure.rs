//! Measuring how fast all cores together read RAM: each thread fills its own
//! slice of a buffer much larger than the last-level cache (first touch, so the
//! pages sit on its NUMA node), then all stream through their slices at once
//! until a deadline. The total bytes read over the longest reading time is the
//! bandwidth: what a decoding step, which reads every weight once, can expect.
//!
//! The buffer sits on ordinary pages, as llama.cpp's weight buffers do: on a
//! virtual machine huge pages read 2-3 times faster (fewer two-level page
//! walks), a speed the model would not see. Filling is bounded in time too, so
//! a slow machine reads a smaller buffer rather than overrunning the budget.

use serde::{Deserialize, Serialize};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// The whole measurement, filling included, stays within this.
pub const BUDGET: Duration = Duration::from_millis(200);
/// Filling stops here, leaving the rest to reading.
const FILL_UNTIL: Duration = Duration::from_millis(110);
/// Reading stops here: the rest of the budget is for threads that filled
/// their last block late, and for starting and joining them.
const READ_UNTIL: Duration = BUDGET.saturating_sub(Duration::from_millis(20));
/// Reading lasts at least this long even when filling was slow.
const MIN_READING: Duration = Duration::from_millis(20);
/// The buffer is this many times the last-level cache.
const CACHE_MULTIPLE: u64 = 4;
const MIB: u64 = 1 << 20;
/// Bounds of the buffer: large enough to leave any cache, small enough to fill
/// quickly and to spare a small machine's memory.
const MIN_BUFFER: u64 = 64 * MIB;
const DEFAULT_BUFFER: u64 = 256 * MIB;
const MAX_BUFFER: u64 = 1024 * MIB;
/// Threads fill, and check the clock, in blocks this large.
const BLOCK: usize = 4 << 20;

/// What one measurement found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub bytes_per_s: u64,
    pub threads: usize,
    /// The bytes filled and read (less than planned when filling ran out of time).
    pub buffer_bytes: u64,
    /// Wall time of the whole measurement, filling included.
    pub elapsed_ms: u64,
}

/// The buffer to read: 4 × the last-level cache, at least 256 MiB, at most
/// 1 GiB and never more than an eighth of the available memory (nor under 64 MiB).
pub fn buffer_bytes(last_level_cache: Option<u64>, available: Option<u64>) -> u64 {
    let wanted = last_level_cache
        .map_or(DEFAULT_BUFFER, |c| c.saturating_mul(CACHE_MULTIPLE))
        .clamp(DEFAULT_BUFFER, MAX_BUFFER);
    let spare = available.map_or(wanted, |a| a / 8);
    wanted.min(spare).max(MIN_BUFFER)
}

/// Reads up to `buffer_bytes` split over `threads` threads for about
/// [`BUDGET`]; none when a thread could not run or nothing was read.
pub fn measure(threads: usize, buffer_bytes: u64) -> Option<Measured> {
    let threads = threads.max(1);
    let slice = usize::try_from(buffer_bytes / threads as u64)
        .ok()?
        .max(BLOCK);
    let start = Instant::now();
    let barrier = Barrier::new(threads);
    let results: Vec<Option<Read>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| read_slice(slice, &barrier, start)))
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    });
    let results: Vec<Read> = results.into_iter().collect::<Option<_>>()?;
    let bytes: u64 = results.iter().map(|r| r.bytes).sum();
    let longest = results.iter().map(|r| r.time).max()?.as_secs_f64();
    (bytes > 0 && longest > 0.0).then(|| Measured {
        bytes_per_s: (bytes as f64 / longest) as u64,
        threads,
        buffer_bytes: results.iter().map(|r| r.filled).sum(),
        elapsed_ms: start.elapsed().as_millis() as u64,
    })
}

/// What one thread filled and read, and how long it read.
struct Read {
    filled: u64,
    bytes: u64,
    time: Duration,
}

/// One thread: fill its slice (until the fill deadline), wait for the others,
/// read until the budget is spent (at least [`MIN_READING`]).
fn read_slice(bytes: usize, barrier: &Barrier, start: Instant) -> Read {
    let buffer = filled(bytes, start + FILL_UNTIL);
    barrier.wait();
    let reading = Instant::now();
    let stop = (start + READ_UNTIL).max(reading + MIN_READING);
    let (mut read, mut checksum) = (0u64, 0u64);
    'passes: while !buffer.is_empty() {
        for block in buffer.chunks(BLOCK) {
            checksum ^= sum(block);
            read += block.len() as u64;
            if Instant::now() >= stop {
                break 'passes;
            }
        }
    }
    std::hint::black_box(checksum);
    Read {
        filled: buffer.len() as u64,
        bytes: read,
        time: reading.elapsed(),
    }
}

/// Up to `bytes` written once, block by block until `deadline` (at least one
/// block). Not zeros: untouched zero pages all map one shared page and read
/// from cache.
fn filled(bytes: usize, deadline: Instant) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(bytes);
    while buffer.len() < bytes {
        let next = (buffer.len() + BLOCK).min(bytes);
        buffer.resize(next, 0x5a_u8);
        if Instant::now() >= deadline {
            break;
        }
    }
    buffer
}

/// Adds the block up as 64-bit words in eight lanes, so the loop streams loads
/// instead of waiting on one dependency chain.
fn sum(block: &[u8]) -> u64 {
    let mut lanes = [0u64; 8];
    for line in block.chunks_exact(64) {
        for (lane, bytes) in lanes.iter_mut().zip(line.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(bytes);
            *lane = lane.wrapping_add(u64::from_le_bytes(word));
        }
    }
    lanes.iter().fold(0, |all, lane| all ^ lane)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_leaves_the_cache_and_spares_small_machines() {
        const GIB: u64 = 1 << 30;
        assert_eq!(buffer_bytes(None, None), DEFAULT_BUFFER);
        assert_eq!(buffer_bytes(Some(32 * MIB), Some(64 * GIB)), DEFAULT_BUFFER);
        assert_eq!(buffer_bytes(Some(96 * MIB), Some(64 * GIB)), 384 * MIB);
        assert_eq!(buffer_bytes(Some(1152 * MIB), Some(512 * GIB)), MAX_BUFFER);
        assert_eq!(buffer_bytes(Some(32 * MIB), Some(GIB)), 128 * MIB);
        assert_eq!(buffer_bytes(None, Some(GIB / 4)), MIN_BUFFER);
    }

    #[test]
    fn lanes_add_up_every_word() {
        let block: Vec<u8> = (0..128u32).map(|i| ((i * 37 + 11) % 251) as u8).collect();
        let word = |at: usize| u64::from_le_bytes(block[at..at + 8].try_into().unwrap());
        // Lane i holds word i of the first line plus word i of the second.
        let expected = (0..8).fold(0, |all, i| all ^ word(8 * i).wrapping_add(word(64 + 8 * i)));
        assert_eq!(sum(&block), expected);
        assert_ne!(expected, 0);
    }

    #[test]
    fn a_small_measurement_reads_and_reports() {
        // A real run, kept small: 64 MiB over two threads. Its speed depends on
        // the machine, so only its shape is checked.
        let measured = measure(2, MIN_BUFFER).expect("a measurement");
        assert_eq!(measured.threads, 2);
        assert!(measured.buffer_bytes <= MIN_BUFFER && measured.buffer_bytes >= 2 * BLOCK as u64);
        assert!(measured.bytes_per_s > 0);
        assert!(measured.elapsed_ms < 2_000, "{measured:?}");
    }
}
