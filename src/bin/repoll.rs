//! `repoll` — command-line launcher for librepoll.so.
//!
//! ```text
//! repoll [OPTIONS] [--] PROGRAM [ARGS...]
//! ```
//!
//! The launcher finds `librepoll.so`, prepends it to `LD_PRELOAD`, turns its
//! command-line options into `REPOLL_OPTIONS` (sanitizer style:
//! `key=value:key=value`) and then *replaces itself* with PROGRAM through
//! `execvpe(3)`.  Because there is no intermediate process, PROGRAM keeps the
//! pid, the exit status and signals pass through untouched, and the terminal's
//! job control sees PROGRAM itself.
//!
//! Before exec'ing, the launcher resolves PROGRAM along `PATH` and refuses
//! (exit 126, overridable with `--force`) programs for which a preload cannot
//! work: setuid/setgid executables that would run in the loader's secure mode,
//! statically linked ELF executables (no dynamic loader at all), and ELF
//! executables of another class/architecture than the library.
//!
//! Design constraints:
//! * This binary must NOT link the `repoll` library crate: the library exports
//!   `read`/`write`/`close`/`epoll_*` symbols that must not end up in here.
//!   Only `std` and `libc` are used.
//! * Arguments, paths and environment values are handled as `OsString` /
//!   raw bytes, so non-UTF-8 input works.
//! * The library path put into `LD_PRELOAD` is always absolute and never
//!   comes from the current directory.
//!
//! Exit codes, shell style: 0 for `--help`/`--version`/`--print-library`/
//! `--dry-run`, 2 for usage errors, 126 when PROGRAM exists but cannot (or
//! should not) be executed, 127 when PROGRAM or librepoll.so cannot be found.
//! Once PROGRAM runs, its own exit status is the status.
//!
//! The crate is `no_main` (outside unit tests): the standard Rust runtime
//! start-up sets SIGPIPE to "ignore" and reopens closed standard descriptors
//! on /dev/null, and both would be inherited by PROGRAM through exec.  By
//! providing the C `main` ourselves, PROGRAM gets exactly the signal
//! dispositions, signal mask and file descriptors that `repoll` was started
//! with.  `std::env::args_os` still works (glibc hands argv to std's
//! `.init_array` hook); stdout is flushed explicitly because std's at-exit
//! flush only runs from the Rust-generated `main`.

// Outside `cargo test` we provide the C-level `main` symbol ourselves (see
// the module documentation); the unit-test harness brings its own `main`.
#![cfg_attr(not(test), no_main)]

use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

/// File name of the preload library.
const LIB_NAME: &str = "librepoll.so";
/// Environment variable that overrides the library lookup.
const ENV_LIBRARY: &str = "REPOLL_LIBRARY";
/// Environment variable read by the library for its options.
const ENV_OPTIONS: &str = "REPOLL_OPTIONS";
/// The dynamic loader's preload list.
const ENV_PRELOAD: &str = "LD_PRELOAD";

/// Usage error (bad option, missing PROGRAM).
const EXIT_USAGE: i32 = 2;
/// PROGRAM found but not executable, or a preload cannot work for it.
const EXIT_CANNOT_EXECUTE: i32 = 126;
/// PROGRAM (or librepoll.so) not found.
const EXIT_NOT_FOUND: i32 = 127;

/// Accepted values of `--format`.
const TRACE_FORMATS: &[&str] = &["text", "json", "chrome"];
/// Accepted values of `--rdhup`.
const RDHUP_MODES: &[&str] = &["uniform", "kernel"];
/// Accepted values of `--dump-signal` (the library's `dump_signal=`).
const DUMP_SIGNALS: &[&str] = &[
    "off", "SIGUSR1", "SIGUSR2", "SIGHUP", "SIGWINCH", "SIGURG", "SIGPWR",
];
/// Lint identifiers accepted by `--lint-disable`.
const LINT_IDS: &[&str] = &[
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

const HELP: &str = "\
repoll - run a program with librepoll.so preloaded (an epoll replacement
with tracing, half-close diagnosis and misuse lints)

Usage:
  repoll [OPTIONS] [--] PROGRAM [ARGS...]

  The '--' is needed only when PROGRAM starts with '-'.  repoll replaces
  itself with PROGRAM (exec), so PROGRAM keeps repoll's pid, and its exit
  status and signals are passed through unchanged.

Options:
  --trace[=FILE]         trace every epoll call (trace=1); with FILE, write the
                         trace there (log_path=FILE; '%p' is replaced by the
                         pid).  The '=' is required: '--trace FILE' would take
                         FILE as PROGRAM.
  --format=FORMAT        trace format: text, json or chrome (trace_format=)
  --summary              print a summary when the program exits (summary=1)
  --lint                 report epoll misuse (lint=1)
  --lint-disable=ID,...  disable lints (lint_disable=); repeatable. IDs:
                           close-while-registered, stale-registration,
                           et-undrained, et-blocking-fd, oneshot-not-rearmed,
                           writable-spin, ready-ignored, busy-poll, ctl-error,
                           half-close-ignored, thundering-herd,
                           shared-after-fork
  --rdhup=MODE           EPOLLRDHUP reporting: uniform or kernel (rdhup=);
                         uniform also sets it for pipes, FIFOs and ptys whose
                         other side is gone, and after a read returned 0
  --halfclose-timeout=MS report a connection whose peer half-closed MS
                         milliseconds ago and that the program still holds
                         (halfclose_timeout_ms=; default 5000; needs --lint)
  --dump-signal=SIG      on signal SIG (SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH,
                         SIGURG, SIGPWR, or off) write every epoll interest
                         table and the half-closed connections to the log
                         (dump_signal=); replaces the program's handler
  --log=FILE             write repoll's output to FILE (log_path=; '%p' = pid)
  -o, --option KEY=VALUE pass a raw library option through; repeatable
  -v, --verbose          more library diagnostics (verbosity=2; -vv = 3, ...)
  --force                skip the setuid/setgid, static-binary and
                         architecture checks and run PROGRAM anyway
  --dry-run              print the environment and the command that would
                         run (shell-quoted), then exit
  --print-library        print the absolute path of librepoll.so and exit
  -h, --help             show this help and exit
  -V, --version          show the version and exit

  Options that take a value also accept it as the next argument
  ('--format json', '-o trace=1'), except --trace.

Environment:
  REPOLL_LIBRARY   absolute path of librepoll.so to use.  Otherwise repoll
                   looks next to its own executable (DIR/librepoll.so), then
                   in the installed layout (DIR/../lib/repoll/librepoll.so),
                   and never in the current directory.
  REPOLL_OPTIONS   existing options are kept; repoll appends the options given
                   on its command line, so those win.  Values cannot contain
                   ':', the option separator.
  LD_PRELOAD       existing entries are kept; librepoll.so is put first.

