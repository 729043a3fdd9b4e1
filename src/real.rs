//! The real libc functions our hooks forward to, resolved once with
//! `dlsym(RTLD_NEXT, ...)` (falling back to `RTLD_DEFAULT`, as epoll-shim's
//! `src/wrap.c` does) and cached in atomics.
//!
//! A function that cannot be resolved makes its hook fail with ENOSYS; the
//! library never aborts its host.

use core::sync::atomic::{AtomicUsize, Ordering};
use libc::c_void;

/// Resolves `name` (NUL-terminated) once and caches it in `slot`.
/// Returns null when the symbol does not exist.
#[inline]
pub fn resolve(slot: &AtomicUsize, name: &[u8]) -> *mut c_void {
    let cached = slot.load(Ordering::Acquire);
    if cached > 1 {
        return cached as *mut c_void;
    }
    if cached == 1 {
        return core::ptr::null_mut();
    }
    // dlsym may call calloc and other hooked functions: keep them out.
    let _guard = crate::hooks::Reentry::enter();
    // SAFETY: `name` is a NUL-terminated symbol name.
    let mut p = unsafe { libc::dlsym(libc::RTLD_NEXT, name.as_ptr() as *const libc::c_char) };
    if p.is_null() {
        // SAFETY: as above.
        p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr() as *const libc::c_char) };
        // RTLD_DEFAULT finds our own export first; never forward to ourselves.
        if !p.is_null() && crate::is_own_address(p as usize) {
            p = core::ptr::null_mut();
        }
    }
    slot.store(if p.is_null() { 1 } else { p as usize }, Ordering::Release);
    p
}

/// Declares `real::name()` returning `Option<extern "C" fn(...) -> R>`.
macro_rules! real_fns {
    ($( $name:ident : fn($($t:ty),*) $(-> $r:ty)? ; )*) => {
        $(
            #[allow(non_upper_case_globals, dead_code)]
            pub mod $name {
                use super::*;
                static SLOT: AtomicUsize = AtomicUsize::new(0);
                pub type F = unsafe extern "C" fn($($t),*) $(-> $r)?;
                #[inline]
                pub fn get() -> Option<F> {
                    let p = resolve(&SLOT, concat!(stringify!($name), "\0").as_bytes());
                    if p.is_null() {
                        None
                    } else {
                        // SAFETY: the symbol named like this function has
                        // this C signature in glibc.
                        Some(unsafe { core::mem::transmute::<*mut c_void, F>(p) })
                    }
                }
            }
        )*
        /// Resolves every function now (called from the constructor, when
        /// the process is still single-threaded).
        pub fn resolve_all() {
            $( let _ = $name::get(); )*
        }
    };
}

use libc::{c_int, c_long, c_uint, iovec, msghdr, off_t, size_t, sockaddr, socklen_t, ssize_t};

