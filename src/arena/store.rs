//! An arena held in memory: trajectories this object owns (packed once), in a file it maps, or in
//! a caller's buffer it keeps alive. It is validated once, when it is made, and batch calls read
//! it in place (`view`).
//!
//! An arena opened by its handle (a file this library wrote and validated, named together with
//! its header's fingerprint) is checked in O(1) when opened; each call then checks only the
//! trajectories it touches, so a task costs what its pairs cost, not what the arena holds.

use std::any::Any;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use super::format::Header;
use super::reader::{ArenaBytes, MappedArena};
use crate::error::{Error, Result};
use crate::traj::Collection;

/// (crc, total length, creation time) of a sealed header: what a handle carries to name one file.
pub type Fingerprint = (u32, u64, u64);

pub struct Arena {
    offsets: (*const i64, usize),
    coords: (*const f64, usize),
    dim: usize,
    /// The header of an arena read from a file or buffer, None when packed in memory.
    header: Option<Header>,
    /// Whether calls can trust what was checked when the arena was made. False for an arena
    /// opened by its handle (only its header was read) and for one over a caller's buffer
    /// (its owner can still write to it): calls then check the trajectories they touch (`view`).
    validated: bool,
    /// Trajectories checked by calls since the arena was made (what `view` read): lets tests
    /// assert that a task's checks do not grow with the arena.
    checked: AtomicU64,
    /// Owns, or keeps alive, the memory the two slices point into.
    _keep: Box<dyn Any + Send + Sync>,
}

// SAFETY: the two pointers point into memory that `_keep` owns or keeps alive for as long as
// this object lives (a Vec's heap buffer, which does not move when the Vec does; a read-only
// map; a caller's buffer, held by a reference), and nothing writes through them: the arena hands
// out shared slices only. A caller's buffer may still be written by its owner; such arenas are
// not `validated`, so every call checks the bounds and values of what it reads first.
unsafe impl Send for Arena {}
unsafe impl Sync for Arena {}

/// A Vec with room for `n` values, or a MemoryError: the size comes from the input.
pub fn vec_for<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::memory(format!("{what}: cannot allocate {} bytes", n.saturating_mul(std::mem::size_of::<T>())))
    })?;
    Ok(v)
}

impl Arena {
    /// # Safety
    /// `offsets` and `coords` must stay valid and unchanged for as long as `keep` lives.
    unsafe fn build(offsets: &[i64], coords: &[f64], dim: usize, header: Option<Header>, validated: bool, keep: Box<dyn Any + Send + Sync>) -> Self {
        Arena {
            offsets: (offsets.as_ptr(), offsets.len()),
            coords: (coords.as_ptr(), coords.len()),
            dim,
            header,
            validated,
            checked: AtomicU64::new(0),
            _keep: keep,
        }
    }

    /// Packed buffers, checked completely (`name` labels errors).
    pub fn owned(offsets: Vec<i64>, coords: Vec<f64>, dim: usize, name: &str) -> Result<Self> {
        Collection::new(&offsets, &coords, dim, name)?;
        let (o, c) = (offsets.as_slice() as *const [i64], coords.as_slice() as *const [f64]);
        // SAFETY: o and c point into the heap buffers of the Vecs that move into `keep`; those
        // buffers stay where they are, unchanged, until the arena drops them.
        Ok(unsafe { Self::build(&*o, &*c, dim, None, true, Box::new((offsets, coords))) })
    }

    /// Buffers owned by someone else, checked completely, read in place while `keep` lives.
    /// Their owner may still write to them, so calls check again what they touch.
    ///
    /// # Safety
    /// `keep` must keep `offsets` and `coords` valid and unchanged for as long as it lives.
    pub unsafe fn borrowed(offsets: &[i64], coords: &[f64], dim: usize, name: &str, keep: Box<dyn Any + Send + Sync>) -> Result<Self> {
        Collection::new(offsets, coords, dim, name)?;
        // SAFETY: the caller's contract.
        Ok(unsafe { Self::build(offsets, coords, dim, None, false, keep) })
    }

