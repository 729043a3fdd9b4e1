//! The poll core: epoll instances built on `poll(2)` and eventfds.
//!
//! One global lock protects every instance, the descriptor tracking tables
//! and the channel index. It is never held across a blocking call: a wait
//! copies its poll set into a buffer of its own, releases the lock, blocks
//! in `ppoll`, then takes the lock again and re-observes (the loop of
//! jiixyj/epoll-shim `epollfd_ctx_wait_or_block` and wepoll `port__poll`).
//!
//! Each instance has:
//! * a *handle*: the eventfd handed to the application as the epoll fd. It
//!   is kept readable exactly while a wait would report something, so that
//!   `poll()` on it and nesting work (SEMANTICS 9.1);
//! * a private *wake* eventfd (semaphore mode, CLOEXEC, moved high) that
//!   `epoll_ctl`, `close` and in-process writes use to wake blocked waiters.

pub mod cold;
pub mod ident;
pub mod small;

use crate::fdtable;
use crate::lock::{Guard, Lock};
use crate::registry::{self, Interest, Key, Ready};
use crate::sys;
use ident::{Ident, Kind};
use libc::{c_int, pollfd};
use std::collections::HashMap;

pub type Errno = c_int;

/// Nesting limit: at most 5 instances in a chain (EP_MAX_NESTS = 4 links).
const MAX_NEST_LINKS: usize = 4;

/// How long a wait may block while an edge-triggered descriptor sits
/// readable and undrained: poll(2) cannot tell when more data arrives from
/// another process, so the core re-checks FIONREAD this often.
pub const UNDRAINED_RECHECK_NS: u64 = 50_000_000;

/// Capacity of an instance's list of pending in-process wakeups.
const PENDING_MAX: usize = 64;

/// Marks a wakeup key that comes from an intercepted write (see
/// `observe_one`); never a real epoll bit.
const WRITE_WAKEUP: u32 = 1 << 27;

/// Core-owned part of a registration.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ext {
    /// The descriptor polled for this registration: the registered number,
    /// or another descriptor of the same file once that number is closed.
    pub poll_fd: c_int,
    /// What the file is.
    pub kind: Kind,
    /// Channel this registration listens on for in-process writes.
    pub channel: u64,
    /// Queued bytes (FIONREAD) at the last observation, for edge detection.
    pub baseline: i64,
    /// Instance id + 1 when the target is one of our epoll instances.
    pub nested: u32,
    /// Which list of its instance the registration is on: `cold::HOT`
    /// (polled by waiters), `cold::COLD` (watched by the helper thread) or
    /// `cold::NONE` (disarmed one-shot: nothing to watch).
    pub temp: u8,
    /// Position in that list.
    pub pos: u32,
    /// When the registration was last seen ready or touched, in
    /// `coarse_time` units (wrapping).
    pub last_active: u32,
    /// On the instance's `pending` list (an in-process wakeup left for the
    /// next observation, see `Global::kernel_shows`).
    pub pending: bool,
    /// Index in the poll array of the running `refresh`.
    pub scan_idx: u32,
}

pub type Entry = registry::Entry<Ext>;

/// One epoll instance.
pub struct Instance {
    /// File id of the handle eventfd.
    pub file: u64,
    /// The interest list and ready list.
    pub interest: Interest<Ext>,
    /// Private semaphore eventfd that wakes blocked waiters.
    pub wake_fd: c_int,
    /// Threads blocked in ppoll for this instance (each takes one token).
    pub waiters: u32,
    /// Threads inside a wait on this instance (keeps it alive past close).
    pub holds: u32,
    /// The handle eventfd currently holds a count (is readable).
    pub signaled: bool,
    /// All descriptors of the handle are closed; freed when `holds` is 0.
    pub closed: bool,
    /// Registrations of this instance inside other instances: (outer, slot).
    pub parents: Vec<(u32, u32)>,
    /// The application's view of O_NONBLOCK on the handle (the real handle
    /// is always non-blocking so that repoll can drain it).
    pub app_nonblock: bool,
    /// Spare poll-set buffers for blocking waits (no allocation per wait),
    /// with their maps from poll-set index to slot.
    pub spare: Vec<(Vec<pollfd>, Vec<u32>)>,
    /// Bumped by every mutable access (`Global::inst_mut`): a waiter whose
    /// instance is unchanged since it built its poll set may take that
    /// poll's results as the observation (no second poll).
    pub epoch: u64,
    /// Something outside repoll's own waits may look at the handle
    /// (poll/select on it, or all handles after fork or SCM_RIGHTS): keep
    /// its readability up to date. Until then `update_signal` skips the
    /// two eventfd syscalls per readiness change.
    pub exposed: bool,
    /// Registrations polled by waiters (recently ready or touched).
    pub hot: Vec<u32>,
    /// Idle registrations, watched by the cold helper thread.
    pub cold: Vec<u32>,
    /// Hot registrations woken by an in-process call since the last
    /// observation, in wakeup order (the kernel's ready-list order, ORD-1).
    pub pending: Vec<u32>,
}

impl Instance {
    /// A new instance whose handle is file `file`; the wake eventfd is made
    /// by the first blocking wait (`Global::wake_fd_of`).
    fn new(file: u64, signaled: bool) -> Instance {
        Instance {
            file,
            interest: Interest::new(),
            wake_fd: -1,
            waiters: 0,
            holds: 0,
            signaled,
            closed: false,
            parents: Vec::new(),
            app_nonblock: false,
            spare: Vec::new(),
            hot: Vec::new(),
            cold: Vec::new(),
            // Bounded: when full, pending wakeups are observed at once.
            pending: Vec::with_capacity(PENDING_MAX),
            epoch: 0,
            exposed: false,
        }
    }
}

/// A file (open file description) repoll tracks.
#[derive(Default)]
pub struct FileInfo {
    /// Open descriptors of this process naming the file.
    pub fds: small::SmallList<c_int, 2>,
    /// Registrations of the file: (instance, slot).
    pub regs: small::SmallList<(u32, u32), 1>,
    /// Identity (device and inode, folded: `identity`) when first seen.
    pub identity: u64,
    pub kind: Kind,
    /// Set when this file is the handle of an instance (its id + 1).
    instance_plus1: Option<core::num::NonZeroU32>,
}

impl FileInfo {
    /// The instance this file is the handle of.
    pub fn instance(&self) -> Option<u32> {
        self.instance_plus1.map(|n| n.get() - 1)
    }

    fn handle_of(id: u32) -> FileInfo {
        FileInfo {
            kind: Kind::Epoll,
            instance_plus1: core::num::NonZeroU32::new(id.wrapping_add(1)),
            ..Default::default()
        }
    }
}

#[derive(Default)]
pub struct Global {
    pub instances: Vec<Option<Box<Instance>>>,
    /// Descriptor number -> file id, for tracked descriptors.
    pub fds: small::FdMap,
    pub files: small::FileTable<FileInfo>,
    /// Channel id -> registrations listening on it.
    pub channels: HashMap<u64, small::SmallList<(u32, u32), 1>>,
    /// Internal descriptors (wake eventfds).
    pub internal: Vec<c_int>,
    /// The range a running close_range is closing: none of its numbers
    /// keeps a file open.
    pub closing: Option<(c_int, c_int)>,
    /// Scratch buffers for non-blocking observation.
    scratch_fds: Vec<pollfd>,
    scratch_slots: Vec<u32>,
    scratch_order: Vec<u32>,
    /// The cold helper thread (see `cold`).
    pub cold: cold::ColdState,
}

pub static GLOBAL: Lock<Option<Global>> = Lock::new(None);

/// Every handle may be observed from outside (after fork, exec or an
/// SCM_RIGHTS send of a handle): keep all of them readable exactly.
pub static EXPOSED_ALL: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Number of live instances (lets poll hooks skip their scan).
pub static INSTANCES: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

pub fn lock() -> Guard<'static, Option<Global>> {
    let mut g = GLOBAL.lock();
    if g.is_none() {
        *g = Some(Global::default());
    }
    g
}

/// Moves an internal descriptor out of the application's way.
fn move_high(fd: c_int) -> Result<c_int, Errno> {
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
    match sys::fcntl(fd, libc::F_DUPFD_CLOEXEC, floor) {
        Ok(high) => {
            let _ = sys::close(fd);
            Ok(high as c_int)
        }
        // No room up there: keep the low number (still CLOEXEC).
        Err(_) => Ok(fd),
    }
}

