//! One traced call, and its three renderings: strace-like text, JSON Lines
//! and Chrome trace events. docs/TRACE.md is the reference for all three;
//! change both together.

use super::fmt::{self, LineBuf};
use super::Call;
use libc::{c_int, epoll_event};

/// How `epoll_ctl`'s event argument is shown.
#[derive(Clone, Copy)]
pub enum CtlEvent {
    /// The event the kernel would have copied: (events, data).
    Event(u32, u64),
    /// Not read: EPOLL_CTL_DEL ignores it. Holds the pointer if known.
    Ignored(Option<usize>),
    /// Could not be read (EFAULT): the address.
    Unreadable(usize),
}

/// A wait's timeout as the caller gave it.
#[derive(Clone, Copy)]
pub enum Timeout {
    /// epoll_wait / epoll_pwait: milliseconds, negative = infinite.
    Ms(c_int),
    /// epoll_pwait2: the timespec, None for NULL (infinite).
    Ts(Option<(i64, i64)>),
    /// epoll_pwait2 whose timespec could not be read: the address.
    Unreadable(usize),
}

/// A wait's signal mask argument.
#[derive(Clone, Copy)]
pub enum SigMask {
    /// epoll_wait has none.
    Absent,
    Null,
    /// The first 64 signals.
    Set(u64),
    /// Could not be read: the address.
    Unreadable(usize),
}

pub enum Body<'a> {
    Create {
        /// epoll_create's size or epoll_create1's flags.
        arg: c_int,
        ret: Result<c_int, c_int>,
    },
    Ctl {
        epfd: c_int,
        op: c_int,
        fd: c_int,
        event: CtlEvent,
        ret: Result<(), c_int>,
    },
    Wait {
        epfd: c_int,
        /// The caller's buffer; on success its first `n` entries hold the
        /// returned events.
        events: *const epoll_event,
        maxevents: c_int,
        timeout: Timeout,
        sigmask: SigMask,
        ret: Result<usize, c_int>,
        /// Registered fd behind each returned event (-1: unknown).
        fds: &'a [c_int],
    },
    /// A line from repoll itself (an approximation, a dropped record...).
    Note { msg: &'a [u8] },
}

pub struct Record<'a> {
    pub call: Call,
    pub pid: i32,
    pub tid: i32,
    /// CLOCK_MONOTONIC at entry and return.
    pub start_ns: u64,
    pub end_ns: u64,
    /// CLOCK_REALTIME at entry.
    pub real_ns: u64,
    pub body: Body<'a>,
}

/// Bytes kept free at the end of a line for what follows the events array.
const TAIL: usize = 320;

impl Record<'_> {
    fn dur_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// The i-th returned event, read back from the caller's buffer.
    fn event(&self, i: usize) -> (u32, u64, c_int) {
        let Body::Wait { events, fds, .. } = self.body else {
            return (0, 0, -1);
        };
        // SAFETY: the wait just copied at least i+1 events into this buffer
        // successfully (see `returned`), so the memory is mapped and holds
        // initialised epoll_events; the struct is packed, hence the
        // unaligned read.
        let ev = unsafe { core::ptr::read_unaligned(events.add(i)) };
        (ev.events, ev.u64, fds.get(i).copied().unwrap_or(-1))
    }

    /// Number of events returned (0 unless a successful wait).
    pub fn returned(&self) -> usize {
        match self.body {
            Body::Wait {
                ret: Ok(n),
                ref events,
                ..
            } if !events.is_null() => n,
            _ => 0,
        }
    }
}

// ---------------------------------------------------------------- text

