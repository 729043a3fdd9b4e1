//! `shared-after-fork`: after fork, the parent and the child both use one
//! inherited epoll instance. With the kernel they then share (and steal)
//! each other's events; under repoll each gets a copy (README limits).
//!
//! Each instance gets a token from a counter in a page shared by the whole
//! process tree (MAP_SHARED, made before any fork). A slot per token lists
//! the processes that used the instance (ctl or wait) since their last
//! fork. At fork the parent takes itself off its instances' lists, so a
//! process that finds another live process on the list at its first use
//! after a fork has found a parent and child both using it.

use super::report::Report;
use super::*;
use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64};

const SLOTS: usize = 1024;
const USERS: usize = 6;

#[repr(C)]
struct Slot {
    token: AtomicU64,
    users: [AtomicI32; USERS],
}

#[repr(C)]
struct Shared {
    next_token: AtomicU64,
    slots: [Slot; SLOTS],
}

static SHARED: AtomicPtr<Shared> = AtomicPtr::new(core::ptr::null_mut());

/// Instances this process used since its last fork: (epfd, token).
static USED: [AtomicU64; 64] = [const { AtomicU64::new(0) }; 64];

pub fn init() {
    if !enabled(SHARED_AFTER_FORK) {
        return;
    }
    let bytes = core::mem::size_of::<Shared>();
    if let Ok(p) = sys::call(
        libc::SYS_mmap,
        [
            0,
            bytes,
            (libc::PROT_READ | libc::PROT_WRITE) as usize,
            (libc::MAP_SHARED | libc::MAP_ANONYMOUS) as usize,
            usize::MAX,
            0,
        ],
    ) {
        SHARED.store(p as *mut Shared, Ordering::Release);
    }
}

fn shared() -> Option<&'static Shared> {
    let p = SHARED.load(Ordering::Acquire);
    // SAFETY: mapped once for the life of the process tree, zero-filled
    // (valid atomics), never unmapped.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// A token for a new instance (0 when the check is off).
pub fn new_token() -> u64 {
    shared().map_or(0, |s| s.next_token.fetch_add(1, Ordering::AcqRel) + 1)
}

fn slot(sh: &'static Shared, token: u64) -> Option<&'static Slot> {
    let start = (token.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % SLOTS;
    for k in 0..SLOTS {
        let s = &sh.slots[(start + k) % SLOTS];
        let t = s.token.load(Ordering::Acquire);
        if t == token {
            return Some(s);
        }
        if t == 0
            && s.token
                .compare_exchange(0, token, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            return Some(s);
        }
    }
    None
}

fn alive(pid: i32) -> bool {
    // kill(pid, 0): ESRCH once the process is gone.
    sys::call(libc::SYS_kill, [pid as usize, 0, 0, 0, 0, 0]).is_ok()
}

/// The program uses instance `epfd` (ctl or wait).
pub fn check_use(s: &mut State, epfd: c_int) {
    let Some(sh) = shared() else { return };
    let Some(ep) = s.peek(epfd) else { return };
    if !ep.is_ep || ep.token == 0 {
        return;
    }
    let token = ep.token;
    let key = ((epfd as u64) << 40) ^ token;
    if USED.iter().any(|u| u.load(Ordering::Relaxed) == key) {
        return;
    }
    if let Some(u) = USED.iter().find(|u| u.load(Ordering::Relaxed) == 0) {
        u.store(key, Ordering::Relaxed);
    }
    let Some(slot) = slot(sh, token) else { return };
    let me = sys::getpid();
    let mut other = 0;
    let mut placed = false;
    for u in &slot.users {
        let p = u.load(Ordering::Acquire);
        if p == me {
            placed = true;
        } else if p != 0 {
            if alive(p) {
                other = p;
            } else {
                let _ = u.compare_exchange(p, 0, Ordering::AcqRel, Ordering::Relaxed);
            }
        }
    }
    if !placed {
        for u in &slot.users {
            if u.compare_exchange(0, me, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                break;
            }
        }
    }
    if other != 0 {
        let r = Report::new(SHARED_AFTER_FORK, epfd, epfd).with_msg(|b| {
            b.push_str("this epoll instance was inherited across fork and is used both here and by process ");
            b.push_i64(other as i64);
            b.push_str(": with the kernel both share one interest list and steal each other's events (and repoll cannot share it at all); create the instance after fork, in the process that uses it, with EPOLL_CLOEXEC");
        });
        s.report(r, true);
    }
}

/// After fork: both processes start a new "since fork" period; the parent
/// leaves the lists of the instances it used.
pub fn after_fork(child: bool) {
    let Some(sh) = shared() else { return };
    let me = sys::getpid();
    for u in USED.iter() {
        let key = u.swap(0, Ordering::Relaxed);
        if key == 0 || child {
            continue;
        }
        let token = key & ((1 << 40) - 1);
        if let Some(slot) = slot(sh, token) {
            for p in &slot.users {
                let _ = p.compare_exchange(me, 0, Ordering::AcqRel, Ordering::Relaxed);
            }
        }
    }
}
