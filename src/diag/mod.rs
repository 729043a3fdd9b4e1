//! Diagnosis: misuse lints (issue 7), half-close tracking and
//! `rdhup=uniform` (issue 6), the exit report and the on-demand dump.
//!
//! A sink like `trace` (STYLE.md §1): fed by the hooks through one-line
//! calls, never changes what the program sees — except `rdhup=uniform`,
//! which adds EPOLLRDHUP/POLLRDHUP where it was asked for.
//!
//! Cost and safety:
//! * With no option set every entry point is one relaxed atomic load.
//! * The read/write/shutdown hooks only touch per-fd atomic bits (`BITS`):
//!   no lock, no allocation, safe from signal handlers.
//! * ctl, wait and close update the per-fd table under the diag lock
//!   (`STATE`), never while holding it across a blocking call, and never
//!   take the core lock while holding it (order: core, then diag). Close
//!   only try-locks (it may run in a signal handler that interrupted the
//!   holder); when that fails the close is recorded in `BITS` and applied
//!   later.
//! * Reports are queued under the lock and written after it is released.
//! * Time-based checks (half-close timeout, undrained edge, one-shot) also
//!   run on a helper thread with every signal blocked, started on the first
//!   registration when lint=1 or dump_signal is set (restarted after fork).

pub mod fork;
pub mod halfclose;
pub mod lint;
pub mod report;

use crate::lock::Lock;
use crate::options;
use crate::sys;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use libc::c_int;
use report::Report;

/// Descriptors below this number are diagnosed; others are ignored.
pub const DIAG_FDS: usize = 1 << 16;

// Lint indices: positions in options::LINT_IDS.
pub const CLOSE_WHILE_REGISTERED: usize = 0;
pub const STALE_REGISTRATION: usize = 1;
pub const ET_UNDRAINED: usize = 2;
pub const ET_BLOCKING_FD: usize = 3;
pub const ONESHOT_NOT_REARMED: usize = 4;
pub const WRITABLE_SPIN: usize = 5;
pub const READY_IGNORED: usize = 6;
pub const BUSY_POLL: usize = 7;
pub const CTL_ERROR: usize = 8;
pub const HALF_CLOSE_IGNORED: usize = 9;
pub const THUNDERING_HERD: usize = 10;
pub const SHARED_AFTER_FORK: usize = 11;
pub const LINTS: usize = 12;

// Per-fd atomic bits, written lock-free by the I/O hooks.
/// The diag table holds state for this descriptor (close must clear it).
pub const KNOWN: u32 = 1;
/// A read-like call hit EAGAIN, a short count or EOF since the last
/// edge-triggered report.
pub const DRAINED: u32 = 2;
/// Some read-like call since the last level-triggered EPOLLIN report.
pub const READ: u32 = 4;
/// Some write-like call since the last level-triggered EPOLLOUT report.
pub const WROTE: u32 = 8;
/// The program's own read returned 0 (end of file) and no data since.
pub const EOF: u32 = 16;
/// The program called shutdown(SHUT_WR or SHUT_RDWR) on it.
pub const SHUT_WR: u32 = 32;
/// Closed while the table could not be locked: reset before next use.
pub const CLOSED: u32 = 64;
/// Some read-like call since the last delivery (thundering-herd check).
pub const READ_HERD: u32 = 128;

static BITS: [AtomicU32; DIAG_FDS] = [const { AtomicU32::new(0) }; DIAG_FDS];

/// lint=1 and the table is ready.
static LINT_ON: AtomicBool = AtomicBool::new(false);
/// rdhup=uniform.
static UNIFORM: AtomicBool = AtomicBool::new(false);
/// dump_signal is set.
static DUMP_ON: AtomicBool = AtomicBool::new(false);
/// The dump signal arrived; the helper (or the next wait) writes the dump.
pub static DUMP_REQUESTED: AtomicBool = AtomicBool::new(false);
/// Bit i set: lint i disabled.
static DISABLED: AtomicU32 = AtomicU32::new(0);
/// The helper thread runs in this process.
static HELPER: AtomicBool = AtomicBool::new(false);
/// Reports lost because the queue was full.
static DROPPED: AtomicU64 = AtomicU64::new(0);

#[inline]
pub fn bits(fd: c_int) -> u32 {
    if fd >= 0 && (fd as usize) < DIAG_FDS {
        BITS[fd as usize].load(Ordering::Acquire)
    } else {
        0
    }
}