impl Global {
    pub fn inst(&self, id: u32) -> &Instance {
        self.instances[id as usize]
            .as_ref()
            .expect("core: dead instance")
    }
    pub fn inst_mut(&mut self, id: u32) -> &mut Instance {
        let inst = self.instances[id as usize]
            .as_mut()
            .expect("core: dead instance");
        inst.epoch = inst.epoch.wrapping_add(1);
        inst
    }

    /// The instance a descriptor is a handle of.
    pub fn instance_of_fd(&self, fd: c_int) -> Option<u32> {
        let file = self.fds.get(&fd)?;
        self.files.get(file)?.instance()
    }

    /// Like `instance_of_fd`, but also recognises a descriptor of one of
    /// our handles that repoll never saw being made (received over a unix
    /// socket with SCM_RIGHTS, dup'd by uninterposed code): kcmp against
    /// each instance's handle, then track it.
    pub fn resolve_instance(&mut self, fd: c_int) -> Option<u32> {
        if let Some(id) = self.instance_of_fd(fd) {
            return self.alive(id).then_some(id);
        }
        if fd < 0 || self.fds.contains_key(&fd) || self.instances.iter().all(|i| i.is_none()) {
            return None;
        }
        let st = sys::fstat(fd).ok()?;
        if st.st_mode & libc::S_IFMT != 0 {
            return None;
        }
        let mut found = None;
        for (id, inst) in self.instances.iter().enumerate() {
            let Some(inst) = inst else { continue };
            if let Some(&h) = self.files.get(&inst.file).and_then(|f| f.fds.first()) {
                if sys::kcmp_file(fd, h) == Ok(0) {
                    found = Some((id as u32, inst.file));
                    break;
                }
            }
        }
        let (id, file) = found?;
        self.track_fd(fd, file);
        Some(id)
    }

    /// Starts tracking descriptor `fd` as naming `file`.
    fn track_fd(&mut self, fd: c_int, file: u64) {
        let Some(f) = self.files.get_mut(&file) else {
            return;
        };
        self.fds.insert(fd, file);
        if !f.fds.contains(&fd) {
            f.fds.push(fd);
        }
        let mut bits = fdtable::TRACKED;
        if f.instance().is_some() {
            bits |= fdtable::HANDLE;
        }
        if f.regs.iter().any(|&(i, s)| {
            self.instances[i as usize]
                .as_ref()
                .and_then(|inst| inst.interest.get(s))
                .is_some_and(|e| e.is_et())
        }) {
            bits |= fdtable::EDGE;
        }
        fdtable::set_bits(fd, bits | (fdtable::bits(fd) & fdtable::DUPED));
        if matches!(f.kind, Kind::EventFd | Kind::EventFdSemaphore) {
            fdtable::set_write_target(fd, ident::channel_file(file));
        }
    }

    /// Refreshes the fast-path bits of every descriptor of `file`.
    fn refresh_bits(&mut self, file: u64) {
        let n = self.files.get(&file).map_or(0, |f| f.fds.len());
        for i in 0..n {
            let Some(&fd) = self.files.get(&file).and_then(|f| f.fds.get(i)) else {
                break;
            };
            self.track_fd(fd, file);
        }
    }

    /// Creates an instance: a handle eventfd for the application and a
    /// private wake eventfd. EMFILE/ENFILE leave nothing behind.
    pub fn create(&mut self, cloexec: bool) -> Result<c_int, Errno> {
        self.instances.try_reserve(1).map_err(|_| libc::ENOMEM)?;
        let handle_flags = libc::EFD_NONBLOCK | if cloexec { libc::EFD_CLOEXEC } else { 0 };
        // The wake eventfd is made by the first blocking wait: creating an
        // instance takes exactly one descriptor, as in the kernel.
        let handle = sys::eventfd(0, handle_flags)?;
        let id = match self.instances.iter().position(|s| s.is_none()) {
            Some(i) => i as u32,
            None => {
                self.instances.push(None);
                (self.instances.len() - 1) as u32
            }
        };
        let file = self.files.alloc(FileInfo::handle_of(id));
        self.instances[id as usize] = Some(Box::new(Instance::new(file, false)));
        self.track_fd(handle, file);
        INSTANCES.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        Ok(handle)
    }

