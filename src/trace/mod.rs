//! Per-call tracing and the exit summary (issue 5; docs/TRACE.md).
//!
//! Fed by the epoll hooks, never changes behaviour (STYLE.md §1). The hooks
//! report each call that reaches the core through `on_create`, `on_ctl` and
//! `on_wait`; the exported C entry points wrap their work in `traced`, which
//! names the call (epoll_wait vs epoll_pwait...) and records the calls that
//! fail before reaching the core (EINVAL, EFAULT, EBADF from argument
//! checks).
//!
//! Cost: when neither `trace` nor `summary` is on, every entry point pays one
//! relaxed atomic load. When on, a record is formatted without allocation
//! into the calling thread's own region (`pool`) and written with one raw
//! `write(2)` of whole lines (`sink`), or batched per thread with
//! `trace_buffer=N`. Nothing here takes a lock shared between threads on the
//! per-call path, and nothing touches errno (raw system calls only).

pub mod fmt;

mod errnames;
mod pool;
mod record;
mod sink;
mod summary;

use crate::options::{self, TraceFormat};
use crate::sys;
use core::cell::Cell;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use fmt::LineBuf;
use libc::{c_int, epoll_event, sigset_t, timespec};
use record::{Body, CtlEvent, Record, SigMask, Timeout};

/// How many returned events of one wait carry their descriptor to the trace
/// (the wait hook keeps this many fds on its stack). Later events of a
/// larger batch show `fd=?` / `"fd":-1` and count as "other" in the summary.
pub const WAIT_FDS: usize = 256;

/// Everything a trace record of one epoll_wait/pwait/pwait2 needs.
pub struct WaitRecord<'a> {
    pub epfd: c_int,
    /// The caller's buffer; on success its first `n` entries are the events.
    pub events: *mut epoll_event,
    pub maxevents: c_int,
    /// Timeout in nanoseconds, -1 for infinite.
    pub timeout: i64,
    /// The signal mask given to epoll_pwait/pwait2 (already copied in).
    pub sigmask: Option<&'a sigset_t>,
    pub result: &'a Result<usize, c_int>,
    /// Registered descriptor behind each returned event (first WAIT_FDS).
    pub fds: &'a [c_int],
    pub start_ns: u64,
    pub end_ns: u64,
}

/// The traced entry points, in the order of the summary table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Call {
    EpollCreate = 0,
    EpollCreate1,
    EpollCtl,
    EpollWait,
    EpollPwait,
    EpollPwait2,
}

/// Number of `Call` variants.
pub const CALLS: usize = 6;

impl Call {
    pub const ALL: [Call; CALLS] = [
        Call::EpollCreate,
        Call::EpollCreate1,
        Call::EpollCtl,
        Call::EpollWait,
        Call::EpollPwait,
        Call::EpollPwait2,
    ];

    /// The libc name, as strace prints it.
    pub fn name(self) -> &'static str {
        match self {
            Call::EpollCreate => "epoll_create",
            Call::EpollCreate1 => "epoll_create1",
            Call::EpollCtl => "epoll_ctl",
            Call::EpollWait => "epoll_wait",
            Call::EpollPwait => "epoll_pwait",
            Call::EpollPwait2 => "epoll_pwait2",
        }
    }

    fn is_wait(self) -> bool {
        matches!(self, Call::EpollWait | Call::EpollPwait | Call::EpollPwait2)
    }
}

/// The arguments of a call exactly as the caller passed them (pointers not
/// yet read), for `traced`.
#[derive(Clone, Copy)]
pub enum Args {
    /// epoll_create's size / epoll_create1's flags.
    Create(c_int),
    Ctl {
        epfd: c_int,
        op: c_int,
        fd: c_int,
        event: *const epoll_event,
    },
    /// epoll_wait (sigmask null) and epoll_pwait.
    Wait {
        epfd: c_int,
        events: *mut epoll_event,
        maxevents: c_int,
        timeout: c_int,
        sigmask: *const sigset_t,
    },
    Wait2 {
        epfd: c_int,
        events: *mut epoll_event,
        maxevents: c_int,
        timeout: *const timespec,
        sigmask: *const sigset_t,
    },
}

/// The call this thread is inside, set by `traced`.
#[derive(Clone, Copy)]
struct Pending {
    call: Call,
    args: Args,
    /// An on_* callback recorded it already.
    done: bool,
}

