// SPDX-License-Identifier: GPL-2.0

//! Per-task audit container IDs: storage, inheritance, the set protocol and
//! its records.  Safe code on top of `crate::sys`.
//!
//! Each task's slot (`task_struct::audit_contid`) holds one of:
//! - null: no ID (the host);
//! - "exited": the task has run its exit hook; it never gets an ID again;
//! - a pointer to an immutable [`Info`], owned by the task.
//!
//! An `Info` is never modified: setting an ID swaps in new objects and frees
//! the old ones after an RCU grace period, so readers only need
//! `rcu_read_lock()`.  Setting the IDs of a thread group happens under the
//! set mutex and the tasks lock (tasklist_lock for reading); task creation
//! re-checks the creator's ID under tasklist_lock for writing (the attach
//! hook), so a thread or child created while its creator's ID changes is
//! given the new ID before anybody can see it.

use crate::logic::policy::{self, Refusal, SetFacts, TargetState};
use crate::logic::record::{self, InfoSubject, SetAttempt};
use crate::logic::value::{self, MAX_WRITE};
use crate::sys::audit::{self, Fields, Record};
use crate::sys::cache::{Cache, Gfp, Obj};
use crate::sys::caps;
use crate::sys::hooks::state;
use crate::sys::rcu::ReadGuard;
use crate::sys::slot::{Slot, State as SlotState};
use crate::sys::task::{self, TaskRef, TasksLock};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::error::{code, Error, Result};
use kernel::prelude::*;
use kernel::sync::Mutex;