    /// Rebuilds an instance inherited across exec: `handles` are the open
    /// descriptors of its handle eventfd, `entries` its registrations
    /// (fd, events, data, armed). Descriptors that did not survive are
    /// skipped.
    pub fn adopt(&mut self, handles: &[c_int], entries: &[(c_int, u32, u64, bool)]) {
        let handles: Vec<c_int> = handles
            .iter()
            .copied()
            .filter(|&h| sys::fcntl(h, libc::F_GETFD, 0).is_ok())
            .collect();
        let Some(&first) = handles.first() else {
            return;
        };
        let id = self.instances.len() as u32;
        let file = self.files.alloc(FileInfo::handle_of(id));
        let mut probe = [pollfd {
            fd: first,
            events: libc::POLLIN,
            revents: 0,
        }];
        let signaled = sys::poll_now(&mut probe).is_ok() && probe[0].revents & libc::POLLIN != 0;
        let mut inst = Box::new(Instance::new(file, signaled));
        inst.exposed = true;
        self.instances.push(Some(inst));
        for &h in &handles {
            let _ = sys::fcntl(
                h,
                libc::F_SETFL,
                libc::O_NONBLOCK as usize | libc::O_RDWR as usize,
            );
            self.track_fd(h, file);
        }
        INSTANCES.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        for &(fd, events, data, armed) in entries {
            let Ok(ident) = ident::identify(fd) else {
                continue;
            };
            let target = self.instance_of_fd(fd);
            let f = self.file_of(fd, &ident);
            if self
                .add(id, Key { fd, file: f }, events, data, ident, target)
                .is_ok()
                && !armed
            {
                if let Some(slot) = self.inst(id).interest.find(Key { fd, file: f }) {
                    if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
                        e.armed = false;
                    }
                }
            }
        }
        self.update_signal(id);
    }

    fn free_instance(&mut self, id: u32) {
        let Some(inst) = self.instances[id as usize].take() else {
            return;
        };
        let left = INSTANCES.fetch_sub(1, core::sync::atomic::Ordering::Relaxed) - 1;
        // Remove the registrations this instance holds.
        for (slot, e) in inst.interest.iter() {
            self.unindex(id, slot, e);
        }
        if !inst.cold.is_empty() {
            // The helper polls (and pins) their files: let them go.
            self.cold_removed();
            self.poke_helper();
        }
        if left == 0 {
            self.stop_helper();
        }
        if inst.wake_fd >= 0 {
            let _ = sys::close(inst.wake_fd);
            fdtable::forget(inst.wake_fd);
            self.internal.retain(|&f| f != inst.wake_fd);
        }
        self.files.remove(&inst.file);
    }

    /// Removes the index entries of a registration being deleted.
    fn unindex(&mut self, id: u32, slot: u32, e: &Entry) {
        if let Some(f) = self.files.get_mut(&e.key.file) {
            f.regs.retain(|&r| r != (id, slot));
        }
        if e.ext.channel != 0 {
            if let Some(v) = self.channels.get_mut(&e.ext.channel) {
                v.retain(|&r| r != (id, slot));
                if v.is_empty() {
                    self.channels.remove(&e.ext.channel);
                }
            }
        }
        if e.ext.nested != 0 {
            if let Some(Some(inner)) = self.instances.get_mut(e.ext.nested as usize - 1) {
                inner.parents.retain(|&r| r != (id, slot));
            }
        }
        fdtable::REGISTRATIONS.fetch_sub(1, core::sync::atomic::Ordering::Relaxed);
    }

    fn delete_slot(&mut self, id: u32, slot: u32) {
        let was_cold = self.is_cold(id, slot);
        self.set_temp(id, slot, cold::NONE);
        if was_cold {
            // The helper polls (and pins) the file: let it go.
            self.poke_helper();
        }
        let e = self.inst_mut(id).interest.remove_slot(slot);
        self.unindex(id, slot, &e);
        self.refresh_bits(e.key.file);
    }

    /// Looks up the instance behind an epoll descriptor, with the errors of
    /// epoll_wait/epoll_ctl for descriptors that are not ours.
    pub fn lookup_epfd(&mut self, epfd: c_int) -> Result<u32, Errno> {
        if epfd < 0 {
            return Err(libc::EBADF);
        }
        if let Some(id) = self.resolve_instance(epfd) {
            if self.instances[id as usize].is_some() {
                return Ok(id);
            }
        }
        let fl = sys::fcntl(epfd, libc::F_GETFL, 0)?;
        if fl as c_int & libc::O_PATH != 0 {
            return Err(libc::EBADF);
        }
        // An open descriptor that is not an epoll instance.
        Err(libc::EINVAL)
    }

    /// The poll(2) events to ask for a registration.
    fn poll_events(e: &Entry) -> i16 {
        (e.events & 0xffff & !(registry::EPOLLERR | registry::EPOLLHUP)) as i16
    }

    /// Polls one registration now and records the result.
    fn observe_one(&mut self, id: u32, slot: u32, wakeup: u32) -> bool {
        let Some(e) = self.inst(id).interest.get(slot) else {
            return false;
        };
        let ext = e.ext;
        let events = e.events;
        let state = if ext.nested != 0 {
            self.nested_state(ext.nested - 1)
        } else {
            let mut p = [pollfd {
                fd: ext.poll_fd,
                events: Self::poll_events(e),
                revents: 0,
            }];
            match sys::poll_now(&mut p) {
                Ok(_) => p[0].revents as u16 as u32,
                Err(_) => 0,
            }
        };
        // rdhup=uniform (src/diag): EPOLLRDHUP at end of file, if asked for.
        let state = crate::diag::rdhup_state(ext.kind, events, ext.poll_fd, state);
        let mut wakeup = wakeup;
        if ext.kind.counts_bytes() {
            // A write's wakeup that an observation already counted (a
            // waiter polled the data before the writer's hook got the lock)
            // is the same wakeup, not a second edge (THR-TWO-1).
            // Without IN/RDNORM interest poll does not say readable: measure
            // the bytes anyway (an OUT|PRI item still gets the edge).
            let measured = if events & (registry::EPOLLIN | registry::EPOLLRDNORM) == 0 {
                state | registry::EPOLLIN
            } else {
                state
            };
            if !self.sample_growth(id, slot, measured) && wakeup & WRITE_WAKEUP != 0 {
                wakeup = 0;
            }
        }
        self.inst_mut(id)
            .interest
            .observe(slot, state, wakeup & !WRITE_WAKEUP)
    }

    /// Samples the queued measure of registration (id, slot) in `state`,
    /// stores it as the new baseline and tells whether it grew since the
    /// last sample (a wakeup poll(2) cannot show).
    fn sample_growth(&mut self, id: u32, slot: u32, state: u32) -> bool {
        let Some(e) = self.inst(id).interest.get(slot) else {
            return false;
        };
        let (fd, kind, old) = (e.ext.poll_fd, e.ext.kind, e.ext.baseline);
        let now = self.queued_bytes(fd, kind, state);
        if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
            e.ext.baseline = now;
        }
        grew(kind, old, now)
    }

    /// How much is queued on `fd`, for kinds where growth reveals wakeups
    /// poll(2) cannot show: bytes (FIONREAD) for pipes, stream sockets and
    /// ttys, pending connections (TCP_INFO) for listeners, the pending
    /// signal set for signalfds.
    fn queued_bytes(&self, fd: c_int, kind: Kind, state: u32) -> i64 {
        if state & (registry::EPOLLIN | registry::EPOLLRDNORM) == 0 {
            return 0;
        }
        match kind {
            Kind::Listener => {
                // SAFETY: tcp_info is plain data.
                let mut ti: libc::tcp_info = unsafe { core::mem::zeroed() };
                let mut len = core::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
                match sys::call(
                    libc::SYS_getsockopt,
                    [
                        fd as usize,
                        libc::IPPROTO_TCP as usize,
                        libc::TCP_INFO as usize,
                        &mut ti as *mut _ as usize,
                        &mut len as *mut _ as usize,
                        0,
                    ],
                ) {
                    // For a listener tcpi_unacked is the accept queue length.
                    Ok(_) => ti.tcpi_unacked as i64,
                    Err(_) => 0,
                }
            }
            Kind::SignalFd => signal_measure(),
            _ => sys::ioctl_int(fd, libc::FIONREAD as libc::c_long)
                .map(|v| v as i64)
                .unwrap_or(0),
        }
    }

    /// Readiness of a nested instance as seen by its parent: IN when a
    /// wait on it would report something.
    fn nested_state(&mut self, inner: u32) -> u32 {
        if self
            .instances
            .get(inner as usize)
            .is_some_and(|s| s.is_some())
        {
            self.refresh(inner, 1);
            if self.inst(inner).interest.has_reportable() {
                // ep_eventpoll_poll: EPOLLIN | EPOLLRDNORM.
                return registry::EPOLLIN | registry::EPOLLRDNORM;
            }
        }
        0
    }

    /// Records `revents`, polled for registration (id, slot) at `obs.now`,
    /// as its observation: ET growth sampling, queueing, and the move to the
    /// cold set of a registration idle for `cold_after_ms`. A descriptor
    /// closed behind repoll's back (POLLNVAL) is noted in `obs` for deletion
    /// by `finish_observation`.
    fn observe_polled(&mut self, id: u32, slot: u32, revents: u32, obs: &mut Observation) {
        if revents & libc::POLLNVAL as u32 != 0 {
            obs.gone(slot);
            return;
        }
        let (et, kind, events, poll_fd) = match self.inst(id).interest.get(slot) {
            Some(e) => (e.is_et(), e.ext.kind, e.events, e.ext.poll_fd),
            None => return,
        };
        // rdhup=uniform (src/diag): EPOLLRDHUP at end of file, if asked for.
        let revents = crate::diag::rdhup_state(kind, events, poll_fd, revents);
        let mut wakeup = 0;
        if kind.counts_bytes() && et && self.sample_growth(id, slot, revents) {
            wakeup |= data_key(kind);
        }
        obs.woke |= self.inst_mut(id).interest.observe(slot, revents, wakeup);
        let demote_ns = crate::options::cold_after_ns();
        let now = obs.now;
        if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
            if !cold::is_idle(e) {
                e.ext.last_active = coarse_time(now);
            } else if coarse_time(now).wrapping_sub(e.ext.last_active) >= coarse_time(demote_ns)
                && !self.cold.disabled
            {
                self.set_temp(id, slot, cold::COLD);
                obs.demoted = true;
            }
        }
    }

    /// The end of an observation of instance `id`: the helper learns about
    /// demotions, registrations whose descriptor vanished are deleted, the
    /// handle's readability and the parents are updated.
    fn finish_observation(&mut self, id: u32, obs: &Observation) {
        if obs.demoted {
            self.poke_helper();
        }
        for &slot in &obs.gone[..obs.n_gone] {
            self.delete_slot(id, slot);
        }
        self.update_signal(id);
        if obs.woke {
            self.notify_parents(id);
        }
    }

    /// Takes instance `id`'s pending in-process wakeups (their flags left
    /// as they are); `restore_pending` gives the emptied list back.
    fn take_pending(&mut self, id: u32) -> Vec<u32> {
        core::mem::take(&mut self.inst_mut(id).pending)
    }

    /// Gives the pending list taken by `take_pending` back, emptied (its
    /// capacity is kept: pushing to it never allocates).
    fn restore_pending(&mut self, id: u32, mut pending: Vec<u32>) {
        pending.clear();
        self.inst_mut(id).pending = pending;
    }

    /// The results of a blocking poll over `buf` (built by `blocking_set`
    /// with `map`), the instance unchanged since: they are the observation
    /// of this instance's registrations in the set, as a `refresh` would
    /// make it, without polling again. Bits an ET item was not asked for
    /// were set in its state and stay so.
    ///
    /// Pending in-process wakeups are observed first, in their order (as
    /// `refresh` does). Returns false, observing nothing, when one of them
    /// is not in the set: the caller then refreshes.
    pub fn observe_blocking(&mut self, id: u32, buf: &[pollfd], map: &[u32]) -> bool {
        const MAX_FIRST: usize = 16;
        let mut first = [0usize; MAX_FIRST];
        let n_first = self.inst(id).pending.len();
        if n_first > MAX_FIRST {
            return false;
        }
        for (k, &slot) in self.inst(id).pending.iter().enumerate() {
            match map.iter().position(|&m| m == slot) {
                Some(i) => first[k] = i,
                None => return false,
            }
        }
        let pending = self.take_pending(id);
        for &slot in &pending {
            if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
                e.ext.pending = false;
            }
        }
        self.restore_pending(id, pending);
        let mut obs = Observation::new(sys::monotonic_ns());
        let order = first[..n_first]
            .iter()
            .copied()
            .chain((0..buf.len()).filter(|i| !first[..n_first].contains(i)));
        for i in order {
            let (p, slot) = (&buf[i], map[i]);
            if slot == u32::MAX {
                continue;
            }
            let Some(e) = self.inst(id).interest.get(slot) else {
                continue;
            };
            let asked = p.events as u16 as u32 | registry::EPOLLERR | registry::EPOLLHUP;
            let revents = p.revents as u16 as u32 | (e.state & !asked);
            self.observe_polled(id, slot, revents, &mut obs);
        }
        self.finish_observation(id, &obs);
        true
    }

    /// Observes every registration of instance `id` with one non-blocking
    /// poll and queues what became ready (the core of every wait).
    pub fn refresh(&mut self, id: u32, depth: usize) {
        if depth > MAX_NEST_LINKS + 1 {
            return;
        }
        let mut fds = core::mem::take(&mut self.scratch_fds);
        let mut slots = core::mem::take(&mut self.scratch_slots);
        fds.clear();
        slots.clear();
        let mut nested: [(u32, u32); 8] = [(0, 0); 8];
        let mut n_nested = 0;
        // Only the hot registrations: cold ones are the helper's (cold.rs).
        let mut i = 0;
        while let Some(&slot) = self.inst(id).hot.get(i) {
            let Some(e) = self.inst(id).interest.get(slot) else {
                i += 1;
                continue;
            };
            if e.effective_interest() == 0 {
                // A disarmed one-shot: nothing to watch until MOD.
                self.set_temp(id, slot, cold::NONE);
                continue;
            }
            i += 1;
            if e.ext.nested != 0 {
                if n_nested < nested.len() {
                    nested[n_nested] = (slot, e.ext.nested - 1);
                    n_nested += 1;
                }
                continue;
            }
            let p = pollfd {
                fd: e.ext.poll_fd,
                events: Self::poll_events(e),
                revents: 0,
            };
            if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
                e.ext.scan_idx = fds.len() as u32;
            }
            fds.push(p);
            slots.push(slot);
        }
        if !fds.is_empty() {
            let _ = sys::poll_now(&mut fds);
        }
        let mut obs = Observation::new(if slots.is_empty() {
            0
        } else {
            sys::monotonic_ns()
        });
        // In-process wakeups first, in the order they happened (ORD-1),
        // then the rest in hot-list order.
        let mut order = core::mem::take(&mut self.scratch_order);
        order.clear();
        let pending = self.take_pending(id);
        for &slot in &pending {
            if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
                if e.ext.pending {
                    e.ext.pending = false;
                    let idx = e.ext.scan_idx as usize;
                    if idx < slots.len() && slots[idx] == slot {
                        order.push(idx as u32);
                        e.ext.scan_idx = u32::MAX;
                    }
                }
            }
        }
        self.restore_pending(id, pending);
        for (i, &slot) in slots.iter().enumerate() {
            if self
                .inst(id)
                .interest
                .get(slot)
                .is_some_and(|e| e.ext.scan_idx == i as u32)
            {
                order.push(i as u32);
            }
        }
        for &i in &order {
            let i = i as usize;
            self.observe_polled(id, slots[i], fds[i].revents as u16 as u32, &mut obs);
        }
        for &(slot, inner) in &nested[..n_nested] {
            let state = self.nested_state(inner);
            obs.woke |= self.observe_nested(id, slot, state, 0);
        }
        self.scratch_fds = trimmed(fds);
        self.scratch_slots = trimmed(slots);
        self.scratch_order = trimmed(order);
        self.finish_observation(id, &obs);
    }

    /// Keeps the handle readable exactly while something is reportable
    /// (once it is exposed, see `Instance::exposed`).
    pub fn update_signal(&mut self, id: u32) {
        let inst = self.inst(id);
        if !inst.exposed && !EXPOSED_ALL.load(core::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let want = inst.interest.has_reportable();
        if want == inst.signaled {
            return;
        }
        let Some(&fd) = self.files.get(&inst.file).and_then(|f| f.fds.first()) else {
            return;
        };
        if want {
            let _ = sys::write(fd, &1u64.to_ne_bytes());
        } else {
            let mut b = [0u8; 8];
            let _ = sys::read(fd, &mut b);
        }
        self.inst_mut(id).signaled = want;
    }

    /// The handle of `id` is looked at by poll/select: keep it exact.
    pub fn expose(&mut self, id: u32) {
        if !self.inst(id).exposed {
            self.inst_mut(id).exposed = true;
            self.update_signal(id);
        }
    }

    /// Every handle may be seen from outside (fork, SCM_RIGHTS, exec).
    pub fn expose_all(&mut self) {
        EXPOSED_ALL.store(true, core::sync::atomic::Ordering::Relaxed);
        for id in 0..self.instances.len() as u32 {
            if self.alive(id) {
                self.update_signal(id);
            }
        }
    }

    /// Wakes the threads blocked on instance `id`.
    pub fn wake_waiters(&mut self, id: u32) {
        let inst = self.inst(id);
        if inst.waiters > 0 && inst.wake_fd >= 0 {
            let _ = sys::write(inst.wake_fd, &(inst.waiters as u64).to_ne_bytes());
        }
    }

    /// Something in instance `id` woke: the instances that contain it see a
    /// wakeup of their item (every inner wakeup is an outer edge, ET-NESTED-3).
    fn notify_parents(&mut self, id: u32) {
        self.wake_waiters(id);
        let parents = RegList::of(&self.inst(id).parents);
        let ready = if self.inst(id).interest.has_reportable() {
            registry::EPOLLIN | registry::EPOLLRDNORM
        } else {
            0
        };
        for &(outer, slot) in parents.as_slice() {
            if self
                .instances
                .get(outer as usize)
                .is_some_and(|s| s.is_some())
            {
                let woke = self.observe_nested(outer, slot, ready, registry::EPOLLIN);
                self.update_signal(outer);
                if woke {
                    self.notify_parents(outer);
                } else {
                    self.wake_waiters(outer);
                }
            }
        }
    }

    /// Observes nested item (id, slot) after its inner instance woke or was
    /// re-checked. An epoll fd wakes its parents with the key EPOLLIN
    /// (ep_poll_safewake), which ep_poll_callback ignores for an item
    /// without IN interest: such an item is only queued by ADD/MOD (which
    /// poll it in full, through `observe_one`); its state is still kept
    /// (IN|RDNORM) for the delivery of an item already queued.
    fn observe_nested(&mut self, id: u32, slot: u32, state: u32, wakeup: u32) -> bool {
        let inst = self.inst_mut(id);
        match inst.interest.get_mut(slot) {
            Some(e) if e.events & registry::EPOLLIN == 0 => {
                e.state = state;
                false
            }
            Some(_) => inst.interest.observe(slot, state, wakeup),
            None => false,
        }
    }

    /// A wakeup of registration (id, slot) with key `key`, known from an
    /// in-process call: re-observe it with that key.
    pub fn wakeup_slot(&mut self, id: u32, slot: u32, key: u32) {
        if self.kernel_shows(id, slot, key) {
            // Not through inst_mut: a pending wakeup leaves a blocked
            // waiter's poll set valid (see `observe_blocking`).
            let Some(Some(inst)) = self.instances.get_mut(id as usize) else {
                return;
            };
            let full = inst.pending.len() == inst.pending.capacity();
            if let Some(e) = inst.interest.get_mut(slot) {
                if !e.ext.pending && !full {
                    e.ext.pending = true;
                    inst.pending.push(slot);
                    return;
                }
                if e.ext.pending {
                    return;
                }
            }
            if !full {
                return;
            }
            // The list is full (it never allocates here): observe the
            // pending wakeups now, in order, then this one.
        }
        self.flush_pending(id);
        let was_cold = self.is_cold(id, slot);
        if was_cold {
            self.make_hot(id, slot);
            self.poke_helper();
        }
        let woke = self.observe_one(id, slot, key);
        self.update_signal(id);
        if woke {
            self.notify_parents(id);
        } else if was_cold {
            // Waiters must poll it from now on.
            self.wake_chain(id, 0);
        }
    }

    /// Whether a wakeup of hot registration (id, slot) needs no work now:
    /// its bits are new in the state, so any waiter blocked in ppoll on
    /// it is woken by the kernel and the next observation (every wait
    /// polls its hot registrations) sees them appear: the same edge. Not
    /// so for a queued entry, bits already set (an ET re-edge poll cannot
    /// show), a nested parent that counts wakeups, or an exposed handle.
    fn kernel_shows(&self, id: u32, slot: u32, key: u32) -> bool {
        let inst = self.inst(id);
        let Some(e) = inst.interest.get(slot) else {
            return false;
        };
        // New data makes IN/RDNORM appear in the polled state; other key
        // bits (PRI, RDBAND) wake an ET item without showing there.
        let data = e.effective_interest() & (registry::EPOLLIN | registry::EPOLLRDNORM);
        e.ext.temp == cold::HOT
            && e.ext.nested == 0
            && !e.is_linked()
            && key & data != 0
            && e.state & data == 0
            // eventfd_write(0) wakes without changing the count: an ET edge
            // no observation can show (ET-EVENTFD-11).
            && !(e.is_et() && matches!(e.ext.kind, Kind::EventFd | Kind::EventFdSemaphore))
            && inst.parents.is_empty()
            && !inst.exposed
            && !EXPOSED_ALL.load(core::sync::atomic::Ordering::Relaxed)
    }

    /// Observes the pending in-process wakeups of `id` now, in order, before
    /// something else may queue (keeps the kernel's ready-list order).
    pub fn flush_pending(&mut self, id: u32) {
        if self.inst(id).pending.is_empty() {
            return;
        }
        let pending = self.take_pending(id);
        let mut woke = false;
        for &slot in &pending {
            let was = self
                .inst_mut(id)
                .interest
                .get_mut(slot)
                .map(|e| core::mem::replace(&mut e.ext.pending, false));
            if was == Some(true) {
                woke |= self.observe_one(id, slot, 0);
            }
        }
        self.restore_pending(id, pending);
        self.update_signal(id);
        if woke {
            self.notify_parents(id);
        }
    }

    /// Registration (id, slot) is active: on the hot list, idle clock reset.
    fn make_hot(&mut self, id: u32, slot: u32) {
        self.set_temp(id, slot, cold::HOT);
        let now = sys::monotonic_ns();
        if let Some(e) = self.inst_mut(id).interest.get_mut(slot) {
            e.ext.last_active = coarse_time(now);
        }
    }

    /// In-process write landed on `channel`: wake its listeners with IN.
    pub fn wakeup_channel(&mut self, channel: u64) {
        let regs = RegList::of(self.channels.get(&channel).map(|v| &v[..]).unwrap_or(&[]));
        for &(id, slot) in regs.as_slice() {
            if !self.alive(id) {
                continue;
            }
            let kind = self.inst(id).interest.get(slot).map(|e| e.ext.kind);
            let key = data_key(kind.unwrap_or_default());
            self.wakeup_slot(id, slot, key | WRITE_WAKEUP);
        }
    }

    /// A wakeup with `key` of every registration of the file behind `fd`.
    pub fn wakeup_fd(&mut self, fd: c_int, key: u32) {
        let Some(&file) = self.fds.get(&fd) else {
            return;
        };
        let regs = RegList::of(self.files.get(&file).map(|f| &f.regs[..]).unwrap_or(&[]));
        for &(id, slot) in regs.as_slice() {
            if self.alive(id) {
                self.wakeup_slot(id, slot, key);
            }
        }
    }

    pub fn alive(&self, id: u32) -> bool {
        self.instances.get(id as usize).is_some_and(|s| s.is_some())
    }

    /// The application read from, or failed to write to, `fd`.
    /// `drained_in`: the read side is known empty now (EAGAIN, EOF, or the
    /// FIONREAD baseline reached 0); `consumed`: bytes read;
    /// `drained_out`: a write failed with EAGAIN; `eventfd_read`: an
    /// eventfd was read (which wakes its writers: an OUT edge).
    pub fn after_io(&mut self, fd: c_int, consumed: i64, drained_in: bool, drained_out: bool) {
        let Some(&file) = self.fds.get(&fd) else {
            return;
        };
        let Some(f) = self.files.get(&file) else {
            return;
        };
        let regs = RegList::of(&f.regs);
        for &(id, slot) in regs.as_slice() {
            let Some(inst) = self.instances.get_mut(id as usize).and_then(|s| s.as_mut()) else {
                continue;
            };
            inst.epoch = inst.epoch.wrapping_add(1);
            let Some(e) = inst.interest.get_mut(slot) else {
                continue;
            };
            let mut clear = 0;
            if e.ext.kind == Kind::SignalFd && consumed > 0 {
                e.ext.baseline = signal_measure();
            } else if e.ext.kind.counts_bytes() && consumed > 0 {
                e.ext.baseline = (e.ext.baseline - consumed).max(0);
                if e.ext.baseline == 0 {
                    clear |= registry::EPOLLIN | registry::EPOLLRDNORM;
                }
            }
            if drained_in {
                clear |= registry::EPOLLIN | registry::EPOLLRDNORM;
            }
            if drained_out {
                clear |= registry::EPOLLOUT | registry::EPOLLWRNORM;
            }
            let kind = e.ext.kind;
            if clear != 0 {
                inst.interest.clear_state(slot, clear);
            }
            if consumed > 0 && matches!(kind, Kind::EventFd | Kind::EventFdSemaphore) {
                // eventfd_read wakes the writers: an OUT edge (ET-EVENTFD-10).
                if kind == Kind::EventFd {
                    inst.interest
                        .clear_state(slot, registry::EPOLLIN | registry::EPOLLRDNORM);
                }
                self.wakeup_slot(id, slot, registry::EPOLLOUT | registry::EPOLLWRNORM);
            }
        }
    }

    /// Depth (in links) of the deepest chain below instance `id`, or None
    /// when `target` is reachable from it (a cycle).
    fn links_below(&self, id: u32, target: u32, depth: usize) -> Option<usize> {
        if id == target {
            return None;
        }
        if depth > 8 {
            return Some(depth);
        }
        let mut best = 0;
        for (_, e) in self.inst(id).interest.iter() {
            if e.ext.nested != 0 {
                let d = self.links_below(e.ext.nested - 1, target, depth + 1)?;
                best = best.max(d + 1);
            }
        }
        Some(best)
    }

    fn links_above(&self, id: u32, depth: usize) -> usize {
        if depth > 8 {
            return depth;
        }
        self.inst(id)
            .parents
            .iter()
            .map(|&(outer, _)| 1 + self.links_above(outer, depth + 1))
            .max()
            .unwrap_or(0)
    }

    /// epoll_ctl after the EFAULT check: `event` is None for DEL.
    /// Errors follow fs/eventpoll.c's order (SEMANTICS 2.4).
    pub fn ctl(
        &mut self,
        epfd: c_int,
        op: c_int,
        fd: c_int,
        event: Option<(u32, u64)>,
    ) -> Result<(), Errno> {
        // EBADF for epfd, then for fd.
        if epfd < 0 || sys::fcntl(epfd, libc::F_GETFD, 0).is_err() || is_opath(epfd) {
            return Err(libc::EBADF);
        }
        if fd < 0 || sys::fcntl(fd, libc::F_GETFD, 0).is_err() {
            return Err(libc::EBADF);
        }
        if self.internal.contains(&fd) {
            return Err(libc::EBADF);
        }
        // EPERM: the target cannot be polled (also EBADF for O_PATH).
        let target_inst = self
            .resolve_instance(fd)
            .filter(|&i| self.instances[i as usize].is_some());
        let ident = if target_inst.is_some() {
            Ident {
                kind: Kind::Epoll,
                dev: 0,
                ino: 0,
                rdev: 0,
                read_channel: 0,
            }
        } else {
            ident::identify(fd)?
        };
        // EINVAL: epfd is not an epoll instance, or fd is epfd's own file.
        let id = match self.resolve_instance(epfd) {
            Some(i) if self.instances[i as usize].is_some() => i,
            _ => return Err(libc::EINVAL),
        };
        if target_inst == Some(id) {
            return Err(libc::EINVAL);
        }
        let is_mod = op == libc::EPOLL_CTL_MOD;
        if let Some((events, _)) = event {
            if op == libc::EPOLL_CTL_ADD || is_mod {
                registry::check_exclusive(is_mod, events, target_inst.is_some())?;
            }
        }
        // ELOOP, only for ADD of an epoll descriptor, before the lookup.
        if op == libc::EPOLL_CTL_ADD {
            if let Some(inner) = target_inst {
                let below = self.links_below(inner, id, 0).ok_or(libc::ELOOP)?;
                let above = self.links_above(id, 0);
                if below + 1 + above > MAX_NEST_LINKS {
                    return Err(libc::ELOOP);
                }
            }
        }
        // The file the descriptor names now: reuse the tracked id when the
        // identity still matches, else start a new file.
        let file = self.file_of(fd, &ident);
        let key = Key { fd, file };
        match op {
            libc::EPOLL_CTL_ADD => {
                let (events, data) = event.ok_or(libc::EFAULT)?;
                self.add(id, key, events, data, ident, target_inst)
            }
            libc::EPOLL_CTL_MOD => {
                let (events, data) = event.ok_or(libc::EFAULT)?;
                let events = events & !registry::EPOLLWAKEUP;
                self.flush_pending(id);
                let slot = self.inst_mut(id).interest.modify(key, events, data)?;
                self.make_hot(id, slot);
                self.refresh_bits(file);
                let was_linked = self.is_linked(id, slot);
                self.observe_one(id, slot, 0);
                // ep_modify polls the file: a ready fd is queued at once.
                self.inst_mut(id).interest.queue_if_ready(slot);
                self.update_signal(id);
                let now_linked = self.is_linked(id, slot);
                self.after_insert(id, now_linked && !was_linked);
                Ok(())
            }
            libc::EPOLL_CTL_DEL => {
                let slot = self.inst(id).interest.find(key).ok_or(libc::ENOENT)?;
                self.delete_slot(id, slot);
                self.update_signal(id);
                self.wake_waiters(id);
                Ok(())
            }
            _ => Err(libc::EINVAL),
        }
    }

    /// File id for descriptor `fd` whose identity is `ident`.
    fn file_of(&mut self, fd: c_int, ident: &Ident) -> u64 {
        if !self.fds.contains_key(&fd) && fdtable::bits(fd) & fdtable::DUPED != 0 {
            // A dup made before repoll tracked the file: same open file
            // description as a tracked descriptor, same file id.
            if let Some(file) = self.tracked_description(fd, ident) {
                self.track_fd(fd, file);
                return file;
            }
        }
        if let Some(&file) = self.fds.get(&fd) {
            if let Some(f) = self.files.get(&file) {
                if f.instance().is_some() || f.identity == identity(ident) {
                    return file;
                }
            }
            // The number now names another file: it was closed and reused
            // behind our back.
            self.fd_closed(fd);
        }
        let file = self.files.alloc(FileInfo {
            identity: identity(ident),
            kind: ident.kind,
            ..Default::default()
        });
        self.track_fd(fd, file);
        file
    }

    fn add(
        &mut self,
        id: u32,
        key: Key,
        events: u32,
        data: u64,
        ident: Ident,
        target_inst: Option<u32>,
    ) -> Result<(), Errno> {
        let events = events & !registry::EPOLLWAKEUP;
        let channel = match ident.kind {
            Kind::EventFd | Kind::EventFdSemaphore => ident::channel_file(key.file),
            _ => ident.read_channel,
        };
        let ext = Ext {
            poll_fd: key.fd,
            kind: ident.kind,
            channel,
            baseline: 0,
            nested: target_inst.map(|i| i + 1).unwrap_or(0),
            ..Default::default()
        };
        self.channels.try_reserve(1).map_err(|_| libc::ENOMEM)?;
        self.reserve_temp(id)?;
        self.flush_pending(id);
        let slot = self.inst_mut(id).interest.add(key, events, data, ext)?;
        self.make_hot(id, slot);
        fdtable::REGISTRATIONS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        if let Some(f) = self.files.get_mut(&key.file) {
            f.regs.push((id, slot));
        }
        if channel != 0 {
            self.channels.entry(channel).or_default().push((id, slot));
            fdtable::bloom_set(channel);
        }
        if let Some(inner) = target_inst {
            self.inst_mut(inner).parents.push((id, slot));
        }
        self.refresh_bits(key.file);
        self.observe_one(id, slot, 0);
        self.inst_mut(id).interest.queue_if_ready(slot);
        self.update_signal(id);
        let linked = self.is_linked(id, slot);
        self.after_insert(id, linked);
        Ok(())
    }

    fn is_cold(&self, id: u32, slot: u32) -> bool {
        self.inst(id)
            .interest
            .get(slot)
            .is_some_and(|e| e.ext.temp == cold::COLD)
    }

    fn is_linked(&self, id: u32, slot: u32) -> bool {
        self.inst(id)
            .interest
            .get(slot)
            .is_some_and(|e| e.is_linked())
    }

    /// After ADD/MOD of a member of `id`: the kernel wakes the instance's
    /// waiters and parents only when the member is ready (ep_insert,
    /// ep_modify); blocked waiters must rebuild their poll set anyway.
    fn after_insert(&mut self, id: u32, ready: bool) {
        if ready {
            self.notify_parents(id);
        } else {
            self.wake_chain(id, 0);
        }
    }

    /// Descriptor `fd` is being closed (or replaced by dup2). Called before
    /// the real close, under the lock.
    pub fn fd_closed(&mut self, fd: c_int) {
        let duped = fdtable::bits(fd) & fdtable::DUPED != 0;
        fdtable::forget(fd);
        let Some(file) = self.fds.remove(&fd) else {
            return;
        };
        let Some(f) = self.files.get_mut(&file) else {
            return;
        };
        f.fds.retain(|&x| x != fd);
        let mut remaining = f.fds.first().copied();
        if remaining.is_none() && duped {
            // A dup made before repoll tracked the file may still name it
            // (dup before ADD): look among duplicated descriptors.
            if let Some(other) = self.find_other_reference(fd) {
                self.track_fd(other, file);
                remaining = Some(other);
            }
        }
        let Some(f) = self.files.get_mut(&file) else {
            return;
        };
        let regs = RegList::of(&f.regs);
        let instance = f.instance();
        match remaining {
            Some(other) => {
                // Another descriptor keeps the file open: registrations live
                // on (LIFE-DUP-1) and are polled through that descriptor.
                for &(id, slot) in regs.as_slice() {
                    if let Some(e) = self.instances[id as usize].as_mut().and_then(|i| {
                        i.epoch = i.epoch.wrapping_add(1);
                        i.interest.get_mut(slot)
                    }) {
                        if e.ext.poll_fd == fd {
                            e.ext.poll_fd = other;
                            if e.ext.temp == cold::COLD {
                                // The helper polls the old number.
                                self.make_hot(id, slot);
                            }
                        }
                    }
                    self.wake_if_alive(id);
                }
            }
            None => {
                // Last reference: every registration of the file goes
                // (LIFE-CLOSE-1, LIFE-MULTI-1).
                for &(id, slot) in regs.as_slice() {
                    if self.instances.get(id as usize).is_some_and(|s| s.is_some()) {
                        self.delete_slot(id, slot);
                        self.update_signal(id);
                        self.wake_waiters(id);
                    }
                }
                if let Some(id) = instance {
                    // Last descriptor of an instance: free it, unless a
                    // thread is still waiting in it (THR-CLOSEEP-1).
                    if self.instances.get(id as usize).is_some_and(|s| s.is_some()) {
                        let inst = self.inst_mut(id);
                        inst.closed = true;
                        inst.signaled = false;
                        if inst.holds == 0 {
                            self.free_instance(id);
                        }
                    }
                }
                self.files.remove(&file);
            }
        }
    }

    /// The tracked file whose open file description `fd` names, if any.
    fn tracked_description(&self, fd: c_int, ident: &Ident) -> Option<u64> {
        self.files.iter().find_map(|(id, f)| {
            let &first = f.fds.first()?;
            (f.instance().is_none()
                && f.identity == identity(ident)
                && sys::kcmp_file(fd, first) == Ok(0))
            .then_some(id)
        })
    }

    /// Another open descriptor of this process naming the same file as
    /// `fd` (still open), among those that took part in a dup.
    fn find_other_reference(&self, fd: c_int) -> Option<c_int> {
        let mut found = None;
        let (lo, hi) = self.closing.unwrap_or((-1, -1));
        fdtable::each_with(fdtable::DUPED, |cand| {
            // Not one that the running close_range closes too, nor one
            // tracked as another file.
            if cand != fd
                && !(lo..=hi).contains(&cand)
                && !self.fds.contains_key(&cand)
                && !self.internal.contains(&cand)
                && sys::kcmp_file(fd, cand) == Ok(0)
            {
                found = Some(cand);
                return false;
            }
            true
        });
        found
    }

    fn wake_if_alive(&mut self, id: u32) {
        if self.instances.get(id as usize).is_some_and(|s| s.is_some()) {
            self.wake_waiters(id);
        }
    }

    /// `newfd` now names the same file as `oldfd` (dup, dup2, F_DUPFD).
    pub fn fd_duplicated(&mut self, oldfd: c_int, newfd: c_int) {
        if let Some(&file) = self.fds.get(&oldfd) {
            self.track_fd(newfd, file);
            fdtable::set_write_target(newfd, fdtable::write_target(oldfd));
        }
    }

    /// Releases a hold taken by a waiter; frees a closed instance.
    pub fn release(&mut self, id: u32) {
        let inst = self.inst_mut(id);
        inst.holds -= 1;
        if inst.closed && inst.holds == 0 {
            self.free_instance(id);
        }
    }

    /// Builds the poll set a waiter blocks on: every registration that can
    /// still produce a wakeup, nested instances flattened, and the wake fd
    /// last. Returns the buffer and whether an undrained edge-triggered
    /// descriptor was left out (the wait must then re-check periodically).
    pub fn blocking_set(&mut self, id: u32) -> (Vec<pollfd>, Vec<u32>, bool) {
        let (mut buf, mut map) = self.inst_mut(id).spare.pop().unwrap_or_default();
        buf.clear();
        map.clear();
        let mut undrained = false;
        self.collect_pollfds(id, &mut buf, &mut map, &mut undrained, 0);
        // Without a wake descriptor (none could be made: EMFILE) the wait
        // re-checks periodically instead of being woken.
        let wake = self.wake_fd_of(id);
        if wake < 0 {
            undrained = true;
        }
        buf.push(pollfd {
            fd: wake,
            events: libc::POLLIN,
            revents: 0,
        });
        map.push(u32::MAX);
        (buf, map, undrained)
    }

    /// The instance's wake eventfd, created on first use; -1 if it cannot be.
    fn wake_fd_of(&mut self, id: u32) -> c_int {
        if self.inst(id).wake_fd >= 0 {
            return self.inst(id).wake_fd;
        }
        let Ok(wake) = sys::eventfd(
            0,
            libc::EFD_CLOEXEC | libc::EFD_NONBLOCK | libc::EFD_SEMAPHORE,
        ) else {
            return -1;
        };
        let wake = move_high(wake).unwrap_or(wake);
        self.internal.push(wake);
        fdtable::set_bits(wake, fdtable::INTERNAL);
        self.inst_mut(id).wake_fd = wake;
        wake
    }

    fn collect_pollfds(
        &self,
        id: u32,
        buf: &mut Vec<pollfd>,
        map: &mut Vec<u32>,
        undrained: &mut bool,
        depth: usize,
    ) {
        if depth > MAX_NEST_LINKS + 1 {
            return;
        }
        let inst = self.inst(id);
        for &slot in &inst.hot {
            let Some(e) = inst.interest.get(slot) else {
                continue;
            };
            let eff = e.effective_interest();
            if eff == 0 {
                continue;
            }
            if e.ext.nested != 0 {
                let inner = e.ext.nested - 1;
                if self
                    .instances
                    .get(inner as usize)
                    .is_some_and(|s| s.is_some())
                {
                    self.collect_pollfds(inner, buf, map, undrained, depth + 1);
                    if self.inst(inner).wake_fd >= 0 {
                        buf.push(pollfd {
                            fd: self.inst(inner).wake_fd,
                            events: libc::POLLIN,
                            revents: 0,
                        });
                        map.push(u32::MAX);
                    }
                }
                continue;
            }
            let mut want = eff & 0xffff;
            if e.is_et() || e.is_linked() {
                // Bits already set cannot be waited for with poll(2): ask
                // only for the others. Sticky ERR/HUP leave the fd out.
                if e.state & (registry::EPOLLERR | registry::EPOLLHUP) != 0 {
                    continue;
                }
                if e.state & registry::EPOLLIN != 0 && e.ext.kind.counts_bytes() {
                    *undrained = true;
                }
                want &= !e.state;
                if want & !(registry::EPOLLERR | registry::EPOLLHUP) == 0 {
                    continue;
                }
            }
            buf.push(pollfd {
                fd: e.ext.poll_fd,
                events: (want & !(registry::EPOLLERR | registry::EPOLLHUP)) as i16,
                revents: 0,
            });
            // Only this instance's own registrations are mapped: results for
            // nested members are observed by the next refresh.
            map.push(if depth == 0 { slot } else { u32::MAX });
        }
    }

    /// The application wants descriptor number `fd`, which holds one of our
    /// internal descriptors (dup2 onto it): move ours elsewhere first.
    pub fn relocate_internal(&mut self, fd: c_int) {
        let Ok(new) = sys::fcntl(fd, libc::F_DUPFD_CLOEXEC, (fd as usize).saturating_add(1)) else {
            return;
        };
        let new = new as c_int;
        for inst in self.instances.iter_mut().flatten() {
            if inst.wake_fd == fd {
                inst.wake_fd = new;
            }
        }
        for x in self.internal.iter_mut() {
            if *x == fd {
                *x = new;
            }
        }
        fdtable::forget(fd);
        fdtable::set_bits(new, fdtable::INTERNAL);
        let _ = sys::close(fd);
    }

    /// In a forked child: the instances' wake eventfds are shared with the
    /// parent; give the child its own so wake tokens are never stolen.
    pub fn after_fork_child(&mut self) {
        self.cold_after_fork_child();
        for i in 0..self.instances.len() {
            let Some(inst) = self.instances[i].as_mut() else {
                continue;
            };
            inst.waiters = 0;
            inst.holds = 0;
            // The inherited wake eventfd is shared with the parent: drop
            // ours; the child's first blocking wait makes its own.
            let old = core::mem::replace(&mut inst.wake_fd, -1);
            if old >= 0 {
                let _ = sys::close(old);
                fdtable::forget(old);
                self.internal.retain(|&x| x != old);
            }
        }
        for i in 0..self.instances.len() {
            if self.instances[i].as_ref().is_some_and(|inst| inst.closed) {
                self.free_instance(i as u32);
            }
        }
    }

    pub fn return_buffer(&mut self, id: u32, buf: Vec<pollfd>, map: Vec<u32>) {
        if let Some(Some(inst)) = self.instances.get_mut(id as usize) {
            if inst.spare.len() < 4 {
                inst.spare.push((trimmed(buf), trimmed(map)));
            }
        }
    }

    /// Takes one wake token (semaphore eventfd) after a blocking poll.
    pub fn consume_wake(&mut self, id: u32) {
        let mut b = [0u8; 8];
        if self.inst(id).wake_fd >= 0 {
            let _ = sys::read(self.inst(id).wake_fd, &mut b);
        }
    }
}

