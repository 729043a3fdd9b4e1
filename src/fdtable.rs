//! Lock-free per-descriptor hints read by the I/O hooks on every call.
//!
//! The hooks on `read`, `write`, `close`... run on every I/O of the host
//! program, most of it on descriptors repoll does not care about. These
//! tables let a hook decide with one atomic load whether it must take the
//! global lock. They are hints kept in step by the core under its lock;
//! descriptors at or above `FAST_FDS` always take the slow path.

use core::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};

pub const FAST_FDS: usize = 1 << 16;

/// The descriptor names a file that is registered in some instance, or a
/// dup of one (the close, dup and read hooks must update the core).
pub const TRACKED: u8 = 1;
/// The descriptor is an epoll handle of ours.
pub const HANDLE: u8 = 2;
/// The descriptor is one of repoll's internal descriptors.
pub const INTERNAL: u8 = 4;
/// Some registration of this file is edge-triggered (reads and EAGAIN
/// writes must be reported to the core).
pub const EDGE: u8 = 8;
/// The descriptor was duplicated (or is a duplicate) at some point: when
/// the last tracked descriptor of a registered file closes, those are the
/// candidates that may still hold the file open (checked with kcmp).
pub const DUPED: u8 = 16;

/// Calls `f` for every descriptor below FAST_FDS carrying `bit`.
pub fn each_with(bit: u8, mut f: impl FnMut(i32) -> bool) {
    for (i, b) in BITS.iter().enumerate() {
        if b.load(Ordering::Relaxed) & bit != 0 && !f(i as i32) {
            break;
        }
    }
}

static BITS: [AtomicU8; FAST_FDS] = [const { AtomicU8::new(0) }; FAST_FDS];

/// Where a successful write on this descriptor lands: 0 unknown (compute
/// it), 1 nowhere we can name, otherwise a channel id (see core::channel).
static WRITE_TARGET: [AtomicU64; FAST_FDS] = [const { AtomicU64::new(0) }; FAST_FDS];

/// One bit per channel hash bucket: set while some registration listens on
/// a channel of that bucket (never cleared; a stale bit only costs a lock).
static CHANNEL_BLOOM: [AtomicU64; 1024] = [const { AtomicU64::new(0) }; 1024];

/// Number of live registrations in all instances; 0 lets every I/O hook
/// skip its bookkeeping entirely.
pub static REGISTRATIONS: AtomicUsize = AtomicUsize::new(0);

#[inline]
pub fn bits(fd: i32) -> u8 {
    if fd >= 0 && (fd as usize) < FAST_FDS {
        BITS[fd as usize].load(Ordering::Acquire)
    } else if fd < 0 {
        0
    } else {
        // Unknown: make the caller check with the core.
        TRACKED | HANDLE
    }
}

#[inline]
pub fn set_bits(fd: i32, b: u8) {
    if fd >= 0 && (fd as usize) < FAST_FDS {
        BITS[fd as usize].store(b, Ordering::Release);
    }
}

#[inline]
pub fn add_bits(fd: i32, b: u8) {
    if fd >= 0 && (fd as usize) < FAST_FDS {
        BITS[fd as usize].fetch_or(b, Ordering::AcqRel);
    }
}

#[inline]
pub fn write_target(fd: i32) -> u64 {
    if fd >= 0 && (fd as usize) < FAST_FDS {
        WRITE_TARGET[fd as usize].load(Ordering::Acquire)
    } else {
        0
    }
}

#[inline]
pub fn set_write_target(fd: i32, t: u64) {
    if fd >= 0 && (fd as usize) < FAST_FDS {
        WRITE_TARGET[fd as usize].store(t, Ordering::Release);
    }
}

/// Forgets everything about a descriptor number (closed or replaced).
#[inline]
pub fn forget(fd: i32) {
    set_bits(fd, 0);
    set_write_target(fd, 0);
}

#[inline]
fn bloom_pos(channel: u64) -> (usize, u64) {
    let h = channel.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48;
    ((h as usize >> 6) & 1023, 1u64 << (h & 63))
}

pub fn bloom_set(channel: u64) {
    let (i, b) = bloom_pos(channel);
    CHANNEL_BLOOM[i].fetch_or(b, Ordering::AcqRel);
}

#[inline]
pub fn bloom_test(channel: u64) -> bool {
    let (i, b) = bloom_pos(channel);
    CHANNEL_BLOOM[i].load(Ordering::Acquire) & b != 0
}

/// In a forked child nothing changes: descriptors are inherited as they are.
/// After exec the tables start empty, as a new image.
pub fn clear_all() {
    for b in BITS.iter() {
        b.store(0, Ordering::Relaxed);
    }
    for t in WRITE_TARGET.iter() {
        t.store(0, Ordering::Relaxed);
    }
}
