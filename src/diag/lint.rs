//! The misuse lints of issue 7 (LINTS.md has each id's meaning, an
//! example, the fix and how to silence it). Every check is written to
//! stay silent on correct programs: a lint fires only on a state the
//! program cannot leave on its own (an edge that will not come again, a
//! loop that spins), never on a mere pattern.

use super::report::Report;
use super::*;
use crate::registry::{EPOLLET, EPOLLEXCLUSIVE, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDHUP};
use crate::trace::fmt::{self, LineBuf};

fn push_events(b: &mut LineBuf<'_>, ev: u32) {
    fmt::push_events_text(b, ev);
}

/// Cached per thread (a gettid(2) per wait was lint=1's only extra
/// system call on the wait path).
fn tid() -> i32 {
    crate::trace::tid()
}

/// Queued bytes on `fd` (FIONREAD), or -1 when it cannot tell.
fn queued(fd: c_int) -> i64 {
    sys::ioctl_int(fd, libc::FIONREAD as libc::c_long).map_or(-1, |v| v as i64)
}

/// Whether `fd` polls readable now.
fn readable_now(fd: c_int) -> bool {
    let mut p = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    matches!(sys::poll_now(&mut p), Ok(1)) && p[0].revents & libc::POLLIN != 0
}

pub fn on_ctl(epfd: c_int, op: c_int, fd: c_int, ev: Option<(u32, u64)>, r: Result<(), c_int>) {
    let saved = sys::errno();
    let now = sys::monotonic_ns();
    let mut start = false;
    let _ = with_state(|s| {
        fork::check_use(s, epfd);
        match r {
            Err(e) => ctl_failed(s, epfd, op, fd, ev, e),
            Ok(()) => {
                let Some(st) = s.st(fd) else { return };
                match op {
                    libc::EPOLL_CTL_ADD | libc::EPOLL_CTL_MOD => {
                        let (events, data) = ev.unwrap_or((0, 0));
                        if op == libc::EPOLL_CTL_ADD {
                            if st.regs == 0 {
                                // A new registration of this number: a DEL
                                // on it is no longer a DEL after close. A
                                // kept registration of the old file stays
                                // known (stale-registration).
                                st.closed_registered = false;
                            }
                            st.regs = st.regs.saturating_add(1);
                        }
                        st.events = events;
                        st.epfd = epfd;
                        st.data = data;
                        st.oneshot_fired = 0;
                        st.out_spins = 0;
                        st.in_spins = 0;
                        st.et_since = 0;
                        let new_sock = op == libc::EPOLL_CTL_ADD && !st.sock;
                        st.blocking = if events & EPOLLET != 0 {
                            blocking_kind(fd)
                        } else {
                            0
                        };
                        if new_sock && halfclose::track(s, fd, now) {
                            start = true;
                        }
                    }
                    libc::EPOLL_CTL_DEL => {
                        st.regs = st.regs.saturating_sub(1);
                        st.oneshot_fired = 0;
                        st.et_since = 0;
                        st.out_spins = 0;
                        st.in_spins = 0;
                    }
                    _ => {}
                }
            }
        }
    });
    if start {
        start_helper();
    }
    sys::set_errno(saved);
}

/// et-blocking-fd: 1 socket, 2 pipe or FIFO, 3 character device in
/// blocking mode, else 0. eventfd, timerfd and signalfd (anonymous
/// inodes) are left out: one read drains them, so blocking mode is
/// harmless there.
fn blocking_kind(fd: c_int) -> u8 {
    let Ok(fl) = sys::fcntl(fd, libc::F_GETFL, 0) else {
        return 0;
    };
    if fl as c_int & libc::O_NONBLOCK != 0 {
        return 0;
    }
    let Ok(st) = sys::fstat(fd) else { return 0 };
    match st.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => 1,
        libc::S_IFIFO => 2,
        libc::S_IFCHR => 3,
        _ => 0,
    }
}

/// The program read an edge-triggered fd that is in blocking mode.
fn report_blocking(s: &mut State, epfd: c_int, fd: c_int, events: u32, kind: u8) {
    let what = match kind {
        1 => "socket",
        2 => "pipe or FIFO",
        _ => "character device",
    };
    let r = Report::new(ET_BLOCKING_FD, fd, epfd).with_msg(|b| {
        b.push_str("registered with ");
        push_events(b, events);
        b.push_str(" and read after an edge, but the ");
        b.push_str(what);
        b.push_str(" is in blocking mode: draining it to EAGAIN, as edge-triggered mode requires, will block the event loop instead; set O_NONBLOCK (fcntl F_SETFL, SOCK_NONBLOCK, O_NONBLOCK) before registering");
    });
    s.report(r, true);
}

