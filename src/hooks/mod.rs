//! The exported C functions. Each hook is thin: guard re-entry, save errno,
//! decode, call the core, encode the result and errno (epoll-shim's
//! ERRNO_SAVE/ERRNO_RETURN shape).

/// Returns -1/ENOSYS from a hook whose real function is missing.
macro_rules! enosys {
    () => {{
        crate::sys::set_errno(libc::ENOSYS);
        return -1;
    }};
}

pub mod close;
pub mod epoll;
pub mod io;
pub mod process;

use core::cell::Cell;
use libc::c_int;

thread_local! {
    /// Depth of repoll's own work on this thread: hooks entered while it is
    /// non-zero (dlsym, our own logging, a signal handler interrupting us)
    /// go straight to the real function.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Marks the current thread as inside repoll until dropped.
pub struct Reentry(());

impl Reentry {
    pub fn enter() -> Reentry {
        DEPTH.with(|d| d.set(d.get() + 1));
        Reentry(())
    }
    #[inline]
    pub fn active() -> bool {
        DEPTH.with(|d| d.get() != 0)
    }
}

impl Drop for Reentry {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Returns -1 with `errno` set to `e`.
#[inline]
pub fn fail<T: From<i8>>(e: c_int) -> T {
    crate::sys::set_errno(e);
    T::from(-1)
}

/// Encodes a core result as the C convention, leaving errno untouched on
/// success (never set to 0: libeatmydata's mistake).
#[inline]
pub fn encode(r: Result<c_int, c_int>, saved_errno: c_int) -> c_int {
    match r {
        Ok(v) => {
            crate::sys::set_errno(saved_errno);
            v
        }
        Err(e) => {
            crate::sys::set_errno(e);
            -1
        }
    }
}