    /// The arena in a byte buffer (a file's bytes), read in place while `keep` lives.
    /// Without a fingerprint every part is checked; with a handle's fingerprint only the header
    /// is read and compared (O(1)), and calls check the trajectories they touch. `owned`: the
    /// bytes cannot change (a sealed file's map); otherwise calls check what they touch anyway.
    ///
    /// # Safety
    /// `keep` must keep `bytes` valid and unchanged for as long as it lives.
    pub unsafe fn in_bytes(bytes: &[u8], trust: Option<Fingerprint>, owned: bool, keep: Box<dyn Any + Send + Sync>) -> Result<Self> {
        let v = match trust {
            None => {
                let v = ArenaBytes::parse(bytes)?;
                v.collection("arena")?;
                v
            }
            Some(fp) => {
                let v = ArenaBytes::sections(bytes)?;
                let have = (v.header.crc, v.header.total_len, v.header.created_ns);
                if have != fp {
                    return Err(Error::value(format!(
                        "arena: the file was replaced since this handle was made (fingerprint {have:?} != {fp:?})"
                    )));
                }
                v
            }
        };
        // SAFETY: the caller's contract.
        Ok(unsafe { Self::build(v.offsets, v.coords, v.header.dim as usize, Some(v.header), trust.is_none() && owned, keep) })
    }

    /// A mapped arena file, checked as `in_bytes` says.
    pub fn mapped(map: MappedArena, trust: Option<Fingerprint>) -> Result<Self> {
        let bytes = map.bytes() as *const [u8];
        // SAFETY: the bytes are the map's pages, which stay mapped, read-only, where they are
        // until the map moves into `keep` and is dropped with the arena.
        unsafe { Self::in_bytes(&*bytes, trust, true, Box::new(map)) }
    }

    pub fn offsets(&self) -> &[i64] {
        // SAFETY: see the `Send`/`Sync` note: valid, unchanged memory for self's lifetime.
        unsafe { std::slice::from_raw_parts(self.offsets.0, self.offsets.1) }
    }

    pub fn coords(&self) -> &[f64] {
        // SAFETY: as for `offsets`.
        unsafe { std::slice::from_raw_parts(self.coords.0, self.coords.1) }
    }

    pub fn len(&self) -> usize {
        self.offsets().len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.header.as_ref().map(|h| (h.crc, h.total_len, h.created_ns))
    }

    pub fn validated(&self) -> bool {
        self.validated
    }

    pub fn checked(&self) -> u64 {
        self.checked.load(Ordering::Relaxed)
    }

    /// All trajectories, unchecked: for `view`, and for arenas that were validated when made.
    fn all(&self) -> Collection<'_> {
        Collection::trusted(self.offsets(), self.coords(), self.dim)
    }

    /// Trajectories [lo, hi) as a collection; `name` labels errors ("X", "XA"). An arena that
    /// was validated when made is used as it is; otherwise just these trajectories are checked.
    pub fn view(&self, lo: usize, hi: usize, name: &str) -> Result<Collection<'_>> {
        if self.validated {
            return Ok(self.all().span(lo, hi));
        }
        self.checked.fetch_add((hi - lo) as u64, Ordering::Relaxed);
        self.all().check_span(lo, hi, name)
    }

    /// The memory the arena reads, labelled for messages: an output must not overlap it.
    pub fn memory(&self, name: &str) -> [(String, Range<usize>); 2] {
        fn span<T>(s: &[T]) -> Range<usize> {
            let p = s.as_ptr() as usize;
            p..p + std::mem::size_of_val(s)
        }
        [(format!("{name}'s coordinates"), span(self.coords())), (format!("{name}'s offsets"), span(self.offsets()))]
    }
}
