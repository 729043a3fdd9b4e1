//! Entry points that bypass the plain wrappers: `syscall(SYS_epoll_*)`,
//! io_uring set-up, and poll/ppoll given an epoll descriptor.

use super::Reentry;
use crate::core as core_;
use crate::fdtable::{self, HANDLE};
use crate::{real, sys};
use libc::{c_int, c_long, epoll_event, nfds_t, pollfd, sigset_t, timespec};

/// # Safety
/// C ABI entry point. glibc's `syscall` is variadic; on x86-64 and aarch64
/// its integer arguments arrive in the registers of a fixed six-argument
/// function, which is how this hook takes them.
#[no_mangle]
pub unsafe extern "C-unwind" fn syscall(n: c_long, a1: c_long, a2: c_long, a3: c_long, a4: c_long, a5: c_long, a6: c_long) -> c_long {
    if !Reentry::active() {
        let saved = sys::errno();
        let r: Option<Result<c_int, c_int>> = match n {
            libc::SYS_epoll_create1 => {
                // SAFETY: same contract as the wrapper.
                return unsafe { super::epoll::epoll_create1(a1 as c_int) } as c_long;
            }
            #[cfg(target_arch = "x86_64")]
            libc::SYS_epoll_create => {
                // SAFETY: same contract as the wrapper.
                return unsafe { super::epoll::epoll_create(a1 as c_int) } as c_long;
            }
            libc::SYS_epoll_ctl => Some(super::epoll::ctl(a1 as c_int, a2 as c_int, a3 as c_int, a4 as *const epoll_event)),
            #[cfg(target_arch = "x86_64")]
            libc::SYS_epoll_wait => Some(super::epoll::wait(
                a1 as c_int,
                a2 as *mut epoll_event,
                a3 as c_int,
                if (a4 as c_int) < 0 { super::epoll::Timeout::Infinite } else { super::epoll::Timeout::Nanos(a4 as c_int as u64 * 1_000_000) },
                None,
            )),
            libc::SYS_epoll_pwait | libc::SYS_epoll_pwait2 => {
                // The raw call takes sigsetsize: with a mask it must be 8
                // (ERR-PWAIT-4..7), checked before anything else.
                if a5 != 0 && a6 as usize != 8 {
                    Some(Err(libc::EINVAL))
                } else if n == libc::SYS_epoll_pwait {
                    Some(super::epoll::pwait(a1 as c_int, a2 as *mut epoll_event, a3 as c_int, a4 as c_int, a5 as *const sigset_t))
                } else {
                    Some(super::epoll::pwait2(a1 as c_int, a2 as *mut epoll_event, a3 as c_int, a4 as *const timespec, a5 as *const sigset_t))
                }
            }
            libc::SYS_io_uring_setup if crate::options::refuse_io_uring() => {
                // libuv batches epoll_ctl through io_uring (IORING_OP_EPOLL_CTL)
                // where no preload sees it; refusing the ring makes it fall
                // back to epoll_ctl (PITFALLS: Runtimes).
                Some(Err(libc::ENOSYS))
            }
            _ => None,
        };
        if let Some(r) = r {
            return super::encode(r, saved) as c_long;
        }
    }
    match real::syscall::get() {
        // SAFETY: forwarding the caller's arguments unchanged.
        Some(f) => unsafe { f(n, a1, a2, a3, a4, a5, a6) },
        None => {
            let r = sys::raw6(n, [a1 as usize, a2 as usize, a3 as usize, a4 as usize, a5 as usize, a6 as usize]);
            if r < 0 && r > -4096 {
                sys::set_errno(-r as c_int);
                -1
            } else {
                r as c_long
            }
        }
    }
}

/// Brings the handles in a poll set up to date; returns true when the set
/// holds at least one of our epoll descriptors.
fn refresh_handles(fds: *mut pollfd, nfds: nfds_t) -> bool {
    if fds.is_null() || nfds == 0 || nfds > 1 << 20 || Reentry::active() {
        return false;
    }
    let mut any = false;
    for i in 0..nfds as usize {
        // SAFETY: poll will read the same array; reading the fd field of a
        // caller-provided array of nfds entries.
        let fd = unsafe { (*fds.add(i)).fd };
        if fd >= 0 && fdtable::bits(fd) & HANDLE != 0 {
            any = true;
            break;
        }
    }
    if !any {
        return false;
    }
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let Some(g) = g.as_mut() else { return false };
    let mut found = false;
    for i in 0..nfds as usize {
        // SAFETY: as above.
        let fd = unsafe { (*fds.add(i)).fd };
        if let Some(id) = g.instance_of_fd(fd) {
            if g.alive(id) {
                g.refresh(id, 0);
                found = true;
            }
        }
    }
    found
}

/// Slice of a blocking poll over epoll descriptors: their readability only
/// changes when repoll observes their members, so the poll is cut in slices
/// and the instances re-observed between them.
const HANDLE_POLL_SLICE_MS: c_int = 10;

fn poll_impl(fds: *mut pollfd, nfds: nfds_t, timeout_ms: c_int, f: real::poll::F) -> c_int {
    if !refresh_handles(fds, nfds) {
        // SAFETY: forwarding unchanged.
        return unsafe { f(fds, nfds, timeout_ms) };
    }
    let start = sys::monotonic_ns();
    loop {
        let slice = if timeout_ms < 0 {
            HANDLE_POLL_SLICE_MS
        } else {
            let spent = ((sys::monotonic_ns() - start) / 1_000_000) as c_int;
            (timeout_ms - spent).clamp(0, HANDLE_POLL_SLICE_MS)
        };
        // SAFETY: forwarding the caller's array.
        let r = unsafe { f(fds, nfds, slice) };
        if r != 0 || slice == 0 {
            return r;
        }
        if timeout_ms >= 0 && sys::monotonic_ns() - start >= timeout_ms as u64 * 1_000_000 {
            return 0;
        }
        refresh_handles(fds, nfds);
    }
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn poll(fds: *mut pollfd, nfds: nfds_t, timeout: c_int) -> c_int {
    let Some(f) = real::poll::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    poll_impl(fds, nfds, timeout, f)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn ppoll(fds: *mut pollfd, nfds: nfds_t, ts: *const timespec, mask: *const sigset_t) -> c_int {
    let Some(f) = real::ppoll::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    if refresh_handles(fds, nfds) && !ts.is_null() {
        // SAFETY: the caller's timespec; ppoll itself would read it.
        let t = unsafe { *ts };
        if t.tv_sec == 0 && t.tv_nsec == 0 {
            // SAFETY: forwarding unchanged.
            return unsafe { f(fds, nfds, ts, mask) };
        }
    }
    // SAFETY: forwarding unchanged.
    unsafe { f(fds, nfds, ts, mask) }
}

/// Rebuilds instances inherited across exec (stub until exec support).
pub fn restore_inherited() {}
