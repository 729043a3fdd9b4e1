//! The interest table and ready list of one epoll instance: pure state.
//!
//! No system calls, no clock, no libc calls: the core feeds observations
//! (`observe`) and asks for reports (`collect` + `commit`). The model is the
//! kernel's (fs/eventpoll.c), as written down in
//! `shared/epoll-spec/SEMANTICS.md` section 1.3:
//!
//! * an item is keyed by (fd number, open file description) — [`Key`];
//! * an item is *queued* (linked on the ready list) when its file signals a
//!   wakeup that intersects its interest; a level-triggered item is queued
//!   whenever its observed state intersects its interest;
//! * a wait walks the list from the head: an item whose current state no
//!   longer intersects its interest is dropped silently; otherwise it is
//!   reported, then disarmed (ONESHOT), dropped (ET) or moved to the tail
//!   (LT, giving round robin when `maxevents` is small);
//! * one wait never reports the same item twice.
#![forbid(unsafe_code)]

use std::collections::HashMap;

pub const EPOLLIN: u32 = 0x001;
pub const EPOLLPRI: u32 = 0x002;
pub const EPOLLOUT: u32 = 0x004;
pub const EPOLLERR: u32 = 0x008;
pub const EPOLLHUP: u32 = 0x010;
pub const EPOLLRDNORM: u32 = 0x040;
pub const EPOLLRDBAND: u32 = 0x080;
pub const EPOLLWRNORM: u32 = 0x100;
pub const EPOLLWRBAND: u32 = 0x200;
pub const EPOLLMSG: u32 = 0x400;
pub const EPOLLRDHUP: u32 = 0x2000;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;

/// Bits that are flags of the registration, never reported.
pub const FLAG_BITS: u32 = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET;
/// From fs/eventpoll.c: the only bits allowed beside EPOLLEXCLUSIVE.
pub const EXCLUSIVE_OK_BITS: u32 =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

pub const EEXIST: i32 = 17;
pub const ENOENT: i32 = 2;
pub const EINVAL: i32 = 22;
pub const ENOMEM: i32 = 12;

const NIL: u32 = u32::MAX;

/// A registration's identity, as the kernel's epitem key: the fd number at
/// ADD time and the open file description it named (an opaque id given by
/// the core, equal for dups of one file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub fd: i32,
    pub file: u64,
}

/// One registration.
#[derive(Clone, Debug)]
pub struct Entry<X> {
    /// Identity; never changes.
    pub key: Key,
    /// The `events` of the last ADD/MOD, flag bits included (WAKEUP removed).
    pub events: u32,
    /// The `data` of the last ADD/MOD, echoed bit for bit.
    pub data: u64,
    /// False once a ONESHOT registration has reported; MOD re-arms.
    pub armed: bool,
    /// The poll state last observed by the core.
    pub state: u32,
    /// Bumped by every MOD; lets the core detect changes made while it
    /// worked without the lock.
    pub generation: u32,
    /// Core-owned data (poll fd, file kind, ...); the registry never reads it.
    pub ext: X,
    linked: bool,
    prev: u32,
    next: u32,
    /// Next entry registered under the same descriptor number (another
    /// file), NIL at the end: the index maps a number to a chain.
    same_fd: u32,
}

impl<X> Entry<X> {
    /// The bits this registration may report now: its interest plus the
    /// always-reported ERR|HUP, or nothing when a ONESHOT has fired.
    pub fn effective_interest(&self) -> u32 {
        if !self.armed {
            0
        } else {
            (self.events & !FLAG_BITS) | EPOLLERR | EPOLLHUP
        }
    }
    pub fn is_et(&self) -> bool {
        self.events & EPOLLET != 0
    }
    pub fn is_oneshot(&self) -> bool {
        self.events & EPOLLONESHOT != 0
    }
    pub fn is_exclusive(&self) -> bool {
        self.events & EPOLLEXCLUSIVE != 0
    }
    pub fn is_linked(&self) -> bool {
        self.linked
    }
    /// What a wait would report for this entry right now (0: nothing).
    pub fn reportable(&self) -> u32 {
        self.state & self.effective_interest()
    }
}

