// SPDX-License-Identifier: GPL-2.0

//! The hook series' network namespace operations (`struct
//! audit_contid_net_ops`) for any type that implements [`NetHooks`]: a
//! state object per network namespace, owned by the implementation, the
//! moves of tasks between namespaces, and the companion record of a
//! packet.  The table is built at compile time from generic trampolines,
//! like that of [`super::hooks`].

use super::audit::{Companion, Fields};
use super::task::TaskRef;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use kernel::alloc::KBox;
use kernel::bindings;
use kernel::error::{Error, Result};
use kernel::init::{InPlaceInit, PinInit};
use kernel::prelude::GFP_KERNEL;

/// A network namespace that is alive for `'a`.
///
/// # Invariants
///
/// `ptr` points to a `struct net` that stays valid for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct NetRef<'a> {
    ptr: NonNull<bindings::net>,
    _life: PhantomData<&'a bindings::net>,
}

impl NetRef<'_> {
    /// Wraps a namespace pointer.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or points to a namespace that stays valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::net) -> Option<Self> {
        // INVARIANT: guaranteed by the caller.
        Some(Self {
            ptr: NonNull::new(ptr)?,
            _life: PhantomData,
        })
    }

    /// The namespace's inode number, as `readlink /proc/PID/ns/net` shows.
    pub(crate) fn inum(self) -> u32 {
        // SAFETY: by the type invariants the namespace is valid.
        unsafe { bindings::audit_contid_net_inum(self.ptr.as_ptr()) }
    }
}

/// What a module that follows network namespaces does.
pub(crate) trait NetHooks: 'static {
    /// The implementation's state for one network namespace.
    type State: Send + Sync + 'static;

    /// The state of a new namespace (or of one that exists at
    /// registration).  Process context.
    fn net_init() -> impl PinInit<Self::State, Error>;

    /// `t` moves from the namespace of `old` to that of `new` (`None`: no
    /// namespace: `t` exits, or its creation failed and `t` is not the
    /// current task).  Called with `t`'s task lock held and interrupts
    /// disabled: must not sleep.
    fn net_switch(t: TaskRef<'_>, old: Option<&Self::State>, new: Option<&Self::State>);

    /// `related` is the record of a packet seen in the namespace whose
    /// inode number is `netns` and whose state is `state`: returns its
    /// companion record, if there is something to say.  Any context: must
    /// not sleep.
    fn log_net<'r>(related: Fields<'r>, netns: u32, state: &Self::State) -> Option<Companion<'r>>;
}

/// The operations table of `T` and its trampolines.
struct Operations<T>(PhantomData<T>);

impl<T: NetHooks> Operations<T> {
    const OPS: bindings::audit_contid_net_ops = bindings::audit_contid_net_ops {
        net_init: Some(Self::net_init),
        net_exit: Some(Self::net_exit),
        net_switch: Some(Self::net_switch),
        log_net: Some(Self::log_net),
    };

    /// The state of `net`.
    ///
    /// # Safety
    ///
    /// `T`'s operations are registered, `net` is valid for `'a` and its
    /// `net_init` has returned.
    unsafe fn state<'a>(net: *mut bindings::net) -> Option<&'a T::State> {
        if net.is_null() {
            return None;
        }
        // SAFETY: the caller guarantees that the operations are
        // registered and `net` is valid; its state is then NULL (the
        // namespace is going away) or the pointer that `Self::net_init`
        // returned, a pinned `T::State` that the hook series frees with
        // `Self::net_exit` only after the end of every operation that
        // could have found it.
        unsafe {
            bindings::audit_contid_net_data(net)
                .cast::<T::State>()
                .as_ref()
        }
    }

    /// # Safety
    ///
    /// Called by the hook series for a namespace that is being created or
    /// exists at registration, in process context.
    unsafe extern "C" fn net_init(_net: *mut bindings::net) -> *mut c_void {
        match KBox::pin_init(T::net_init(), GFP_KERNEL) {
            // SAFETY: the state is never moved out of its box: the pointer
            // is handed back to `Self::net_exit`, which drops it as a
            // pinned box.
            Ok(b) => KBox::into_raw(unsafe { Pin::into_inner_unchecked(b) }).cast::<c_void>(),
            // An ERR_PTR(): the negative errno as an address.
            Err(e) => e.to_errno() as isize as *mut c_void,
        }
    }

