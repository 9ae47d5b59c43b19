// SPDX-License-Identifier: GPL-2.0

//! Which audit container IDs each network namespace's tasks have, so that
//! a packet's record can name the containers of its namespace.
//!
//! A task is counted in its network namespace under its own ID exactly
//! while it is visible, has a namespace and has an ID:
//! - the attach hook counts a new task (the last step at which its
//!   creation can fail, so a task whose creation fails was never counted);
//! - a move between namespaces (unshare, setns, exit) moves its count, in
//!   the hook series' switch hook;
//! - a set changes the ID of each thread and its count together.
//!
//! The last two hold the task's lock, so a task's ID and its namespace
//! never change apart; both, like the attach hook, run with interrupts
//! disabled, which the namespace's writer lock needs, since the attach
//! hook holds tasklist_lock for writing.  The packet path takes no lock.

use super::{with_info, Info};
use crate::logic::netids::{net_record, NetIds};
use crate::sys::audit::{Companion, Fields};
use crate::sys::net::{NetHooks, NetRegistration};
use crate::sys::task::{NewTask, TaskLocked, TaskRef};
use kernel::error::Error;
use kernel::prelude::*;
use kernel::sync::SpinLock;

/// The IDs of one network namespace's tasks.
#[pin_data]
pub(crate) struct NetState {
    /// Serialises the writers of `ids`; always taken with interrupts
    /// disabled.
    #[pin]
    writers: SpinLock<()>,
    ids: NetIds,
}

impl NetState {
    fn add(&self, id: u64) {
        let _w = self.writers.lock();
        self.ids.add(id);
    }

    fn remove(&self, id: u64) {
        let _w = self.writers.lock();
        self.ids.remove(id);
    }
}

/// The network namespace side of the module.
pub(crate) struct Follower;

/// The ID under which a task is counted: its own (kernel workers have
/// none).
fn own_contid(t: TaskRef<'_>) -> Option<u64> {
    with_info(t, |i| i.map(Info::contid))
}

impl NetHooks for Follower {
    type State = NetState;

    fn net_init() -> impl PinInit<NetState, Error> {
        try_pin_init!(NetState {
            writers <- kernel::new_spinlock!((), "audit_contid_net"),
            ids: NetIds::new(),
        })
    }

    fn net_switch(t: TaskRef<'_>, old: Option<&NetState>, new: Option<&NetState>) {
        // Another task than the current one is one whose creation failed:
        // never counted.
        if !t.is_current() {
            return;
        }
        let Some(id) = own_contid(t) else {
            return;
        };
        if let Some(old) = old {
            old.remove(id);
        }
        if let Some(new) = new {
            new.add(id);
        }
    }

    fn log_net<'r>(related: Fields<'r>, netns: u32, state: &NetState) -> Option<Companion<'r>> {
        let text = net_record(netns, &state.ids.snapshot())?;
        let mut info = related.start_info()?;
        info.append(text.as_bytes_with_nul());
        Some(info)
    }
}

/// Counts a task at the end of its attach hook, once its ID is final.
pub(crate) fn count_new_task(nets: &NetRegistration<Follower>, child: NewTask<'_>) {
    let (Some(id), Some(state)) = (
        own_contid(child.task()),
        child.net().and_then(|n| nets.state(n)),
    ) else {
        return;
    };
    state.add(id);
}

/// Moves the count of a task whose ID changes from `old` to `new`; the
/// caller holds its lock (`locked`) and changes the ID under it.
pub(crate) fn recount(
    nets: &NetRegistration<Follower>,
    locked: &TaskLocked<'_>,
    old: Option<u64>,
    new: u64,
) {
    let Some(state) = locked.net().and_then(|n| nets.state(n)) else {
        return;
    };
    if let Some(old) = old {
        state.remove(old);
    }
    state.add(new);
}