/// The audit information the module keeps for a task that has an ID.
///
/// `loginuid` and `sessionid` are the audit identity (auid and ses) of the
/// task that set this ID, copied unchanged into every descendant: they say
/// on whose behalf the container was created.  They are not the task's own
/// loginuid/sessionid, which the kernel keeps in `task_struct`.
#[derive(Clone, Copy)]
pub(crate) struct Info {
    contid: u64,
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

fn slot(t: TaskRef<'_>) -> Slot<'_, Info> {
    t.slot()
}

/// What the module needs while it is loaded.
#[pin_data]
pub(crate) struct State {
    cache: Cache<Info>,
    #[pin]
    set_lock: Mutex<()>,
    /// The module is being unloaded: no new IDs, no reads or writes.
    draining: AtomicBool,
    /// The last version handed out.
    versions: AtomicU64,
}

impl State {
    /// The state's initialiser.
    pub(crate) fn new() -> Result<impl PinInit<Self, Error>> {
        let cache = Cache::new(kernel::c_str!("audit_task_info"))?;
        Ok(try_pin_init!(State {
            cache,
            set_lock <- kernel::new_mutex!(()),
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
}

/// The audit container ID of `t`, if it has one.
pub(crate) fn contid_of(t: TaskRef<'_>) -> Option<u64> {
    info_of(t).map(|i| i.contid)
}

/// Writes the fields of an AUDIT_CONTAINER_INFO record that gives
/// `contid` as the ID of `subject`.  Runs in whatever context the event
/// is logged in: formats into a stack buffer, never sleeps.
pub(crate) fn log_info(mut fields: Fields<'_>, subject: InfoSubject, contid: u64) {
    fields.append(record::info_record(subject, contid).as_bytes_with_nul());
}

fn info_of(t: TaskRef<'_>) -> Option<Info> {
    let rcu = ReadGuard::new();
    match slot(t).read(&rcu) {
        SlotState::Holds(i) => Some(*i),
        SlotState::Empty | SlotState::Exited => None,
    }
}

fn copy_for_child(i: &Info, thread: bool) -> Info {
    Info {
        // A new thread belongs to the group whose ID was set; a new
        // process only inherits.
        set_here: thread && i.set_here,
        ..*i
    }
}

/// Task creation, in process context: the child inherits its creator's ID.
pub(crate) fn task_alloc(child: TaskRef<'_>, thread: bool) -> Result {
    let st = state();
    if st.draining() {
        return Ok(());
    }
    let Some(parent) = info_of(task::current()) else {
        return Ok(());
    };
    // A child must never escape its container: failing the fork is the
    // only safe answer to an allocation failure.
    let obj = st
        .cache
        .alloc(copy_for_child(&parent, thread), Gfp::Kernel)
        .ok_or(code::ENOMEM)?;
    publish_in_new_task(st, child, obj);
    Ok(())
}

/// Puts `obj` in the slot of a task that nobody else can see yet.
fn publish_in_new_task(st: &State, t: TaskRef<'_>, obj: Obj<Info>) {
    let s = slot(t);
    match s.replace(s.seen(), obj) {
        Ok(Some(old)) => st.cache.retire(old),
        Ok(None) => {}
        // Nobody else writes the slot of a task that is not visible.
        Err(obj) => st.cache.free(obj),
    }
}

/// Just before the child becomes visible (tasklist_lock held for writing):
/// if the creator's ID changed since `task_alloc` copied it, give the child
/// the new one.  Must not sleep.
pub(crate) fn task_attach(child: TaskRef<'_>, thread: bool) -> Result {
    let st = state();
    let s = slot(child);
    if st.draining() {
        if let Some(old) = s.clear(s.seen()) {
            st.cache.retire(old);
        }
        return Ok(());
    }
    // Writers change slots only under tasklist_lock for reading, which is
    // excluded now: the creator's object is stable.
    let creator = info_of(task::current());
    let mine = info_of(child);
    if creator.map(|i| i.version) == mine.map(|i| i.version) {
        return Ok(());
    }
    match creator {
        Some(i) => {
            let obj = st
                .cache
                .alloc(copy_for_child(&i, thread), Gfp::Atomic)
                .ok_or(code::ENOMEM)?;
            publish_in_new_task(st, child, obj);
        }
        None => {
            if let Some(old) = s.clear(s.seen()) {
                st.cache.retire(old);
            }
        }
    }
    Ok(())
}

/// Task exit (after its last audit record) or failed creation.
pub(crate) fn task_exit(t: TaskRef<'_>) {
    if let Some(old) = slot(t).mark_exited() {
        state().cache.retire(old);
    }
}

/// Module unload: drop the task's ID.
pub(crate) fn task_release(t: TaskRef<'_>) {
    let s = slot(t);
    if let Some(old) = s.clear(s.seen()) {
        state().cache.retire(old);
    }
}

fn writer_capable() -> bool {
    caps::audit_control()
}

/// read(2) of /proc/PID/containerid.
pub(crate) fn proc_read(t: TaskRef<'_>, out: &mut [u8]) -> Result<usize> {
    let st = state();
    if st.draining() {
        return Err(not_loaded());
    }
    if !policy::may_read(writer_capable()) {
        return Err(code::EPERM);
    }
    let text = record::proc_value(contid_of(t));
    let text = text.as_bytes();
    let room = out.get_mut(..text.len()).ok_or(code::EINVAL)?;
    room.copy_from_slice(text);
    Ok(text.len())
}

/// The error of a module that is going away, as if it were not loaded.
fn not_loaded() -> Error {
    Error::from_errno(-(kernel::bindings::EOPNOTSUPP as i32))
}

/// What a set attempt did, for its record.
struct Outcome {
    old: u64,
    result: Result,
}

/// write(2) of /proc/PID/containerid.
///
/// `data` is the start of what was written (all of it unless `count`, the
/// length of the write, exceeds [`MAX_WRITE`]); `pos` is the file offset.
pub(crate) fn proc_write(
    target: TaskRef<'_>,
    data: &[u8],
    count: usize,
    pos: i64,
) -> Result<usize> {
    let st = state();
    if st.draining() {
        return Err(not_loaded());
    }
    let parsed = if pos != 0 {
        // Partial writes are refused: the value is one write.
        Err(code::EINVAL)
    } else if count > MAX_WRITE || data.len() != count {
        Err(code::EINVAL)
    } else {
        value::parse(data).map_err(|_| code::EINVAL)
    };
    let outcome = match parsed {
        Ok(id) => set(st, target, id),
        Err(e) => Outcome {
            old: contid_of(target).unwrap_or(value::UNSET),
            result: Err(e),
        },
    };
    log_set_attempt(target, parsed.ok(), &outcome);
    outcome.result?;
    Ok(count)
}

fn refusal_errno(r: Refusal) -> Error {
    match r {
        Refusal::NotCapable => code::EPERM,
        Refusal::SelfTarget => code::EACCES,
        Refusal::TargetExiting => code::ESRCH,
        Refusal::OutsideSubtree => code::EXDEV,
        Refusal::TargetHasChildren => code::EBUSY,
        Refusal::AlreadySet => code::EEXIST,
    }
}

/// Sets the ID of `target`'s whole thread group, atomically with respect
/// to task creation, exit and other writers.
fn set(st: &State, target: TaskRef<'_>, id: u64) -> Outcome {
    let writer = task::current();
    let capable = writer_capable();
    let info = Info {
        contid: id,
        loginuid: writer.loginuid(),
        sessionid: writer.sessionid(),
        version: st.next_version(),
        set_here: true,
    };
    // Objects for the threads, allocated before the spinning lock is taken;
    // if the group grew meanwhile, more are allocated and the attempt
    // repeated.
    let mut spare: KVec<Option<Obj<Info>>> = KVec::new();
    let _serialise = st.set_lock.lock();
    let outcome = loop {
        let tasks = TasksLock::lock();
        let rcu = ReadGuard::new();
        // Under the lock: a writer whose own ID was just set must see it.
        let writer_contid = contid_of(writer);
        let mut threads = 0usize;
        let mut children = false;
        let mut found = None;
        // A thread still on the list: unlike `target`, which may have been
        // reaped, its parent chain is valid under the lock.
        let mut first = None;
        for t in tasks.threads(target) {
            threads += 1;
            first = first.or(Some(t));
            children |= tasks.has_children(t);
            if found.is_none() && !t.exiting() {
                found = match slot(t).read(&rcu) {
                    SlotState::Exited => None,
                    SlotState::Empty => Some(TargetState::Unset),
                    SlotState::Holds(i) if i.set_here => Some(TargetState::Set(i.contid)),
                    SlotState::Holds(i) => Some(TargetState::Inherited(i.contid)),
                };
            }
        }
        let target_state = found.unwrap_or(TargetState::Unset);
        let old = target_state.contid().unwrap_or(value::UNSET);
        let facts = SetFacts {
            writer_capable: capable,
            target_is_writer: target.same_thread_group(writer),
            target_exiting: found.is_none() || target.group_exiting(),
            writer_contid,
            target_descends_from_writer: writer_contid.is_some()
                && first.is_some_and(|f| descends_from(&tasks, f, writer)),
            target_has_children: children,
            target: target_state,
        };
        if let Err(r) = policy::decide(&facts) {
            break Outcome {
                old,
                result: Err(refusal_errno(r)),
            };
        }
        if spare.len() < threads {
            drop(rcu);
            drop(tasks);
            if let Err(e) = fill(st, &mut spare, threads, info) {
                break Outcome {
                    old,
                    result: Err(e),
                };
            }
            continue;
        }
        let mut updated = 0usize;
        let spares = spare.as_mut_slice();
        for t in tasks.threads(target) {
            let s = slot(t);
            let seen = s.seen();
            // An exiting thread may have passed its exit hook while the
            // module was not loaded: nothing would free its object.
            if t.exiting() || matches!(s.state(seen, &rcu), SlotState::Exited) {
                continue;
            }
            let Some(new) = spares.get_mut(updated).and_then(Option::take) else {
                break;
            };
            match s.replace(seen, new) {
                Ok(old_obj) => {
                    updated += 1;
                    if let Some(o) = old_obj {
                        st.cache.retire(o);
                    }
                }
                // Fails only if the thread has just run its exit hook.
                Err(new) => spares[updated] = Some(new),
            }
        }
        drop(rcu);
        drop(tasks);
        break Outcome {
            old,
            result: if updated > 0 {
                Ok(())
            } else {
                Err(code::ESRCH)
            },
        };
    };
    // The objects that were not published.
    for o in spare.as_mut_slice().iter_mut().filter_map(Option::take) {
        st.cache.free(o);
    }
    outcome
}

/// Allocates objects holding `info` until `spare` has `n`.
fn fill(st: &State, spare: &mut KVec<Option<Obj<Info>>>, n: usize, info: Info) -> Result {
    let missing = n.saturating_sub(spare.len());
    spare
        .reserve(missing, GFP_KERNEL)
        .map_err(|_| code::ENOMEM)?;
    while spare.len() < n {
        let obj = st.cache.alloc(info, Gfp::Kernel).ok_or(code::ENOMEM)?;
        // Cannot fail: the capacity is reserved.
        let _ = spare.push(Some(obj), GFP_KERNEL);
    }
    Ok(())
}

/// Whether `thread` (a thread on its group's list) descends from
/// `writer`'s process.
fn descends_from(tasks: &TasksLock, thread: TaskRef<'_>, writer: TaskRef<'_>) -> bool {
    let mut t = tasks.real_parent(thread);
    while let Some(p) = t {
        if p.same_thread_group(writer) {
            return true;
        }
        t = tasks.real_parent(p);
    }
    false
}

fn log_set_attempt(target: TaskRef<'_>, contid: Option<u64>, outcome: &Outcome) {
    if !audit::enabled() {
        return;
    }
    let writer = task::current();
    let mut tty_buf = [0u8; 64];
    let attempt = SetAttempt {
        pid: writer.tgid(),
        uid: writer.uid(),
        auid: writer.loginuid(),
        tty: audit::current_tty_name(&mut tty_buf),
        ses: writer.sessionid(),
        opid: target.tgid(),
        old_contid: outcome.old,
        contid,
        success: outcome.result.is_ok(),
    };
    let (Ok(head), Ok(tail)) = (
        record::set_record_head(&attempt),
        record::set_record_tail(&attempt),
    ) else {
        return;
    };
    if let Some(mut r) = Record::start_in_syscall(audit::AUDIT_CONTAINER) {
        r.append(head.as_bytes_with_nul());
        r.append_task_context();
        r.append(tail.as_bytes_with_nul());
    }
}
