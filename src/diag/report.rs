//! One diagnostic, built under the diag lock and written after it is
//! released (the sink may block in write(2)): text
//! `repoll[PID]: lint <id> fd=N: <msg>`, a JSON object with `"lint"`, or a
//! Chrome instant event, through the trace sink (`trace::write_line`).

use crate::options::{self, TraceFormat};
use crate::sys;
use crate::trace::fmt::LineBuf;
use core::sync::atomic::Ordering;

/// Longest message kept.
pub const MSG_MAX: usize = 360;

/// Connection details of a half-close report (issue 6).
#[derive(Clone, Copy)]
pub struct HalfClose {
    /// Peer address, formatted (`127.0.0.1:40312`, `[::1]:80`, `unix:/path`).
    pub peer: [u8; 72],
    pub peer_len: u8,
    /// TCP state name (`CLOSE_WAIT`, `CLOSE`...) or `PEER_SHUTDOWN`.
    pub state: &'static str,
    /// Wall-clock time the half-close was first seen, ns since the epoch.
    pub since_ns: u64,
    /// How long ago that was.
    pub age_ns: u64,
    /// Bytes queued for reading (SIOCINQ) and not yet acknowledged (SIOCOUTQ).
    pub queued_in: i64,
    pub queued_out: i64,
    /// The peer reset the connection (TCP state CLOSE after RST).
    pub reset: bool,
}

impl HalfClose {
    pub fn peer(&self) -> &[u8] {
        &self.peer[..self.peer_len as usize]
    }
}

/// A diagnostic waiting to be written.
#[derive(Clone, Copy)]
pub struct Report {
    /// Index into `options::LINT_IDS`.
    pub lint: u8,
    pub fd: i32,
    /// -1 when unknown.
    pub epfd: i32,
    /// Thread that detected it.
    pub tid: i32,
    /// CLOCK_REALTIME and CLOCK_MONOTONIC at detection.
    pub real_ns: u64,
    pub mono_ns: u64,
    pub msg: [u8; MSG_MAX],
    pub msg_len: u16,
    pub halfclose: Option<HalfClose>,
}

impl Report {
    pub fn new(lint: usize, fd: i32, epfd: i32) -> Report {
        Report {
            lint: lint as u8,
            fd,
            epfd,
            tid: crate::trace::tid(),
            real_ns: sys::clock_ns(libc::CLOCK_REALTIME),
            mono_ns: sys::monotonic_ns(),
            msg: [0; MSG_MAX],
            msg_len: 0,
            halfclose: None,
        }
    }

    /// Fills the message with `f`.
    pub fn with_msg(mut self, f: impl FnOnce(&mut LineBuf<'_>)) -> Report {
        let mut b = LineBuf::new(&mut self.msg);
        f(&mut b);
        b.clear_overflow();
        self.msg_len = b.len() as u16;
        self
    }

    pub fn msg(&self) -> &[u8] {
        &self.msg[..self.msg_len as usize]
    }

    pub fn id(&self) -> &'static str {
        options::LINT_IDS[self.lint as usize]
    }
}

/// Writes `r` to the log in the trace format.
pub fn emit(r: &Report) {
    crate::trace::write_line(|b| compose(b, r));
}