/// One event chosen by `collect`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    pub slot: u32,
    pub events: u32,
    pub data: u64,
}

/// The interest list of one instance with its ready list.
#[derive(Debug)]
pub struct Interest<X> {
    slots: Vec<Option<Entry<X>>>,
    free: Vec<u32>,
    /// Descriptor number -> first slot of its chain (`Entry::same_fd`):
    /// 8-byte map entries instead of (fd, file) keys (memory per
    /// registration); two files under one number are rare.
    index: HashMap<i32, u32>,
    len: usize,
    head: u32,
    tail: u32,
    linked: usize,
}

impl<X> Default for Interest<X> {
    fn default() -> Self {
        Self::new()
    }
}

impl<X> Interest<X> {
    pub fn new() -> Self {
        Interest {
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
            len: 0,
            head: NIL,
            tail: NIL,
            linked: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of entries on the ready list (stale ones included).
    pub fn linked_len(&self) -> usize {
        self.linked
    }

    pub fn find(&self, key: Key) -> Option<u32> {
        let mut cur = *self.index.get(&key.fd)?;
        while cur != NIL {
            let e = self.slots[cur as usize].as_ref()?;
            if e.key == key {
                return Some(cur);
            }
            cur = e.same_fd;
        }
        None
    }

    pub fn get(&self, slot: u32) -> Option<&Entry<X>> {
        self.slots.get(slot as usize).and_then(|s| s.as_ref())
    }

    pub fn get_mut(&mut self, slot: u32) -> Option<&mut Entry<X>> {
        self.slots.get_mut(slot as usize).and_then(|s| s.as_mut())
    }

    /// Iterates over (slot, entry) of every registration.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Entry<X>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|e| (i as u32, e)))
    }

    /// Slots of every registration (a snapshot, for loops that mutate).
    pub fn slots_snapshot(&self, out: &mut Vec<u32>) {
        out.clear();
        out.extend(self.iter().map(|(i, _)| i));
    }

    /// Reserves room for one more registration so that `add` cannot fail
    /// half-way (ENOMEM is the kernel's answer when memory is short).
    pub fn try_reserve_one(&mut self) -> Result<(), i32> {
        if self.free.is_empty() && self.slots.len() == self.slots.capacity() {
            // Grow by a quarter, not double: one slot per registered
            // descriptor, so doubling would waste up to 100 % at scale.
            let extra = (self.slots.capacity() / 4).max(16);
            self.slots.try_reserve_exact(extra).map_err(|_| ENOMEM)?;
        }
        self.index.try_reserve(1).map_err(|_| ENOMEM)
    }

    /// EPOLL_CTL_ADD. `events` must already be validated (EXCLUSIVE rules)
    /// and stripped of EPOLLWAKEUP. The new entry is not observed yet: the
    /// core polls it and calls `observe`, as ep_insert polls the file.
    pub fn add(&mut self, key: Key, events: u32, data: u64, ext: X) -> Result<u32, i32> {
        if self.find(key).is_some() {
            // From epoll_ctl(2): EEXIST when op is EPOLL_CTL_ADD and fd is
            // already registered with this epoll instance.
            return Err(EEXIST);
        }
        self.try_reserve_one()?;
        let entry = Entry {
            key,
            events,
            data,
            armed: true,
            state: 0,
            generation: 0,
            ext,
            linked: false,
            prev: NIL,
            next: NIL,
            same_fd: NIL,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(entry);
                s
            }
            None => {
                self.slots.push(Some(entry));
                (self.slots.len() - 1) as u32
            }
        };
        let head = self.index.insert(key.fd, slot).unwrap_or(NIL);
        if let Some(e) = self.slots[slot as usize].as_mut() {
            e.same_fd = head;
        }
        self.len += 1;
        Ok(slot)
    }