    /// # Safety
    ///
    /// Called by the hook series once per namespace, with the state that
    /// `Self::net_init` returned for it, when nothing uses it any more.
    unsafe extern "C" fn net_exit(_net: *mut bindings::net, data: *mut c_void) {
        // SAFETY: `data` came from `KBox::into_raw` in `Self::net_init`
        // and is dropped once, as the pinned box it was.
        drop(unsafe { Pin::new_unchecked(KBox::from_raw(data.cast::<T::State>())) });
    }

    /// # Safety
    ///
    /// Called by the hook series with task_lock(`tsk`) held, interrupts
    /// disabled, and the namespaces `old` and `new` (or NULL) alive.
    unsafe extern "C" fn net_switch(
        tsk: *mut bindings::task_struct,
        old: *mut bindings::net,
        new: *mut bindings::net,
    ) {
        // SAFETY: the task is valid for the duration of the hook.
        let Some(t) = (unsafe { TaskRef::from_raw(tsk) }) else {
            return;
        };
        // SAFETY: called as an operation of `OPS`, so registered; both
        // namespaces are alive for the call (the task still holds `old`,
        // the caller `new`).
        let (old, new) = unsafe { (Self::state(old), Self::state(new)) };
        T::net_switch(t, old, new);
    }

    /// # Safety
    ///
    /// Called by the hook series with a record it started and ends after
    /// the call, and the namespace of the packet, in any context.
    unsafe extern "C" fn log_net(
        related: *mut bindings::audit_buffer,
        net: *mut bindings::net,
    ) -> *mut bindings::audit_buffer {
        // SAFETY: the record is being built and is ended by the caller
        // after this returns.
        let Some(related) = (unsafe { Fields::from_raw(related) }) else {
            return core::ptr::null_mut();
        };
        // SAFETY: the packet's namespace is alive while it is handled.
        let Some(n) = (unsafe { NetRef::from_raw(net) }) else {
            return core::ptr::null_mut();
        };
        // SAFETY: called as an operation of `OPS`, so registered; `net` is
        // alive.
        let Some(state) = (unsafe { Self::state(net) }) else {
            return core::ptr::null_mut();
        };
        T::log_net(related, n.inum(), state).map_or(core::ptr::null_mut(), Companion::into_raw)
    }
}

/// The registration of `T`'s network namespace operations; dropping it
/// unregisters them (waiting for those that run) and drops every
/// namespace's state.
///
/// # Invariants
///
/// While it exists, the table of `Operations<T>` is registered.
pub(crate) struct NetRegistration<T: NetHooks> {
    ops: &'static bindings::audit_contid_net_ops,
    _t: PhantomData<T>,
}

impl<T: NetHooks> NetRegistration<T> {
    /// Registers `T`'s operations, which gives every namespace a state.
    pub(crate) fn new() -> Result<Self> {
        let ops: &'static bindings::audit_contid_net_ops = &Operations::<T>::OPS;
        // SAFETY: the table is static; process context.
        let ret = unsafe { bindings::audit_contid_net_register(ops) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: `ops` was registered just now.
        Ok(Self {
            ops,
            _t: PhantomData,
        })
    }

    /// The state of `net`; `None` only for a namespace that is going
    /// away, which no task uses.
    pub(crate) fn state<'a>(&'a self, net: NetRef<'a>) -> Option<&'a T::State> {
        // SAFETY: by the type invariants the operations are registered;
        // `net` is alive for 'a, and a namespace is used only once its
        // `net_init` has returned; its state lives until its `net_exit`,
        // which the hook series calls only once nothing can find it.
        unsafe { Operations::<T>::state(net.ptr.as_ptr()) }
    }
}

impl<T: NetHooks> Drop for NetRegistration<T> {
    fn drop(&mut self) {
        // SAFETY: by the type invariants `ops` is registered.
        unsafe { bindings::audit_contid_net_unregister(self.ops) };
    }
}