fn ctl_failed(s: &mut State, epfd: c_int, op: c_int, fd: c_int, ev: Option<(u32, u64)>, e: c_int) {
    let closed = s
        .peek(fd)
        .filter(|st| st.closed_registered)
        .map(|st| (st.closed_kept, st.closed_epfd));
    if op == libc::EPOLL_CTL_DEL && (e == libc::EBADF || e == libc::ENOENT) {
        if let Some((kept, cep)) = closed {
            let r = Report::new(CLOSE_WHILE_REGISTERED, fd, epfd).with_msg(|b| {
                b.push_str("EPOLL_CTL_DEL on a number that was closed while registered in epfd ");
                b.push_i64(cep as i64);
                b.push_str(" failed with ");
                fmt::push_errno_name(b, e);
                if kept {
                    b.push_str("; a duplicate kept the file open, so the old registration is still there and cannot be deleted any more");
                } else {
                    b.push_str("; the close already removed it");
                }
                b.push_str(": call EPOLL_CTL_DEL before close");
            });
            s.report(r, false);
            if let Some(st) = s.st(fd) {
                st.closed_registered = false;
            }
            return;
        }
    }
    let r = Report::new(CTL_ERROR, fd, epfd).with_msg(|b| {
        b.push_str("epoll_ctl(");
        b.push_i64(epfd as i64);
        b.push_str(", ");
        match fmt::ctl_op_name(op) {
            Some(n) => b.push_str(n),
            None => b.push_i64(op as i64),
        }
        b.push_str(", ");
        b.push_i64(fd as i64);
        if let Some((events, _)) = ev {
            b.push_str(", {");
            push_events(b, events);
            b.push(b'}');
        }
        b.push_str(") failed with ");
        fmt::push_errno_name(b, e);
        b.push_str(match e {
            libc::EEXIST => ": already registered (use EPOLL_CTL_MOD, or check the program's own bookkeeping)",
            libc::ENOENT => ": not registered in this instance (deleted or modified twice, or closed before)",
            libc::EPERM => ": this file does not support epoll (regular files and directories are always ready; read them directly)",
            libc::EBADF => ": not an open descriptor (closed already?)",
            libc::EINVAL => ": invalid op, flags, or the epoll fd itself",
            libc::ELOOP => ": nesting too deep or a cycle of epoll instances",
            libc::ENOMEM | libc::ENOSPC => ": out of memory or max_user_watches reached",
            _ => "",
        });
    });
    s.report(r, true);
}

pub fn before_wait(epfd: c_int) {
    let saved = sys::errno();
    if DUMP_REQUESTED.load(Ordering::Relaxed) && !HELPER.load(Ordering::Relaxed) {
        dump();
    }
    let now = sys::monotonic_ns();
    let _ = with_state(|s| {
        fork::check_use(s, epfd);
        if let Some(st) = s.st(epfd) {
            st.wait_seq = st.wait_seq.wrapping_add(1);
            st.waiters += 1;
        }
        if s.n_et > 0 || s.n_oneshot > 0 {
            check_timers(s, now, false);
        }
    });
    sys::set_errno(saved);
}

