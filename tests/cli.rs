//! Integration tests of the `repoll` launcher (src/bin/repoll.rs).
//!
//! The real librepoll.so is not needed: most tests point REPOLL_LIBRARY at a
//! fake `librepoll.so` (any file) and inspect `--dry-run` / `--print-library`
//! output or the launcher's errors.  Tests that really exec a program through
//! the launcher only look at its stdout and exit status: with a fake library
//! the dynamic loader prints a warning on stderr and runs the program anyway.
//!
//! Files that get executed are created under a global write lock and every
//! process is spawned under the matching read lock, so that no child forked
//! by a parallel test can hold a file open for writing while it is executed
//! (which would fail with ETXTBSY).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

const REPOLL: &str = env!("CARGO_BIN_EXE_repoll");

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

static EXEC_LOCK: RwLock<()> = RwLock::new(());

/// Held while creating files that will be executed.
fn write_lock() -> RwLockWriteGuard<'static, ()> {
    EXEC_LOCK.write().unwrap_or_else(|e| e.into_inner())
}

/// Held while spawning processes.
fn spawn_lock() -> RwLockReadGuard<'static, ()> {
    EXEC_LOCK.read().unwrap_or_else(|e| e.into_inner())
}

/// A directory under cargo's per-target temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cli-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path.canonicalize().unwrap())
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Creates a fake library file (not ELF: any file will do).
    fn fake_library(&self) -> PathBuf {
        let path = self.join("librepoll.so");
        fs::write(&path, b"not really a shared object\n").unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes `contents` to `path` with permission bits `mode`.
fn write_file(path: &Path, contents: &[u8], mode: u32) {
    let _guard = write_lock();
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Copies the repoll binary to `dir/repoll` (so it looks for its library
/// relative to `dir`).
fn copy_repoll(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let dest = dir.join("repoll");
    let _guard = write_lock();
    fs::copy(REPOLL, &dest).unwrap();
    dest
}

/// A `repoll` command with a clean slate: none of the variables the launcher
/// reads are inherited from the test environment.
fn repoll_at(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env_remove("REPOLL_LIBRARY")
        .env_remove("REPOLL_OPTIONS")
        .env_remove("LD_PRELOAD")
        .stdin(Stdio::null());
    cmd
}

/// `repoll` with REPOLL_LIBRARY pointing at `library`.
fn repoll(library: &Path) -> Command {
    let mut cmd = repoll_at(Path::new(REPOLL));
    cmd.env("REPOLL_LIBRARY", library);
    cmd
}

/// Runs `cmd` to completion, retrying if the executable is momentarily busy.
fn run(cmd: &mut Command) -> Output {
    for _ in 0..50 {
        let result = {
            let _guard = spawn_lock();
            cmd.output()
        };
        match result {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
    panic!("executable stayed busy: {cmd:?}");
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing the output on failure.
#[track_caller]
fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// The single `--dry-run` line for `args`, with REPOLL_LIBRARY = `library`
/// and the extra environment `env`.
#[track_caller]
fn dry_run(library: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = repoll(library);
    cmd.arg("--dry-run").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one line expected: {text:?}");
    text.trim_end_matches('\n').to_owned()
}

/// The REPOLL_OPTIONS value that `--dry-run` shows for `args` (None if it
/// does not set the variable).
#[track_caller]
fn options_for(library: &Path, env: &[(&str, &str)], args: &[&str]) -> Option<String> {
    let line = dry_run(library, env, args);
    line.split(' ')
        .find_map(|word| word.strip_prefix("REPOLL_OPTIONS="))
        .map(str::to_owned)
}

/// A dynamically linked executable of the host (the test binary itself is
/// one, but a copy of a system tool is smaller): `/bin/true`'s target.
fn dynamic_executable() -> PathBuf {
    let candidates = ["/bin/true", "/usr/bin/true", "/bin/sh"];
    let path = candidates
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("no /bin/true or /bin/sh");
    path.canonicalize().unwrap()
}

/// Minimal little-endian ELF image: the file header and one program header
/// per entry of `types`; each PT_DYNAMIC points at a dynamic section holding
/// DT_FLAGS_1 = `flags_1` (if given) and DT_NULL.
fn elf_image(is_64: bool, machine: u16, types: &[u32], flags_1: Option<u64>) -> Vec<u8> {
    let le = |v: u64, n: usize| v.to_le_bytes()[..n].to_vec();
    let (ehsize, phsize, word) = if is_64 { (64, 56, 8) } else { (52, 32, 4) };
    let dyn_off = (ehsize + phsize * types.len()) as u64;
    let dyn_size = 4 * word as u64;

    let mut out = vec![0x7f, b'E', b'L', b'F', if is_64 { 2 } else { 1 }, 1, 1];
    out.resize(16, 0);
    out.extend(le(3, 2)); // e_type = ET_DYN
    out.extend(le(machine.into(), 2));
    out.extend(le(1, 4)); // e_version
    out.extend(le(0, word)); // e_entry
    out.extend(le(ehsize as u64, word)); // e_phoff
    out.extend(le(0, word)); // e_shoff
    out.extend(le(0, 4)); // e_flags
    out.extend(le(ehsize as u64, 2));
    out.extend(le(phsize as u64, 2));
    out.extend(le(types.len() as u64, 2));
    out.extend([0u8; 6]);
    assert_eq!(out.len(), ehsize);
    for &p_type in types {
        let mut ph = le(p_type.into(), 4);
        if is_64 {
            ph.extend(le(0, 4)); // p_flags
            ph.extend(le(dyn_off, 8)); // p_offset
            ph.extend([0u8; 16]); // p_vaddr, p_paddr
            ph.extend(le(dyn_size, 8)); // p_filesz
            ph.extend([0u8; 16]); // p_memsz, p_align
        } else {
            ph.extend(le(dyn_off, 4)); // p_offset
            ph.extend([0u8; 8]); // p_vaddr, p_paddr
            ph.extend(le(dyn_size, 4)); // p_filesz
            ph.extend([0u8; 12]); // p_memsz, p_flags, p_align
        }
        assert_eq!(ph.len(), phsize);
        out.extend(ph);
    }
    let mut dynamic = Vec::new();
    if let Some(flags) = flags_1 {
        dynamic.extend(le(0x6fff_fffb, word)); // DT_FLAGS_1
        dynamic.extend(le(flags, word));
    }
    dynamic.resize(dyn_size as usize, 0); // DT_NULL
    out.extend(dynamic);
    out
}

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_LOAD: u32 = 1;
const DF_1_PIE: u64 = 0x0800_0000;

/// `e_machine` of the host, read from the repoll binary.
fn host_machine() -> u16 {
    let bytes = fs::read(REPOLL).unwrap();
    u16::from_le_bytes([bytes[18], bytes[19]])
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

// ---------------------------------------------------------------------------
// Help, version, usage errors
// ---------------------------------------------------------------------------

#[test]
fn help_lists_every_flag_and_examples() {
    for flag in ["--help", "-h"] {
        let out = run(repoll_at(Path::new(REPOLL)).arg(flag));
        assert_code(&out, 0);
        let text = stdout(&out);
        for needle in [
            "--trace",
            "--format=",
            "text, json or chrome",
            "--summary",
            "--lint",
            "--lint-disable",
            "shared-after-fork",
            "--rdhup",
            "--halfclose-timeout=MS",
            "--dump-signal=SIG",
            "--log=",
            "--option KEY=VALUE",
            "-o,",
            "--verbose",
            "--force",
            "--dry-run",
            "--print-library",
            "--version",
            "REPOLL_LIBRARY",
            "Examples",
            "repoll -- ./server",
            "repoll --trace --format=json --log=/tmp/trace.%p.jsonl -- redis-server --port 7000",
            "repoll --lint --summary -- python3 app.py",
            "REPOLL_OPTIONS=trace=1 LD_PRELOAD=/usr/local/lib/repoll/librepoll.so ./prog",
            "already running process is not supported",
        ] {
            assert!(text.contains(needle), "{flag}: help lacks {needle:?}");
        }
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
    }
}

#[test]
fn version_prints_package_version() {
    for flag in ["--version", "-V"] {
        let out = run(repoll_at(Path::new(REPOLL)).arg(flag));
        assert_code(&out, 0);
        assert_eq!(
            stdout(&out),
            format!("repoll {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn unknown_option_is_a_usage_error() {
    let dir = TempDir::new("unknown");
    let lib = dir.fake_library();
    let out = run(repoll(&lib).args(["--x", "true"]));
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "repoll: unknown option '--x' (see repoll --help)\n"
    );
    assert!(out.stdout.is_empty());

    let out = run(repoll(&lib).args(["-q", "true"]));
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("unknown option '-q'"),
        "{}",
        stderr(&out)
    );

    // A flag that takes no value, given one.
    let out = run(repoll(&lib).args(["--summary=yes", "true"]));
    assert_code(&out, 2);
}

#[test]
fn missing_program_is_a_usage_error() {
    let dir = TempDir::new("noprog");
    let lib = dir.fake_library();
    for args in [&[][..], &["--trace"], &["--summary", "--"], &["-v"]] {
        let out = run(repoll(&lib).args(args));
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains("missing PROGRAM"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn invalid_option_values_are_usage_errors() {
    let dir = TempDir::new("badvalues");
    let lib = dir.fake_library();
    for (args, needle) in [
        (&["--format=xml"][..], "invalid value 'xml' for --format"),
        (&["--format=json", "--format"], "requires a value"),
        (
            &["--rdhup=sometimes"],
            "invalid value 'sometimes' for --rdhup",
        ),
        (&["--lint-disable=busy-poll,nope"], "unknown lint id 'nope'"),
        (&["--lint-disable="], "empty lint id"),
        (
            &["--halfclose-timeout=0"],
            "invalid value '0' for --halfclose-timeout",
        ),
        (
            &["--halfclose-timeout=soon"],
            "invalid value 'soon' for --halfclose-timeout",
        ),
        (
            &["--dump-signal=SIGKILL"],
            "invalid value 'SIGKILL' for --dump-signal",
        ),
        (&["-o", "novalue"], "KEY=VALUE"),
        (&["--option=bad-key=1"], "invalid option name"),
        (&["--log=/tmp/a:b"], "must not contain ':'"),
        (&["--trace="], "needs a FILE"),
    ] {
        // PROGRAM comes only after the (last) option, except for the case
        // of a missing value, where there must be nothing after it.
        let mut cmd = repoll(&lib);
        cmd.args(args);
        if !needle.contains("requires") {
            cmd.arg("true");
        }
        let out = run(&mut cmd);
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains(needle),
            "{args:?}: expected {needle:?} in {}",
            stderr(&out)
        );
    }
}

// ---------------------------------------------------------------------------
// Library lookup
// ---------------------------------------------------------------------------

#[test]
fn print_library_uses_repoll_library() {
    let dir = TempDir::new("printlib");
    let lib = dir.fake_library();
    let out = run(repoll(&lib).arg("--print-library"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", lib.display()));
}

#[test]
fn relative_or_missing_repoll_library_is_refused() {
    let dir = TempDir::new("rellib");
    dir.fake_library();
    // Relative, even though ./librepoll.so exists in the working directory.
    let out = run(repoll(Path::new("librepoll.so"))
        .current_dir(dir.path())
        .arg("--print-library"));
    assert_code(&out, 127);
    assert!(
        stderr(&out).contains("must be an absolute path"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    let out = run(repoll(Path::new("./librepoll.so"))
        .current_dir(dir.path())
        .args(["--dry-run", "true"]));
    assert_code(&out, 127);

    let missing = dir.join("missing/librepoll.so");
    let out = run(repoll(&missing).arg("--print-library"));
    assert_code(&out, 127);
    assert!(stderr(&out).contains("No such file"), "{}", stderr(&out));

    // A directory is not a library.
    let out = run(repoll(dir.path()).arg("--print-library"));
    assert_code(&out, 127);
}

#[test]
fn library_next_to_the_executable_is_found() {
    let dir = TempDir::new("exedir");
    let exe = copy_repoll(&dir.join("build"));
    let lib = exe.with_file_name("librepoll.so");
    fs::write(&lib, b"fake").unwrap();
    let out = run(repoll_at(&exe).arg("--print-library"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", lib.display()));
}

#[test]
fn installed_layout_is_found() {
    let dir = TempDir::new("installed");
    let exe = copy_repoll(&dir.join("prefix/bin"));
    let libdir = dir.join("prefix/lib/repoll");
    fs::create_dir_all(&libdir).unwrap();
    let lib = libdir.join("librepoll.so");
    fs::write(&lib, b"fake").unwrap();
    let out = run(repoll_at(&exe).arg("--print-library"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", lib.display()));
    // The path put in LD_PRELOAD is that absolute path.
    let out = run(repoll_at(&exe).args(["--dry-run", "/bin/sh"]));
    assert_code(&out, 0);
    assert!(
        stdout(&out).starts_with(&format!("LD_PRELOAD={} ", lib.display())),
        "{}",
        stdout(&out)
    );
}

#[test]
fn symlinked_executable_uses_its_real_directory() {
    let dir = TempDir::new("symlink");
    let exe = copy_repoll(&dir.join("opt/bin"));
    let lib = exe.with_file_name("librepoll.so");
    fs::write(&lib, b"fake").unwrap();
    let link_dir = dir.join("usr/bin");
    fs::create_dir_all(&link_dir).unwrap();
    let link = link_dir.join("repoll");
    symlink(&exe, &link).unwrap();
    let out = run(repoll_at(&link).arg("--print-library"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), format!("{}\n", lib.display()));
}

#[test]
fn current_directory_is_never_searched() {
    let dir = TempDir::new("nocwd");
    // The executable's directory has no library, nor has ../lib/repoll.
    let exe = copy_repoll(&dir.join("prefix/bin"));
    let cwd = dir.join("work");
    fs::create_dir_all(cwd.join("lib/repoll")).unwrap();
    fs::write(cwd.join("librepoll.so"), b"fake").unwrap();
    fs::write(cwd.join("lib/repoll/librepoll.so"), b"fake").unwrap();

    for args in [
        &["--print-library"][..],
        &["--dry-run", "/bin/sh"],
        &["/bin/sh", "-c", "true"],
    ] {
        let out = run(repoll_at(&exe).current_dir(&cwd).args(args));
        assert_code(&out, 127);
        let err = stderr(&out);
        assert!(
            err.starts_with("repoll: cannot find librepoll.so (looked in: "),
            "{err}"
        );
        assert!(
            err.contains(&dir.join("prefix/bin/librepoll.so").display().to_string()),
            "{err}"
        );
        assert!(
            err.contains(
                &dir.join("prefix/lib/repoll/librepoll.so")
                    .display()
                    .to_string()
            ),
            "{err}"
        );
        assert!(!err.contains(&cwd.display().to_string()), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn library_path_that_ld_preload_cannot_express_is_refused() {
    let dir = TempDir::new("space");
    let spaced = dir.join("my libs");
    fs::create_dir_all(&spaced).unwrap();
    let lib = spaced.join("librepoll.so");
    fs::write(&lib, b"fake").unwrap();
    let out = run(repoll(&lib).args(["--dry-run", "/bin/sh"]));
    assert_code(&out, 127);
    assert!(
        stderr(&out).contains("LD_PRELOAD cannot"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------
// Environment composition
// ---------------------------------------------------------------------------

#[test]
fn dry_run_prints_environment_and_quoted_command() {
    let dir = TempDir::new("dryrun");
    let lib = dir.fake_library();
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    write_file(&bin.join("prog"), b"#!/bin/sh\nexit 0\n", 0o755);
    let path = bin.display().to_string();

    let line = dry_run(&lib, &[("PATH", &path)], &["prog", "a b", "it's", "--help"]);
    assert_eq!(
        line,
        format!(
            "LD_PRELOAD={} {}/prog 'a b' 'it'\\''s' --help",
            lib.display(),
            bin.display()
        )
    );

    // With options, and the `--` separator.
    let line = dry_run(&lib, &[("PATH", &path)], &["--summary", "--", "prog"]);
    assert_eq!(
        line,
        format!(
            "LD_PRELOAD={} REPOLL_OPTIONS=summary=1 {}/prog",
            lib.display(),
            bin.display()
        )
    );
}

#[test]
fn dry_run_keeps_non_utf8_arguments() {
    let dir = TempDir::new("nonutf8");
    let lib = dir.fake_library();
    let weird = OsString::from_vec(b"caf\xe9".to_vec());
    let out = run(repoll(&lib).args([OsStr::new("--dry-run"), OsStr::new("/bin/sh"), &weird]));
    assert_code(&out, 0);
    assert!(
        out.stdout.ends_with(b" /bin/sh 'caf\xe9'\n"),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn ld_preload_is_prepended_keeping_existing_entries() {
    let dir = TempDir::new("preload");
    let lib = dir.fake_library();
    let l = lib.display().to_string();
    let preload_of = |existing: &str| {
        let line = dry_run(&lib, &[("LD_PRELOAD", existing)], &["/bin/sh"]);
        let prefix = "LD_PRELOAD=";
        assert!(line.starts_with(prefix), "{line}");
        let rest = &line[prefix.len()..line.len() - " /bin/sh".len()];
        rest.trim_matches('\'').to_owned()
    };
    // Existing entries (which need not exist: the loader only warns) kept.
    assert_eq!(
        preload_of("/opt/libother.so"),
        format!("{l}:/opt/libother.so")
    );
    assert_eq!(preload_of("/a.so /b.so"), format!("{l}:/a.so /b.so"));
    // Already present: not added twice, moved to the front.
    assert_eq!(preload_of(&l), l);
    assert_eq!(preload_of(&format!("/a.so:{l}")), format!("{l}:/a.so"));
    // Another path to the same file counts as present: kept if first,
    // replaced by the library's own path (and moved first) otherwise.
    let alias = dir.join("alias.so");
    symlink(&lib, &alias).unwrap();
    let a = alias.display().to_string();
    assert_eq!(preload_of(&format!("{a}:/a.so")), format!("{a}:/a.so"));
    assert_eq!(preload_of(&format!("/a.so:{a}")), format!("{l}:/a.so"));
}

#[test]
fn flags_become_repoll_options() {
    let dir = TempDir::new("flags");
    let lib = dir.fake_library();
    let opts = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("/bin/sh");
        options_for(&lib, &[], &all)
    };
    assert_eq!(opts(&[]), None);
    assert_eq!(opts(&["--trace"]).as_deref(), Some("trace=1"));
    assert_eq!(
        opts(&["--trace=/tmp/t.%p.log"]).as_deref(),
        Some("trace=1:log_path=/tmp/t.%p.log")
    );
    assert_eq!(
        opts(&["--format=chrome"]).as_deref(),
        Some("trace_format=chrome")
    );
    assert_eq!(
        opts(&["--format", "text"]).as_deref(),
        Some("trace_format=text")
    );
    assert_eq!(opts(&["--summary"]).as_deref(), Some("summary=1"));
    assert_eq!(opts(&["--lint"]).as_deref(), Some("lint=1"));
    assert_eq!(
        opts(&[
            "--lint-disable=busy-poll,et-undrained",
            "--lint-disable",
            "thundering-herd"
        ])
        .as_deref(),
        Some("lint_disable=busy-poll,et-undrained,thundering-herd")
    );
    assert_eq!(opts(&["--rdhup=kernel"]).as_deref(), Some("rdhup=kernel"));
    assert_eq!(opts(&["--rdhup=uniform"]).as_deref(), Some("rdhup=uniform"));
    assert_eq!(
        opts(&["--halfclose-timeout=250"]).as_deref(),
        Some("halfclose_timeout_ms=250")
    );
    assert_eq!(
        opts(&["--halfclose-timeout", "7"]).as_deref(),
        Some("halfclose_timeout_ms=7")
    );
    assert_eq!(
        opts(&["--dump-signal=SIGUSR2"]).as_deref(),
        Some("dump_signal=SIGUSR2")
    );
    assert_eq!(
        opts(&["--dump-signal=USR1"]).as_deref(),
        Some("dump_signal=SIGUSR1")
    );
    assert_eq!(
        opts(&["--dump-signal=off"]).as_deref(),
        Some("dump_signal=off")
    );
    assert_eq!(
        opts(&["--log=/tmp/r.log"]).as_deref(),
        Some("log_path=/tmp/r.log")
    );
    assert_eq!(
        opts(&["-o", "a=1", "-ob=2", "--option", "c=x=y", "--option=d="]).as_deref(),
        Some("a=1:b=2:c=x=y:d=")
    );
    assert_eq!(opts(&["-v"]).as_deref(), Some("verbosity=2"));
    assert_eq!(opts(&["--verbose"]).as_deref(), Some("verbosity=2"));
    assert_eq!(opts(&["-vvv"]).as_deref(), Some("verbosity=4"));
    assert_eq!(opts(&["--verbose", "-vv"]).as_deref(), Some("verbosity=4"));
    // The last of two flags setting the same option wins, and stays last.
    assert_eq!(
        opts(&["--trace=/tmp/a", "--summary", "--log=/tmp/b"]).as_deref(),
        Some("trace=1:summary=1:log_path=/tmp/b")
    );
    assert_eq!(
        opts(&["--trace", "--format=json", "--log=/tmp/trace.%p.jsonl"]).as_deref(),
        Some("trace=1:trace_format=json:log_path=/tmp/trace.%p.jsonl")
    );
}

#[test]
fn existing_repoll_options_are_kept_and_cli_values_appended() {
    let dir = TempDir::new("options");
    let lib = dir.fake_library();
    let env = [("REPOLL_OPTIONS", "summary=0:trace_format=text")];
    assert_eq!(
        options_for(
            &lib,
            &env,
            &["--summary", "--format=json", "-o", "x=1", "/bin/sh"]
        )
        .as_deref(),
        Some("summary=0:trace_format=text:summary=1:trace_format=json:x=1")
    );
    // Without command-line options the variable is inherited untouched.
    assert_eq!(options_for(&lib, &env, &["/bin/sh"]), None);
    // A trailing separator does not produce an empty entry.
    assert_eq!(
        options_for(&lib, &[("REPOLL_OPTIONS", "a=1:")], &["--lint", "/bin/sh"]).as_deref(),
        Some("a=1:lint=1")
    );
}

// ---------------------------------------------------------------------------
// Running programs
// ---------------------------------------------------------------------------

#[test]
fn program_runs_with_environment_and_exit_status() {
    let dir = TempDir::new("exec");
    let lib = dir.fake_library();
    let out = run(repoll(&lib)
        .env("LD_PRELOAD", "/nonexistent/other.so")
        .env("REPOLL_OPTIONS", "a=1")
        .args(["--lint", "--", "sh", "-c"])
        .arg("printf '%s|%s|%s' \"$LD_PRELOAD\" \"$REPOLL_OPTIONS\" \"$1\"; exit 7")
        .args(["arg0", "one two"]));
    assert_code(&out, 7);
    assert_eq!(
        stdout(&out),
        format!("{}:/nonexistent/other.so|a=1:lint=1|one two", lib.display())
    );
}

#[test]
fn program_replaces_the_launcher() {
    let dir = TempDir::new("replace");
    let lib = dir.fake_library();
    // The program kills itself: only an exec'd program (not a child of
    // repoll) makes the launcher's status a signal status.
    let out = run(repoll(&lib).args(["sh", "-c", "kill -TERM $$"]));
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{:?}", out.status);

    // Same pid: the shell reports $PPID, which must be the test process.
    let out = run(repoll(&lib).args(["sh", "-c", "echo $PPID"]));
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), std::process::id().to_string());
}

#[test]
fn missing_program_is_127() {
    let dir = TempDir::new("notfound");
    let lib = dir.fake_library();
    let out = run(repoll(&lib).args(["repoll-no-such-command-xyz", "arg"]));
    assert_code(&out, 127);
    assert_eq!(
        stderr(&out),
        "repoll: repoll-no-such-command-xyz: command not found\n"
    );
    let missing = dir.join("nothing-here");
    let out = run(repoll(&lib).arg(&missing));
    assert_code(&out, 127);
    assert!(
        stderr(&out).contains("No such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn non_executable_program_is_126() {
    let dir = TempDir::new("noexec");
    let lib = dir.fake_library();
    let file = dir.join("script");
    write_file(&file, b"#!/bin/sh\necho hi\n", 0o644);
    let out = run(repoll(&lib).arg(&file));
    assert_code(&out, 126);
    assert_eq!(
        stderr(&out),
        format!("repoll: {}: Permission denied\n", file.display())
    );
    // Found only as a non-executable file along PATH.
    let out = run(repoll(&lib).env("PATH", dir.path()).arg("script"));
    assert_code(&out, 126);
    assert_eq!(stderr(&out), "repoll: script: Permission denied\n");
    // A directory.
    let out = run(repoll(&lib).arg(dir.path()));
    assert_code(&out, 126);
    assert!(stderr(&out).contains("Is a directory"), "{}", stderr(&out));
}

#[test]
fn scripts_are_allowed() {
    let dir = TempDir::new("script");
    let lib = dir.fake_library();
    let script = dir.join("hello.sh");
    write_file(&script, b"#!/bin/sh\necho \"hello $1\"\n", 0o755);
    let out = run(repoll(&lib).arg(&script).arg("world"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "hello world\n");
}

// ---------------------------------------------------------------------------
// Programs a preload cannot work for
// ---------------------------------------------------------------------------

/// Whether set-ID bits take effect for files in `dir` (not a nosuid mount).
fn setid_effective(dir: &Path) -> bool {
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: valid NUL-terminated path and a writable statvfs buffer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), stats.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: statvfs succeeded and initialized the buffer.
    let stats = unsafe { stats.assume_init() };
    stats.f_flag & libc::ST_NOSUID == 0
}

#[test]
fn setuid_and_setgid_programs_are_refused() {
    if !is_root() {
        eprintln!("note: setuid test skipped: it needs root to chown a file to another user");
        return;
    }
    let dir = TempDir::new("setuid");
    if !setid_effective(dir.path()) {
        eprintln!(
            "note: setuid test skipped: {} is mounted nosuid",
            dir.path().display()
        );
        return;
    }
    let lib = dir.fake_library();
    let real = fs::read(dynamic_executable()).unwrap();
    let chown = |path: &Path, uid: u32, gid: u32| {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    };

    // Set-user-ID, owned by another user: the loader would be in secure mode.
    let suid = dir.join("suid-prog");
    write_file(&suid, &real, 0o755);
    chown(&suid, 65534, 0);
    fs::set_permissions(&suid, fs::Permissions::from_mode(0o4755)).unwrap();
    let out = run(repoll(&lib).arg(&suid));
    assert_code(&out, 126);
    assert!(stderr(&out).contains("set-user-ID"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    // --force skips the check.
    let out = run(repoll(&lib).args(["--force", "--dry-run"]).arg(&suid));
    assert_code(&out, 0);

    // Set-group-ID with another group.
    let sgid = dir.join("sgid-prog");
    write_file(&sgid, &real, 0o755);
    chown(&sgid, 0, 65534);
    fs::set_permissions(&sgid, fs::Permissions::from_mode(0o2755)).unwrap();
    let out = run(repoll(&lib).arg(&sgid));
    assert_code(&out, 126);
    assert!(stderr(&out).contains("set-group-ID"), "{}", stderr(&out));

    // Set-user-ID owned by ourselves changes no id: no secure mode, allowed.
    let own = dir.join("own-suid-prog");
    write_file(&own, &real, 0o755);
    fs::set_permissions(&own, fs::Permissions::from_mode(0o4755)).unwrap();
    let out = run(repoll(&lib).arg("--dry-run").arg(&own));
    assert_code(&out, 0);
}

#[test]
fn statically_linked_programs_are_refused() {
    let dir = TempDir::new("static-cc");
    let lib = dir.fake_library();
    let src = dir.join("hello.c");
    fs::write(&src, b"int main(void) { return 0; }\n").unwrap();
    let exe = dir.join("hello-static");
    let built = {
        let _guard = write_lock(); // cc writes the executable
        Command::new("cc")
            .arg("-static")
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !built {
        eprintln!("note: static-binary test skipped: `cc -static` is not available");
        return;
    }
    let out = run(repoll(&lib).arg(&exe));
    assert_code(&out, 126);
    assert!(
        stderr(&out).contains("statically linked"),
        "{}",
        stderr(&out)
    );
    let out = run(repoll(&lib).arg("--force").arg(&exe));
    assert_code(&out, 0); // the static program itself exits 0

    // A static-pie build (PT_DYNAMIC but no PT_INTERP), where supported.
    let pie = dir.join("hello-static-pie");
    let built = {
        let _guard = write_lock();
        Command::new("cc")
            .arg("-static-pie")
            .arg("-o")
            .arg(&pie)
            .arg(&src)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if built {
        let out = run(repoll(&lib).arg(&pie));
        assert_code(&out, 126);
        assert!(stderr(&out).contains("static-pie"), "{}", stderr(&out));
    } else {
        eprintln!("note: static-pie case skipped: `cc -static-pie` is not available");
    }

    // The same program linked dynamically is accepted.
    let dynamic = dir.join("hello-dynamic");
    let built = {
        let _guard = write_lock();
        Command::new("cc")
            .arg("-o")
            .arg(&dynamic)
            .arg(&src)
            .status()
            .unwrap()
            .success()
    };
    assert!(built);
    let out = run(repoll(&lib).arg("--dry-run").arg(&dynamic));
    assert_code(&out, 0);
}

#[test]
fn static_elf_images_are_refused_in_both_classes() {
    let dir = TempDir::new("static-elf");
    let lib = dir.fake_library();
    let machine = host_machine();
    for (name, image, refused) in [
        ("static64", elf_image(true, machine, &[PT_LOAD], None), true),
        (
            "static32",
            elf_image(false, 3, &[PT_LOAD, PT_LOAD], None),
            true,
        ),
        ("nophdr", elf_image(true, machine, &[], None), true),
        (
            "staticpie64",
            elf_image(true, machine, &[PT_LOAD, PT_DYNAMIC], Some(DF_1_PIE)),
            true,
        ),
        (
            "staticpie32",
            elf_image(false, 3, &[PT_LOAD, PT_DYNAMIC], Some(DF_1_PIE | 1)),
            true,
        ),
        (
            "dynamic64",
            elf_image(
                true,
                machine,
                &[PT_LOAD, PT_INTERP, PT_DYNAMIC],
                Some(DF_1_PIE),
            ),
            false,
        ),
        (
            // ld.so itself: PT_DYNAMIC without PT_INTERP, not flagged PIE.
            "loader64",
            elf_image(true, machine, &[PT_LOAD, PT_DYNAMIC], None),
            false,
        ),
    ] {
        let path = dir.join(name);
        write_file(&path, &image, 0o755);
        let out = run(repoll(&lib).arg("--dry-run").arg(&path));
        if refused {
            assert_code(&out, 126);
            assert!(
                stderr(&out).contains("statically linked"),
                "{name}: {}",
                stderr(&out)
            );
            let out = run(repoll(&lib).args(["--force", "--dry-run"]).arg(&path));
            assert_code(&out, 0);
        } else {
            assert_code(&out, 0);
        }
    }
}

#[test]
fn other_architecture_than_the_library_is_refused() {
    let dir = TempDir::new("arch");
    // A real ELF file of the host as "library": the repoll binary.
    let lib = dir.join("librepoll.so");
    {
        let _guard = write_lock();
        fs::copy(REPOLL, &lib).unwrap();
    }
    let machine = host_machine();
    let same = dir.join("same");
    write_file(&same, &elf_image(true, machine, &[PT_INTERP], None), 0o755);
    let out = run(repoll(&lib).arg("--dry-run").arg(&same));
    assert_code(&out, 0);

    let i386 = dir.join("i386");
    write_file(&i386, &elf_image(false, 3, &[PT_INTERP], None), 0o755);
    let out = run(repoll(&lib).arg("--dry-run").arg(&i386));
    assert_code(&out, 126);
    assert!(stderr(&out).contains("32-bit i386"), "{}", stderr(&out));
    let out = run(repoll(&lib).args(["--force", "--dry-run"]).arg(&i386));
    assert_code(&out, 0);
}
