//! Writes an arena file atomically: temporary name, data, flush, seal, rename. A reader never
//! sees a half-written file under the final name, and a crashed writer leaves only an unsealed
//! temporary (starting with the magic, written first) that `cleanup_stale` (Python) removes.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::format::{Header, FLAG_SEALED, HEADER_LEN};
use crate::error::{Error, Result};
use crate::traj::Collection;

/// What an arena is written from: trajectories in order, each a point-major slice of `dim()`
/// values per point, already checked (non-empty, finite). A collection is one; so is a list of
/// the caller's arrays, which then go to the file without a packed copy in between.
pub trait Source {
    fn dim(&self) -> usize;
    fn count(&self) -> usize;
    fn coords(&self, i: usize) -> &[f64];
}

impl Source for Collection<'_> {
    fn dim(&self) -> usize {
        Collection::dim(self)
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn coords(&self, i: usize) -> &[f64] {
        self.get(i).coords
    }
}

/// Trajectories held in separate buffers (the arrays of a Python list).
pub struct TrajList<'a> {
    pub dim: usize,
    pub items: Vec<&'a [f64]>,
}

impl Source for TrajList<'_> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn count(&self) -> usize {
        self.items.len()
    }
    fn coords(&self, i: usize) -> &[f64] {
        self.items[i]
    }
}

// O_NOFOLLOW without a libc dependency: its value differs between systems. Where it is not
// listed the flag is left out, which is still safe for creating: O_CREAT | O_EXCL (create_new)
// fails on any existing name, a symlink included, and never follows it.
#[cfg(unix)]
const O_NOFOLLOW: i32 = if cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)) {
    0x100
} else if !cfg!(any(target_os = "linux", target_os = "android")) {
    0
} else if cfg!(any(target_arch = "aarch64", target_arch = "arm", target_arch = "powerpc", target_arch = "powerpc64")) {
    0o100000
} else if cfg!(any(
    target_arch = "x86",
    target_arch = "x86_64",
    target_arch = "riscv64",
    target_arch = "s390x",
    target_arch = "loongarch64",
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc64"
)) {
    0o400000
} else {
    0
};

fn os(path: &Path, e: std::io::Error) -> Error {
    Error::os(format!("{}: {e}", path.display()))
}

/// The whole arena as bytes (sealed), for in-memory use or sending as one buffer.
pub fn encode(x: &dyn Source) -> Result<Vec<u8>> {
    let mut h = header_for(x);
    h.flags |= FLAG_SEALED;
    let mut buf = Vec::new();
    usize::try_from(h.total_len)
        .ok()
        .and_then(|n| buf.try_reserve_exact(n).ok())
        .ok_or_else(|| Error::memory(format!("arena: cannot allocate {} bytes for its encoding", h.total_len)))?;
    write_body(&mut buf, &mut h, x).expect("writing to a Vec cannot fail");
    Ok(buf)
}

fn header_for(x: &dyn Source) -> Header {
    let ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let n_points: u64 = (0..x.count()).map(|i| (x.coords(i).len() / x.dim()) as u64).sum();
    Header::for_data(x.count() as u64, n_points, x.dim() as u32, std::process::id() as u64, ns)
}

fn pad_to<W: Write>(w: &mut W, pos: &mut u64, to: u64) -> std::io::Result<()> {
    while *pos < to {
        w.write_all(&[0])?;
        *pos += 1;
    }
    Ok(())
}

fn write_body<W: Write>(w: &mut W, h: &mut Header, x: &dyn Source) -> std::io::Result<()> {
    w.write_all(&h.encode())?;
    write_sections(w, h, x)
}

/// Everything after the header.
fn write_sections<W: Write>(w: &mut W, h: &Header, x: &dyn Source) -> std::io::Result<()> {
    let mut pos = HEADER_LEN as u64;
    pad_to(w, &mut pos, h.offsets.offset)?;
    let mut at = 0i64;
    w.write_all(&at.to_le_bytes())?;
    for i in 0..x.count() {
        at += (x.coords(i).len() / x.dim()) as i64;
        w.write_all(&at.to_le_bytes())?;
    }
    pos += h.offsets.len;
    pad_to(w, &mut pos, h.coords.offset)?;
    for i in 0..x.count() {
        for v in x.coords(i) {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    Ok(())
}

/// Writes `x` to `path` and returns its (sealed) header. The data is fully written to the
/// temporary file before anything maps it, so a full tmpfs fails here with an OS error
/// (ENOSPC) instead of a SIGBUS in a reader.
///
/// `private`: the file is readable by its owner only (0600), for files the library names itself
/// (shared arenas in /dev/shm). Otherwise it gets the mode any new file gets, 0666 less the
/// umask, as `numpy.save` does; its temporary is created with that mode too, since it holds the
/// same data the final file will show. Either way the temporary is created exclusively and never
/// through a symlink.
pub fn write_file(path: &Path, x: &dyn Source, private: bool) -> Result<Header> {
    let ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut tmp = PathBuf::from(path);
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    tmp.set_file_name(format!(".{name}.{}-{ns}.tmp", std::process::id()));
    // Created here, so that only a temporary this call created is ever removed.
    let file = create_tmp(&tmp, private).map_err(|e| os(&tmp, e))?;
    let result = write_tmp(file, &tmp, x).and_then(|h| {
        fs::rename(&tmp, path).map_err(|e| os(path, e))?;
        Ok(h)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `tmp` for writing: exclusively (O_CREAT | O_EXCL), without following a symlink, with
/// mode 0600 when `private` and 0666 less the umask otherwise.
fn create_tmp(tmp: &Path, private: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o666 }).custom_flags(O_NOFOLLOW);
    }
    let file = options.open(tmp)?;
    #[cfg(unix)]
    if private {
        // Exactly 0600 whatever the umask: an umask that clears owner bits would otherwise make
        // a file the owner's own worker processes cannot use.
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = file.set_permissions(fs::Permissions::from_mode(0o600)) {
            let _ = fs::remove_file(tmp);
            return Err(e);
        }
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(file)
}

fn write_tmp(mut file: File, tmp: &Path, x: &dyn Source) -> Result<Header> {
    let mut h = header_for(x);
    // The (unsealed) header goes to the file before any data: a writer killed at any later
    // point leaves a temporary that starts with the magic, which `cleanup_stale` recognises.
    file.write_all(&h.encode()).map_err(|e| os(tmp, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    write_sections(&mut w, &h, x).map_err(|e| os(tmp, e))?;
    let mut file: File = w.into_inner().map_err(|e| os(tmp, e.into_error()))?;
    file.sync_data().map_err(|e| os(tmp, e))?;
    // Seal: rewrite the header with the flag set, then flush again before the rename.
    h.flags |= FLAG_SEALED;
    file.seek(SeekFrom::Start(0)).map_err(|e| os(tmp, e))?;
    file.write_all(&h.encode()).map_err(|e| os(tmp, e))?;
    file.sync_data().map_err(|e| os(tmp, e))?;
    Ok(h)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_are_owner_only_and_leave_no_temporary() {
        let dir = std::env::temp_dir().join(format!("trajarena-writer-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (o, c) = (vec![0i64, 2], vec![0.0, 1.0, 2.0, 3.0]);
        let x = Collection::new(&o, &c, 2, "X").unwrap();
        let path = dir.join("p.arena");
        write_file(&path, &x, true).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
