// SPDX-License-Identifier: GPL-2.0

//! The hook series' operations table (`struct audit_contid_ops`) for any
//! type that implements [`Hooks`], and the [`Registration`] that publishes
//! it.
//!
//! The table is built at compile time from generic C trampolines that
//! turn the raw arguments into the safe wrappers of `crate::sys` and call
//! the implementation, the way the kernel crate's `block::mq`
//! `OperationsVTable` does.  The C operations carry no context pointer
//! (the hook series has room for one module), so the registered
//! implementation is published in one static, which a registration claims
//! for its whole life.

use super::audit::Fields;
use super::caps::OpenFile;
use super::task::{NewTask, TaskRef};
use crate::logic::abi;
use crate::logic::chain::Op;
use crate::logic::record::InfoSubject;
use crate::logic::value::{MAX_WRITE, UNSET};
use core::ffi::c_void;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::alloc::KBox;
use kernel::bindings;
use kernel::error::{code, from_result, Error, Result};
use kernel::ffi::{c_char, c_int, c_ulong};

// What the hook series passes on and asks for, as the public interface
// (include/audit_contid.h) says: writes of up to MAX_WRITE bytes whole,
// reads into a buffer of READ_MAX bytes.
kernel::static_assert!(bindings::AUDIT_CONTID_WRITE_MAX as usize == MAX_WRITE);
kernel::static_assert!(bindings::AUDIT_CONTID_READ_MAX as usize == abi::READ_MAX);

