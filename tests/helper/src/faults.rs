// SPDX-License-Identifier: GPL-2.0

//! Fault injection through `/proc/thread-self/fail-nth`: the kernel fails
//! the Nth fault-injectable call (here: slab allocations) of the thread
//! that armed it.

use std::fs::{File, OpenOptions};
use std::io::Error;
use std::os::unix::fs::FileExt;

/// Lets failslab fail the allocations the tests aim at: those that may
/// sleep (GFP_KERNEL) too, and without a stack trace in the kernel log
/// for every fault.
pub(crate) fn enable_failslab() -> Result<(), Error> {
    for (knob, value) in [("ignore-gfp-wait", "N"), ("verbose", "0")] {
        std::fs::write(format!("/sys/kernel/debug/failslab/{knob}"), value)?;
    }
    Ok(())
}

/// The calling thread's fail-nth file, opened once so that arming and
/// disarming it allocate nothing the count would see.
///
/// It must be used by the thread that opened it.
pub(crate) struct FailNth(File);

impl FailNth {
    pub(crate) fn open() -> Result<Self, Error> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open("/proc/thread-self/fail-nth")
            .map(Self)
    }

    /// Makes the `n`th fault-injectable call of this thread from now fail.
    pub(crate) fn arm(&self, n: u32) -> Result<(), Error> {
        self.0.write_at(n.to_string().as_bytes(), 0).map(|_| ())
    }

    /// Disarms; returns whether the fault was injected.
    pub(crate) fn disarm(&self) -> Result<bool, Error> {
        let mut buf = [0u8; 16];
        let n = self.0.read_at(&mut buf, 0)?;
        let left = std::str::from_utf8(&buf[..n])
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        self.0.write_at(b"0", 0)?;
        Ok(left == Some(0))
    }
}