#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn after_wait(
    epfd: c_int,
    timeout_ns: i64,
    result: &Result<usize, c_int>,
    events: *const libc::epoll_event,
    fds: &[c_int],
) {
    let saved = sys::errno();
    let now = sys::monotonic_ns();
    let me = tid();
    let n = result.unwrap_or_default();
    let _ = with_state(|s| {
        let Some(ep) = s.st(epfd) else { return };
        ep.waiters = ep.waiters.saturating_sub(1);
        let seq = ep.wait_seq;
        // busy-poll: empty zero-timeout waits, back to back.
        if timeout_ns == 0 && result == &Ok(0) {
            if ep.zero_run == 0 {
                ep.zero_start = now;
            }
            ep.zero_run += 1;
            let limit = options::lint_busy_poll();
            if ep.zero_run >= limit {
                let span = now.saturating_sub(ep.zero_start);
                let run = ep.zero_run;
                ep.zero_run = 0;
                if span < run as u64 * 1_000_000 {
                    let r = Report::new(BUSY_POLL, epfd, epfd).with_msg(|b| {
                        b.push_u64(run as u64);
                        b.push_str(" epoll_wait calls in a row with timeout 0 returned nothing (");
                        b.push_u64(span / 1000);
                        b.push_str(" us in all): a busy loop burning a CPU; block with a timeout (-1, or until the next timer) and let events wake the loop");
                    });
                    s.report(r, true);
                }
            }
        } else {
            ep.zero_run = 0;
        }
        for (i, &fd) in fds.iter().enumerate().take(n) {
            // SAFETY: the wait just wrote the first n entries of this buffer.
            let ev = unsafe { core::ptr::read_unaligned(events.add(i)) };
            delivered(s, epfd, seq, fd, ev.events, ev.u64, now, me);
        }
    });
    sys::set_errno(saved);
}

/// One event `got` (data `data`) delivered for registered number `fd`.
#[allow(clippy::too_many_arguments)]
fn delivered(
    s: &mut State,
    epfd: c_int,
    seq: u32,
    fd: c_int,
    got: u32,
    data: u64,
    now: u64,
    me: i32,
) {
    if fd < 0 {
        return;
    }
    let b = bits(fd);
    let Some(st) = s.st(fd) else { return };
    // stale-registration: the number was closed while a duplicate kept the
    // file (and so the registration) alive.
    if st.closed_kept && st.closed_epfd == epfd && st.closed_data == data {
        let r = Report::new(STALE_REGISTRATION, fd, epfd).with_msg(|b| {
            b.push_str("event ");
            push_events(b, got);
            b.push_str(" (data=");
            b.push_hex(data);
            b.push_str(") delivered for fd ");
            b.push_i64(fd as i64);
            b.push_str(", which was closed while registered; a duplicate (dup, fork, SCM_RIGHTS) keeps the file open, so the kernel keeps the registration and its old data, and the number may now name another file: EPOLL_CTL_DEL before close");
        });
        s.report(r, true);
        return;
    }
    let events = st.events;
    if got & EPOLLRDHUP != 0 && st.sock {
        halfclose::mark(st, now);
    }
    if events & EPOLLONESHOT != 0 {
        st.oneshot_fired = now;
        st.oneshot_queued = queued(fd);
        push_unique(&mut s.oneshots, &mut s.n_oneshot, fd);
        return;
    }
    if events & EPOLLET != 0 {
        if got & EPOLLIN != 0 {
            clear(fd, DRAINED | READ);
            st.et_since = now;
            st.et_seq = seq;
            push_unique(&mut s.et_pending, &mut s.n_et, fd);
        }
        return;
    }
    // Level-triggered from here on.
    if got & EPOLLOUT != 0 && events & EPOLLOUT != 0 {
        if clear(fd, WROTE) & WROTE != 0 {
            st.out_spins = 0;
        } else {
            st.out_spins += 1;
            if st.out_spins >= options::lint_writable_spin() {
                let n = st.out_spins;
                st.out_spins = 0;
                let r = Report::new(WRITABLE_SPIN, fd, epfd).with_msg(|b| {
                    b.push_str("level-triggered EPOLLOUT reported ");
                    b.push_u64(n as u64);
                    b.push_str(" times in a row and nothing was written: a socket is almost always writable, so the loop spins; register EPOLLOUT only while output is pending (EPOLL_CTL_MOD it away once the buffer is flushed), or use EPOLLET");
                });
                s.report(r, true);
            }
        }
    }
    let st = match s.st(fd) {
        Some(st) => st,
        None => return,
    };
    if got & EPOLLIN != 0 && events & EPOLLIN != 0 {
        if clear(fd, READ) & READ != 0 {
            st.in_spins = 0;
        } else {
            st.in_spins += 1;
            if st.in_spins >= options::lint_ready_ignored() {
                let n = st.in_spins;
                st.in_spins = 0;
                let r = Report::new(READY_IGNORED, fd, epfd).with_msg(|b| {
                    b.push_str("level-triggered EPOLLIN reported ");
                    b.push_u64(n as u64);
                    b.push_str(" times in a row and never read (no read, recv or accept on it): the loop spins; read it, or EPOLL_CTL_MOD/DEL it while the program does not want its input");
                });
                s.report(r, true);
            }
        }
    }
    // thundering-herd: the same readiness delivered to two threads within
    // 1 ms, without EPOLLEXCLUSIVE, and nobody read in between.
    let st = match s.st(fd) {
        Some(st) => st,
        None => return,
    };
    let read_between = clear(fd, READ_HERD) & READ_HERD != 0 || b & READ_HERD != 0;
    if events & EPOLLEXCLUSIVE == 0
        && got & EPOLLIN != 0
        && st.last_tid != 0
        && st.last_tid != me
        && now.saturating_sub(st.last_ns) < 1_000_000
        && !read_between
    {
        st.herd += 1;
        if st.herd >= options::lint_herd() {
            let n = st.herd;
            st.herd = 0;
            let r = Report::new(THUNDERING_HERD, fd, epfd).with_msg(|b| {
                b.push_str("one readiness of this fd was delivered to several threads at once (");
                b.push_u64(n as u64);
                b.push_str(" times): all waiters wake for one event; give each thread its own epoll instance and register a shared listener with EPOLLEXCLUSIVE, or use EPOLLET|EPOLLONESHOT when threads share one instance");
            });
            s.report(r, true);
        }
    }
    if let Some(st) = s.st(fd) {
        st.last_tid = me;
        st.last_ns = now;
    }
}

