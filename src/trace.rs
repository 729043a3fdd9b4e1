//! Per-call tracing (stub until the trace sink lands).

use libc::{c_int, epoll_event};

/// How many returned events of one wait carry their descriptor to the trace.
pub const WAIT_FDS: usize = 64;

/// Everything a trace record of one epoll_wait/pwait/pwait2 needs.
pub struct WaitRecord<'a> {
    pub epfd: c_int,
    /// The caller's buffer; on success its first `n` entries are the events.
    pub events: *mut epoll_event,
    pub maxevents: c_int,
    /// Timeout in nanoseconds, -1 for infinite.
    pub timeout: i64,
    /// A signal mask was given (epoll_pwait/pwait2).
    pub sigmask: bool,
    pub result: &'a Result<usize, c_int>,
    /// Registered descriptor behind each returned event (first WAIT_FDS).
    pub fds: &'a [c_int],
    pub start_ns: u64,
    pub end_ns: u64,
}

pub fn init() {}
pub fn fini() {}
pub fn atfork_prepare() {}
pub fn atfork_parent() {}
pub fn atfork_child() {}
pub fn on_create(_cloexec: bool, _r: Result<c_int, c_int>, _start: u64, _end: u64) {}
pub fn on_ctl(_epfd: c_int, _op: c_int, _fd: c_int, _ev: Option<(u32, u64)>, _r: Result<(), c_int>, _start: u64, _end: u64) {}
pub fn on_wait(_w: WaitRecord<'_>) {}
