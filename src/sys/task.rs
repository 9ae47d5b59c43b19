// SPDX-License-Identifier: GPL-2.0

//! Tasks: the per-task slot of the hook series, identity, and the thread,
//! children and parent relations that are stable under the tasks lock.

use super::net::NetRef;
use super::rcu::ReadGuard;
use super::slot::Slot;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::AtomicUsize;
use kernel::bindings;

/// A task that is alive for `'a`: one passed to a hook, the current task,
/// or one reached through a [`TasksLock`] or an RCU read-side section.
///
/// # Invariants
///
/// `ptr` points to a `task_struct` that stays valid (is not freed) for
/// `'a`.
#[derive(Clone, Copy)]
pub(crate) struct TaskRef<'a> {
    ptr: NonNull<bindings::task_struct>,
    _life: PhantomData<&'a bindings::task_struct>,
}

impl<'a> TaskRef<'a> {
    /// Wraps a task pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a task that stays valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::task_struct) -> Option<Self> {
        // INVARIANT: the caller guarantees that `ptr` stays valid for 'a.
        Some(Self {
            ptr: NonNull::new(ptr)?,
            _life: PhantomData,
        })
    }

    /// The raw pointer, for C calls.
    pub(crate) fn as_ptr(self) -> *mut bindings::task_struct {
        self.ptr.as_ptr()
    }

    /// The task's audit container ID slot (`task_struct::audit_contid`).
    pub(crate) fn slot<T>(self) -> Slot<'a, T> {
        // SAFETY: by the type invariants the task is valid for 'a; the field is
        // a naturally aligned pointer that the kernel writes only before the
        // task is visible and the module only accesses atomically, so viewing
        // it as an `AtomicUsize` (same size and alignment) is sound.
        let cell = unsafe {
            let field = core::ptr::addr_of_mut!((*self.ptr.as_ptr()).audit_contid);
            AtomicUsize::from_ptr(field.cast::<usize>())
        };
        // SAFETY: `cell` is the slot of a task that is valid for 'a.
        unsafe { Slot::new(cell) }
    }

    /// The task's process ID (thread group ID) in the initial namespace.
    pub(crate) fn tgid(self) -> i32 {
        // SAFETY: by the type invariants the task is valid; `tgid` does not
        // change after creation.
        unsafe { (*self.ptr.as_ptr()).tgid }
    }

    fn signal(self) -> *mut bindings::signal_struct {
        // SAFETY: by the type invariants the task is valid; `signal` is set
        // before the task is visible and does not change until it is freed.
        unsafe { (*self.ptr.as_ptr()).signal }
    }

    /// Whether both tasks belong to the same thread group.
    pub(crate) fn same_thread_group(self, other: TaskRef<'_>) -> bool {
        self.signal() == other.signal()
    }

    /// Whether the task is a kernel thread or a worker that the kernel
    /// runs on a user process's behalf (io_uring and vhost workers):
    /// PF_KTHREAD or PF_USER_WORKER, both fixed when the task is created.
    pub(crate) fn is_kernel_worker(self) -> bool {
        // SAFETY: by the type invariants the task is valid; the two flags are
        // set by copy_process() before the task is visible and never change.
        unsafe {
            let flags = core::ptr::read_volatile(core::ptr::addr_of!((*self.ptr.as_ptr()).flags));
            flags & (bindings::PF_KTHREAD | bindings::PF_USER_WORKER) != 0
        }
    }

    /// Whether the task is a worker that the kernel runs for a user
    /// process (PF_USER_WORKER without PF_KTHREAD: io_uring and vhost
    /// workers), a thread of that process's group.
    pub(crate) fn is_user_worker(self) -> bool {
        // SAFETY: as in `is_kernel_worker`.
        unsafe {
            let flags = core::ptr::read_volatile(core::ptr::addr_of!((*self.ptr.as_ptr()).flags));
            flags & (bindings::PF_KTHREAD | bindings::PF_USER_WORKER) == bindings::PF_USER_WORKER
        }
    }

    /// Whether the task has started to exit (PF_EXITING).
    pub(crate) fn exiting(self) -> bool {
        // SAFETY: by the type invariants the task is valid; the flags are read
        // once, racily: callers treat the answer as a hint that only makes a
        // decision more conservative.
        unsafe {
            let flags = core::ptr::read_volatile(core::ptr::addr_of!((*self.ptr.as_ptr()).flags));
            flags & bindings::PF_EXITING != 0
        }
    }

    /// The leader of the task's thread group, valid for the read-side
    /// section `_rcu`.
    pub(crate) fn group_leader<'g>(self, _rcu: &'g ReadGuard) -> TaskRef<'g>
    where
        'a: 'g,
    {
        // SAFETY: `group_leader` is never NULL; it may change (exec by
        // another thread), so it is read once, and the task it names is
        // freed only after an RCU grace period (release_task() drops its
        // reference with call_rcu()), so it stays valid while `_rcu` is
        // held.
        unsafe {
            let leader =
                core::ptr::read_volatile(core::ptr::addr_of!((*self.ptr.as_ptr()).group_leader));
            TaskRef::from_raw(leader).unwrap_or(TaskRef {
                ptr: self.ptr,
                _life: PhantomData,
            })
        }
    }

    /// Whether the task's thread group has started to exit.
    pub(crate) fn group_exiting(self) -> bool {
        // SAFETY: by the type invariants the task, and so its signal_struct, is
        // valid; the flags are read once, racily: callers treat the answer as a
        // hint and rely on the exit hook for the authoritative state.
        unsafe {
            let flags = core::ptr::read_volatile(core::ptr::addr_of!((*self.signal()).flags));
            flags & bindings::SIGNAL_GROUP_EXIT != 0
        }
    }

    /// The task's real uid in the initial user namespace.
    pub(crate) fn uid(self) -> u32 {
        // SAFETY: by the type invariants the task is valid; task_uid() reads
        // its credentials under RCU.
        unsafe {
            let kuid = bindings::task_uid(self.ptr.as_ptr());
            bindings::from_kuid(&raw mut bindings::init_user_ns, kuid)
        }
    }

    /// The task's loginuid (audit uid) in the initial user namespace.
    pub(crate) fn loginuid(self) -> u32 {
        // SAFETY: by the type invariants the task is valid.
        unsafe {
            let kuid = bindings::audit_get_loginuid(self.ptr.as_ptr());
            bindings::from_kuid(&raw mut bindings::init_user_ns, kuid)
        }
    }

    /// The task's audit session ID.
    pub(crate) fn sessionid(self) -> u32 {
        // SAFETY: by the type invariants the task is valid.
        unsafe { bindings::audit_get_sessionid(self.ptr.as_ptr()) }
    }

    /// The inode numbers of the task's namespaces, in the order of the
    /// kernel's `enum audit_contid_ns`; 0 for one it no longer has.  May
    /// sleep.
    pub(crate) fn namespaces(self) -> [u32; 8] {
        kernel::static_assert!(bindings::audit_contid_ns_AUDIT_CONTID_NS_COUNT == 8);
        let mut out = [0u32; 8];
        for (which, inum) in (0..).zip(out.iter_mut()) {
            // SAFETY: by the type invariants the task is valid; the
            // function takes and drops its own reference on the namespace,
            // in process context, which is where the callers are.
            *inum = unsafe { bindings::audit_contid_task_ns(self.ptr.as_ptr(), which) };
        }
        out
    }
}

