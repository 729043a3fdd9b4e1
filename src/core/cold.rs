//! Hot and cold registrations: epoll's scaling on a poll(2) core.
//!
//! `poll` costs O(descriptors) per call; epoll's point is that idle
//! descriptors cost nothing. So each instance splits its interest list:
//!
//! * **hot** registrations (recently ready, touched by an intercepted call,
//!   or just added/modified) are polled by every wait, directly by the
//!   waiting thread, and are what a waiter blocks on;
//! * **cold** registrations (seen idle for `cold_after_ms`, 50 ms by default) are watched by one
//!   helper thread per process, blocked in `ppoll` over all of them (and a
//!   control eventfd). When one becomes ready the helper promotes it to hot
//!   under the core lock, observes it (queueing it as the kernel's wakeup
//!   callback would) and wakes the instance's waiters.
//!
//! A wait therefore costs O(hot + ready), and the helper's O(cold) poll runs
//! only when a cold descriptor wakes up or the cold set changes. The helper
//! is created lazily at the first demotion, has every signal blocked, never
//! holds the lock across `ppoll`, owns only its control eventfd (CLOEXEC,
//! moved high, internal), and does not exist in a forked child (the child
//! starts with every registration hot and makes its own helper when it
//! demotes).
//!
//! A `ppoll` pins the files it polls: a descriptor the application closes
//! while the helper polls it would stay open (no FIN for a socket) until the
//! helper returns. So removing a cold registration pokes the helper, and the
//! close hooks wait (`unpin_wait`) until the helper left the poll that held
//! the file.

use super::{Global, RegList};
use crate::fdtable;
use crate::registry;
use crate::sys;
use core::sync::atomic::{AtomicU64, Ordering};
use libc::{c_int, c_void, pollfd};

pub const NONE: u8 = 0;
pub const HOT: u8 = 1;
pub const COLD: u8 = 2;

/// At most this many cold registrations are polled directly by a polling
/// wait (timeout 0) and by a wait about to time out (so small programs see
/// another process's writes without the helper's latency).
const SWEEP_MAX: usize = 64;

/// The cold epoch of the poll set the helper is blocked on, or `u64::MAX`
/// while it is not inside `ppoll`.
static POLLING_EPOCH: AtomicU64 = AtomicU64::new(u64::MAX);
/// The cold epoch right after the last removal of a cold registration whose
/// descriptor may be closed: the helper must have left any older poll.
static UNPIN_TARGET: AtomicU64 = AtomicU64::new(0);

/// Process-wide state of the cold helper.
pub struct ColdState {
    /// Bumped at every change of any instance's cold list.
    pub epoch: u64,
    /// The helper's control eventfd (-1 until the helper exists).
    pub ctl_fd: c_int,
    /// The helper thread runs in this process.
    pub running: bool,
    /// The helper could not be started: nothing is ever demoted.
    pub disabled: bool,
    /// Which helper thread is the current one (a stopped helper sees
    /// another value and exits).
    pub helper_gen: u64,
}

impl Default for ColdState {
    fn default() -> Self {
        ColdState {
            epoch: 1,
            ctl_fd: -1,
            running: false,
            disabled: false,
            helper_gen: 0,
        }
    }
}

impl Global {
    /// Moves registration (id, slot) to list `temp` (HOT, COLD or NONE).
    pub fn set_temp(&mut self, id: u32, slot: u32, temp: u8) {
        let inst = self.inst_mut(id);
        let super::Instance {
            interest,
            hot,
            cold,
            ..
        } = inst;
        let Some(e) = interest.get(slot) else {
            return;
        };
        let (old, pos) = (e.ext.temp, e.ext.pos as usize);
        if old == temp {
            return;
        }
        let from = match old {
            HOT => Some(hot),
            COLD => Some(cold),
            _ => None,
        };
        if let Some(list) = from {
            if list.get(pos) == Some(&slot) {
                list.swap_remove(pos);
                if let Some(&moved) = list.get(pos) {
                    if let Some(m) = interest.get_mut(moved) {
                        m.ext.pos = pos as u32;
                    }
                }
            }
        }
        let to = match temp {
            HOT => Some(&mut inst.hot),
            COLD => Some(&mut inst.cold),
            _ => None,
        };
        let new_pos = match to {
            Some(list) => {
                list.push(slot);
                list.len() - 1
            }
            None => 0,
        };
        if let Some(e) = inst.interest.get_mut(slot) {
            e.ext.temp = temp;
            e.ext.pos = new_pos as u32;
        }
        if old == COLD {
            self.cold_removed();
        } else if temp == COLD {
            self.cold.epoch += 1;
        }
    }

    /// A cold registration left the cold set (or its instance went): the
    /// helper must rebuild, and closes wait until it left the old poll.
    pub fn cold_removed(&mut self) {
        self.cold.epoch += 1;
        UNPIN_TARGET.store(self.cold.epoch, Ordering::Release);
    }

