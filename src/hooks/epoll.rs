//! epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
//! epoll_pwait2: argument decoding and the kernel's error precedence
//! (SEMANTICS section 2), then the core.

use super::{encode, Reentry};
use crate::core::{self as core_, deliver, Errno};
use crate::{real, sys};
use libc::{c_int, epoll_event, sigset_t, timespec};

/// Highest user-space address + 1 on x86-64 with 4-level paging
/// (TASK_SIZE_MAX): buffers beyond it are EFAULT at once (access_ok).
const TASK_SIZE_MAX: usize = 0x7fff_ffff_f000;
/// From fs/eventpoll.c: EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event).
const EP_MAX_EVENTS: c_int = (i32::MAX as usize / core::mem::size_of::<epoll_event>()) as c_int;

fn create(cloexec: bool) -> Result<c_int, Errno> {
    let _re = Reentry::enter();
    let mut g = core_::lock();
    let start = sys::monotonic_ns();
    let r = g.as_mut().expect("core initialised").create(cloexec);
    drop(g);
    crate::trace::on_create(cloexec, r, start, sys::monotonic_ns());
    crate::diag::on_create(r); // lints, dump helper (src/diag)
    r
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C" fn epoll_create(size: c_int) -> c_int {
    let saved = sys::errno();
    encode(
        crate::trace::traced(
            crate::trace::Call::EpollCreate,
            crate::trace::Args::Create(size),
            || {
                // From epoll_create(2): EINVAL when size is not positive.
                if size <= 0 {
                    return Err(libc::EINVAL);
                }
                create(false)
            },
        ),
        saved,
    )
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C" fn epoll_create1(flags: c_int) -> c_int {
    let saved = sys::errno();
    encode(
        crate::trace::traced(
            crate::trace::Call::EpollCreate1,
            crate::trace::Args::Create(flags),
            || {
                // From epoll_create(2): EINVAL for any flag other than EPOLL_CLOEXEC.
                if flags & !libc::EPOLL_CLOEXEC != 0 {
                    return Err(libc::EINVAL);
                }
                create(flags & libc::EPOLL_CLOEXEC != 0)
            },
        ),
        saved,
    )
}

pub fn ctl(epfd: c_int, op: c_int, fd: c_int, event: *const epoll_event) -> Result<c_int, Errno> {
    let _re = Reentry::enter();
    // The kernel copies the event first, for every op but DEL
    // (ERR-PREC-CTL-1, -3), and never reads it for DEL (ERR-CTL-20).
    let ev = if op != libc::EPOLL_CTL_DEL {
        let e: epoll_event = sys::read_user(event)?;
        let events = e.events;
        let data = e.u64;
        Some((events, data))
    } else {
        None
    };
    let mut g = core_::lock();
    let start = sys::monotonic_ns();
    let r = g.as_mut().expect("core initialised").ctl(epfd, op, fd, ev);
    drop(g);
    crate::trace::on_ctl(epfd, op, fd, ev, r, start, sys::monotonic_ns());
    crate::diag::on_ctl(epfd, op, fd, ev, r); // lints (src/diag)
    r.map(|_| 0)
}

/// # Safety
/// C ABI entry point; `event` is validated through the kernel.
#[no_mangle]
pub unsafe extern "C" fn epoll_ctl(
    epfd: c_int,
    op: c_int,
    fd: c_int,
    event: *mut epoll_event,
) -> c_int {
    let saved = sys::errno();
    let args = crate::trace::Args::Ctl {
        epfd,
        op,
        fd,
        event,
    };
    encode(
        crate::trace::traced(crate::trace::Call::EpollCtl, args, || {
            ctl(epfd, op, fd, event)
        }),
        saved,
    )
}

/// A decoded wait timeout.
#[derive(Clone, Copy)]
pub enum Timeout {
    Infinite,
    Nanos(u64),
}