/// The current task, for as long as the value lives (see [`current`]).
///
/// # Invariants
///
/// `ptr` is the task that created the value, which is running it; the
/// value is neither `Send` nor `Sync`, so it stays with that task.
pub(crate) struct Current {
    ptr: NonNull<bindings::task_struct>,
    _not_send: PhantomData<*mut ()>,
}

impl Current {
    /// The task, for no longer than `self` is borrowed.
    pub(crate) fn task(&self) -> TaskRef<'_> {
        // SAFETY: by the type invariants `ptr` is the running task, which
        // stays valid while it runs, so for as long as it can use `self`.
        unsafe { TaskRef::from_raw(self.ptr.as_ptr()) }.expect("a NonNull pointer")
    }
}

/// The current task; like the kernel crate's `current!()`, it can only be
/// used in the scope that holds the returned value.
#[must_use]
pub(crate) fn current() -> Current {
    // SAFETY: get_current() has no preconditions.
    let ptr = unsafe { bindings::get_current() };
    // INVARIANT: `ptr` is the task running this code.
    Current {
        ptr: NonNull::new(ptr).expect("current is never NULL"),
        _not_send: PhantomData,
    }
}

impl TaskRef<'_> {
    /// Whether this is the task running the caller.
    pub(crate) fn is_current(self) -> bool {
        // SAFETY: get_current() has no preconditions.
        core::ptr::eq(self.ptr.as_ptr(), unsafe { bindings::get_current() })
    }
}

/// A task that is being created and is not yet visible to anybody else,
/// as the attach hook sees it: its namespaces are final and cannot change
/// while the hook runs.
///
/// # Invariants
///
/// `task` is being created by the current task, which holds
/// tasklist_lock for writing, and stays invisible for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct NewTask<'a> {
    task: TaskRef<'a>,
}

impl<'a> NewTask<'a> {
    /// # Safety
    ///
    /// `task` is being created by the current task and not yet visible
    /// for `'a` (the attach hook of the hook series).
    pub(crate) unsafe fn new(task: TaskRef<'a>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { task }
    }

    /// The task.
    pub(crate) fn task(self) -> TaskRef<'a> {
        self.task
    }

    /// The task's network namespace.
    pub(crate) fn net(self) -> Option<NetRef<'a>> {
        // SAFETY: by the type invariants nobody else can change the task's
        // namespaces for 'a, and the task holds a reference to them.
        unsafe { NetRef::from_raw(bindings::audit_contid_task_net(self.task.as_ptr())) }
    }
}