real_fns! {
    read: fn(c_int, *mut c_void, size_t) -> ssize_t;
    write: fn(c_int, *const c_void, size_t) -> ssize_t;
    readv: fn(c_int, *const iovec, c_int) -> ssize_t;
    writev: fn(c_int, *const iovec, c_int) -> ssize_t;
    pread: fn(c_int, *mut c_void, size_t, off_t) -> ssize_t;
    pread64: fn(c_int, *mut c_void, size_t, off_t) -> ssize_t;
    pwrite: fn(c_int, *const c_void, size_t, off_t) -> ssize_t;
    pwrite64: fn(c_int, *const c_void, size_t, off_t) -> ssize_t;
    preadv: fn(c_int, *const iovec, c_int, off_t) -> ssize_t;
    preadv64: fn(c_int, *const iovec, c_int, off_t) -> ssize_t;
    preadv2: fn(c_int, *const iovec, c_int, off_t, c_int) -> ssize_t;
    preadv64v2: fn(c_int, *const iovec, c_int, off_t, c_int) -> ssize_t;
    pwritev: fn(c_int, *const iovec, c_int, off_t) -> ssize_t;
    pwritev64: fn(c_int, *const iovec, c_int, off_t) -> ssize_t;
    pwritev2: fn(c_int, *const iovec, c_int, off_t, c_int) -> ssize_t;
    pwritev64v2: fn(c_int, *const iovec, c_int, off_t, c_int) -> ssize_t;
    recv: fn(c_int, *mut c_void, size_t, c_int) -> ssize_t;
    recvfrom: fn(c_int, *mut c_void, size_t, c_int, *mut sockaddr, *mut socklen_t) -> ssize_t;
    recvmsg: fn(c_int, *mut msghdr, c_int) -> ssize_t;
    recvmmsg: fn(c_int, *mut libc::mmsghdr, c_uint, c_int, *mut libc::timespec) -> c_int;
    send: fn(c_int, *const c_void, size_t, c_int) -> ssize_t;
    sendto: fn(c_int, *const c_void, size_t, c_int, *const sockaddr, socklen_t) -> ssize_t;
    sendmsg: fn(c_int, *const msghdr, c_int) -> ssize_t;
    sendmmsg: fn(c_int, *mut libc::mmsghdr, c_uint, c_int) -> c_int;
    __read_chk: fn(c_int, *mut c_void, size_t, size_t) -> ssize_t;
    __recv_chk: fn(c_int, *mut c_void, size_t, size_t, c_int) -> ssize_t;
    __recvfrom_chk: fn(c_int, *mut c_void, size_t, size_t, c_int, *mut sockaddr, *mut socklen_t) -> ssize_t;
    eventfd_read: fn(c_int, *mut u64) -> c_int;
    eventfd_write: fn(c_int, u64) -> c_int;
    splice: fn(c_int, *mut i64, c_int, *mut i64, size_t, c_uint) -> ssize_t;
    tee: fn(c_int, c_int, size_t, c_uint) -> ssize_t;
    vmsplice: fn(c_int, *const iovec, size_t, c_uint) -> ssize_t;
    sendfile: fn(c_int, c_int, *mut off_t, size_t) -> ssize_t;
    sendfile64: fn(c_int, c_int, *mut off_t, size_t) -> ssize_t;
    accept: fn(c_int, *mut sockaddr, *mut socklen_t) -> c_int;
    accept4: fn(c_int, *mut sockaddr, *mut socklen_t, c_int) -> c_int;
    shutdown: fn(c_int, c_int) -> c_int;
    close: fn(c_int) -> c_int;
    close_range: fn(c_uint, c_uint, c_int) -> c_int;
    closefrom: fn(c_int);
    dup: fn(c_int) -> c_int;
    dup2: fn(c_int, c_int) -> c_int;
    dup3: fn(c_int, c_int, c_int) -> c_int;
    fcntl: fn(c_int, c_int, usize) -> c_int;
    fcntl64: fn(c_int, c_int, usize) -> c_int;
    socketpair: fn(c_int, c_int, c_int, *mut c_int) -> c_int;
    pipe: fn(*mut c_int) -> c_int;
    pipe2: fn(*mut c_int, c_int) -> c_int;
    poll: fn(*mut libc::pollfd, libc::nfds_t, c_int) -> c_int;
    ppoll: fn(*mut libc::pollfd, libc::nfds_t, *const libc::timespec, *const libc::sigset_t) -> c_int;
    __poll_chk: fn(*mut libc::pollfd, libc::nfds_t, c_int, size_t) -> c_int;
    __ppoll_chk: fn(*mut libc::pollfd, libc::nfds_t, *const libc::timespec, *const libc::sigset_t, size_t) -> c_int;
    select: fn(c_int, *mut libc::fd_set, *mut libc::fd_set, *mut libc::fd_set, *mut libc::timeval) -> c_int;
    pselect: fn(c_int, *mut libc::fd_set, *mut libc::fd_set, *mut libc::fd_set, *const libc::timespec, *const libc::sigset_t) -> c_int;
    syscall: fn(c_long, c_long, c_long, c_long, c_long, c_long, c_long) -> c_long;
    execve: fn(*const libc::c_char, *const *const libc::c_char, *const *const libc::c_char) -> c_int;
    execv: fn(*const libc::c_char, *const *const libc::c_char) -> c_int;
    execvp: fn(*const libc::c_char, *const *const libc::c_char) -> c_int;
    execvpe: fn(*const libc::c_char, *const *const libc::c_char, *const *const libc::c_char) -> c_int;
    fexecve: fn(c_int, *const *const libc::c_char, *const *const libc::c_char) -> c_int;
    execveat: fn(c_int, *const libc::c_char, *const *const libc::c_char, *const *const libc::c_char, c_int) -> c_int;
    posix_spawn: fn(*mut libc::pid_t, *const libc::c_char, *const libc::posix_spawn_file_actions_t, *const libc::posix_spawnattr_t, *const *mut libc::c_char, *const *mut libc::c_char) -> c_int;
    posix_spawnp: fn(*mut libc::pid_t, *const libc::c_char, *const libc::posix_spawn_file_actions_t, *const libc::posix_spawnattr_t, *const *mut libc::c_char, *const *mut libc::c_char) -> c_int;
    timerfd_settime: fn(c_int, c_int, *const libc::itimerspec, *mut libc::itimerspec) -> c_int;
}
