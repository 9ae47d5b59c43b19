// SPDX-License-Identifier: GPL-2.0

//! Setting a thread group's ID: the decision and the protocol that
//! publishes it (docs/design.md, "The set protocol").

use super::{netns, slot, with_info, Info, State};
use crate::containers::Resolved;
use crate::logic::chain::Chain;
use crate::logic::policy::{self, EarlyFacts, Privilege, Refusal, SetFacts, TargetState};
use crate::logic::value;
use crate::sys::cache::{Gfp, Obj};
use crate::sys::errno;
use crate::sys::rcu::ReadGuard;
use crate::sys::slot::State as SlotState;
use crate::sys::task::{self, TaskLocked, TaskRef, TasksLock};
use kernel::error::{code, Error, Result};
use kernel::prelude::*;

/// What a set attempt did, for its record.
pub(crate) struct Outcome {
    /// The target's ID before the attempt.
    pub(crate) old: u64,
    /// The writer's container, where a new ID is nested (`None`: the
    /// host).
    pub(crate) writer: Option<Chain>,
    pub(crate) result: Result,
}

impl Outcome {
    /// An attempt on `target` that ended before the set mutex was taken,
    /// with `result`.
    pub(crate) fn early(target: TaskRef<'_>, result: Result) -> Self {
        Outcome {
            old: super::contid_of(target).unwrap_or(value::UNSET),
            writer: with_info(task::current().task(), |i| {
                i.map(|i| *i.container().nesting())
            }),
            result,
        }
    }
}

fn refusal_errno(r: Refusal) -> Error {
    match r {
        Refusal::NotCapable => code::EPERM,
        Refusal::SelfTarget => code::EACCES,
        Refusal::KernelWorker => code::ENXIO,
        Refusal::TargetExiting => code::ESRCH,
        Refusal::OutsideSubtree => code::EXDEV,
        Refusal::TargetHasChildren => code::EBUSY,
        Refusal::AlreadySet => code::EEXIST,
        Refusal::TooDeep => code::EMLINK,
        Refusal::IdInUse => errno::not_unique(),
    }
}

/// What the set protocol learns about the target's thread group under the
/// tasks lock.
struct Group {
    facts: SetFacts,
    /// The threads that would take the ID (kernel workers never do).
    threads: usize,
    /// The group's ID before the attempt.
    old: u64,
}

/// Sets the ID of `target`'s whole thread group, atomically with respect
/// to task creation, exit and other writers.
///
/// 1. Decide what needs no lock: a writer without privilege is refused
///    before any lock is taken or any other task is looked at.
/// 2. Under the set mutex (one writer at a time; it also guards the
///    registry of containers), resolve what the ID means where the writer
///    is: an existing container to join, a new one (nested in the
///    writer's), or a refusal; the result is pinned so it cannot end.
/// 3. Take the tasks lock, gather the facts about the target's thread
///    group ([`gather`]), decide.
/// 4. If there are more threads than spare objects, drop the tasks lock,
///    allocate (which may sleep) and go back to 3; the set mutex keeps
///    other writers out, so only the target's own thread creation and
///    exits change the answer, and each round allocates for every thread
///    seen, so the loop ends unless the group keeps growing.
/// 5. Still under the tasks lock, publish one object per thread
///    ([`publish`]).  Threads and children created meanwhile are given the
///    new ID by the attach hook, which runs under tasklist_lock for writing
///    and so before or after step 5 as a whole.  A new container enters
///    the registry.
pub(crate) fn set(st: &State, target: TaskRef<'_>, privilege: Privilege, id: u64) -> Outcome {
    let current = task::current();
    let writer = current.task();
    let early = EarlyFacts {
        privilege,
        target_is_writer: target.same_thread_group(writer),
        // An io_uring worker writing on its process's behalf: its process
        // may be in a container that it has no ID of its own to show.
        writer_is_kernel_worker: writer.is_kernel_worker(),
        target_is_kernel_worker: target.is_kernel_worker(),
    };
    if let Err(r) = policy::decide_early(&early) {
        return Outcome::early(target, Err(refusal_errno(r)));
    }
    let mut registry = st.set_lock.lock();
    // Stable now: only writers change a task's ID, and they wait for us.
    let writer_info = with_info(writer, |i| i.cloned());
    let writer_chain = writer_info.as_ref().map(|i| *i.container().nesting());
    let refused = |old, e| Outcome {
        old,
        writer: writer_chain,
        result: Err(e),
    };
    registry.sweep();
    let resolved = match registry.resolve(
        id,
        writer_info.as_ref().map(Info::container),
        (writer.loginuid(), writer.sessionid()),
        GFP_KERNEL,
    ) {
        Ok(r) => r,
        Err(_) => {
            return refused(
                super::contid_of(target).unwrap_or(value::UNSET),
                code::ENOMEM,
            )
        }
    };
    let version = st.next_version();
    let mut spare: KVec<Option<Obj<Info>>> = KVec::new();
    let outcome = loop {
        let tasks = TasksLock::lock();
        let rcu = ReadGuard::new();
        let group = gather(&tasks, &rcu, target, writer_info.as_ref(), &resolved);
        if let Err(r) = policy::decide(&group.facts) {
            break refused(group.old, refusal_errno(r));
        }
        let Some(pin) = resolved.pin() else {
            // decide() refuses both other cases.
            break refused(group.old, code::EINVAL);
        };
        if spare.len() < group.threads {
            drop(rcu);
            drop(tasks);
            let info = Info {
                container: pin.container().clone(),
                loginuid: writer.loginuid(),
                sessionid: writer.sessionid(),
                version,
                set_here: true,
            };
            if let Err(e) = fill(st, &mut spare, group.threads, &info) {
                break refused(group.old, e);
            }
            continue;
        }
        let updated = publish(st, &tasks, target, spare.as_mut_slice());
        break Outcome {
            old: group.old,
            writer: writer_chain,
            result: if updated > 0 {
                Ok(())
            } else {
                Err(code::ESRCH)
            },
        };
    };
    if outcome.result.is_ok() {
        if let Resolved::New(pin, reservation) = resolved {
            registry.add(pin.container(), reservation);
        }
    }
    // The objects that were not published.
    for o in spare.as_mut_slice().iter_mut().filter_map(Option::take) {
        st.cache.free(o);
    }
    outcome
}

