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
pub unsafe extern "C-unwind" fn syscall(
    n: c_long,
    a1: c_long,
    a2: c_long,
    a3: c_long,
    a4: c_long,
    a5: c_long,
    a6: c_long,
) -> c_long {
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
            libc::SYS_epoll_ctl => Some(super::epoll::ctl(
                a1 as c_int,
                a2 as c_int,
                a3 as c_int,
                a4 as *const epoll_event,
            )),
            #[cfg(target_arch = "x86_64")]
            libc::SYS_epoll_wait => Some(super::epoll::wait(
                a1 as c_int,
                a2 as *mut epoll_event,
                a3 as c_int,
                if (a4 as c_int) < 0 {
                    super::epoll::Timeout::Infinite
                } else {
                    super::epoll::Timeout::Nanos(a4 as c_int as u64 * 1_000_000)
                },
                None,
            )),
            libc::SYS_epoll_pwait | libc::SYS_epoll_pwait2 => {
                // The raw call takes sigsetsize: with a mask it must be 8
                // (ERR-PWAIT-4..7), checked before anything else.
                let bad_size = a5 != 0 && a6 as usize != 8;
                if n == libc::SYS_epoll_pwait {
                    if bad_size {
                        Some(Err(libc::EINVAL))
                    } else {
                        Some(super::epoll::pwait(
                            a1 as c_int,
                            a2 as *mut epoll_event,
                            a3 as c_int,
                            a4 as c_int,
                            a5 as *const sigset_t,
                        ))
                    }
                } else {
                    Some(super::epoll::pwait2_sized(
                        a1 as c_int,
                        a2 as *mut epoll_event,
                        a3 as c_int,
                        a4 as *const timespec,
                        a5 as *const sigset_t,
                        bad_size,
                    ))
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
            let r = sys::raw6(
                n,
                [
                    a1 as usize,
                    a2 as usize,
                    a3 as usize,
                    a4 as usize,
                    a5 as usize,
                    a6 as usize,
                ],
            );
            if r < 0 && r > -4096 {
                sys::set_errno(-r as c_int);
                -1
            } else {
                r as c_long
            }
        }
    }
}

/// Epoll descriptors found in a poll set, whose requested events repoll
/// narrowed for the duration of the call: an epoll fd is readable (IN)
/// only, never writable (PEQ-EPFD-1), while its eventfd handle would also
/// say OUT.
struct Masked {
    saved: [(usize, i16); 32],
    n: usize,
}

const OUT_BITS: i16 = libc::POLLOUT | libc::POLLWRNORM | libc::POLLWRBAND;

impl Masked {
    fn restore(&self, fds: *mut pollfd) {
        for &(i, ev) in &self.saved[..self.n] {
            // SAFETY: index taken from the caller's array in `prepare`.
            unsafe { (*fds.add(i)).events = ev };
        }
    }
}

/// Brings the instances behind epoll descriptors of a poll set up to date
/// and masks their OUT bits; None when the set holds none of ours.
fn prepare(fds: *mut pollfd, nfds: nfds_t) -> Option<Masked> {
    if fds.is_null() || nfds == 0 || nfds > 1 << 20 || Reentry::active() {
        return None;
    }
    let mut any = false;
    for i in 0..nfds as usize {
        // SAFETY: poll will read the same array of nfds entries.
        let fd = unsafe { (*fds.add(i)).fd };
        if fd >= 0 && fdtable::bits(fd) & HANDLE != 0 {
            any = true;
            break;
        }
    }
    if !any {
        return None;
    }
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let g = g.as_mut()?;
    let mut m = Masked {
        saved: [(0, 0); 32],
        n: 0,
    };
    for i in 0..nfds as usize {
        // SAFETY: as above; the array is the caller's, writable for poll.
        let p = unsafe { &mut *fds.add(i) };
        if let Some(id) = g.instance_of_fd(p.fd) {
            if g.alive(id) {
                g.refresh(id, 0);
                if m.n < m.saved.len() {
                    m.saved[m.n] = (i, p.events);
                    m.n += 1;
                    p.events &= !OUT_BITS;
                }
            }
        }
    }
    if m.n == 0 {
        return None;
    }
    Some(m)
}