/// A file's device and inode folded into 64 bits (FileInfo stays small;
/// two live files colliding would need equal inodes on devices whose
/// numbers differ by a multiple of 2^32 after the rotation: not a concern
/// for telling a reused descriptor number from the file it named).
fn identity(ident: &Ident) -> u64 {
    ident.ino ^ ident.dev.rotate_left(32)
}

/// Nanoseconds in units of 2^20 ns (about 1 ms), on 32 bits: enough for
/// idle times (differences are taken wrapping; they wrap after 52 days,
/// which at worst demotes an idle registration late or early once).
pub fn coarse_time(ns: u64) -> u32 {
    (ns >> 20) as u32
}

/// What one observation of an instance found, for `finish_observation`.
struct Observation {
    /// When the descriptors were polled.
    now: u64,
    /// Something was queued or re-woken: the parents see an edge.
    woke: bool,
    /// A registration moved to the cold set: the helper must rebuild.
    demoted: bool,
    /// Registrations whose descriptor was closed behind repoll's back.
    gone: [u32; 16],
    n_gone: usize,
}

impl Observation {
    fn new(now: u64) -> Observation {
        Observation {
            now,
            woke: false,
            demoted: false,
            gone: [0; 16],
            n_gone: 0,
        }
    }

    fn gone(&mut self, slot: u32) {
        if self.n_gone < self.gone.len() {
            self.gone[self.n_gone] = slot;
            self.n_gone += 1;
        }
    }
}