thread_local! {
    /// The entry point this thread is in (`traced`), if any.
    static CURRENT: Cell<Option<Pending>> = const { Cell::new(None) };
    /// Cached gettid() (0: not yet); reset in a forked child.
    static TID: Cell<c_int> = const { Cell::new(0) };
    /// The Chrome thread_name event was written for this thread.
    static NAMED: Cell<bool> = const { Cell::new(false) };
}

/// Tracing or the summary is on: the hooks must report calls.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// trace=1 (and the sink is ready).
static TRACE_ON: AtomicBool = AtomicBool::new(false);
/// summary=1.
static SUMMARY_ON: AtomicBool = AtomicBool::new(false);
/// The sink is open (trace, summary or lint on).
static SINK_ON: AtomicBool = AtomicBool::new(false);

/// Whether calls are being recorded (cheap: one relaxed load).
#[inline]
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// Whether `fd` is repoll's log file. The close hooks must refuse to close
/// it (EBADF, as for any descriptor the program never opened), close_range
/// must skip it, and epoll_ctl must not accept it as a target.
#[inline]
pub fn is_log_fd(fd: c_int) -> bool {
    sink::is_log_fd(fd)
}

/// The log file's descriptor, -1 when logging to stderr or not at all
/// (close_range must skip it).
pub fn log_fd() -> c_int {
    let fd = sink::fd();
    if is_log_fd(fd) {
        fd
    } else {
        -1
    }
}

/// dup2/dup3 are about to replace descriptor `fd`: if it is the log file,
/// move the log to another number first (as `relocate_internal` does for
/// the core's descriptors).
pub fn relocate_log_fd(fd: c_int) {
    sink::relocate(fd);
}

/// Opens the sink and turns recording on, after `options::init`.
pub fn init() {
    let trace = options::trace();
    let summary = options::summary();
    if !(trace || summary || crate::diag::wants_sink()) {
        return;
    }
    sink::open(false);
    pool::init(sink::record_cap(), options::trace_buffer());
    if summary {
        summary::init();
    }
    SINK_ON.store(true, Ordering::Release);
    TRACE_ON.store(trace, Ordering::Release);
    SUMMARY_ON.store(summary, Ordering::Release);
    ACTIVE.store(trace || summary, Ordering::Release);
}

/// The library's destructor (exit): write what is buffered, then the summary.
/// Threads still running go on tracing, unbuffered.
pub fn fini() {
    if !SINK_ON.load(Ordering::Acquire) {
        return;
    }
    pool::flush_all(true);
    pool::BATCH.store(0, Ordering::Relaxed);
    if SUMMARY_ON.swap(false, Ordering::AcqRel) {
        summary::print("at exit");
    }
}

/// Before an exec (the exec hooks call this): nothing buffered may be lost
/// with the old image, and the summary of the old image is printed.
pub fn before_exec() {
    if !SINK_ON.load(Ordering::Acquire) {
        return;
    }
    pool::flush_all(true);
    if SUMMARY_ON.load(Ordering::Acquire) {
        summary::print("at exec");
        pool::reset_stats();
        summary::reset();
    }
}

/// fork: write buffered records now, so that the child (which discards
/// its copy) and the parent never both write them.
pub fn atfork_prepare() {
    if SINK_ON.load(Ordering::Acquire) {
        pool::flush_all(true);
    }
}

pub fn atfork_parent() {}

/// The child: its own file when log_path has %p, fresh buffers and counters.
pub fn atfork_child() {
    TID.with(|t| t.set(0));
    NAMED.with(|n| n.set(false));
    CURRENT.with(|c| c.set(None));
    if !SINK_ON.load(Ordering::Acquire) {
        return;
    }
    pool::after_fork_child();
    summary::reset();
    sink::open(true);
}

/// The calling thread's id, from a per-thread cache (one gettid(2) per
/// thread; reset in a forked child). Shared with the lints.
pub fn tid() -> c_int {
    TID.with(|t| {
        let v = t.get();
        if v != 0 {
            return v;
        }
        let v = sys::gettid();
        t.set(v);
        v
    })
}

/// Runs one epoll entry point `f`, recording it if the core's on_* callback
/// did not (a failure in argument checks). `call` names the entry point.
#[inline]
pub fn traced(
    call: Call,
    args: Args,
    f: impl FnOnce() -> Result<c_int, c_int>,
) -> Result<c_int, c_int> {
    if !active() {
        return f();
    }
    let prev = CURRENT.with(|c| {
        c.replace(Some(Pending {
            call,
            args,
            done: false,
        }))
    });
    let r = f();
    let cur = CURRENT.with(|c| c.replace(prev));
    if let (Some(p), Err(e)) = (cur, r) {
        if !p.done {
            // Argument checks take nanoseconds: the clock is read once,
            // here, rather than twice on every call (dur_ns is 0).
            let now = sys::monotonic_ns();
            early_error(p, e, now, now);
        }
    }
    r
}

