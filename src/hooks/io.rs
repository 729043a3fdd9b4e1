//! read/write and their relatives: forward to libc, then tell the core what
//! happened so edge-triggered registrations stay faithful (SEMANTICS 11):
//! * a successful write-like call on a descriptor is a wakeup of whatever
//!   reads from its channel (an ET edge even when undrained, MUST 7);
//! * a read-like call that drains a registered descriptor (EAGAIN, EOF,
//!   FIONREAD baseline reaching 0) forgets the IN state, so the next data is
//!   seen as a new edge; a write failing with EAGAIN does the same for OUT;
//! * reads and writes on an epoll descriptor fail with EINVAL (ERR-EPFD-1/2).
//!
//! The fast path for descriptors repoll does not track is one atomic load.

use super::Reentry;
use crate::core::{self as core_, ident};
use crate::fdtable::{self, EDGE, HANDLE, TRACKED};
use crate::{real, sys};
use core::sync::atomic::Ordering;
use libc::{c_int, c_uint, c_void, iovec, msghdr, off_t, size_t, sockaddr, socklen_t, ssize_t};

/// True when `fd` is one of our epoll handles (checked under the lock for
/// descriptors beyond the fast table).
fn is_handle(fd: c_int) -> bool {
    if fdtable::bits(fd) & HANDLE == 0 || Reentry::active() {
        return false;
    }
    let _re = Reentry::enter();
    let g = core_::lock();
    g.as_ref().is_some_and(|g| g.instance_of_fd(fd).is_some())
}

/// After a read-like call returned `r` (errno `err`) on `fd` asked for
/// `asked` bytes.
fn after_read(fd: c_int, r: isize, err: c_int, asked: usize) {
    if fdtable::bits(fd) & (EDGE | TRACKED) == 0 || Reentry::active() {
        return;
    }
    crate::diag::on_read(fd, r, err, asked); // lints, rdhup=uniform (src/diag): atomics only
    let (consumed, drained) = if r > 0 {
        (r as i64, false)
    } else if r == 0 {
        // End of file: the descriptor stays readable (IN|RDHUP|HUP); it is
        // not drained, and no later observation is a new edge.
        let _ = asked;
        (0, false)
    } else {
        (0, err == libc::EAGAIN)
    };
    if consumed == 0 && !drained {
        return;
    }
    let _re = Reentry::enter();
    let mut g = core_::lock();
    if let Some(g) = g.as_mut() {
        g.after_io(fd, consumed, drained, false);
    }
}

/// After a write-like call on `fd` returned `r` (errno `err`). `channel`
/// overrides where the data went (sendto with an address).
fn after_write(fd: c_int, r: isize, err: c_int, channel: Option<u64>) {
    if fdtable::REGISTRATIONS.load(Ordering::Relaxed) == 0 || Reentry::active() {
        return;
    }
    crate::diag::on_write(fd); // lints (src/diag): atomics only
    if r < 0 {
        if err == libc::EAGAIN && fdtable::bits(fd) & EDGE != 0 {
            let _re = Reentry::enter();
            let mut g = core_::lock();
            if let Some(g) = g.as_mut() {
                g.after_io(fd, 0, false, true);
            }
        }
        return;
    }
    let target = match channel {
        Some(c) => c,
        None => {
            let mut t = fdtable::write_target(fd);
            if t == 0 {
                let _re = Reentry::enter();
                t = ident::write_channel(fd);
                fdtable::set_write_target(fd, t);
            }
            t
        }
    };
    if target >= 2 && fdtable::bloom_test(target) {
        let _re = Reentry::enter();
        let mut g = core_::lock();
        if let Some(g) = g.as_mut() {
            g.wakeup_channel(target);
        }
    }
}

fn iov_total(iov: *const iovec, n: c_int) -> usize {
    if iov.is_null() || n <= 0 {
        return 0;
    }
    let mut total = 0usize;
    for i in 0..n as usize {
        // SAFETY: the kernel already accepted this iovec array (the call
        // succeeded) so it is readable.
        let v = unsafe { core::ptr::read_unaligned(iov.add(i)) };
        total = total.saturating_add(v.iov_len);
    }
    total
}

/// Restores errno after our bookkeeping, as the real call left it.
macro_rules! finish {
    ($r:expr, $err:expr) => {{
        sys::set_errno($err);
        $r
    }};
}