Exit status:
  PROGRAM's own status once it runs; 2 for usage errors; 126 if PROGRAM is
  not executable or cannot be preloaded (setuid/setgid, statically linked,
  other architecture; see --force); 127 if PROGRAM or librepoll.so is not
  found.

Examples:
  repoll -- ./server
  repoll --trace --format=json --log=/tmp/trace.%p.jsonl -- redis-server --port 7000
  repoll --lint --summary -- python3 app.py
  repoll --lint --lint-disable=busy-poll,writable-spin -- ./server
  repoll --dry-run --trace -- nginx -g 'daemon off;'
  REPOLL_OPTIONS=trace=1 LD_PRELOAD=/usr/local/lib/repoll/librepoll.so ./prog

Notes:
  Attaching to an already running process is not supported: a preload only
  takes effect when a program is exec'd.  Children that PROGRAM starts inherit
  LD_PRELOAD and REPOLL_OPTIONS (unless it clears its environment), so they
  are traced too.
";

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// An error that ends the launcher: printed as `repoll: MESSAGE`, then the
/// process exits with `code`.
#[derive(Debug)]
struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    fn new(code: i32, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A usage error; the message gets a pointer to `--help`.
    fn usage(message: impl std::fmt::Display) -> Self {
        Failure::new(EXIT_USAGE, format!("{message} (see repoll --help)"))
    }
}

type Result<T> = std::result::Result<T, Failure>;

/// Human-readable form of a possibly non-UTF-8 OS string, for messages.
fn show(s: &OsStr) -> String {
    s.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/// The C entry point (see the module documentation for why the Rust runtime's
/// `main` is not used).  argc/argv are read through `std::env::args_os`.
#[cfg(not(test))]
#[no_mangle]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    entry()
}

/// In the unit-test build the harness provides `main`; this one only keeps
/// `entry` and everything below it from being reported as dead code.
#[cfg(test)]
fn main() {
    std::process::exit(entry());
}

/// Runs the launcher and returns the exit status (only reached when PROGRAM
/// was not exec'd).
fn entry() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let code = match run(args) {
        Ok(code) => code,
        Err(failure) => {
            // Errors writing to stderr cannot be reported anywhere.
            let _ = writeln!(io::stderr(), "repoll: {}", failure.message);
            failure.code
        }
    };
    // std only flushes stdout at exit from its own `main`, which we replaced.
    let _ = io::stdout().flush();
    code
}

/// Writes `bytes` to stdout and flushes; returns exit status 0, or 1 if
/// stdout is broken.
fn print_bytes(bytes: &[u8]) -> Result<i32> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map(|()| 0)
        .map_err(|e| Failure::new(1, format!("cannot write to standard output: {e}")))
}

/// Everything the launcher does, from parsing to exec.
fn run(args: Vec<OsString>) -> Result<i32> {
    let cli = match parse_args(args)? {
        Parsed::Help => return print_bytes(HELP.as_bytes()),
        Parsed::Version => {
            return print_bytes(format!("repoll {}\n", env!("CARGO_PKG_VERSION")).as_bytes())
        }
        Parsed::Run(cli) => cli,
    };

    let library = find_library()?;
    if cli.print_library {
        let mut line = library.as_os_str().as_bytes().to_vec();
        line.push(b'\n');
        return print_bytes(&line);
    }

    let Some(program_name) = cli.command.first() else {
        return Err(Failure::usage("missing PROGRAM to run"));
    };
    let program = resolve_program(program_name)?;
    if !cli.force {
        check_preloadable(program_name, &program, &library)?;
    }

    let env = child_env_changes(&cli, &library)?;
    if cli.dry_run {
        return print_bytes(&dry_run_line(&env, &program, &cli.command[1..]));
    }
    Err(exec(program_name, &program, &cli.command[1..], &env))
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

/// Result of parsing the command line.
#[derive(Debug)]
enum Parsed {
    Help,
    Version,
    Run(Cli),
}

/// The launcher's settings for one run.
#[derive(Debug, Default)]
struct Cli {
    /// Library options from the command line, in order, as `key=value`.
    options: Vec<OptionEntry>,
    /// Lint ids gathered from every `--lint-disable`.
    lint_disable: Vec<String>,
    /// Number of `-v`/`--verbose`.
    verbose: u32,
    force: bool,
    dry_run: bool,
    print_library: bool,
    /// PROGRAM followed by its arguments (empty if none was given).
    command: Vec<OsString>,
}

/// One `key=value` item of REPOLL_OPTIONS.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OptionEntry {
    key: String,
    value: OsString,
}

impl Cli {
    /// Sets a library option from a dedicated flag: an earlier entry with the
    /// same key is dropped so the option list stays short and the last flag
    /// given wins (as it would in the library anyway).
    fn set(&mut self, key: &str, value: impl Into<OsString>) -> Result<()> {
        let value = value.into();
        check_option_value(key, &value)?;
        self.options.retain(|entry| entry.key != key);
        self.options.push(OptionEntry {
            key: key.to_owned(),
            value,
        });
        Ok(())
    }

    /// One more `-v`: the library's default verbosity is 1, so `-v` means
    /// verbosity=2, `-vv` verbosity=3, and so on.
    fn more_verbose(&mut self) -> Result<()> {
        self.verbose += 1;
        let level = (self.verbose + 1).to_string();
        self.set("verbosity", level)
    }

    /// Appends a raw `-o KEY=VALUE` option exactly as given.
    fn push_raw(&mut self, raw: &OsStr) -> Result<()> {
        let bytes = raw.as_bytes();
        let Some(eq) = bytes.iter().position(|&b| b == b'=') else {
            return Err(Failure::usage(format!(
                "option '-o {}' must have the form KEY=VALUE",
                show(raw)
            )));
        };
        let key = &bytes[..eq];
        let valid_key = !key.is_empty()
            && !key[0].is_ascii_digit()
            && key.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_key {
            return Err(Failure::usage(format!(
                "invalid option name '{}' in '-o {}' (letters, digits and '_' only)",
                String::from_utf8_lossy(key),
                show(raw)
            )));
        }
        // The key is ASCII, checked just above.
        let key = String::from_utf8_lossy(key).into_owned();
        let value = OsStr::from_bytes(&bytes[eq + 1..]).to_os_string();
        check_option_value(&key, &value)?;
        self.options.push(OptionEntry { key, value });
        Ok(())
    }
}

