// SPDX-License-Identifier: GPL-2.0

//! The only place where audit_contid touches C: small safe wrappers around
//! the kernel's task, slab, RCU and audit APIs and the hook series'
//! registration point.  Every `unsafe` block of the module lives here.

pub(crate) mod audit;
pub(crate) mod cache;
pub(crate) mod caps;
pub(crate) mod errno;
pub(crate) mod hooks;
pub(crate) mod net;
pub(crate) mod rcu;
pub(crate) mod slot;
pub(crate) mod task;