fn push_unique(list: &mut [i32; 256], n: &mut usize, fd: c_int) {
    if list[..*n].contains(&fd) {
        return;
    }
    if *n < list.len() {
        list[*n] = fd;
        *n += 1;
    }
}

/// The time-based checks: undrained edges and one-shots never re-armed.
/// `at_exit`: the process is ending (report what is pending now).
pub fn check_timers(s: &mut State, now: u64, at_exit: bool) {
    let et_after = options::lint_et_undrained_ns();
    let mut i = 0;
    while i < s.n_et {
        let fd = s.et_pending[i];
        let mut done = true;
        let mut undrained = None;
        let mut blocking = None;
        if let Some(st) = s.peek(fd) {
            let (since, seq, epfd) = (st.et_since, st.et_seq, st.epfd);
            if st.blocking != 0 && bits(fd) & READ != 0 {
                blocking = Some((epfd, st.events, st.blocking));
                st.blocking = 0;
            }
            let waited = s.peek(epfd).is_some_and(|ep| ep.wait_seq != seq);
            if since != 0 && bits(fd) & DRAINED == 0 {
                if now.saturating_sub(since) >= et_after && waited {
                    if readable_now(fd) {
                        undrained = Some((epfd, now - since));
                    }
                } else if !at_exit {
                    done = false;
                }
            }
        }
        if let Some((epfd, events, kind)) = blocking {
            report_blocking(s, epfd, fd, events, kind);
        }
        if let Some((epfd, age)) = undrained {
            if let Some(st) = s.st(fd) {
                st.et_since = 0;
            }
            let q = queued(fd);
            let r = Report::new(ET_UNDRAINED, fd, epfd).with_msg(|b| {
                b.push_str("reported EPOLLIN under EPOLLET ");
                b.push_u64(age / 1_000_000);
                b.push_str(" ms ago and the program went back to epoll_wait without reading it to EAGAIN or a short count; ");
                if q > 0 {
                    b.push_u64(q as u64);
                    b.push_str(" bytes are still queued, and ");
                } else {
                    b.push_str("it is still readable, and ");
                }
                b.push_str("no new edge will come until more data arrives: read (or accept) in a loop until EAGAIN");
            });
            s.report(r, true);
        }
        if done {
            s.n_et -= 1;
            s.et_pending[i] = s.et_pending[s.n_et];
        } else {
            i += 1;
        }
    }
    let os_after = options::lint_oneshot_ns();
    let mut i = 0;
    while i < s.n_oneshot {
        let fd = s.oneshots[i];
        let mut done = true;
        let mut report = None;
        if let Some(st) = s.peek(fd) {
            if st.oneshot_fired != 0 && st.regs > 0 {
                done = false;
                if now.saturating_sub(st.oneshot_fired) >= os_after {
                    let q = queued(fd);
                    let grew = if q >= 0 && st.oneshot_queued >= 0 {
                        q > st.oneshot_queued
                    } else {
                        readable_now(fd)
                    };
                    if grew {
                        report = Some((st.epfd, now - st.oneshot_fired, q));
                        st.oneshot_fired = 0;
                        done = true;
                    }
                }
            }
        }
        if let Some((epfd, age, q)) = report {
            let r = Report::new(ONESHOT_NOT_REARMED, fd, epfd).with_msg(|b| {
                b.push_str("EPOLLONESHOT fired ");
                b.push_u64(age / 1_000_000);
                b.push_str(" ms ago and was never re-armed, while more data arrived");
                if q > 0 {
                    b.push_str(" (");
                    b.push_u64(q as u64);
                    b.push_str(" bytes queued)");
                }
                b.push_str(": the fd is disarmed, not removed; re-arm it with EPOLL_CTL_MOD once it is handled");
            });
            s.report(r, true);
        }
        if done {
            s.n_oneshot -= 1;
            s.oneshots[i] = s.oneshots[s.n_oneshot];
        } else {
            i += 1;
        }
    }
}

