//! Per-thread trace regions: a record buffer and the summary counters.
//!
//! Each thread that makes a traced call claims one slot of a static table
//! and keeps it until it exits (a pthread key destructor gives it back).
//! A slot's region is mapped with `mmap` the first time it is claimed and
//! reused by later threads, so the per-call path never allocates. Only the
//! owner thread touches its region on the per-call path; the slot's state
//! word is a lock that other threads take only to flush at exit, fork or
//! exec, so threads never contend with each other while tracing
//! (heaptrack's per-thread `LineWriter`, with the flush-all of compiler-rt's
//! sanitizer `internal_write` at death).
//!
//! With `trace_buffer=0` (the default) every record is written at once and
//! the buffer only holds the line being built. With `trace_buffer=N` records
//! accumulate up to N bytes (or 100 ms, or until the thread is about to
//! sleep in a wait) and are written together; see docs/TRACE.md for what
//! that trades away.

use super::summary::Stats;
use crate::sys;
use core::cell::Cell;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// Slots for this many concurrently live threads; more threads share one
/// extra, locked slot.
const MAX_SLOTS: usize = 1024;
/// The shared slot for threads beyond MAX_SLOTS.
const OVERFLOW: usize = MAX_SLOTS;
/// Bytes before the record buffer in a region (the Header, page-rounded).
pub const HEADER: usize = 8192;

/// Nobody owns the slot.
const FREE: u32 = 0;
/// Owned by a thread, not in use right now.
const IDLE: u32 = 1;
/// Someone (the owner appending, or a flusher) holds the slot.
const BUSY: u32 = 2;

/// The start of a region.
#[repr(C)]
pub struct Header {
    /// Summary counters of the threads that owned this slot (additive, so a
    /// slot passed to a new thread keeps counting).
    pub stats: Stats,
    /// Bytes of complete records waiting in the buffer (batch mode).
    pub len: usize,
    /// Monotonic time of the oldest waiting record.
    pub first_ns: u64,
}

const _: () = assert!(core::mem::size_of::<Header>() <= HEADER);

struct Slot {
    /// FREE, IDLE or BUSY.
    state: AtomicU32,
    /// The mapped region (HEADER + buffer), null until first claimed.
    region: AtomicPtr<u8>,
}

static SLOTS: [Slot; MAX_SLOTS + 1] = [const {
    Slot {
        state: AtomicU32::new(FREE),
        region: AtomicPtr::new(core::ptr::null_mut()),
    }
}; MAX_SLOTS + 1];

/// Size of the record buffer after the header (set once by `init`).
static BUFFER: AtomicUsize = AtomicUsize::new(0);
/// Flush when this many bytes wait (0: write every record at once).
pub static BATCH: AtomicUsize = AtomicUsize::new(0);
/// The pthread key whose destructor gives a slot back at thread exit.
static KEY: AtomicU32 = AtomicU32::new(u32::MAX);

thread_local! {
    /// This thread's slot + 1 (0: none yet).
    static MY_SLOT: Cell<u32> = const { Cell::new(0) };
    /// Set while this thread holds its slot: a signal handler that makes an
    /// epoll call in between must not wait for the slot (it uses a stack
    /// buffer instead).
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// Sets the buffer sizes and the thread-exit key. `record_cap` is the
/// largest record; `batch` the trace_buffer option.
pub fn init(record_cap: usize, batch: usize) {
    BUFFER.store(record_cap + batch, Ordering::Relaxed);
    BATCH.store(batch, Ordering::Relaxed);
    let mut key: libc::pthread_key_t = 0;
    // SAFETY: plain key creation with an extern "C" destructor.
    if unsafe { libc::pthread_key_create(&mut key, Some(thread_exit)) } == 0 {
        KEY.store(key, Ordering::Relaxed);
    }
}

fn region_size() -> usize {
    HEADER + BUFFER.load(Ordering::Relaxed)
}

fn map_region() -> *mut u8 {
    let r = sys::call(
        libc::SYS_mmap,
        [
            0,
            region_size(),
            (libc::PROT_READ | libc::PROT_WRITE) as usize,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE) as usize,
            usize::MAX, // fd -1
            0,
        ],
    );
    match r {
        Ok(p) => p as *mut u8,
        Err(_) => core::ptr::null_mut(),
    }
}

