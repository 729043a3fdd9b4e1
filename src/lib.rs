//! repoll: an LD_PRELOAD replacement of the Linux epoll API.
//!
//! Layers (STYLE.md §1): `hooks` (exported C functions) → `core` (poll
//! core, instances, descriptor tracking) → `registry` (pure interest table
//! and ready list). `trace` is fed by hooks and never changes behaviour.

pub mod core;
pub mod diag;
pub mod fdtable;
pub mod hooks;
pub mod lock;
pub mod options;
pub mod real;
pub mod registry;
pub mod sys;
pub mod trace;

use ::core::sync::atomic::{AtomicI32, Ordering};

/// Our pid, refreshed in forked children; a hook that sees another pid runs
/// in a vfork child sharing our memory and must not touch shared tables.
pub static PID: AtomicI32 = AtomicI32::new(0);

/// The version string returned by `repoll_version()`.
static VERSION: &[u8] = concat!("repoll ", env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// Lets a program tell whether it runs under repoll (declare it weak in C;
/// see include/epoll.h).
#[no_mangle]
pub extern "C" fn repoll_version() -> *const libc::c_char {
    VERSION.as_ptr() as *const libc::c_char
}

/// True when `addr` lies inside this library's own code (used to refuse
/// forwarding a hook to itself).
pub fn is_own_address(addr: usize) -> bool {
    let mut info = libc::Dl_info {
        dli_fname: ::core::ptr::null(),
        dli_fbase: ::core::ptr::null_mut(),
        dli_sname: ::core::ptr::null(),
        dli_saddr: ::core::ptr::null_mut(),
    };
    let mut mine = info;
    // SAFETY: dladdr fills the Dl_info we own.
    unsafe {
        if libc::dladdr(addr as *const libc::c_void, &mut info) == 0 {
            return false;
        }
        if libc::dladdr(repoll_version as *const libc::c_void, &mut mine) == 0 {
            return false;
        }
    }
    info.dli_fbase == mine.dli_fbase
}

extern "C" fn atfork_prepare() {
    crate::core::GLOBAL.raw_lock();
    // Parent and child share every handle from now on: keep them exact.
    // SAFETY: the lock was just taken.
    if let Some(g) = unsafe { crate::core::GLOBAL.get_unlocked() }.as_mut() {
        let _re = hooks::Reentry::enter();
        g.expose_all();
    }
    // diag (issues 6, 7): its lock is taken after the core's, as everywhere.
    crate::diag::STATE.raw_lock();
    crate::trace::atfork_prepare();
}

extern "C" fn atfork_parent() {
    crate::trace::atfork_parent();
    crate::diag::STATE.raw_unlock();
    crate::diag::atfork_parent();
    crate::core::GLOBAL.raw_unlock();
}

extern "C" fn atfork_child() {
    PID.store(sys::getpid(), Ordering::Relaxed);
    // SAFETY: the prepare handler took the lock; this is the only thread.
    if let Some(g) = unsafe { crate::core::GLOBAL.get_unlocked() }.as_mut() {
        let _re = hooks::Reentry::enter();
        g.after_fork_child();
    }
    crate::core::GLOBAL.reset_in_child();
    crate::diag::atfork_child();
    crate::trace::atfork_child();
}

extern "C" fn init() {
    PID.store(sys::getpid(), Ordering::Relaxed);
    let _re = hooks::Reentry::enter();
    real::resolve_all();
    options::init();
    drop(crate::core::lock());
    // SAFETY: registering plain extern "C" handlers.
    unsafe {
        libc::pthread_atfork(
            Some(atfork_prepare),
            Some(atfork_parent),
            Some(atfork_child),
        )
    };
    crate::hooks::process::restore_inherited();
    crate::diag::init();
    trace::init();
}

extern "C" fn fini() {
    let _re = hooks::Reentry::enter();
    // Lint reports and the half-close table go out before the summary.
    crate::diag::fini();
    trace::fini();
}

#[used]
#[link_section = ".init_array"]
static INIT: extern "C" fn() = init;

#[used]
#[link_section = ".fini_array"]
static FINI: extern "C" fn() = fini;
