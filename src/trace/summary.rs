//! `summary=1`: counts per call and per descriptor, printed at exit like
//! `strace -c`, plus what strace cannot know: the longest call, the events
//! each wait returned, and how many events each registered fd delivered.
//!
//! Per-call counters live in each thread's region (no sharing on the
//! per-call path); per-fd counters are one relaxed atomic add per delivered
//! event in a table indexed by fd, mapped at start-up only when the summary
//! is on.

use super::fmt::{self, LineBuf};
use super::{Call, CALLS};
use crate::options::{self, TraceFormat};
use crate::sys;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// errno values counted individually (Linux uses 1..=133).
const ERRNO_SLOTS: usize = 134;
/// Descriptors below this get their own counters; the rest share one row.
const FD_SLOTS: usize = 65536;

/// Counters of one call (epoll_wait, epoll_ctl, ...).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct CallStats {
    /// Calls that returned.
    pub calls: u64,
    /// Calls that returned -1.
    pub errors: u64,
    /// Sum of durations (time inside the call, blocking included).
    pub total_ns: u64,
    /// Longest duration.
    pub max_ns: u64,
    /// Events returned (waits).
    pub events: u64,
    /// Waits that returned 0 (timed out).
    pub timeouts: u64,
}

/// A thread's counters (in its region's header).
#[repr(C)]
pub struct Stats {
    pub calls: [CallStats; CALLS],
    /// Errors by errno, per call (index 0: errno out of range).
    pub errnos: [[u32; ERRNO_SLOTS]; CALLS],
}

impl Stats {
    pub const ZERO: Stats = Stats {
        calls: [CallStats {
            calls: 0,
            errors: 0,
            total_ns: 0,
            max_ns: 0,
            events: 0,
            timeouts: 0,
        }; CALLS],
        errnos: [[0; ERRNO_SLOTS]; CALLS],
    };

    /// Counts one returned call.
    pub fn add(&mut self, call: Call, dur_ns: u64, result: Result<usize, i32>, is_wait: bool) {
        let c = &mut self.calls[call as usize];
        c.calls += 1;
        c.total_ns += dur_ns;
        if dur_ns > c.max_ns {
            c.max_ns = dur_ns;
        }
        match result {
            Ok(n) => {
                if is_wait {
                    c.events += n as u64;
                    if n == 0 {
                        c.timeouts += 1;
                    }
                }
            }
            Err(e) => {
                c.errors += 1;
                let slot = if e > 0 && (e as usize) < ERRNO_SLOTS {
                    e as usize
                } else {
                    0
                };
                self.errnos[call as usize][slot] =
                    self.errnos[call as usize][slot].saturating_add(1);
            }
        }
    }
}

/// Per-fd counters: events, then how many had EPOLLIN, EPOLLOUT, and
/// EPOLLERR/EPOLLHUP/EPOLLRDHUP.
type FdRow = [AtomicU64; 4];

/// FD_SLOTS rows for fds 0.., then one row for larger or unknown fds.
static FD_TABLE: AtomicPtr<FdRow> = AtomicPtr::new(core::ptr::null_mut());

fn table_bytes() -> usize {
    (FD_SLOTS + 1) * core::mem::size_of::<FdRow>()
}

/// Maps the per-fd table (summary=1 only). Untouched pages cost nothing.
pub fn init() {
    let r = sys::call(
        libc::SYS_mmap,
        [
            0,
            table_bytes(),
            (libc::PROT_READ | libc::PROT_WRITE) as usize,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE) as usize,
            usize::MAX,
            0,
        ],
    );
    if let Ok(p) = r {
        FD_TABLE.store(p as *mut FdRow, Ordering::Release);
    }
}

fn table() -> Option<&'static [FdRow]> {
    let p = FD_TABLE.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: a mapping of FD_SLOTS + 1 rows, zero-filled, never unmapped;
    // rows are atomics.
    Some(unsafe { core::slice::from_raw_parts(p, FD_SLOTS + 1) })
}

/// Counts one delivered event of registered fd `fd` (-1: unknown).
#[inline]
pub fn count_fd_event(fd: i32, events: u32) {
    let Some(t) = table() else { return };
    let row = if fd >= 0 && (fd as usize) < FD_SLOTS {
        &t[fd as usize]
    } else {
        &t[FD_SLOTS]
    };
    row[0].fetch_add(1, Ordering::Relaxed);
    if events & libc::EPOLLIN as u32 != 0 {
        row[1].fetch_add(1, Ordering::Relaxed);
    }
    if events & libc::EPOLLOUT as u32 != 0 {
        row[2].fetch_add(1, Ordering::Relaxed);
    }
    if events & (libc::EPOLLERR | libc::EPOLLHUP | libc::EPOLLRDHUP) as u32 != 0 {
        row[3].fetch_add(1, Ordering::Relaxed);
    }
}