/// Sets bits `b` of `fd`. A plain load first: the bits are usually set
/// already (READ on every read hook), and then no locked
/// read-modify-write is needed.
#[inline]
pub fn set(fd: c_int, b: u32) {
    if fd >= 0 && (fd as usize) < DIAG_FDS {
        let w = &BITS[fd as usize];
        if w.load(Ordering::Acquire) & b != b {
            w.fetch_or(b, Ordering::AcqRel);
        }
    }
}

/// Clears bits `b` of `fd`; returns the bits before. Skips the write when
/// none of `b` is set (a concurrent set then simply comes after it).
#[inline]
pub fn clear(fd: c_int, b: u32) -> u32 {
    if fd >= 0 && (fd as usize) < DIAG_FDS {
        let w = &BITS[fd as usize];
        let v = w.load(Ordering::Acquire);
        if v & b == 0 {
            return v;
        }
        w.fetch_and(!b, Ordering::AcqRel)
    } else {
        0
    }
}

#[inline]
pub fn lint_on() -> bool {
    LINT_ON.load(Ordering::Relaxed)
}

/// Whether lint `i` is on (lint=1 and not in lint_disable).
#[inline]
pub fn enabled(i: usize) -> bool {
    lint_on() && DISABLED.load(Ordering::Relaxed) & (1 << i) == 0
}

/// The trace sink must be opened (trace::init): lints or the dump.
pub fn wants_sink() -> bool {
    options::lint() || options::dump_signal() != 0
}

/// What the diag table knows about one descriptor number. All-zero is the
/// initial state (the table is zero-filled memory).
#[derive(Clone, Copy)]
pub struct FdState {
    /// Registrations of this number the program made and did not delete
    /// (ADD − DEL), in any instance.
    pub regs: u16,
    /// Lints already reported for this number (bit per lint), reset when
    /// the number is closed.
    pub reported: u16,
    /// events/data/epfd of the last successful ADD or MOD.
    pub events: u32,
    pub epfd: i32,
    pub data: u64,
    /// et-blocking-fd: registered with EPOLLET while in blocking mode
    /// (1 socket, 2 pipe/FIFO, 3 character device; 0 no). Reported only
    /// once the program reads it after an edge: a registration that is
    /// never read (nginx's EPOLLRDHUP probe at start-up) is harmless.
    pub blocking: u8,
    /// Identity (st_ino) at ADD, to recognise reuse by the helper thread.
    pub ino: u64,
    /// Closed while registered (the registration may be gone or kept).
    pub closed_registered: bool,
    /// ... and another descriptor kept the file open: the registration
    /// lives on with `closed_data` in `closed_epfd`.
    pub closed_kept: bool,
    pub closed_epfd: i32,
    pub closed_data: u64,
    /// et-undrained: reported EPOLLIN under EPOLLET at this time (0: none),
    /// and the epfd's wait count then.
    pub et_since: u64,
    pub et_seq: u32,
    /// oneshot-not-rearmed: fired at (0: armed), queued bytes then.
    pub oneshot_fired: u64,
    pub oneshot_queued: i64,
    /// Consecutive level-triggered reports without service.
    pub out_spins: u32,
    pub in_spins: u32,
    /// Last delivery (thread, time) and herd occurrences.
    pub last_tid: i32,
    pub last_ns: u64,
    pub herd: u32,
    /// A connected stream socket whose half-close is tracked.
    pub sock: bool,
    /// Half-close first seen (monotonic, wall clock); 0 when not seen.
    pub hc_since: u64,
    pub hc_real: u64,
    pub hc_reported: bool,
    /// This number is an epoll instance of ours.
    pub is_ep: bool,
    /// Waits entered on this instance (et-undrained needs "went back to
    /// waiting").
    pub wait_seq: u32,
    /// Threads inside a wait on it now.
    pub waiters: u32,
    /// busy-poll: consecutive empty zero-timeout waits and when the run began.
    pub zero_run: u32,
    pub zero_start: u64,
    /// shared-after-fork: the instance's process-shared token.
    pub token: u64,
}