/// `[pid 12] 1733000000.123456 epoll_wait(4, [...], 8, -1) = 1 <0.000120>`
pub fn text(b: &mut LineBuf<'_>, r: &Record<'_>) {
    let cap = b.capacity();
    b.push_str("[pid ");
    b.push_u64(r.pid as u64);
    if r.tid != r.pid {
        b.push_str(" tid ");
        b.push_u64(r.tid as u64);
    }
    b.push_str("] ");
    b.push_fixed(r.real_ns / 1000, 6);
    b.push(b' ');
    match r.body {
        Body::Note { msg } => {
            b.set_limit(cap - 8);
            b.push_str("--- repoll: ");
            for &c in msg {
                b.push(if c == b'\n' { b' ' } else { c });
            }
            b.clear_overflow();
            b.set_limit(cap);
            b.push_str(" ---\n");
            return;
        }
        Body::Create { arg, ret } => {
            b.push_str(r.call.name());
            b.push(b'(');
            if r.call == Call::EpollCreate {
                b.push_i64(arg as i64);
            } else {
                push_create_flags_text(b, arg);
            }
            b.push_str(") = ");
            match ret {
                Ok(v) => b.push_i64(v as i64),
                Err(e) => fmt::push_errno_text(b, e),
            }
        }
        Body::Ctl {
            epfd,
            op,
            fd,
            event,
            ret,
        } => {
            b.push_str("epoll_ctl(");
            b.push_i64(epfd as i64);
            b.push_str(", ");
            match fmt::ctl_op_name(op) {
                Some(name) => b.push_str(name),
                None => {
                    b.push_hex(op as u32 as u64);
                    b.push_str(" /* EPOLL_CTL_??? */");
                }
            }
            b.push_str(", ");
            b.push_i64(fd as i64);
            b.push_str(", ");
            match event {
                CtlEvent::Event(events, data) => {
                    b.push_str("{events=");
                    fmt::push_events_text(b, events);
                    b.push_str(", data=");
                    b.push_hex(data);
                    b.push(b'}');
                }
                CtlEvent::Ignored(None) | CtlEvent::Ignored(Some(0)) => b.push_str("NULL"),
                CtlEvent::Ignored(Some(p)) | CtlEvent::Unreadable(p) => b.push_hex(p as u64),
            }
            b.push_str(") = ");
            match ret {
                Ok(()) => b.push(b'0'),
                Err(e) => fmt::push_errno_text(b, e),
            }
        }
        Body::Wait {
            epfd,
            events,
            maxevents,
            timeout,
            sigmask,
            ret,
            ..
        } => {
            b.push_str(r.call.name());
            b.push(b'(');
            b.push_i64(epfd as i64);
            b.push_str(", ");
            if ret.is_ok() && !events.is_null() {
                b.push(b'[');
                b.set_limit(cap - TAIL);
                let n = r.returned();
                for i in 0..n {
                    let mark = b.len();
                    if i > 0 {
                        b.push_str(", ");
                    }
                    let (ev, data, fd) = r.event(i);
                    b.push_str("{events=");
                    fmt::push_events_text(b, ev);
                    b.push_str(", data=");
                    b.push_hex(data);
                    b.push_str(", fd=");
                    if fd >= 0 {
                        b.push_u64(fd as u64);
                    } else {
                        b.push(b'?');
                    }
                    b.push(b'}');
                    if b.overflowed() {
                        b.truncate(mark);
                        b.push_str(if i > 0 { ", ..." } else { "..." });
                        break;
                    }
                }
                b.set_limit(cap);
                b.push(b']');
            } else if events.is_null() {
                b.push_str("NULL");
            } else {
                b.push_hex(events as usize as u64);
            }
            b.push_str(", ");
            b.push_i64(maxevents as i64);
            b.push_str(", ");
            match timeout {
                Timeout::Ms(ms) => b.push_i64(ms as i64),
                Timeout::Ts(None) => b.push_str("NULL"),
                Timeout::Ts(Some((s, ns))) => {
                    b.push_str("{tv_sec=");
                    b.push_i64(s);
                    b.push_str(", tv_nsec=");
                    b.push_i64(ns);
                    b.push(b'}');
                }
                Timeout::Unreadable(p) => b.push_hex(p as u64),
            }
            match sigmask {
                SigMask::Absent => {}
                SigMask::Null => b.push_str(", NULL, 8"),
                SigMask::Set(set) => {
                    b.push_str(", ");
                    fmt::push_sigset_text(b, set);
                    b.push_str(", 8");
                }
                SigMask::Unreadable(p) => {
                    b.push_str(", ");
                    b.push_hex(p as u64);
                    b.push_str(", 8");
                }
            }
            b.push_str(") = ");
            match ret {
                Ok(n) => b.push_u64(n as u64),
                Err(e) => fmt::push_errno_text(b, e),
            }
        }
    }
    b.push_str(" <");
    b.push_fixed(r.dur_ns() / 1000, 6);
    b.push_str(">\n");
}

fn push_create_flags_text(b: &mut LineBuf<'_>, flags: c_int) {
    if flags == 0 {
        b.push(b'0');
        return;
    }
    let rest = flags & !libc::EPOLL_CLOEXEC;
    if flags & libc::EPOLL_CLOEXEC != 0 {
        b.push_str("EPOLL_CLOEXEC");
        if rest != 0 {
            b.push(b'|');
        }
    }
    if rest != 0 {
        b.push_hex(rest as u32 as u64);
        if flags & libc::EPOLL_CLOEXEC == 0 {
            b.push_str(" /* EPOLL_??? */");
        }
    }
}

