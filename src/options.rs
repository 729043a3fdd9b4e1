//! Options, from `REPOLL_OPTIONS=key=value:key=value` (sanitizer style).
//!
//! One table of (name, kind, default, help), as LLVM compiler-rt keeps its
//! flags in `sanitizer_flags.inc`. Parsed once, in the constructor, without
//! allocating: values live in atomics, the one string option (`log_path`) in
//! a fixed buffer. Later entries win, so the launcher can append its options
//! to an existing REPOLL_OPTIONS. Unknown keys and bad values give one
//! warning line `repoll[PID]: ...` on stderr and keep the previous value.
//! `help=1` prints the table to stderr and the program runs on.
//!
//! Under `AT_SECURE` (setuid/setgid, file capabilities) options that write
//! files (`log_path`) are ignored with a warning (STYLE.md §3 Setuid).

use crate::sys;
use crate::trace::fmt::LineBuf;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

/// Trace output formats (`trace_format=`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TraceFormat {
    /// strace-like lines.
    Text,
    /// JSON Lines, one object per call (docs/TRACE.md).
    Json,
    /// Chrome/Perfetto trace-event JSON array.
    Chrome,
}

/// Lint identifiers (issue 7); `lint_disable=` takes a comma-separated
/// list of them. A public interface: never rename one.
pub const LINT_IDS: &[&str] = &[
    "close-while-registered",
    "stale-registration",
    "et-undrained",
    "et-blocking-fd",
    "oneshot-not-rearmed",
    "writable-spin",
    "ready-ignored",
    "busy-poll",
    "ctl-error",
    "half-close-ignored",
    "thundering-herd",
    "shared-after-fork",
];

/// What values an option accepts.
#[derive(Clone, Copy)]
enum Kind {
    /// `0|1` (also `false|true`, `no|yes`).
    Bool,
    /// A decimal integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A byte count with an optional `k`/`m` suffix, at most `max`.
    Size { max: i64 },
    /// One of the words; the value stored is the index.
    Enum(&'static [&'static str]),
    /// A file name (`%p` pid, `%b` program name, `%%`).
    Path,
    /// Comma-separated ids out of a list; stored as a bit mask.
    IdList(&'static [&'static str]),
}

/// One row of the option table.
struct Spec {
    name: &'static str,
    kind: Kind,
    /// The default as stored (bool 0/1, enum index, integer).
    default: i64,
    /// Shown by help=1.
    help: &'static str,
}

const FORMATS: &[&str] = &["text", "json", "chrome"];
const RDHUP_MODES: &[&str] = &["kernel", "uniform"];
const IO_URING_MODES: &[&str] = &["refuse", "allow"];
/// Signals `dump_signal=` accepts (index 0: off). Numbers in `DUMP_SIGNALS`.
pub const DUMP_SIGNAL_NAMES: &[&str] = &[
    "off", "SIGUSR1", "SIGUSR2", "SIGHUP", "SIGWINCH", "SIGURG", "SIGPWR",
];
const DUMP_SIGNALS: &[i32] = &[
    0,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGHUP,
    libc::SIGWINCH,
    libc::SIGURG,
    libc::SIGPWR,
];

// Indices into SPECS / VALUES (log_path, index 2, lives in PATH).
const TRACE: usize = 0;
const TRACE_FORMAT: usize = 1;
const SUMMARY: usize = 3;
const VERBOSITY: usize = 4;
const TRACE_BUFFER: usize = 5;
const IO_URING: usize = 6;
const LINT: usize = 7;
const LINT_DISABLE: usize = 8;
const RDHUP: usize = 9;
const COLD_AFTER_MS: usize = 10;
const HELP: usize = 11;
const HALFCLOSE_TIMEOUT_MS: usize = 12;
const DUMP_SIGNAL: usize = 13;
const LINT_ET_UNDRAINED_MS: usize = 14;
const LINT_ONESHOT_MS: usize = 15;
const LINT_WRITABLE_SPIN: usize = 16;
const LINT_READY_IGNORED: usize = 17;
const LINT_BUSY_POLL: usize = 18;
const LINT_HERD: usize = 19;
const COUNT: usize = 20;