/// Zeroes the per-fd counters: in a forked child (which counts its own
/// calls only) and after a summary printed at exec. MADV_DONTNEED gives
/// fresh zero pages without touching the parent's.
pub fn reset() {
    let p = FD_TABLE.load(Ordering::Acquire);
    if !p.is_null() {
        let _ = sys::call(
            libc::SYS_madvise,
            [
                p as usize,
                table_bytes(),
                libc::MADV_DONTNEED as usize,
                0,
                0,
                0,
            ],
        );
    }
}

/// Writes the summary: text (strace -c style) to the log, or JSON lines
/// when trace_format=json; with the Chrome format (whose file must stay a
/// trace-event array) the text table goes to stderr.
pub fn print(reason: &str) {
    let mut total = Stats::ZERO;
    super::pool::for_each_header(|h| {
        for c in 0..CALLS {
            let (a, b) = (&mut total.calls[c], &h.stats.calls[c]);
            a.calls += b.calls;
            a.errors += b.errors;
            a.total_ns += b.total_ns;
            a.max_ns = a.max_ns.max(b.max_ns);
            a.events += b.events;
            a.timeouts += b.timeouts;
            for e in 0..ERRNO_SLOTS {
                total.errnos[c][e] = total.errnos[c][e].saturating_add(h.stats.errnos[c][e]);
            }
        }
    });
    let json = options::trace_format() == TraceFormat::Json;
    let fd = if options::trace_format() == TraceFormat::Chrome {
        2
    } else {
        super::sink::fd()
    };
    let out = |bytes: &[u8]| {
        if fd == super::sink::fd() {
            super::sink::write(bytes);
        } else {
            let _ = sys::write_all(fd, bytes);
        }
    };
    if json {
        print_json(&total, reason, &out);
    } else {
        print_text(&total, reason, &out);
    }
}

fn print_text(total: &Stats, reason: &str, out: &dyn Fn(&[u8])) {
    let mut storage = [0u8; 512];
    let mut sum = CallStats {
        calls: 0,
        errors: 0,
        total_ns: 0,
        max_ns: 0,
        events: 0,
        timeouts: 0,
    };
    for c in total.calls.iter() {
        sum.calls += c.calls;
        sum.errors += c.errors;
        sum.total_ns += c.total_ns;
        sum.max_ns = sum.max_ns.max(c.max_ns);
        sum.events += c.events;
        sum.timeouts += c.timeouts;
    }
    let mut b = LineBuf::new(&mut storage);
    options::push_prefix(&mut b);
    b.push_str("summary of epoll calls (");
    b.push_str(reason);
    b.push_str("); time is spent inside the call, blocking included\n");
    b.push_str(
        "% time     seconds  usecs/call   max usecs     calls    errors    events  timeouts call\n",
    );
    out(b.as_bytes());
    let rule = b"------ ----------- ----------- ----------- --------- --------- --------- --------- ----------------\n";
    out(rule);
    // Busiest first, as strace -c sorts by time.
    let mut order = [0usize; CALLS];
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|&a, &b| total.calls[b].total_ns.cmp(&total.calls[a].total_ns));
    for &i in order.iter() {
        let c = &total.calls[i];
        if c.calls == 0 {
            continue;
        }
        let mut b = LineBuf::new(&mut storage);
        row(&mut b, c, sum.total_ns, Call::ALL[i].name());
        out(b.as_bytes());
    }
    out(rule);
    let mut b = LineBuf::new(&mut storage);
    row(&mut b, &sum, sum.total_ns, "total");
    out(b.as_bytes());
    // Errors by errno.
    for (i, call) in Call::ALL.iter().enumerate() {
        if total.calls[i].errors == 0 {
            continue;
        }
        let mut b = LineBuf::new(&mut storage);
        b.push_str("errors of ");
        b.push_str(call.name());
        b.push(b':');
        for (e, &n) in total.errnos[i].iter().enumerate() {
            if n == 0 {
                continue;
            }
            b.push(b' ');
            if e == 0 {
                b.push_str("other");
            } else {
                fmt::push_errno_name(&mut b, e as i32);
            }
            b.push(b' ');
            b.push_u64(n as u64);
        }
        b.push(b'\n');
        out(b.as_bytes());
    }
    let Some(t) = table() else { return };
    let mut header_done = false;
    for (fd, r) in t.iter().enumerate() {
        let events = r[0].load(Ordering::Relaxed);
        if events == 0 {
            continue;
        }
        if !header_done {
            out(b"events delivered per registered fd:\n      fd    events   EPOLLIN  EPOLLOUT  ERR/HUP\n");
            header_done = true;
        }
        let mut b = LineBuf::new(&mut storage);
        if fd == FD_SLOTS {
            b.push_str("   other");
        } else {
            b.push_u64_padded(fd as u64, 8);
        }
        for v in r.iter() {
            b.push_u64_padded(v.load(Ordering::Relaxed), 10);
        }
        b.push(b'\n');
        out(b.as_bytes());
    }
    let dropped = super::sink::DROPPED.load(Ordering::Relaxed);
    if dropped > 0 {
        let mut b = LineBuf::new(&mut storage);
        b.push_str("trace writes that failed: ");
        b.push_u64(dropped as u64);
        b.push(b'\n');
        out(b.as_bytes());
    }
}

