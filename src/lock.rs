//! A small futex mutex that `pthread_atfork` handlers can take and release
//! without a guard object, and that never allocates.
//!
//! std's `Mutex` would do for threads, but fork needs "lock in prepare,
//! unlock in parent and child" across three separate callbacks.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, Ordering};

pub struct Lock<T> {
    /// 0 unlocked, 1 locked, 2 locked with waiters.
    word: AtomicU32,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialised by `word`.
unsafe impl<T: Send> Sync for Lock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Lock<T> {}

pub struct Guard<'a, T> {
    lock: &'a Lock<T>,
}

fn futex(word: &AtomicU32, op: i32, val: u32) {
    crate::sys::raw6(
        libc::SYS_futex,
        [
            word as *const AtomicU32 as usize,
            (op | libc::FUTEX_PRIVATE_FLAG) as usize,
            val as usize,
            0,
            0,
            0,
        ],
    );
}

impl<T> Lock<T> {
    pub const fn new(value: T) -> Self {
        Lock {
            word: AtomicU32::new(0),
            value: UnsafeCell::new(value),
        }
    }

    pub fn lock(&self) -> Guard<'_, T> {
        self.raw_lock();
        Guard { lock: self }
    }

    pub fn try_lock(&self) -> Option<Guard<'_, T>> {
        if self
            .word
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            Some(Guard { lock: self })
        } else {
            None
        }
    }

    /// Takes the lock without a guard (fork prepare handler).
    pub fn raw_lock(&self) {
        if self
            .word
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        let mut spins = 0;
        loop {
            if spins < 100 {
                spins += 1;
                core::hint::spin_loop();
                if self.word.load(Ordering::Relaxed) == 0
                    && self
                        .word
                        .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                {
                    return;
                }
                continue;
            }
            if self.word.swap(2, Ordering::Acquire) == 0 {
                return;
            }
            futex(&self.word, libc::FUTEX_WAIT, 2);
        }
    }

    /// Releases the lock (guard drop, fork parent handler).
    pub fn raw_unlock(&self) {
        if self.word.swap(0, Ordering::Release) == 2 {
            futex(&self.word, libc::FUTEX_WAKE, 1);
        }
    }

    /// In a forked child: the lock word is reset; only the forking thread
    /// exists, and it held the lock through `raw_lock` in prepare.
    pub fn reset_in_child(&self) {
        self.word.store(0, Ordering::Release);
    }

    /// Access without locking, for the fork child handler only.
    ///
    /// # Safety
    /// The caller must hold the lock through `raw_lock`.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get_unlocked(&self) -> &mut T {
        // SAFETY: the caller holds the lock.
        unsafe { &mut *self.value.get() }
    }
}

impl<T> core::ops::Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard proves the lock is held.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> core::ops::DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves the lock is held, exclusively.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.lock.raw_unlock();
    }
}