/// The table and the queue, under `STATE`.
pub struct State {
    /// DIAG_FDS entries of zero-filled anonymous memory.
    fds: *mut FdState,
    /// Descriptors with an undrained-edge check pending.
    pub et_pending: [i32; 256],
    pub n_et: usize,
    /// Descriptors whose one-shot fired and was not re-armed.
    pub oneshots: [i32; 256],
    pub n_oneshot: usize,
    /// Stream sockets tracked for half-close (grown in ctl only).
    pub sockets: Vec<i32>,
    /// Reports to write once the lock is released.
    queue: [Option<Report>; 16],
    queued: usize,
    /// Detections per lint (reported or not).
    pub counts: [u64; LINTS],
}

// SAFETY: `fds` points to memory owned by the State for the process's
// lifetime; access is serialised by the lock.
unsafe impl Send for State {}

pub static STATE: Lock<Option<State>> = Lock::new(None);

impl State {
    /// The entry of `fd` (None beyond DIAG_FDS), reset first if the number
    /// was closed while the table was locked by someone else.
    pub fn st(&mut self, fd: c_int) -> Option<&mut FdState> {
        if fd < 0 || fd as usize >= DIAG_FDS {
            return None;
        }
        // SAFETY: fd < DIAG_FDS entries; exclusive through &mut self.
        let e = unsafe { &mut *self.fds.add(fd as usize) };
        if clear(fd, CLOSED) & CLOSED != 0 {
            reset_closed(e);
        }
        set(fd, KNOWN);
        Some(e)
    }

    /// Like `st`, without marking the number known (for lookups).
    pub fn peek(&mut self, fd: c_int) -> Option<&mut FdState> {
        if bits(fd) & KNOWN == 0 {
            return None;
        }
        self.st(fd)
    }

    /// Counts a detection of lint `r.lint` and queues it unless this fd
    /// already reported that lint (`once`) or it is disabled.
    pub fn report(&mut self, r: Report, once: bool) {
        let i = r.lint as usize;
        if !enabled(i) {
            return;
        }
        self.counts[i] += 1;
        if once {
            if let Some(st) = self.st(r.fd) {
                if st.reported & (1 << i) != 0 {
                    return;
                }
                st.reported |= 1 << i;
            }
        }
        if self.queued < self.queue.len() {
            self.queue[self.queued] = Some(r);
            self.queued += 1;
        } else {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Takes the queued reports (to write after unlocking). Only called
    /// when some are queued: the queue is 16 reports of about 500 bytes,
    /// and moving it out on every call was most of lint=1's cost per wait.
    fn take_queue(&mut self) -> ([Option<Report>; 16], usize) {
        let n = self.queued;
        self.queued = 0;
        (core::mem::take(&mut self.queue), n)
    }
}

/// Releases the diag lock, then writes the reports queued under it.
pub fn unlock_and_emit(mut g: crate::lock::Guard<'_, Option<State>>) {
    let taken = match g.as_mut() {
        Some(s) if s.queued > 0 => Some(s.take_queue()),
        _ => None,
    };
    drop(g);
    if let Some((q, n)) = taken {
        for r in q.iter().take(n).flatten() {
            report::emit(r);
        }
    }
}

/// Forgets what belonged to the closed file, keeping what later calls on
/// the number must know (closed while registered).
fn reset_closed(e: &mut FdState) {
    let keep = (
        e.closed_registered,
        e.closed_kept,
        e.closed_epfd,
        e.closed_data,
    );
    // SAFETY: all-zero is a valid FdState (plain integers and bools).
    *e = unsafe { core::mem::zeroed() };
    (
        e.closed_registered,
        e.closed_kept,
        e.closed_epfd,
        e.closed_data,
    ) = keep;
}

/// Runs `f` on the state under the lock, then writes what it queued.
pub fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    let mut g = STATE.lock();
    let s = g.as_mut()?;
    let r = f(s);
    unlock_and_emit(g);
    Some(r)
}

/// After options::init, before trace::init (the constructor).
pub fn init() {
    UNIFORM.store(options::rdhup_uniform(), Ordering::Relaxed);
    let sig = options::dump_signal();
    if sig != 0 {
        install_dump_handler(sig);
        DUMP_ON.store(true, Ordering::Relaxed);
    }
    if !options::lint() {
        return;
    }
    let mut mask = 0u32;
    for (i, id) in options::LINT_IDS.iter().enumerate() {
        if options::lint_disabled(id) {
            mask |= 1 << i;
        }
    }
    DISABLED.store(mask, Ordering::Relaxed);
    let bytes = DIAG_FDS * core::mem::size_of::<FdState>();
    // Zero-filled, committed page by page as descriptors are used.
    let p = sys::call(
        libc::SYS_mmap,
        [
            0,
            bytes,
            (libc::PROT_READ | libc::PROT_WRITE) as usize,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE) as usize,
            usize::MAX,
            0,
        ],
    );
    let Ok(p) = p else { return };
    *STATE.lock() = Some(State {
        fds: p as *mut FdState,
        et_pending: [0; 256],
        n_et: 0,
        oneshots: [0; 256],
        n_oneshot: 0,
        sockets: Vec::new(),
        queue: [None; 16],
        queued: 0,
        counts: [0; LINTS],
    });
    LINT_ON.store(true, Ordering::Release);
    fork::init();
}