/// REPOLL_OPTIONS has no quoting: a ':' inside a value would split it.
fn check_option_value(key: &str, value: &OsStr) -> Result<()> {
    if value.as_bytes().contains(&b':') {
        return Err(Failure::usage(format!(
            "the value of {key} ('{}') must not contain ':', which separates REPOLL_OPTIONS entries",
            show(value)
        )));
    }
    Ok(())
}

/// Parses the launcher's options up to PROGRAM.
///
/// Options end at `--` or at the first argument that does not start with
/// '-' (a lone "-" counts as a PROGRAM name).  Long options take values as
/// `--opt=VALUE` or `--opt VALUE`; `--trace` only as `--trace=FILE` since its
/// value is optional.  Short options may be clustered (`-vv`, `-ok=v`).
fn parse_args(args: Vec<OsString>) -> Result<Parsed> {
    let mut cli = Cli::default();
    let mut args = args.into_iter();

    while let Some(arg) = args.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            cli.command = args.collect();
            break;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            cli.command = std::iter::once(arg).chain(args).collect();
            break;
        }

        if let Some(long) = bytes.strip_prefix(b"--") {
            // Split "--name=value".
            let (name, inline) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], Some(OsStr::from_bytes(&long[eq + 1..]))),
                None => (long, None),
            };
            let name = String::from_utf8_lossy(name).into_owned();
            let flag = format!("--{name}");

            // Options without a value reject "--flag=...".
            let no_value = |cli_flag: &str| -> Result<()> {
                match inline {
                    Some(_) => Err(Failure::usage(format!(
                        "option '{cli_flag}' does not take a value"
                    ))),
                    None => Ok(()),
                }
            };
            // Options with a required value take it inline or from the next
            // argument.
            let value = |args: &mut std::vec::IntoIter<OsString>| -> Result<OsString> {
                match inline {
                    Some(v) => Ok(v.to_os_string()),
                    None => args
                        .next()
                        .ok_or_else(|| Failure::usage(format!("option '{flag}' requires a value"))),
                }
            };

            match name.as_str() {
                "help" => {
                    no_value("--help")?;
                    return Ok(Parsed::Help);
                }
                "version" => {
                    no_value("--version")?;
                    return Ok(Parsed::Version);
                }
                "trace" => {
                    cli.set("trace", "1")?;
                    if let Some(file) = inline {
                        if file.is_empty() {
                            return Err(Failure::usage("option '--trace=' needs a FILE name"));
                        }
                        cli.set("log_path", file)?;
                    }
                }
                "format" => {
                    let v = value(&mut args)?;
                    let v = one_of("--format", &v, TRACE_FORMATS)?;
                    cli.set("trace_format", v)?;
                }
                "summary" => {
                    no_value("--summary")?;
                    cli.set("summary", "1")?;
                }
                "lint" => {
                    no_value("--lint")?;
                    cli.set("lint", "1")?;
                }
                "lint-disable" => {
                    let v = value(&mut args)?;
                    for id in lint_ids(&v)? {
                        if !cli.lint_disable.contains(&id) {
                            cli.lint_disable.push(id);
                        }
                    }
                    let joined = cli.lint_disable.join(",");
                    cli.set("lint_disable", joined)?;
                }
                "rdhup" => {
                    let v = value(&mut args)?;
                    let v = one_of("--rdhup", &v, RDHUP_MODES)?;
                    cli.set("rdhup", v)?;
                }
                "halfclose-timeout" => {
                    let v = value(&mut args)?;
                    let ms = v
                        .to_str()
                        .and_then(|t| t.parse::<u64>().ok())
                        .filter(|&n| (1..=86_400_000).contains(&n))
                        .ok_or_else(|| {
                            Failure::usage(format!(
                                "invalid value '{}' for --halfclose-timeout (expected milliseconds, 1..86400000)",
                                show(&v)
                            ))
                        })?;
                    cli.set("halfclose_timeout_ms", ms.to_string())?;
                }
                "dump-signal" => {
                    let v = value(&mut args)?;
                    // Accept USR2 as well as SIGUSR2.
                    let full: OsString = match v.to_str() {
                        Some(t) if !t.starts_with("SIG") && t != "off" => format!("SIG{t}").into(),
                        _ => v.clone(),
                    };
                    let v = one_of("--dump-signal", &full, DUMP_SIGNALS)?;
                    cli.set("dump_signal", v)?;
                }
                "log" => {
                    let v = value(&mut args)?;
                    if v.is_empty() {
                        return Err(Failure::usage("option '--log' needs a FILE name"));
                    }
                    cli.set("log_path", v)?;
                }
                "option" => {
                    let v = value(&mut args)?;
                    cli.push_raw(&v)?;
                }
                "verbose" => {
                    no_value("--verbose")?;
                    cli.more_verbose()?;
                }
                "force" => {
                    no_value("--force")?;
                    cli.force = true;
                }
                "dry-run" => {
                    no_value("--dry-run")?;
                    cli.dry_run = true;
                }
                "print-library" => {
                    no_value("--print-library")?;
                    cli.print_library = true;
                }
                _ => {
                    return Err(Failure::usage(format!("unknown option '{flag}'")));
                }
            }
            continue;
        }

        // A cluster of short options: "-v", "-vv", "-o", "-okey=value", "-vh".
        let cluster = &bytes[1..];
        for (i, &c) in cluster.iter().enumerate() {
            match c {
                b'h' => return Ok(Parsed::Help),
                b'V' => return Ok(Parsed::Version),
                b'v' => cli.more_verbose()?,
                b'o' => {
                    let rest = &cluster[i + 1..];
                    let raw = if rest.is_empty() {
                        args.next()
                            .ok_or_else(|| Failure::usage("option '-o' requires a value"))?
                    } else {
                        OsStr::from_bytes(rest).to_os_string()
                    };
                    cli.push_raw(&raw)?;
                    break;
                }
                _ => {
                    // Show the offending character (or byte) on its own.
                    let shown = match std::str::from_utf8(&cluster[i..]) {
                        Ok(s) => s.chars().next().map(String::from).unwrap_or_default(),
                        Err(_) => String::from_utf8_lossy(&cluster[i..i + 1]).into_owned(),
                    };
                    return Err(Failure::usage(format!("unknown option '-{shown}'")));
                }
            }
        }
    }
    Ok(Parsed::Run(cli))
}

/// Checks that `value` is one of `allowed` and returns it.
fn one_of<'a>(flag: &str, value: &OsStr, allowed: &[&'a str]) -> Result<&'a str> {
    allowed
        .iter()
        .find(|a| a.as_bytes() == value.as_bytes())
        .copied()
        .ok_or_else(|| {
            Failure::usage(format!(
                "invalid value '{}' for {flag} (expected one of: {})",
                show(value),
                allowed.join(", ")
            ))
        })
}