// ---- reads -----------------------------------------------------------------

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn read(fd: c_int, buf: *mut c_void, n: size_t) -> ssize_t {
    let Some(f) = real::read::get() else {
        enosys!()
    };
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding the caller's arguments unchanged.
    let r = unsafe { f(fd, buf, n) };
    let err = sys::errno();
    after_read(fd, r, err, n);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn __read_chk(
    fd: c_int,
    buf: *mut c_void,
    n: size_t,
    buflen: size_t,
) -> ssize_t {
    let Some(f) = real::__read_chk::get() else {
        enosys!()
    };
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged (glibc checks n <= buflen itself).
    let r = unsafe { f(fd, buf, n, buflen) };
    let err = sys::errno();
    after_read(fd, r, err, n);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn readv(fd: c_int, iov: *const iovec, cnt: c_int) -> ssize_t {
    let Some(f) = real::readv::get() else {
        enosys!()
    };
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, iov, cnt) };
    let err = sys::errno();
    let asked = if r >= 0 { iov_total(iov, cnt) } else { 1 };
    after_read(fd, r, err, asked);
    finish!(r, err)
}

macro_rules! pread_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            buf: *mut c_void,
            n: size_t,
            off: off_t,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, buf, n, off) };
            let err = sys::errno();
            after_read(fd, r, err, n);
            finish!(r, err)
        }
    };
}
pread_like!(pread, pread);
pread_like!(pread64, pread64);

macro_rules! preadv_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            iov: *const iovec,
            cnt: c_int,
            off: off_t,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, iov, cnt, off) };
            let err = sys::errno();
            let asked = if r >= 0 { iov_total(iov, cnt) } else { 1 };
            after_read(fd, r, err, asked);
            finish!(r, err)
        }
    };
}
preadv_like!(preadv, preadv);
preadv_like!(preadv64, preadv64);

macro_rules! preadv2_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            iov: *const iovec,
            cnt: c_int,
            off: off_t,
            flags: c_int,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, iov, cnt, off, flags) };
            let err = sys::errno();
            let asked = if r >= 0 { iov_total(iov, cnt) } else { 1 };
            after_read(fd, r, err, asked);
            finish!(r, err)
        }
    };
}
preadv2_like!(preadv2, preadv2);
preadv2_like!(preadv64v2, preadv64v2);

fn peeking(flags: c_int) -> bool {
    flags & libc::MSG_PEEK != 0
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn recv(
    fd: c_int,
    buf: *mut c_void,
    n: size_t,
    flags: c_int,
) -> ssize_t {
    let Some(f) = real::recv::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, flags) };
    let err = sys::errno();
    if !peeking(flags) {
        after_read(fd, r, err, n);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn __recv_chk(
    fd: c_int,
    buf: *mut c_void,
    n: size_t,
    buflen: size_t,
    flags: c_int,
) -> ssize_t {
    let Some(f) = real::__recv_chk::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, buflen, flags) };
    let err = sys::errno();
    if !peeking(flags) {
        after_read(fd, r, err, n);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn recvfrom(
    fd: c_int,
    buf: *mut c_void,
    n: size_t,
    flags: c_int,
    addr: *mut sockaddr,
    alen: *mut socklen_t,
) -> ssize_t {
    let Some(f) = real::recvfrom::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, flags, addr, alen) };
    let err = sys::errno();
    if !peeking(flags) {
        after_read(fd, r, err, n);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn __recvfrom_chk(
    fd: c_int,
    buf: *mut c_void,
    n: size_t,
    buflen: size_t,
    flags: c_int,
    addr: *mut sockaddr,
    alen: *mut socklen_t,
) -> ssize_t {
    let Some(f) = real::__recvfrom_chk::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, buflen, flags, addr, alen) };
    let err = sys::errno();
    if !peeking(flags) {
        after_read(fd, r, err, n);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn recvmsg(fd: c_int, msg: *mut msghdr, flags: c_int) -> ssize_t {
    let Some(f) = real::recvmsg::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, msg, flags) };
    let err = sys::errno();
    if r >= 0 && !msg.is_null() {
        mark_passed_fds(msg, true);
    }
    if !peeking(flags) {
        after_read(fd, r, err, 1);
    }
    finish!(r, err)
}