/// The common wait: precedence checks, then the loop
/// observe → deliver → block (no lock) → observe ...
pub fn wait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: Timeout,
    sigmask: Option<&sigset_t>,
) -> Result<c_int, Errno> {
    let _re = Reentry::enter();
    crate::diag::before_wait(epfd); // lints, pending dump (src/diag); no lock held
    let start = sys::monotonic_ns();
    let mut guard = core_::lock();
    let g = guard.as_mut().expect("core initialised");
    // EBADF first (ERR-PREC-WAIT-1), then maxevents (ERR-PREC-WAIT-2), then
    // the buffer range (access_ok), then "not an epoll fd".
    if epfd < 0 || (g.instance_of_fd(epfd).is_none() && sys::fcntl(epfd, libc::F_GETFD, 0).is_err())
    {
        return Err(libc::EBADF);
    }
    if maxevents <= 0 || maxevents > EP_MAX_EVENTS {
        return Err(libc::EINVAL);
    }
    let span = maxevents as usize * core::mem::size_of::<epoll_event>();
    if (events as usize)
        .checked_add(span)
        .is_none_or(|end| end > TASK_SIZE_MAX)
    {
        return Err(libc::EFAULT);
    }
    let id = g.lookup_epfd(epfd)?;
    g.inst_mut(id).holds += 1;
    let deadline = match timeout {
        Timeout::Infinite => None,
        Timeout::Nanos(ns) => Some(start.saturating_add(ns)),
    };
    let ppoll = real::ppoll::get();
    let mut fds = [-1 as c_int; crate::trace::WAIT_FDS];
    let mut swept = false;
    // The last blocking poll's results were taken as the observation.
    let mut fresh = false;
    let result = loop {
        let g = guard.as_mut().expect("core initialised");
        if !fresh {
            g.refresh(id, 0);
        }
        if !swept && matches!(timeout, Timeout::Nanos(0)) {
            // A polling wait reports what was ready before the call, cold
            // descriptors included, without the helper's latency (small
            // cold sets only; see sweep_cold).
            swept = true;
            g.sweep_cold(id);
        }
        match deliver(g, id, events, maxevents as usize, &mut fds) {
            Ok(0) => {}
            other => break other,
        }
        if core::mem::take(&mut fresh) {
            // Nothing from those results: observe everything.
            continue;
        }
        let now = sys::monotonic_ns();
        let mut slice = match deadline {
            Some(d) if d <= now => {
                // Before reporting nothing, a small cold set is polled
                // directly: no dependence on the helper's latency.
                if !swept && g.sweep_cold(id) {
                    swept = true;
                    continue;
                }
                break Ok(0);
            }
            Some(d) => Some(d - now),
            None => None,
        };
        let Some(ppoll) = ppoll else {
            break Err(libc::ENOSYS);
        };
        let (mut buf, map, undrained) = g.blocking_set(id);
        if undrained {
            slice = Some(slice.map_or(core_::UNDRAINED_RECHECK_NS, |s| {
                s.min(core_::UNDRAINED_RECHECK_NS)
            }));
        }
        g.inst_mut(id).waiters += 1;
        let built = g.inst(id).epoch;
        drop(guard);
        crate::trace::before_block(); // batched records out before sleeping (src/trace); no lock held
        let ts = slice.map(sys::timespec_ns);
        let tsp = ts
            .as_ref()
            .map_or(core::ptr::null(), |t| t as *const timespec);
        let maskp = sigmask.map_or(core::ptr::null(), |m| m as *const sigset_t);
        // SAFETY: buf is our own array of buf.len() pollfds; the timespec
        // and mask live on this stack frame. No lock is held.
        let r = unsafe { ppoll(buf.as_mut_ptr(), buf.len() as libc::nfds_t, tsp, maskp) };
        let err = sys::errno();
        guard = core_::lock();
        let g = guard.as_mut().expect("core initialised");
        let unchanged = g.inst(id).epoch == built;
        g.inst_mut(id).waiters -= 1;
        if buf.last().is_some_and(|p| p.revents != 0) {
            g.consume_wake(id);
        }
        if r > 0 && unchanged {
            // Nothing touched the instance while we slept: what ppoll saw
            // is the observation (no second poll of the same set).
            fresh = g.observe_blocking(id, &buf, &map);
        }
        g.return_buffer(id, buf, map);
        if r < 0 {
            // A caught signal interrupts the wait, even with SA_RESTART
            // (epoll_wait is never restarted, SIG-1).
            break Err(if err == libc::EINTR { libc::EINTR } else { err });
        }
    };
    let g = guard.as_mut().expect("core initialised");
    g.release(id);
    let end = sys::monotonic_ns();
    // The trace may block in write(2): never with the core lock held.
    drop(guard);
    crate::trace::on_wait(crate::trace::WaitRecord {
        epfd,
        events,
        maxevents,
        timeout: match timeout {
            Timeout::Infinite => -1,
            Timeout::Nanos(ns) => ns as i64,
        },
        sigmask,
        result: &result,
        fds: &fds,
        start_ns: start,
        end_ns: end,
    });
    crate::diag::after_wait(
        epfd,
        match timeout {
            Timeout::Infinite => -1,
            Timeout::Nanos(ns) => ns as i64,
        },
        &result,
        events,
        &fds,
    ); // lints (src/diag); no lock held
    result.map(|n| n as c_int)
}