/// Splits and validates a `--lint-disable` list.
fn lint_ids(value: &OsStr) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for id in value.as_bytes().split(|&b| b == b',') {
        match LINT_IDS.iter().find(|known| known.as_bytes() == id) {
            Some(known) => ids.push((*known).to_owned()),
            None if id.is_empty() => {
                return Err(Failure::usage(format!(
                    "empty lint id in --lint-disable='{}'",
                    show(value)
                )))
            }
            None => {
                return Err(Failure::usage(format!(
                    "unknown lint id '{}' in --lint-disable (known ids: {})",
                    String::from_utf8_lossy(id),
                    LINT_IDS.join(", ")
                )))
            }
        }
    }
    Ok(ids)
}

// ---------------------------------------------------------------------------
// Library lookup
// ---------------------------------------------------------------------------

/// Finds librepoll.so: `$REPOLL_LIBRARY`, else next to the (canonical) own
/// executable, else in `../lib/repoll/` relative to it.  The current
/// directory is never consulted and the result is always absolute.
fn find_library() -> Result<PathBuf> {
    // An empty REPOLL_LIBRARY counts as unset (`REPOLL_LIBRARY= repoll ...`).
    if let Some(value) = std::env::var_os(ENV_LIBRARY).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&value);
        if !path.is_absolute() {
            return Err(Failure::new(
                EXIT_NOT_FOUND,
                format!(
                    "{ENV_LIBRARY} must be an absolute path, got '{}'",
                    show(&value)
                ),
            ));
        }
        return match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(path),
            Ok(_) => Err(Failure::new(
                EXIT_NOT_FOUND,
                format!("{ENV_LIBRARY}={}: not a regular file", path.display()),
            )),
            Err(e) => Err(Failure::new(
                EXIT_NOT_FOUND,
                format!("{ENV_LIBRARY}={}: {}", path.display(), io_reason(&e)),
            )),
        };
    }

    let mut looked_in = vec![format!("${ENV_LIBRARY} (unset)")];
    // /proc/self/exe, canonicalized, so that a symlink such as
    // /usr/local/bin/repoll -> /opt/repoll/bin/repoll finds /opt/repoll/...
    match fs::canonicalize("/proc/self/exe") {
        Ok(exe) => {
            if let Some(dir) = exe.parent() {
                let mut candidates = vec![dir.join(LIB_NAME)];
                if let Some(prefix) = dir.parent() {
                    candidates.push(prefix.join("lib").join("repoll").join(LIB_NAME));
                }
                for candidate in candidates {
                    if fs::metadata(&candidate).is_ok_and(|m| m.is_file()) {
                        return Ok(candidate);
                    }
                    looked_in.push(candidate.display().to_string());
                }
            }
        }
        Err(e) => looked_in.push(format!(
            "<directory of the repoll executable: /proc/self/exe: {}>",
            io_reason(&e)
        )),
    }
    Err(Failure::new(
        EXIT_NOT_FOUND,
        format!(
            "cannot find {LIB_NAME} (looked in: {}); set {ENV_LIBRARY} to its absolute path",
            looked_in.join(", ")
        ),
    ))
}

/// `io::Error` as the short strerror text, e.g. "No such file or directory".
fn io_reason(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(errno) => strerror(errno),
        None => e.to_string(),
    }
}

/// The C library's message for `errno`, without Rust's " (os error N)".
fn strerror(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

// ---------------------------------------------------------------------------
// Program resolution
// ---------------------------------------------------------------------------

/// Finds the file that `execvp(3)` would run for `name`, with shell-style
/// errors: "command not found" (127) when nothing matches along PATH,
/// "Permission denied" (126) when only non-executable files match.
fn resolve_program(name: &OsStr) -> Result<PathBuf> {
    let display = show(name);
    if name.as_bytes().contains(&b'/') {
        let path = PathBuf::from(name);
        return match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Err(Failure::new(
                EXIT_CANNOT_EXECUTE,
                format!("{display}: Is a directory"),
            )),
            Ok(_) if !executable(&path) => Err(Failure::new(
                EXIT_CANNOT_EXECUTE,
                format!("{display}: Permission denied"),
            )),
            Ok(_) => Ok(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Failure::new(
                EXIT_NOT_FOUND,
                format!("{display}: No such file or directory"),
            )),
            Err(e) => Err(Failure::new(
                EXIT_CANNOT_EXECUTE,
                format!("{display}: {}", io_reason(&e)),
            )),
        };
    }

    if name.is_empty() {
        return Err(Failure::new(EXIT_NOT_FOUND, "'': command not found"));
    }

    // Like glibc's execvp: an unset PATH means the default "/bin:/usr/bin"
    // and an empty element means the current directory.
    let path_var = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/bin:/usr/bin"));
    let mut denied = false;
    for dir in path_var.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() { b"." as &[u8] } else { dir };
        let candidate = Path::new(OsStr::from_bytes(dir)).join(name);
        match fs::metadata(&candidate) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) if executable(&candidate) => return Ok(candidate),
            Ok(_) => denied = true,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => denied = true,
            Err(_) => {}
        }
    }
    if denied {
        Err(Failure::new(
            EXIT_CANNOT_EXECUTE,
            format!("{display}: Permission denied"),
        ))
    } else {
        Err(Failure::new(
            EXIT_NOT_FOUND,
            format!("{display}: command not found"),
        ))
    }
}

/// Whether the calling user may execute `path` (`access(2)` with X_OK).
fn executable(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the
    // call; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::X_OK) == 0 }
}

// ---------------------------------------------------------------------------
// Can a preload work for this program?
// ---------------------------------------------------------------------------

