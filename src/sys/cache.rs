// SPDX-License-Identifier: GPL-2.0

//! A kmem_cache of objects that are published to RCU readers: an object is
//! owned ([`Obj`]) until it is published in a slot, and once taken out of a
//! slot ([`Retired`]) it is dropped and freed only after an RCU grace
//! period.
//!
//! The kernel crate of Linux 6.12 has no kmem_cache abstraction, so this
//! one is written here.

use super::rcu;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::bindings;
use kernel::error::{code::ENOMEM, Result};
use kernel::str::CStr;

/// How an allocation may wait for memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gfp {
    /// May sleep (process context, no spinlock held).
    Kernel,
    /// Must not sleep (atomic context).
    Atomic,
}

impl Gfp {
    fn raw(self) -> bindings::gfp_t {
        match self {
            Gfp::Kernel => bindings::GFP_KERNEL,
            Gfp::Atomic => bindings::GFP_ATOMIC,
        }
    }
}

/// What the cache holds: the value behind an RCU head and the cache it
/// goes back to.
///
/// # Invariants
///
/// `cache` is the cache the entry was allocated from; it outlives the
/// entry (the cache waits for pending frees before it is destroyed).
#[repr(C)]
pub(crate) struct Entry<T> {
    rcu: rcu::Head,
    cache: *mut bindings::kmem_cache,
    value: T,
}

impl<T> Entry<T> {
    pub(super) fn value_ref(&self) -> &T {
        &self.value
    }
}

/// An object that nobody else can see: its owner may read it and free it,
/// or publish it in a slot.
///
/// # Invariants
///
/// `ptr` is a live entry of a [`Cache`] that no slot holds and no other
/// handle names.
#[must_use = "an object must be published or given back to Cache::free"]
pub(crate) struct Obj<T> {
    pub(super) ptr: NonNull<Entry<T>>,
}

impl<T> Obj<T> {
    /// The object's value.
    pub(crate) fn value(&self) -> &T {
        // SAFETY: by the type invariant the entry is live and ours.
        unsafe { self.ptr.as_ref().value_ref() }
    }
}

/// An object that was taken out of a slot: RCU readers may still see it,
/// so it must go back to its cache with [`Cache::retire`].
///
/// # Invariants
///
/// `ptr` is a live entry of a [`Cache`] that no slot holds any more; only
/// RCU readers that started before it left its slot may still see it.
#[must_use = "a retired object must be given to Cache::retire"]
pub(crate) struct Retired<T> {
    pub(super) ptr: NonNull<Entry<T>>,
}

impl<T> Retired<T> {
    /// The object's value, which is still intact.
    pub(crate) fn value(&self) -> &T {
        // SAFETY: by the type invariant the entry is live; it is dropped
        // only after `Cache::retire` and a grace period.
        unsafe { self.ptr.as_ref().value_ref() }
    }
}

/// A slab cache of `T`s, dropped in place before they are freed.
///
/// # Invariants
///
/// `ptr` is a kmem_cache whose objects have the size and alignment of
/// `Entry<T>`; `live` counts the entries allocated and not yet freed or
/// retired.
pub(crate) struct Cache<T: Send + Sync> {
    ptr: NonNull<bindings::kmem_cache>,
    live: AtomicUsize,
    _t: PhantomData<T>,
}

// SAFETY: kmem_cache operations are thread safe, `live` is atomic, and the
// values are `Send + Sync`.
unsafe impl<T: Send + Sync> Send for Cache<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Cache<T> {}

/// Drops and frees a retired entry once its grace period has ended.
///
/// # Safety
///
/// Called by RCU for the `rcu` head of an `Entry<T>` that `Cache::retire`
/// queued.
unsafe extern "C" fn free_after_grace_period<T>(head: *mut rcu::Head) {
    let entry = head.cast::<Entry<T>>();
    // SAFETY: `rcu` is the entry's first field (repr(C)), so `head` is the
    // entry; no reader can see it any more, and by the type invariant of
    // `Entry` its cache is still alive.
    unsafe {
        core::ptr::drop_in_place(core::ptr::addr_of_mut!((*entry).value));
        bindings::kmem_cache_free((*entry).cache, entry.cast());
    }
}