/// A task's namespaces held still: its task lock, with interrupts
/// disabled (the state in which the hook series reports the task's moves
/// between network namespaces).  Must not sleep while held.
///
/// # Invariants
///
/// The context that created the value holds `task`'s task lock with
/// interrupts disabled, `flags` being the interrupt state to restore;
/// the value is not `Send`, so it is released in that context.
#[must_use = "the lock is released when the guard is dropped"]
pub(crate) struct TaskLocked<'a> {
    task: TaskRef<'a>,
    flags: kernel::ffi::c_ulong,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> TaskLocked<'a> {
    /// Takes `task`'s task lock.  Nests inside the [`TasksLock`].
    pub(crate) fn lock(task: TaskRef<'a>) -> Self {
        // SAFETY: the task is valid for 'a; the lock nests inside
        // tasklist_lock, and is taken with interrupts disabled.
        let flags = unsafe { bindings::audit_contid_task_lock(task.as_ptr()) };
        // INVARIANT: taken just now, with `flags` to restore.
        Self {
            task,
            flags,
            _not_send: PhantomData,
        }
    }

    /// The task's network namespace, while the lock is held.
    pub(crate) fn net(&self) -> Option<NetRef<'_>> {
        // SAFETY: the task lock, held by `self`, keeps the task's
        // namespaces, and the task holds a reference to them.
        unsafe { NetRef::from_raw(bindings::audit_contid_task_net(self.task.as_ptr())) }
    }
}

impl Drop for TaskLocked<'_> {
    fn drop(&mut self) {
        // SAFETY: by the type invariants this context holds the lock, and
        // releases it once with the state it saved.
        unsafe { bindings::audit_contid_task_unlock(self.task.as_ptr(), self.flags) };
    }
}

/// Holds off task creation, exit and reparenting (tasklist_lock for
/// reading, taken by the hook series on the module's behalf).  Must not
/// sleep while held.
///
/// # Invariants
///
/// The context that created the value holds tasklist_lock for reading,
/// which the value releases; the value is not `Send`, so it is released
/// in that context.
#[must_use = "the lock is released when the guard is dropped"]
pub(crate) struct TasksLock(PhantomData<*mut ()>);

impl TasksLock {
    /// Takes the lock.
    pub(crate) fn lock() -> Self {
        // SAFETY: may be called in process context.
        unsafe { bindings::audit_contid_lock_tasks() };
        // INVARIANT: the lock was taken just now.
        TasksLock(PhantomData)
    }

    /// Every thread of `task`'s thread group, starting with the first.
    pub(crate) fn threads<'l>(&'l self, task: TaskRef<'l>) -> Threads<'l> {
        // SAFETY: the thread list is stable under tasklist_lock, which
        // `self` holds; the head is part of the task's signal_struct.
        let first = unsafe {
            let head = core::ptr::addr_of_mut!((*task.signal()).thread_head);
            let next = (*head).next;
            if next == head {
                core::ptr::null_mut()
            } else {
                next.cast::<u8>()
                    .sub(core::mem::offset_of!(bindings::task_struct, thread_node))
                    .cast::<bindings::task_struct>()
            }
        };
        Threads {
            // SAFETY: threads on the list are valid while the lock is held.
            next: unsafe { TaskRef::from_raw(first) },
            _lock: PhantomData,
        }
    }

    /// Whether the task has children.
    pub(crate) fn has_children(&self, task: TaskRef<'_>) -> bool {
        // SAFETY: the children list is stable under tasklist_lock.
        unsafe {
            let head = core::ptr::addr_of_mut!((*task.as_ptr()).children);
            (*head).next != head
        }
    }
}

impl Drop for TasksLock {
    fn drop(&mut self) {
        // SAFETY: by the type invariants this context holds the lock, and
        // releases it once.
        unsafe { bindings::audit_contid_unlock_tasks() };
    }
}

/// Iterator over the threads of a thread group, under a [`TasksLock`].
pub(crate) struct Threads<'l> {
    next: Option<TaskRef<'l>>,
    _lock: PhantomData<&'l TasksLock>,
}

impl<'l> Iterator for Threads<'l> {
    type Item = TaskRef<'l>;

    fn next(&mut self) -> Option<TaskRef<'l>> {
        let t = self.next?;
        // SAFETY: the thread list is stable under the lock that 'l borrows.
        self.next = unsafe { TaskRef::from_raw(bindings::__next_thread(t.as_ptr())) };
        Some(t)
    }
}

/// Sleeps for one scheduler tick.
pub(crate) fn sleep_a_tick() {
    // SAFETY: called in process context without locks held (module unload).
    unsafe { bindings::schedule_timeout_uninterruptible(1) };
}
