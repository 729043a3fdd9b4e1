//! Half-closed connections (issue 6): tracking, the `half-close-ignored`
//! lint, the exit table, the on-demand dump, and `rdhup=uniform`.
//!
//! A registered, connected stream socket is tracked from its ADD until the
//! program closes it. Its peer's half-close is seen from three sources:
//! an event with EPOLLRDHUP delivered to the program, the program's own
//! read returning 0, and the helper thread's periodic `ppoll` asking
//! POLLRDHUP of every tracked socket (the kernel sets it once the peer's
//! FIN or RST arrived, i.e. in CLOSE_WAIT or CLOSE; this needs no option
//! and changes nothing the program sees). A connection the program has
//! neither closed nor shut down (SHUT_WR/SHUT_RDWR) `halfclose_timeout_ms`
//! after that is reported once.

use super::report::{HalfClose, Report};
use super::*;
use crate::core::ident::Kind;
use crate::registry::{EPOLLHUP, EPOLLRDHUP};
use crate::trace::fmt::LineBuf;

/// Starts tracking `fd` if it is a connected-or-connecting stream socket
/// (not a listener). Returns true when it is tracked (the helper thread
/// must run).
pub fn track(s: &mut State, fd: c_int, _now: u64) -> bool {
    if !enabled(HALF_CLOSE_IGNORED) {
        return false;
    }
    let Ok(stat) = sys::fstat(fd) else {
        return false;
    };
    if stat.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        return false;
    }
    if sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE) != Ok(libc::SOCK_STREAM) {
        return false;
    }
    if sys::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN) != Ok(0) {
        return false;
    }
    if s.sockets.try_reserve(1).is_err() {
        return false;
    }
    let Some(st) = s.st(fd) else { return false };
    st.sock = true;
    st.ino = stat.st_ino;
    st.hc_since = 0;
    st.hc_reported = false;
    if !s.sockets.contains(&fd) {
        s.sockets.push(fd);
    }
    true
}

/// The peer's half-close was seen now (first time only counts).
pub fn mark(st: &mut FdState, now: u64) {
    if st.hc_since == 0 {
        st.hc_since = now;
        st.hc_real = sys::clock_ns(libc::CLOCK_REALTIME);
    }
}

/// TCP state names, indexed by tcpi_state (include/net/tcp_states.h).
const TCP_STATES: [&str; 13] = [
    "?",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
    "NEW_SYN_RECV",
];

/// (state name, reset) of socket `fd`.
fn tcp_state(fd: c_int) -> (&'static str, bool) {
    // SAFETY: tcp_info is plain data.
    let mut ti: libc::tcp_info = unsafe { core::mem::zeroed() };
    let mut len = core::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let r = sys::call(
        libc::SYS_getsockopt,
        [
            fd as usize,
            libc::IPPROTO_TCP as usize,
            libc::TCP_INFO as usize,
            &mut ti as *mut _ as usize,
            &mut len as *mut _ as usize,
            0,
        ],
    );
    match r {
        Ok(_) => {
            let i = ti.tcpi_state as usize;
            // After an RST the socket goes straight to CLOSE.
            (TCP_STATES.get(i).copied().unwrap_or("?"), i == 7)
        }
        // Not TCP (a unix stream socket): the peer shut down or closed.
        Err(_) => ("PEER_SHUTDOWN", false),
    }
}

/// Formats `ss` as `a.b.c.d:port`, `[v6]:port` or `unix:path`.
pub fn push_sockaddr(b: &mut LineBuf<'_>, ss: &libc::sockaddr_storage) {
    match ss.ss_family as c_int {
        libc::AF_INET => {
            // SAFETY: family AF_INET: the storage holds a sockaddr_in.
            let sin = unsafe { &*(ss as *const _ as *const libc::sockaddr_in) };
            push_v4(b, u32::from_be(sin.sin_addr.s_addr));
            b.push(b':');
            b.push_u64(u16::from_be(sin.sin_port) as u64);
        }
        libc::AF_INET6 => {
            // SAFETY: family AF_INET6: the storage holds a sockaddr_in6.
            let sin6 = unsafe { &*(ss as *const _ as *const libc::sockaddr_in6) };
            let a = sin6.sin6_addr.s6_addr;
            b.push(b'[');
            if a[..10].iter().all(|&x| x == 0) && a[10] == 0xff && a[11] == 0xff {
                b.push_str("::ffff:");
                push_v4(b, u32::from_be_bytes([a[12], a[13], a[14], a[15]]));
            } else {
                push_v6(b, &a);
            }
            b.push_str("]:");
            b.push_u64(u16::from_be(sin6.sin6_port) as u64);
        }
        libc::AF_UNIX => {
            // SAFETY: family AF_UNIX: the storage holds a sockaddr_un.
            let sun = unsafe { &*(ss as *const _ as *const libc::sockaddr_un) };
            b.push_str("unix:");
            let path = &sun.sun_path;
            if path[0] == 0 {
                if path[1] == 0 {
                    b.push_str("(unnamed)");
                } else {
                    b.push(b'@');
                    for &c in path[1..].iter().take_while(|&&c| c != 0) {
                        b.push(c as u8);
                    }
                }
            } else {
                for &c in path.iter().take_while(|&&c| c != 0) {
                    b.push(c as u8);
                }
            }
        }
        _ => b.push_str("?"),
    }
}

