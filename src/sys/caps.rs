// SPDX-License-Identifier: GPL-2.0

//! Capability checks: of the current task, and of the opener of a file.

use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;

/// Whether the current task holds CAP_AUDIT_CONTROL in the initial user
/// namespace (capable(), which, unlike ns_capable(), a user namespace
/// cannot grant).
pub(crate) fn audit_control() -> bool {
    // SAFETY: capable() only reads the current task's credentials.
    unsafe { bindings::capable(bindings::CAP_AUDIT_CONTROL as i32) }
}

/// An open file, as a read(2) or write(2) on it sees it.
///
/// # Invariants
///
/// `ptr` points to a `struct file` that stays open for `'a` (the file of
/// the system call that is running).
#[derive(Clone, Copy)]
pub(crate) struct OpenFile<'a> {
    ptr: NonNull<bindings::file>,
    _life: PhantomData<&'a bindings::file>,
}

impl OpenFile<'_> {
    /// Wraps the file of a read(2) or write(2).
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or points to a file that stays open for the returned
    /// value's lifetime.
    pub(crate) unsafe fn from_raw(ptr: *const bindings::file) -> Option<Self> {
        // INVARIANT: the caller guarantees the file stays open.
        Some(Self {
            ptr: NonNull::new(ptr.cast_mut())?,
            _life: PhantomData,
        })
    }

    /// Whether the credentials the file was opened with (`f_cred`) held
    /// CAP_AUDIT_CONTROL in the initial user namespace, as
    /// file_ns_capable() decides it for /proc/PID/uid_map.
    pub(crate) fn opener_has_audit_control(self) -> bool {
        // SAFETY: by the type invariant the file is open, so its f_cred
        // are valid; file_ns_capable() only reads them.
        unsafe {
            bindings::file_ns_capable(
                self.ptr.as_ptr(),
                &raw mut bindings::init_user_ns,
                bindings::CAP_AUDIT_CONTROL as i32,
            )
        }
    }
}