/// The library's destructor, before trace::fini: half-closed connections
/// not yet reported, the table of them, and the counts.
pub fn fini() {
    if !lint_on() {
        return;
    }
    let _ = with_state(|s| {
        lint::check_timers(s, sys::monotonic_ns(), true);
        halfclose::scan(s, sys::monotonic_ns(), true);
    });
    halfclose::exit_table();
    lint::exit_counts(DROPPED.load(Ordering::Relaxed));
}

// ---- entry points called by the hooks ---------------------------------------

/// epoll_create/epoll_create1 returned `r`.
pub fn on_create(r: Result<c_int, c_int>) {
    if !lint_on() && !DUMP_ON.load(Ordering::Relaxed) {
        return;
    }
    let Ok(epfd) = r else { return };
    start_helper();
    if !lint_on() {
        return;
    }
    let _ = with_state(|s| {
        if let Some(st) = s.st(epfd) {
            // SAFETY: all-zero is a valid FdState.
            *st = unsafe { core::mem::zeroed() };
            st.is_ep = true;
            st.token = fork::new_token();
        }
    });
}

/// epoll_ctl returned `r` (after the core; no lock held).
pub fn on_ctl(epfd: c_int, op: c_int, fd: c_int, ev: Option<(u32, u64)>, r: Result<(), c_int>) {
    if !lint_on() {
        return;
    }
    lint::on_ctl(epfd, op, fd, ev, r);
}

/// A wait on `epfd` begins.
#[inline]
pub fn before_wait(epfd: c_int) {
    if !lint_on() {
        if DUMP_REQUESTED.load(Ordering::Relaxed) && !HELPER.load(Ordering::Relaxed) {
            dump();
        }
        return;
    }
    lint::before_wait(epfd);
}

/// A wait on `epfd` returned `result`; `events` is the caller's buffer and
/// `fds` the registered descriptor of each of the first events.
#[inline]
pub fn after_wait(
    epfd: c_int,
    timeout_ns: i64,
    result: &Result<usize, c_int>,
    events: *const libc::epoll_event,
    fds: &[c_int],
) {
    if !lint_on() {
        return;
    }
    lint::after_wait(epfd, timeout_ns, result, events, fds);
}

/// A read-like call on a registered descriptor returned `r` (errno `err`)
/// for `asked` bytes. Lock-free.
#[inline]
pub fn on_read(fd: c_int, r: isize, err: c_int, asked: usize) {
    if !lint_on() && !UNIFORM.load(Ordering::Relaxed) {
        return;
    }
    let mut b = READ | READ_HERD;
    if r == 0 && asked > 0 {
        b |= DRAINED | EOF;
    } else if (r < 0 && err == libc::EAGAIN) || (r > 0 && (r as usize) < asked) {
        b |= DRAINED;
    }
    if r > 0 {
        clear(fd, EOF);
    }
    if r >= 0 || err == libc::EAGAIN {
        set(fd, b);
    }
}

/// A write-like call on `fd` returned. Lock-free.
#[inline]
pub fn on_write(fd: c_int) {
    if lint_on() {
        set(fd, WROTE);
    }
}

/// shutdown(fd, how) returned `r`. Lock-free; notes it in the trace.
pub fn on_shutdown(fd: c_int, how: c_int, r: c_int) {
    if r == 0 && how != libc::SHUT_RD {
        set(fd, SHUT_WR);
    }
    halfclose::trace_shutdown(fd, how, r);
}

/// `fd` is being closed (or replaced by dup2). `g` is the core state when
/// the caller holds the core lock (to tell whether a registration outlives
/// the close).
#[inline]
pub fn on_close(fd: c_int, g: Option<&crate::core::Global>) {
    if bits(fd) == 0 {
        return;
    }
    lint::on_close(fd, g);
}

