//! Raw system calls for repoll's own work.
//!
//! The library exports `read`, `write`, `close`, `poll`, `syscall` ... so a
//! call to the libc function of that name from inside the library would come
//! back into our own hook. Internal work therefore goes through the `syscall`
//! instruction directly: no libc, no errno, no cancellation point. Each
//! wrapper returns `Ok(value)` or `Err(errno)` (mio's `syscall!` shape).

use core::arch::asm;
use libc::{c_int, c_long, c_void};

/// Issues system call `nr` with up to six arguments and returns the raw
/// kernel result (negative errno on failure).
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn raw6(nr: c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the x86-64 Linux syscall ABI: number in rax, arguments in rdi,
    // rsi, rdx, r10, r8, r9; rcx and r11 are clobbered. Memory the kernel
    // reads or writes is described by the arguments, which every caller in
    // this module derives from valid Rust references or from user pointers
    // the kernel itself validates (EFAULT).
    unsafe {
        asm!("syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5],
            lateout("rcx") _, lateout("r11") _,
            options(nostack));
    }
    ret
}

/// Issues system call `nr` (aarch64 ABI: x8 number, x0..x5 arguments).
#[cfg(target_arch = "aarch64")]
#[inline]
pub fn raw6(nr: c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the aarch64 Linux syscall ABI; see the x86-64 variant.
    unsafe {
        asm!("svc 0",
            in("x8") nr as usize,
            inlateout("x0") a[0] => ret,
            in("x1") a[1], in("x2") a[2], in("x3") a[3], in("x4") a[4], in("x5") a[5],
            options(nostack));
    }
    ret
}

/// Converts a raw kernel result into `Result`.
#[inline]
pub fn check(r: isize) -> Result<usize, c_int> {
    if r < 0 && r > -4096 {
        Err((-r) as c_int)
    } else {
        Ok(r as usize)
    }
}

#[inline]
pub fn call(nr: c_long, a: [usize; 6]) -> Result<usize, c_int> {
    check(raw6(nr, a))
}

pub fn read(fd: c_int, buf: &mut [u8]) -> Result<usize, c_int> {
    call(
        libc::SYS_read,
        [fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0],
    )
}

pub fn write(fd: c_int, buf: &[u8]) -> Result<usize, c_int> {
    call(
        libc::SYS_write,
        [fd as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0],
    )
}

/// Writes the whole buffer, retrying on EINTR and short writes (log output).
pub fn write_all(fd: c_int, mut buf: &[u8]) -> Result<(), c_int> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(libc::EIO),
            Ok(n) => buf = &buf[n..],
            Err(libc::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn close(fd: c_int) -> Result<usize, c_int> {
    call(libc::SYS_close, [fd as usize, 0, 0, 0, 0, 0])
}

pub fn fcntl(fd: c_int, cmd: c_int, arg: usize) -> Result<usize, c_int> {
    call(libc::SYS_fcntl, [fd as usize, cmd as usize, arg, 0, 0, 0])
}

pub fn fstat(fd: c_int) -> Result<libc::stat, c_int> {
    // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    call(
        libc::SYS_fstat,
        [fd as usize, &mut st as *mut _ as usize, 0, 0, 0, 0],
    )?;
    Ok(st)
}

pub fn ioctl_int(fd: c_int, req: c_long) -> Result<c_int, c_int> {
    let mut v: c_int = 0;
    call(
        libc::SYS_ioctl,
        [
            fd as usize,
            req as usize,
            &mut v as *mut _ as usize,
            0,
            0,
            0,
        ],
    )?;
    Ok(v)
}

pub fn getsockopt_int(fd: c_int, level: c_int, name: c_int) -> Result<c_int, c_int> {
    let mut v: c_int = 0;
    let mut len: libc::socklen_t = core::mem::size_of::<c_int>() as libc::socklen_t;
    call(
        libc::SYS_getsockopt,
        [
            fd as usize,
            level as usize,
            name as usize,
            &mut v as *mut _ as usize,
            &mut len as *mut _ as usize,
            0,
        ],
    )?;
    Ok(v)
}

