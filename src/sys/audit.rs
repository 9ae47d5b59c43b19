// SPDX-License-Identifier: GPL-2.0

//! Emitting audit records through the kernel's audit API, so that
//! backlog limits, rate limits, lost accounting and the failure mode apply
//! to them as to every other record.

use crate::logic::abi;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::bindings;

// The kernel's headers and the public interface (include/audit_contid.h)
// give the same numbers.
kernel::static_assert!(bindings::AUDIT_CONTAINER == abi::AUDIT_CONTAINER);
kernel::static_assert!(bindings::AUDIT_CONTAINER_INFO == abi::AUDIT_CONTAINER_INFO);
kernel::static_assert!(bindings::AUDIT_CONTAINERID == abi::AUDIT_CONTAINERID);
kernel::static_assert!(
    bindings::AUDIT_FEATURE_BITMAP_CONTAINERID == abi::AUDIT_FEATURE_BITMAP_CONTAINERID
);

/// AUDIT_CONTAINER: an attempt to set a task's audit container ID.
pub(crate) const AUDIT_CONTAINER: i32 = abi::AUDIT_CONTAINER as i32;

/// Whether auditing is enabled at all (`auditctl -e`).
pub(crate) fn enabled() -> bool {
    // SAFETY: audit_enabled is a plain integer that the audit core updates
    // with single stores; a racy read is how the core itself reads it.
    unsafe { core::ptr::read_volatile(&raw const bindings::audit_enabled) != 0 }
}

/// A record being built; it is sent when dropped.
///
/// # Invariants
///
/// `ab` was returned by audit_log_start() and has not been ended; the
/// value ends it, once.
#[must_use = "the record is sent when it is dropped"]
pub(crate) struct Record {
    ab: NonNull<bindings::audit_buffer>,
}

impl Record {
    /// Starts a record of type `msg_type` in the current task's audit
    /// context (so that it shares the serial of the task's syscall
    /// event), allocating with GFP_KERNEL.  `None` if the record is
    /// filtered out or lost (the audit core counts losses).
    pub(crate) fn start_in_syscall(msg_type: i32) -> Option<Self> {
        // SAFETY: called in process context of the current task, which may
        // sleep for the allocation.
        let ab = unsafe {
            bindings::audit_log_start(bindings::audit_context(), bindings::GFP_KERNEL, msg_type)
        };
        // INVARIANT: a non-NULL `ab` is a record just started.
        Some(Record {
            ab: NonNull::new(ab)?,
        })
    }

    /// Starts a record of type `msg_type` that belongs to no task's event
    /// (a serial of its own), allocating without sleeping: callable in any
    /// context but NMI.  `None` if the record is filtered out or lost.
    pub(crate) fn start_standalone(msg_type: i32) -> Option<Self> {
        // SAFETY: audit_log_start() with no context and GFP_ATOMIC neither
        // sleeps nor needs a task's audit context; the audit core calls it
        // so from softirq (netfilter) and with spinlocks held.
        let ab = unsafe {
            bindings::audit_log_start(core::ptr::null_mut(), bindings::GFP_ATOMIC, msg_type)
        };
        // INVARIANT: a non-NULL `ab` is a record just started.
        Some(Record {
            ab: NonNull::new(ab)?,
        })
    }

    /// Appends text, which must be NUL-terminated and contain no other NUL.
    pub(crate) fn append(&mut self, text_with_nul: &[u8]) {
        append(self.ab, text_with_nul);
    }

    /// Appends the current task's LSM context as ` subj=...`, if any.
    pub(crate) fn append_task_context(&mut self) {
        // SAFETY: the buffer is valid; the function reads the current
        // task's credentials.
        unsafe { bindings::audit_log_task_context(self.ab.as_ptr()) };
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        // SAFETY: by the type invariants the buffer came from
        // audit_log_start() and is ended here, once.
        unsafe { bindings::audit_log_end(self.ab.as_ptr()) };
    }
}

/// The fields of a record that the audit core started and will end.
///
/// # Invariants
///
/// `ab` is a record that was started and is not ended for `'a`.
pub(crate) struct Fields<'a> {
    ab: NonNull<bindings::audit_buffer>,
    _record: PhantomData<&'a mut bindings::audit_buffer>,
}