/// Refuses (exit 126) programs for which LD_PRELOAD would be silently
/// ignored.  Anything that cannot be inspected is allowed: exec itself will
/// report real problems.
fn check_preloadable(name: &OsStr, program: &Path, library: &Path) -> Result<()> {
    let display = show(name);
    // `what` is what the file is, `consequence` why the preload is lost.
    let refuse = |what: String, consequence: &str| {
        Failure::new(
            EXIT_CANNOT_EXECUTE,
            format!(
                "{display}: {what}: {consequence} \
                 (--force runs it anyway, without repoll's hooks)"
            ),
        )
    };

    let Ok(meta) = fs::metadata(program) else {
        return Ok(());
    };

    // Set-user/group-ID: the loader runs in secure mode (AT_SECURE) and drops
    // LD_PRELOAD paths when the exec actually changes the effective ids, i.e.
    // when the file's owner differs from our real uid (setgid: group, and
    // only with the group-execute bit, otherwise the bit means mandatory
    // locking).  On a nosuid mount the bits are ignored by the kernel.
    let mode = meta.mode();
    // SAFETY: getuid/getgid cannot fail and have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let setuid = mode & libc::S_ISUID != 0 && meta.uid() != uid;
    let setgid = mode & libc::S_ISGID != 0 && mode & libc::S_IXGRP != 0 && meta.gid() != gid;
    if (setuid || setgid) && !on_nosuid_mount(program) {
        let why = if setuid {
            format!("is a set-user-ID executable (owner uid {})", meta.uid())
        } else {
            format!("is a set-group-ID executable (group gid {})", meta.gid())
        };
        return Err(refuse(
            why,
            "the dynamic loader runs it in secure mode and ignores LD_PRELOAD",
        ));
    }

    // ELF: statically linked programs never involve the dynamic loader, and
    // the loader skips a library of another class or architecture.
    let Ok(info) = File::open(program).and_then(|file| parse_elf(&file)) else {
        return Ok(()); // unreadable (e.g. execute-only) or truncated
    };
    let Some(info) = info else {
        return Ok(()); // "#!" script or other non-ELF file (run via /bin/sh)
    };
    match info.linkage {
        Linkage::Static => {
            return Err(refuse(
                format!(
                    "is a statically linked {} executable (no PT_INTERP, no PT_DYNAMIC)",
                    info.describe()
                ),
                "no dynamic loader runs for it, so LD_PRELOAD has no effect",
            ))
        }
        Linkage::StaticPie => {
            return Err(refuse(
                format!(
                    "is a statically linked (static-pie) {} executable (no PT_INTERP)",
                    info.describe()
                ),
                "no dynamic loader runs for it, so LD_PRELOAD has no effect",
            ))
        }
        Linkage::Interpreted | Linkage::NoInterp => {}
    }
    let lib_info = File::open(library).and_then(|file| parse_elf(&file));
    if let Ok(Some(lib_info)) = lib_info {
        if lib_info.is_64 != info.is_64 || lib_info.machine != info.machine {
            return Err(refuse(
                format!(
                    "is a {} executable but {} is a {} library",
                    info.describe(),
                    library.display(),
                    lib_info.describe()
                ),
                "the dynamic loader would skip the library",
            ));
        }
    }
    Ok(())
}

/// Whether `path` lives on a file system mounted `nosuid`.
fn on_nosuid_mount(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is NUL-terminated and `stats` points to writable
    // memory of the right type; statvfs fills it on success.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) };
    if rc != 0 {
        return false;
    }
    // SAFETY: statvfs returned 0, so it initialized `stats`.
    let stats = unsafe { stats.assume_init() };
    stats.f_flag & libc::ST_NOSUID != 0
}

/// How the kernel starts an ELF file, as far as LD_PRELOAD is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Linkage {
    /// Has PT_INTERP: started through the dynamic loader, which honours
    /// LD_PRELOAD.
    Interpreted,
    /// Neither PT_INTERP nor PT_DYNAMIC: a classic static executable.
    Static,
    /// PT_DYNAMIC flagged DF_1_PIE but no PT_INTERP: a static-pie executable
    /// that relocates itself without any loader.
    StaticPie,
    /// PT_DYNAMIC without PT_INTERP and not flagged PIE: the dynamic loader
    /// itself (`ld.so PROGRAM`) or a shared object run directly.  Allowed.
    NoInterp,
}

/// What the ELF headers of a file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ElfInfo {
    is_64: bool,
    /// `e_machine`.
    machine: u16,
    linkage: Linkage,
}

impl ElfInfo {
    /// E.g. "64-bit x86-64" or "32-bit machine 1234".
    fn describe(&self) -> String {
        let machine = match self.machine {
            2 => "SPARC".to_owned(),
            3 => "i386".to_owned(),
            8 => "MIPS".to_owned(),
            20 => "PowerPC".to_owned(),
            21 => "PowerPC64".to_owned(),
            22 => "S/390".to_owned(),
            40 => "ARM".to_owned(),
            43 => "SPARC V9".to_owned(),
            62 => "x86-64".to_owned(),
            183 => "AArch64".to_owned(),
            243 => "RISC-V".to_owned(),
            258 => "LoongArch".to_owned(),
            other => format!("machine {other}"),
        };
        format!("{}-bit {machine}", if self.is_64 { 64 } else { 32 })
    }
}

/// Positioned reads, implemented for files and (in tests) byte slices.
trait ReadAt {
    /// Fills `buf` from `offset`; `UnexpectedEof` if the data is too short.
    fn pread_exact(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
}

impl ReadAt for File {
    fn pread_exact(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.read_exact_at(buf, offset)
    }
}

impl ReadAt for [u8] {
    fn pread_exact(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| elf_error("offset"))?;
        let src = start
            .checked_add(buf.len())
            .and_then(|end| self.get(start..end))
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

fn elf_error(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed ELF {what}"))
}

/// Decodes fixed-width fields of one ELF class and byte order.
#[derive(Clone, Copy)]
struct ElfFields {
    is_64: bool,
    big_endian: bool,
}

impl ElfFields {
    fn u16(self, b: &[u8], off: usize) -> u16 {
        let raw = [b[off], b[off + 1]];
        if self.big_endian {
            u16::from_be_bytes(raw)
        } else {
            u16::from_le_bytes(raw)
        }
    }

    fn u32(self, b: &[u8], off: usize) -> u32 {
        let mut raw = [0u8; 4];
        raw.copy_from_slice(&b[off..off + 4]);
        if self.big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        }
    }

    fn u64(self, b: &[u8], off: usize) -> u64 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&b[off..off + 8]);
        if self.big_endian {
            u64::from_be_bytes(raw)
        } else {
            u64::from_le_bytes(raw)
        }
    }

    /// An address/offset/size-sized field (Elf32_Word or Elf64_Xword).
    fn word(self, b: &[u8], off: usize) -> u64 {
        if self.is_64 {
            self.u64(b, off)
        } else {
            u64::from(self.u32(b, off))
        }
    }
}

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PN_XNUM: u16 = 0xffff;
const DT_NULL: u64 = 0;
const DT_FLAGS_1: u64 = 0x6fff_fffb;
const DF_1_PIE: u64 = 0x0800_0000;
/// Upper bounds on what is read, against absurd header values.
const MAX_PHDR_BYTES: u64 = 1 << 20;
const MAX_DYNAMIC_BYTES: u64 = 1 << 20;