/// `getsockname` (peer = false) or `getpeername` (peer = true).
pub fn sockname(fd: c_int, peer: bool) -> Result<libc::sockaddr_storage, c_int> {
    // SAFETY: sockaddr_storage is plain data; all-zero is valid.
    let mut ss: libc::sockaddr_storage = unsafe { core::mem::zeroed() };
    let mut len: libc::socklen_t =
        core::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let nr = if peer {
        libc::SYS_getpeername
    } else {
        libc::SYS_getsockname
    };
    call(
        nr,
        [
            fd as usize,
            &mut ss as *mut _ as usize,
            &mut len as *mut _ as usize,
            0,
            0,
            0,
        ],
    )?;
    Ok(ss)
}

/// Non-blocking poll of `fds` (ppoll with a zero timeout).
pub fn poll_now(fds: &mut [libc::pollfd]) -> Result<usize, c_int> {
    let ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    call(
        libc::SYS_ppoll,
        [
            fds.as_mut_ptr() as usize,
            fds.len(),
            &ts as *const _ as usize,
            0,
            8,
            0,
        ],
    )
}

pub fn eventfd(initval: u32, flags: c_int) -> Result<c_int, c_int> {
    call(
        libc::SYS_eventfd2,
        [initval as usize, flags as usize, 0, 0, 0, 0],
    )
    .map(|v| v as c_int)
}

pub fn getpid() -> c_int {
    raw6(libc::SYS_getpid, [0; 6]) as c_int
}

pub fn gettid() -> c_int {
    raw6(libc::SYS_gettid, [0; 6]) as c_int
}

/// `kcmp(pid, pid, KCMP_FILE, a, b)`: Ok(0) when both fds name one file.
pub fn kcmp_file(a: c_int, b: c_int) -> Result<usize, c_int> {
    let pid = getpid() as usize;
    const KCMP_FILE: usize = 0;
    call(
        libc::SYS_kcmp,
        [pid, pid, KCMP_FILE, a as usize, b as usize, 0],
    )
}

/// Copies `len` bytes from `src` in our own address space to `dst` through
/// the kernel, so that an invalid `dst` gives EFAULT instead of SIGSEGV.
/// Returns how many bytes were copied (a partial copy stops at a bad page).
pub fn copy_to_user(dst: *mut c_void, src: *const c_void, len: usize) -> Result<usize, c_int> {
    let local = libc::iovec {
        iov_base: src as *mut c_void,
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: dst,
        iov_len: len,
    };
    call(
        libc::SYS_process_vm_writev,
        [
            getpid() as usize,
            &local as *const _ as usize,
            1,
            &remote as *const _ as usize,
            1,
            0,
        ],
    )
}

/// Copies `len` bytes from user memory at `src` into `dst` (ours); see
/// `copy_to_user`.
pub fn copy_from_user(dst: *mut c_void, src: *const c_void, len: usize) -> Result<usize, c_int> {
    let local = libc::iovec {
        iov_base: dst,
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: src as *mut c_void,
        iov_len: len,
    };
    call(
        libc::SYS_process_vm_readv,
        [
            getpid() as usize,
            &local as *const _ as usize,
            1,
            &remote as *const _ as usize,
            1,
            0,
        ],
    )
}

/// Reads a plain value of type T from a user pointer; EFAULT if unreadable.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn read_user<T: Copy>(src: *const T) -> Result<T, c_int> {
    if src.is_null() {
        return Err(libc::EFAULT);
    }
    let mut v = core::mem::MaybeUninit::<T>::uninit();
    let n = core::mem::size_of::<T>();
    match copy_from_user(v.as_mut_ptr() as *mut c_void, src as *const c_void, n) {
        // SAFETY: the kernel copied all n bytes of the value.
        Ok(got) if got == n => Ok(unsafe { v.assume_init() }),
        Ok(_) => Err(libc::EFAULT),
        // process_vm_readv refused (seccomp, ptrace policy): read directly.
        // SAFETY: fallback where the probe is unavailable; the pointer is non-null.
        Err(libc::ENOSYS) | Err(libc::EPERM) => Ok(unsafe { core::ptr::read_unaligned(src) }),
        Err(_) => Err(libc::EFAULT),
    }
}

pub fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec we own (vDSO, not hooked).
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A timespec of `ns` nanoseconds (for ppoll/pselect slices).
pub fn timespec_ns(ns: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (ns / 1_000_000_000) as _,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

pub fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// The calling thread's errno location.
#[inline]
pub fn errno() -> c_int {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() }
}

#[inline]
pub fn set_errno(e: c_int) {
    // SAFETY: as in `errno`.
    unsafe { *libc::__errno_location() = e };
}
