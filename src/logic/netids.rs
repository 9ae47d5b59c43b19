// SPDX-License-Identifier: GPL-2.0

//! Which audit container IDs a network namespace's tasks have: a bounded
//! multiset that writers change under their own lock and that the packet
//! path reads without any lock, and the text of the record that lists it.
//!
//! A namespace counts each task that uses it under the task's ID.  Up to
//! [`NET_IDS`] different IDs are listed; the tasks of further IDs are only
//! counted (`unlisted=` in the record), so the memory per namespace is
//! fixed and nothing is allocated where tasks move.

use super::text::FixedBuf;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// How many different IDs one network namespace lists.
pub const NET_IDS: usize = 16;

/// One listed ID and how many tasks of the namespace have it (0: free).
struct Entry {
    id: AtomicU64,
    tasks: AtomicU32,
}

/// The IDs of one network namespace's tasks.
///
/// Writers ([`NetIds::add`], [`NetIds::remove`]) must be serialised by the
/// caller; [`NetIds::snapshot`] may run at any time, concurrently with
/// them, and sees each entry either before or after a change.
pub struct NetIds {
    entries: [Entry; NET_IDS],
    /// Tasks counted whose IDs did not fit in `entries`.
    unlisted: AtomicU32,
}

impl Default for NetIds {
    fn default() -> Self {
        Self::new()
    }
}

/// What [`NetIds::snapshot`] saw.
pub struct Listed {
    ids: [u64; NET_IDS],
    len: usize,
    /// Tasks whose IDs are not in the list.
    pub unlisted: u32,
}

impl Listed {
    /// The IDs, each once, in no particular order.
    pub fn ids(&self) -> &[u64] {
        self.ids.get(..self.len).unwrap_or(&[])
    }

    /// Whether the namespace has no task with an ID.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.unlisted == 0
    }
}

impl NetIds {
    /// A namespace without tasks that have an ID.
    pub const fn new() -> Self {
        // A template for the array, never used as a value of its own.
        #[allow(clippy::declare_interior_mutable_const)]
        const FREE: Entry = Entry {
            id: AtomicU64::new(0),
            tasks: AtomicU32::new(0),
        };
        Self {
            entries: [FREE; NET_IDS],
            unlisted: AtomicU32::new(0),
        }
    }

    /// One more task of the namespace has `id`.  Caller serialises writers.
    pub fn add(&self, id: u64) {
        let mut free = None;
        for e in &self.entries {
            let tasks = e.tasks.load(Ordering::Relaxed);
            if tasks == 0 {
                free = free.or(Some(e));
            } else if e.id.load(Ordering::Relaxed) == id {
                e.tasks.store(tasks.saturating_add(1), Ordering::Relaxed);
                return;
            }
        }
        match free {
            Some(e) => {
                e.id.store(id, Ordering::Relaxed);
                // Readers that see the count see the ID stored before it.
                e.tasks.store(1, Ordering::Release);
            }
            None => {
                let n = self.unlisted.load(Ordering::Relaxed);
                self.unlisted.store(n.saturating_add(1), Ordering::Relaxed);
            }
        }
    }

    /// A task of the namespace that was counted under `id` no longer is.
    /// Caller serialises writers.
    ///
    /// A task counted as unlisted while `id` had no entry is taken off
    /// the unlisted count once `id`'s entry (if it got one later) is
    /// empty: the totals stay exact, and no count goes below zero.
    pub fn remove(&self, id: u64) {
        for e in &self.entries {
            let tasks = e.tasks.load(Ordering::Relaxed);
            if tasks != 0 && e.id.load(Ordering::Relaxed) == id {
                e.tasks.store(tasks - 1, Ordering::Release);
                return;
            }
        }
        let n = self.unlisted.load(Ordering::Relaxed);
        self.unlisted.store(n.saturating_sub(1), Ordering::Relaxed);
    }

    /// The IDs listed now.  Any context, no lock.
    pub fn snapshot(&self) -> Listed {
        let mut out = Listed {
            ids: [0; NET_IDS],
            len: 0,
            unlisted: self.unlisted.load(Ordering::Relaxed),
        };
        for e in &self.entries {
            if e.tasks.load(Ordering::Acquire) == 0 {
                continue;
            }
            let id = e.id.load(Ordering::Relaxed);
            // An entry freed and taken again meanwhile may repeat an ID.
            if out.ids().contains(&id) {
                continue;
            }
            if let Some(slot) = out.ids.get_mut(out.len) {
                *slot = id;
                out.len += 1;
            }
        }
        out
    }
}

/// Room for the record: "op=net netns=" and 10 digits, " contid=", up to
/// [`NET_IDS`] IDs of at most 21 bytes each, " unlisted=" and 10 digits.
pub const NET_INFO_MAX: usize = 23 + 8 + NET_IDS * 21 + 20 + 1;

/// The text of an AUDIT_CONTAINER_INFO record of a packet.
pub type NetInfoText = FixedBuf<NET_INFO_MAX>;

