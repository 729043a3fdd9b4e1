//! Per-call tracing (stub until the trace sink lands).

use libc::{c_int, epoll_event};

pub fn init() {}
pub fn fini() {}
pub fn atfork_prepare() {}
pub fn atfork_parent() {}
pub fn atfork_child() {}
pub fn on_create(_fd: c_int, _cloexec: bool) {}
pub fn on_ctl(_epfd: c_int, _op: c_int, _fd: c_int, _ev: Option<(u32, u64)>, _r: Result<(), c_int>) {}
pub fn on_wait(_epfd: c_int, _events: *mut epoll_event, _max: c_int, _r: &Result<usize, c_int>, _start: u64, _end: u64) {}