static SPECS: [Spec; COUNT] = [
    Spec { name: "trace", kind: Kind::Bool, default: 0, help: "trace every epoll call (docs/TRACE.md)" },
    Spec { name: "trace_format", kind: Kind::Enum(FORMATS), default: 0, help: "trace format: strace-like text, JSON Lines, or Chrome/Perfetto trace events" },
    Spec { name: "log_path", kind: Kind::Path, default: 0, help: "write trace, summary and reports to this file instead of stderr; %p = pid, %b = program name (ignored under AT_SECURE)" },
    Spec { name: "summary", kind: Kind::Bool, default: 0, help: "print per-call and per-fd counts at exit (like strace -c)" },
    Spec { name: "verbosity", kind: Kind::Int { min: 0, max: 9 }, default: 1, help: "0 silent, 1 warnings, 2 start-up information, 3 debugging" },
    Spec { name: "trace_buffer", kind: Kind::Size { max: 16 << 20 }, default: 0, help: "per-thread trace buffer in bytes (k/m suffix); 0 writes each record at once" },
    Spec { name: "io_uring", kind: Kind::Enum(IO_URING_MODES), default: 0, help: "refuse: syscall(SYS_io_uring_setup) fails with ENOSYS so libuv falls back to epoll_ctl" },
    Spec { name: "lint", kind: Kind::Bool, default: 0, help: "report epoll misuse" },
    Spec { name: "lint_disable", kind: Kind::IdList(LINT_IDS), default: 0, help: "comma-separated lint ids not to report" },
    Spec { name: "rdhup", kind: Kind::Enum(RDHUP_MODES), default: 0, help: "EPOLLRDHUP: where the kernel reports it, or uniformly at end of file" },
    Spec { name: "cold_after_ms", kind: Kind::Int { min: 0, max: 3_600_000 }, default: 50, help: "a registration idle this long moves to the helper thread's cold set (idle descriptors then cost a wait nothing)" },
    Spec { name: "help", kind: Kind::Bool, default: 0, help: "print this table to stderr" },
    Spec { name: "halfclose_timeout_ms", kind: Kind::Int { min: 1, max: 86_400_000 }, default: 5000, help: "lint half-close-ignored: report a connection whose peer half-closed this long ago and that is still open" },
    Spec { name: "dump_signal", kind: Kind::Enum(DUMP_SIGNAL_NAMES), default: 0, help: "on this signal, write every interest table and the half-closed connections to the log (replaces the program's handler)" },
    Spec { name: "lint_et_undrained_ms", kind: Kind::Int { min: 1, max: 3_600_000 }, default: 200, help: "lint et-undrained: an EPOLLET fd still readable this long after its report, no EAGAIN or short read seen" },
    Spec { name: "lint_oneshot_ms", kind: Kind::Int { min: 1, max: 3_600_000 }, default: 2000, help: "lint oneshot-not-rearmed: time after an EPOLLONESHOT report without EPOLL_CTL_MOD while data keeps arriving" },
    Spec { name: "lint_writable_spin", kind: Kind::Int { min: 2, max: 1_000_000_000 }, default: 100, help: "lint writable-spin: consecutive level-triggered EPOLLOUT reports with no write" },
    Spec { name: "lint_ready_ignored", kind: Kind::Int { min: 2, max: 1_000_000_000 }, default: 100, help: "lint ready-ignored: consecutive level-triggered EPOLLIN reports with no read" },
    Spec { name: "lint_busy_poll", kind: Kind::Int { min: 2, max: 1_000_000_000 }, default: 1000, help: "lint busy-poll: consecutive empty zero-timeout waits, less than 1 ms apart on average" },
    Spec { name: "lint_herd", kind: Kind::Int { min: 1, max: 1_000_000_000 }, default: 4, help: "lint thundering-herd: times one readiness is delivered to two threads within 1 ms" },
];

static VALUES: [AtomicI64; COUNT] = {
    let mut v = [const { AtomicI64::new(0) }; COUNT];
    let mut i = 0;
    while i < COUNT {
        v[i] = AtomicI64::new(SPECS[i].default);
        i += 1;
    }
    v
};

/// Longest accepted `log_path` template.
pub const PATH_MAX: usize = 1024;

/// The `log_path` template, written once by `init` before `PATH_LEN`
/// publishes it.
struct PathCell(UnsafeCell<[u8; PATH_MAX]>);
// SAFETY: written only by `init` (the constructor) before the Release store
// of PATH_LEN; readers load PATH_LEN with Acquire first.
unsafe impl Sync for PathCell {}
static PATH: PathCell = PathCell(UnsafeCell::new([0; PATH_MAX]));
static PATH_LEN: AtomicUsize = AtomicUsize::new(0);
static INITIALISED: AtomicBool = AtomicBool::new(false);

fn get(i: usize) -> i64 {
    VALUES[i].load(Ordering::Relaxed)
}

/// `trace=1`.
pub fn trace() -> bool {
    get(TRACE) != 0
}

