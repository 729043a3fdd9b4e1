//! Where trace output goes: stderr, or the file named by `log_path`.
//!
//! The file is opened with the raw `openat` system call (our own `open`
//! hooks must not see it) as `O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC|
//! O_NOFOLLOW`, mode 0600, then moved above the descriptors programs use
//! (`F_DUPFD_CLOEXEC`, as the core moves its wake eventfds). `%p` expands to
//! the pid, so each process of a forking server gets its own file: a forked
//! child reopens under its new pid. The descriptor is `O_CLOEXEC`; after an
//! `exec` the new image opens the same name again (same pid) and appends.
//!
//! Writes are one `write(2)` of whole lines. With `O_APPEND` a regular file
//! write is atomic with respect to other appenders (the inode lock), so
//! lines of different threads and processes never interleave; a pipe or
//! socket only guarantees that up to `PIPE_BUF`, so for those the record
//! size is capped at `PIPE_BUF` and batches are split at line boundaries.

use crate::fdtable;
use crate::options::{self, TraceFormat};
use crate::sys;
use crate::trace::fmt::LineBuf;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use libc::c_int;

/// Largest record written in one piece to a regular file or terminal.
pub const MAX_RECORD: usize = 64 * 1024;
/// POSIX `PIPE_BUF` on Linux: writes up to this size are atomic on a pipe.
pub const PIPE_BUF: usize = 4096;

/// The descriptor we write to (2 until a log file is opened).
static LOG_FD: AtomicI32 = AtomicI32::new(2);
/// LOG_FD is a file we opened (not the program's stderr).
static OWNED: AtomicBool = AtomicBool::new(false);
/// Record size limit for LOG_FD (PIPE_BUF for pipes and sockets).
static RECORD_CAP: AtomicUsize = AtomicUsize::new(PIPE_BUF);
/// Records that could not be written (full disk, closed descriptor...).
pub static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// The descriptor trace output goes to.
#[inline]
pub fn fd() -> c_int {
    LOG_FD.load(Ordering::Relaxed)
}

/// Whether `fd` is the log file repoll opened (the close and dup hooks must
/// not let the program close or replace it; see `relocate`).
#[inline]
pub fn is_log_fd(fd: c_int) -> bool {
    fd >= 0 && OWNED.load(Ordering::Relaxed) && LOG_FD.load(Ordering::Relaxed) == fd
}

/// Largest record that keeps its line atomic on this descriptor.
#[inline]
pub fn record_cap() -> usize {
    RECORD_CAP.load(Ordering::Relaxed)
}

/// Writes complete lines. A pipe gets pieces of at most PIPE_BUF bytes cut
/// at line ends, so no line is ever split between two writes.
pub fn write(bytes: &[u8]) {
    let fd = fd();
    if OWNED.load(Ordering::Relaxed) && fdtable::bits(fd) & fdtable::INTERNAL == 0 {
        // The program closed our descriptor behind the close hooks' back
        // (they forget a closed fd's bits): its number may already name
        // one of the program's files, which must never receive our lines.
        closed_by_program(fd);
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut rest = bytes;
    let cap = record_cap();
    while !rest.is_empty() {
        let mut n = rest.len();
        if n > cap {
            n = rest[..cap]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(cap, |i| i + 1);
        }
        if sys::write_all(fd, &rest[..n]).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
            return;
        }
        rest = &rest[n..];
    }
}

/// Opens the log named by `log_path` (or keeps stderr). Called by
/// `trace::init` and, when the name has `%p`, in a forked child. A failure
/// warns once and falls back to stderr: the program is never affected.
pub fn open(in_child: bool) {
    let Some(template) = options::log_path() else {
        if !in_child {
            set_stderr();
            header(true);
        }
        return;
    };
    if in_child && !template.windows(2).any(|w| w == b"%p") {
        // Same file as the parent: the inherited descriptor is shared, and
        // O_APPEND keeps both processes' lines whole.
        return;
    }
    if !in_child {
        capture_cwd();
    }
    let mut path = [0u8; options::PATH_MAX + 1024 + 64];
    let len = expand(template, &mut path);
    path[len] = 0;
    let old = if OWNED.load(Ordering::Relaxed) {
        Some(fd())
    } else {
        None
    };
    match open_file(&path[..len + 1]) {
        Ok(fd) => {
            let st = sys::fstat(fd).ok();
            let pipe_like = st.is_some_and(|s| {
                let t = s.st_mode & libc::S_IFMT;
                t == libc::S_IFIFO || t == libc::S_IFSOCK
            });
            let empty =
                st.is_some_and(|s| s.st_size == 0 && s.st_mode & libc::S_IFMT == libc::S_IFREG);
            RECORD_CAP.store(
                if pipe_like { PIPE_BUF } else { MAX_RECORD },
                Ordering::Relaxed,
            );
            // An internal descriptor for the close hooks (fdtable.rs): the
            // bit is also how `write` notices the program closed it.
            fdtable::set_bits(fd, fdtable::INTERNAL);
            LOG_FD.store(fd, Ordering::Release);
            OWNED.store(true, Ordering::Release);
            if let Some(old) = old {
                fdtable::forget(old);
                let _ = sys::close(old);
            }
            header(empty);
            if options::verbosity() >= 2 {
                info(&[b"tracing to ", &path[..len]]);
            }
        }
        Err(e) => {
            if let Some(old) = old {
                // A child whose own file cannot be opened must not keep
                // writing into its parent's.
                fdtable::forget(old);
                let _ = sys::close(old);
            }
            set_stderr();
            let mut msg = [0u8; 160];
            let mut b = LineBuf::new(&mut msg);
            b.push_str("': ");
            super::fmt::push_errno_name(&mut b, e);
            b.push_str(" (");
            b.push_str(
                super::errnames::ERRNOS
                    .get(e as usize)
                    .map_or("error", |x| x.1),
            );
            b.push_str("); writing to stderr instead");
            let n = b.len();
            warn(&[b"cannot open log_path '", &path[..len], &msg[..n]]);
            header(!in_child);
        }
    }
}

