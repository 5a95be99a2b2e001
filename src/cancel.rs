//! Cancellation inside kernels: one long pair (two 40,000-point trajectories are 1.6·10⁹ DP
//! cells, seconds of work) must stop within a fraction of a second of Ctrl-C.
//!
//! The polling thread (the one holding the caller, see `batch::executor::drive`) sets an
//! `AtomicBool`. Worker threads run kernels inside `scope(flag, ..)`; kernels call `tick(cells)`
//! once per row of work. Every `CHECK_CELLS` cells a tick reads the flag, and when it is set it
//! unwinds to `scope` with a private payload, so no kernel needs an error path of its own.
//! Outside any scope (plain Rust callers, tests) a tick costs a thread-local decrement.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Cells between two reads of the flag: about 1 ms of the cheapest kernels (~1.5 ns a cell) and
/// 150 ms of the dearest (spherical Hausdorff, ~150 ns a cell), within the half second that a
/// Ctrl-C may take.
const CHECK_CELLS: i64 = 1 << 20;

thread_local! {
    static BUDGET: Cell<i64> = const { Cell::new(CHECK_CELLS) };
    static FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// The unwinding payload of a cancelled kernel; `scope` turns it into `Error::Cancelled`.
/// resume_unwind skips the panic hook: nothing is printed.
struct Cancelled;

/// Counts `cells` of work done; every CHECK_CELLS cells, stops the kernel if its scope's flag
/// is set.
#[inline(always)]
pub fn tick(cells: usize) {
    let left = BUDGET.get() - cells as i64;
    if left > 0 {
        BUDGET.set(left);
    } else {
        check();
    }
}

#[cold]
#[inline(never)]
fn check() {
    BUDGET.set(CHECK_CELLS);
    let set = FLAG.with(|f| f.borrow().as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed)));
    if set {
        stop();
    }
}

/// Runs `f` with the flag of the current scope (one never set outside any scope), for a kernel
/// whose hot loop reads it directly rather than counting cells with `tick`; when it sees the
/// flag set, it returns early and its caller calls `stop` after `f`.
pub fn with_flag<T>(f: impl FnOnce(&AtomicBool) -> T) -> T {
    static NEVER: AtomicBool = AtomicBool::new(false);
    FLAG.with(|cur| match cur.borrow().as_ref() {
        Some(flag) => f(flag),
        None => f(&NEVER),
    })
}

/// Stops the computation now, unwinding to the enclosing `scope` (call it only inside one).
#[cold]
pub fn stop() -> ! {
    resume_unwind(Box::new(Cancelled))
}

/// Restores the enclosing scope's flag when a scope ends, unwinding included.
struct Restore(Option<Arc<AtomicBool>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let prev = self.0.take();
        FLAG.with(|f| *f.borrow_mut() = prev);
    }
}

/// Runs `f` with `flag` as the cancel flag its kernels poll. `Err(Cancelled)` if they stopped
/// because it was set (whatever `f` had written is partial); any other panic goes on unwinding.
pub fn scope<T>(flag: &Arc<AtomicBool>, f: impl FnOnce() -> T) -> Result<T> {
    if flag.load(Ordering::Relaxed) {
        return Err(Error::Cancelled);
    }
    let prev = FLAG.with(|cur| cur.borrow_mut().replace(flag.clone()));
    let _restore = Restore(prev);
    // AssertUnwindSafe: on cancellation the caller discards what `f` was writing (the output
    // is reported partial), and the kernels' scratch buffers are rebuilt before every use.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(v),
        Err(payload) if payload.is::<Cancelled>() => Err(Error::Cancelled),
        Err(payload) => resume_unwind(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_flag_stops_a_long_loop_and_nothing_else() {
        let flag = Arc::new(AtomicBool::new(false));
        let r = scope(&flag, || {
            for _ in 0..100 {
                tick(1 << 20);
            }
            7
        });
        assert_eq!(r, Ok(7));
        let r = scope(&flag, || {
            let mut rows = 0u64;
            loop {
                tick(1000);
                rows += 1;
                if rows == 10_000 {
                    flag.store(true, Ordering::Relaxed);
                }
                assert!(rows < 10_000 + 2 * (CHECK_CELLS as u64 / 1000), "the flag was not seen");
            }
        });
        assert_eq!(r, Err(Error::Cancelled));
        // Outside a scope, ticks never stop anything.
        for _ in 0..100 {
            tick(1 << 20);
        }
    }

    #[test]
    fn other_panics_go_on() {
        let flag = Arc::new(AtomicBool::new(false));
        let r = std::panic::catch_unwind(|| scope(&flag, || panic!("a bug")));
        assert!(r.is_err());
    }
}