/// Reads the ELF file header and program headers (32- or 64-bit, either
/// byte order).  `Ok(None)` if the data is not ELF at all; an error if it is
/// truncated or malformed.
fn parse_elf<R: ReadAt + ?Sized>(r: &R) -> io::Result<Option<ElfInfo>> {
    let mut ident = [0u8; 16];
    match r.pread_exact(&mut ident, 0) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    if ident[..4] != *b"\x7fELF" {
        return Ok(None);
    }
    let is_64 = match ident[4] {
        1 => false,
        2 => true,
        _ => return Err(elf_error("class")),
    };
    let big_endian = match ident[5] {
        1 => false,
        2 => true,
        _ => return Err(elf_error("byte order")),
    };
    let f = ElfFields { is_64, big_endian };

    let mut ehdr = [0u8; 64];
    let ehdr = &mut ehdr[..if is_64 { 64 } else { 52 }];
    r.pread_exact(ehdr, 0)?;
    let machine = f.u16(ehdr, 18);
    let (phoff, shoff, phentsize, phnum) = if is_64 {
        (
            f.u64(ehdr, 32),
            f.u64(ehdr, 40),
            f.u16(ehdr, 54),
            f.u16(ehdr, 56),
        )
    } else {
        let (phoff, shoff) = (f.u32(ehdr, 28), f.u32(ehdr, 32));
        (phoff.into(), shoff.into(), f.u16(ehdr, 42), f.u16(ehdr, 44))
    };
    let phnum: u64 = if phnum == PN_XNUM {
        // The real count is in sh_info of section header 0.
        let sh_info = if is_64 { 44 } else { 28 };
        let mut shdr = [0u8; 48];
        r.pread_exact(&mut shdr[..sh_info + 4], shoff)?;
        f.u32(&shdr, sh_info).into()
    } else {
        phnum.into()
    };

    // Offsets within one program header.
    let (p_offset, p_filesz, phdr_len) = if is_64 { (8, 32, 56) } else { (4, 16, 32) };
    let entsize = u64::from(phentsize);
    if phnum > 0 && entsize < phdr_len as u64 {
        return Err(elf_error("program header size"));
    }
    let table_len = phnum
        .checked_mul(entsize)
        .filter(|&len| len <= MAX_PHDR_BYTES)
        .ok_or_else(|| elf_error("program header count"))?;
    let mut table = vec![0u8; table_len as usize];
    r.pread_exact(&mut table, phoff)?;

    let mut has_interp = false;
    let mut dynamic = None;
    for phdr in table.chunks_exact(entsize.max(1) as usize) {
        match f.u32(phdr, 0) {
            PT_INTERP => has_interp = true,
            PT_DYNAMIC => dynamic = Some((f.word(phdr, p_offset), f.word(phdr, p_filesz))),
            _ => {}
        }
    }

    let linkage = match (has_interp, dynamic) {
        (true, _) => Linkage::Interpreted,
        (false, None) => Linkage::Static,
        (false, Some((offset, size))) => {
            if dynamic_flags_1(r, f, offset, size)? & DF_1_PIE != 0 {
                Linkage::StaticPie
            } else {
                Linkage::NoInterp
            }
        }
    };
    Ok(Some(ElfInfo {
        is_64,
        machine,
        linkage,
    }))
}

/// The DT_FLAGS_1 value of the dynamic section at `offset` (0 if absent).
fn dynamic_flags_1<R: ReadAt + ?Sized>(
    r: &R,
    f: ElfFields,
    offset: u64,
    size: u64,
) -> io::Result<u64> {
    let entry = if f.is_64 { 16 } else { 8 };
    let mut section = vec![0u8; size.min(MAX_DYNAMIC_BYTES) as usize];
    r.pread_exact(&mut section, offset)?;
    for dyn_entry in section.chunks_exact(entry) {
        let (tag, value) = (f.word(dyn_entry, 0), f.word(dyn_entry, entry / 2));
        match tag {
            DT_NULL => break,
            DT_FLAGS_1 => return Ok(value),
            _ => {}
        }
    }
    Ok(0)
}

// ---------------------------------------------------------------------------
// Environment and exec
// ---------------------------------------------------------------------------

/// The environment variables to set for PROGRAM, in display order.
fn child_env_changes(cli: &Cli, library: &Path) -> Result<Vec<(&'static str, OsString)>> {
    let lib = library.as_os_str().as_bytes();
    // glibc splits LD_PRELOAD at ':' and ' ' and has no quoting.
    if lib.iter().any(|&b| b == b':' || b == b' ' || b == b'\t') {
        return Err(Failure::new(
            EXIT_NOT_FOUND,
            format!(
                "the library path '{}' contains ':' or white space, which LD_PRELOAD cannot \
                 express; set {ENV_LIBRARY} to a path without them (a symlink will do)",
                library.display()
            ),
        ));
    }
    let mut changes = vec![(
        ENV_PRELOAD,
        merge_preload(std::env::var_os(ENV_PRELOAD).as_deref(), library),
    )];
    let mut cli_options: Vec<OsString> = Vec::new();
    for entry in &cli.options {
        let mut item = OsString::from(&entry.key);
        item.push("=");
        item.push(&entry.value);
        cli_options.push(item);
    }
    if let Some(options) = merge_options(std::env::var_os(ENV_OPTIONS).as_deref(), &cli_options) {
        changes.push((ENV_OPTIONS, options));
    }
    Ok(changes)
}

/// Puts `library` first in an LD_PRELOAD value, keeping every other entry.
///
/// The existing value is kept verbatim when the library is not in it yet;
/// otherwise (it is already listed, by the same path or another path to the
/// same file) it is moved to the front instead of being added twice.
fn merge_preload(existing: Option<&OsStr>, library: &Path) -> OsString {
    let lib = library.as_os_str().as_bytes();
    let existing = existing.map(OsStr::as_bytes).unwrap_or_default();
    let lib_id = fs::metadata(library).ok().map(|m| (m.dev(), m.ino()));
    let is_library = |entry: &[u8]| {
        entry == lib
            || (entry.contains(&b'/')
                && lib_id.is_some()
                && fs::metadata(OsStr::from_bytes(entry))
                    .ok()
                    .map(|m| (m.dev(), m.ino()))
                    == lib_id)
    };
    let entries: Vec<&[u8]> = existing
        .split(|&b| b == b':' || b == b' ')
        .filter(|e| !e.is_empty())
        .collect();

    let mut merged = lib.to_vec();
    match entries.iter().position(|e| is_library(e)) {
        None if entries.is_empty() => {}
        None => {
            merged.push(b':');
            merged.extend_from_slice(existing);
        }
        Some(0) if entries.iter().skip(1).all(|e| !is_library(e)) => {
            return OsStr::from_bytes(existing).to_os_string();
        }
        Some(_) => {
            for entry in entries.iter().filter(|e| !is_library(e)) {
                merged.push(b':');
                merged.extend_from_slice(entry);
            }
        }
    }
    OsString::from_vec(merged)
}