/// Step 3 of the set protocol: the facts about `target`'s thread group.
fn gather(
    tasks: &TasksLock,
    rcu: &ReadGuard,
    target: TaskRef<'_>,
    writer: Option<&Info>,
    resolved: &Resolved,
) -> Group {
    let mut threads = 0usize;
    let mut started = false;
    let mut found = None;
    let mut inside_writer = false;
    let mut all_exiting = true;
    for t in tasks.threads(target) {
        let (state, created_process) = slot(t).read_tagged(rcu);
        started |= tasks.has_children(t) || created_process;
        if t.is_kernel_worker() {
            continue;
        }
        threads += 1;
        all_exiting &= t.exiting();
        if found.is_none() {
            found = match state {
                SlotState::Freed => None,
                SlotState::Empty => Some(TargetState::Unset),
                SlotState::Holds(i) => {
                    inside_writer =
                        writer.is_some_and(|w| i.container().nesting().within(w.contid()));
                    Some(if i.set_here {
                        TargetState::Set(i.contid())
                    } else {
                        TargetState::Inherited(i.contid())
                    })
                }
            };
        }
    }
    let target_state = found.unwrap_or(TargetState::Unset);
    Group {
        facts: SetFacts {
            // A group whose every thread has exited without exit_group()
            // is as gone as one that is exiting.
            target_exiting: found.is_none() || target.group_exiting() || all_exiting,
            writer_contid: writer.map(Info::contid),
            target_inside_writer: inside_writer,
            target_started_processes: started,
            target: target_state,
            too_deep: matches!(resolved, Resolved::TooDeep),
            id_in_use_elsewhere: matches!(resolved, Resolved::InUse),
        },
        threads,
        old: target_state.contid().unwrap_or(value::UNSET),
    }
}

/// Step 5 of the set protocol: gives every thread of `target`'s group (but
/// its kernel workers) one of the `spare` objects; returns how many.
fn publish(
    st: &State,
    tasks: &TasksLock,
    target: TaskRef<'_>,
    spare: &mut [Option<Obj<Info>>],
) -> usize {
    let mut updated = 0usize;
    for t in tasks.threads(target) {
        if t.is_kernel_worker() {
            continue;
        }
        // The thread's ID and its count in its network namespace change
        // together, under its lock.
        let locked = TaskLocked::lock(t);
        let s = slot(t);
        let seen = s.seen();
        // A thread on the list has not been reaped; kept for robustness.
        if seen.freed() {
            continue;
        }
        let Some(new) = spare.get_mut(updated).and_then(Option::take) else {
            break;
        };
        // The writer's pin keeps the container; the task now counts too.
        new.value().container().join();
        let new_id = new.value().contid();
        match s.replace(seen, new) {
            Ok(old_obj) => {
                updated += 1;
                let old_id = old_obj.as_ref().map(|o| o.value().contid());
                netns::recount(&st.nets, &locked, old_id, new_id);
                drop(locked);
                if let Some(o) = old_obj {
                    st.retire(o);
                }
            }
            // Only task creation and reaping change a slot's object
            // besides writers, and neither can under the tasks lock.
            Err(new) => {
                new.value().container().leave();
                spare[updated] = Some(new);
            }
        }
    }
    updated
}

/// Allocates objects holding `info` until `spare` has `n`.
fn fill(st: &State, spare: &mut KVec<Option<Obj<Info>>>, n: usize, info: &Info) -> Result {
    let missing = n.saturating_sub(spare.len());
    spare.reserve(missing, GFP_KERNEL)?;
    while spare.len() < n {
        let obj = st
            .cache
            .alloc(info.clone(), Gfp::Kernel)
            .map_err(|_| code::ENOMEM)?;
        spare.push(Some(obj), GFP_KERNEL)?;
    }
    Ok(())
}
