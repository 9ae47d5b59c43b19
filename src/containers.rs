// SPDX-License-Identifier: GPL-2.0

//! Audit containers: one shared object per container (its ID and the
//! containers it is nested in), counted by the tasks that hold its ID, and
//! the registry that keeps IDs unique among the containers that exist.
//!
//! Uniqueness is what makes a nested ID trustworthy: a rule or a search
//! for ID N means one container and everything nested in it, so a
//! container that gives its own containers IDs can never file their
//! events under a container that is not nested in it.

use crate::logic::chain::Chain;
use crate::logic::record;
use crate::sys::audit::{self, Record};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use kernel::alloc::Flags;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation};
use kernel::sync::Arc;

/// One audit container.
pub(crate) struct Container {
    chain: Chain,
    outer: Option<Arc<Container>>,
    /// What keeps the container in existence: the tasks that hold its ID,
    /// the containers nested in it that exist, and writers that are about
    /// to give its ID to a task ([`Pin`]).  At zero the container has
    /// ended and never comes back; its ID may then name a new container.
    members: AtomicUsize,
    /// A task held its ID (it entered the registry): its end is logged.
    /// A container that only writers pinned (the set was refused) never
    /// existed for the audit trail.
    started: AtomicBool,
    /// The audit identity (auid, ses) of the writer that made it.
    auid: u32,
    ses: u32,
}

impl Container {
    /// The container's ID and those of the containers it is nested in.
    pub(crate) fn nesting(&self) -> &Chain {
        &self.chain
    }

    /// The container's ID.
    pub(crate) fn id(&self) -> u64 {
        self.chain.innermost()
    }

    /// Counts a new member; the caller already holds one (a task's ID, or
    /// a [`Pin`]), so the container cannot have ended.
    pub(crate) fn join(&self) {
        self.members.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a new member if the container has not ended.
    pub(crate) fn try_join(&self) -> bool {
        let mut n = self.members.load(Ordering::Relaxed);
        loop {
            if n == 0 {
                return false;
            }
            match self
                .members
                .compare_exchange_weak(n, n + 1, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
    }

    /// A member leaves; the last one ends the container, which leaves the
    /// container it is nested in.  The end of a container that a task
    /// held is logged (`op=drop`), once: only one caller takes the count
    /// from one to zero, and it never rises again.  Callable in any
    /// context.
    pub(crate) fn leave(&self) {
        let mut c = self;
        while c.members.fetch_sub(1, Ordering::AcqRel) == 1 {
            if c.started.load(Ordering::Acquire) {
                c.log_drop();
            }
            match &c.outer {
                Some(o) => c = o,
                None => break,
            }
        }
    }

    fn ended(&self) -> bool {
        self.members.load(Ordering::Acquire) == 0
    }

    /// The AUDIT_CONTAINER record of the container's end: a record of its
    /// own (no task's event is the cause), allocated without sleeping.
    fn log_drop(&self) {
        if !audit::enabled() {
            return;
        }
        let Ok(text) = record::drop_record(self.auid, self.ses, self.id(), self.chain.outer())
        else {
            return;
        };
        if let Some(mut r) = Record::start_standalone(audit::AUDIT_CONTAINER) {
            r.append(text.as_bytes_with_nul());
        }
    }
}

/// A writer's claim on a container: it exists until the claim is dropped,
/// so that the writer can give its ID to tasks.
pub(crate) struct Pin(Arc<Container>);

impl Pin {
    /// The container.
    pub(crate) fn container(&self) -> &Arc<Container> {
        &self.0
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// Where a new ID goes, as [`Registry::resolve`] finds it.
pub(crate) enum Resolved {
    /// The container exists and is nested where the writer is: the target
    /// joins it.
    Join(Pin),
    /// A new container, to be added with [`Registry::add`] once a task
    /// holds its ID.
    New(Pin, RBTreeNodeReservation<u64, Arc<Container>>),
    /// Nesting it in the writer's container would go too deep.
    TooDeep,
    /// The ID names a container nested elsewhere.
    InUse,
}

impl Resolved {
    /// The writer's claim on the container the target would join.
    pub(crate) fn pin(&self) -> Option<&Pin> {
        match self {
            Resolved::Join(p) | Resolved::New(p, _) => Some(p),
            Resolved::TooDeep | Resolved::InUse => None,
        }
    }
}

/// The containers that exist, by ID.  Only writers use it, under the set
/// mutex; containers that ended are removed when the next writer comes.
pub(crate) struct Registry {
    tree: RBTree<u64, Arc<Container>>,
}

impl Registry {
    /// An empty registry.
    pub(crate) fn new() -> Self {
        Self {
            tree: RBTree::new(),
        }
    }

    /// Removes the containers that have ended.
    pub(crate) fn sweep(&mut self) {
        let mut cursor = self.tree.cursor_front();
        while let Some(c) = cursor {
            cursor = if c.current().1.ended() {
                c.remove_current().0
            } else {
                c.move_next()
            };
        }
    }

    /// Decides which container ID `id` means for a writer in container
    /// `writer` (`None`: on the host) whose audit identity is `auid` and
    /// `ses`, and claims it.
    pub(crate) fn resolve(
        &mut self,
        id: u64,
        writer: Option<&Arc<Container>>,
        (auid, ses): (u32, u32),
        flags: Flags,
    ) -> Result<Resolved> {
        if let Some(c) = self.tree.get(&id) {
            if c.try_join() {
                let pin = Pin(c.clone());
                // Nested where the writer is, or the writer's own
                // container (its tasks are in it already).
                let same_place = match (&c.outer, writer) {
                    (None, None) => true,
                    (Some(o), Some(w)) => Arc::ptr_eq(o, w) || Arc::ptr_eq(c, w),
                    (None, Some(w)) => Arc::ptr_eq(c, w),
                    (Some(_), None) => false,
                };
                return Ok(if same_place {
                    Resolved::Join(pin)
                } else {
                    Resolved::InUse
                });
            }
        }
        let chain = match writer {
            None => Chain::top(id),
            Some(w) => match Chain::nested(id, w.nesting()) {
                Some(c) => c,
                None => return Ok(Resolved::TooDeep),
            },
        };
        let reservation = RBTreeNodeReservation::new(flags)?;
        let container = Arc::new(
            Container {
                chain,
                outer: writer.cloned(),
                // The writer's pin.
                members: AtomicUsize::new(1),
                started: AtomicBool::new(false),
                auid,
                ses,
            },
            flags,
        )?;
        // A container that exists keeps the one it is nested in.
        if let Some(w) = writer {
            w.join();
        }
        Ok(Resolved::New(Pin(container), reservation))
    }

    /// Adds a new container (resolved as [`Resolved::New`]) that a task
    /// now holds the ID of.  Cannot fail: the node was reserved.
    pub(crate) fn add(
        &mut self,
        container: &Arc<Container>,
        reservation: RBTreeNodeReservation<u64, Arc<Container>>,
    ) {
        container.started.store(true, Ordering::Release);
        let node: RBTreeNode<u64, Arc<Container>> =
            reservation.into_node(container.id(), container.clone());
        // A container of the same ID that ended is replaced.
        drop(self.tree.insert(node));
    }

    /// Forgets every container (module unload, after every task left).
    pub(crate) fn clear(&mut self) {
        self.tree = RBTree::new();
    }
}
