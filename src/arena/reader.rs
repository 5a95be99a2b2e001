//! Validated, zero-copy views of an arena held in any byte buffer or in a memory-mapped file.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use super::format::Header;
use crate::error::{Error, Result};
use crate::traj::Collection;

#[cfg(not(target_endian = "little"))]
compile_error!("the arena format is little-endian and is read in place; big-endian targets would need a copying reader");

/// An arena checked end to end: header, sections, and offsets (start at 0, non-decreasing,
/// ending at n_points). After `parse` every trajectory slice is in bounds.
#[derive(Debug)]
pub struct ArenaBytes<'a> {
    pub header: Header,
    pub offsets: &'a [i64],
    pub coords: &'a [f64],
}

/// Reinterprets `len` bytes at `at` as `T` values, checking bounds and alignment first.
/// Only called with T = i64 or f64.
fn typed<'a, T: Copy>(buf: &'a [u8], at: u64, len: u64, name: &str) -> Result<&'a [T]> {
    let size = std::mem::size_of::<T>();
    let (at, len) = (at as usize, len as usize);
    let end = at.checked_add(len).filter(|&e| e <= buf.len());
    if end.is_none() || len % size != 0 {
        return Err(Error::value(format!("arena: {name} section is outside the buffer")));
    }
    let ptr = buf[at..].as_ptr();
    if (ptr as usize) % std::mem::align_of::<T>() != 0 {
        return Err(Error::value(format!(
            "arena: the {name} section is not {}-byte aligned in memory; pass a buffer that starts on an \
             8-byte boundary (a memory map or a numpy array is)",
            std::mem::align_of::<T>()
        )));
    }
    // SAFETY: [at, at + len) lies inside `buf` (checked above), the pointer is aligned for T
    // (checked above), T is i64 or f64, for which every bit pattern is a valid value, and the
    // target is little-endian like the format (compile_error above). The slice borrows `buf`,
    // so it cannot outlive the bytes. This is what makes a 1 GB arena usable without a copy.
    Ok(unsafe { std::slice::from_raw_parts(ptr as *const T, len / size) })
}

impl<'a> ArenaBytes<'a> {
    /// The header and the two sections, checked in O(1): what a reader of a file whose header
    /// fingerprint it already knows needs. The offsets' values are not read.
    pub fn sections(buf: &'a [u8]) -> Result<Self> {
        let header = Header::decode(buf)?;
        let offsets: &[i64] = typed(buf, header.offsets.offset, header.offsets.len, "offsets")?;
        let coords: &[f64] = typed(buf, header.coords.offset, header.coords.len, "coords")?;
        Ok(ArenaBytes { header, offsets, coords })
    }

    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        let ArenaBytes { header, offsets, coords } = Self::sections(buf)?;
        if offsets[0] != 0 {
            return Err(Error::value(format!("arena: offsets[0] is {}, not 0", offsets[0])));
        }
        for (i, w) in offsets.windows(2).enumerate() {
            if w[1] < w[0] {
                return Err(Error::value(format!(
                    "arena: offsets are not monotone: offsets[{}] = {} < offsets[{i}] = {}",
                    i + 1,
                    w[1],
                    w[0]
                )));
            }
        }
        let last = *offsets.last().unwrap();
        if last != header.n_points as i64 {
            return Err(Error::value(format!(
                "arena: offsets end at {last} but the arena holds {} points (offsets past the end)",
                header.n_points
            )));
        }
        Ok(ArenaBytes { header, offsets, coords })
    }

    /// The trajectories as a batch input; also checks that none is empty and all are finite.
    pub fn collection(&self, name: &str) -> Result<Collection<'a>> {
        Collection::new(self.offsets, self.coords, self.header.dim as usize, name)
    }
}

/// Opens `path` for reading only if it is a regular file. The open does not block: a FIFO put
/// where an arena was expected would otherwise hang the reader until someone writes to it.
fn open_regular(path: &Path) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(0o4000); // O_NONBLOCK on Linux
    }
    let file = opts.open(path).map_err(|e| Error::os(format!("{}: {e}", path.display())))?;
    let meta = file.metadata().map_err(|e| Error::os(format!("{}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::value(format!("{}: not a regular file", path.display())));
    }
    Ok(file)
}

/// An arena file mapped read-only.
pub struct MappedArena {
    map: Mmap,
}

impl MappedArena {
    pub fn open(path: &Path) -> Result<Self> {
        let m = Self::map(path)?;
        ArenaBytes::parse(&m.map)?;
        Ok(m)
    }

    /// Maps `path` without reading it; every access must go through `ArenaBytes`.
    fn map(path: &Path) -> Result<Self> {
        let file = open_regular(path)?;
        // SAFETY: memmap2 requires the caller to ensure the file is not modified while mapped.
        // Arena files are written under a temporary name and renamed into place once sealed, and
        // nothing writes to a sealed file; a file replaced by rename keeps this mapping on the old
        // inode. Every access goes through `ArenaBytes::parse`, which bounds-checks first.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::os(format!("{}: {e}", path.display())))?;
        Ok(MappedArena { map })
    }

    /// Maps the file open at `fd` (the caller checked it is a regular file) without reading it;
    /// `label` names it in errors. The descriptor may be closed afterwards.
    #[cfg(unix)]
    pub fn map_fd(fd: std::os::fd::RawFd, label: &str) -> Result<Self> {
        // SAFETY: as in `map`: arena files are sealed before they get their name and never
        // written again, and every access goes through `ArenaBytes`, which bounds-checks first.
        let map = unsafe { Mmap::map(fd) }.map_err(|e| Error::os(format!("{label}: {e}")))?;
        Ok(MappedArena { map })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    pub fn view(&self) -> ArenaBytes<'_> {
        ArenaBytes::parse(&self.map).expect("validated when opened")
    }
}