/// close_range(first, last): every known number in the range is closed.
pub fn on_close_range(first: u32, last: u32) {
    if !lint_on() && !UNIFORM.load(Ordering::Relaxed) {
        return;
    }
    let top = (last as usize).min(DIAG_FDS - 1);
    let mut fd = first as usize;
    while fd <= top {
        if BITS[fd].load(Ordering::Relaxed) != 0 {
            BITS[fd].store(CLOSED, Ordering::Release);
        }
        fd += 1;
    }
}

/// `rdhup=uniform`: the state a registration of `kind` asking `events`
/// sees, given the poll(2) result `state` for `fd` (core call sites).
#[inline]
pub fn rdhup_state(kind: crate::core::ident::Kind, events: u32, fd: c_int, state: u32) -> u32 {
    if !UNIFORM.load(Ordering::Relaxed) || events & crate::registry::EPOLLRDHUP == 0 {
        return state;
    }
    halfclose::uniform_state(kind, fd, state)
}

/// `rdhup=uniform` for poll/ppoll: adds POLLRDHUP where it was asked for
/// and the read side is at end of file. Returns `r` unchanged.
#[inline]
pub fn poll_rdhup(fds: *mut libc::pollfd, nfds: libc::nfds_t, r: c_int) -> c_int {
    if r > 0 && UNIFORM.load(Ordering::Relaxed) {
        halfclose::poll_uniform(fds, nfds);
    }
    r
}

/// fork: in the child the helper thread is gone; the instances inherited
/// are marked so the first use can be checked (shared-after-fork).
pub fn atfork_child() {
    HELPER.store(false, Ordering::Relaxed);
    // SAFETY: only this thread runs in the child; the prepare handler took
    // no diag lock, so a lock held by a vanished thread is reset.
    STATE.reset_in_child();
    fork::after_fork(true);
}

pub fn atfork_parent() {
    fork::after_fork(false);
}

// ---- helper thread and dump -----------------------------------------------

extern "C" fn dump_handler(_sig: c_int) {
    DUMP_REQUESTED.store(true, Ordering::Relaxed);
}

fn install_dump_handler(sig: c_int) {
    // SAFETY: installing a handler that only stores to an atomic
    // (async-signal-safe); the structure is ours.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = dump_handler as extern "C" fn(c_int) as *const () as usize;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, core::ptr::null_mut());
    }
}

/// Starts the helper thread once per process (lint=1 or dump_signal), with
/// every signal blocked so that it never runs the program's handlers.
pub fn start_helper() {
    if HELPER.swap(true, Ordering::AcqRel) {
        return;
    }
    let saved = sys::errno();
    // SAFETY: plain sigset manipulation of this thread's mask, restored below.
    unsafe {
        let mut all: libc::sigset_t = core::mem::zeroed();
        let mut old: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let r = std::thread::Builder::new()
            .name("repoll-diag".into())
            .stack_size(256 * 1024)
            .spawn(helper_main);
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, core::ptr::null_mut());
        if r.is_err() {
            HELPER.store(false, Ordering::Release);
        }
    }
    sys::set_errno(saved);
}

fn helper_main() {
    let _re = crate::hooks::Reentry::enter();
    let pid = sys::getpid();
    loop {
        let period = (options::halfclose_timeout_ns() / 4).clamp(10_000_000, 250_000_000);
        let ts = sys::timespec_ns(period);
        // SAFETY: a relative sleep on our own timespec.
        unsafe { libc::clock_nanosleep(libc::CLOCK_MONOTONIC, 0, &ts, core::ptr::null_mut()) };
        if sys::getpid() != pid {
            return;
        }
        if DUMP_REQUESTED.load(Ordering::Relaxed) {
            dump();
        }
        if lint_on() {
            let now = sys::monotonic_ns();
            let _ = with_state(|s| {
                lint::check_timers(s, now, false);
                halfclose::scan(s, now, false);
            });
        }
    }
}

/// Writes every instance's interest table and the half-closed connections
/// (dump_signal). Runs on the helper thread or in a wait, never in the
/// handler.
pub fn dump() {
    if !DUMP_REQUESTED.swap(false, Ordering::AcqRel) {
        return;
    }
    halfclose::dump_interest();
    if lint_on() {
        halfclose::dump_halfclosed();
    }
}
