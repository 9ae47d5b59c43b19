// SPDX-License-Identifier: GPL-2.0

//! The per-task slot of the hook series (`task_struct::audit_contid`), as
//! the module uses it: empty (null), exited (a marker), or an object of the
//! module's cache that the task owns.
//!
//! Invariants that make the reads sound: only this module stores objects in
//! slots, every object comes from [`Cache::alloc`], and an object leaves a
//! slot only as a [`Retired`], which is freed after an RCU grace period.

use super::cache::{Entry, Obj, Retired};
use super::rcu::ReadGuard;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};

/// The value of the slot of a task that has run its exit hook.
const EXITED: *mut c_void = 1 as *mut c_void;

/// One task's slot.
pub(crate) struct Slot<'a, T> {
    cell: &'a AtomicPtr<c_void>,
    _t: PhantomData<T>,
}

/// What a slot held when it was read; used to replace exactly that.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen(*mut c_void);

/// What a slot holds.
pub(crate) enum State<'g, T> {
    /// No object.
    Empty,
    /// The task has exited.
    Exited,
    /// The task's object.
    Holds(&'g T),
}

impl<'a, T> Slot<'a, T> {
    pub(super) fn new(cell: &'a AtomicPtr<c_void>) -> Self {
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
    pub(crate) fn state<'g>(&self, seen: Seen, _rcu: &'g ReadGuard) -> State<'g, T> {
        if seen.0.is_null() {
            State::Empty
        } else if seen.0 == EXITED {
            State::Exited
        } else {
            // SAFETY: by the module's invariants the pointer is a live entry
            // of its cache, freed only after a grace period, and `_rcu` keeps
            // the read-side section open for 'g.
            State::Holds(unsafe { (*seen.0.cast::<Entry<T>>()).value_ref() })
        }
    }

    /// Reads the slot now.
    pub(crate) fn read<'g>(&self, rcu: &'g ReadGuard) -> State<'g, T> {
        self.state(self.seen(), rcu)
    }

    fn retired(p: *mut c_void) -> Option<Retired<T>> {
        if p == EXITED {
            return None;
        }
        Some(Retired {
            ptr: NonNull::new(p.cast::<Entry<T>>())?,
        })
    }

    /// Publishes `new` if the slot still holds what `seen` says; returns
    /// the object it replaced, or gives `new` back.
    pub(crate) fn replace(&self, seen: Seen, new: Obj<T>) -> Result<Option<Retired<T>>, Obj<T>> {
        match self.cell.compare_exchange(
            seen.0,
            new.ptr.as_ptr().cast(),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // `new` is now owned by the slot.
            Ok(old) => Ok(Self::retired(old)),
            Err(_) => Err(new),
        }
    }

    /// Empties the slot if it still holds what `seen` says (an object).
    pub(crate) fn clear(&self, seen: Seen) -> Option<Retired<T>> {
        if seen.0 == EXITED || seen.0.is_null() {
            return None;
        }
        self.cell
            .compare_exchange(
                seen.0,
                core::ptr::null_mut(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .ok()
            .and_then(Self::retired)
    }

    /// Marks the task exited; returns its object, if any.
    pub(crate) fn mark_exited(&self) -> Option<Retired<T>> {
        Self::retired(self.cell.swap(EXITED, Ordering::AcqRel))
    }
}
