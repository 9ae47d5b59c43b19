// SPDX-License-Identifier: GPL-2.0

//! A task's ID from its creation to its reaping: inheritance at fork, the
//! re-check just before a new task becomes visible, the end at reaping,
//! and module unload.

use super::{slot, with_info, Info, State};
use crate::sys::cache::{Gfp, Obj};
use crate::sys::rcu::ReadGuard;
use crate::sys::task::{self, TaskRef};
use kernel::error::{code, Result};

/// A copy of a creator's object for a new task, counted as a member of
/// its container; `None` if the container has ended meanwhile (the
/// creator's ID is changing: the attach hook gives the child the new one).
fn copy_for_child(i: &Info, thread: bool) -> Option<Info> {
    if !i.container.try_join() {
        return None;
    }
    Some(Info {
        // A new thread belongs to the group whose ID was set; a new
        // process only inherits.
        set_here: thread && i.set_here,
        ..i.clone()
    })
}

/// Task creation, in process context: the child inherits its creator's ID.
/// Kernel threads and kernel workers never do.
pub(crate) fn task_alloc(st: &State, child: TaskRef<'_>, thread: bool) -> Result {
    if st.draining() {
        return Ok(());
    }
    let current = task::current();
    let creator = current.task();
    if !thread {
        // Whether or not the new process stays its child (CLONE_PARENT,
        // reparenting), the creator has started a process tree; its group
        // leader is marked too, which outlives the group's other threads.
        slot(creator).mark_created_process();
        let rcu = ReadGuard::new();
        slot(creator.group_leader(&rcu)).mark_created_process();
    }
    if child.is_kernel_worker() {
        return Ok(());
    }
    let Some(copy) = with_info(creator, |i| i.and_then(|i| copy_for_child(i, thread))) else {
        return Ok(());
    };
    // A child must never escape its container: failing the fork is the
    // only safe answer to an allocation failure.
    let obj = st.cache.alloc(copy, Gfp::Kernel).map_err(|copy| {
        copy.container.leave();
        code::ENOMEM
    })?;
    publish_in_new_task(st, child, obj);
    Ok(())
}

/// Puts `obj`, already counted by its container, in the slot of a task
/// that nobody else can see yet.
fn publish_in_new_task(st: &State, t: TaskRef<'_>, obj: Obj<Info>) {
    let s = slot(t);
    match s.replace(s.seen(), obj) {
        Ok(Some(old)) => st.retire(old),
        Ok(None) => {}
        // Nobody else writes the slot of a task that is not visible.
        Err(obj) => {
            obj.value().container.leave();
            st.cache.free(obj);
        }
    }
}

/// Just before the child becomes visible (tasklist_lock held for writing):
/// if the creator's ID changed since `task_alloc` copied it, give the child
/// the new one.  Must not sleep.
pub(crate) fn task_attach(st: &State, child: TaskRef<'_>, thread: bool) -> Result {
    let s = slot(child);
    if st.draining() {
        if let Some(old) = s.clear(s.seen()) {
            st.retire(old);
        }
        return Ok(());
    }
    if child.is_kernel_worker() {
        return Ok(());
    }
    // Writers change slots only under tasklist_lock for reading, which is
    // excluded now: the creator's object is stable, and so is its
    // container's membership.
    let creator = with_info(task::current().task(), |i| i.cloned());
    let mine = with_info(child, |i| i.map(|i| i.version));
    if creator.as_ref().map(|i| i.version) == mine {
        return Ok(());
    }
    match creator.as_ref().and_then(|i| copy_for_child(i, thread)) {
        Some(copy) => {
            let obj = st.cache.alloc(copy, Gfp::Atomic).map_err(|copy| {
                copy.container.leave();
                code::ENOMEM
            })?;
            publish_in_new_task(st, child, obj);
        }
        None => {
            if let Some(old) = s.clear(s.seen()) {
                st.retire(old);
            }
        }
    }
    Ok(())
}

/// The task is reaped (or its creation failed): its ID goes with it.  If
/// it had created a process, its group's leader keeps that fact (after an
/// exec by another thread, the leader is the thread that exec'd).
pub(crate) fn task_free(st: &State, t: TaskRef<'_>) {
    let (old, created_process) = slot(t).mark_freed();
    if let Some(old) = old {
        st.retire(old);
    }
    if created_process {
        let rcu = ReadGuard::new();
        let leader = t.group_leader(&rcu);
        if leader.as_ptr() != t.as_ptr() {
            slot(leader).mark_created_process();
        }
    }
}

/// Module unload: drop the task's ID.
pub(crate) fn task_release(st: &State, t: TaskRef<'_>) {
    if let Some(old) = slot(t).reset() {
        st.retire(old);
    }
}