pub fn trace_format() -> TraceFormat {
    match get(TRACE_FORMAT) {
        1 => TraceFormat::Json,
        2 => TraceFormat::Chrome,
        _ => TraceFormat::Text,
    }
}

/// The `log_path` template (before `%p` expansion); None means stderr.
pub fn log_path() -> Option<&'static [u8]> {
    let n = PATH_LEN.load(Ordering::Acquire);
    if n == 0 {
        return None;
    }
    // SAFETY: the first n bytes were written before the Release store that
    // published n, and are never written again.
    Some(unsafe { core::slice::from_raw_parts(PATH.0.get() as *const u8, n) })
}

pub fn summary() -> bool {
    get(SUMMARY) != 0
}

pub fn verbosity() -> i64 {
    get(VERBOSITY)
}

/// Per-thread trace buffer size; 0 = one write(2) per record.
pub fn trace_buffer() -> usize {
    get(TRACE_BUFFER) as usize
}

/// Idle time before a registration is demoted to the cold set (ns).
pub fn cold_after_ns() -> u64 {
    get(COLD_AFTER_MS) as u64 * 1_000_000
}

/// Whether `syscall(SYS_io_uring_setup)` fails with ENOSYS (default yes).
pub fn refuse_io_uring() -> bool {
    get(IO_URING) == 0
}

pub fn lint() -> bool {
    get(LINT) != 0
}

/// Whether lint `id` (one of LINT_IDS) was disabled with `lint_disable=`.
pub fn lint_disabled(id: &str) -> bool {
    let mask = get(LINT_DISABLE) as u64;
    LINT_IDS
        .iter()
        .position(|&x| x == id)
        .is_some_and(|i| mask & (1 << i) != 0)
}

/// `rdhup=uniform` (EPOLLRDHUP synthesised at end of file; issue 6).
pub fn rdhup_uniform() -> bool {
    get(RDHUP) == 1
}

/// `halfclose_timeout_ms` in nanoseconds.
pub fn halfclose_timeout_ns() -> u64 {
    get(HALFCLOSE_TIMEOUT_MS) as u64 * 1_000_000
}

/// The signal number of `dump_signal=` (0: off).
pub fn dump_signal() -> i32 {
    DUMP_SIGNALS
        .get(get(DUMP_SIGNAL) as usize)
        .copied()
        .unwrap_or(0)
}

/// Lint thresholds (LINTS.md).
pub fn lint_et_undrained_ns() -> u64 {
    get(LINT_ET_UNDRAINED_MS) as u64 * 1_000_000
}
pub fn lint_oneshot_ns() -> u64 {
    get(LINT_ONESHOT_MS) as u64 * 1_000_000
}
pub fn lint_writable_spin() -> u32 {
    get(LINT_WRITABLE_SPIN).min(u32::MAX as i64) as u32
}
pub fn lint_ready_ignored() -> u32 {
    get(LINT_READY_IGNORED).min(u32::MAX as i64) as u32
}
pub fn lint_busy_poll() -> u32 {
    get(LINT_BUSY_POLL).min(u32::MAX as i64) as u32
}
pub fn lint_herd() -> u32 {
    get(LINT_HERD).min(u32::MAX as i64) as u32
}

/// True when the loader runs us in secure-execution mode (setuid, setgid,
/// capabilities): no option may make us write a file.
pub fn secure() -> bool {
    let saved = sys::errno();
    // SAFETY: getauxval reads the auxiliary vector; it sets errno to ENOENT
    // when the entry is absent, which we undo.
    let v = unsafe { libc::getauxval(libc::AT_SECURE) };
    sys::set_errno(saved);
    v != 0
}

/// Parses REPOLL_OPTIONS once (the constructor calls this first).
pub fn init() {
    if INITIALISED.swap(true, Ordering::AcqRel) {
        return;
    }
    // SAFETY: getenv returns a pointer into the environment or null; the
    // constructor runs before the program can change its environment.
    let p = unsafe { libc::getenv(c"REPOLL_OPTIONS".as_ptr()) };
    if p.is_null() {
        return;
    }
    // SAFETY: a NUL-terminated string from the environment.
    let s = unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes();
    parse(s);
}

