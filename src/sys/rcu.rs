// SPDX-License-Identifier: GPL-2.0

//! RCU read-side sections, deferred callbacks and barriers.

use core::marker::PhantomData;
use kernel::bindings;

/// An RCU read-side critical section; ends when dropped.
///
/// # Invariants
///
/// The context that created the value is inside an RCU read-side
/// critical section that the value ends; the value is not `Send`, so it
/// ends in that context.
#[must_use = "the read-side section ends when the guard is dropped"]
pub(crate) struct ReadGuard(PhantomData<*mut ()>);

impl ReadGuard {
    /// Enters a read-side critical section.
    pub(crate) fn new() -> Self {
        // SAFETY: rcu_read_lock() can be called in any context.
        unsafe { bindings::rcu_read_lock() };
        // INVARIANT: the section was entered just now.
        ReadGuard(PhantomData)
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        // SAFETY: by the type invariants this context entered the section
        // that this value ends, once.
        unsafe { bindings::rcu_read_unlock() };
    }
}

/// The RCU head embedded in objects freed after a grace period.
pub(crate) type Head = bindings::callback_head;

/// A zeroed callback head, for a new object.
pub(crate) const fn new_head() -> Head {
    Head {
        next: core::ptr::null_mut(),
        func: None,
    }
}
