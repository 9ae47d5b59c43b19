// SPDX-License-Identifier: GPL-2.0

//! Errors that the kernel crate of 6.12 has no `code::` constant for.

use kernel::bindings;
use kernel::error::Error;

/// EOPNOTSUPP: what the proc file answers while no module serves it.
pub(crate) fn not_supported() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// ENOTUNIQ: the ID names a container elsewhere in the tree.
pub(crate) fn not_unique() -> Error {
    Error::from_errno(-(bindings::ENOTUNIQ as i32))
}