/// Applies an option string. Warnings go to stderr unless the string (its
/// last `verbosity=` entry) says `verbosity=0`.
pub fn parse(s: &[u8]) {
    // First pass: only verbosity, silently, so that `verbosity=0` anywhere
    // silences the warnings of the second pass.
    for entry in s.split(|&c| c == b':') {
        if let Some(v) = entry.strip_prefix(b"verbosity=") {
            if let Some(n) = parse_int(v) {
                if (0..=9).contains(&n) {
                    VALUES[VERBOSITY].store(n, Ordering::Relaxed);
                }
            }
        }
    }
    for entry in s.split(|&c| c == b':') {
        if entry.is_empty() {
            continue;
        }
        let (key, value) = match entry.iter().position(|&c| c == b'=') {
            Some(i) => (&entry[..i], Some(&entry[i + 1..])),
            None => (entry, None),
        };
        let Some(index) = SPECS.iter().position(|s| s.name.as_bytes() == key) else {
            warn(&[
                W::S("unknown option '"),
                W::B(key),
                W::S("' in REPOLL_OPTIONS (ignored; help=1 lists the options)"),
            ]);
            continue;
        };
        let spec = &SPECS[index];
        let Some(value) = value else {
            warn(&[
                W::S("option '"),
                W::S(spec.name),
                W::S("' in REPOLL_OPTIONS needs a value ("),
                W::S(spec.name),
                W::S("=...; ignored)"),
            ]);
            continue;
        };
        apply(index, spec, value);
    }
    if log_path().is_some() && secure() {
        PATH_LEN.store(0, Ordering::Release);
        warn(&[W::S(
            "log_path ignored: secure-execution (setuid/setgid) process; writing to stderr",
        )]);
    }
    if get(HELP) != 0 {
        print_help();
    }
}

fn apply(index: usize, spec: &Spec, value: &[u8]) {
    let parsed: Option<i64> = match spec.kind {
        Kind::Bool => match value {
            b"1" | b"true" | b"yes" => Some(1),
            b"0" | b"false" | b"no" => Some(0),
            _ => None,
        },
        Kind::Int { min, max } => parse_int(value).filter(|n| (min..=max).contains(n)),
        Kind::Size { max } => parse_size(value).filter(|&n| n <= max),
        Kind::Enum(words) => words
            .iter()
            .position(|w| w.as_bytes() == value)
            .map(|i| i as i64),
        Kind::Path => {
            if value.is_empty() || value.len() >= PATH_MAX || value.contains(&0) {
                None
            } else {
                check_path_escapes(value);
                // SAFETY: only the constructor writes, before publishing the
                // length below; no reader can hold a longer slice.
                unsafe {
                    PATH_LEN.store(0, Ordering::Release);
                    core::ptr::copy_nonoverlapping(
                        value.as_ptr(),
                        PATH.0.get() as *mut u8,
                        value.len(),
                    );
                }
                PATH_LEN.store(value.len(), Ordering::Release);
                return;
            }
        }
        Kind::IdList(ids) => {
            let mut mask = 0u64;
            for id in value.split(|&c| c == b',') {
                if id.is_empty() {
                    continue;
                }
                match ids.iter().position(|x| x.as_bytes() == id) {
                    Some(i) => mask |= 1 << i,
                    None => warn(&[
                        W::S("unknown id '"),
                        W::B(id),
                        W::S("' in "),
                        W::S(spec.name),
                        W::S(" (ignored)"),
                    ]),
                }
            }
            Some(mask as i64)
        }
    };
    match parsed {
        Some(v) => VALUES[index].store(v, Ordering::Relaxed),
        None => {
            let mut expected = [0u8; 160];
            let mut e = LineBuf::new(&mut expected);
            describe_kind(&mut e, spec.kind);
            let n = e.len();
            let mut current = [0u8; 32];
            let mut c = LineBuf::new(&mut current);
            describe_value(&mut c, index);
            let m = c.len();
            warn(&[
                W::S("bad value '"),
                W::B(value),
                W::S("' for option '"),
                W::S(spec.name),
                W::S("' in REPOLL_OPTIONS (expected "),
                W::B(&expected[..n]),
                W::S("; keeping "),
                W::B(&current[..m]),
                W::S(")"),
            ]);
        }
    }
}

/// Warns about `%` sequences other than `%p`, `%b`, `%%` (kept literally).
fn check_path_escapes(value: &[u8]) {
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' {
            match value.get(i + 1) {
                Some(b'p') | Some(b'b') | Some(b'%') => i += 1,
                _ => warn(&[
                    W::S("log_path '"),
                    W::B(value),
                    W::S("': only %p, %b and %% are expanded; other '%' are kept"),
                ]),
            }
        }
        i += 1;
    }
}

