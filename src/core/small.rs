//! A short list kept inline: most files have one descriptor and one
//! registration, most channels one listener, so the common case costs no
//! heap allocation (memory per registered descriptor, issue 8).

use core::ops::Deref;

#[derive(Clone, Debug)]
pub enum SmallList<T: Copy + Default, const N: usize> {
    Inline(u8, [T; N]),
    /// Boxed so that the list itself stays small.
    #[allow(clippy::box_collection)]
    Heap(Box<Vec<T>>),
}

impl<T: Copy + Default, const N: usize> Default for SmallList<T, N> {
    fn default() -> Self {
        SmallList::Inline(0, [T::default(); N])
    }
}

impl<T: Copy + Default, const N: usize> SmallList<T, N> {
    pub fn push(&mut self, v: T) {
        match self {
            SmallList::Inline(n, a) if (*n as usize) < N => {
                a[*n as usize] = v;
                *n += 1;
            }
            SmallList::Inline(n, a) => {
                let mut vec = Vec::with_capacity(N * 2);
                vec.extend_from_slice(&a[..*n as usize]);
                vec.push(v);
                *self = SmallList::Heap(Box::new(vec));
            }
            SmallList::Heap(vec) => vec.push(v),
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        match self {
            SmallList::Inline(n, a) => {
                let mut j = 0;
                for i in 0..*n as usize {
                    if keep(&a[i]) {
                        a[j] = a[i];
                        j += 1;
                    }
                }
                *n = j as u8;
            }
            SmallList::Heap(vec) => vec.retain(|v| keep(v)),
        }
    }
}

impl<T: Copy + Default, const N: usize> Deref for SmallList<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            SmallList::Inline(n, a) => &a[..*n as usize],
            SmallList::Heap(v) => v,
        }
    }
}

/// Descriptor number -> file id, as a dense table (descriptor numbers are
/// small and dense): 8 bytes per number instead of a hash entry. File ids
/// start at 1; 0 marks a number not tracked.
#[derive(Default)]
pub struct FdMap {
    files: Vec<u64>,
    count: usize,
}

impl FdMap {
    pub fn get(&self, fd: &libc::c_int) -> Option<&u64> {
        let f = self.files.get(usize::try_from(*fd).ok()?)?;
        (*f != 0).then_some(f)
    }

    pub fn contains_key(&self, fd: &libc::c_int) -> bool {
        self.get(fd).is_some()
    }

    pub fn insert(&mut self, fd: libc::c_int, file: u64) {
        let Ok(i) = usize::try_from(fd) else { return };
        if i >= self.files.len() {
            let want = (i + 1).next_power_of_two().max(64);
            if self.files.try_reserve(want - self.files.len()).is_err() {
                return;
            }
            self.files.resize(want, 0);
        }
        if self.files[i] == 0 {
            self.count += 1;
        }
        self.files[i] = file;
    }

    pub fn remove(&mut self, fd: &libc::c_int) -> Option<u64> {
        let slot = self.files.get_mut(usize::try_from(*fd).ok()?)?;
        if *slot == 0 {
            return None;
        }
        self.count -= 1;
        Some(core::mem::replace(slot, 0))
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Tracked descriptor numbers in `[first, last]`, ascending.
    pub fn keys_in(&self, first: usize, last: usize) -> impl Iterator<Item = libc::c_int> + '_ {
        let end = last.saturating_add(1).min(self.files.len());
        let start = first.min(end);
        self.files[start..end]
            .iter()
            .enumerate()
            .filter(|(_, &f)| f != 0)
            .map(move |(i, _)| (start + i) as libc::c_int)
    }
}

/// Files repoll tracks, in a slab: an id is (reuse generation << 32 |
/// index + 1), never 0, never the id of an earlier file. Dense storage
/// instead of a hash map of file id -> info (memory per descriptor).
pub struct FileTable<T> {
    slots: Vec<(u32, Option<T>)>,
    free: Vec<u32>,
}

