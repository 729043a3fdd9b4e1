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
            let p = unsafe { &mut *fds.add(i) };
            p.events = ev;
            // An epoll fd polls as IN|RDNORM (ep_eventpoll_poll); the
            // eventfd handle says IN only.
            if p.revents & libc::POLLIN != 0 && ev & libc::POLLRDNORM != 0 {
                p.revents |= libc::POLLRDNORM;
            }
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
                g.expose(id);
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
                g.expose(id);
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

/// True in the child of a vfork (or of a `clone(CLONE_VM)`): it shares the
/// parent's memory but not its pid. Such a child must leave the parent's
/// tables, environment and heap as it found them, because the parent resumes
/// with them once the child has exec'd.
fn in_vfork_child() -> bool {
    sys::getpid() != crate::PID.load(core::sync::atomic::Ordering::Relaxed)
}

/// Where the REPOLL_INHERIT text is written: a caller's buffer (on the
/// stack), counting past its end so that the caller can retry with a
/// buffer of the full length.
struct Writer<'a> {
    /// The destination, written up to its length.
    buf: &'a mut [u8],
    /// Bytes produced so far, including those that did not fit.
    len: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + b.len()) {
            dst.copy_from_slice(b);
        }
        self.len += b.len();
    }
    fn num(&mut self, mut v: u64, negative: bool) {
        let mut digits = [0u8; 21];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if negative {
            i -= 1;
            digits[i] = b'-';
        }
        self.bytes(&digits[i..]);
    }
    fn int(&mut self, v: i64) {
        self.num(v.unsigned_abs(), v < 0);
    }
}

/// Whether `fd` is open and survives exec.
fn survives_exec(fd: c_int) -> bool {
    sys::fcntl(fd, libc::F_GETFD, 0).is_ok_and(|f| f as c_int & libc::FD_CLOEXEC == 0)
}

/// Serialises the instances that survive exec, as
/// `I<handle>,<handle>;E<fd>,<events>,<data>,<armed>;...;/` per instance, into
/// `out`. Allocates nothing: exec hooks run in vfork children, whose
/// allocations would stay behind in the parent's heap.
fn write_inherit(g: &core_::Global, out: &mut Writer) {
    for inst in g.instances.iter().flatten() {
        let Some(file) = g.files.get(&inst.file) else {
            continue;
        };
        let mut handles = file.fds.iter().copied().filter(|&fd| survives_exec(fd));
        let Some(first) = handles.next() else {
            continue;
        };
        out.bytes(b"I");
        out.int(first as i64);
        for h in handles {
            out.bytes(b",");
            out.int(h as i64);
        }
        for (_, e) in inst.interest.iter() {
            let fd = e.ext.poll_fd;
            if e.ext.nested != 0 || !survives_exec(fd) {
                continue;
            }
            out.bytes(b";E");
            out.int(fd as i64);
            out.bytes(b",");
            out.num(e.events as u64, false);
            out.bytes(b",");
            out.num(e.data, false);
            out.bytes(b",");
            out.num(e.armed as u64, false);
        }
        out.bytes(b"/");
    }
}

/// Whether the environment `envp` preloads this library (an `LD_PRELOAD`
/// entry whose file name is ours). Without it the new image runs without
/// repoll: REPOLL_INHERIT would only be a stray variable in its
/// environment, as for a program that execs with a cleaned environment.
fn preloads_us(envp: *const *const libc::c_char) -> bool {
    const KEY: &[u8] = b"LD_PRELOAD=";
    let mut info = libc::Dl_info {
        dli_fname: core::ptr::null(),
        dli_fbase: core::ptr::null_mut(),
        dli_sname: core::ptr::null(),
        dli_saddr: core::ptr::null_mut(),
    };
    // SAFETY: dladdr fills the Dl_info we own; the address is our own code.
    let ok = unsafe { libc::dladdr(crate::repoll_version as *const libc::c_void, &mut info) };
    if ok == 0 || info.dli_fname.is_null() || envp.is_null() {
        return false;
    }
    // SAFETY: the loader's NUL-terminated file name of this library.
    let path = unsafe { core::ffi::CStr::from_ptr(info.dli_fname) }.to_bytes();
    let ours = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
    let mut i = 0;
    loop {
        // SAFETY: envp is a NULL-terminated array of C strings.
        let p = unsafe { *envp.add(i) };
        if p.is_null() {
            return false;
        }
        // SAFETY: a C string from the environment.
        let entry = unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes();
        if let Some(list) = entry.strip_prefix(KEY) {
            // ld.so separates LD_PRELOAD entries by spaces or colons.
            return list
                .split(|&c| c == b':' || c == b' ')
                .any(|lib| lib.rsplit(|&c| c == b'/').next() == Some(ours));
        }
        i += 1;
    }
}

/// `REPOLL_INHERIT=<state>\0` in a stack buffer of this size; larger states
/// (hundreds of inherited registrations) go to the heap.
const INHERIT_STACK_BYTES: usize = 4096;