fn ms_timeout(timeout: c_int) -> Timeout {
    if timeout < 0 {
        Timeout::Infinite
    } else {
        Timeout::Nanos(timeout as u64 * 1_000_000)
    }
}

/// Reads the caller's signal mask (the kernel copies sigsetsize = 8 bytes).
fn read_sigmask(sigmask: *const sigset_t) -> Result<Option<sigset_t>, Errno> {
    if sigmask.is_null() {
        return Ok(None);
    }
    let bits: u64 = sys::read_user(sigmask as *const u64)?;
    // SAFETY: sigset_t is plain data; the kernel only looks at 64 bits.
    let mut set: sigset_t = unsafe { core::mem::zeroed() };
    // SAFETY: sigset_t is at least 8 bytes.
    unsafe { core::ptr::write_unaligned(&mut set as *mut sigset_t as *mut u64, bits) };
    Ok(Some(set))
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn epoll_wait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: c_int,
) -> c_int {
    let saved = sys::errno();
    let args = crate::trace::Args::Wait {
        epfd,
        events,
        maxevents,
        timeout,
        sigmask: core::ptr::null(),
    };
    let traced = crate::trace::traced(crate::trace::Call::EpollWait, args, || {
        wait(epfd, events, maxevents, ms_timeout(timeout), None)
    });
    encode(traced, saved)
}

pub fn pwait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: c_int,
    sigmask: *const sigset_t,
) -> Result<c_int, Errno> {
    let mask = read_sigmask(sigmask)?;
    wait(epfd, events, maxevents, ms_timeout(timeout), mask.as_ref())
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn epoll_pwait(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: c_int,
    sigmask: *const sigset_t,
) -> c_int {
    let saved = sys::errno();
    let args = crate::trace::Args::Wait {
        epfd,
        events,
        maxevents,
        timeout,
        sigmask,
    };
    let traced = crate::trace::traced(crate::trace::Call::EpollPwait, args, || {
        pwait(epfd, events, maxevents, timeout, sigmask)
    });
    encode(traced, saved)
}

pub fn pwait2(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: *const timespec,
    sigmask: *const sigset_t,
) -> Result<c_int, Errno> {
    pwait2_sized(epfd, events, maxevents, timeout, sigmask, false)
}

/// epoll_pwait2 with the raw system call's sigsetsize verdict: a bad size
/// is EINVAL, checked after the timespec (ERR-PREC-PWAIT2-3).
pub fn pwait2_sized(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: *const timespec,
    sigmask: *const sigset_t,
    bad_sigsetsize: bool,
) -> Result<c_int, Errno> {
    // The timespec is copied and validated first (ERR-PREC-PWAIT2-*).
    let t = if timeout.is_null() {
        Timeout::Infinite
    } else {
        let ts: timespec = sys::read_user(timeout)?;
        if ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1_000_000_000 {
            return Err(libc::EINVAL);
        }
        Timeout::Nanos(
            (ts.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec as u64),
        )
    };
    if bad_sigsetsize {
        return Err(libc::EINVAL);
    }
    let mask = read_sigmask(sigmask)?;
    wait(epfd, events, maxevents, t, mask.as_ref())
}

/// # Safety
/// C ABI entry point.
#[no_mangle]
pub unsafe extern "C-unwind" fn epoll_pwait2(
    epfd: c_int,
    events: *mut epoll_event,
    maxevents: c_int,
    timeout: *const timespec,
    sigmask: *const sigset_t,
) -> c_int {
    let saved = sys::errno();
    let args = crate::trace::Args::Wait2 {
        epfd,
        events,
        maxevents,
        timeout,
        sigmask,
    };
    let traced = crate::trace::traced(crate::trace::Call::EpollPwait2, args, || {
        pwait2(epfd, events, maxevents, timeout, sigmask)
    });
    encode(traced, saved)
}