    /// Room in the hot and cold lists for one more registration, so that
    /// moving between them never allocates.
    pub fn reserve_temp(&mut self, id: u32) -> Result<(), super::Errno> {
        let inst = self.inst_mut(id);
        let n = inst.interest.len() + 1;
        for list in [&mut inst.hot, &mut inst.cold] {
            if list.capacity() < n {
                let extra = (n - list.len()).max(list.capacity() / 4).max(16);
                list.try_reserve_exact(extra).map_err(|_| libc::ENOMEM)?;
            }
        }
        Ok(())
    }

    /// A cold registration is active again: make it hot and wake the
    /// waiters so that their next poll set includes it.
    pub fn promote(&mut self, id: u32, slot: u32, now: u64) {
        self.flush_pending(id);
        self.set_temp(id, slot, HOT);
        if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
            e.ext.last_active = super::coarse_time(now);
        }
        let woke = self.observe_one(id, slot, 0);
        self.update_signal(id);
        if woke {
            self.notify_parents(id);
        } else {
            self.wake_chain(id, 0);
        }
    }

    /// Wakes the waiters of `id` and of every instance containing it (a
    /// waiter on an outer instance blocks on the inner hot sets too).
    pub fn wake_chain(&mut self, id: u32, depth: usize) {
        if depth > super::MAX_NEST_LINKS + 1 || !self.alive(id) {
            return;
        }
        self.wake_waiters(id);
        let parents = RegList::of(&self.inst(id).parents);
        for &(outer, _) in parents.as_slice() {
            self.wake_chain(outer, depth + 1);
        }
    }

    /// Tells the helper that the cold set changed, starting it if needed.
    /// Returns false when no helper can run (the caller keeps everything
    /// hot).
    pub fn poke_helper(&mut self) -> bool {
        if self.cold.disabled {
            return false;
        }
        if !self.cold.running && !self.start_helper() {
            self.cold.disabled = true;
            self.reheat_all();
            return false;
        }
        let _ = sys::write(self.cold.ctl_fd, &1u64.to_ne_bytes());
        true
    }

    /// Every cold registration back to hot (no helper: fork child, or the
    /// helper could not be made).
    pub fn reheat_all(&mut self) {
        for id in 0..self.instances.len() as u32 {
            if !self.alive(id) {
                continue;
            }
            while let Some(&slot) = self.inst(id).cold.last() {
                self.set_temp(id, slot, HOT);
            }
        }
    }

    fn start_helper(&mut self) -> bool {
        if self.cold.ctl_fd < 0 {
            let Ok(fd) = sys::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) else {
                return false;
            };
            let fd = super::move_high(fd).unwrap_or(fd);
            self.internal.push(fd);
            fdtable::set_bits(fd, fdtable::INTERNAL);
            self.cold.ctl_fd = fd;
        }
        // SAFETY: plain pthread calls on values we own; the new thread
        // starts with every signal blocked (the mask is inherited).
        unsafe {
            let mut all: libc::sigset_t = core::mem::zeroed();
            let mut old: libc::sigset_t = core::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
            let mut attr: libc::pthread_attr_t = core::mem::zeroed();
            libc::pthread_attr_init(&mut attr);
            libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
            libc::pthread_attr_setstacksize(&mut attr, 256 * 1024);
            let mut tid: libc::pthread_t = 0;
            self.cold.helper_gen += 1;
            let arg = self.cold.helper_gen as usize as *mut c_void;
            let r = libc::pthread_create(&mut tid, &attr, helper_main, arg);
            libc::pthread_attr_destroy(&mut attr);
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, core::ptr::null_mut());
            if r != 0 {
                return false;
            }
        }
        self.cold.running = true;
        true
    }

    /// The last instance is gone: stop the helper and close its control
    /// eventfd now (a program that closes everything it opened finds
    /// /proc/self/fd as it was). The thread wakes (the eventfd it polls is
    /// readable), sees it is no longer the current helper and exits.
    pub fn stop_helper(&mut self) {
        if !self.cold.running {
            return;
        }
        let fd = core::mem::replace(&mut self.cold.ctl_fd, -1);
        let _ = sys::write(fd, &1u64.to_ne_bytes());
        let _ = sys::close(fd);
        fdtable::forget(fd);
        self.internal.retain(|&x| x != fd);
        self.cold.running = false;
        self.cold.helper_gen += 1;
    }

    /// A polling wait, or one about to return nothing: poll a small cold
    /// set directly, promoting what is ready. True when something was
    /// promoted.
    pub fn sweep_cold(&mut self, id: u32) -> bool {
        let n = self.inst(id).cold.len();
        if n == 0 || n > SWEEP_MAX {
            return false;
        }
        let mut fds = [pollfd {
            fd: -1,
            events: 0,
            revents: 0,
        }; SWEEP_MAX];
        let mut slots = [0u32; SWEEP_MAX];
        for (i, &slot) in self.inst(id).cold.iter().enumerate() {
            let Some(e) = self.inst(id).interest.get(slot) else {
                continue;
            };
            fds[i] = pollfd {
                fd: e.ext.poll_fd,
                events: Self::poll_events(e),
                revents: 0,
            };
            slots[i] = slot;
        }
        if sys::poll_now(&mut fds[..n]).unwrap_or(0) == 0 {
            return false;
        }
        let now = sys::monotonic_ns();
        for i in 0..n {
            if fds[i].revents != 0 {
                self.promote(id, slots[i], now);
            }
        }
        true
    }

    /// In a forked child: no helper thread exists here.
    pub fn cold_after_fork_child(&mut self) {
        self.cold.running = false;
        self.cold.disabled = false;
        let old = core::mem::replace(&mut self.cold.ctl_fd, -1);
        if old >= 0 {
            let _ = sys::close(old);
            fdtable::forget(old);
            self.internal.retain(|&x| x != old);
        }
        POLLING_EPOCH.store(u64::MAX, Ordering::Relaxed);
        UNPIN_TARGET.store(0, Ordering::Relaxed);
        self.reheat_all();
    }
}

