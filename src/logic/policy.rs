// SPDX-License-Identifier: GPL-2.0

//! Who may set which task's audit container ID: the decision as a function
//! of facts that the module gathers.
//!
//! The decision has two steps.  [`decide_early`] needs nothing but the
//! writer's and the opener's credentials and fixed properties of the
//! target, so a writer without privilege is refused before the module
//! takes any lock or looks at any other task.  [`decide`] takes the facts
//! that are only stable under the module's locks.

/// What the target's audit container ID is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// No ID: the target is on the host.
    Unset,
    /// The ID was inherited from the task that created the target (or one
    /// of its ancestors); it may be overridden once.
    Inherited(u64),
    /// The ID was set on the target's thread group itself; it is final.
    Set(u64),
}

impl TargetState {
    /// The ID, or `None` for an unset one.
    pub fn contid(self) -> Option<u64> {
        match self {
            TargetState::Unset => None,
            TargetState::Inherited(id) | TargetState::Set(id) => Some(id),
        }
    }
}

/// Who is asking: the privilege of both the task doing the read(2) or
/// write(2) and the credentials the file was opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privilege {
    /// The task doing the system call holds CAP_AUDIT_CONTROL in the
    /// initial user namespace.
    pub caller_capable: bool,
    /// The file's opener held CAP_AUDIT_CONTROL in the initial user
    /// namespace (its `f_cred`): an unprivileged user who opens the file
    /// and hands it to a setuid program gains nothing.
    pub opener_capable: bool,
}

impl Privilege {
    fn sufficient(self) -> bool {
        self.caller_capable && self.opener_capable
    }
}

/// The facts a set request is first decided on; none of them needs a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlyFacts {
    /// The writer's privilege.
    pub privilege: Privilege,
    /// The target is the writer or another thread of the writer's process.
    pub target_is_writer: bool,
    /// The writer is a kernel worker (an io_uring worker doing a write
    /// that a user process submitted).
    pub writer_is_kernel_worker: bool,
    /// The target is a kernel thread or a kernel worker of a user process
    /// (io_uring, vhost).
    pub target_is_kernel_worker: bool,
}

/// The facts a set request is then decided on, gathered under the locks
/// that keep them stable until the ID is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetFacts {
    /// The target's thread group is exiting or gone.
    pub target_exiting: bool,
    /// The writer's own audit container ID, if it has one.
    pub writer_contid: Option<u64>,
    /// The target is inside the writer's container (in it, or in a
    /// container nested in it).
    pub target_inside_writer: bool,
    /// A thread of the target has children, or has created a process
    /// since the module was loaded (whether that process is still its
    /// child or not: CLONE_PARENT, reparenting).
    pub target_started_processes: bool,
    /// The target's current ID.
    pub target: TargetState,
    /// The new ID would nest deeper than
    /// [`MAX_DEPTH`](super::chain::MAX_DEPTH) containers.
    pub too_deep: bool,
    /// The ID names a container that exists elsewhere in the tree (its
    /// enclosing container is not the writer's).
    pub id_in_use_elsewhere: bool,
}

/// Why a set request is refused.  Each has its own errno (see
/// `docs/errors.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// EPERM: the writer or the file's opener lacks CAP_AUDIT_CONTROL in
    /// the initial user namespace.
    NotCapable,
    /// EACCES: a task cannot set its own ID, nor its thread group's.
    SelfTarget,
    /// ENXIO: kernel threads and kernel workers never get an ID, nor set
    /// one.
    KernelWorker,
    /// ESRCH: the target is exiting.
    TargetExiting,
    /// EXDEV: a writer inside a container may only act on tasks inside it.
    OutsideSubtree,
    /// EBUSY: the target has already started a process tree of its own.
    TargetHasChildren,
    /// EEXIST: the target's ID was set on it and cannot change.
    AlreadySet,
    /// EMLINK: containers would nest too deep.
    TooDeep,
    /// ENOTUNIQ: the ID belongs to a container elsewhere in the tree.
    IdInUse,
}

/// The first step of a set request.  The checks run in the documented
/// order, so that the errno a writer sees does not depend on facts it is
/// not entitled to.
pub fn decide_early(f: &EarlyFacts) -> Result<(), Refusal> {
    if !f.privilege.sufficient() {
        return Err(Refusal::NotCapable);
    }
    if f.target_is_writer {
        return Err(Refusal::SelfTarget);
    }
    if f.writer_is_kernel_worker || f.target_is_kernel_worker {
        return Err(Refusal::KernelWorker);
    }
    Ok(())
}

/// The second step of a set request, for one that passed
/// [`decide_early`].
pub fn decide(f: &SetFacts) -> Result<(), Refusal> {
    if f.target_exiting {
        return Err(Refusal::TargetExiting);
    }
    if f.writer_contid.is_some() && !f.target_inside_writer {
        return Err(Refusal::OutsideSubtree);
    }
    if f.target_started_processes {
        return Err(Refusal::TargetHasChildren);
    }
    if let TargetState::Set(_) = f.target {
        return Err(Refusal::AlreadySet);
    }
    if f.too_deep {
        return Err(Refusal::TooDeep);
    }
    if f.id_in_use_elsewhere {
        return Err(Refusal::IdInUse);
    }
    Ok(())
}

