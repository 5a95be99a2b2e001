//! Arena format v1: round trips and every kind of corruption gives an error, never a crash.

use trajarena::arena::{self, ArenaBytes, MappedArena};
use trajarena::Collection;

fn sample() -> (Vec<i64>, Vec<f64>) {
    let offsets = vec![0, 3, 4, 9];
    let coords: Vec<f64> = (0..18).map(|k| k as f64 * 0.5 - 3.0).collect();
    (offsets, coords)
}

fn encoded() -> Vec<u8> {
    let (o, c) = sample();
    let x = Collection::new(&o, &c, 2, "X").unwrap();
    arena::writer::encode(&x).unwrap()
}

/// A copy of `buf` in 8-byte-aligned storage, as a memory map or numpy array would give.
fn aligned(buf: &[u8]) -> Vec<u64> {
    let mut v = vec![0u64; buf.len().div_ceil(8)];
    for (k, b) in buf.iter().enumerate() {
        v[k / 8] |= (*b as u64) << (8 * (k % 8));
    }
    v
}

fn parse(buf: &[u8]) -> Result<(), String> {
    let store = aligned(buf);
    ArenaBytes::parse(as_bytes(&store, buf.len())).map(|_| ()).map_err(|e| e.to_string())
}

/// The first `len` bytes of the u64 storage: the parser needs 8-byte alignment, so the bytes
/// must live in the aligned allocation itself.
fn as_bytes(store: &[u64], len: usize) -> &[u8] {
    // SAFETY: u8 has alignment 1 and every byte of a u64 is initialised; len <= 8 * store.len().
    unsafe { std::slice::from_raw_parts(store.as_ptr() as *const u8, len) }
}

#[test]
fn round_trip_bytes() {
    let buf = encoded();
    let store = aligned(&buf);
    let a = ArenaBytes::parse(as_bytes(&store, buf.len())).unwrap();
    let (o, c) = sample();
    assert_eq!(a.offsets, &o[..]);
    assert_eq!(a.coords, &c[..]);
    assert_eq!(a.header.dim, 2);
    assert_eq!(a.header.n_traj, 3);
    assert_eq!(a.header.coords.offset % 64, 0);
    let x = a.collection("X").unwrap();
    assert_eq!(x.len(), 3);
    assert_eq!(x.get(2).len(), 5);
}

#[test]
fn round_trip_file() {
    let dir = std::env::temp_dir().join(format!("trajarena-rust-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.arena");
    let (o, c) = sample();
    let x = Collection::new(&o, &c, 2, "X").unwrap();
    let h = arena::write_file(&path, &x, false).unwrap();
    assert!(h.sealed());
    let m = MappedArena::open(&path).unwrap();
    assert_eq!(m.view().coords, &c[..]);
    assert_eq!(m.view().header.crc, h.crc);
    // no temporary left behind
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn corruption_is_an_error() {
    let good = encoded();
    let expect = |buf: Vec<u8>, needle: &str| {
        let err = parse(&buf).expect_err(needle);
        assert!(err.contains(needle), "{err:?} should mention {needle:?}");
    };
    // truncated: in the header, and in the data
    expect(good[..100].to_vec(), "truncated");
    expect(good[..good.len() - 1].to_vec(), "truncated");
    // a flipped byte anywhere in the header
    for at in [9usize, 20, 33, 50, 70, 130, 200] {
        let mut b = good.clone();
        b[at] ^= 0x10;
        let err = parse(&b).unwrap_err();
        assert!(err.contains("checksum") || err.contains("version"), "byte {at}: {err}");
    }
    // wrong magic
    let mut b = good.clone();
    b[0] = b'X';
    expect(b, "magic");
    // unsealed
    let mut b = good.clone();
    b[24] &= !1;
    expect(resealed_raw(b), "not sealed");
    // newer major version
    let mut b = good.clone();
    b[8] = 2;
    expect(b, "version 2");
    // non-monotone offsets (data section: header CRC stays valid)
    let mut b = good.clone();
    let off_at = 256 + 8; // offsets[1]
    b[off_at..off_at + 8].copy_from_slice(&7i64.to_le_bytes());
    b[off_at + 8..off_at + 16].copy_from_slice(&5i64.to_le_bytes());
    expect(b, "not monotone");
    // offsets past the end
    let mut b = good.clone();
    b[off_at + 16..off_at + 24].copy_from_slice(&1000i64.to_le_bytes());
    expect(b, "past the end");
    // a random garbage buffer
    expect(vec![0u8; 4096], "magic");
}

/// Re-encodes the CRC over raw header bytes (for the unsealed case, which `decode` refuses).
fn resealed_raw(mut buf: Vec<u8>) -> Vec<u8> {
    let crc = crc32_ref(&buf[..252]);
    buf[252..256].copy_from_slice(&crc.to_le_bytes());
    buf
}

fn crc32_ref(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = std::env::temp_dir().join(format!("trajarena-fifo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("not-an-arena");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let err = MappedArena::open(&fifo).err().expect("a FIFO is not an arena");
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let err = MappedArena::open(&dir).err().expect("a directory is not an arena");
    assert!(err.to_string().contains("not a regular file") || err.to_string().contains("directory"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