    /// EPOLL_CTL_MOD: new events and data, re-armed. The entry keeps its
    /// place on the ready list (ORD-9); the core then polls it (ep_modify
    /// polls the file, so a ready fd is reported at once, ET-T-7).
    pub fn modify(&mut self, key: Key, events: u32, data: u64) -> Result<u32, i32> {
        let slot = self.find(key).ok_or(ENOENT)?;
        let e = self.slots[slot as usize].as_mut().ok_or(ENOENT)?;
        // From epoll_ctl(2): EINVAL when EPOLLEXCLUSIVE was specified at
        // ADD and the op is EPOLL_CTL_MOD.
        if e.is_exclusive() {
            return Err(EINVAL);
        }
        e.events = events;
        e.data = data;
        e.armed = true;
        e.generation = e.generation.wrapping_add(1);
        Ok(slot)
    }

    /// EPOLL_CTL_DEL (and removal on last close): unlink and forget.
    pub fn delete(&mut self, key: Key) -> Result<Entry<X>, i32> {
        let slot = self.find(key).ok_or(ENOENT)?;
        Ok(self.remove_slot(slot))
    }

    /// Removes the entry in `slot` (which must exist).
    pub fn remove_slot(&mut self, slot: u32) -> Entry<X> {
        self.unlink(slot);
        let e = self.slots[slot as usize]
            .take()
            .expect("registry: remove of an empty slot");
        // Unchain it from its descriptor number.
        if self.index.get(&e.key.fd) == Some(&slot) {
            if e.same_fd == NIL {
                self.index.remove(&e.key.fd);
            } else {
                self.index.insert(e.key.fd, e.same_fd);
            }
        } else if let Some(&head) = self.index.get(&e.key.fd) {
            let mut cur = head;
            while cur != NIL {
                let Some(c) = self.slots[cur as usize].as_mut() else {
                    break;
                };
                if c.same_fd == slot {
                    c.same_fd = e.same_fd;
                    break;
                }
                cur = c.same_fd;
            }
        }
        self.len -= 1;
        self.free.push(slot);
        e
    }

    /// Records the file's current poll `state` for `slot`, plus `wakeup`:
    /// the key of a wakeup the core knows happened since the last
    /// observation (an in-process write, FIONREAD growth...), 0 if none.
    ///
    /// Queues the entry as ep_poll_callback would: a level-triggered entry
    /// whenever its state intersects its interest; an edge-triggered one
    /// only on a wakeup, i.e. bits that newly appeared in the state or the
    /// given wakeup key, filtered by the interest. Returns true when the
    /// entry was queued or, already queued, received a wakeup (which a
    /// nested parent sees as an edge, ET-NESTED-3).
    pub fn observe(&mut self, slot: u32, state: u32, wakeup: u32) -> bool {
        let Some(e) = self.slots.get_mut(slot as usize).and_then(|s| s.as_mut()) else {
            return false;
        };
        let prev = e.state;
        e.state = state;
        let eff = e.effective_interest();
        if eff == 0 {
            return false;
        }
        // A wakeup the kernel would deliver to this item: a bit that newly
        // appeared, or a known wakeup key, intersecting the interest.
        let woke = ((state & !prev) | wakeup) & eff != 0;
        if e.linked {
            return woke;
        }
        let queue = if e.is_et() {
            woke
        } else {
            woke || (state & eff) != 0
        };
        if queue {
            self.link_tail(slot);
        }
        queue
    }

    /// Queues the entry unconditionally if armed (ADD/MOD of a ready fd:
    /// the kernel polls at insert/modify time and queues when ready).
    pub fn queue_if_ready(&mut self, slot: u32) -> bool {
        let Some(e) = self.get(slot) else {
            return false;
        };
        if e.linked || e.reportable() == 0 {
            return false;
        }
        self.link_tail(slot);
        true
    }

    /// Forgets that the state bits in `bits` were set (the application just
    /// drained them: a later observation of those bits is a new edge).
    pub fn clear_state(&mut self, slot: u32, bits: u32) {
        if let Some(e) = self.get_mut(slot) {
            e.state &= !bits;
        }
    }