/// Appends the command-line options to an existing REPOLL_OPTIONS, so they
/// come last and win.  `None` when there is nothing to add (the variable is
/// then inherited unchanged).
fn merge_options(existing: Option<&OsStr>, cli: &[OsString]) -> Option<OsString> {
    if cli.is_empty() {
        return None;
    }
    let mut merged = Vec::new();
    let existing = existing.map(OsStr::as_bytes).unwrap_or_default();
    let existing = {
        // Drop trailing separators so no empty entry appears.
        let end = existing
            .iter()
            .rposition(|&b| b != b':')
            .map_or(0, |i| i + 1);
        &existing[..end]
    };
    if !existing.is_empty() {
        merged.extend_from_slice(existing);
        merged.push(b':');
    }
    for (i, item) in cli.iter().enumerate() {
        if i > 0 {
            merged.push(b':');
        }
        merged.extend_from_slice(item.as_bytes());
    }
    Some(OsString::from_vec(merged))
}

/// The `--dry-run` output: one shell-quoted line that can be pasted into a
/// shell, e.g. `LD_PRELOAD=/x/librepoll.so REPOLL_OPTIONS=trace=1 /usr/bin/env 'a b'`.
fn dry_run_line(env: &[(&str, OsString)], program: &Path, args: &[OsString]) -> Vec<u8> {
    let mut line = Vec::new();
    for (name, value) in env {
        line.extend_from_slice(name.as_bytes());
        line.push(b'=');
        line.extend_from_slice(&shell_quote(value, true));
        line.push(b' ');
    }
    // A first word containing '=' would be taken as an assignment: quote it.
    line.extend_from_slice(&shell_quote(program.as_os_str(), false));
    for arg in args {
        line.push(b' ');
        line.extend_from_slice(&shell_quote(arg, true));
    }
    line.push(b'\n');
    line
}

/// POSIX-shell quoting: words made only of safe characters are left alone,
/// anything else is wrapped in single quotes (a `'` becomes `'\''`).
fn shell_quote(word: &OsStr, allow_equals: bool) -> Vec<u8> {
    let bytes = word.as_bytes();
    let safe = !bytes.is_empty()
        && bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric() || b"@%+:,./_-".contains(&b) || (allow_equals && b == b'=')
        });
    if safe {
        return bytes.to_vec();
    }
    let mut quoted = vec![b'\''];
    for &b in bytes {
        if b == b'\'' {
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(b);
        }
    }
    quoted.push(b'\'');
    quoted
}