/// `fd` is closing; `g` the core state when its lock is held.
pub fn on_close(fd: c_int, g: Option<&crate::core::Global>) {
    if !lint_on() {
        // rdhup=uniform only: the EOF bit belongs to the old file.
        if fd >= 0 && (fd as usize) < DIAG_FDS {
            BITS[fd as usize].store(0, Ordering::Release);
        }
        return;
    }
    // A signal handler may have interrupted the lock's holder: never wait.
    let Some(mut guard) = STATE.try_lock() else {
        if fd >= 0 && (fd as usize) < DIAG_FDS {
            BITS[fd as usize].store(CLOSED | KNOWN, Ordering::Release);
        }
        return;
    };
    let Some(s) = guard.as_mut() else { return };
    let Some(st) = s.st(fd) else { return };
    let regs = st.regs;
    let mut kept = None;
    if regs > 0 {
        if let Some(g) = g {
            kept = registration_outlives(g, fd);
        }
        st.closed_registered = true;
        st.closed_epfd = st.epfd;
        st.closed_data = st.data;
        st.closed_kept = kept.is_some();
    }
    let epfd = st.epfd;
    // Everything else belonged to the file, not the number.
    if fd >= 0 && (fd as usize) < DIAG_FDS {
        BITS[fd as usize].store(CLOSED | KNOWN, Ordering::Release);
    }
    if let Some(other) = kept {
        let r = Report::new(CLOSE_WHILE_REGISTERED, fd, epfd).with_msg(|b| {
            b.push_str("closed while registered in epfd ");
            b.push_i64(epfd as i64);
            b.push_str(" without EPOLL_CTL_DEL, and fd ");
            b.push_i64(other as i64);
            b.push_str(" still refers to the same file: the registration is not removed (epoll(7) Q6), its events keep coming with the old data, and EPOLL_CTL_DEL on this number now fails; call EPOLL_CTL_DEL before close");
        });
        s.report(r, false);
    }
    unlock_and_emit(guard);
}

/// Another descriptor that keeps `fd`'s registered file open, if any
/// (the registration then outlives the close).
fn registration_outlives(g: &crate::core::Global, fd: c_int) -> Option<c_int> {
    let file = g.fds.get(&fd)?;
    let f = g.files.get(file)?;
    if f.regs.is_empty() {
        return None;
    }
    f.fds.iter().copied().find(|&x| x != fd)
}

/// At exit: one line with the count of each lint seen (text), or one
/// object with `"lint_counts"` (JSON).
pub fn exit_counts(dropped: u64) {
    let counts = with_state(|s| s.counts).unwrap_or([0; LINTS]);
    if counts.iter().all(|&c| c == 0) && dropped == 0 {
        return;
    }
    report::emit_info(
        |b| {
            b.push_str("lint counts at exit:");
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 {
                    b.push(b' ');
                    b.push_str(options::LINT_IDS[i]);
                    b.push(b'=');
                    b.push_u64(c);
                }
            }
            if dropped > 0 {
                b.push_str(" (reports dropped: ");
                b.push_u64(dropped);
                b.push(b')');
            }
        },
        |b| {
            b.push_str(",\"lint_counts\":{");
            let mut first = true;
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 {
                    if !first {
                        b.push(b',');
                    }
                    first = false;
                    b.push(b'"');
                    b.push_str(options::LINT_IDS[i]);
                    b.push_str("\":");
                    b.push_u64(c);
                }
            }
            b.push_str("},\"dropped\":");
            b.push_u64(dropped);
        },
    );
}