/// The log descriptor was closed by the program: stop writing to that
/// number (once, with a warning).
fn closed_by_program(fd: c_int) {
    if OWNED
        .compare_exchange(true, false, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
    {
        LOG_FD.store(-1, Ordering::Release);
        let mut digits = [0u8; 20];
        let mut b = LineBuf::new(&mut digits);
        b.push_u64(fd as u64);
        let n = b.len();
        warn(&[
            b"the program closed the trace log (fd ",
            &digits[..n],
            b"); tracing stops",
        ]);
    }
}

fn set_stderr() {
    LOG_FD.store(2, Ordering::Release);
    OWNED.store(false, Ordering::Release);
    let pipe_like = sys::fstat(2).is_ok_and(|s| {
        let t = s.st_mode & libc::S_IFMT;
        t == libc::S_IFIFO || t == libc::S_IFSOCK
    });
    RECORD_CAP.store(
        if pipe_like { PIPE_BUF } else { MAX_RECORD },
        Ordering::Relaxed,
    );
}

/// The Chrome format's opening bracket (JSON Array Format) when the file is
/// new, and the process name for the viewer.
fn header(new_file: bool) {
    if !options::trace() || options::trace_format() != TraceFormat::Chrome {
        return;
    }
    let mut storage = [0u8; 256];
    let mut b = LineBuf::new(&mut storage);
    if new_file {
        b.push_str("[\n");
    }
    let mut name = [0u8; 17];
    let n = thread_name(&mut name);
    let pid = sys::getpid() as u64;
    b.push_str("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
    b.push_u64(pid);
    b.push_str(",\"tid\":");
    b.push_u64(pid);
    b.push_str(",\"args\":{\"name\":");
    b.push_json_str(&name[..n]);
    b.push_str("}},\n");
    write(b.as_bytes());
}

/// The calling thread's name (`comm`, at most 15 bytes) via prctl: one
/// system call and no descriptor.
pub fn thread_name(out: &mut [u8; 17]) -> usize {
    let r = sys::call(
        libc::SYS_prctl,
        [
            libc::PR_GET_NAME as usize,
            out.as_mut_ptr() as usize,
            0,
            0,
            0,
            0,
        ],
    );
    if r.is_err() {
        return 0;
    }
    out.iter().position(|&c| c == 0).unwrap_or(16)
}

/// Expands `%p` (pid), `%b` (program file name) and `%%` into `out`;
/// returns the length (leaving room for a NUL).
fn expand(template: &[u8], out: &mut [u8]) -> usize {
    let mut storage_len = 0;
    let cwd_len = CWD_LEN.load(Ordering::Acquire);
    let cap = out.len() - 1;
    let mut i = 0;
    let mut push = |out: &mut [u8], bytes: &[u8]| {
        for &c in bytes {
            if storage_len < cap {
                out[storage_len] = c;
                storage_len += 1;
            }
        }
    };
    if template.first() != Some(&b'/') && cwd_len > 0 {
        // SAFETY: CWD's first cwd_len bytes were written before the
        // Release store of CWD_LEN and are never written again.
        let cwd = unsafe { core::slice::from_raw_parts(CWD.0.get() as *const u8, cwd_len) };
        push(out, cwd);
        push(out, b"/");
    }
    while i < template.len() {
        let c = template[i];
        if c == b'%' && i + 1 < template.len() {
            match template[i + 1] {
                b'p' => {
                    let mut digits = [0u8; 20];
                    let mut b = LineBuf::new(&mut digits);
                    b.push_u64(sys::getpid() as u64);
                    let n = b.len();
                    push(out, &digits[..n]);
                    i += 2;
                    continue;
                }
                b'b' => {
                    let mut exe = [0u8; 256];
                    let n = program_name(&mut exe);
                    push(out, &exe[..n]);
                    i += 2;
                    continue;
                }
                b'%' => {
                    push(out, b"%");
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        push(out, &[c]);
        i += 1;
    }
    storage_len
}

/// The working directory when tracing started: a relative log_path keeps
/// naming the same place in a child that changed directory (daemons
/// `chdir("/")` before forking workers).
struct CwdCell(core::cell::UnsafeCell<[u8; 1024]>);
// SAFETY: written once by `capture_cwd` (the constructor) before the
// Release store of CWD_LEN; read only after an Acquire load of it.
unsafe impl Sync for CwdCell {}
static CWD: CwdCell = CwdCell(core::cell::UnsafeCell::new([0; 1024]));
static CWD_LEN: AtomicUsize = AtomicUsize::new(0);

fn capture_cwd() {
    if CWD_LEN.load(Ordering::Acquire) != 0 {
        return;
    }
    let r = sys::call(libc::SYS_getcwd, [CWD.0.get() as usize, 1024, 0, 0, 0, 0]);
    // The kernel returns the length including the NUL.
    if let Ok(n) = r {
        if n > 1 {
            CWD_LEN.store(n - 1, Ordering::Release);
        }
    }
}

/// The base name of /proc/self/exe (readlink through the raw system call).
fn program_name(out: &mut [u8; 256]) -> usize {
    let mut link = [0u8; 4096];
    let n = match sys::call(
        libc::SYS_readlinkat,
        [
            libc::AT_FDCWD as usize,
            c"/proc/self/exe".as_ptr() as usize,
            link.as_mut_ptr() as usize,
            link.len(),
            0,
            0,
        ],
    ) {
        Ok(n) => n.min(link.len()),
        Err(_) => return 0,
    };
    let name = &link[..n];
    let base = name
        .iter()
        .rposition(|&c| c == b'/')
        .map_or(name, |i| &name[i + 1..]);
    let m = base.len().min(out.len());
    out[..m].copy_from_slice(&base[..m]);
    m
}

/// `path` ends with a NUL. Opens and moves the descriptor out of the way.
fn open_file(path: &[u8]) -> Result<c_int, c_int> {
    let flags =
        libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND | libc::O_CLOEXEC | libc::O_NOFOLLOW;
    let fd = sys::call(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as usize,
            path.as_ptr() as usize,
            flags as usize,
            0o600,
            0,
            0,
        ],
    )? as c_int;
    Ok(move_high(fd))
}

/// Moves `fd` to the first free number at or above 3/4 of the soft
/// RLIMIT_NOFILE, at most 1000 (the core's `move_high`, copied here so the
/// trace sink depends on nothing in core).
fn move_high(fd: c_int) -> c_int {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let _ = sys::call(
        libc::SYS_getrlimit,
        [
            libc::RLIMIT_NOFILE as usize,
            &mut lim as *mut _ as usize,
            0,
            0,
            0,
            0,
        ],
    );
    let soft = lim.rlim_cur.min(1 << 20) as usize;
    let floor = (soft * 3 / 4).clamp(3, 1000);
    if fd as usize >= floor {
        return fd;
    }
    match sys::fcntl(fd, libc::F_DUPFD_CLOEXEC, floor) {
        Ok(high) => {
            let _ = sys::close(fd);
            high as c_int
        }
        Err(_) => fd,
    }
}

/// The program is about to make `fd` (our log) a copy of another file
/// (dup2/dup3 onto it): move the log elsewhere first.
pub fn relocate(fd: c_int) {
    if !is_log_fd(fd) {
        return;
    }
    if let Ok(new) = sys::fcntl(fd, libc::F_DUPFD_CLOEXEC, fd as usize + 1) {
        fdtable::set_bits(new as c_int, fdtable::INTERNAL);
        LOG_FD.store(new as c_int, Ordering::Release);
        fdtable::forget(fd);
        let _ = sys::close(fd);
    }
}

/// `repoll[PID]: ...` on stderr, for verbosity ≥ 1.
pub fn warn(parts: &[&[u8]]) {
    if options::verbosity() >= 1 {
        line_to_stderr(parts);
    }
}

/// `repoll[PID]: ...` on stderr, for verbosity ≥ 2.
pub fn info(parts: &[&[u8]]) {
    if options::verbosity() >= 2 {
        line_to_stderr(parts);
    }
}

fn line_to_stderr(parts: &[&[u8]]) {
    let mut storage = [0u8; 1536];
    let mut b = LineBuf::new(&mut storage);
    b.set_limit(1535);
    options::push_prefix(&mut b);
    for p in parts {
        b.push_bytes(p);
    }
    b.set_limit(1536);
    b.clear_overflow();
    b.push(b'\n');
    let _ = sys::write_all(2, b.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_sequences_expand() {
        let mut out = [0u8; 128];
        let n = expand(b"/tmp/t.%p.log", &mut out);
        let s = std::str::from_utf8(&out[..n]).unwrap();
        assert_eq!(s, std::format!("/tmp/t.{}.log", std::process::id()));
        let n = expand(b"a%%b%q", &mut out);
        assert_eq!(&out[..n], b"a%b%q");
    }
}