/// The calling thread is about to sleep in a wait (the core found nothing
/// ready and released its lock): batched records never wait while their
/// thread sleeps in epoll, so an idle server killed (SIGTERM, SIGKILL) or
/// stuck in a wait has written everything it recorded. Called only when
/// the wait really blocks, not for every wait with a non-zero timeout: a
/// busy event loop whose waits find events ready keeps batching.
#[inline]
pub fn before_block() {
    if active() {
        pool::flush_mine();
    }
}

/// The entry point this thread is in, marked as recorded.
fn take_pending() -> Option<Pending> {
    CURRENT.with(|c| {
        let mut p = c.get()?;
        if p.done {
            return None;
        }
        p.done = true;
        c.set(Some(p));
        Some(p)
    })
}

/// CLOCK_REALTIME − CLOCK_MONOTONIC, in ns, and when it was measured:
/// records convert their monotonic times with it instead of reading a
/// second clock per call. Re-measured every second, so a clock step
/// (settimeofday, an NTP step) shows in the trace within a second.
static REALTIME_OFFSET: AtomicU64 = AtomicU64::new(0);
static OFFSET_MEASURED: AtomicU64 = AtomicU64::new(0);

fn realtime_of(mono_ns: u64) -> u64 {
    let at = OFFSET_MEASURED.load(Ordering::Relaxed);
    if at == 0 || mono_ns.wrapping_sub(at) > 1_000_000_000 {
        let real = sys::clock_ns(libc::CLOCK_REALTIME);
        let mono = sys::monotonic_ns();
        REALTIME_OFFSET.store(real.wrapping_sub(mono), Ordering::Relaxed);
        OFFSET_MEASURED.store(mono, Ordering::Relaxed);
    }
    mono_ns.wrapping_add(REALTIME_OFFSET.load(Ordering::Relaxed))
}