fn parse_int(v: &[u8]) -> Option<i64> {
    let (neg, digits) = match v.first() {
        Some(b'-') => (true, &v[1..]),
        _ => (false, v),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |acc, &d| acc * 10 + (d - b'0') as i64);
    Some(if neg { -n } else { n })
}

fn parse_size(v: &[u8]) -> Option<i64> {
    let (digits, shift) = match v.last() {
        Some(b'k') | Some(b'K') => (&v[..v.len() - 1], 10),
        Some(b'm') | Some(b'M') => (&v[..v.len() - 1], 20),
        _ => (v, 0),
    };
    let n = parse_int(digits).filter(|&n| n >= 0)?;
    n.checked_mul(1 << shift)
}

fn describe_kind(b: &mut LineBuf<'_>, kind: Kind) {
    match kind {
        Kind::Bool => b.push_str("0|1"),
        Kind::Int { min, max } => {
            b.push_i64(min);
            b.push_str("..");
            b.push_i64(max);
        }
        Kind::Size { max } => {
            b.push_str("BYTES[k|m]<=");
            b.push_u64(max as u64 >> 20);
            b.push_str("m");
        }
        Kind::Enum(words) => {
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    b.push(b'|');
                }
                b.push_str(w);
            }
        }
        Kind::Path => b.push_str("PATH"),
        Kind::IdList(_) => b.push_str("ID,ID,..."),
    }
}

fn describe_value(b: &mut LineBuf<'_>, index: usize) {
    let v = get(index);
    match SPECS[index].kind {
        Kind::Enum(words) => b.push_str(words.get(v as usize).copied().unwrap_or("?")),
        Kind::Path => match log_path() {
            Some(p) => b.push_bytes(&p[..p.len().min(24)]),
            None => b.push_str("stderr"),
        },
        Kind::IdList(ids) => {
            let mut first = true;
            for (i, id) in ids.iter().enumerate() {
                if v as u64 & (1 << i) != 0 {
                    if !first {
                        b.push(b',');
                    }
                    b.push_str(id);
                    first = false;
                }
            }
            if first {
                b.push_str("none");
            }
        }
        _ => b.push_i64(v),
    }
}

/// A piece of a warning message.
enum W<'a> {
    S(&'a str),
    B(&'a [u8]),
}

/// One line `repoll[PID]: ...` on stderr (raw write: libc's would come back
/// into our own hook), unless verbosity=0.
fn warn(parts: &[W<'_>]) {
    if verbosity() < 1 {
        return;
    }
    let mut storage = [0u8; 512];
    let mut b = LineBuf::new(&mut storage);
    b.set_limit(511);
    push_prefix(&mut b);
    for p in parts {
        match *p {
            W::S(s) => b.push_str(s),
            // Shown clipped and printable: the value came from the user.
            W::B(bytes) => {
                for &c in bytes.iter().take(200) {
                    b.push(if (0x20..0x7f).contains(&c) { c } else { b'?' });
                }
            }
        }
    }
    b.set_limit(512);
    b.clear_overflow();
    b.push(b'\n');
    let _ = sys::write_all(2, b.as_bytes());
}

/// `repoll[PID]: `.
pub fn push_prefix(b: &mut LineBuf<'_>) {
    b.push_str("repoll[");
    b.push_u64(sys::getpid() as u64);
    b.push_str("]: ");
}

fn print_help() {
    let mut storage = [0u8; 512];
    let mut b = LineBuf::new(&mut storage);
    push_prefix(&mut b);
    b.push_str("options (REPOLL_OPTIONS=key=value:key=value; later entries win):\n");
    let _ = sys::write_all(2, b.as_bytes());
    for (i, spec) in SPECS.iter().enumerate() {
        let mut b = LineBuf::new(&mut storage);
        b.push_str("  ");
        b.push_str(spec.name);
        b.push(b'=');
        let start = b.len();
        describe_kind(&mut b, spec.kind);
        for _ in (b.len() - start + spec.name.len())..34 {
            b.push(b' ');
        }
        b.push_str(" (now ");
        describe_value(&mut b, i);
        b.push_str(")\n      ");
        b.push_str(spec.help);
        b.push(b'\n');
        let _ = sys::write_all(2, b.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_sizes() {
        assert_eq!(parse_int(b"12"), Some(12));
        assert_eq!(parse_int(b"-3"), Some(-3));
        assert_eq!(parse_int(b"1x"), None);
        assert_eq!(parse_int(b""), None);
        assert_eq!(parse_size(b"64k"), Some(65536));
        assert_eq!(parse_size(b"1M"), Some(1 << 20));
        assert_eq!(parse_size(b"-1"), None);
    }
}
