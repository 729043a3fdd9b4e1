//! close, close_range, closefrom, dup, dup2, dup3, fcntl: keep the core's
//! descriptor tables in step with the process's, so that registrations live
//! exactly as long as their open file description (SEMANTICS 7).

use super::Reentry;
use crate::core as core_;
use crate::fdtable::{self, DUPED, HANDLE, INTERNAL, TRACKED};
use crate::{real, sys};
use libc::{c_int, c_uint};

/// True in the child of a vfork (shares our memory but not our pid): it
/// must not touch the parent's tables.
fn in_vfork_child() -> bool {
    sys::getpid() != crate::PID.load(core::sync::atomic::Ordering::Relaxed)
}

/// Tells the core that `fd` is going away. Returns false when `fd` is one
/// of repoll's internal descriptors, which the application cannot see:
/// closing it must fail with EBADF as for any descriptor it never opened.
fn before_close(fd: c_int) -> bool {
    // The trace log is repoll's own descriptor: the program never opened it.
    if crate::trace::is_log_fd(fd) {
        return false;
    }
    let bits = fdtable::bits(fd);
    if bits & !DUPED == 0 {
        fdtable::forget(fd);
        if !in_vfork_child() {
            crate::diag::on_close(fd, None); // lints (src/diag)
        }
        return true;
    }
    if Reentry::active() || in_vfork_child() {
        return true;
    }
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let Some(g) = g.as_mut() else { return true };
    if g.internal.contains(&fd) {
        return false;
    }
    crate::diag::on_close(fd, Some(g)); // lints (src/diag): before the core forgets fd
    if bits & (TRACKED | HANDLE) != 0 {
        g.fd_closed(fd);
    } else {
        fdtable::forget(fd);
    }
    true
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn close(fd: c_int) -> c_int {
    let Some(f) = real::close::get() else {
        enosys!()
    };
    if !before_close(fd) {
        return super::fail(libc::EBADF);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd) };
    let err = sys::errno();
    core_::cold::unpin_wait();
    sys::set_errno(err);
    r
}