/// Takes a free slot for the calling thread, in state BUSY.
fn claim() -> Option<usize> {
    for (i, slot) in SLOTS.iter().enumerate().take(MAX_SLOTS) {
        if slot.state.load(Ordering::Relaxed) != FREE {
            continue;
        }
        if slot
            .state
            .compare_exchange(FREE, BUSY, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            continue;
        }
        if slot.region.load(Ordering::Acquire).is_null() {
            let p = map_region();
            if p.is_null() {
                slot.state.store(FREE, Ordering::Release);
                return None;
            }
            slot.region.store(p, Ordering::Release);
        }
        MY_SLOT.with(|s| s.set(i as u32 + 1));
        let key = KEY.load(Ordering::Relaxed);
        if key != u32::MAX {
            // SAFETY: a valid key; the value is a small integer, not a pointer
            // anyone dereferences. Keys below 32 need no allocation in glibc.
            unsafe { libc::pthread_setspecific(key, (i + 1) as *const libc::c_void) };
        }
        return Some(i);
    }
    // All slots owned: share the overflow slot (locked like any other).
    lock(OVERFLOW, true)?;
    if SLOTS[OVERFLOW].region.load(Ordering::Acquire).is_null() {
        let p = map_region();
        if p.is_null() {
            SLOTS[OVERFLOW].state.store(FREE, Ordering::Release);
            return None;
        }
        SLOTS[OVERFLOW].region.store(p, Ordering::Release);
    }
    MY_SLOT.with(|s| s.set(OVERFLOW as u32 + 1));
    Some(OVERFLOW)
}

/// Takes slot `i` (IDLE → BUSY; the overflow slot also from FREE).
/// `wait`: spin until it is free; otherwise give up after a short while
/// (signal handlers, which may have interrupted the holder).
fn lock(i: usize, wait: bool) -> Option<()> {
    let slot = &SLOTS[i];
    let mut spins = 0u32;
    loop {
        let s = slot.state.load(Ordering::Relaxed);
        let from_ok = s == IDLE || (i == OVERFLOW && s == FREE);
        if from_ok
            && slot
                .state
                .compare_exchange(s, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            return Some(());
        }
        if s == FREE && i != OVERFLOW {
            return None;
        }
        spins += 1;
        if !wait && spins > 100_000 {
            return None;
        }
        if spins % 64 == 0 {
            // The holder may be in write(2); let it run.
            sys::raw6(libc::SYS_sched_yield, [0; 6]);
        } else {
            core::hint::spin_loop();
        }
    }
}

fn unlock(i: usize) {
    SLOTS[i].state.store(IDLE, Ordering::Release);
}

/// Runs `f` on the calling thread's region: its header and record buffer.
/// None when the thread is already inside (a signal handler interrupted
/// a record) or no region could be mapped.
pub fn with_region<R>(f: impl FnOnce(&mut Header, &mut [u8]) -> R) -> Option<R> {
    if HOLDING.with(|h| h.get()) {
        return None;
    }
    let i = match MY_SLOT.with(|s| s.get()) {
        0 => claim()?,
        n => {
            let i = n as usize - 1;
            lock(i, true)?;
            i
        }
    };
    HOLDING.with(|h| h.set(true));
    let region = SLOTS[i].region.load(Ordering::Acquire);
    // SAFETY: the region is a live mapping of region_size() bytes that only
    // the holder of the BUSY state touches; we hold it until unlock below.
    let (header, buf) = unsafe {
        (
            &mut *(region as *mut Header),
            core::slice::from_raw_parts_mut(region.add(HEADER), region_size() - HEADER),
        )
    };
    let r = f(header, buf);
    unlock(i);
    HOLDING.with(|h| h.set(false));
    Some(r)
}

/// Writes the waiting records of a region.
pub fn flush(header: &mut Header, buf: &[u8]) {
    if header.len > 0 {
        super::sink::write(&buf[..header.len.min(buf.len())]);
        header.len = 0;
    }
}

