// SPDX-License-Identifier: GPL-2.0

//! Capability checks.

use kernel::bindings;

/// Whether the current task holds CAP_AUDIT_CONTROL in the initial user
/// namespace (capable(), which, unlike ns_capable(), a user namespace
/// cannot grant).
pub(crate) fn audit_control() -> bool {
    // SAFETY: capable() only reads the current task's credentials.
    unsafe { bindings::capable(bindings::CAP_AUDIT_CONTROL as i32) }
}
