//! Options, from `REPOLL_OPTIONS=key=value:key=value` (sanitizer style).

use ::core::sync::atomic::{AtomicBool, Ordering};

static REFUSE_IO_URING: AtomicBool = AtomicBool::new(true);

pub fn init() {}

/// Whether `syscall(SYS_io_uring_setup)` fails with ENOSYS (default yes).
pub fn refuse_io_uring() -> bool {
    REFUSE_IO_URING.load(Ordering::Relaxed)
}