/// Re-observes the instances of a poll set between two slices.
fn refresh_masked(fds: *mut pollfd, m: &Masked) {
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let Some(g) = g.as_mut() else { return };
    for &(i, _) in &m.saved[..m.n] {
        // SAFETY: index from `prepare`.
        let fd = unsafe { (*fds.add(i)).fd };
        if let Some(id) = g.instance_of_fd(fd) {
            if g.alive(id) {
                g.refresh(id, 0);
            }
        }
    }
}

/// Slice of a blocking poll over epoll descriptors: their readability only
/// changes when repoll observes their members, so the poll is cut in slices
/// and the instances re-observed between them.
const HANDLE_POLL_SLICE_NS: u64 = 10_000_000;

/// poll/ppoll with epoll descriptors in the set. `deadline` None: infinite.
fn poll_sliced(
    fds: *mut pollfd,
    nfds: nfds_t,
    timeout_ns: Option<u64>,
    mask: *const sigset_t,
) -> c_int {
    let Some(ppoll) = real::ppoll::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    let m = prepare(fds, nfds);
    let Some(m) = m else {
        let ts = timeout_ns.map(sys::timespec_ns);
        // SAFETY: forwarding the caller's array.
        return unsafe {
            ppoll(
                fds,
                nfds,
                ts.as_ref().map_or(core::ptr::null(), |t| t as *const _),
                mask,
            )
        };
    };
    let start = sys::monotonic_ns();
    let r = loop {
        let left = timeout_ns.map(|t| t.saturating_sub(sys::monotonic_ns() - start));
        let slice = left.map_or(HANDLE_POLL_SLICE_NS, |l| l.min(HANDLE_POLL_SLICE_NS));
        let ts = sys::timespec_ns(slice);
        // SAFETY: forwarding the caller's array with our slice.
        let r = unsafe { ppoll(fds, nfds, &ts, mask) };
        if r != 0 || left.is_some_and(|l| l <= slice) {
            break r;
        }
        refresh_masked(fds, &m);
    };
    let err = sys::errno();
    m.restore(fds);
    sys::set_errno(err);
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn poll(fds: *mut pollfd, nfds: nfds_t, timeout: c_int) -> c_int {
    let t = if timeout < 0 {
        None
    } else {
        Some(timeout as u64 * 1_000_000)
    };
    if fdtable::REGISTRATIONS.load(core::sync::atomic::Ordering::Relaxed) == 0 && !any_handles() {
        let Some(f) = real::poll::get() else {
            sys::set_errno(libc::ENOSYS);
            return -1;
        };
        // SAFETY: forwarding unchanged. rdhup=uniform: src/diag.
        return crate::diag::poll_rdhup(fds, nfds, unsafe { f(fds, nfds, timeout) });
    }
    crate::diag::poll_rdhup(fds, nfds, poll_sliced(fds, nfds, t, core::ptr::null()))
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn ppoll(
    fds: *mut pollfd,
    nfds: nfds_t,
    ts: *const timespec,
    mask: *const sigset_t,
) -> c_int {
    let Some(f) = real::ppoll::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    if !any_handles() {
        // SAFETY: forwarding unchanged. rdhup=uniform: src/diag.
        return crate::diag::poll_rdhup(fds, nfds, unsafe { f(fds, nfds, ts, mask) });
    }
    let t = if ts.is_null() {
        None
    } else {
        match sys::read_user(ts) {
            Ok(t) if t.tv_sec >= 0 && (0..1_000_000_000).contains(&t.tv_nsec) => Some(
                (t.tv_sec as u64)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(t.tv_nsec as u64),
            ),
            // SAFETY: let the kernel report the bad timespec.
            _ => return unsafe { f(fds, nfds, ts, mask) },
        }
    };
    crate::diag::poll_rdhup(fds, nfds, poll_sliced(fds, nfds, t, mask))
}

/// Whether any epoll instance exists (poll sets need checking at all).
fn any_handles() -> bool {
    crate::core::INSTANCES.load(core::sync::atomic::Ordering::Relaxed) > 0
}

// ---- exec ---------------------------------------------------------------
//
// An epoll descriptor created without EPOLL_CLOEXEC survives execve with its
// interest list (LIFE-EXEC-2..5), but repoll's tables live in memory that
// exec discards. The exec hooks pass the state of every such instance to the
// new image in the environment variable REPOLL_INHERIT, which the new
// image's repoll reads and removes in its constructor.

const INHERIT: &[u8] = b"REPOLL_INHERIT=";

/// Serialises the instances that survive exec; None when there are none.
fn inherit_string() -> Option<Vec<u8>> {
    let _re = Reentry::enter();
    let g = core_::lock();
    let g = g.as_ref()?;
    let mut out: Vec<u8> = Vec::new();
    for inst in g.instances.iter().flatten() {
        let Some(file) = g.files.get(&inst.file) else {
            continue;
        };
        let handles: Vec<c_int> = file
            .fds
            .iter()
            .copied()
            .filter(|&fd| {
                sys::fcntl(fd, libc::F_GETFD, 0).is_ok_and(|f| f as c_int & libc::FD_CLOEXEC == 0)
            })
            .collect();
        if handles.is_empty() {
            continue;
        }
        out.push(b'I');
        for (i, h) in handles.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(h.to_string().as_bytes());
        }
        for (_, e) in inst.interest.iter() {
            let fd = e.ext.poll_fd;
            if e.ext.nested != 0
                || !sys::fcntl(fd, libc::F_GETFD, 0)
                    .is_ok_and(|f| f as c_int & libc::FD_CLOEXEC == 0)
            {
                continue;
            }
            out.extend_from_slice(
                format!(";E{},{},{},{}", fd, e.events, e.data, e.armed as u8).as_bytes(),
            );
        }
        out.push(b'/');
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Builds a NULL-terminated environment: `envp` without any previous
/// REPOLL_INHERIT, plus ours. The strings live in `storage`.
fn build_env(
    envp: *const *const libc::c_char,
    state: &[u8],
    storage: &mut Vec<u8>,
) -> Vec<*const libc::c_char> {
    let mut v: Vec<*const libc::c_char> = Vec::new();
    if !envp.is_null() {
        let mut i = 0;
        loop {
            // SAFETY: envp is a NULL-terminated array of C strings (exec's contract).
            let p = unsafe { *envp.add(i) };
            if p.is_null() {
                break;
            }
            // SAFETY: a C string from the environment.
            let bytes = unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes();
            if !bytes.starts_with(INHERIT) {
                v.push(p);
            }
            i += 1;
        }
    }
    storage.clear();
    storage.extend_from_slice(INHERIT);
    storage.extend_from_slice(state);
    storage.push(0);
    v.push(storage.as_ptr() as *const libc::c_char);
    v.push(core::ptr::null());
    v
}

extern "C" {
    static environ: *const *const libc::c_char;
}

fn with_inherit<F: FnOnce(*const *const libc::c_char) -> c_int>(
    envp: *const *const libc::c_char,
    f: F,
) -> c_int {
    crate::trace::before_exec();
    if Reentry::active() || !any_handles() {
        return f(envp);
    }
    let Some(state) = inherit_string() else {
        return f(envp);
    };
    let mut storage = Vec::new();
    let env = build_env(envp, &state, &mut storage);
    f(env.as_ptr())
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execve(
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execve::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, |e| unsafe { f(path, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execv(
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execve::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    // SAFETY: execv(p, a) is execve(p, a, environ).
    with_inherit(unsafe { environ }, |e| unsafe { f(path, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execvpe(
    file: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execvpe::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, |e| unsafe { f(file, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execvp(
    file: *const libc::c_char,
    argv: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execvpe::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    // SAFETY: execvp(f, a) is execvpe(f, a, environ).
    with_inherit(unsafe { environ }, |e| unsafe { f(file, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn fexecve(
    fd: c_int,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::fexecve::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, |e| unsafe { f(fd, argv, e) })
}

fn parse_num<T: core::str::FromStr>(s: &str) -> Option<T> {
    s.trim().parse().ok()
}

/// Rebuilds instances inherited across exec from REPOLL_INHERIT (called
/// once from the constructor, single-threaded) and removes the variable.
pub fn restore_inherited() {
    let name = b"REPOLL_INHERIT\0";
    // SAFETY: getenv with a NUL-terminated name, in the constructor.
    let p = unsafe { libc::getenv(name.as_ptr() as *const libc::c_char) };
    if p.is_null() {
        return;
    }
    // SAFETY: a C string from the environment.
    let text = unsafe { core::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: single-threaded constructor; removes our private variable so
    // the program never sees it.
    unsafe { libc::unsetenv(name.as_ptr() as *const libc::c_char) };
    let mut g = core_::lock();
    let Some(g) = g.as_mut() else { return };
    for block in text.split('/') {
        let mut parts = block.split(';');
        let Some(head) = parts.next().and_then(|h| h.strip_prefix('I')) else {
            continue;
        };
        let handles: Vec<c_int> = head.split(',').filter_map(parse_num).collect();
        let mut entries = Vec::new();
        for part in parts {
            let Some(rest) = part.strip_prefix('E') else {
                continue;
            };
            let f: Vec<&str> = rest.split(',').collect();
            if f.len() != 4 {
                continue;
            }
            if let (Some(fd), Some(ev), Some(data), Some(armed)) = (
                parse_num::<c_int>(f[0]),
                parse_num::<u32>(f[1]),
                parse_num::<u64>(f[2]),
                parse_num::<u8>(f[3]),
            ) {
                entries.push((fd, ev, data, armed != 0));
            }
        }
        g.adopt(&handles, &entries);
    }
}

// ---- select/pselect on epoll descriptors ----------------------------------

fn fd_isset(set: *const libc::fd_set, fd: c_int) -> bool {
    // SAFETY: the caller's fd_set, read for fd < FD_SETSIZE (checked by
    // the caller through nfds <= FD_SETSIZE).
    !set.is_null() && unsafe { libc::FD_ISSET(fd, set) }
}

/// select/pselect where some set may hold an epoll descriptor. `timeout_ns`
/// None: infinite. Epoll descriptors are never writable or exceptional;
/// they are readable while a wait would report something, which only
/// repoll's observation tells, so the call is cut in slices.
fn select_sliced(
    nfds: c_int,
    r: *mut libc::fd_set,
    w: *mut libc::fd_set,
    e: *mut libc::fd_set,
    timeout_ns: Option<u64>,
    mask: *const sigset_t,
) -> c_int {
    let Some(pselect) = real::pselect::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    let limit = nfds.clamp(0, libc::FD_SETSIZE as c_int);
    let mut handles_read = false;
    let mut any = false;
    for fd in 0..limit {
        if fdtable::bits(fd) & HANDLE == 0 {
            continue;
        }
        let is_handle = {
            let _re = Reentry::enter();
            let mut g = core_::lock();
            g.as_mut().and_then(|g| g.resolve_instance(fd)).is_some()
        };
        if !is_handle {
            continue;
        }
        any = true;
        // SAFETY: fd < FD_SETSIZE; the sets are the caller's.
        unsafe {
            if fd_isset(w, fd) {
                libc::FD_CLR(fd, w);
            }
            if fd_isset(e, fd) {
                libc::FD_CLR(fd, e);
            }
        }
        if fd_isset(r, fd) {
            handles_read = true;
        }
    }
    if !any || !handles_read {
        let ts = timeout_ns.map(sys::timespec_ns);
        // SAFETY: forwarding the caller's sets.
        return unsafe {
            pselect(
                nfds,
                r,
                w,
                e,
                ts.as_ref().map_or(core::ptr::null(), |t| t as *const _),
                mask,
            )
        };
    }
    let copy = |s: *mut libc::fd_set| {
        if s.is_null() {
            None
        } else {
            // SAFETY: fd_set is plain data; a copy of the caller's input set.
            Some(unsafe { *s })
        }
    };
    let (r0, w0, e0) = (copy(r), copy(w), copy(e));
    let start = sys::monotonic_ns();
    loop {
        {
            let _re = Reentry::enter();
            let mut g = core_::lock();
            if let Some(g) = g.as_mut() {
                for fd in 0..limit {
                    if r0.as_ref().is_some_and(|set| fd_isset(set, fd)) {
                        if let Some(id) = g.resolve_instance(fd) {
                            g.refresh(id, 0);
                        }
                    }
                }
            }
        }
        // SAFETY: restoring the caller's input sets before each slice.
        unsafe {
            if let Some(s) = r0 {
                *r = s;
            }
            if let Some(s) = w0 {
                *w = s;
            }
            if let Some(s) = e0 {
                *e = s;
            }
        }
        let left = timeout_ns.map(|t| t.saturating_sub(sys::monotonic_ns() - start));
        let slice = left.map_or(HANDLE_POLL_SLICE_NS, |l| l.min(HANDLE_POLL_SLICE_NS));
        let ts = sys::timespec_ns(slice);
        // SAFETY: forwarding the caller's sets with our slice.
        let n = unsafe { pselect(nfds, r, w, e, &ts, mask) };
        if n != 0 || left.is_some_and(|l| l <= slice) {
            return n;
        }
    }
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn select(
    nfds: c_int,
    r: *mut libc::fd_set,
    w: *mut libc::fd_set,
    e: *mut libc::fd_set,
    timeout: *mut libc::timeval,
) -> c_int {
    let Some(f) = real::select::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    if !any_handles() || Reentry::active() {
        // SAFETY: forwarding unchanged.
        return unsafe { f(nfds, r, w, e, timeout) };
    }
    let t = if timeout.is_null() {
        None
    } else {
        match sys::read_user(timeout as *const libc::timeval) {
            Ok(tv) if tv.tv_sec >= 0 && (0..1_000_000).contains(&tv.tv_usec) => {
                Some(tv.tv_sec as u64 * 1_000_000_000 + tv.tv_usec as u64 * 1000)
            }
            // SAFETY: let the kernel report the bad timeval.
            _ => return unsafe { f(nfds, r, w, e, timeout) },
        }
    };
    let start = sys::monotonic_ns();
    let n = select_sliced(nfds, r, w, e, t, core::ptr::null());
    if let (Some(total), false) = (t, timeout.is_null()) {
        // Linux select writes back the time not slept.
        let left = total.saturating_sub(sys::monotonic_ns() - start);
        // SAFETY: the caller's timeval, readable above, is writable for select.
        unsafe {
            (*timeout).tv_sec = (left / 1_000_000_000) as _;
            (*timeout).tv_usec = ((left % 1_000_000_000) / 1000) as _;
        }
    }
    n
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn pselect(
    nfds: c_int,
    r: *mut libc::fd_set,
    w: *mut libc::fd_set,
    e: *mut libc::fd_set,
    timeout: *const timespec,
    mask: *const sigset_t,
) -> c_int {
    let Some(f) = real::pselect::get() else {
        sys::set_errno(libc::ENOSYS);
        return -1;
    };
    if !any_handles() || Reentry::active() {
        // SAFETY: forwarding unchanged.
        return unsafe { f(nfds, r, w, e, timeout, mask) };
    }
    let t = if timeout.is_null() {
        None
    } else {
        match sys::read_user(timeout) {
            Ok(ts) if ts.tv_sec >= 0 && (0..1_000_000_000).contains(&ts.tv_nsec) => {
                Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
            }
            // SAFETY: let the kernel report the bad timespec.
            _ => return unsafe { f(nfds, r, w, e, timeout, mask) },
        }
    };
    select_sliced(nfds, r, w, e, t, mask)
}