/// A scratch buffer kept for the next use, released when it is far larger
/// than its last use needed (the hot set shrank once idle descriptors went
/// cold): memory stays proportional to what waits really poll.
fn trimmed<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() > 4 * v.len() + 256 {
        v.shrink_to(2 * v.len() + 64);
    }
    v
}

/// The key a file's waiters are woken with when new data arrives.
fn data_key(kind: Kind) -> u32 {
    match kind {
        // sock_def_readable
        Kind::StreamSocket | Kind::DgramSocket | Kind::Listener => {
            registry::EPOLLIN | registry::EPOLLPRI | registry::EPOLLRDNORM | registry::EPOLLRDBAND
        }
        // eventfd_write
        Kind::EventFd | Kind::EventFdSemaphore => registry::EPOLLIN,
        // pipe_write, n_tty
        _ => registry::EPOLLIN | registry::EPOLLRDNORM,
    }
}

/// Whether the queued measure of a registration grew: more bytes or
/// connections, or for a signalfd a newly pending standard signal or one
/// more queued signal (see `signal_measure`).
fn grew(kind: Kind, old: i64, new: i64) -> bool {
    if kind == Kind::SignalFd {
        let (old_set, new_set) = (old as u64 & 0xffff_ffff, new as u64 & 0xffff_ffff);
        (new_set & !old_set) != 0 || (new >> 32) > (old >> 32)
    } else {
        new > old
    }
}