/// Called by the close hooks after the real close: if a cold registration
/// was removed, wait (briefly, bounded) until the helper has left the
/// `ppoll` that still pinned its file, so the file is really released when
/// close returns (a closed socket sends its FIN at once, as natively).
pub fn unpin_wait() {
    let target = UNPIN_TARGET.load(Ordering::Acquire);
    if target == 0 {
        return;
    }
    let mut start = 0;
    loop {
        let polling = POLLING_EPOCH.load(Ordering::Acquire);
        if polling == u64::MAX || polling >= target {
            return;
        }
        let now = sys::monotonic_ns();
        if start == 0 {
            start = now;
        } else if now - start > 20_000_000 {
            return;
        }
        let _ = sys::call(libc::SYS_sched_yield, [0; 6]);
    }
}

/// One cold registration in the helper's poll set.
#[derive(Clone, Copy)]
struct Watched {
    id: u32,
    slot: u32,
}

extern "C" fn helper_main(arg: *mut c_void) -> *mut c_void {
    let my_gen = arg as usize as u64;
    let _re = crate::hooks::Reentry::enter();
    let name = b"repoll-cold\0";
    let _ = sys::call(
        libc::SYS_prctl,
        [
            libc::PR_SET_NAME as usize,
            name.as_ptr() as usize,
            0,
            0,
            0,
            0,
        ],
    );
    let mut fds: Vec<pollfd> = Vec::new();
    let mut watched: Vec<Watched> = Vec::new();
    let mut epoch = 0u64;
    let me = sys::getpid();
    loop {
        let ctl;
        {
            let mut guard = super::lock();
            let Some(g) = guard.as_mut() else {
                return core::ptr::null_mut();
            };
            if crate::PID.load(Ordering::Relaxed) != me || g.cold.helper_gen != my_gen {
                // Stopped (no instance left), or this is a forked child.
                return core::ptr::null_mut();
            }
            ctl = g.cold.ctl_fd;
            if fds.first().is_some_and(|p| p.revents != 0) {
                let mut b = [0u8; 8];
                let _ = sys::read(ctl, &mut b);
            }
            let now = sys::monotonic_ns();
            for (i, p) in fds.iter().enumerate().skip(1) {
                if p.revents == 0 {
                    continue;
                }
                let w = watched[i - 1];
                let still = g.alive(w.id)
                    && g.inst(w.id)
                        .interest
                        .get(w.slot)
                        .is_some_and(|e| e.ext.temp == COLD && e.ext.poll_fd == p.fd);
                if still {
                    g.promote(w.id, w.slot, now);
                }
            }
            if g.cold.epoch != epoch || fds.is_empty() {
                rebuild(g, &mut fds, &mut watched);
                epoch = g.cold.epoch;
            }
            POLLING_EPOCH.store(epoch, Ordering::Release);
        }
        if ctl < 0 {
            return core::ptr::null_mut();
        }
        for p in fds.iter_mut() {
            p.revents = 0;
        }
        let r = sys::call(
            libc::SYS_ppoll,
            [fds.as_mut_ptr() as usize, fds.len(), 0, 0, 8, 0],
        );
        POLLING_EPOCH.store(u64::MAX, Ordering::Release);
        if r.is_err() {
            for p in fds.iter_mut() {
                p.revents = 0;
            }
        }
    }
}

/// The helper's poll set: its control eventfd, then every cold
/// registration of every instance.
fn rebuild(g: &Global, fds: &mut Vec<pollfd>, watched: &mut Vec<Watched>) {
    fds.clear();
    watched.clear();
    fds.push(pollfd {
        fd: g.cold.ctl_fd,
        events: libc::POLLIN,
        revents: 0,
    });
    for (id, inst) in g.instances.iter().enumerate() {
        let Some(inst) = inst else { continue };
        for &slot in &inst.cold {
            let Some(e) = inst.interest.get(slot) else {
                continue;
            };
            fds.push(pollfd {
                fd: e.ext.poll_fd,
                events: Global::poll_events(e),
                revents: 0,
            });
            watched.push(Watched {
                id: id as u32,
                slot,
            });
        }
    }
}

/// Whether registration `e` is idle: nothing to report, nothing pending.
pub fn is_idle(e: &super::Entry) -> bool {
    !e.is_linked()
        && e.ext.nested == 0
        && e.state & (e.effective_interest() | registry::EPOLLERR | registry::EPOLLHUP) == 0
}
