// SPDX-License-Identifier: GPL-2.0

//! Who may set which task's audit container ID: the decision as a function
//! of facts that the module gathers under its locks.

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

/// The facts a set request is decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetFacts {
    /// The writer holds CAP_AUDIT_CONTROL in the initial user namespace.
    pub writer_capable: bool,
    /// The target is the writer or another thread of the writer's process.
    pub target_is_writer: bool,
    /// The target's thread group is exiting or gone.
    pub target_exiting: bool,
    /// The writer's own audit container ID, if it has one.
    pub writer_contid: Option<u64>,
    /// The target descends from the writer's process.
    pub target_descends_from_writer: bool,
    /// A thread of the target has children.
    pub target_has_children: bool,
    /// The target's current ID.
    pub target: TargetState,
}

/// Why a set request is refused.  Each has its own errno (see
/// `docs/errors.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// EPERM: the writer lacks CAP_AUDIT_CONTROL in the initial user
    /// namespace.
    NotCapable,
    /// EACCES: a task cannot set its own ID, nor its thread group's.
    SelfTarget,
    /// ESRCH: the target is exiting.
    TargetExiting,
    /// EXDEV: a writer inside a container may only act on its descendants.
    OutsideSubtree,
    /// EBUSY: the target has already started a process tree of its own.
    TargetHasChildren,
    /// EEXIST: the target's ID was set on it and cannot change.
    AlreadySet,
}

/// Decides a set request.  The checks run in the documented order, so that
/// the errno a writer sees does not depend on facts it is not entitled to.
pub fn decide(f: &SetFacts) -> Result<(), Refusal> {
    if !f.writer_capable {
        return Err(Refusal::NotCapable);
    }
    if f.target_is_writer {
        return Err(Refusal::SelfTarget);
    }
    if f.target_exiting {
        return Err(Refusal::TargetExiting);
    }
    if f.writer_contid.is_some() && !f.target_descends_from_writer {
        return Err(Refusal::OutsideSubtree);
    }
    if f.target_has_children {
        return Err(Refusal::TargetHasChildren);
    }
    if let TargetState::Set(_) = f.target {
        return Err(Refusal::AlreadySet);
    }
    Ok(())
}

/// Whether a reader may see a task's ID: the same privilege as writing, so
/// that the ID does not become a general purpose container ID.
pub fn may_read(reader_capable: bool) -> bool {
    reader_capable
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> SetFacts {
        SetFacts {
            writer_capable: true,
            target_is_writer: false,
            target_exiting: false,
            writer_contid: None,
            target_descends_from_writer: false,
            target_has_children: false,
            target: TargetState::Unset,
        }
    }

    #[test]
    fn host_orchestrator_sets_any_fresh_task() {
        assert_eq!(decide(&allowed()), Ok(()));
        let f = SetFacts {
            target_descends_from_writer: true,
            ..allowed()
        };
        assert_eq!(decide(&f), Ok(()));
    }

    #[test]
    fn capability_is_required_first() {
        let f = SetFacts {
            writer_capable: false,
            target_is_writer: true,
            target_exiting: true,
            target_has_children: true,
            target: TargetState::Set(1),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::NotCapable));
    }

    #[test]
    fn no_self_set() {
        let f = SetFacts {
            target_is_writer: true,
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::SelfTarget));
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
    fn writer_in_container_only_acts_on_descendants() {
        let outside = SetFacts {
            writer_contid: Some(5),
            target_descends_from_writer: false,
            ..allowed()
        };
        assert_eq!(decide(&outside), Err(Refusal::OutsideSubtree));
        let inside = SetFacts {
            writer_contid: Some(5),
            target_descends_from_writer: true,
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
    fn target_with_children_is_refused() {
        let f = SetFacts {
            target_has_children: true,
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
            target_has_children: true,
            target: TargetState::Set(2),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::OutsideSubtree));
        // Children win over set-once.
        let f = SetFacts {
            target_has_children: true,
            target: TargetState::Set(2),
            ..allowed()
        };
        assert_eq!(decide(&f), Err(Refusal::TargetHasChildren));
    }

    #[test]
    fn target_state_contid() {
        assert_eq!(TargetState::Unset.contid(), None);
        assert_eq!(TargetState::Inherited(3).contid(), Some(3));
        assert_eq!(TargetState::Set(4).contid(), Some(4));
    }

    #[test]
    fn reading_needs_the_capability() {
        assert!(may_read(true));
        assert!(!may_read(false));
    }
}