/// Edge measure for signalfds: the pending set of signals 1..32 (a
/// duplicate standard signal is discarded by the kernel and changes
/// nothing, ET-SIGNALFD-9) in the low half, and the number of signals
/// queued for this user (SigQ in /proc/self/status: each real-time signal
/// queues, ET-SIGNALFD-10) in the high half.
fn signal_measure() -> i64 {
    let mut set: u64 = 0;
    let _ = sys::call(
        libc::SYS_rt_sigpending,
        [&mut set as *mut u64 as usize, 8, 0, 0, 0, 0],
    );
    let mut queued: u64 = 0;
    let path = b"/proc/self/status\0";
    if let Ok(fd) = sys::call(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as usize,
            path.as_ptr() as usize,
            (libc::O_RDONLY | libc::O_CLOEXEC) as usize,
            0,
            0,
            0,
        ],
    ) {
        let mut buf = [0u8; 4096];
        let n = sys::read(fd as c_int, &mut buf).unwrap_or(0);
        let _ = sys::close(fd as c_int);
        let text = &buf[..n];
        let key = b"SigQ:";
        if let Some(p) = text.windows(key.len()).position(|w| w == key) {
            for &c in text[p + key.len()..]
                .iter()
                .skip_while(|c| c.is_ascii_whitespace())
            {
                if !c.is_ascii_digit() {
                    break;
                }
                queued = queued * 10 + (c - b'0') as u64;
            }
        }
    }
    ((queued.min(0x7fff_ffff) << 32) | (set & 0xffff_ffff)) as i64
}