    /// True when a wait would report at least one event now. This is the
    /// readability of the instance's own descriptor (SEMANTICS 9.1).
    pub fn has_reportable(&self) -> bool {
        let mut cur = self.head;
        while cur != NIL {
            let e = self.slots[cur as usize]
                .as_ref()
                .expect("registry: linked empty slot");
            if e.reportable() != 0 {
                return true;
            }
            cur = e.next;
        }
        false
    }

    /// Chooses up to `out.len()` events from the head of the ready list,
    /// dropping stale entries on the way. Reported entries are left in
    /// place until `commit`, so that a failed copy to the caller loses
    /// nothing (ERR-FAULT-3, ERR-FAULT-11). Returns how many were chosen.
    pub fn collect(&mut self, out: &mut [Ready]) -> usize {
        let mut budget = self.linked;
        self.collect_within(out, &mut budget)
    }

    /// `collect` visiting at most `budget` entries (decremented for each
    /// visited one), so that a caller collecting in several chunks never
    /// reaches the LT entries it already moved to the tail (ORD-4).
    pub fn collect_within(&mut self, out: &mut [Ready], budget: &mut usize) -> usize {
        let mut n = 0;
        let mut cur = self.head;
        while cur != NIL && n < out.len() && *budget > 0 {
            *budget -= 1;
            let e = self.slots[cur as usize]
                .as_ref()
                .expect("registry: linked empty slot");
            let next = e.next;
            let revents = e.reportable();
            if revents == 0 {
                // A stale wakeup is never reported (ORD-7).
                self.unlink(cur);
            } else {
                out[n] = Ready {
                    slot: cur,
                    events: revents,
                    data: e.data,
                };
                n += 1;
            }
            cur = next;
        }
        n
    }

    /// Applies the reports of the first `done` events chosen by `collect`:
    /// ONESHOT entries are disarmed, ET entries leave the list, LT entries
    /// go to the tail (round robin, ORD-2).
    pub fn commit(&mut self, chosen: &[Ready]) {
        for r in chosen {
            let Some(e) = self.get_mut(r.slot) else {
                continue;
            };
            if e.is_oneshot() {
                e.armed = false;
                self.unlink(r.slot);
            } else if e.is_et() {
                self.unlink(r.slot);
            } else {
                self.unlink(r.slot);
                self.link_tail(r.slot);
            }
        }
    }

    fn link_tail(&mut self, slot: u32) {
        let tail = self.tail;
        {
            let e = self.slots[slot as usize]
                .as_mut()
                .expect("registry: link of an empty slot");
            if e.linked {
                return;
            }
            e.linked = true;
            e.prev = tail;
            e.next = NIL;
        }
        if tail == NIL {
            self.head = slot;
        } else {
            self.slots[tail as usize]
                .as_mut()
                .expect("registry: bad tail")
                .next = slot;
        }
        self.tail = slot;
        self.linked += 1;
    }

    fn unlink(&mut self, slot: u32) {
        let (prev, next) = {
            let e = self.slots[slot as usize]
                .as_mut()
                .expect("registry: unlink of an empty slot");
            if !e.linked {
                return;
            }
            e.linked = false;
            let pn = (e.prev, e.next);
            e.prev = NIL;
            e.next = NIL;
            pn
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev as usize]
                .as_mut()
                .expect("registry: bad prev")
                .next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next as usize]
                .as_mut()
                .expect("registry: bad next")
                .prev = prev;
        }
        self.linked -= 1;
    }
}

/// Validates the EPOLLEXCLUSIVE rules of an ADD or MOD (SEMANTICS 2.3).
/// `target_is_epoll`: the fd being added is an epoll instance.
pub fn check_exclusive(op_is_mod: bool, events: u32, target_is_epoll: bool) -> Result<(), i32> {
    if events & EPOLLEXCLUSIVE == 0 {
        return Ok(());
    }
    // From fs/eventpoll.c: EPOLLEXCLUSIVE is only valid on ADD, not for
    // nested epoll targets, and only with EPOLLEXCLUSIVE_OK_BITS.
    if op_is_mod || target_is_epoll || events & !EXCLUSIVE_OK_BITS != 0 {
        return Err(EINVAL);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