fn new_record(call: Call, start_ns: u64, end_ns: u64, body: Body<'_>) -> Record<'_> {
    Record {
        call,
        pid: crate::PID.load(Ordering::Relaxed),
        tid: tid(),
        start_ns,
        end_ns,
        real_ns: realtime_of(start_ns),
        body,
    }
}

/// epoll_create/epoll_create1 reached the core.
pub fn on_create(cloexec: bool, r: Result<c_int, c_int>, start: u64, end: u64) {
    if !active() {
        return;
    }
    let (call, arg) = match take_pending() {
        Some(Pending {
            call,
            args: Args::Create(arg),
            ..
        }) => (call, arg),
        _ => (
            Call::EpollCreate1,
            if cloexec { libc::EPOLL_CLOEXEC } else { 0 },
        ),
    };
    emit(&new_record(call, start, end, Body::Create { arg, ret: r }));
}

/// epoll_ctl reached the core; `ev` is the event read from the caller
/// (None for EPOLL_CTL_DEL).
pub fn on_ctl(
    epfd: c_int,
    op: c_int,
    fd: c_int,
    ev: Option<(u32, u64)>,
    r: Result<(), c_int>,
    start: u64,
    end: u64,
) {
    if !active() {
        return;
    }
    let ptr = match take_pending() {
        Some(Pending {
            args: Args::Ctl { event, .. },
            ..
        }) => Some(event as usize),
        _ => None,
    };
    let event = match ev {
        Some((events, data)) => CtlEvent::Event(events, data),
        None => CtlEvent::Ignored(ptr),
    };
    emit(&new_record(
        Call::EpollCtl,
        start,
        end,
        Body::Ctl {
            epfd,
            op,
            fd,
            event,
            ret: r,
        },
    ));
}

/// A wait returned from the core (events delivered, timeout, EINTR...).
pub fn on_wait(w: WaitRecord<'_>) {
    if !active() {
        return;
    }
    let mask = w.sigmask.map(|m| {
        // SAFETY: sigset_t is at least 8 bytes of plain data; the kernel
        // (and the core) only use its first 64 bits.
        unsafe { core::ptr::read_unaligned(m as *const sigset_t as *const u64) }
    });
    let (call, timeout, sigmask) = match take_pending() {
        Some(Pending {
            call,
            args:
                Args::Wait {
                    timeout,
                    sigmask: p,
                    ..
                },
            ..
        }) => {
            let sm = if call == Call::EpollWait {
                SigMask::Absent
            } else {
                mask.map_or(
                    if p.is_null() {
                        SigMask::Null
                    } else {
                        SigMask::Unreadable(p as usize)
                    },
                    SigMask::Set,
                )
            };
            (call, Timeout::Ms(timeout), sm)
        }
        Some(Pending {
            call,
            args: Args::Wait2 { .. },
            ..
        }) => {
            let ts = if w.timeout < 0 {
                None
            } else {
                Some(((w.timeout / 1_000_000_000), (w.timeout % 1_000_000_000)))
            };
            (
                call,
                Timeout::Ts(ts),
                mask.map_or(SigMask::Null, SigMask::Set),
            )
        }
        // Reached without an entry point (syscall(SYS_epoll_wait, ...)).
        _ => {
            let ms = if w.timeout < 0 {
                -1
            } else {
                (w.timeout / 1_000_000).min(i32::MAX as i64) as c_int
            };
            match mask {
                Some(m) => (Call::EpollPwait, Timeout::Ms(ms), SigMask::Set(m)),
                None => (Call::EpollWait, Timeout::Ms(ms), SigMask::Absent),
            }
        }
    };
    let body = Body::Wait {
        epfd: w.epfd,
        events: w.events,
        maxevents: w.maxevents,
        timeout,
        sigmask,
        ret: *w.result,
        fds: w.fds,
    };
    emit(&new_record(call, w.start_ns, w.end_ns, body));
}

/// A call that failed in the entry point's own argument checks.
fn early_error(p: Pending, e: c_int, start: u64, end: u64) {
    let body = match p.args {
        Args::Create(arg) => Body::Create { arg, ret: Err(e) },
        Args::Ctl {
            epfd,
            op,
            fd,
            event,
        } => {
            let ev = if op == libc::EPOLL_CTL_DEL {
                CtlEvent::Ignored(Some(event as usize))
            } else {
                match sys::read_user(event) {
                    Ok(v) => CtlEvent::Event(v.events, v.u64),
                    Err(_) => CtlEvent::Unreadable(event as usize),
                }
            };
            Body::Ctl {
                epfd,
                op,
                fd,
                event: ev,
                ret: Err(e),
            }
        }
        Args::Wait {
            epfd,
            events,
            maxevents,
            timeout,
            sigmask,
        } => Body::Wait {
            epfd,
            events,
            maxevents,
            timeout: Timeout::Ms(timeout),
            sigmask: if p.call == Call::EpollWait {
                SigMask::Absent
            } else {
                read_mask(sigmask)
            },
            ret: Err(e),
            fds: &[],
        },
        Args::Wait2 {
            epfd,
            events,
            maxevents,
            timeout,
            sigmask,
        } => Body::Wait {
            epfd,
            events,
            maxevents,
            timeout: if timeout.is_null() {
                Timeout::Ts(None)
            } else {
                match sys::read_user(timeout) {
                    Ok(ts) => Timeout::Ts(Some((ts.tv_sec, ts.tv_nsec))),
                    Err(_) => Timeout::Unreadable(timeout as usize),
                }
            },
            sigmask: read_mask(sigmask),
            ret: Err(e),
            fds: &[],
        },
    };
    emit(&new_record(p.call, start, end, body));
}

fn read_mask(p: *const sigset_t) -> SigMask {
    if p.is_null() {
        return SigMask::Null;
    }
    match sys::read_user(p as *const u64) {
        Ok(m) => SigMask::Set(m),
        Err(_) => SigMask::Unreadable(p as usize),
    }
}

/// Counts the record and writes it.
fn emit(r: &Record<'_>) {
    let trace = TRACE_ON.load(Ordering::Relaxed);
    let summary = SUMMARY_ON.load(Ordering::Relaxed);
    if summary {
        if let Body::Wait { ret: Ok(_), .. } = r.body {
            for i in 0..r.returned() {
                let (ev, fd) = returned_event(r, i);
                summary::count_fd_event(fd, ev);
            }
        }
    }
    let format = options::trace_format();
    let first_in_thread =
        trace && format == TraceFormat::Chrome && !NAMED.with(|n| n.replace(true));
    let done = pool::with_region(|h, buf| {
        if summary {
            let result = match r.body {
                Body::Create { ret, .. } => ret.map(|v| v as usize),
                Body::Ctl { ret, .. } => ret.map(|_| 0),
                Body::Wait { ret, .. } => ret,
                Body::Note { .. } => Ok(0),
            };
            h.stats.add(
                r.call,
                r.end_ns.saturating_sub(r.start_ns),
                result,
                r.call.is_wait(),
            );
        }
        if trace {
            write_record(h, buf, r.end_ns, |b| compose(b, r, format, first_in_thread));
        }
    });
    if done.is_none() && trace {
        // Nested in a signal handler that interrupted this thread's own
        // record, or no region: a stack line, written at once.
        let mut storage = [0u8; 2048];
        let mut b = LineBuf::new(&mut storage);
        compose(&mut b, r, format, first_in_thread);
        sink::write(b.as_bytes());
    }
}

fn returned_event(r: &Record<'_>, i: usize) -> (u32, c_int) {
    let Body::Wait { events, fds, .. } = r.body else {
        return (0, -1);
    };
    // SAFETY: as in Record::event: the first `returned()` entries were just
    // written by the wait.
    let ev = unsafe { core::ptr::read_unaligned(events.add(i)) };
    (ev.events, fds.get(i).copied().unwrap_or(-1))
}

fn compose(b: &mut LineBuf<'_>, r: &Record<'_>, format: TraceFormat, first_in_thread: bool) {
    match format {
        TraceFormat::Text => record::text(b, r),
        TraceFormat::Json => record::json(b, r),
        TraceFormat::Chrome => {
            let mut name = [0u8; 17];
            let name_len = if first_in_thread {
                sink::thread_name(&mut name)
            } else {
                0
            };
            record::chrome(
                b,
                r,
                if first_in_thread {
                    Some(&name[..name_len])
                } else {
                    None
                },
            )
        }
    }
}

/// Flush a batch whose oldest record is older than this.
const BATCH_AGE_NS: u64 = 100_000_000;

/// Builds one record at the end of the thread's buffer and writes it, now
/// (trace_buffer=0) or when the batch is full or old.
fn write_record(h: &mut pool::Header, buf: &mut [u8], now: u64, f: impl FnOnce(&mut LineBuf<'_>)) {
    let cap = sink::record_cap();
    if buf.len() - h.len.min(buf.len()) < cap {
        pool::flush(h, buf);
    }
    let start = h.len;
    let end = (start + cap).min(buf.len());
    let n = {
        let mut b = LineBuf::new(&mut buf[start..end]);
        f(&mut b);
        b.len()
    };
    if n == 0 {
        return;
    }
    let batch = pool::BATCH.load(Ordering::Relaxed);
    if batch == 0 {
        sink::write(&buf[start..start + n]);
        return;
    }
    if h.len == 0 {
        h.first_ns = now;
    }
    h.len += n;
    if h.len >= batch || now.saturating_sub(h.first_ns) >= BATCH_AGE_NS {
        pool::flush(h, buf);
    }
}

/// Writes a note from repoll into the trace (an approximation the program
/// should know about, STYLE.md §3): `--- repoll: MSG ---` in text, an
/// object with `"note"` in JSON, an instant in Chrome.
pub fn note(msg: &[u8]) {
    if !TRACE_ON.load(Ordering::Relaxed) {
        return;
    }
    let now = sys::monotonic_ns();
    emit_note(&new_record(Call::EpollCreate, now, now, Body::Note { msg }));
}

fn emit_note(r: &Record<'_>) {
    let format = options::trace_format();
    let first_in_thread = format == TraceFormat::Chrome && !NAMED.with(|n| n.replace(true));
    let done = pool::with_region(|h, buf| {
        write_record(h, buf, r.end_ns, |b| compose(b, r, format, first_in_thread))
    });
    if done.is_none() {
        let mut storage = [0u8; 2048];
        let mut b = LineBuf::new(&mut storage);
        compose(&mut b, r, format, first_in_thread);
        sink::write(b.as_bytes());
    }
}

/// Writes one line built by `f` to the sink (for the lint reports of issue
/// 7, which share the log): through the thread's buffer, so it keeps its
/// place among the trace records. `f` must end the line with '\n'.
pub fn write_line(f: impl FnOnce(&mut LineBuf<'_>)) {
    if !SINK_ON.load(Ordering::Relaxed) {
        let mut storage = [0u8; 2048];
        let mut b = LineBuf::new(&mut storage);
        f(&mut b);
        let _ = sys::write_all(2, b.as_bytes());
        return;
    }
    let mut f = Some(f);
    let done = pool::with_region(|h, buf| {
        if let Some(f) = f.take() {
            write_record(h, buf, sys::monotonic_ns(), f)
        }
    });
    if done.is_none() {
        if let Some(f) = f.take() {
            let mut storage = [0u8; 2048];
            let mut b = LineBuf::new(&mut storage);
            f(&mut b);
            sink::write(b.as_bytes());
        }
    }
}