/// Closes [first, last] like close_range(2) but never repoll's internal
/// descriptors (a daemon closing every fd from 3 up must not break us).
fn close_range_impl(first: c_uint, last: c_uint, flags: c_int) -> c_int {
    let saved = sys::errno();
    if first > last {
        sys::set_errno(libc::EINVAL);
        return -1;
    }
    let cloexec_only = flags & libc::CLOSE_RANGE_CLOEXEC as c_int != 0;
    let mut internal: [c_int; 64] = [-1; 64];
    let mut n_internal = 0;
    if !Reentry::active() && !in_vfork_child() {
        let _re = Reentry::enter();
        let mut g = core_::lock();
        if let Some(g) = g.as_mut() {
            let log = crate::trace::log_fd();
            if log >= 0
                && log as c_uint >= first
                && log as c_uint <= last
                && n_internal < internal.len()
            {
                internal[n_internal] = log;
                n_internal += 1;
            }
            for &fd in g.internal.iter() {
                if fd as c_uint >= first && fd as c_uint <= last && n_internal < internal.len() {
                    internal[n_internal] = fd;
                    n_internal += 1;
                }
            }
            if !cloexec_only {
                let victims: Vec<c_int> = g.fds.keys_in(first as usize, last as usize).collect();
                let clamp = |v: c_uint| v.min(c_int::MAX as c_uint) as c_int;
                g.closing = Some((clamp(first), clamp(last)));
                for fd in victims {
                    crate::diag::on_close(fd, Some(g)); // lints (src/diag)
                    g.fd_closed(fd);
                }
                g.closing = None;
                crate::diag::on_close_range(first, last); // lints (src/diag)
                let top = (last as usize).min(fdtable::FAST_FDS - 1);
                for fd in first as usize..=top.max(first as usize).min(fdtable::FAST_FDS - 1) {
                    if fd as c_uint > last {
                        break;
                    }
                    if fdtable::bits(fd as c_int) & INTERNAL == 0 {
                        fdtable::forget(fd as c_int);
                    }
                }
            }
        }
    }
    internal[..n_internal].sort_unstable();
    let call = |a: c_uint, b: c_uint| -> Result<(), c_int> {
        if a > b {
            return Ok(());
        }
        match real::close_range::get() {
            Some(f) => {
                // SAFETY: plain integer arguments.
                if unsafe { f(a, b, flags) } == 0 {
                    Ok(())
                } else {
                    Err(sys::errno())
                }
            }
            None => sys::call(
                libc::SYS_close_range,
                [a as usize, b as usize, flags as usize, 0, 0, 0],
            )
            .map(|_| ()),
        }
    };
    let mut start = first;
    for &fd in &internal[..n_internal] {
        let fd = fd as c_uint;
        if fd > start {
            if let Err(e) = call(start, fd - 1) {
                sys::set_errno(e);
                return -1;
            }
        }
        start = fd.saturating_add(1);
        if fd == c_uint::MAX {
            break;
        }
    }
    if n_internal == 0 || internal[n_internal - 1] as c_uint != c_uint::MAX {
        if let Err(e) = call(start, last) {
            sys::set_errno(e);
            return -1;
        }
    }
    core_::cold::unpin_wait();
    sys::set_errno(saved);
    0
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn close_range(first: c_uint, last: c_uint, flags: c_int) -> c_int {
    close_range_impl(first, last, flags)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn closefrom(lowfd: c_int) {
    let saved = sys::errno();
    let _ = close_range_impl(lowfd.max(0) as c_uint, c_uint::MAX, 0);
    sys::set_errno(saved);
}

/// After `newfd` became a duplicate of `oldfd`.
fn after_dup(oldfd: c_int, newfd: c_int) {
    if newfd < 0 {
        return;
    }
    if Reentry::active() || in_vfork_child() {
        fdtable::forget(newfd);
        return;
    }
    if fdtable::bits(oldfd) & (TRACKED | HANDLE) != 0 {
        let _re = Reentry::enter();
        let mut g = core_::lock();
        if let Some(g) = g.as_mut() {
            g.fd_duplicated(oldfd, newfd);
        }
    } else {
        fdtable::forget(newfd);
        fdtable::set_write_target(newfd, fdtable::write_target(oldfd));
    }
    fdtable::add_bits(oldfd, DUPED);
    fdtable::add_bits(newfd, DUPED);
}

/// Before `newfd` is replaced by dup2/dup3: an internal descriptor there is
/// moved out of the way; a tracked one is closed in the core's tables.
fn before_replace(newfd: c_int) {
    crate::trace::relocate_log_fd(newfd);
    let bits = fdtable::bits(newfd);
    if bits & !DUPED == 0 || Reentry::active() || in_vfork_child() {
        fdtable::forget(newfd);
        if !in_vfork_child() {
            crate::diag::on_close(newfd, None); // lints (src/diag)
        }
        return;
    }
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let Some(g) = g.as_mut() else { return };
    if g.internal.contains(&newfd) {
        g.relocate_internal(newfd);
    }
    crate::diag::on_close(newfd, Some(g)); // lints (src/diag)
    if bits & (TRACKED | HANDLE) != 0 {
        g.fd_closed(newfd);
    }
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn dup(fd: c_int) -> c_int {
    let Some(f) = real::dup::get() else { enosys!() };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd) };
    let err = sys::errno();
    after_dup(fd, r);
    sys::set_errno(err);
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn dup2(oldfd: c_int, newfd: c_int) -> c_int {
    let Some(f) = real::dup2::get() else {
        enosys!()
    };
    if oldfd != newfd && sys::fcntl(oldfd, libc::F_GETFD, 0).is_ok() {
        before_replace(newfd);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(oldfd, newfd) };
    let err = sys::errno();
    core_::cold::unpin_wait();
    if r >= 0 && oldfd != newfd {
        after_dup(oldfd, r);
    }
    sys::set_errno(err);
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn dup3(oldfd: c_int, newfd: c_int, flags: c_int) -> c_int {
    let Some(f) = real::dup3::get() else {
        enosys!()
    };
    // dup3 fails EINVAL for these before touching newfd.
    let bad = oldfd == newfd || flags & !libc::O_CLOEXEC != 0;
    if !bad && sys::fcntl(oldfd, libc::F_GETFD, 0).is_ok() {
        before_replace(newfd);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(oldfd, newfd, flags) };
    let err = sys::errno();
    core_::cold::unpin_wait();
    if r >= 0 {
        after_dup(oldfd, r);
    }
    sys::set_errno(err);
    r
}

fn fcntl_impl(real_fn: Option<real::fcntl::F>, fd: c_int, cmd: c_int, arg: usize) -> c_int {
    let Some(f) = real_fn else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    let handle = fdtable::bits(fd) & HANDLE != 0 && !Reentry::active();
    if handle && (cmd == libc::F_GETFL || cmd == libc::F_SETFL) {
        let _re = Reentry::enter();
        let mut g = core_::lock();
        if let Some(id) = g.as_ref().and_then(|g| g.instance_of_fd(fd)) {
            let g = g.as_mut().expect("core initialised");
            // The real handle stays non-blocking (repoll drains it); the
            // application sees the flag as it set it (ERR-CREATE1-6).
            if cmd == libc::F_GETFL {
                // SAFETY: forwarding F_GETFL.
                let r = unsafe { f(fd, cmd, 0) };
                if r < 0 {
                    return r;
                }
                let nb = if g.inst(id).app_nonblock {
                    libc::O_NONBLOCK
                } else {
                    0
                };
                return (r & !libc::O_NONBLOCK) | nb;
            }
            // SAFETY: forwarding F_SETFL with O_NONBLOCK kept on.
            let r = unsafe { f(fd, cmd, arg | libc::O_NONBLOCK as usize) };
            if r == 0 {
                g.inst_mut(id).app_nonblock = arg & libc::O_NONBLOCK as usize != 0;
            }
            return r;
        }
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, cmd, arg) };
    if r >= 0 && (cmd == libc::F_DUPFD || cmd == libc::F_DUPFD_CLOEXEC) {
        let err = sys::errno();
        after_dup(fd, r);
        sys::set_errno(err);
    }
    r
}

/// # Safety
/// C ABI entry point. fcntl is variadic; on the supported ABIs the third
/// argument arrives in the same register as a fixed one.
#[no_mangle]
pub unsafe extern "C-unwind" fn fcntl(fd: c_int, cmd: c_int, arg: usize) -> c_int {
    fcntl_impl(real::fcntl::get(), fd, cmd, arg)
}

/// # Safety
/// C ABI entry point (glibc's 64-bit offset alias of fcntl).
#[no_mangle]
pub unsafe extern "C-unwind" fn fcntl64(fd: c_int, cmd: c_int, arg: usize) -> c_int {
    fcntl_impl(real::fcntl64::get().or(real::fcntl::get()), fd, cmd, arg)
}
