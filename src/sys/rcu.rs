// SPDX-License-Identifier: GPL-2.0

//! RCU read-side sections, deferred callbacks and barriers.

use core::marker::PhantomData;
use kernel::bindings;

/// An RCU read-side critical section; ends when dropped.  Not `Send`: it
/// must end on the CPU context that started it.
pub(crate) struct ReadGuard(PhantomData<*mut ()>);

impl ReadGuard {
    /// Enters a read-side critical section.
    pub(crate) fn new() -> Self {
        // SAFETY: rcu_read_lock() can be called in any context; the guard
        // calls rcu_read_unlock() exactly once.
        unsafe { bindings::rcu_read_lock() };
        ReadGuard(PhantomData)
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        // SAFETY: paired with the rcu_read_lock() in `new`.
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