/// Writes the calling thread's waiting records (batch mode; before the
/// thread sleeps in a wait).
#[inline]
pub fn flush_mine() {
    if BATCH.load(Ordering::Relaxed) == 0 || MY_SLOT.with(|s| s.get()) == 0 {
        return;
    }
    with_region(|h, buf| flush(h, buf));
}

/// Flushes every thread's buffer (exit, fork, exec). `wait`: false from a
/// signal handler, where the interrupted thread may hold its own slot
/// (that slot is then skipped rather than waited for).
pub fn flush_all(wait: bool) {
    if BATCH.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mine = MY_SLOT.with(|s| s.get()) as usize;
    let holding = HOLDING.with(|h| h.get());
    for (i, slot) in SLOTS.iter().enumerate() {
        if slot.region.load(Ordering::Acquire).is_null() {
            continue;
        }
        if holding && mine == i + 1 {
            continue;
        }
        if lock(i, wait).is_none() {
            continue;
        }
        for_region(i, |h, buf| flush(h, buf));
        unlock(i);
    }
}

/// Calls `f` on slot `i`'s region; the caller holds the slot.
fn for_region(i: usize, f: impl FnOnce(&mut Header, &mut [u8])) {
    let region = SLOTS[i].region.load(Ordering::Acquire);
    if region.is_null() {
        return;
    }
    // SAFETY: as in with_region; the caller holds slot i.
    let (header, buf) = unsafe {
        (
            &mut *(region as *mut Header),
            core::slice::from_raw_parts_mut(region.add(HEADER), region_size() - HEADER),
        )
    };
    f(header, buf);
}

/// Visits every region's header (summary at exit), each under its lock.
pub fn for_each_header(mut f: impl FnMut(&Header)) {
    for (i, slot) in SLOTS.iter().enumerate() {
        if slot.region.load(Ordering::Acquire).is_null() {
            continue;
        }
        let s = slot.state.load(Ordering::Relaxed);
        // A FREE slot is unlocked and unused: read it as it is.
        let locked = s != FREE && lock(i, true).is_some();
        for_region(i, |h, _| f(h));
        if locked {
            unlock(i);
        }
    }
}

/// In a forked child: only the calling thread exists. Other threads'
/// slots become free (their records belong to the parent, which writes
/// them), every buffer is emptied and every counter zeroed so the child's
/// summary counts the child only.
pub fn after_fork_child() {
    let mine = MY_SLOT.with(|s| s.get()) as usize;
    HOLDING.with(|h| h.set(false));
    for (i, slot) in SLOTS.iter().enumerate() {
        let region = slot.region.load(Ordering::Relaxed);
        if !region.is_null() {
            for_region(i, |h, _| {
                h.len = 0;
                h.first_ns = 0;
                h.stats = Stats::ZERO;
            });
        }
        let state = if region.is_null() {
            FREE
        } else if i + 1 == mine || i == OVERFLOW {
            IDLE
        } else {
            FREE
        };
        slot.state.store(state, Ordering::Release);
    }
    if mine == OVERFLOW + 1 {
        // Overflow users go back to having no slot.
        MY_SLOT.with(|s| s.set(0));
    }
}

/// Zeroes every counter (after a summary printed at exec).
pub fn reset_stats() {
    for (i, slot) in SLOTS.iter().enumerate() {
        if slot.region.load(Ordering::Acquire).is_null() {
            continue;
        }
        let s = slot.state.load(Ordering::Relaxed);
        let locked = s != FREE && lock(i, true).is_some();
        for_region(i, |h, _| h.stats = Stats::ZERO);
        if locked {
            unlock(i);
        }
    }
}

/// pthread key destructor: the thread is exiting; write its records and
/// give its slot to the next thread.
extern "C" fn thread_exit(value: *mut libc::c_void) {
    let i = (value as usize).wrapping_sub(1);
    if i >= MAX_SLOTS || HOLDING.with(|h| h.get()) {
        return;
    }
    if lock(i, true).is_none() {
        return;
    }
    for_region(i, |h, buf| flush(h, buf));
    MY_SLOT.with(|s| s.set(0));
    SLOTS[i].state.store(FREE, Ordering::Release);
}
