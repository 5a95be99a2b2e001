//! The v1 header: 256 little-endian bytes at the start of the buffer, CRC-protected.
//!
//! ```text
//! off  size  field
//!   0     8  magic "TRJARENA"
//!   8     2  version major (1)            10   2  version minor (0)
//!  12     4  header length (256)
//!  16     4  dtype code (1 = f32, 2 = f64)  20   4  dim (2 or 3)
//!  24     8  flags (bit 0: sealed)
//!  32     8  n_traj                        40   8  n_points
//!  48    16  offsets section (byte offset, byte length): int64, n_traj + 1 entries, in points
//!  64    16  coords section: point-major x0 y0 [z0] x1 ...
//!  80    48  optional sections (times, ids, metadata): (offset, length), zero when absent
//! 128     8  creator pid                   136   8  creation time (ns since the Unix epoch)
//! 144     8  total length of the buffer
//! 152   100  reserved, zero
//! 252     4  CRC-32 of bytes [0, 252)
//! ```
//! Sections start on 64-byte boundaries, so a page-aligned map gives aligned int64/f64 slices,
//! and the two sections are exactly an Arrow `LargeList<FixedSizeList<f64, dim>>`'s buffers.

use super::crc32::crc32;
use crate::error::{Error, Result};

pub const MAGIC: &[u8; 8] = b"TRJARENA";
pub const VERSION_MAJOR: u16 = 1;
pub const VERSION_MINOR: u16 = 0;
pub const HEADER_LEN: usize = 256;
pub const ALIGN: u64 = 64;
pub const FLAG_SEALED: u64 = 1;
pub const DTYPE_F32: u32 = 1;
pub const DTYPE_F64: u32 = 2;
const CRC_AT: usize = 252;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Section {
    pub offset: u64,
    pub len: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub version_minor: u16,
    pub dtype: u32,
    pub dim: u32,
    pub flags: u64,
    pub n_traj: u64,
    pub n_points: u64,
    pub offsets: Section,
    pub coords: Section,
    /// times, ids, metadata: reserved for later minor versions, zero when absent.
    pub optional: [Section; 3],
    pub creator_pid: u64,
    pub created_ns: u64,
    pub total_len: u64,
    /// CRC of the header as read (or as last encoded); the fingerprint of a sealed file.
    pub crc: u32,
}

pub fn align_up(x: u64) -> u64 {
    x.div_ceil(ALIGN) * ALIGN
}

fn rd_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}
fn rd_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn rd_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

impl Header {
    /// The header of a f64 arena with this many trajectories and points, sections laid out
    /// back to back after it; unsealed.
    pub fn for_data(n_traj: u64, n_points: u64, dim: u32, creator_pid: u64, created_ns: u64) -> Self {
        let off_len = (n_traj + 1) * 8;
        let offsets = Section { offset: HEADER_LEN as u64, len: off_len };
        let coords_at = align_up(offsets.offset + off_len);
        let coords = Section { offset: coords_at, len: n_points * dim as u64 * 8 };
        Header {
            version_minor: VERSION_MINOR,
            dtype: DTYPE_F64,
            dim,
            flags: 0,
            n_traj,
            n_points,
            offsets,
            coords,
            optional: [Section::default(); 3],
            creator_pid,
            created_ns,
            total_len: coords.offset + coords.len,
            crc: 0,
        }
    }

    pub fn sealed(&self) -> bool {
        self.flags & FLAG_SEALED != 0
    }