/// Descriptors passed with SCM_RIGHTS may name files (or epoll
/// instances) repoll tracks: forget stale hints for their numbers and mark
/// them as duplicates, so that closing the registered number looks for them
/// (a received copy keeps a registration alive, as a dup does).
fn mark_passed_fds(msg: *mut msghdr, received: bool) {
    // SAFETY: a header the kernel accepted (sent) or filled (received).
    if unsafe { (*msg).msg_controllen } == 0 {
        return;
    }
    let mut expose = false;
    // SAFETY: the kernel just filled this header; CMSG_* walk its control
    // buffer within msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(c) as *const c_int;
                let n = ((*c).cmsg_len as usize).saturating_sub(libc::CMSG_LEN(0) as usize)
                    / core::mem::size_of::<c_int>();
                for i in 0..n {
                    let fd = core::ptr::read_unaligned(data.add(i));
                    if received {
                        fdtable::forget(fd);
                    } else if fdtable::bits(fd) & fdtable::HANDLE != 0 {
                        // An epoll handle leaves the process: whoever
                        // receives it polls the eventfd itself.
                        expose = true;
                    }
                    fdtable::add_bits(fd, fdtable::DUPED);
                }
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    if expose && !Reentry::active() {
        let _re = Reentry::enter();
        if let Some(g) = crate::core::lock().as_mut() {
            g.expose_all();
        }
    }
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn recvmmsg(
    fd: c_int,
    msgs: *mut libc::mmsghdr,
    vlen: c_uint,
    flags: c_int,
    timeout: *mut libc::timespec,
) -> c_int {
    let Some(f) = real::recvmmsg::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, msgs, vlen, flags, timeout) };
    let err = sys::errno();
    if !peeking(flags) {
        let mut bytes: isize = 0;
        if r > 0 {
            for i in 0..r as usize {
                // SAFETY: the kernel filled r entries of the caller's array.
                bytes += unsafe { (*msgs.add(i)).msg_len } as isize;
            }
            bytes = bytes.max(1);
        } else {
            bytes = r as isize;
        }
        after_read(fd, bytes, err, 1);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn eventfd_read(fd: c_int, value: *mut u64) -> c_int {
    let Some(f) = real::eventfd_read::get() else {
        enosys!()
    };
    // glibc's eventfd_read is read(2) of 8 bytes: EINVAL on an epoll fd.
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, value) };
    let err = sys::errno();
    after_read(fd, if r == 0 { 8 } else { -1 }, err, 8);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn accept(
    fd: c_int,
    addr: *mut sockaddr,
    alen: *mut socklen_t,
) -> c_int {
    let Some(f) = real::accept::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, addr, alen) };
    let err = sys::errno();
    if r >= 0 {
        fdtable::forget(r);
    }
    after_read(fd, if r >= 0 { 1 } else { -1 }, err, 1);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn accept4(
    fd: c_int,
    addr: *mut sockaddr,
    alen: *mut socklen_t,
    flags: c_int,
) -> c_int {
    let Some(f) = real::accept4::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, addr, alen, flags) };
    let err = sys::errno();
    if r >= 0 {
        fdtable::forget(r);
    }
    after_read(fd, if r >= 0 { 1 } else { -1 }, err, 1);
    finish!(r, err)
}

// ---- writes ----------------------------------------------------------------

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn write(fd: c_int, buf: *const c_void, n: size_t) -> ssize_t {
    let Some(f) = real::write::get() else {
        enosys!()
    };
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n) };
    let err = sys::errno();
    after_write(fd, r, err, None);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn writev(fd: c_int, iov: *const iovec, cnt: c_int) -> ssize_t {
    let Some(f) = real::writev::get() else {
        enosys!()
    };
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, iov, cnt) };
    let err = sys::errno();
    after_write(fd, r, err, None);
    finish!(r, err)
}

macro_rules! pwrite_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            buf: *const c_void,
            n: size_t,
            off: off_t,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, buf, n, off) };
            let err = sys::errno();
            after_write(fd, r, err, None);
            finish!(r, err)
        }
    };
}
pwrite_like!(pwrite, pwrite);
pwrite_like!(pwrite64, pwrite64);

