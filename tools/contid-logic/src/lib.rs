// SPDX-License-Identifier: GPL-2.0

//! The audit_contid module's pure logic (`src/logic/` of the module), built
//! as a host library: the module and the userspace tools share one
//! parser, one policy and one record format, and `cargo test` runs their
//! tests on the host.

#![cfg_attr(not(test), no_std)]

#[path = "../../../src/logic/mod.rs"]
mod logic;

pub use logic::*;
