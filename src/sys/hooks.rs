// SPDX-License-Identifier: GPL-2.0

//! The operations audit_contid registers with the hook series, as C
//! trampolines into the safe code of `crate::contid`.

use super::audit::Fields;
use super::caps::OpenFile;
use super::task::TaskRef;
use crate::contid::{self, lifecycle, proc, records, State};
use crate::logic::chain::Op;
use crate::logic::record::InfoSubject;
use crate::logic::value::UNSET;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::alloc::KBox;
use kernel::bindings;
use kernel::error::{Error, Result};
use kernel::ffi::{c_char, c_int, c_ulong};

/// The operations table handed to the hook series.
struct Ops(bindings::audit_contid_ops);

// SAFETY: the table is immutable and holds only function pointers.
unsafe impl Sync for Ops {}

static OPS: Ops = Ops(bindings::audit_contid_ops {
    task_alloc: Some(task_alloc),
    task_attach: Some(task_attach),
    task_free: Some(task_free),
    proc_read: Some(proc_read),
    proc_write: Some(proc_write),
    task_release: Some(task_release),
    task_contid: Some(task_contid),
    log_info: Some(log_info),
    task_match: Some(task_match),
});

/// The module's state while the operations are registered.
static STATE: AtomicPtr<State> = AtomicPtr::new(core::ptr::null_mut());

/// The module's state, for the operations.
pub(crate) fn state() -> &'static State {
    let p = STATE.load(Ordering::Acquire);
    // SAFETY: operations run only while registered, and STATE points to the
    // state that `Registration` owns for the whole time it is registered.
    unsafe { p.as_ref() }.expect("audit_contid operation called while unregistered")
}

/// The registration of the module's operations, owning the state they use.
/// Dropping it unregisters them (waiting for those that run) and then
/// frees the state.
pub(crate) struct Registration {
    state: Pin<KBox<State>>,
}

impl Registration {
    /// Publishes `state` and registers the operations.
    pub(crate) fn new(state: Pin<KBox<State>>) -> Result<Self> {
        STATE.store(
            core::ptr::from_ref::<State>(&state).cast_mut(),
            Ordering::Release,
        );
        // SAFETY: OPS is static; the state it uses stays published until
        // the registration is dropped.
        let ret = unsafe { bindings::audit_contid_register(&OPS.0) };
        if ret < 0 {
            STATE.store(core::ptr::null_mut(), Ordering::Release);
            return Err(Error::from_errno(ret));
        }
        Ok(Self { state })
    }

    /// The state.
    pub(crate) fn state(&self) -> &State {
        &self.state
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: OPS was registered by `new`; when this returns no
        // operation is running or will run.
        unsafe { bindings::audit_contid_unregister(&OPS.0) };
        STATE.store(core::ptr::null_mut(), Ordering::Release);
    }
}

/// Waits until every operation that is running has returned.
pub(crate) fn synchronize() {
    // SAFETY: may sleep; called in process context (module unload).
    unsafe { bindings::audit_contid_synchronize() };
}

/// Calls `task_release` for every task.
pub(crate) fn release_all() {
    // SAFETY: OPS is static and its task_release is set.
    unsafe { bindings::audit_contid_release_all(&OPS.0) };
}

fn is_thread(clone_flags: c_ulong) -> bool {
    clone_flags & bindings::CLONE_THREAD as c_ulong != 0
}

fn to_ssize(r: Result<usize>) -> isize {
    match r {
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by the hook series with a task that is being created.
unsafe extern "C" fn task_alloc(tsk: *mut bindings::task_struct, clone_flags: c_ulong) -> c_int {
    // SAFETY: the task is valid for the duration of the hook.
    let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
        return 0;
    };
    match lifecycle::task_alloc(tsk, is_thread(clone_flags)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the hook series under tasklist_lock (write) and siglock.
unsafe extern "C" fn task_attach(tsk: *mut bindings::task_struct, clone_flags: c_ulong) -> c_int {
    // SAFETY: the task is valid for the duration of the hook.
    let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
        return 0;
    };
    match lifecycle::task_attach(tsk, is_thread(clone_flags)) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the hook series for a task that is reaped, or one whose
/// creation failed.
unsafe extern "C" fn task_free(tsk: *mut bindings::task_struct) {
    // SAFETY: the task is valid for the duration of the hook.
    if let Some(tsk) = unsafe { TaskRef::from_raw(tsk) } {
        lifecycle::task_free(tsk);
    }
}

/// # Safety
///
/// Called by audit_contid_release_all() under rcu_read_lock().
unsafe extern "C" fn task_release(tsk: *mut bindings::task_struct) {
    // SAFETY: the task is valid within the RCU read-side section.
    if let Some(tsk) = unsafe { TaskRef::from_raw(tsk) } {
        lifecycle::task_release(tsk);
    }
}

/// # Safety
///
/// Called by the hook series with a referenced task, the open file of the
/// read(2) and a kernel buffer of `size` bytes.
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
    // SAFETY: `buf` is a kernel buffer of `size` bytes, ours for the call.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), size) };
    to_ssize(proc::proc_read(tsk, file, out))
}

/// # Safety
///
/// Called by the hook series with a referenced task, the open file of the
/// write(2) and a kernel copy of the first `len` bytes of a write of
/// `count` bytes at offset `pos`.
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
    to_ssize(proc::proc_write(tsk, file, data, count, pos))
}

/// # Safety
///
/// Called by the hook series with a task that stays valid for the call,
/// possibly in atomic context.
unsafe extern "C" fn task_contid(tsk: *mut bindings::task_struct) -> u64 {
    // SAFETY: the task is valid for the duration of the hook.
    let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
        return UNSET;
    };
    contid::contid_of(tsk).unwrap_or(UNSET)
}

/// # Safety
///
/// Called by the hook series with an AUDIT_CONTAINER_INFO record that it
/// started and ends after the call, possibly in atomic context.
unsafe extern "C" fn log_info(
    ab: *mut bindings::audit_buffer,
    what: bindings::audit_contid_info,
    opid: bindings::pid_t,
    contid: u64,
) {
    // SAFETY: the record is being built and is ended by the caller after
    // this returns.
    let Some(fields) = (unsafe { Fields::from_raw(ab) }) else {
        return;
    };
    let subject = if what == bindings::audit_contid_info_AUDIT_CONTID_INFO_TARGET {
        InfoSubject::Target { opid }
    } else {
        InfoSubject::Task
    };
    records::log_info(fields, subject, contid);
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

/// # Safety
///
/// Called by the audit filter with a task that stays valid for the call,
/// possibly in atomic context.
unsafe extern "C" fn task_match(tsk: *mut bindings::task_struct, op: u32, val: u64) -> bool {
    // SAFETY: the task is valid for the duration of the hook.
    let Some(tsk) = (unsafe { TaskRef::from_raw(tsk) }) else {
        return false;
    };
    rule_op(op).is_some_and(|op| records::task_matches(tsk, op, val))
}