macro_rules! pwritev_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            iov: *const iovec,
            cnt: c_int,
            off: off_t,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, iov, cnt, off) };
            let err = sys::errno();
            after_write(fd, r, err, None);
            finish!(r, err)
        }
    };
}
pwritev_like!(pwritev, pwritev);
pwritev_like!(pwritev64, pwritev64);

macro_rules! pwritev2_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fd: c_int,
            iov: *const iovec,
            cnt: c_int,
            off: off_t,
            flags: c_int,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(fd, iov, cnt, off, flags) };
            let err = sys::errno();
            after_write(fd, r, err, None);
            finish!(r, err)
        }
    };
}
pwritev2_like!(pwritev2, pwritev2);
pwritev2_like!(pwritev64v2, pwritev64v2);

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn send(
    fd: c_int,
    buf: *const c_void,
    n: size_t,
    flags: c_int,
) -> ssize_t {
    let Some(f) = real::send::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, flags) };
    let err = sys::errno();
    after_write(fd, r, err, None);
    finish!(r, err)
}

fn dest_channel(addr: *const sockaddr, len: socklen_t) -> Option<u64> {
    if addr.is_null() {
        return None;
    }
    ident::port_of_raw(addr, len).map(ident::channel_udp)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn sendto(
    fd: c_int,
    buf: *const c_void,
    n: size_t,
    flags: c_int,
    addr: *const sockaddr,
    alen: socklen_t,
) -> ssize_t {
    let Some(f) = real::sendto::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, buf, n, flags, addr, alen) };
    let err = sys::errno();
    if r >= 0 && fdtable::REGISTRATIONS.load(Ordering::Relaxed) > 0 {
        after_write(fd, r, err, dest_channel(addr, alen));
    } else {
        after_write(fd, r, err, None);
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn sendmsg(fd: c_int, msg: *const msghdr, flags: c_int) -> ssize_t {
    let Some(f) = real::sendmsg::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, msg, flags) };
    let err = sys::errno();
    if r >= 0 && !msg.is_null() {
        mark_passed_fds(msg as *mut msghdr, false);
    }
    let chan = if r >= 0 && !msg.is_null() && fdtable::REGISTRATIONS.load(Ordering::Relaxed) > 0 {
        // SAFETY: the call succeeded, so the header was readable.
        let m = unsafe { &*msg };
        dest_channel(m.msg_name as *const sockaddr, m.msg_namelen)
    } else {
        None
    };
    after_write(fd, r, err, chan);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn sendmmsg(
    fd: c_int,
    msgs: *mut libc::mmsghdr,
    vlen: c_uint,
    flags: c_int,
) -> c_int {
    let Some(f) = real::sendmmsg::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, msgs, vlen, flags) };
    let err = sys::errno();
    let chan = if r > 0 && fdtable::REGISTRATIONS.load(Ordering::Relaxed) > 0 {
        // SAFETY: the call succeeded, so the first header was readable.
        let m = unsafe { &(*msgs).msg_hdr };
        dest_channel(m.msg_name as *const sockaddr, m.msg_namelen)
    } else {
        None
    };
    after_write(fd, r as isize, err, chan);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn eventfd_write(fd: c_int, value: u64) -> c_int {
    let Some(f) = real::eventfd_write::get() else {
        enosys!()
    };
    // glibc's eventfd_write is write(2) of 8 bytes: EINVAL on an epoll fd.
    if is_handle(fd) {
        return super::fail(libc::EINVAL);
    }
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, value) };
    let err = sys::errno();
    after_write(fd, if r == 0 { 8 } else { -1 }, err, None);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn splice(
    fd_in: c_int,
    off_in: *mut i64,
    fd_out: c_int,
    off_out: *mut i64,
    len: size_t,
    flags: c_uint,
) -> ssize_t {
    let Some(f) = real::splice::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd_in, off_in, fd_out, off_out, len, flags) };
    let err = sys::errno();
    after_read(fd_in, r, err, len);
    after_write(fd_out, r, err, None);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn tee(
    fd_in: c_int,
    fd_out: c_int,
    len: size_t,
    flags: c_uint,
) -> ssize_t {
    let Some(f) = real::tee::get() else { enosys!() };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd_in, fd_out, len, flags) };
    let err = sys::errno();
    after_write(fd_out, r, err, None);
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn vmsplice(
    fd: c_int,
    iov: *const iovec,
    n: size_t,
    flags: c_uint,
) -> ssize_t {
    let Some(f) = real::vmsplice::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, iov, n, flags) };
    let err = sys::errno();
    after_write(fd, r, err, None);
    finish!(r, err)
}