fn is_opath(fd: c_int) -> bool {
    sys::fcntl(fd, libc::F_GETFL, 0).is_ok_and(|f| f as c_int & libc::O_PATH != 0)
}

/// Copies ready events to the caller's buffer, `chunk` at a time. Returns
/// the number copied or EFAULT when not even the first could be.
/// `fds` receives the registered descriptor behind each of the first
/// `fds.len()` events (for tracing).
///
/// `events` is the caller's pointer; it is only written through the
/// kernel (process_vm_writev), or directly where that probe is refused.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn deliver(
    g: &mut Global,
    id: u32,
    events: *mut libc::epoll_event,
    maxevents: usize,
    fds: &mut [c_int],
) -> Result<usize, Errno> {
    const CHUNK: usize = 64;
    let mut chosen = [Ready::default(); CHUNK];
    let mut out: [libc::epoll_event; CHUNK] = [libc::epoll_event { events: 0, u64: 0 }; CHUNK];
    let mut total = 0usize;
    let mut budget = g.inst(id).interest.linked_len();
    while total < maxevents && budget > 0 {
        let want = (maxevents - total).min(CHUNK);
        let n = g
            .inst_mut(id)
            .interest
            .collect_within(&mut chosen[..want], &mut budget);
        if n == 0 {
            break;
        }
        for i in 0..n {
            out[i] = libc::epoll_event {
                events: chosen[i].events,
                u64: chosen[i].data,
            };
            if let Some(slot) = fds.get_mut(total + i) {
                *slot = g
                    .inst(id)
                    .interest
                    .get(chosen[i].slot)
                    .map_or(-1, |e| e.key.fd);
            }
        }
        let bytes = n * core::mem::size_of::<libc::epoll_event>();
        // Pointer arithmetic only; the kernel validates every byte copied.
        let dst = events.wrapping_add(total) as *mut libc::c_void;
        let copied = if validated(dst as usize, bytes) {
            // SAFETY: this thread's last waits wrote these very bytes
            // through the kernel without a fault (see `validated`).
            unsafe { core::ptr::copy_nonoverlapping(out.as_ptr(), events.add(total), n) };
            n
        } else {
            match sys::copy_to_user(dst, out.as_ptr() as *const libc::c_void, bytes) {
                Ok(b) => {
                    if b == bytes {
                        remember_validated(dst as usize, bytes);
                    }
                    b / core::mem::size_of::<libc::epoll_event>()
                }
                Err(libc::ENOSYS) | Err(libc::EPERM) if !events.is_null() => {
                    // SAFETY: no probe available: write directly, as a libc
                    // wrapper would (the buffer is the caller's promise).
                    unsafe { core::ptr::copy_nonoverlapping(out.as_ptr(), events.add(total), n) };
                    n
                }
                Err(_) => 0,
            }
        };
        g.inst_mut(id).interest.commit(&chosen[..copied]);
        total += copied;
        if copied < n {
            if total == 0 {
                // The first copy faulted: nothing is lost (ERR-FAULT-3).
                g.update_signal(id);
                return Err(libc::EFAULT);
            }
            break;
        }
    }
    g.update_signal(id);
    Ok(total)
}