impl<T> Default for FileTable<T> {
    fn default() -> Self {
        FileTable {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> FileTable<T> {
    fn index(id: u64) -> (usize, u32) {
        (
            ((id & 0xffff_ffff) as usize).wrapping_sub(1),
            (id >> 32) as u32,
        )
    }

    /// Stores `info` and returns its new id.
    pub fn alloc(&mut self, info: T) -> u64 {
        let i = match self.free.pop() {
            Some(i) => {
                let s = &mut self.slots[i as usize];
                s.0 = s.0.wrapping_add(1);
                s.1 = Some(info);
                i as usize
            }
            None => {
                grow_gently(&mut self.slots);
                self.slots.push((0, Some(info)));
                self.slots.len() - 1
            }
        };
        ((self.slots[i].0 as u64) << 32) | (i as u64 + 1)
    }

    pub fn get(&self, id: &u64) -> Option<&T> {
        let (i, gen) = Self::index(*id);
        match self.slots.get(i) {
            Some((g, Some(t))) if *g == gen => Some(t),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut T> {
        let (i, gen) = Self::index(*id);
        match self.slots.get_mut(i) {
            Some((g, Some(t))) if *g == gen => Some(t),
            _ => None,
        }
    }

    /// Every stored value with its id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, (g, t))| {
            t.as_ref()
                .map(|t| (((*g as u64) << 32) | (i as u64 + 1), t))
        })
    }

    pub fn remove(&mut self, id: &u64) -> Option<T> {
        let (i, gen) = Self::index(*id);
        match self.slots.get_mut(i) {
            Some((g, slot)) if *g == gen && slot.is_some() => {
                let t = slot.take();
                if self.free.try_reserve(1).is_ok() {
                    self.free.push(i as u32);
                }
                t
            }
            _ => None,
        }
    }
}

/// Makes room for one more element, growing by a quarter rather than
/// doubling: large tables (one element per registered descriptor) waste
/// at most 25 % instead of up to 100 %. Still amortised O(1).
pub fn grow_gently<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        let extra = (v.capacity() / 4).max(16);
        let _ = v.try_reserve_exact(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::{FdMap, FileTable, SmallList};

    #[test]
    fn filetable_ids_never_repeat() {
        let mut t: FileTable<&str> = FileTable::default();
        let a = t.alloc("a");
        let b = t.alloc("b");
        assert_ne!(a, 0);
        assert_eq!(t.get(&a), Some(&"a"));
        assert_eq!(t.remove(&a), Some("a"));
        assert_eq!(t.get(&a), None);
        let c = t.alloc("c");
        assert_ne!(c, a);
        assert_eq!(t.get(&a), None);
        assert_eq!(t.get(&c), Some(&"c"));
        assert_eq!(t.get(&b), Some(&"b"));
        assert_eq!(t.get(&0), None);
        *t.get_mut(&b).unwrap() = "bb";
        assert_eq!(t.get(&b), Some(&"bb"));
    }

    #[test]
    fn fdmap_basics() {
        let mut m = FdMap::default();
        assert_eq!(m.get(&3), None);
        assert_eq!(m.get(&-1), None);
        m.insert(3, 7);
        m.insert(1000, 9);
        assert_eq!(m.get(&3), Some(&7));
        assert!(m.contains_key(&1000));
        assert_eq!(m.len(), 2);
        assert_eq!(m.keys_in(0, usize::MAX).collect::<Vec<_>>(), vec![3, 1000]);
        assert_eq!(m.keys_in(4, 999).count(), 0);
        assert_eq!(m.remove(&3), Some(7));
        assert_eq!(m.remove(&3), None);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn push_retain_spill() {
        let mut l: SmallList<i32, 2> = SmallList::default();
        assert!(l.is_empty());
        l.push(1);
        l.push(2);
        assert!(matches!(l, SmallList::Inline(2, _)));
        l.push(3);
        assert_eq!(&*l, &[1, 2, 3]);
        l.retain(|&x| x != 2);
        assert_eq!(&*l, &[1, 3]);
        let mut m: SmallList<i32, 2> = SmallList::default();
        m.push(5);
        m.push(6);
        m.retain(|&x| x == 6);
        assert_eq!(&*m, &[6]);
        assert_eq!(m.first(), Some(&6));
    }
}

#[cfg(test)]
mod size_tests {
    /// Memory per registered descriptor is a target (issue 8, BENCH.md):
    /// growing these structures must be a deliberate choice.
    #[test]
    fn per_registration_structures_stay_small() {
        assert!(core::mem::size_of::<Option<crate::core::Entry>>() <= 96);
        assert!(core::mem::size_of::<crate::core::FileInfo>() <= 48);
        assert!(core::mem::size_of::<super::SmallList<libc::c_int, 2>>() <= 16);
        assert!(core::mem::size_of::<super::SmallList<(u32, u32), 1>>() <= 16);
    }
}
