//! A fixed-capacity line formatter and the kernel's names for epoll flags,
//! ctl operations, signals and errno values.
//!
//! Everything here formats into a caller-provided byte slice: no allocation,
//! no `core::fmt` (whose machinery is large and may allocate through
//! `Display` impls), so it is safe on the per-call path inside a hook
//! (STYLE.md §3). The shape is heaptrack's `LineWriter`
//! (`src/util/linewriter.h`): append, and report overflow instead of growing.

use super::errnames::ERRNOS;

/// A line being built in a borrowed buffer.
///
/// Pushes are all-or-nothing: a push that does not fit below `limit` writes
/// nothing and sets `overflow`, so a caller can remember `len()`, try to
/// append an element, and `truncate` back to a clean boundary.
pub struct LineBuf<'a> {
    /// The storage (a per-thread region or a stack array).
    buf: &'a mut [u8],
    /// Bytes written so far.
    len: usize,
    /// Pushes may not go beyond this index (≤ `buf.len()`).
    limit: usize,
    /// Some push did not fit since the last `truncate`/`clear_overflow`.
    overflow: bool,
}

impl<'a> LineBuf<'a> {
    pub fn new(buf: &'a mut [u8]) -> LineBuf<'a> {
        let limit = buf.len();
        LineBuf {
            buf,
            len: 0,
            limit,
            overflow: false,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Whether some push was refused since the last truncate.
    #[inline]
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Restricts pushes to the first `limit` bytes (to keep room for a tail).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.min(self.buf.len());
    }

    /// Drops everything after `len` and forgets an overflow.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.len = len;
        }
        self.overflow = false;
    }

    #[inline]
    fn room_mut(&mut self, n: usize) -> bool {
        if self.len + n <= self.limit {
            true
        } else {
            self.overflow = true;
            false
        }
    }

    #[inline]
    pub fn push(&mut self, b: u8) {
        if self.room_mut(1) {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    #[inline]
    pub fn push_bytes(&mut self, s: &[u8]) {
        if self.room_mut(s.len()) {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s);
            self.len += s.len();
        }
    }

    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    /// Decimal.
    pub fn push_u64(&mut self, mut v: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push_bytes(&tmp[i..]);
    }

    /// Decimal, right-aligned in `width` columns.
    pub fn push_u64_padded(&mut self, v: u64, width: usize) {
        let digits = decimal_digits(v);
        for _ in digits..width {
            self.push(b' ');
        }
        self.push_u64(v);
    }

    pub fn push_i64(&mut self, v: i64) {
        if v < 0 {
            let mut tmp = [0u8; 21];
            let mut inner = LineBuf::new(&mut tmp);
            inner.push(b'-');
            inner.push_u64(v.unsigned_abs());
            let n = inner.len();
            self.push_bytes(&tmp[..n]);
        } else {
            self.push_u64(v as u64);
        }
    }

    /// `0x` and lowercase hexadecimal, as strace prints pointers and data.
    pub fn push_hex(&mut self, mut v: u64) {
        let mut tmp = [0u8; 18];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b"0123456789abcdef"[(v & 15) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        i -= 1;
        tmp[i] = b'x';
        i -= 1;
        tmp[i] = b'0';
        self.push_bytes(&tmp[i..]);
    }

    /// `v / 10^decimals` with exactly `decimals` fractional digits:
    /// `push_fixed(120, 6)` gives `0.000120`.
    pub fn push_fixed(&mut self, v: u64, decimals: u32) {
        let scale = 10u64.pow(decimals);
        let mut tmp = [0u8; 48];
        let mut inner = LineBuf::new(&mut tmp);
        inner.push_u64(v / scale);
        if decimals > 0 {
            inner.push(b'.');
            let frac = v % scale;
            for _ in decimal_digits(frac)..decimals as usize {
                inner.push(b'0');
            }
            inner.push_u64(frac);
        }
        let n = inner.len();
        self.push_bytes(&tmp[..n]);
    }

    /// A JSON string literal: quotes, `\"`, `\\`, and `\u00XX` for control
    /// bytes; other bytes pass through (callers give ASCII or UTF-8).
    pub fn push_json_str(&mut self, s: &[u8]) {
        let start = self.len;
        let mark = self.overflow;
        self.push(b'"');
        for &c in s {
            match c {
                b'"' => self.push_bytes(b"\\\""),
                b'\\' => self.push_bytes(b"\\\\"),
                b'\n' => self.push_bytes(b"\\n"),
                b'\t' => self.push_bytes(b"\\t"),
                b'\r' => self.push_bytes(b"\\r"),
                0..=0x1f | 0x7f => {
                    self.push_bytes(b"\\u00");
                    self.push(b"0123456789abcdef"[(c >> 4) as usize]);
                    self.push(b"0123456789abcdef"[(c & 15) as usize]);
                }
                // Bytes ≥ 0x80 may not be valid UTF-8 (a process name is
                // any bytes): escape them so the line stays valid JSON.
                0x80..=0xff => {
                    self.push_bytes(b"\\u00");
                    self.push(b"0123456789abcdef"[(c >> 4) as usize]);
                    self.push(b"0123456789abcdef"[(c & 15) as usize]);
                }
                _ => self.push(c),
            }
        }
        self.push(b'"');
        if self.overflow && !mark {
            // All or nothing, like every other push.
            self.len = start;
        }
    }

    /// Free bytes below the limit.
    pub fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.len)
    }

