// SPDX-License-Identifier: GPL-2.0

//! The per-task slot of the hook series (`task_struct::audit_contid`), as
//! the module uses it: a pointer to an object of the module's cache that
//! the task owns (or null: no ID), or the "freed" marker of a task that
//! has been reaped, plus one tag bit: the task has created a process.
//!
//! # Invariants
//!
//! Only this module stores into slots (the kernel sets a new task's slot
//! to null before anybody can see it); the pointer part of a slot is null
//! or an object that came from [`Cache::alloc`](super::cache::Cache::alloc);
//! an object leaves a slot only as a [`Retired`], which is freed after an
//! RCU grace period.  Objects are at least 4-byte aligned, so the two low
//! bits are free for the tags.

use super::cache::{Entry, Obj, Retired};
use super::rcu::{self, ReadGuard};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Tag: the task has created a process (fork, vfork, clone without
/// CLONE_THREAD) since the module was loaded.  Survives every change of
/// the object.
const CREATED_PROCESS: usize = 1;
/// Tag: the task has been reaped (its free hook ran); the pointer part is
/// null and stays so.
const FREED: usize = 2;
const TAGS: usize = CREATED_PROCESS | FREED;

// Every object starts with an RCU head (two pointers), so the tag bits are
// never part of an object's address.
const _: () = assert!(core::mem::align_of::<rcu::Head>() > TAGS);

/// One task's slot.
///
/// # Invariants
///
/// `cell` is the `audit_contid` field of a task that is valid for `'a`,
/// accessed only atomically.
pub(crate) struct Slot<'a, T> {
    cell: &'a AtomicUsize,
    _t: PhantomData<T>,
}

/// What a slot held when it was read; used to replace exactly that.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen(usize);

impl Seen {
    fn object(self) -> usize {
        self.0 & !TAGS
    }

    /// Whether the task had created a process when the slot was read.
    pub(crate) fn created_process(self) -> bool {
        self.0 & CREATED_PROCESS != 0
    }

    /// Whether the task had been reaped when the slot was read.
    pub(crate) fn freed(self) -> bool {
        self.0 & FREED != 0
    }
}

/// What a slot holds.
pub(crate) enum State<'g, T> {
    /// No object.
    Empty,
    /// The task has been reaped.
    Freed,
    /// The task's object.
    Holds(&'g T),
}

impl<'a, T> Slot<'a, T> {
    /// # Safety
    ///
    /// `cell` is the slot of a task that stays valid for `'a`.
    pub(super) unsafe fn new(cell: &'a AtomicUsize) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            cell,
            _t: PhantomData,
        }
    }

    /// The current value, for a later [`Slot::replace`].
    pub(crate) fn seen(&self) -> Seen {
        Seen(self.cell.load(Ordering::Acquire))
    }

    /// Reads the slot as `seen` describes it.
    ///
    /// `seen` must have been read inside the read-side section `_rcu` (as
    /// [`Slot::read`] does): an object seen before may be freed already.
    fn state<'g>(&self, seen: Seen, _rcu: &'g ReadGuard) -> State<'g, T> {
        if seen.0 & FREED != 0 {
            State::Freed
        } else if seen.object() == 0 {
            State::Empty
        } else {
            // SAFETY: by the module's invariants the pointer part is a live
            // entry of its cache, freed only after a grace period that
            // starts after it left the slot; `seen` was read inside the
            // read-side section `_rcu` (the callers' contract), which stays
            // open for 'g.
            State::Holds(unsafe { (*(seen.object() as *const Entry<T>)).value_ref() })
        }
    }

    /// Reads the slot now.
    pub(crate) fn read<'g>(&self, rcu: &'g ReadGuard) -> State<'g, T> {
        self.state(self.seen(), rcu)
    }

    /// Reads the slot now, with its created-process tag.
    pub(crate) fn read_tagged<'g>(&self, rcu: &'g ReadGuard) -> (State<'g, T>, bool) {
        let seen = self.seen();
        (self.state(seen, rcu), seen.created_process())
    }

    fn retired(object: usize) -> Option<Retired<T>> {
        Some(Retired {
            ptr: NonNull::new(object as *mut Entry<T>)?,
        })
    }

    /// Swaps the object part of the slot for `new` (0 or an object's
    /// address) if it still is what `seen` says, keeping the
    /// created-process tag as it is now; returns the old object part.
    fn swap_object(&self, seen: Seen, new: usize) -> Result<usize, ()> {
        let mut cur = self.cell.load(Ordering::Acquire);
        loop {
            if cur & !CREATED_PROCESS != seen.0 & !CREATED_PROCESS {
                return Err(());
            }
            let next = new | (cur & CREATED_PROCESS);
            match self
                .cell
                .compare_exchange(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(cur & !TAGS),
                // Only the tag may have changed meanwhile; check again.
                Err(now) => cur = now,
            }
        }
    }

    /// Publishes `new` if the slot still holds what `seen` says (the
    /// created-process tag aside); returns the object it replaced, or
    /// gives `new` back.
    pub(crate) fn replace(&self, seen: Seen, new: Obj<T>) -> Result<Option<Retired<T>>, Obj<T>> {
        if seen.0 & FREED != 0 {
            return Err(new);
        }
        match self.swap_object(seen, new.ptr.as_ptr() as usize) {
            // `new` is now owned by the slot.
            Ok(old) => Ok(Self::retired(old)),
            Err(()) => Err(new),
        }
    }

    /// Empties the slot if it still holds what `seen` says (an object),
    /// keeping the created-process tag.
    pub(crate) fn clear(&self, seen: Seen) -> Option<Retired<T>> {
        if seen.0 & FREED != 0 || seen.object() == 0 {
            return None;
        }
        self.swap_object(seen, 0).ok().and_then(Self::retired)
    }

    /// Returns the slot to the state of a task the module never saw (for
    /// module unload), unless the task has been reaped; returns its object.
    pub(crate) fn reset(&self) -> Option<Retired<T>> {
        let mut cur = self.cell.load(Ordering::Acquire);
        loop {
            if cur & FREED != 0 || cur == 0 {
                return None;
            }
            match self
                .cell
                .compare_exchange(cur, 0, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Self::retired(cur & !TAGS),
                Err(now) => cur = now,
            }
        }
    }

    /// Marks the task reaped; returns its object, if any, and whether the
    /// task had created a process.
    pub(crate) fn mark_freed(&self) -> (Option<Retired<T>>, bool) {
        let old = self.cell.swap(FREED, Ordering::AcqRel);
        (Self::retired(old & !TAGS), old & CREATED_PROCESS != 0)
    }

    /// Records that the task has created a process.
    pub(crate) fn mark_created_process(&self) {
        if self.cell.load(Ordering::Relaxed) & CREATED_PROCESS == 0 {
            self.cell.fetch_or(CREATED_PROCESS, Ordering::AcqRel);
        }
    }
}