/// Environment arrays up to this many entries are built on the stack.
const ENV_STACK_ENTRIES: usize = 256;

/// Runs `f` with `envp` plus REPOLL_INHERIT describing the instances that
/// survive exec (and without any REPOLL_INHERIT the caller passed), or
/// with `envp` itself when there are none. The caller's environment and
/// `environ` are never modified. `exec`: the calling process is replaced
/// (not so for posix_spawn), so the trace is flushed first.
fn with_inherit<F: FnOnce(*const *const libc::c_char) -> c_int>(
    envp: *const *const libc::c_char,
    exec: bool,
    f: F,
) -> c_int {
    let vfork_child = in_vfork_child();
    if exec && !vfork_child {
        // A vfork child would flush (and reset) the parent's buffers.
        crate::trace::before_exec();
    }
    if Reentry::active() || !any_handles() || !preloads_us(envp) {
        return f(envp);
    }
    let mut stack_text = [0u8; INHERIT_STACK_BYTES];
    let mut heap_text: Vec<u8> = Vec::new();
    let len = {
        let _re = Reentry::enter();
        let g = core_::lock();
        match g.as_ref() {
            None => 0,
            Some(g) => {
                let serialise = |buf: &mut [u8]| {
                    let mut w = Writer { buf, len: 0 };
                    w.bytes(INHERIT);
                    write_inherit(g, &mut w);
                    w.bytes(b"\0");
                    w.len
                };
                let len = serialise(&mut stack_text);
                if len > INHERIT_STACK_BYTES {
                    // Same state: the lock is still held.
                    heap_text.resize(len, 0);
                    serialise(&mut heap_text);
                }
                len
            }
        }
    };
    // The lock and the re-entry mark are released here: if exec succeeds in
    // a vfork child, the parent resumes with this memory.
    if len <= INHERIT.len() + 1 {
        return f(envp);
    }
    let text = if len <= INHERIT_STACK_BYTES {
        &stack_text[..len]
    } else {
        &heap_text[..len]
    };
    let mut count = 0;
    if !envp.is_null() {
        // SAFETY: envp is a NULL-terminated array of C strings (exec's contract).
        while !unsafe { *envp.add(count) }.is_null() {
            count += 1;
        }
    }
    let mut stack_env = [core::ptr::null::<libc::c_char>(); ENV_STACK_ENTRIES];
    let mut heap_env: Vec<*const libc::c_char> = Vec::new();
    let env: &mut [*const libc::c_char] = if count + 2 <= ENV_STACK_ENTRIES {
        &mut stack_env[..count + 2]
    } else {
        heap_env.resize(count + 2, core::ptr::null());
        &mut heap_env
    };
    let mut n = 0;
    for i in 0..count {
        // SAFETY: i < count, within the array counted above.
        let p = unsafe { *envp.add(i) };
        // SAFETY: a C string from the environment.
        if !unsafe { core::ffi::CStr::from_ptr(p) }
            .to_bytes()
            .starts_with(INHERIT)
        {
            env[n] = p;
            n += 1;
        }
    }
    env[n] = text.as_ptr() as *const libc::c_char;
    env[n + 1] = core::ptr::null();
    f(env.as_ptr())
}