macro_rules! sendfile_like {
    ($name:ident, $real:ident) => {
        /// # Safety
        /// C ABI entry point.
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            out_fd: c_int,
            in_fd: c_int,
            off: *mut off_t,
            n: size_t,
        ) -> ssize_t {
            let Some(f) = real::$real::get() else {
                enosys!()
            };
            // SAFETY: forwarding unchanged.
            let r = unsafe { f(out_fd, in_fd, off, n) };
            let err = sys::errno();
            after_read(in_fd, r, err, n);
            after_write(out_fd, r, err, None);
            finish!(r, err)
        }
    };
}
sendfile_like!(sendfile, sendfile);
sendfile_like!(sendfile64, sendfile64);

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn shutdown(fd: c_int, how: c_int) -> c_int {
    let Some(f) = real::shutdown::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, how) };
    let err = sys::errno();
    if r == 0 && fdtable::REGISTRATIONS.load(Ordering::Relaxed) > 0 && !Reentry::active() {
        // SHUT_WR is a wakeup of the peer's readers (IO-SHUT-1); SHUT_RD a
        // wakeup of our own registration (IO-SHUT-2).
        let _re = Reentry::enter();
        let peer = {
            let mut t = fdtable::write_target(fd);
            if t == 0 {
                t = ident::write_channel(fd);
                fdtable::set_write_target(fd, t);
            }
            t
        };
        let mut g = core_::lock();
        if let Some(g) = g.as_mut() {
            if how != libc::SHUT_RD && peer >= 2 {
                g.wakeup_channel(peer);
            }
            if how != libc::SHUT_WR {
                g.wakeup_fd(fd, crate::registry::EPOLLIN | crate::registry::EPOLLRDHUP);
            }
        }
    }
    if !Reentry::active() {
        crate::diag::on_shutdown(fd, how, r); // half-close tracking, trace note (src/diag)
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn socketpair(
    domain: c_int,
    ty: c_int,
    proto: c_int,
    sv: *mut c_int,
) -> c_int {
    let Some(f) = real::socketpair::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(domain, ty, proto, sv) };
    let err = sys::errno();
    if r == 0 && !sv.is_null() {
        // SAFETY: the call succeeded and wrote two descriptors.
        let (a, b) = unsafe { (*sv, *sv.add(1)) };
        fdtable::forget(a);
        fdtable::forget(b);
        if domain == libc::AF_UNIX {
            // Link the two ends: a write on one is a wakeup of the other.
            if let (Ok(sa), Ok(sb)) = (sys::fstat(a), sys::fstat(b)) {
                fdtable::set_write_target(a, ident::channel_unix(sb.st_ino));
                fdtable::set_write_target(b, ident::channel_unix(sa.st_ino));
            }
        }
    }
    finish!(r, err)
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn pipe(fds: *mut c_int) -> c_int {
    let Some(f) = real::pipe::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fds) };
    if r == 0 {
        // SAFETY: the call wrote two descriptors.
        unsafe {
            fdtable::forget(*fds);
            fdtable::forget(*fds.add(1));
        }
    }
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn pipe2(fds: *mut c_int, flags: c_int) -> c_int {
    let Some(f) = real::pipe2::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fds, flags) };
    if r == 0 {
        // SAFETY: the call wrote two descriptors.
        unsafe {
            fdtable::forget(*fds);
            fdtable::forget(*fds.add(1));
        }
    }
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn timerfd_settime(
    fd: c_int,
    flags: c_int,
    new: *const libc::itimerspec,
    old: *mut libc::itimerspec,
) -> c_int {
    let Some(f) = real::timerfd_settime::get() else {
        enosys!()
    };
    // SAFETY: forwarding unchanged.
    let r = unsafe { f(fd, flags, new, old) };
    let err = sys::errno();
    if r == 0 && fdtable::bits(fd) & TRACKED != 0 && !Reentry::active() {
        // Re-arming forgets the expired state: the next expiry is an edge.
        let _re = Reentry::enter();
        let mut g = core_::lock();
        if let Some(g) = g.as_mut() {
            g.after_io(fd, 0, true, false);
        }
    }
    finish!(r, err)
}