// ---------------------------------------------------------------- JSON

/// The call's arguments as JSON members (no braces), shared by the JSON
/// Lines and Chrome formats: `"epfd":4,"op":"EPOLL_CTL_ADD",...`.
fn json_args(b: &mut LineBuf<'_>, r: &Record<'_>) {
    match r.body {
        Body::Note { .. } => {}
        Body::Create { arg, .. } => {
            if r.call == Call::EpollCreate {
                b.push_str("\"size\":");
                b.push_i64(arg as i64);
            } else {
                b.push_str("\"flags\":[");
                let rest = arg & !libc::EPOLL_CLOEXEC;
                if arg & libc::EPOLL_CLOEXEC != 0 {
                    b.push_str("\"EPOLL_CLOEXEC\"");
                    if rest != 0 {
                        b.push(b',');
                    }
                }
                if rest != 0 {
                    b.push(b'"');
                    b.push_hex(rest as u32 as u64);
                    b.push(b'"');
                }
                b.push(b']');
            }
        }
        Body::Ctl {
            epfd,
            op,
            fd,
            event,
            ..
        } => {
            b.push_str("\"epfd\":");
            b.push_i64(epfd as i64);
            b.push_str(",\"op\":\"");
            match fmt::ctl_op_name(op) {
                Some(name) => b.push_str(name),
                None => b.push_i64(op as i64),
            }
            b.push_str("\",\"fd\":");
            b.push_i64(fd as i64);
            match event {
                CtlEvent::Event(events, data) => {
                    b.push_str(",\"events\":");
                    fmt::push_events_json(b, events);
                    b.push_str(",\"data\":\"");
                    b.push_hex(data);
                    b.push(b'"');
                }
                CtlEvent::Ignored(_) => {}
                CtlEvent::Unreadable(p) => {
                    b.push_str(",\"event_addr\":\"");
                    b.push_hex(p as u64);
                    b.push(b'"');
                }
            }
        }
        Body::Wait {
            epfd,
            maxevents,
            timeout,
            sigmask,
            ..
        } => {
            b.push_str("\"epfd\":");
            b.push_i64(epfd as i64);
            b.push_str(",\"maxevents\":");
            b.push_i64(maxevents as i64);
            match timeout {
                Timeout::Ms(ms) => {
                    b.push_str(",\"timeout_ms\":");
                    b.push_i64(if ms < 0 { -1 } else { ms as i64 });
                }
                Timeout::Ts(None) => b.push_str(",\"timeout_ms\":-1,\"timeout_ns\":-1"),
                Timeout::Ts(Some((s, ns))) => {
                    let total =
                        (s as i128 * 1_000_000_000 + ns as i128).clamp(0, i64::MAX as i128) as i64;
                    b.push_str(",\"timeout_ms\":");
                    // Rounded up, as the kernel never waits less than asked.
                    b.push_i64(total / 1_000_000 + (total % 1_000_000 != 0) as i64);
                    b.push_str(",\"timeout_ns\":");
                    b.push_i64(total);
                }
                Timeout::Unreadable(p) => {
                    b.push_str(",\"timeout_addr\":\"");
                    b.push_hex(p as u64);
                    b.push(b'"');
                }
            }
            match sigmask {
                SigMask::Absent => {}
                SigMask::Null => b.push_str(",\"sigmask\":null"),
                SigMask::Set(set) => {
                    b.push_str(",\"sigmask\":");
                    fmt::push_sigset_json(b, set);
                }
                SigMask::Unreadable(p) => {
                    b.push_str(",\"sigmask_addr\":\"");
                    b.push_hex(p as u64);
                    b.push(b'"');
                }
            }
        }
    }
}

/// `"ret":1` or `"ret":-1,"errno":"EINTR"`.
fn json_ret(b: &mut LineBuf<'_>, r: &Record<'_>) {
    let ret: Result<i64, c_int> = match r.body {
        Body::Create { ret, .. } => ret.map(|v| v as i64),
        Body::Ctl { ret, .. } => ret.map(|_| 0),
        Body::Wait { ret, .. } => ret.map(|n| n as i64),
        Body::Note { .. } => return,
    };
    match ret {
        Ok(v) => {
            b.push_str("\"ret\":");
            b.push_i64(v);
        }
        Err(e) => {
            b.push_str("\"ret\":-1,\"errno\":\"");
            fmt::push_errno_name(b, e);
            b.push(b'"');
        }
    }
}