extern "C" {
    static environ: *const *const libc::c_char;
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
        enosys!()
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, true, |e| unsafe { f(path, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execv(
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execve::get() else {
        enosys!()
    };
    // SAFETY: execv(p, a) is execve(p, a, environ).
    with_inherit(unsafe { environ }, true, |e| unsafe { f(path, argv, e) })
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
        enosys!()
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, true, |e| unsafe { f(file, argv, e) })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn execvp(
    file: *const libc::c_char,
    argv: *const *const libc::c_char,
) -> c_int {
    let Some(f) = real::execvpe::get() else {
        enosys!()
    };
    // SAFETY: execvp(f, a) is execvpe(f, a, environ).
    with_inherit(unsafe { environ }, true, |e| unsafe { f(file, argv, e) })
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
        enosys!()
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, true, |e| unsafe { f(fd, argv, e) })
}

/// # Safety
/// C ABI entry point (glibc 2.34 and later).
#[no_mangle]
pub unsafe extern "C-unwind" fn execveat(
    dirfd: c_int,
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    flags: c_int,
) -> c_int {
    let Some(f) = real::execveat::get() else {
        enosys!()
    };
    // SAFETY: forwarding with an environment we built from the caller's.
    with_inherit(envp, true, |e| unsafe { f(dirfd, path, argv, e, flags) })
}

// ---- execl, execlp, execle ----------------------------------------------
//
// glibc's execl family collects its variadic arguments and calls execve or
// execvpe through internal aliases that no preload interposes, so they need
// hooks of their own. Stable Rust cannot define a C-variadic function. On
// x86-64 and aarch64 (SysV and AAPCS64 as used by Linux), a variadic call
// passes integer and pointer arguments exactly as a call of a fixed function
// with as many `long` parameters: the first six (x86-64) or eight (aarch64)
// in registers, the rest in consecutive 8-byte stack slots from the stack
// pointer at entry. The hooks therefore take EXECL_ARGS fixed parameters and
// read them up to the caller's NULL. Parameters past the caller's last
// argument hold whatever is in those registers and in the caller's frame
// above them (readable memory of the caller's stack) and are never used.
// A list not terminated within EXECL_ARGS pointers fails with E2BIG.

/// Pointers after `path` that the execl hooks read (arguments, their NULL
/// and, for execle, envp).
const EXECL_ARGS: usize = 64;

#[derive(Clone, Copy, PartialEq)]
enum ListExec {
    /// execl: execve(path, argv, environ).
    Path,
    /// execlp: execvp(file, argv), searching PATH.
    Search,
    /// execle: execve(path, argv, envp), envp after the NULL.
    Env,
}

/// The common body of the execl hooks: `args` are the caller's pointers
/// after `path`.
fn exec_list(path: *const libc::c_char, args: &[usize; EXECL_ARGS], kind: ListExec) -> c_int {
    let Some(end) = args.iter().position(|&a| a == 0) else {
        return super::fail(libc::E2BIG);
    };
    let envp = if kind == ListExec::Env {
        match args.get(end + 1) {
            Some(&e) => e as *const *const libc::c_char,
            None => return super::fail(libc::E2BIG),
        }
    } else {
        // SAFETY: reading libc's environ pointer.
        unsafe { environ }
    };
    let mut argv = [core::ptr::null::<libc::c_char>(); EXECL_ARGS];
    for (dst, &src) in argv.iter_mut().zip(&args[..end]) {
        *dst = src as *const libc::c_char;
    }
    if kind == ListExec::Search {
        let Some(f) = real::execvpe::get() else {
            enosys!()
        };
        // SAFETY: argv is NULL-terminated (argv[end] is null); the
        // environment is built from the caller's.
        with_inherit(envp, true, |e| unsafe { f(path, argv.as_ptr(), e) })
    } else {
        let Some(f) = real::execve::get() else {
            enosys!()
        };
        // SAFETY: as above.
        with_inherit(envp, true, |e| unsafe { f(path, argv.as_ptr(), e) })
    }
}

/// Defines a hook `name(path, ...)` as a function of `path` and
/// EXECL_ARGS pointer-sized parameters (see above).
macro_rules! execl_hook {
    ($name:ident, $kind:expr, $($a:ident)*) => {
        /// # Safety
        /// C ABI entry point, called as a C-variadic function with a
        /// NULL-terminated list of `char *` (execle: then `char *const envp[]`).
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C-unwind" fn $name(path: *const libc::c_char, $($a: usize),*) -> c_int {
            exec_list(path, &[$($a),*], $kind)
        }
    };
}

macro_rules! execl_hooks {
    ($($a:ident)*) => {
        execl_hook!(execl, ListExec::Path, $($a)*);
        execl_hook!(execlp, ListExec::Search, $($a)*);
        execl_hook!(execle, ListExec::Env, $($a)*);
    };
}

execl_hooks!(
    a00 a01 a02 a03 a04 a05 a06 a07 a08 a09 a10 a11 a12 a13 a14 a15
    a16 a17 a18 a19 a20 a21 a22 a23 a24 a25 a26 a27 a28 a29 a30 a31
    a32 a33 a34 a35 a36 a37 a38 a39 a40 a41 a42 a43 a44 a45 a46 a47
    a48 a49 a50 a51 a52 a53 a54 a55 a56 a57 a58 a59 a60 a61 a62 a63
);

// ---- posix_spawn --------------------------------------------------------
//
// glibc's posix_spawn runs the child on its own stack (clone with CLONE_VM
// and CLONE_VFORK) and calls execve internally, out of a preload's reach.
// The hooks pass REPOLL_INHERIT in the envp they hand on, built in the
// parent before the spawn; the caller's envp and environ are left alone.

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn posix_spawn(
    pid: *mut libc::pid_t,
    path: *const libc::c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: *const *mut libc::c_char,
    envp: *const *mut libc::c_char,
) -> c_int {
    let Some(f) = real::posix_spawn::get() else {
        return libc::ENOSYS;
    };
    with_inherit(envp as *const *const libc::c_char, false, |e| {
        // SAFETY: forwarding with an environment built from the caller's.
        unsafe {
            f(
                pid,
                path,
                actions,
                attr,
                argv,
                e as *const *mut libc::c_char,
            )
        }
    })
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn posix_spawnp(
    pid: *mut libc::pid_t,
    file: *const libc::c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: *const *mut libc::c_char,
    envp: *const *mut libc::c_char,
) -> c_int {
    let Some(f) = real::posix_spawnp::get() else {
        return libc::ENOSYS;
    };
    with_inherit(envp as *const *const libc::c_char, false, |e| {
        // SAFETY: forwarding with an environment built from the caller's.
        unsafe {
            f(
                pid,
                file,
                actions,
                attr,
                argv,
                e as *const *mut libc::c_char,
            )
        }
    })
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
                            g.expose(id);
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
