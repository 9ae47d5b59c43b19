// SPDX-License-Identifier: GPL-2.0

//! Nested audit containers: a task's container and the containers it is
//! nested in, and what a `containerid` rule means for them.
//!
//! A container runtime that runs inside a container (docker-in-docker, CI
//! runners, kind) gives its own containers IDs.  Such an ID is nested in
//! the writer's container: the task's chain is the new ID followed by the
//! writer's chain, up to the ID that the host's orchestrator assigned.
//! IDs are unique among the containers that exist, wherever they are in
//! the tree, so an ID in a chain always names one container.

/// How deep containers nest: the host-assigned ID and up to seven levels
/// of containers inside it.
pub const MAX_DEPTH: usize = 8;

/// A container's ID and the IDs of the containers it is nested in,
/// innermost first.  Never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    ids: [u64; MAX_DEPTH],
    len: usize,
}

impl Chain {
    /// The chain of a container that the host's orchestrator made.
    pub const fn top(id: u64) -> Self {
        let mut ids = [0; MAX_DEPTH];
        ids[0] = id;
        Chain { ids, len: 1 }
    }

    /// The chain of container `id` made inside `outer`, or `None` if that
    /// would nest deeper than [`MAX_DEPTH`].
    pub fn nested(id: u64, outer: &Chain) -> Option<Self> {
        if outer.len >= MAX_DEPTH {
            return None;
        }
        let mut ids = [0; MAX_DEPTH];
        ids[0] = id;
        super::text::copy_prefix(&mut ids[1..], outer.ids());
        Some(Chain {
            ids,
            len: outer.len + 1,
        })
    }

    /// The IDs, innermost first.
    pub fn ids(&self) -> &[u64] {
        &self.ids[..self.len]
    }

    /// The container's own ID.
    pub fn innermost(&self) -> u64 {
        self.ids[0]
    }

    /// The ID the host's orchestrator assigned.
    pub fn outermost(&self) -> u64 {
        self.ids[self.len - 1]
    }

    /// The containers this one is nested in, innermost first (empty for a
    /// container made by the host).
    pub fn outer(&self) -> &[u64] {
        &self.ids[1..self.len]
    }

    /// Whether the container is `id` or nested (at any depth) in `id`.
    pub fn within(&self, id: u64) -> bool {
        self.ids().contains(&id)
    }
}

/// The comparison of a `containerid` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// Whether a task whose container is `chain` (`None`: no ID, the host)
/// satisfies the rule `containerid OP value`.
///
/// - `=` and `!=` ask "is the task inside container `value`?": a task of
///   a nested container matches every container it is nested in, so a
///   rule for container A selects (or, on the exclude list, drops) every
///   event of A's subtree, whatever IDs A gave inside it, and since IDs
///   are unique among existing containers, never a container that is not
///   A or nested in A.  The value 18446744073709551615 (`unset`) selects
///   the host.
/// - `<`, `<=`, `>`, `>=` compare the ID the host's orchestrator
///   assigned: a container cannot move its events into or out of a range
///   by the IDs it chooses inside itself.  A task without an ID is not a
///   number and never satisfies them.
pub fn rule_matches(chain: Option<&Chain>, op: Op, value: u64) -> bool {
    let Some(chain) = chain else {
        return match op {
            Op::Equal => value == super::value::UNSET,
            Op::NotEqual => value != super::value::UNSET,
            _ => false,
        };
    };
    let host_assigned = chain.outermost();
    match op {
        Op::Equal => chain.within(value),
        Op::NotEqual => !chain.within(value),
        Op::Less => host_assigned < value,
        Op::LessOrEqual => host_assigned <= value,
        Op::Greater => host_assigned > value,
        Op::GreaterOrEqual => host_assigned >= value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::value::UNSET;

    #[test]
    fn chains_nest_innermost_first() {
        let a = Chain::top(10);
        assert_eq!(a.ids(), &[10]);
        assert_eq!(a.outer(), &[] as &[u64]);
        let b = Chain::nested(20, &a).unwrap();
        let c = Chain::nested(30, &b).unwrap();
        assert_eq!(c.ids(), &[30, 20, 10]);
        assert_eq!(c.innermost(), 30);
        assert_eq!(c.outermost(), 10);
        assert_eq!(c.outer(), &[20, 10]);
        assert!(c.within(20) && c.within(10) && c.within(30) && !c.within(40));
        assert!(!a.within(20));
    }

    #[test]
    fn nesting_is_bounded() {
        let mut c = Chain::top(0);
        for i in 1..MAX_DEPTH as u64 {
            c = Chain::nested(i, &c).unwrap();
        }
        assert_eq!(c.ids().len(), MAX_DEPTH);
        assert_eq!(Chain::nested(99, &c), None);
    }

    #[test]
    fn equality_rules_select_a_whole_subtree() {
        let a = Chain::top(1000);
        let inner = Chain::nested(5, &a).unwrap();
        // A rule for the outer container matches the nested one too.
        assert!(rule_matches(Some(&inner), Op::Equal, 1000));
        assert!(rule_matches(Some(&inner), Op::Equal, 5));
        // A container that is neither: no match.
        assert!(!rule_matches(Some(&inner), Op::Equal, 7));
        assert!(!rule_matches(Some(&a), Op::Equal, 5));
        // != is the negation, so an exclude "!= A" keeps A's subtree.
        assert!(!rule_matches(Some(&inner), Op::NotEqual, 1000));
        assert!(rule_matches(Some(&inner), Op::NotEqual, 7));
    }

    #[test]
    fn unset_is_the_host() {
        assert!(rule_matches(None, Op::Equal, UNSET));
        assert!(!rule_matches(None, Op::NotEqual, UNSET));
        assert!(!rule_matches(None, Op::Equal, 5));
        assert!(rule_matches(None, Op::NotEqual, 5));
        assert!(!rule_matches(Some(&Chain::top(5)), Op::Equal, UNSET));
        assert!(rule_matches(Some(&Chain::top(5)), Op::NotEqual, UNSET));
    }

    #[test]
    fn ordered_rules_never_match_the_host() {
        for op in [Op::Less, Op::LessOrEqual, Op::Greater, Op::GreaterOrEqual] {
            for v in [0, 5000, UNSET - 1, UNSET] {
                assert!(!rule_matches(None, op, v), "{op:?} {v}");
            }
        }
    }

    #[test]
    fn ordered_rules_compare_the_host_assigned_id() {
        let a = Chain::top(6000);
        let inner = Chain::nested(10, &a).unwrap();
        // Container 6000's nested container stays in ">= 5000".
        assert!(rule_matches(Some(&inner), Op::GreaterOrEqual, 5000));
        assert!(rule_matches(Some(&inner), Op::Greater, 5999));
        assert!(!rule_matches(Some(&inner), Op::Less, 6000));
        assert!(rule_matches(Some(&inner), Op::LessOrEqual, 6000));
        // A container below the range cannot enter it by its inner IDs.
        let low = Chain::nested(9000, &Chain::top(10)).unwrap();
        assert!(!rule_matches(Some(&low), Op::GreaterOrEqual, 5000));
        assert!(rule_matches(Some(&low), Op::Less, 5000));
    }
}
