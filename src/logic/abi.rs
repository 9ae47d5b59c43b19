// SPDX-License-Identifier: GPL-2.0

//! Numbers of the userspace interface, as `include/audit_contid.h`
//! publishes them.  The module checks them against the kernel's headers at
//! build time (`static_assert!`), and the host tests check them against
//! the public header.

/// The record of a set attempt.
pub const AUDIT_CONTAINER: u32 = 1020;
/// The record that gives the ID of an event's task or target.
pub const AUDIT_CONTAINER_INFO: u32 = 1350;
/// The rule field.
pub const AUDIT_CONTAINERID: u32 = 27;
/// The bit of the AUDIT_GET feature bitmap that says the kernel knows
/// the rule field.
pub const AUDIT_FEATURE_BITMAP_CONTAINERID: u32 = 0x80;
/// The most a read of /proc/PID/containerid returns.
pub const READ_MAX: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::chain::MAX_DEPTH;
    use crate::logic::value::{MAX_WRITE, UNSET};

    const HEADER: &str = include_str!("../../include/audit_contid.h");

    /// The value of `#define NAME VALUE` in the public header.
    fn define(name: &str) -> &'static str {
        HEADER
            .lines()
            .filter_map(|l| l.trim().strip_prefix("#define "))
            .filter_map(|l| l.split_once(char::is_whitespace))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.split("/*").next().unwrap_or("").trim())
            .unwrap_or_else(|| panic!("{name} is not defined in include/audit_contid.h"))
    }

    fn number(name: &str) -> u64 {
        define(name)
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number"))
    }

    #[test]
    fn the_public_header_agrees() {
        assert_eq!(number("AUDIT_CONTAINER"), u64::from(AUDIT_CONTAINER));
        assert_eq!(
            number("AUDIT_CONTAINER_INFO"),
            u64::from(AUDIT_CONTAINER_INFO)
        );
        assert_eq!(number("AUDIT_CONTAINERID"), u64::from(AUDIT_CONTAINERID));
        assert_eq!(
            define("AUDIT_FEATURE_BITMAP_CONTAINERID"),
            format!("{AUDIT_FEATURE_BITMAP_CONTAINERID:#010x}")
        );
        assert_eq!(number("AUDIT_CONTID_WRITE_MAX"), MAX_WRITE as u64);
        assert_eq!(number("AUDIT_CONTID_READ_MAX"), READ_MAX as u64);
        assert_eq!(number("AUDIT_CONTID_MAX_DEPTH"), MAX_DEPTH as u64);
        assert_eq!(define("AUDIT_CID_UNSET"), "((__u64)-1)");
        assert_eq!(UNSET, u64::MAX);
    }

    #[test]
    fn a_read_fits() {
        let longest = crate::logic::record::proc_value(Some(UNSET - 1));
        assert!(longest.as_bytes().len() <= READ_MAX);
    }
}