/// One table row: `% time, seconds, usecs/call, max usecs, calls, errors,
/// events, timeouts, name`.
fn row(b: &mut LineBuf<'_>, c: &CallStats, all_ns: u64, name: &str) {
    let pct = if all_ns == 0 {
        0
    } else {
        (c.total_ns as u128 * 10000 / all_ns as u128) as u64
    };
    let mut tmp = [0u8; 32];
    let mut t = LineBuf::new(&mut tmp);
    t.push_fixed(pct, 2);
    let n = t.len();
    for _ in n..6 {
        b.push(b' ');
    }
    b.push_bytes(&tmp[..n]);
    b.push(b' ');
    let mut t = LineBuf::new(&mut tmp);
    t.push_fixed(c.total_ns / 1000, 6);
    let n = t.len();
    for _ in n..11 {
        b.push(b' ');
    }
    b.push_bytes(&tmp[..n]);
    b.push(b' ');
    if name == "total" {
        b.push_str("                        ");
    } else {
        b.push_u64_padded(c.total_ns / 1000 / c.calls.max(1), 11);
        b.push(b' ');
        b.push_u64_padded(c.max_ns / 1000, 11);
        b.push(b' ');
    }
    b.push_u64_padded(c.calls, 9);
    b.push(b' ');
    if c.errors > 0 {
        b.push_u64_padded(c.errors, 9);
    } else {
        b.push_str("         ");
    }
    b.push(b' ');
    b.push_u64_padded(c.events, 9);
    b.push(b' ');
    b.push_u64_padded(c.timeouts, 9);
    b.push(b' ');
    b.push_str(name);
    b.push(b'\n');
}

fn print_json(total: &Stats, reason: &str, out: &dyn Fn(&[u8])) {
    let mut storage = [0u8; 4096];
    let ts = sys::clock_ns(libc::CLOCK_REALTIME);
    let pid = sys::getpid() as u64;
    let start = |b: &mut LineBuf<'_>, kind: &str| {
        b.push_str("{\"ts_ns\":");
        b.push_u64(ts);
        b.push_str(",\"pid\":");
        b.push_u64(pid);
        b.push_str(",\"summary\":\"");
        b.push_str(kind);
        b.push(b'"');
    };
    for (i, call) in Call::ALL.iter().enumerate() {
        let c = &total.calls[i];
        if c.calls == 0 {
            continue;
        }
        let mut b = LineBuf::new(&mut storage);
        start(&mut b, "call");
        b.push_str(",\"reason\":\"");
        b.push_str(reason);
        b.push_str("\",\"call\":\"");
        b.push_str(call.name());
        b.push_str("\",\"calls\":");
        b.push_u64(c.calls);
        b.push_str(",\"errors\":");
        b.push_u64(c.errors);
        b.push_str(",\"total_ns\":");
        b.push_u64(c.total_ns);
        b.push_str(",\"max_ns\":");
        b.push_u64(c.max_ns);
        b.push_str(",\"events\":");
        b.push_u64(c.events);
        b.push_str(",\"timeouts\":");
        b.push_u64(c.timeouts);
        b.push_str(",\"errnos\":{");
        let mut first = true;
        for (e, &n) in total.errnos[i].iter().enumerate() {
            if n == 0 {
                continue;
            }
            if !first {
                b.push(b',');
            }
            first = false;
            b.push(b'"');
            match fmt::errno_name(e as i32) {
                Some(name) if e != 0 => b.push_str(name),
                _ => b.push_str("other"),
            }
            b.push_str("\":");
            b.push_u64(n as u64);
        }
        b.push_str("}}\n");
        out(b.as_bytes());
    }
    let Some(t) = table() else { return };
    for (fd, r) in t.iter().enumerate() {
        let events = r[0].load(Ordering::Relaxed);
        if events == 0 {
            continue;
        }
        let mut b = LineBuf::new(&mut storage);
        start(&mut b, "fd");
        b.push_str(",\"fd\":");
        if fd == FD_SLOTS {
            b.push_str("-1");
        } else {
            b.push_u64(fd as u64);
        }
        b.push_str(",\"events\":");
        b.push_u64(events);
        b.push_str(",\"in\":");
        b.push_u64(r[1].load(Ordering::Relaxed));
        b.push_str(",\"out\":");
        b.push_u64(r[2].load(Ordering::Relaxed));
        b.push_str(",\"err_hup\":");
        b.push_u64(r[3].load(Ordering::Relaxed));
        b.push_str("}\n");
        out(b.as_bytes());
    }
}