/// Replaces the process with `program` (argv[0] = `name`, as the user typed
/// it) and the modified environment.  Only returns on failure.
///
/// `execvpe` is used rather than `execve` for its fallback of running a
/// file without "#!" through /bin/sh, exactly as a shell would.  The signal
/// mask and dispositions are left as inherited (see the module docs).
fn exec(name: &OsStr, program: &Path, args: &[OsString], env: &[(&str, OsString)]) -> Failure {
    let display = show(name);
    // Arguments and environment strings from the OS cannot contain NUL.
    let to_c = |bytes: &[u8]| CString::new(bytes).ok();
    let Some(path) = to_c(program.as_os_str().as_bytes()) else {
        return Failure::new(EXIT_CANNOT_EXECUTE, format!("{display}: invalid path"));
    };
    let argv: Option<Vec<CString>> = std::iter::once(name)
        .chain(args.iter().map(OsString::as_os_str))
        .map(|a| to_c(a.as_bytes()))
        .collect();
    let mut envp: Vec<CString> = Vec::new();
    for (key, value) in std::env::vars_os() {
        if env
            .iter()
            .any(|(name, _)| key.as_bytes() == name.as_bytes())
        {
            continue;
        }
        let mut item = key.into_vec();
        item.push(b'=');
        item.extend_from_slice(value.as_bytes());
        envp.extend(to_c(&item));
    }
    for (key, value) in env {
        let mut item = key.as_bytes().to_vec();
        item.push(b'=');
        item.extend_from_slice(value.as_bytes());
        envp.extend(to_c(&item));
    }
    let Some(argv) = argv else {
        return Failure::new(EXIT_CANNOT_EXECUTE, format!("{display}: invalid argument"));
    };
    let argv_ptrs: Vec<*const libc::c_char> = argv
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    let envp_ptrs: Vec<*const libc::c_char> = envp
        .iter()
        .map(|e| e.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();

    // Nothing buffered may be lost when the process image is replaced.
    let _ = io::stdout().flush();
    // SAFETY: `path` is NUL-terminated; `argv_ptrs` and `envp_ptrs` are
    // NULL-terminated arrays of pointers into `argv`/`envp`, which stay alive
    // across the call.  execvpe only returns on failure.
    unsafe { libc::execvpe(path.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr()) };
    let err = io::Error::last_os_error();

    let errno = err.raw_os_error().unwrap_or(0);
    if errno == libc::ENOENT {
        // The file was there a moment ago: its ELF interpreter or "#!"
        // interpreter is missing (bash says "required file not found").
        return Failure::new(
            EXIT_NOT_FOUND,
            format!("{display}: cannot execute: required file not found (missing interpreter?)"),
        );
    }
    Failure::new(
        EXIT_CANNOT_EXECUTE,
        format!("{display}: cannot execute: {}", strerror(errno)),
    )
}

// ---------------------------------------------------------------------------
// Unit tests of the pure helpers (behaviour is covered by tests/cli.rs)
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> OsString {
        OsString::from(s)
    }

    fn parse(args: &[&str]) -> Result<Parsed> {
        parse_args(args.iter().map(|a| os(a)).collect())
    }

    fn options(cli: &Cli) -> Vec<String> {
        cli.options
            .iter()
            .map(|e| format!("{}={}", e.key, e.value.to_string_lossy()))
            .collect()
    }

    #[test]
    fn flags_map_to_options_in_order() {
        let Ok(Parsed::Run(cli)) = parse(&[
            "--trace=/tmp/t.%p",
            "--format",
            "json",
            "--summary",
            "-vv",
            "--lint-disable=busy-poll",
            "--lint-disable=ctl-error,busy-poll",
            "-o",
            "x=1",
            "-oy=2",
            "prog",
            "--summary",
        ]) else {
            panic!("parse failed");
        };
        assert_eq!(
            options(&cli),
            [
                "trace=1",
                "log_path=/tmp/t.%p",
                "trace_format=json",
                "summary=1",
                "verbosity=3",
                "lint_disable=busy-poll,ctl-error",
                "x=1",
                "y=2"
            ]
        );
        assert_eq!(cli.command, [os("prog"), os("--summary")]);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["--format=xml", "p"][..],
            &["--rdhup=sometimes", "p"],
            &["--lint-disable=nope", "p"],
            &["--lint-disable=busy-poll,", "p"],
            &["--log=a:b", "p"],
            &["-o", "novalue", "p"],
            &["-o", "=v", "p"],
            &["--summary=1", "p"],
            &["--format"],
            &["-x", "p"],
            &["--bogus", "p"],
        ] {
            match parse(args) {
                Err(f) => assert_eq!(f.code, EXIT_USAGE, "{args:?}"),
                Ok(p) => panic!("{args:?} parsed as {p:?}"),
            }
        }
    }

    #[test]
    fn help_and_version_short_circuit() {
        assert!(matches!(parse(&["-vh", "p"]), Ok(Parsed::Help)));
        assert!(matches!(parse(&["-V"]), Ok(Parsed::Version)));
        // After PROGRAM, --help belongs to PROGRAM.
        assert!(matches!(parse(&["p", "--help"]), Ok(Parsed::Run(_))));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(OsStr::new("a/b.c"), true), b"a/b.c");
        assert_eq!(shell_quote(OsStr::new(""), true), b"''");
        assert_eq!(shell_quote(OsStr::new("it's"), true), b"'it'\\''s'");
        assert_eq!(shell_quote(OsStr::new("a=b"), true), b"a=b");
        assert_eq!(shell_quote(OsStr::new("a=b"), false), b"'a=b'");
        assert_eq!(shell_quote(OsStr::new("~x"), true), b"'~x'");
    }

    #[test]
    fn preload_merge() {
        let lib = Path::new("/nonexistent/librepoll.so");
        let merge = |existing: Option<&str>| {
            merge_preload(existing.map(OsStr::new), lib)
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(merge(None), "/nonexistent/librepoll.so");
        assert_eq!(merge(Some(" : ")), "/nonexistent/librepoll.so");
        assert_eq!(
            merge(Some("/a.so /b.so")),
            "/nonexistent/librepoll.so:/a.so /b.so"
        );
        assert_eq!(
            merge(Some("/nonexistent/librepoll.so /a.so")),
            "/nonexistent/librepoll.so /a.so"
        );
        assert_eq!(
            merge(Some(
                "/a.so:/nonexistent/librepoll.so /b.so:/nonexistent/librepoll.so"
            )),
            "/nonexistent/librepoll.so:/a.so:/b.so"
        );
    }

    #[test]
    fn options_merge() {
        let cli = [os("trace=1"), os("summary=1")];
        assert_eq!(merge_options(Some(OsStr::new("a=1")), &[]), None);
        assert_eq!(merge_options(None, &cli), Some(os("trace=1:summary=1")));
        assert_eq!(
            merge_options(Some(OsStr::new("a=1::")), &cli),
            Some(os("a=1:trace=1:summary=1"))
        );
    }

    /// Builds a minimal ELF image: header, program headers of the given
    /// types, and (if `dyn_flags_1` is set) a dynamic section with
    /// DT_FLAGS_1 for the first PT_DYNAMIC.
    fn elf(is_64: bool, big_endian: bool, types: &[u32], dyn_flags_1: Option<u64>) -> Vec<u8> {
        let f = |v: u64, n: usize| -> Vec<u8> {
            let le = v.to_le_bytes();
            let mut b = le[..n].to_vec();
            if big_endian {
                b.reverse();
            }
            b
        };
        let (ehsize, phsize) = if is_64 { (64, 56) } else { (52, 32) };
        let word = if is_64 { 8 } else { 4 };
        let dyn_off = (ehsize + phsize * types.len()) as u64;
        let mut out = vec![0x7f, b'E', b'L', b'F', if is_64 { 2 } else { 1 }];
        out.push(if big_endian { 2 } else { 1 });
        out.resize(16, 0);
        out.extend(f(3, 2)); // e_type ET_DYN
        out.extend(f(62, 2)); // e_machine
        out.extend(f(1, 4)); // e_version
        out.extend(f(0, word)); // e_entry
        out.extend(f(ehsize as u64, word)); // e_phoff
        out.extend(f(0, word)); // e_shoff
        out.extend(f(0, 4)); // e_flags
        out.extend(f(ehsize as u64, 2));
        out.extend(f(phsize as u64, 2));
        out.extend(f(types.len() as u64, 2));
        out.extend(vec![0u8; 6]);
        assert_eq!(out.len(), ehsize);
        for &t in types {
            let mut ph = f(u64::from(t), 4);
            let (off, size) = (dyn_off, 4 * word as u64);
            if is_64 {
                ph.extend(f(0, 4));
                ph.extend(f(off, 8));
                ph.extend(vec![0u8; 16]);
                ph.extend(f(size, 8));
                ph.extend(vec![0u8; 16]);
            } else {
                ph.extend(f(off, 4));
                ph.extend(f(0, 8));
                ph.extend(f(size, 4));
                ph.extend(vec![0u8; 12]);
            }
            assert_eq!(ph.len(), phsize);
            out.extend(ph);
        }
        if let Some(flags) = dyn_flags_1 {
            out.extend(f(DT_FLAGS_1, word));
            out.extend(f(flags, word));
        }
        // DT_NULL, twice without DT_FLAGS_1 so the section size always holds.
        out.extend(vec![0u8; if dyn_flags_1.is_some() { 2 } else { 4 } * word]);
        out
    }

    #[test]
    fn elf_linkage() {
        for is_64 in [false, true] {
            for be in [false, true] {
                let kind = |types: &[u32], flags| {
                    parse_elf(elf(is_64, be, types, flags).as_slice())
                        .unwrap()
                        .unwrap()
                };
                let info = kind(&[6, PT_INTERP, 1, PT_DYNAMIC], None);
                assert_eq!(info.linkage, Linkage::Interpreted);
                assert_eq!((info.is_64, info.machine), (is_64, 62));
                assert_eq!(kind(&[1, 1, 4], None).linkage, Linkage::Static);
                assert_eq!(kind(&[], None).linkage, Linkage::Static);
                let pie = Some(DF_1_PIE | 1);
                assert_eq!(kind(&[1, PT_DYNAMIC], pie).linkage, Linkage::StaticPie);
                assert_eq!(kind(&[1, PT_DYNAMIC], None).linkage, Linkage::NoInterp);
            }
        }
        assert_eq!(parse_elf(b"#!/bin/sh\n".as_slice()).unwrap(), None);
        assert_eq!(parse_elf(b"".as_slice()).unwrap(), None);
        let truncated = elf(true, false, &[PT_INTERP], None);
        assert!(parse_elf(&truncated[..70]).is_err());
    }
}
