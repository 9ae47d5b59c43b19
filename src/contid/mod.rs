// SPDX-License-Identifier: GPL-2.0

//! Per-task audit container IDs: storage, inheritance, the set protocol and
//! its records.  Safe code on top of `crate::sys`.
//!
//! Each task's slot (`task_struct::audit_contid`) holds one of:
//! - null: no ID (the host);
//! - "freed": the task has been reaped; it never gets an ID again;
//! - a pointer to an immutable [`Info`], owned by the task;
//!
//! and a tag that says whether the task has created a process.  A task
//! keeps its object until it is reaped, so zombies, exiting tasks and a
//! process whose main thread has exited still have their ID.
//!
//! An `Info` is never modified: setting an ID swaps in new objects and frees
//! the old ones after an RCU grace period, so readers only need
//! `rcu_read_lock()`.  Every `Info` of a container refers to the one
//! shared [`Container`] object, which knows the containers it is nested
//! in and how many tasks hold its ID.
//!
//! The parts: [`lifecycle`] (task creation, reaping and module unload),
//! [`set`] (who may set what, and the protocol that publishes an ID),
//! [`proc`] (/proc/PID/containerid) and [`records`] (the records, and
//! what a `containerid` rule matches).

use crate::containers::{Container, Registry};
use crate::logic::chain::Op;
use crate::logic::record::InfoSubject;
use crate::sys::audit::Fields;
use crate::sys::cache::{Cache, Retired};
use crate::sys::caps::OpenFile;
use crate::sys::hooks::Hooks;
use crate::sys::net::NetRegistration;
use crate::sys::rcu::ReadGuard;
use crate::sys::slot::{Slot, State as SlotState};
use crate::sys::task::{NewTask, TaskRef};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::error::{Error, Result};
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

pub(crate) mod lifecycle;
pub(crate) mod netns;
pub(crate) mod proc;
pub(crate) mod records;
pub(crate) mod set;

/// The audit information the module keeps for a task that has an ID.
///
/// `loginuid` and `sessionid` are the audit identity (auid and ses) of the
/// task that set this ID, copied unchanged into every descendant: they say
/// on whose behalf the container was created.  They are not the task's own
/// loginuid/sessionid, which the kernel keeps in `task_struct`.
#[derive(Clone)]
pub(crate) struct Info {
    container: Arc<Container>,
    // Stored and inherited with the ID; no record prints them yet.
    #[allow(dead_code)]
    loginuid: u32,
    #[allow(dead_code)]
    sessionid: u32,
    /// Which set operation this ID comes from (never 0); copies made at
    /// fork keep it, so the attach hook can tell a stale copy.
    version: u64,
    /// The ID was set on this task's thread group, not inherited.
    set_here: bool,
}

impl Info {
    /// The task's container.
    pub(crate) fn container(&self) -> &Arc<Container> {
        &self.container
    }

    /// The task's audit container ID.
    pub(crate) fn contid(&self) -> u64 {
        self.container.id()
    }
}

fn slot(t: TaskRef<'_>) -> Slot<'_, Info> {
    t.slot()
}

/// What the module needs while it is loaded.
#[pin_data]
pub(crate) struct State {
    cache: Cache<Info>,
    /// Serialises writers; holds the containers that exist.
    #[pin]
    set_lock: Mutex<Registry>,
    /// The module is being unloaded: no new IDs, no reads or writes.
    draining: AtomicBool,
    /// The last version handed out.
    versions: AtomicU64,
    /// The IDs of each network namespace's tasks.  Registered before the
    /// task hooks (no task has an ID before its moves are followed) and
    /// unregistered after them.
    nets: NetRegistration<netns::Follower>,
}

impl State {
    /// The state's initialiser.
    pub(crate) fn new() -> Result<impl PinInit<Self, Error>> {
        let cache = Cache::new(kernel::c_str!("audit_task_info"))?;
        let nets = NetRegistration::new()?;
        Ok(try_pin_init!(State {
            cache,
            nets,
            set_lock <- kernel::new_mutex!(Registry::new(), "audit_contid_set"),
            draining: AtomicBool::new(false),
            versions: AtomicU64::new(0),
        }))
    }

    fn next_version(&self) -> u64 {
        self.versions.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Stops creating IDs and waits for every hook that may not know.
    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        crate::sys::hooks::synchronize();
    }

    /// Objects still allocated.
    pub(crate) fn live(&self) -> usize {
        self.cache.live()
    }

    /// Forgets every container, once no task holds an ID (unload).
    pub(crate) fn forget_containers(&self) {
        self.set_lock.lock().clear();
    }

    /// An object left a slot: its task no longer counts for its container,
    /// and it is freed after a grace period.  Callable in any context.
    fn retire(&self, old: Retired<Info>) {
        old.value().container.leave();
        self.cache.retire(old);
    }
}

/// The module's side of the hook series.
impl Hooks for State {
    fn task_alloc(&self, child: TaskRef<'_>, thread: bool) -> Result {
        lifecycle::task_alloc(self, child, thread)
    }

    fn task_attach(&self, child: NewTask<'_>, thread: bool) -> Result {
        lifecycle::task_attach(self, child.task(), thread)?;
        netns::count_new_task(&self.nets, child);
        Ok(())
    }

    fn task_free(&self, t: TaskRef<'_>) {
        lifecycle::task_free(self, t);
    }

    fn task_release(&self, t: TaskRef<'_>) {
        lifecycle::task_release(self, t);
    }

    fn proc_read(&self, t: TaskRef<'_>, file: OpenFile<'_>, out: &mut [u8]) -> Result<usize> {
        proc::proc_read(self, t, file, out)
    }

    fn proc_write(
        &self,
        t: TaskRef<'_>,
        file: OpenFile<'_>,
        data: &[u8],
        count: usize,
        pos: i64,
    ) -> Result<usize> {
        proc::proc_write(self, t, file, data, count, pos)
    }

    fn task_contid(&self, t: TaskRef<'_>) -> Option<u64> {
        contid_of(t)
    }

    fn log_info(&self, fields: Fields<'_>, subject: InfoSubject, contid: u64) {
        records::log_info(fields, subject, contid);
    }

    fn task_match(&self, t: TaskRef<'_>, op: Op, value: u64) -> bool {
        records::task_matches(t, op, value)
    }
}

/// Calls `f` with `t`'s object (`None`: no ID) under RCU.
fn with_info<R>(t: TaskRef<'_>, f: impl FnOnce(Option<&Info>) -> R) -> R {
    let rcu = ReadGuard::new();
    match slot(t).read(&rcu) {
        SlotState::Holds(i) => f(Some(i)),
        SlotState::Empty | SlotState::Freed => f(None),
    }
}

/// Calls `f` with the object of the task whose container `t`'s work
/// counts for (`None`: no ID): `t` itself, or for a kernel worker of a
/// user process (io_uring, vhost), which never has an object of its own,
/// the leader of its thread group, for whose tasks it works.
fn with_effective_info<R>(t: TaskRef<'_>, f: impl FnOnce(Option<&Info>) -> R) -> R {
    let rcu = ReadGuard::new();
    let t = if t.is_user_worker() {
        t.group_leader(&rcu)
    } else {
        t
    };
    match slot(t).read(&rcu) {
        SlotState::Holds(i) => f(Some(i)),
        SlotState::Empty | SlotState::Freed => f(None),
    }
}

/// The audit container ID that `t`'s events carry, if any.
pub(crate) fn contid_of(t: TaskRef<'_>) -> Option<u64> {
    with_effective_info(t, |i| i.map(Info::contid))
}
