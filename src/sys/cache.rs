// SPDX-License-Identifier: GPL-2.0

//! A kmem_cache of objects that are published to RCU readers: an object is
//! owned ([`Obj`]) until it is published in a slot, and once taken out of a
//! slot ([`Retired`]) it is freed only after an RCU grace period.

use super::rcu;
use core::ffi::c_void;
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

/// What the cache holds: the value behind an RCU head.
#[repr(C)]
pub(crate) struct Entry<T> {
    rcu: rcu::Head,
    value: T,
}

impl<T> Entry<T> {
    pub(super) fn value_ref(&self) -> &T {
        &self.value
    }
}

/// An object that nobody else can see: its owner may read it and free it,
/// or publish it in a slot.
#[must_use = "an object must be published or given back to Cache::free"]
pub(crate) struct Obj<T> {
    pub(super) ptr: NonNull<Entry<T>>,
}

/// An object that was taken out of a slot: RCU readers may still see it,
/// so it must go back to its cache with [`Cache::retire`].
#[must_use = "a retired object must be given to Cache::retire"]
pub(crate) struct Retired<T> {
    pub(super) ptr: NonNull<Entry<T>>,
}

/// A slab cache of `T`s.  `T` must not need dropping: objects are freed
/// with kvfree after a grace period, without running destructors.
pub(crate) struct Cache<T: Copy> {
    ptr: NonNull<bindings::kmem_cache>,
    live: AtomicUsize,
    _t: PhantomData<T>,
}

// SAFETY: kmem_cache operations are thread safe; `live` is atomic.
unsafe impl<T: Copy> Send for Cache<T> {}
// SAFETY: as above.
unsafe impl<T: Copy> Sync for Cache<T> {}

impl<T: Copy> Cache<T> {
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
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            live: AtomicUsize::new(0),
            _t: PhantomData,
        })
    }

    /// Allocates an object holding `value`.
    pub(crate) fn alloc(&self, value: T, gfp: Gfp) -> Option<Obj<T>> {
        // SAFETY: the cache is valid; its objects have the size and
        // alignment of `Entry<T>`.
        let raw = unsafe { bindings::kmem_cache_alloc_noprof(self.ptr.as_ptr(), gfp.raw()) };
        let ptr = NonNull::new(raw.cast::<Entry<T>>())?;
        // SAFETY: `ptr` is a fresh allocation of the right size and alignment.
        unsafe {
            ptr.as_ptr().write(Entry {
                rcu: rcu::new_head(),
                value,
            })
        };
        self.live.fetch_add(1, Ordering::Relaxed);
        Some(Obj { ptr })
    }

    /// Frees an object that was never published.
    pub(crate) fn free(&self, obj: Obj<T>) {
        // SAFETY: `obj` is the only handle to a live entry of this cache.
        unsafe { bindings::kmem_cache_free(self.ptr.as_ptr(), obj.ptr.as_ptr().cast()) };
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Frees an object taken out of a slot, after an RCU grace period.
    /// Callable in any context.
    pub(crate) fn retire(&self, r: Retired<T>) {
        let p = r.ptr.as_ptr();
        // SAFETY: the entry is live, unreachable for new readers, and its
        // RCU head unused; kvfree() accepts slab objects of any cache, and
        // `drop` waits for pending frees before destroying the cache.
        unsafe { bindings::kvfree_call_rcu(core::ptr::addr_of_mut!((*p).rcu), p.cast::<c_void>()) };
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Objects allocated and not yet freed or retired.
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }
}

impl<T: Copy> Drop for Cache<T> {
    fn drop(&mut self) {
        // SAFETY: waits for the frees queued by `retire`; then the cache is
        // valid and, by its owner's protocol, empty.
        unsafe {
            bindings::kvfree_rcu_barrier();
            bindings::kmem_cache_destroy(self.ptr.as_ptr());
        }
    }
}