/// Whether a reader may see a task's ID: the same privilege as writing, so
/// that the ID does not become a general purpose container ID.
pub fn may_read(p: Privilege) -> bool {
    p.sufficient()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIVILEGED: Privilege = Privilege {
        caller_capable: true,
        opener_capable: true,
    };

    fn early() -> EarlyFacts {
        EarlyFacts {
            privilege: PRIVILEGED,
            target_is_writer: false,
            writer_is_kernel_worker: false,
            target_is_kernel_worker: false,
        }
    }

    fn allowed() -> SetFacts {
        SetFacts {
            target_exiting: false,
            writer_contid: None,
            target_inside_writer: false,
            target_started_processes: false,
            target: TargetState::Unset,
            too_deep: false,
            id_in_use_elsewhere: false,
        }
    }

    #[test]
    fn host_orchestrator_sets_any_fresh_task() {
        assert_eq!(decide_early(&early()), Ok(()));
        assert_eq!(decide(&allowed()), Ok(()));
        let f = SetFacts {
            target_inside_writer: true,
            ..allowed()
        };
        assert_eq!(decide(&f), Ok(()));
    }

    #[test]
    fn both_the_caller_and_the_opener_need_the_capability() {
        for (caller_capable, opener_capable) in [(false, true), (true, false), (false, false)] {
            let f = EarlyFacts {
                privilege: Privilege {
                    caller_capable,
                    opener_capable,
                },
                // Privilege is checked first, whatever the rest says.
                target_is_writer: true,
                writer_is_kernel_worker: true,
                target_is_kernel_worker: true,
            };
            assert_eq!(decide_early(&f), Err(Refusal::NotCapable));
        }
    }

    #[test]
    fn no_self_set() {
        let f = EarlyFacts {
            target_is_writer: true,
            target_is_kernel_worker: true,
            ..early()
        };
        assert_eq!(decide_early(&f), Err(Refusal::SelfTarget));
    }

    #[test]
    fn kernel_workers_never_get_an_id() {
        let f = EarlyFacts {
            target_is_kernel_worker: true,
            ..early()
        };
        assert_eq!(decide_early(&f), Err(Refusal::KernelWorker));
    }

    #[test]
    fn kernel_workers_never_set_one() {
        let f = EarlyFacts {
            writer_is_kernel_worker: true,
            ..early()
        };
        assert_eq!(decide_early(&f), Err(Refusal::KernelWorker));
    }

    #[test]
    fn exiting_target() {
        let f = SetFacts {
            target_exiting: true,
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::TargetExiting));
    }

    #[test]
    fn writer_in_container_only_acts_inside_it() {
        let outside = SetFacts {
            writer_contid: Some(5),
            target_inside_writer: false,
            ..allowed()
        };
        assert_eq!(decide(&outside), Err(Refusal::OutsideSubtree));
        let inside = SetFacts {
            writer_contid: Some(5),
            target_inside_writer: true,
            target: TargetState::Inherited(5),
            ..allowed()
        };
        assert_eq!(decide(&inside), Ok(()));
        // Being in a container does not lift the other rules.
        let set_child = SetFacts {
            target: TargetState::Set(6),
            ..inside
        };
        assert_eq!(decide(&set_child), Err(Refusal::AlreadySet));
    }

    #[test]
    fn target_that_started_processes_is_refused() {
        let f = SetFacts {
            target_started_processes: true,
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::TargetHasChildren));
    }

    #[test]
    fn set_once_but_inherited_may_be_overridden() {
        let inherited = SetFacts {
            target: TargetState::Inherited(9),
            ..allowed()
        };
        assert_eq!(decide(&inherited), Ok(()));
        let set = SetFacts {
            target: TargetState::Set(9),
            ..allowed()
        };
        assert_eq!(decide(&set), Err(Refusal::AlreadySet));
    }

    #[test]
    fn check_order_is_documented_order() {
        // Outside the subtree wins over children and set-once.
        let f = SetFacts {
            writer_contid: Some(1),
            target_started_processes: true,
            target: TargetState::Set(2),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::OutsideSubtree));
        // Children win over set-once.
        let f = SetFacts {
            target_started_processes: true,
            target: TargetState::Set(2),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::TargetHasChildren));
        // Exiting wins over everything of the second step.
        let f = SetFacts {
            target_exiting: true,
            writer_contid: Some(1),
            target_started_processes: true,
            target: TargetState::Set(2),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::TargetExiting));
    }

    #[test]
    fn nesting_limits_come_last() {
        let deep = SetFacts {
            too_deep: true,
            id_in_use_elsewhere: true,
            ..allowed()
        };
        assert_eq!(decide(&deep), Err(Refusal::TooDeep));
        let taken = SetFacts {
            id_in_use_elsewhere: true,
            ..allowed()
        };
        assert_eq!(decide(&taken), Err(Refusal::IdInUse));
        // A target that is set already says so first.
        let set = SetFacts {
            target: TargetState::Set(3),
            ..taken
        };
        assert_eq!(decide(&set), Err(Refusal::AlreadySet));
    }

    #[test]
    fn target_state_contid() {
        assert_eq!(TargetState::Unset.contid(), None);
        assert_eq!(TargetState::Inherited(3).contid(), Some(3));
        assert_eq!(TargetState::Set(4).contid(), Some(4));
    }

    #[test]
    fn reading_needs_the_capability_of_reader_and_opener() {
        assert!(may_read(PRIVILEGED));
        for (caller_capable, opener_capable) in [(false, true), (true, false), (false, false)] {
            assert!(!may_read(Privilege {
                caller_capable,
                opener_capable
            }));
        }
    }
}