/// What a module registered with the hook series does.
///
/// Every operation may run concurrently with any other, on any task; each
/// says in which context it is called.  None runs once the
/// [`Registration`] has been dropped.
pub(crate) trait Hooks: Sync + Sized + 'static {
    /// `child` is being created by the current task (`thread`: with
    /// CLONE_THREAD).  Process context; an error fails the creation.
    fn task_alloc(&self, child: TaskRef<'_>, thread: bool) -> Result;

    /// `child`, being created by the current task, is about to become
    /// visible.  Called under tasklist_lock for writing, with interrupts
    /// disabled: must not sleep.  An error fails the creation, and is the
    /// last way it can fail.
    fn task_attach(&self, child: NewTask<'_>, thread: bool) -> Result;

    /// `t` is reaped, or its creation failed.  Must not sleep.
    fn task_free(&self, t: TaskRef<'_>);

    /// Called for every task by [`Registration::release_all`], under RCU:
    /// must not sleep.
    fn task_release(&self, t: TaskRef<'_>);

    /// read(2) of `t`'s /proc/PID/containerid through `file`: fills the
    /// start of `out` and returns its length.  Process context.
    fn proc_read(&self, t: TaskRef<'_>, file: OpenFile<'_>, out: &mut [u8]) -> Result<usize>;

    /// write(2) of `count` bytes at offset `pos` to `t`'s
    /// /proc/PID/containerid through `file`; `data` holds the first of
    /// them (all of them if the write is short enough).  Process context.
    fn proc_write(
        &self,
        t: TaskRef<'_>,
        file: OpenFile<'_>,
        data: &[u8],
        count: usize,
        pos: i64,
    ) -> Result<usize>;

    /// The audit container ID that `t`'s events carry, if any.  Any
    /// context: must not sleep.
    fn task_contid(&self, t: TaskRef<'_>) -> Option<u64>;

    /// Writes the fields of an AUDIT_CONTAINER_INFO record, already
    /// started, that gives `contid` as the ID of `subject`.  Any context:
    /// must not sleep.
    fn log_info(&self, fields: Fields<'_>, subject: InfoSubject, contid: u64);

    /// Whether `t` satisfies the rule `containerid OP value`.  Any
    /// context: must not sleep.
    fn task_match(&self, t: TaskRef<'_>, op: Op, value: u64) -> bool;
}

/// The registered implementation, type-erased.
///
/// # Invariants
///
/// Non-null exactly while a [`Registration<T>`] exists, from before it
/// registers its operations until after it has unregistered them; it then
/// points to that registration's `T`, and the operations registered are
/// those of `Operations<T>`.
static REGISTERED: AtomicPtr<c_void> = AtomicPtr::new(null_mut());

/// The operations table of `T` and its trampolines.
struct Operations<T>(PhantomData<T>);

impl<T: Hooks> Operations<T> {
    const OPS: bindings::audit_contid_ops = bindings::audit_contid_ops {
        task_alloc: Some(Self::task_alloc),
        task_attach: Some(Self::task_attach),
        task_free: Some(Self::task_free),
        proc_read: Some(Self::proc_read),
        proc_write: Some(Self::proc_write),
        task_release: Some(Self::task_release),
        task_contid: Some(Self::task_contid),
        log_info: Some(Self::log_info),
        task_match: Some(Self::task_match),
    };

    /// The table, with a static address.
    const fn build() -> &'static bindings::audit_contid_ops {
        &Self::OPS
    }

    /// The registered implementation.
    ///
    /// # Safety
    ///
    /// Must only be called by an operation of [`Self::OPS`] while it runs.
    unsafe fn hooks<'a>() -> &'a T {
        let p = REGISTERED.load(Ordering::Acquire).cast::<T>();
        // SAFETY: by the caller's contract the operations of `T` are
        // registered and one of them is running, so by the invariants of
        // `REGISTERED` it points to the `T` of a live `Registration<T>`,
        // which unregistration (waiting for running operations) keeps
        // alive for the call.
        unsafe { &*p }
    }

    /// # Safety
    ///
    /// Called by the hook series with a task that is being created.
    unsafe extern "C" fn task_alloc(
        tsk: *mut bindings::task_struct,
        clone_flags: c_ulong,
    ) -> c_int {
        // SAFETY: the task is valid for the duration of the hook.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return 0;
        };
        // SAFETY: called as an operation of `OPS`.
        let hooks = unsafe { Self::hooks() };
        from_result(|| hooks.task_alloc(tsk, is_thread(clone_flags)).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the hook series under tasklist_lock (write) and siglock.
    unsafe extern "C" fn task_attach(
        tsk: *mut bindings::task_struct,
        clone_flags: c_ulong,
    ) -> c_int {
        // SAFETY: the task is valid for the duration of the hook.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return 0;
        };
        // SAFETY: the hook series calls this for a task that the current
        // task is creating, under tasklist_lock, before it is visible.
        let child = unsafe { NewTask::new(tsk) };
        // SAFETY: called as an operation of `OPS`.
        let hooks = unsafe { Self::hooks() };
        from_result(|| hooks.task_attach(child, is_thread(clone_flags)).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the hook series for a task that is reaped, or one whose
    /// creation failed.
    unsafe extern "C" fn task_free(tsk: *mut bindings::task_struct) {
        // SAFETY: the task is valid for the duration of the hook.
        if let Some(tsk) = unsafe { TaskRef::from_raw(tsk) } {
            // SAFETY: called as an operation of `OPS`.
            unsafe { Self::hooks() }.task_free(tsk);
        }
    }

    /// # Safety
    ///
    /// Called by audit_contid_release_all() under rcu_read_lock().
    unsafe extern "C" fn task_release(tsk: *mut bindings::task_struct) {
        // SAFETY: the task is valid within the RCU read-side section.
        if let Some(tsk) = unsafe { TaskRef::from_raw(tsk) } {
            // SAFETY: called as an operation of `OPS`.
            unsafe { Self::hooks() }.task_release(tsk);
        }
    }

    /// # Safety
    ///
    /// Called by the hook series with a referenced task, the open file of
    /// the read(2) and a kernel buffer of `size` bytes.
    unsafe extern "C" fn proc_read(
        tsk: *mut bindings::task_struct,
        file: *const bindings::file,
        buf: *mut c_char,
        size: usize,
    ) -> isize {
        // SAFETY: the task is referenced by the proc file for the call.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return 0;
        };
        // SAFETY: the file stays open for the read(2) that called us.
        let Some(file) = (unsafe { OpenFile::from_raw(file) }) else {
            return 0;
        };
        // SAFETY: `buf` is a kernel buffer of `size` bytes, ours for the
        // call.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), size) };
        // SAFETY: called as an operation of `OPS`.
        let hooks = unsafe { Self::hooks() };
        from_result(|| hooks.proc_read(tsk, file, out).map(ssize))
    }

    /// # Safety
    ///
    /// Called by the hook series with a referenced task, the open file of
    /// the write(2) and a kernel copy of the first `len` bytes of a write
    /// of `count` bytes at offset `pos`.
    unsafe extern "C" fn proc_write(
        tsk: *mut bindings::task_struct,
        file: *const bindings::file,
        buf: *const c_char,
        len: usize,
        count: usize,
        pos: bindings::loff_t,
    ) -> isize {
        // SAFETY: the task is referenced by the proc file for the call.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return 0;
        };
        // SAFETY: the file stays open for the write(2) that called us.
        let Some(file) = (unsafe { OpenFile::from_raw(file) }) else {
            return 0;
        };
        // SAFETY: `buf` holds `len` initialised bytes for the call.
        let data = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        // SAFETY: called as an operation of `OPS`.
        let hooks = unsafe { Self::hooks() };
        from_result(|| hooks.proc_write(tsk, file, data, count, pos).map(ssize))
    }

    /// # Safety
    ///
    /// Called by the hook series with a task that stays valid for the
    /// call, possibly in atomic context.
    unsafe extern "C" fn task_contid(tsk: *mut bindings::task_struct) -> u64 {
        // SAFETY: the task is valid for the duration of the hook.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return UNSET;
        };
        // SAFETY: called as an operation of `OPS`.
        unsafe { Self::hooks() }.task_contid(tsk).unwrap_or(UNSET)
    }

    /// # Safety
    ///
    /// Called by the hook series with an AUDIT_CONTAINER_INFO record that
    /// it started and ends after the call, possibly in atomic context.
    unsafe extern "C" fn log_info(
        ab: *mut bindings::audit_buffer,
        what: bindings::audit_contid_info,
        opid: bindings::pid_t,
        contid: u64,
    ) {
        // SAFETY: the record is being built and is ended by the caller
        // after this returns.
        let Some(fields) = (unsafe { Fields::from_raw(ab) }) else {
            return;
        };
        let subject = if what == bindings::audit_contid_info_AUDIT_CONTID_INFO_TARGET {
            InfoSubject::Target { opid }
        } else {
            InfoSubject::Task
        };
        // SAFETY: called as an operation of `OPS`.
        unsafe { Self::hooks() }.log_info(fields, subject, contid);
    }

    /// # Safety
    ///
    /// Called by the audit filter with a task that stays valid for the
    /// call, possibly in atomic context.
    unsafe extern "C" fn task_match(tsk: *mut bindings::task_struct, op: u32, val: u64) -> bool {
        // SAFETY: the task is valid for the duration of the hook.
        let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return false;
        };
        let Some(op) = rule_op(op) else {
            return false;
        };
        // SAFETY: called as an operation of `OPS`.
        unsafe { Self::hooks() }.task_match(tsk, op, val)
    }
}

/// The registration of `T`'s operations, owning `T`.  Dropping it
/// unregisters them (waiting for those that run) and then drops `T`.
///
/// # Invariants
///
/// While it exists, `ops` (the table of `Operations<T>`) is registered
/// with the hook series and [`REGISTERED`] points to `*hooks`.
pub(crate) struct Registration<T: Hooks> {
    hooks: Pin<KBox<T>>,
    ops: &'static bindings::audit_contid_ops,
}

impl<T: Hooks> Registration<T> {
    /// Publishes `hooks` and registers its operations; EBUSY if another
    /// registration exists.
    pub(crate) fn new(hooks: Pin<KBox<T>>) -> Result<Self> {
        let ptr = core::ptr::from_ref::<T>(&hooks).cast_mut().cast::<c_void>();
        if REGISTERED
            .compare_exchange(null_mut(), ptr, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(code::EBUSY);
        }
        let ops = Operations::<T>::build();
        // SAFETY: `ops` is static; `REGISTERED` points to `hooks`, whose
        // heap allocation does not move and lives as long as the
        // registration, which unregisters before dropping it.
        let ret = unsafe { bindings::audit_contid_register(ops) };
        if ret < 0 {
            REGISTERED.store(null_mut(), Ordering::Release);
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: `ops` is registered and `REGISTERED` points to
        // `*hooks`.
        Ok(Self { hooks, ops })
    }

    /// The registered implementation.
    pub(crate) fn hooks(&self) -> &T {
        &self.hooks
    }

    /// Calls [`Hooks::task_release`] for every task.
    pub(crate) fn release_all(&self) {
        // SAFETY: by the type invariants `ops` is registered; its
        // task_release is set.
        unsafe { bindings::audit_contid_release_all(self.ops) };
    }
}

impl<T: Hooks> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: by the type invariants `ops` is registered; when this
        // returns no operation is running or will run.
        unsafe { bindings::audit_contid_unregister(self.ops) };
        REGISTERED.store(null_mut(), Ordering::Release);
    }
}

/// Waits until every operation that is running has returned.
pub(crate) fn synchronize() {
    // SAFETY: may sleep; called in process context (module unload).
    unsafe { bindings::audit_contid_synchronize() };
}

fn is_thread(clone_flags: c_ulong) -> bool {
    clone_flags & bindings::CLONE_THREAD as c_ulong != 0
}

/// A byte count as read(2) and write(2) return it (never more than the
/// buffer they were given, which the kernel bounds by `MAX_RW_COUNT`).
fn ssize(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// The rule operator `op` of the audit core (`Audit_equal`, ...), or
/// `None` for one the field does not take.
fn rule_op(op: u32) -> Option<Op> {
    Some(match op {
        bindings::Audit_equal => Op::Equal,
        bindings::Audit_not_equal => Op::NotEqual,
        bindings::Audit_lt => Op::Less,
        bindings::Audit_le => Op::LessOrEqual,
        bindings::Audit_gt => Op::Greater,
        bindings::Audit_ge => Op::GreaterOrEqual,
        _ => return None,
    })
}
