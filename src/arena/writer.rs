//! Writes an arena file atomically: temporary name, data, flush, seal, rename. A reader never
//! sees a half-written file under the final name, and a crashed writer leaves only an unsealed
//! temporary that `cleanup_stale` (Python) removes.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::format::{Header, FLAG_SEALED, HEADER_LEN};
use crate::error::{Error, Result};
use crate::traj::Collection;

fn os(path: &Path, e: std::io::Error) -> Error {
    Error::os(format!("{}: {e}", path.display()))
}

/// The whole arena as bytes (sealed), for in-memory use or sending as one buffer.
pub fn encode(x: &Collection) -> Vec<u8> {
    let mut h = header_for(x);
    h.flags |= FLAG_SEALED;
    let mut buf = Vec::with_capacity(h.total_len as usize);
    write_body(&mut buf, &mut h, x).expect("writing to a Vec cannot fail");
    buf
}

fn header_for(x: &Collection) -> Header {
    let ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let n_points = x.raw_offsets().last().copied().unwrap_or(0) as u64;
    Header::for_data(x.len() as u64, n_points, x.dim() as u32, std::process::id() as u64, ns)
}

fn pad_to<W: Write>(w: &mut W, pos: &mut u64, to: u64) -> std::io::Result<()> {
    while *pos < to {
        w.write_all(&[0])?;
        *pos += 1;
    }
    Ok(())
}

fn write_body<W: Write>(w: &mut W, h: &mut Header, x: &Collection) -> std::io::Result<()> {
    w.write_all(&h.encode())?;
    let mut pos = HEADER_LEN as u64;
    pad_to(w, &mut pos, h.offsets.offset)?;
    for v in x.raw_offsets() {
        w.write_all(&v.to_le_bytes())?;
    }
    pos += h.offsets.len;
    pad_to(w, &mut pos, h.coords.offset)?;
    for v in x.raw_coords() {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// Writes `x` to `path` and returns its (sealed) header. The data is fully written to the
/// temporary file before anything maps it, so a full tmpfs fails here with an OS error
/// (ENOSPC) instead of a SIGBUS in a reader.
pub fn write_file(path: &Path, x: &Collection) -> Result<Header> {
    let ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut tmp = PathBuf::from(path);
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    tmp.set_file_name(format!(".{name}.{}-{ns}.tmp", std::process::id()));
    let result = write_tmp(&tmp, x).and_then(|h| {
        fs::rename(&tmp, path).map_err(|e| os(path, e))?;
        Ok(h)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_tmp(tmp: &Path, x: &Collection) -> Result<Header> {
    let mut h = header_for(x);
    let file = OpenOptions::new().write(true).create_new(true).open(tmp).map_err(|e| os(tmp, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    write_body(&mut w, &mut h, x).map_err(|e| os(tmp, e))?;
    let mut file: File = w.into_inner().map_err(|e| os(tmp, e.into_error()))?;
    file.sync_data().map_err(|e| os(tmp, e))?;
    // Seal: rewrite the header with the flag set, then flush again before the rename.
    h.flags |= FLAG_SEALED;
    file.seek(SeekFrom::Start(0)).map_err(|e| os(tmp, e))?;
    file.write_all(&h.encode()).map_err(|e| os(tmp, e))?;
    file.sync_data().map_err(|e| os(tmp, e))?;
    Ok(h)
}