/// One JSON object per line; schema in docs/TRACE.md.
pub fn json(b: &mut LineBuf<'_>, r: &Record<'_>) {
    let cap = b.capacity();
    b.push_str("{\"ts_ns\":");
    b.push_u64(r.real_ns);
    b.push_str(",\"pid\":");
    b.push_u64(r.pid as u64);
    b.push_str(",\"tid\":");
    b.push_u64(r.tid as u64);
    if let Body::Note { msg } = r.body {
        b.push_str(",\"note\":");
        b.set_limit(cap - 4);
        b.push_json_str(&msg[..msg.len().min(cap / 8)]);
        b.set_limit(cap);
        b.push_str("}\n");
        return;
    }
    b.push_str(",\"call\":\"");
    b.push_str(r.call.name());
    b.push_str("\",");
    json_args(b, r);
    b.push(b',');
    json_ret(b, r);
    b.push_str(",\"dur_ns\":");
    b.push_u64(r.dur_ns());
    if let Body::Wait { ret: Ok(_), .. } = r.body {
        b.push_str(",\"events\":[");
        b.set_limit(cap - 64);
        let n = r.returned();
        let mut shown = n;
        for i in 0..n {
            let mark = b.len();
            if i > 0 {
                b.push(b',');
            }
            let (ev, data, fd) = r.event(i);
            b.push_str("{\"fd\":");
            b.push_i64(fd as i64);
            b.push_str(",\"events\":");
            fmt::push_events_json(b, ev);
            b.push_str(",\"data\":\"");
            b.push_hex(data);
            b.push_str("\"}");
            if b.overflowed() {
                b.truncate(mark);
                shown = i;
                break;
            }
        }
        b.set_limit(cap);
        b.push(b']');
        if shown < n {
            b.push_str(",\"events_omitted\":");
            b.push_u64((n - shown) as u64);
        }
    }
    b.push_str("}\n");
}

// ---------------------------------------------------------------- Chrome

/// Chrome/Perfetto trace events: the call as a complete ("X") event on the
/// thread's track, each returned event as a thread-scoped instant at the
/// moment the wait returned. Timestamps are CLOCK_MONOTONIC microseconds
/// (shared by all processes of the machine). Each event ends with ",\n".
pub fn chrome(b: &mut LineBuf<'_>, r: &Record<'_>, thread_name: Option<&[u8]>) {
    let cap = b.capacity();
    let ids = |b: &mut LineBuf<'_>| {
        b.push_str(",\"pid\":");
        b.push_u64(r.pid as u64);
        b.push_str(",\"tid\":");
        b.push_u64(r.tid as u64);
    };
    if let Some(name) = thread_name {
        b.push_str("{\"name\":\"thread_name\",\"ph\":\"M\"");
        ids(b);
        b.push_str(",\"args\":{\"name\":");
        b.push_json_str(name);
        b.push_str("}},\n");
    }
    if let Body::Note { msg } = r.body {
        b.push_str("{\"name\":");
        b.set_limit(cap - 160);
        b.push_json_str(&msg[..msg.len().min(cap / 8)]);
        b.set_limit(cap);
        b.push_str(",\"cat\":\"repoll\",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
        b.push_fixed(r.start_ns, 3);
        ids(b);
        b.push_str("},\n");
        return;
    }
    b.push_str("{\"name\":\"");
    b.push_str(r.call.name());
    b.push_str("\",\"cat\":\"epoll\",\"ph\":\"X\",\"ts\":");
    b.push_fixed(r.start_ns, 3);
    b.push_str(",\"dur\":");
    b.push_fixed(r.dur_ns(), 3);
    ids(b);
    b.push_str(",\"args\":{");
    json_args(b, r);
    b.push(b',');
    json_ret(b, r);
    b.push_str("}},\n");
    let n = r.returned();
    b.set_limit(cap - 64);
    for i in 0..n {
        let mark = b.len();
        let (ev, data, fd) = r.event(i);
        b.push_str("{\"name\":\"fd ");
        b.push_i64(fd as i64);
        b.push(b' ');
        fmt::push_events_text(b, ev);
        b.push_str("\",\"cat\":\"epoll_event\",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
        b.push_fixed(r.end_ns, 3);
        ids(b);
        b.push_str(",\"args\":{\"epfd\":");
        if let Body::Wait { epfd, .. } = r.body {
            b.push_i64(epfd as i64);
        }
        b.push_str(",\"fd\":");
        b.push_i64(fd as i64);
        b.push_str(",\"events\":");
        fmt::push_events_json(b, ev);
        b.push_str(",\"data\":\"");
        b.push_hex(data);
        b.push_str("\"}},\n");
        if b.overflowed() {
            b.truncate(mark);
            break;
        }
    }
    b.set_limit(cap);
}