thread_local! {
    /// The range of the event buffer this thread's waits last wrote
    /// through the kernel without a fault: (start, length).
    static VALIDATED: core::cell::Cell<(usize, usize)> = const { core::cell::Cell::new((0, 0)) };
}

/// Whether [start, start + len) lies in the range this thread's earlier
/// waits wrote through the kernel (process_vm_writev) without a fault. An
/// event loop passes the same buffer to every wait, so only its first waits
/// pay for the checked copy; later ones write directly. The one difference
/// from the kernel: a program that unmaps or write-protects that buffer and
/// then passes the same pointer again gets SIGSEGV instead of EFAULT.
fn validated(start: usize, len: usize) -> bool {
    let (s, l) = VALIDATED.with(|v| v.get());
    s != 0 && start >= s && start.saturating_add(len) <= s + l
}

fn remember_validated(start: usize, len: usize) {
    VALIDATED.with(|v| {
        let (s, l) = v.get();
        if s != 0 && start >= s && start <= s + l {
            v.set((s, l.max(start + len - s)));
        } else {
            v.set((start, len));
        }
    });
}

/// Forgets the validated buffer range (munmap/mprotect may have changed it).
pub fn forget_validated() {
    VALIDATED.with(|v| v.set((0, 0)));
}

/// A copy of a short list of registrations, on the stack when it fits (the
/// I/O hooks must not allocate for the common case).
pub enum RegList {
    Inline([(u32, u32); 16], usize),
    Heap(Vec<(u32, u32)>),
}

impl RegList {
    pub fn of(src: &[(u32, u32)]) -> RegList {
        if src.len() <= 16 {
            let mut a = [(0, 0); 16];
            a[..src.len()].copy_from_slice(src);
            RegList::Inline(a, src.len())
        } else {
            RegList::Heap(src.to_vec())
        }
    }
    pub fn as_slice(&self) -> &[(u32, u32)] {
        match self {
            RegList::Inline(a, n) => &a[..*n],
            RegList::Heap(v) => v,
        }
    }
}