    /// Forgets an overflow without truncating.
    pub fn clear_overflow(&mut self) {
        self.overflow = false;
    }
}

pub fn decimal_digits(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

/// Epoll event bits in strace's order (`xlat/epollevents.in`).
pub static EPOLL_EVENTS: [(u32, &str); 15] = [
    (libc::EPOLLIN as u32, "EPOLLIN"),
    (libc::EPOLLPRI as u32, "EPOLLPRI"),
    (libc::EPOLLOUT as u32, "EPOLLOUT"),
    (libc::EPOLLRDNORM as u32, "EPOLLRDNORM"),
    (libc::EPOLLRDBAND as u32, "EPOLLRDBAND"),
    (libc::EPOLLWRNORM as u32, "EPOLLWRNORM"),
    (libc::EPOLLWRBAND as u32, "EPOLLWRBAND"),
    (libc::EPOLLMSG as u32, "EPOLLMSG"),
    (libc::EPOLLERR as u32, "EPOLLERR"),
    (libc::EPOLLHUP as u32, "EPOLLHUP"),
    (libc::EPOLLRDHUP as u32, "EPOLLRDHUP"),
    (libc::EPOLLEXCLUSIVE as u32, "EPOLLEXCLUSIVE"),
    (libc::EPOLLWAKEUP as u32, "EPOLLWAKEUP"),
    (libc::EPOLLONESHOT as u32, "EPOLLONESHOT"),
    (libc::EPOLLET as u32, "EPOLLET"),
];

/// `EPOLLIN|EPOLLET` (text) — `0` for an empty mask, unknown bits as hex.
pub fn push_events_text(b: &mut LineBuf<'_>, mask: u32) {
    if mask == 0 {
        b.push(b'0');
        return;
    }
    let mut rest = mask;
    let mut first = true;
    for &(bit, name) in EPOLL_EVENTS.iter() {
        if mask & bit != 0 {
            if !first {
                b.push(b'|');
            }
            b.push_str(name);
            first = false;
            rest &= !bit;
        }
    }
    if rest != 0 {
        if !first {
            b.push(b'|');
        }
        b.push_hex(rest as u64);
    }
}

/// `["EPOLLIN","EPOLLET"]` (JSON) — unknown bits as one hex string.
pub fn push_events_json(b: &mut LineBuf<'_>, mask: u32) {
    b.push(b'[');
    let mut rest = mask;
    let mut first = true;
    for &(bit, name) in EPOLL_EVENTS.iter() {
        if mask & bit != 0 {
            if !first {
                b.push(b',');
            }
            b.push(b'"');
            b.push_str(name);
            b.push(b'"');
            first = false;
            rest &= !bit;
        }
    }
    if rest != 0 {
        if !first {
            b.push(b',');
        }
        b.push(b'"');
        b.push_hex(rest as u64);
        b.push(b'"');
    }
    b.push(b']');
}

/// The name of an `epoll_ctl` operation.
pub fn ctl_op_name(op: i32) -> Option<&'static str> {
    match op {
        libc::EPOLL_CTL_ADD => Some("EPOLL_CTL_ADD"),
        libc::EPOLL_CTL_MOD => Some("EPOLL_CTL_MOD"),
        libc::EPOLL_CTL_DEL => Some("EPOLL_CTL_DEL"),
        _ => None,
    }
}