    /// The 256 header bytes, with the CRC filled in (and stored in `self.crc`).
    pub fn encode(&mut self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(MAGIC);
        b[8..10].copy_from_slice(&VERSION_MAJOR.to_le_bytes());
        b[10..12].copy_from_slice(&self.version_minor.to_le_bytes());
        b[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        b[16..20].copy_from_slice(&self.dtype.to_le_bytes());
        b[20..24].copy_from_slice(&self.dim.to_le_bytes());
        let fields = [
            self.flags,
            self.n_traj,
            self.n_points,
            self.offsets.offset,
            self.offsets.len,
            self.coords.offset,
            self.coords.len,
        ];
        for (k, v) in fields.iter().enumerate() {
            b[24 + 8 * k..32 + 8 * k].copy_from_slice(&v.to_le_bytes());
        }
        for (k, s) in self.optional.iter().enumerate() {
            b[80 + 16 * k..88 + 16 * k].copy_from_slice(&s.offset.to_le_bytes());
            b[88 + 16 * k..96 + 16 * k].copy_from_slice(&s.len.to_le_bytes());
        }
        b[128..136].copy_from_slice(&self.creator_pid.to_le_bytes());
        b[136..144].copy_from_slice(&self.created_ns.to_le_bytes());
        b[144..152].copy_from_slice(&self.total_len.to_le_bytes());
        self.crc = crc32(&b[..CRC_AT]);
        b[CRC_AT..].copy_from_slice(&self.crc.to_le_bytes());
        b
    }

    /// Parses and checks the header of a buffer of `buf.len()` bytes: magic, version, CRC,
    /// sealed flag, dtype, dim, and that both sections are aligned, sized for the counts and
    /// inside the buffer. The offsets' values are checked by the reader.
    pub fn decode(buf: &[u8]) -> Result<Header> {
        let bad = |m: String| Error::value(format!("arena: {m}"));
        if buf.len() < 8 || &buf[..8] != MAGIC {
            return Err(bad("not a trajarena arena (wrong magic bytes)".into()));
        }
        if buf.len() < HEADER_LEN {
            return Err(bad(format!(
                "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header",
                buf.len()
            )));
        }
        let major = rd_u16(buf, 8);
        if major != VERSION_MAJOR {
            return Err(bad(format!(
                "format version {major}.{} is not supported; this trajarena reads version {VERSION_MAJOR}.x",
                rd_u16(buf, 10)
            )));
        }
        let crc = rd_u32(buf, CRC_AT);
        if crc32(&buf[..CRC_AT]) != crc {
            return Err(bad("header checksum mismatch: the header is corrupt".into()));
        }
        let hlen = rd_u32(buf, 12) as usize;
        if hlen != HEADER_LEN {
            return Err(bad(format!("header length {hlen} is not {HEADER_LEN}")));
        }
        let sec = |at: usize| Section { offset: rd_u64(buf, at), len: rd_u64(buf, at + 8) };
        let h = Header {
            version_minor: rd_u16(buf, 10),
            dtype: rd_u32(buf, 16),
            dim: rd_u32(buf, 20),
            flags: rd_u64(buf, 24),
            n_traj: rd_u64(buf, 32),
            n_points: rd_u64(buf, 40),
            offsets: sec(48),
            coords: sec(64),
            optional: [sec(80), sec(96), sec(112)],
            creator_pid: rd_u64(buf, 128),
            created_ns: rd_u64(buf, 136),
            total_len: rd_u64(buf, 144),
            crc,
        };
        if !h.sealed() {
            return Err(bad("the file is not sealed: its writer did not finish (or is still writing)".into()));
        }
        if h.dtype != DTYPE_F64 {
            return Err(bad(format!(
                "coordinate dtype code {} is not supported; this version reads float64 arenas (code {DTYPE_F64})",
                h.dtype
            )));
        }
        if h.dim != 2 && h.dim != 3 {
            return Err(bad(format!("dim {} is not 2 or 3", h.dim)));
        }
        if h.total_len > buf.len() as u64 {
            return Err(bad(format!(
                "truncated: the header describes {} bytes but the buffer has {}",
                h.total_len,
                buf.len()
            )));
        }
        let want_off = h.n_traj.checked_add(1).and_then(|v| v.checked_mul(8));
        let want_xy = h.n_points.checked_mul(h.dim as u64 * 8);
        for (name, s, want) in [("offsets", h.offsets, want_off), ("coords", h.coords, want_xy)] {
            let end = s.offset.checked_add(s.len);
            if Some(s.len) != want {
                return Err(bad(format!(
                    "{name} section has {} bytes, expected {} for {} trajectories and {} points",
                    s.len,
                    want.map_or("an impossible number of".to_string(), |w| w.to_string()),
                    h.n_traj,
                    h.n_points
                )));
            }
            if s.offset % ALIGN != 0 || s.offset < HEADER_LEN as u64 || end.is_none_or(|e| e > h.total_len) {
                return Err(bad(format!(
                    "{name} section [{}, +{}) is misaligned or outside the {}-byte buffer",
                    s.offset, s.len, h.total_len
                )));
            }
        }
        let (o, c) = (h.offsets, h.coords);
        if o.offset < c.offset + c.len && c.offset < o.offset + o.len {
            return Err(bad("the offsets and coords sections overlap".into()));
        }
        Ok(h)
    }
}
