//! The hasher of the macro's own maps and sets.
//!
//! Their keys are variable numbers and short names, hashed millions of
//! times per crate; the standard library's SipHash, built for keys an
//! attacker chooses, is many times slower for them, and slower still in a
//! `dev` build, where the macro runs unoptimised. This is the
//! multiply-and-rotate hash of rustc's own `FxHasher`.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`Fx`].
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fx>>;
/// A `HashSet` hashed with [`Fx`].
pub(crate) type HashSet<T> = std::collections::HashSet<T, BuildHasherDefault<Fx>>;

#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl Fx {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Index loops, not `chunks_exact` and `enumerate`: unoptimised, every
        // iterator adapter is a call per byte.
        let n = bytes.len();
        let mut i = 0;
        while i + 8 <= n {
            let mut word = 0u64;
            let mut k = 0;
            while k < 8 {
                word |= (bytes[i + k] as u64) << (8 * k);
                k += 1;
            }
            self.add(word);
            i += 8;
        }
        let mut last = 0u64;
        let mut k = 0;
        while i + k < n {
            last |= (bytes[i + k] as u64) << (8 * k);
            k += 1;
        }
        self.add(last ^ ((n as u64) << 56));
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // The high bits of a product mix all of its inputs; hashbrown takes
        // the bucket from the low bits.
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word loop hashes as `chunks_exact` of eight bytes and the
    /// remainder do (the maps' order, and so the generated code, depends on it).
    #[test]
    fn the_hash_of_bytes_in_words() {
        fn reference(bytes: &[u8]) -> u64 {
            let mut h = Fx::default();
            let mut chunks = bytes.chunks_exact(8);
            for c in &mut chunks {
                h.add(u64::from_le_bytes(c.try_into().unwrap()));
            }
            let mut last = 0u64;
            for (i, b) in chunks.remainder().iter().enumerate() {
                last |= u64::from(*b) << (8 * i);
            }
            h.add(last ^ ((bytes.len() as u64) << 56));
            h.finish()
        }
        let text: Vec<u8> = (0..40u8).map(|b| b.wrapping_mul(37) ^ 0xa5).collect();
        for n in 0..text.len() {
            let mut h = Fx::default();
            h.write(&text[..n]);
            assert_eq!(h.finish(), reference(&text[..n]), "{n} bytes");
        }
    }

    #[test]
    fn sets_of_numbers_and_names() {
        let numbers: HashSet<usize> = (0..10_000).collect();
        assert_eq!(numbers.len(), 10_000);
        assert!((0..10_000).all(|n| numbers.contains(&n)));
        assert!(!numbers.contains(&10_000));
        let mut names: HashMap<String, usize> = HashMap::default();
        for n in 0..1000 {
            names.insert(format!("t_{n}"), n);
        }
        assert!((0..1000).all(|n| names[&format!("t_{n}")] == n));
        assert!(!names.contains_key("t_1000"));
    }
}