/// Signal names without the `SIG` prefix, as strace prints sets (`[INT TERM]`).
static SIGNALS: [&str; 32] = [
    "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

/// Writes signal `sig` (1-based): `INT`, or `RT_3` / the number beyond 31.
fn push_signal(b: &mut LineBuf<'_>, sig: u32, prefix: bool) {
    if prefix {
        b.push_str("SIG");
    }
    if (sig as usize) < SIGNALS.len() && sig > 0 {
        b.push_str(SIGNALS[sig as usize]);
    } else if sig >= 32 {
        // Kernel numbering: 32 and 33 are used by glibc itself; strace
        // prints real-time signals relative to 32 the same way.
        b.push_str("RT_");
        b.push_u64((sig - 32) as u64);
    } else {
        b.push_u64(sig as u64);
    }
}

/// `[INT TERM]` (strace's signal set).
pub fn push_sigset_text(b: &mut LineBuf<'_>, set: u64) {
    b.push(b'[');
    let mut first = true;
    for i in 0..64u32 {
        if set & (1u64 << i) != 0 {
            if !first {
                b.push(b' ');
            }
            push_signal(b, i + 1, false);
            first = false;
        }
    }
    b.push(b']');
}

/// `["SIGINT","SIGTERM"]`.
pub fn push_sigset_json(b: &mut LineBuf<'_>, set: u64) {
    b.push(b'[');
    let mut first = true;
    for i in 0..64u32 {
        if set & (1u64 << i) != 0 {
            if !first {
                b.push(b',');
            }
            b.push(b'"');
            push_signal(b, i + 1, true);
            b.push(b'"');
            first = false;
        }
    }
    b.push(b']');
}

/// The errno's symbolic name, `E123` style for unknown numbers.
pub fn push_errno_name(b: &mut LineBuf<'_>, e: i32) {
    match ERRNOS.get(e as usize) {
        Some(&(name, _)) if !name.is_empty() => b.push_str(name),
        _ => {
            b.push(b'E');
            b.push_i64(e as i64);
        }
    }
}

/// strace's error tail: `-1 EINTR (Interrupted system call)`.
pub fn push_errno_text(b: &mut LineBuf<'_>, e: i32) {
    b.push_str("-1 ");
    push_errno_name(b, e);
    b.push_str(" (");
    match ERRNOS.get(e as usize) {
        Some(&(name, msg)) if !name.is_empty() => b.push_str(msg),
        _ => {
            b.push_str("Unknown error ");
            b.push_i64(e as i64);
        }
    }
    b.push(b')');
}

/// Name for an errno used in summaries (static when known).
pub fn errno_name(e: i32) -> Option<&'static str> {
    match ERRNOS.get(e as usize) {
        Some(&(name, _)) if !name.is_empty() => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<F: FnOnce(&mut LineBuf<'_>)>(f: F) -> std::string::String {
        let mut storage = [0u8; 256];
        let mut b = LineBuf::new(&mut storage);
        f(&mut b);
        std::string::String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn numbers_format_like_strace() {
        assert_eq!(with(|b| b.push_u64(0)), "0");
        assert_eq!(with(|b| b.push_i64(-42)), "-42");
        assert_eq!(with(|b| b.push_hex(0x7f00)), "0x7f00");
        assert_eq!(with(|b| b.push_hex(0)), "0x0");
        assert_eq!(with(|b| b.push_fixed(120, 6)), "0.000120");
        assert_eq!(
            with(|b| b.push_fixed(1_733_000_000_123_456, 6)),
            "1733000000.123456"
        );
        assert_eq!(with(|b| b.push_u64_padded(42, 5)), "   42");
    }

    #[test]
    fn event_masks_use_kernel_names() {
        assert_eq!(
            with(|b| push_events_text(b, (libc::EPOLLIN | libc::EPOLLET) as u32)),
            "EPOLLIN|EPOLLET"
        );
        assert_eq!(with(|b| push_events_text(b, 0)), "0");
        assert_eq!(
            with(|b| push_events_text(b, 0x0010_0001)),
            "EPOLLIN|0x100000"
        );
        assert_eq!(
            with(|b| push_events_json(b, (libc::EPOLLIN | libc::EPOLLRDHUP) as u32)),
            "[\"EPOLLIN\",\"EPOLLRDHUP\"]"
        );
        assert_eq!(with(|b| push_events_json(b, 0)), "[]");
    }

    #[test]
    fn errno_tail_matches_strace() {
        assert_eq!(
            with(|b| push_errno_text(b, libc::EINTR)),
            "-1 EINTR (Interrupted system call)"
        );
        assert_eq!(
            with(|b| push_errno_text(b, 999)),
            "-1 E999 (Unknown error 999)"
        );
    }

    #[test]
    fn signal_sets() {
        let set = (1u64 << (libc::SIGINT - 1)) | (1u64 << (libc::SIGTERM - 1));
        assert_eq!(with(|b| push_sigset_text(b, set)), "[INT TERM]");
        assert_eq!(
            with(|b| push_sigset_json(b, set)),
            "[\"SIGINT\",\"SIGTERM\"]"
        );
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            with(|b| b.push_json_str(b"a\"b\\c\n\x01\xff")),
            "\"a\\\"b\\\\c\\n\\u0001\\u00ff\""
        );
    }

    #[test]
    fn pushes_are_all_or_nothing() {
        let mut storage = [0u8; 8];
        let mut b = LineBuf::new(&mut storage);
        b.push_str("abcde");
        b.push_str("fghij");
        assert!(b.overflowed());
        assert_eq!(b.as_bytes(), b"abcde");
        b.truncate(3);
        assert!(!b.overflowed());
        b.push_json_str(b"xyzxyz");
        assert_eq!(b.as_bytes(), b"abc");
    }
}
