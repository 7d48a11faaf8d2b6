//! Independent, reproducible random streams.
//!
//! Every replication, and within it every machine or process, draws from its own stream,
//! derived from `(seed, replication, stream id)` by SplitMix64 mixing into a
//! xoshiro256++ generator. A replication's numbers therefore depend only on the seed and its
//! index, never on which thread ran it or in what order, and two scenario variants run with
//! the same seed share their random numbers machine by machine (common random numbers,
//! which sharpens comparisons between variants).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: small, fast, and statistically strong.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64 finaliser: a bijective 64-bit mixer.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A node in the tree of random streams: the seed, then a path of indices such as
/// (trial, section, panel, machine).
///
/// The derivation is one documented chain: the root is `splitmix64(seed)`, and the child
/// with index `i` of a node at depth `d` is `splitmix64(key ^ rotl(i, 32 * (d mod 2)))`.
/// Every step is a bijection of the parent key for a fixed index and of the index for a
/// fixed parent key, so two paths of the same length that differ in exactly one index
/// always give different keys, whatever the counts (no `rep * 1000 + s` packing that wraps
/// once a count passes its factor); paths that differ in several places coincide only by
/// a 64-bit hash collision (probability 2^-64 per pair). Callers give each use its own
/// fixed-length path, starting with a domain tag where two uses share a seed.
///
/// `stream(seed, r, s)` is `StreamKey::root(seed).child(r).child(s)`, the derivation the
/// section study has always used, so its outputs are unchanged.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StreamKey {
    key: u64,
    depth: u32,
}

impl StreamKey {
    /// The root of the tree for `seed`.
    pub fn root(seed: u64) -> StreamKey {
        StreamKey {
            key: splitmix64(seed),
            depth: 0,
        }
    }

    /// The child numbered `index`.
    #[must_use]
    pub fn child(self, index: u64) -> StreamKey {
        StreamKey {
            key: splitmix64(self.key ^ index.rotate_left(32 * (self.depth % 2))),
            depth: self.depth + 1,
        }
    }

    /// The 64-bit key of this node (what seeds its generator).
    pub fn key(self) -> u64 {
        self.key
    }

    /// The generator of this node.
    pub fn stream(self) -> Stream {
        Stream::seed_from_u64(self.key)
    }
}

/// The stream numbered `stream` of replication `replication` under `seed`.
pub fn stream(seed: u64, replication: u64, stream: u64) -> Stream {
    StreamKey::root(seed)
        .child(replication)
        .child(stream)
        .stream()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_key_same_numbers_other_key_other_numbers() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(stream(7, 3, 1), |s, _: u64| Some(s.random::<u64>()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(stream(7, 3, 1), |s, _: u64| Some(s.random::<u64>()))
            .collect();
        assert_eq!(a, b);
        let mut seen = std::collections::HashSet::new();
        for seed in 0..4 {
            for rep in 0..4 {
                for st in 0..4 {
                    assert!(seen.insert(stream(seed, rep, st).random::<u64>()));
                }
            }
        }
    }

    #[test]
    fn path_derivation_keeps_the_section_study_streams() {
        // The pre-path formula, written out: the section study's numbers must not change.
        let old = |seed: u64, rep: u64, st: u64| {
            splitmix64(splitmix64(splitmix64(seed) ^ rep) ^ st.rotate_left(32))
        };
        for (seed, rep, st) in [(0, 0, 0), (2007, 9, 5), (u64::MAX, 1 << 40, 77)] {
            let k = StreamKey::root(seed).child(rep).child(st).key();
            assert_eq!(k, old(seed, rep, st));
        }
    }

    #[test]
    fn distinct_paths_at_the_largest_counts_give_distinct_streams() {
        // The old schedule keys packed (replication * 1000 + section) * 10_000 + panel, so
        // (rep 0, section 1000, panel 0) and (rep 1, section 0, panel 0) coincided. Paths do
        // not: check the corners and a grid at the validated maxima.
        let packed = |rep: u64, s: u64, p: u64| (rep * 1_000 + s) * 10_000 + p;
        assert_eq!(packed(0, 1_000, 0), packed(1, 0, 0));
        let key = |rep: u64, s: u64, p: u64, m: u64| {
            StreamKey::root(1)
                .child(rep)
                .child(s)
                .child(p)
                .child(m)
                .key()
        };
        assert_ne!(key(0, 1_000, 0, 0), key(1, 0, 0, 0));
        let mut seen = std::collections::HashSet::new();
        let (reps, sections, panels, machines) = (10_000u64, 256u64, 100_000u64, 130u64);
        for rep in [0, 1, reps - 1] {
            for s in [0, 1, sections - 1] {
                for p in [0, 1, 9_999, 10_000, panels - 1] {
                    for m in [0, 1, machines - 1] {
                        assert!(seen.insert(key(rep, s, p, m)), "{rep} {s} {p} {m}");
                    }
                }
            }
        }
        // A dense block: 2 x 16 x 2,000 x 4 = 256,000 keys, all distinct.
        for rep in 0..2 {
            for s in 0..16 {
                for p in 0..2_000 {
                    for m in 0..4 {
                        assert!(seen.insert(key(rep + 7, s, p, m)));
                    }
                }
            }
        }
    }

    #[test]
    fn streams_are_uncorrelated_uniforms() {
        // Two neighbouring streams: each mean near 1/2, correlation near 0 (n = 20,000, so
        // the standard error of each is about 0.002 and 0.007).
        let (mut s1, mut s2) = (stream(1, 0, 0), stream(1, 0, 1));
        let n = 20_000;
        let (mut m1, mut m2, mut c) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let (x, y): (f64, f64) = (s1.random(), s2.random());
            m1 += x;
            m2 += y;
            c += (x - 0.5) * (y - 0.5);
        }
        assert!((m1 / n as f64 - 0.5).abs() < 0.01);
        assert!((m2 / n as f64 - 0.5).abs() < 0.01);
        let corr = (c / n as f64) / (1.0 / 12.0);
        assert!(corr.abs() < 0.03, "correlation {corr}");
    }
}