fn push_v4(b: &mut LineBuf<'_>, a: u32) {
    for (i, sh) in [24, 16, 8, 0].iter().enumerate() {
        if i > 0 {
            b.push(b'.');
        }
        b.push_u64(((a >> sh) & 0xff) as u64);
    }
}

fn push_v6(b: &mut LineBuf<'_>, a: &[u8; 16]) {
    let g: [u16; 8] = core::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    // The longest run of two or more zero groups becomes "::" (RFC 5952).
    let (mut best, mut best_len, mut i) = (8, 0, 0);
    while i < 8 {
        if g[i] == 0 {
            let start = i;
            while i < 8 && g[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut i = 0;
    while i < 8 {
        if i == best {
            b.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && i != best + best_len {
            b.push(b':');
        }
        push_hex16(b, g[i]);
        i += 1;
    }
}

fn push_hex16(b: &mut LineBuf<'_>, v: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for sh in [12, 8, 4, 0] {
        let d = (v >> sh) & 0xf;
        if d != 0 || started || sh == 0 {
            b.push(HEX[d as usize]);
            started = true;
        }
    }
}

/// Everything a report says about connection `fd`.
fn info(fd: c_int, st: &FdState, now: u64) -> HalfClose {
    let mut h = HalfClose {
        peer: [0; 72],
        peer_len: 0,
        state: "?",
        since_ns: st.hc_real,
        age_ns: now.saturating_sub(st.hc_since),
        queued_in: sys::ioctl_int(fd, libc::FIONREAD as libc::c_long).map_or(-1, |v| v as i64),
        queued_out: sys::ioctl_int(fd, libc::TIOCOUTQ as libc::c_long).map_or(-1, |v| v as i64),
        reset: false,
    };
    let mut b = LineBuf::new(&mut h.peer);
    match sys::sockname(fd, true) {
        Ok(ss) => push_sockaddr(&mut b, &ss),
        Err(_) => b.push_str("?"),
    }
    b.clear_overflow();
    h.peer_len = b.len() as u8;
    let (state, reset) = tcp_state(fd);
    h.state = state;
    h.reset = reset;
    h
}

/// Peer half-close check of every tracked socket, and the reports due.
/// `at_exit`: report every unreported half-closed connection now.
pub fn scan(s: &mut State, now: u64, at_exit: bool) {
    if s.sockets.is_empty() {
        return;
    }
    let timeout = options::halfclose_timeout_ns();
    // Drop sockets the program closed; poll the others for POLLRDHUP.
    let mut i = 0;
    while i < s.sockets.len() {
        let fd = s.sockets[i];
        if s.peek(fd).is_some_and(|st| st.sock) {
            i += 1;
        } else {
            s.sockets.swap_remove(i);
        }
    }
    let mut pfds: Vec<libc::pollfd> = s
        .sockets
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLRDHUP,
            revents: 0,
        })
        .collect();
    for chunk in pfds.chunks_mut(1024) {
        let _ = sys::poll_now(chunk);
    }
    for p in &pfds {
        let fd = p.fd;
        let b = bits(fd);
        let Some(st) = s.st(fd) else { continue };
        if p.revents & libc::POLLNVAL != 0 {
            continue;
        }
        let seen_before = st.hc_since != 0 || b & EOF != 0;
        if p.revents & libc::POLLRDHUP != 0 || b & EOF != 0 {
            mark(st, now);
        }
        if at_exit && !seen_before {
            // First noticed by this exit scan (e.g. peers that reset their
            // connections as the program was stopped): the program never
            // had a chance to see it, so it did not ignore it.
            st.hc_since = 0;
            continue;
        }
        if st.hc_since == 0 || st.hc_reported || b & SHUT_WR != 0 {
            continue;
        }
        if !at_exit && now.saturating_sub(st.hc_since) < timeout {
            continue;
        }
        // The number may have been closed and reused behind our back.
        if sys::fstat(fd).map(|x| x.st_ino) != Ok(st.ino) {
            st.sock = false;
            continue;
        }
        st.hc_reported = true;
        let h = info(fd, st, now);
        let epfd = st.epfd;
        let via = if b & EOF != 0 {
            "its read returned 0"
        } else {
            "the peer's FIN was queued"
        };
        let r = Report {
            halfclose: Some(h),
            ..Report::new(HALF_CLOSE_IGNORED, fd, epfd)
        }
        .with_msg(|m| {
            m.push_str("peer ");
            m.push_bytes(h.peer());
            m.push_str(if h.reset {
                " reset the connection "
            } else {
                " half-closed the connection "
            });
            m.push_u64(h.age_ns / 1_000_000);
            m.push_str(" ms ago (");
            m.push_str(via);
            m.push_str("), state ");
            m.push_str(h.state);
            m.push_str(", ");
            m.push_i64(h.queued_in);
            m.push_str(" bytes unread, ");
            m.push_i64(h.queued_out);
            m.push_str(" unsent; the program has neither closed nor shut it down");
            if at_exit {
                m.push_str(" (at exit)");
            }
            m.push_str(": on EPOLLRDHUP or a read of 0, finish the reply and close the socket (or shutdown(SHUT_WR) then close)");
        });
        s.report(r, false);
    }
}

/// One row of the exit table / dump.
struct Row {
    fd: c_int,
    h: HalfClose,
    reported: bool,
}

fn halfclosed_rows(now: u64) -> Vec<Row> {
    with_state(|s| {
        let mut rows = Vec::new();
        let socks = s.sockets.clone();
        for fd in socks {
            let b = bits(fd);
            let Some(st) = s.peek(fd) else { continue };
            if !st.sock || st.hc_since == 0 || b & SHUT_WR != 0 {
                continue;
            }
            rows.push(Row {
                fd,
                h: info(fd, st, now),
                reported: st.hc_reported,
            });
        }
        rows
    })
    .unwrap_or_default()
}

fn emit_rows(title: &str, key: &str, rows: &[Row]) {
    report::emit_info(
        |b| {
            b.push_str(title);
            b.push_str(": ");
            b.push_u64(rows.len() as u64);
        },
        |b| {
            b.push_str(",\"");
            b.push_str(key);
            b.push_str("\":");
            b.push_u64(rows.len() as u64);
        },
    );
    if !rows.is_empty() && options::trace_format() == options::TraceFormat::Text {
        report::emit_info(
            |b| {
                b.push_str("    fd  peer                                    state           age_ms  unread  unsent  reported")
            },
            |_| {},
        );
    }
    for r in rows {
        report::emit_info(
            |b| {
                let start = b.len();
                b.push_str("  ");
                pad_num(b, r.fd as i64, 4);
                b.push_str("  ");
                let p = b.len();
                b.push_bytes(r.h.peer());
                pad_to(b, p, 39);
                b.push_str(r.h.state);
                pad_to(b, p + 39, 15);
                pad_num(b, (r.h.age_ns / 1_000_000) as i64, 6);
                b.push_str("  ");
                pad_num(b, r.h.queued_in, 6);
                b.push_str("  ");
                pad_num(b, r.h.queued_out, 6);
                b.push_str(if r.reported { "  yes" } else { "  no" });
                let _ = start;
            },
            |b| {
                b.push_str(",\"");
                b.push_str(key);
                b.push_str("_row\":true,\"fd\":");
                b.push_i64(r.fd as i64);
                report::push_halfclose_json(b, &r.h);
                b.push_str(",\"reported\":");
                b.push_str(if r.reported { "true" } else { "false" });
            },
        );
    }
}

fn pad_to(b: &mut LineBuf<'_>, from: usize, width: usize) {
    while b.len() < from + width {
        b.push(b' ');
    }
    b.push(b' ');
}

fn pad_num(b: &mut LineBuf<'_>, v: i64, width: usize) {
    let digits = crate::trace::fmt::decimal_digits(v.unsigned_abs()) + (v < 0) as usize;
    for _ in digits..width {
        b.push(b' ');
    }
    b.push_i64(v);
}

/// At exit, after the last reports: every connection still half-closed.
pub fn exit_table() {
    let rows = halfclosed_rows(sys::monotonic_ns());
    if rows.is_empty() {
        return;
    }
    emit_rows(
        "half-closed connections at exit",
        "halfclosed_at_exit",
        &rows,
    );
}

/// dump_signal: the half-closed connections now.
pub fn dump_halfclosed() {
    let rows = halfclosed_rows(sys::monotonic_ns());
    emit_rows("dump: half-closed connections", "dump_halfclosed", &rows);
}

/// dump_signal: every instance's interest table. Copied under the core
/// lock, written after it is released.
pub fn dump_interest() {
    struct Item {
        epfd: c_int,
        fd: c_int,
        events: u32,
        data: u64,
        state: u32,
    }
    let mut items: Vec<Item> = Vec::new();
    let mut instances = 0usize;
    {
        let _re = crate::hooks::Reentry::enter();
        let g = crate::core::lock();
        if let Some(g) = g.as_ref() {
            for inst in g.instances.iter().flatten() {
                if inst.closed {
                    continue;
                }
                instances += 1;
                let epfd = g
                    .files
                    .get(&inst.file)
                    .and_then(|f| f.fds.first().copied())
                    .unwrap_or(-1);
                for (_, e) in inst.interest.iter() {
                    items.push(Item {
                        epfd,
                        fd: e.key.fd,
                        events: e.events,
                        data: e.data,
                        state: e.state,
                    });
                }
            }
        }
    }
    report::emit_info(
        |b| {
            b.push_str("dump: ");
            b.push_u64(instances as u64);
            b.push_str(" epoll instances, ");
            b.push_u64(items.len() as u64);
            b.push_str(" registrations");
        },
        |b| {
            b.push_str(",\"dump\":\"interest\",\"instances\":");
            b.push_u64(instances as u64);
            b.push_str(",\"registrations\":");
            b.push_u64(items.len() as u64);
        },
    );
    for it in &items {
        report::emit_info(
            |b| {
                b.push_str("  epfd=");
                b.push_i64(it.epfd as i64);
                b.push_str(" fd=");
                b.push_i64(it.fd as i64);
                b.push_str(" events=");
                crate::trace::fmt::push_events_text(b, it.events);
                b.push_str(" data=");
                b.push_hex(it.data);
                b.push_str(" ready=");
                crate::trace::fmt::push_events_text(b, it.state);
            },
            |b| {
                b.push_str(",\"dump\":\"registration\",\"epfd\":");
                b.push_i64(it.epfd as i64);
                b.push_str(",\"fd\":");
                b.push_i64(it.fd as i64);
                b.push_str(",\"events\":");
                crate::trace::fmt::push_events_json(b, it.events);
                b.push_str(",\"data\":\"");
                b.push_hex(it.data);
                b.push_str("\",\"ready\":");
                crate::trace::fmt::push_events_json(b, it.state);
            },
        );
    }
}

/// rdhup=uniform for an epoll registration that asked for EPOLLRDHUP:
/// the read side of a pipe, FIFO or terminal whose other side is gone
/// (poll(2) reports POLLHUP there), or of any fd whose last read by the
/// program returned 0, is at end of file.
pub fn uniform_state(kind: Kind, fd: c_int, state: u32) -> u32 {
    let hup = state & EPOLLHUP != 0 && matches!(kind, Kind::Pipe | Kind::Tty);
    if hup || (state != 0 && bits(fd) & EOF != 0) {
        state | EPOLLRDHUP
    } else {
        state
    }
}

/// rdhup=uniform for poll/ppoll results (same rule as `uniform_state`).
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn poll_uniform(fds: *mut libc::pollfd, nfds: libc::nfds_t) {
    let saved = sys::errno();
    for i in 0..nfds as usize {
        // SAFETY: the kernel just wrote this array back (the call returned
        // a positive count), so every entry is readable and writable.
        let p = unsafe { &mut *fds.add(i) };
        if p.events & libc::POLLRDHUP == 0 || p.revents == 0 || p.revents & libc::POLLRDHUP != 0 {
            continue;
        }
        let eof = if p.revents & libc::POLLHUP != 0 {
            sys::fstat(p.fd).is_ok_and(|st| {
                let t = st.st_mode & libc::S_IFMT;
                t == libc::S_IFIFO || t == libc::S_IFCHR
            })
        } else {
            false
        };
        if eof || bits(p.fd) & EOF != 0 {
            p.revents |= libc::POLLRDHUP;
        }
    }
    sys::set_errno(saved);
}

/// The trace shows the program's shutdown calls (the local side's
/// half-closes) as notes.
pub fn trace_shutdown(fd: c_int, how: c_int, r: c_int) {
    if !crate::trace::active() {
        return;
    }
    let err = sys::errno();
    let mut storage = [0u8; 96];
    let mut b = LineBuf::new(&mut storage);
    b.push_str("shutdown(");
    b.push_i64(fd as i64);
    b.push_str(match how {
        libc::SHUT_RD => ", SHUT_RD) = ",
        libc::SHUT_WR => ", SHUT_WR) = ",
        libc::SHUT_RDWR => ", SHUT_RDWR) = ",
        _ => ", ?) = ",
    });
    if r == 0 {
        b.push(b'0');
    } else {
        b.push_str("-1 ");
        crate::trace::fmt::push_errno_name(&mut b, err);
    }
    let n = b.len();
    crate::trace::note(&storage[..n]);
    sys::set_errno(err);
}