/// The fields of the AUDIT_CONTAINER_INFO record of a packet seen in the
/// network namespace `netns` (its inode number), whose tasks have the IDs
/// of `listed`; `None` if it has none (no record).
pub fn net_record(netns: u32, listed: &Listed) -> Option<NetInfoText> {
    if listed.is_empty() {
        return None;
    }
    let mut t = NetInfoText::new();
    // NET_INFO_MAX is room for the longest record: formatting cannot fail.
    let _ = write!(t, "op=net netns={netns} contid=");
    let mut sep = "";
    for id in listed.ids() {
        let _ = write!(t, "{sep}{id}");
        sep = ",";
    }
    if listed.ids().is_empty() {
        let _ = write!(t, "?");
    }
    if listed.unlisted != 0 {
        let _ = write!(t, " unlisted={}", listed.unlisted);
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(l: &Listed) -> Vec<u64> {
        let mut v = l.ids().to_vec();
        v.sort_unstable();
        v
    }

    #[test]
    fn counts_tasks_per_id() {
        let n = NetIds::new();
        assert!(n.snapshot().is_empty());
        n.add(7);
        n.add(7);
        n.add(9);
        assert_eq!(sorted(&n.snapshot()), [7, 9]);
        n.remove(7);
        assert_eq!(sorted(&n.snapshot()), [7, 9]);
        n.remove(7);
        assert_eq!(sorted(&n.snapshot()), [9]);
        n.remove(9);
        assert!(n.snapshot().is_empty());
    }

    #[test]
    fn the_id_zero_and_the_largest_are_ids_like_others() {
        let n = NetIds::new();
        n.add(0);
        n.add(u64::MAX - 1);
        assert_eq!(sorted(&n.snapshot()), [0, u64::MAX - 1]);
        n.remove(0);
        assert_eq!(sorted(&n.snapshot()), [u64::MAX - 1]);
    }

    #[test]
    fn ids_beyond_the_list_are_counted_and_never_go_below_zero() {
        let n = NetIds::new();
        for id in 0..NET_IDS as u64 + 3 {
            n.add(100 + id);
        }
        let l = n.snapshot();
        assert_eq!(l.ids().len(), NET_IDS);
        assert_eq!(l.unlisted, 3);
        // An ID of the list leaves: its entry is free, the unlisted stay.
        n.remove(100);
        assert_eq!(n.snapshot().ids().len(), NET_IDS - 1);
        assert_eq!(n.snapshot().unlisted, 3);
        // One of the unlisted IDs gets another task: it takes the entry.
        n.add(100 + NET_IDS as u64);
        assert!(n.snapshot().ids().contains(&(100 + NET_IDS as u64)));
        // Its two tasks leave: one from the entry, one from the unlisted.
        // Which task leaves first is not known: after the first, the ID is
        // no longer listed though a task of it remains (counted unlisted),
        // never listed once none does.
        n.remove(100 + NET_IDS as u64);
        assert!(!n.snapshot().ids().contains(&(100 + NET_IDS as u64)));
        assert_eq!(n.snapshot().unlisted, 3);
        n.remove(100 + NET_IDS as u64);
        assert_eq!(n.snapshot().unlisted, 2);
        n.remove(101 + NET_IDS as u64);
        n.remove(102 + NET_IDS as u64);
        assert_eq!(n.snapshot().unlisted, 0);
        for id in 1..NET_IDS as u64 {
            n.remove(100 + id);
        }
        assert!(n.snapshot().is_empty());
        // A stray removal changes nothing.
        n.remove(5);
        assert!(n.snapshot().is_empty());
    }

    #[test]
    fn record_lists_every_id_and_says_what_is_unlisted() {
        let n = NetIds::new();
        assert!(net_record(4026531840, &n.snapshot()).is_none());
        n.add(5);
        n.add(6);
        let t = net_record(4026532100, &n.snapshot()).unwrap();
        let s = core::str::from_utf8(t.as_bytes()).unwrap();
        assert!(
            s == "op=net netns=4026532100 contid=5,6" || s == "op=net netns=4026532100 contid=6,5"
        );
    }

    #[test]
    fn longest_record_fits() {
        let n = NetIds::new();
        for i in 0..NET_IDS as u64 + 1 {
            n.add(u64::MAX - 1 - i);
        }
        for _ in 0..5 {
            n.add(0);
        }
        let mut l = n.snapshot();
        l.unlisted = u32::MAX;
        let t = net_record(u32::MAX, &l).unwrap();
        let s = core::str::from_utf8(t.as_bytes()).unwrap();
        assert!(s.starts_with("op=net netns=4294967295 contid=18446744073709551614,"));
        assert!(s.ends_with(" unlisted=4294967295"), "{s}");
        assert_eq!(s.matches(',').count(), NET_IDS - 1);
    }

    #[test]
    fn only_unlisted_ids_still_make_a_record() {
        let l = Listed {
            ids: [0; NET_IDS],
            len: 0,
            unlisted: 2,
        };
        let t = net_record(1, &l).unwrap();
        assert_eq!(t.as_bytes(), b"op=net netns=1 contid=? unlisted=2");
    }
}
