// SPDX-License-Identifier: GPL-2.0

//! audit_contid: audit container IDs for Linux tasks.
//!
//! A container orchestrator writes a u64 to /proc/PID/containerid; the task's
//! whole thread group gets it, every task it creates afterwards inherits it,
//! and every attempt is recorded as an AUDIT_CONTAINER record.  The hook
//! series in the kernel provides the per-task slot, the proc file and the
//! call sites; this module owns the storage, the rules and the records.
//!
//! Unloading drops every ID: the module stops creating IDs, waits for the
//! hooks that are running, clears every task's slot, waits for tasks still
//! being created, unregisters and frees everything after a grace period.

use kernel::prelude::*;

mod containers;
mod contid;
// The logic is also the public API of the host crate `contid-logic`.
#[allow(unreachable_pub)]
mod logic;
mod sys;

module! {
    type: AuditContid,
    name: "audit_contid",
    author: "audit-contid developers",
    description: "Audit container IDs: /proc/PID/containerid and its audit records",
    license: "GPL",
}

struct AuditContid {
    registration: sys::hooks::Registration<contid::State>,
}

impl kernel::Module for AuditContid {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let state = KBox::pin_init(contid::State::new()?, GFP_KERNEL)?;
        let registration = sys::hooks::Registration::new(state).inspect_err(|e| {
            pr_err!("cannot register with the audit container ID hooks: {e:?}\n")
        })?;
        pr_info!("loaded\n");
        Ok(AuditContid { registration })
    }
}

impl Drop for AuditContid {
    fn drop(&mut self) {
        let state = self.registration.hooks();
        state.start_draining();
        // Tasks that were being created when draining started may still
        // carry an ID; they become visible (and are released in the next
        // round) or fail (and their exit hook frees it) within a short time.
        let mut rounds = 0u32;
        loop {
            self.registration.release_all();
            if state.live() == 0 {
                break;
            }
            rounds += 1;
            if rounds % 1000 == 0 {
                pr_warn!(
                    "still waiting for {} task(s) to release their IDs\n",
                    state.live()
                );
            }
            sys::task::sleep_a_tick();
        }
        state.forget_containers();
        // Dropping the registration unregisters the hooks, then the cache
        // waits for the objects queued for freeing and is destroyed.
        pr_info!("unloaded\n");
    }
}