impl<'a> Fields<'a> {
    /// Wraps a record handed to the module by the hook series.
    ///
    /// # Safety
    ///
    /// `ab` is NULL or a record that was started and is not ended while
    /// the returned value lives.
    pub(crate) unsafe fn from_raw(ab: *mut bindings::audit_buffer) -> Option<Self> {
        // INVARIANT: guaranteed by the caller.
        Some(Self {
            ab: NonNull::new(ab)?,
            _record: PhantomData,
        })
    }

    /// Appends text, which must be NUL-terminated and contain no other NUL.
    pub(crate) fn append(&mut self, text_with_nul: &[u8]) {
        append(self.ab, text_with_nul);
    }

    /// Starts an AUDIT_CONTAINER_INFO record that joins this record's
    /// event; `None` if it could not be allocated.  Any context.
    pub(crate) fn start_info(&self) -> Option<Companion<'a>> {
        // SAFETY: by the type invariants the record is being built; the
        // call allocates as the record did (never sleeping in atomic
        // context).
        let ab = unsafe { bindings::audit_contid_start_info(self.ab.as_ptr()) };
        // INVARIANT: a non-NULL `ab` is a companion just started.
        Some(Companion {
            ab: NonNull::new(ab)?,
            _related: PhantomData,
        })
    }
}

/// A companion record started for the record of a [`Fields`], which the hook series
/// ends with it once it is handed back with [`Companion::into_raw`].
///
/// # Invariants
///
/// `ab` was returned by audit_contid_start_info() and has not been ended.
#[must_use = "a companion is ended with its related record once handed back"]
pub(crate) struct Companion<'a> {
    ab: NonNull<bindings::audit_buffer>,
    _related: PhantomData<&'a mut bindings::audit_buffer>,
}

impl Companion<'_> {
    /// Appends text, which must be NUL-terminated and contain no other NUL.
    pub(crate) fn append(&mut self, text_with_nul: &[u8]) {
        append(self.ab, text_with_nul);
    }

    /// The record, for the hook series to end with its related one.
    pub(crate) fn into_raw(self) -> *mut bindings::audit_buffer {
        let this = core::mem::ManuallyDrop::new(self);
        this.ab.as_ptr()
    }
}

impl Drop for Companion<'_> {
    fn drop(&mut self) {
        // A companion that is not handed back is sent on its own.
        // SAFETY: by the type invariants the record has not been ended; it
        // is ended here, once.
        unsafe { bindings::audit_log_end(self.ab.as_ptr()) };
    }
}

/// Appends `text_with_nul` to the record `ab`, which is being built; text
/// that is not one NUL-terminated string is not appended.
fn append(ab: NonNull<bindings::audit_buffer>, text_with_nul: &[u8]) {
    if text_with_nul.last() != Some(&0) || text_with_nul[..text_with_nul.len() - 1].contains(&0) {
        return;
    }
    // SAFETY: the buffer is being built (by the invariants of `Record`,
    // `Fields` and `Companion`, the only callers); the format is a static
    // "%s" and the argument a NUL-terminated string, as checked above.
    // audit_log_format() does not sleep.
    unsafe {
        bindings::audit_log_format(
            ab.as_ptr(),
            kernel::c_str!("%s").as_char_ptr(),
            text_with_nul.as_ptr(),
        )
    };
}

/// Copies the name of the current task's controlling terminal into `out`
/// and returns it, or `None` if it has none.
pub(crate) fn current_tty_name(out: &mut [u8; 64]) -> Option<&[u8]> {
    // SAFETY: audit_get_tty() returns a referenced tty or NULL; the name is
    // read while the reference is held and the reference dropped after.
    unsafe {
        let tty = bindings::audit_get_tty();
        if tty.is_null() {
            return None;
        }
        let name = kernel::str::CStr::from_char_ptr(bindings::tty_name(tty)).as_bytes();
        let n = crate::logic::text::copy_prefix(out, name);
        bindings::audit_put_tty(tty);
        Some(&out[..n])
    }
}