fn compose(b: &mut LineBuf<'_>, r: &Report) {
    let pid = crate::PID.load(Ordering::Relaxed) as u64;
    match options::trace_format() {
        TraceFormat::Text => {
            b.set_limit(b.capacity() - 2);
            b.push_str("repoll[");
            b.push_u64(pid);
            b.push_str("]: lint ");
            b.push_str(r.id());
            b.push_str(" fd=");
            b.push_i64(r.fd as i64);
            b.push_str(": ");
            b.push_bytes(r.msg());
            b.clear_overflow();
            b.set_limit(b.capacity());
            b.push(b'\n');
        }
        TraceFormat::Json => {
            b.push_str("{\"ts_ns\":");
            b.push_u64(r.real_ns);
            b.push_str(",\"pid\":");
            b.push_u64(pid);
            b.push_str(",\"tid\":");
            b.push_u64(r.tid as u64);
            json_body(b, r);
            b.push_str("}\n");
        }
        TraceFormat::Chrome => {
            b.push_str("{\"name\":\"lint ");
            b.push_str(r.id());
            b.push_str("\",\"cat\":\"repoll\",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
            b.push_fixed(r.mono_ns, 3);
            b.push_str(",\"pid\":");
            b.push_u64(pid);
            b.push_str(",\"tid\":");
            b.push_u64(r.tid as u64);
            b.push_str(",\"args\":{\"ts_ns\":");
            b.push_u64(r.real_ns);
            json_body(b, r);
            b.push_str("}},\n");
        }
    }
}

/// `,"lint":"id","fd":N,"epfd":E,"msg":"..."` and the half-close members.
fn json_body(b: &mut LineBuf<'_>, r: &Report) {
    b.push_str(",\"lint\":\"");
    b.push_str(r.id());
    b.push_str("\",\"fd\":");
    b.push_i64(r.fd as i64);
    if r.epfd >= 0 {
        b.push_str(",\"epfd\":");
        b.push_i64(r.epfd as i64);
    }
    if let Some(h) = &r.halfclose {
        push_halfclose_json(b, h);
    }
    b.push_str(",\"msg\":");
    b.push_json_str(r.msg());
}

/// `,"peer":"...","state":"...","since_ns":N,"age_ns":N,...`.
pub fn push_halfclose_json(b: &mut LineBuf<'_>, h: &HalfClose) {
    b.push_str(",\"peer\":");
    b.push_json_str(h.peer());
    b.push_str(",\"state\":\"");
    b.push_str(h.state);
    b.push_str("\",\"since_ns\":");
    b.push_u64(h.since_ns);
    b.push_str(",\"age_ns\":");
    b.push_u64(h.age_ns);
    b.push_str(",\"queued_in\":");
    b.push_i64(h.queued_in);
    b.push_str(",\"queued_out\":");
    b.push_i64(h.queued_out);
    b.push_str(",\"reset\":");
    b.push_str(if h.reset { "true" } else { "false" });
}

/// Writes a line of repoll's own (exit table, dump) in the log's format:
/// text lines get the `repoll[PID]: ` prefix; JSON and Chrome get an
/// object built by `json` (members only, after ts_ns/pid/tid).
pub fn emit_info(text: impl FnOnce(&mut LineBuf<'_>), json: impl FnOnce(&mut LineBuf<'_>)) {
    let pid = crate::PID.load(Ordering::Relaxed) as u64;
    let tid = sys::gettid() as u64;
    let real = sys::clock_ns(libc::CLOCK_REALTIME);
    let mono = sys::monotonic_ns();
    crate::trace::write_line(|b| match options::trace_format() {
        TraceFormat::Text => {
            b.set_limit(b.capacity() - 2);
            b.push_str("repoll[");
            b.push_u64(pid);
            b.push_str("]: ");
            text(b);
            b.clear_overflow();
            b.set_limit(b.capacity());
            b.push(b'\n');
        }
        TraceFormat::Json => {
            b.push_str("{\"ts_ns\":");
            b.push_u64(real);
            b.push_str(",\"pid\":");
            b.push_u64(pid);
            b.push_str(",\"tid\":");
            b.push_u64(tid);
            json(b);
            b.push_str("}\n");
        }
        TraceFormat::Chrome => {
            b.push_str("{\"name\":\"repoll\",\"cat\":\"repoll\",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
            b.push_fixed(mono, 3);
            b.push_str(",\"pid\":");
            b.push_u64(pid);
            b.push_str(",\"tid\":");
            b.push_u64(tid);
            b.push_str(",\"args\":{\"ts_ns\":");
            b.push_u64(real);
            json(b);
            b.push_str("}},\n");
        }
    });
}