impl<T: Send + Sync> Cache<T> {
    /// Creates the cache, named `name` in /proc/slabinfo.
    pub(crate) fn new(name: &'static CStr) -> Result<Self> {
        let size = u32::try_from(core::mem::size_of::<Entry<T>>()).map_err(|_| ENOMEM)?;
        let align = u32::try_from(core::mem::align_of::<Entry<T>>()).map_err(|_| ENOMEM)?;
        // SAFETY: kmem_cache_args is a plain C struct of integers and
        // nullable pointers, for which all zeroes is the documented default.
        let mut args: bindings::kmem_cache_args = unsafe { core::mem::zeroed() };
        args.align = align;
        // SAFETY: `name` is a static NUL-terminated string that outlives the
        // cache, `args` is valid for the call.
        let ptr =
            unsafe { bindings::__kmem_cache_create_args(name.as_char_ptr(), size, &mut args, 0) };
        // INVARIANT: the cache's objects have the size and alignment of
        // `Entry<T>`, and none is allocated yet.
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            live: AtomicUsize::new(0),
            _t: PhantomData,
        })
    }

    /// Allocates an object holding `value`; gives `value` back if there is
    /// no memory.
    pub(crate) fn alloc(&self, value: T, gfp: Gfp) -> core::result::Result<Obj<T>, T> {
        // SAFETY: by the type invariant the cache is valid.
        let raw = unsafe { bindings::kmem_cache_alloc_noprof(self.ptr.as_ptr(), gfp.raw()) };
        let Some(ptr) = NonNull::new(raw.cast::<Entry<T>>()) else {
            return Err(value);
        };
        // SAFETY: `ptr` is a fresh allocation with the size and alignment of
        // `Entry<T>` (type invariant).
        unsafe {
            ptr.as_ptr().write(Entry {
                rcu: rcu::new_head(),
                cache: self.ptr.as_ptr(),
                value,
            })
        };
        self.live.fetch_add(1, Ordering::Relaxed);
        // INVARIANT: the entry is new: nobody else names it.
        Ok(Obj { ptr })
    }

    /// Drops and frees an object that was never published.
    pub(crate) fn free(&self, obj: Obj<T>) {
        let p = obj.ptr.as_ptr();
        // SAFETY: by the type invariant of `Obj` this is the only handle to
        // a live entry of this cache, which no reader can see.
        unsafe {
            core::ptr::drop_in_place(core::ptr::addr_of_mut!((*p).value));
            bindings::kmem_cache_free(self.ptr.as_ptr(), p.cast());
        }
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Drops and frees an object taken out of a slot after an RCU grace
    /// period.  Callable in any context.
    pub(crate) fn retire(&self, r: Retired<T>) {
        let p = r.ptr.as_ptr();
        // SAFETY: by the type invariant of `Retired` the entry is live and
        // unreachable for new readers, and its RCU head is unused; `drop`
        // waits for the callback before the cache (and this module) go.
        unsafe {
            bindings::call_rcu(
                core::ptr::addr_of_mut!((*p).rcu),
                Some(free_after_grace_period::<T>),
            )
        };
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Objects allocated and not yet freed or retired.
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }
}

impl<T: Send + Sync> Drop for Cache<T> {
    fn drop(&mut self) {
        // SAFETY: rcu_barrier() waits for the callbacks queued by `retire`;
        // then the cache is valid and, by its owner's protocol, empty.
        unsafe {
            bindings::rcu_barrier();
            bindings::kmem_cache_destroy(self.ptr.as_ptr());
        }
    }
}
