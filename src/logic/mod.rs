// SPDX-License-Identifier: GPL-2.0

//! The pure logic of audit_contid: parsing what is written to
//! /proc/PID/containerid, deciding whether a write is allowed, and the text
//! of the records.  Nothing here depends on the kernel, so host `cargo test`
//! runs the same code that the module runs.

pub mod abi;
pub mod chain;
pub mod netids;
pub mod policy;
pub mod record;
pub mod text;
pub mod value;
