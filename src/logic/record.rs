// SPDX-License-Identifier: GPL-2.0

//! The text of the module's records and of /proc/PID/containerid reads.
//! The formats are ABI: `docs/records.md` describes them.

use super::chain::MAX_DEPTH;
use super::text::FixedBuf;
use super::value::UNSET;
use core::fmt::{self, Write};

/// Appends ` outer=A,B,...` for a nested container (nothing for one the
/// host made): the containers it is nested in, innermost first, ending
/// with the ID the host's orchestrator assigned.
fn push_outer<const N: usize>(t: &mut FixedBuf<N>, outer: &[u64]) -> fmt::Result {
    let mut sep = " outer=";
    for id in outer {
        write!(t, "{sep}{id}")?;
        sep = ",";
    }
    Ok(())
}

/// Room for one part of an AUDIT_CONTAINER record.
pub type RecordText = FixedBuf<384>;

/// What an AUDIT_CONTAINER record reports about one set attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetAttempt<'a> {
    /// The writer's process (tgid).
    pub pid: i32,
    /// The writer's real uid, in the initial user namespace.
    pub uid: u32,
    /// The writer's loginuid (audit uid).
    pub auid: u32,
    /// The writer's controlling terminal, or `None`.
    pub tty: Option<&'a [u8]>,
    /// The writer's audit session.
    pub ses: u32,
    /// The target's process (tgid).
    pub opid: i32,
    /// The target's ID before the attempt.
    pub old_contid: u64,
    /// The ID that was written, or `None` if the input was not a valid ID.
    pub contid: Option<u64>,
    /// The writer's container and those it is nested in, innermost first
    /// (empty on the host): where the new ID would be nested.
    pub outer: &'a [u64],
    /// Whether the ID was set.
    pub success: bool,
}

/// The part of the record before the writer's LSM context (`subj=`).
pub fn set_record_head(a: &SetAttempt<'_>) -> Result<RecordText, fmt::Error> {
    let mut t = RecordText::new();
    write!(t, "op=set pid={} uid={}", a.pid, a.uid)?;
    Ok(t)
}

/// The part of the record after the writer's LSM context.
pub fn set_record_tail(a: &SetAttempt<'_>) -> Result<RecordText, fmt::Error> {
    let mut t = RecordText::new();
    write!(t, " auid={} tty=", a.auid)?;
    match a.tty {
        Some(name) if !name.is_empty() && name.iter().all(|b| b.is_ascii_graphic()) => {
            t.push_bytes(name)?
        }
        _ => t.push_bytes(b"(none)")?,
    }
    write!(
        t,
        " ses={} opid={} old-contid={} contid=",
        a.ses, a.opid, a.old_contid
    )?;
    match a.contid {
        Some(id) => write!(t, "{id}")?,
        None => t.push_bytes(b"?")?,
    }
    write!(t, " res={}", u8::from(a.success))?;
    // Last, so that records of containers made by the host keep their
    // fields and order.
    push_outer(&mut t, a.outer)?;
    Ok(t)
}

/// The namespaces a successful set names, in the order of the kernel's
/// `enum audit_contid_ns`: each a field `NAMEns=INODE` (the number that
/// readlink(2) of /proc/PID/ns/NAME shows).
pub const NS_NAMES: [&str; 8] = ["mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time"];

/// Room for the namespace fields: 8 of at most ` cgroupns=4294967295`
/// (20 bytes), and the NUL.
pub type NsText = FixedBuf<{ 8 * 20 + 1 }>;

/// The namespace fields of a successful set: ` mntns=... timens=...`; a
/// namespace that the target no longer has (it exited) or that the kernel
/// lacks (inode number 0) is left out.
pub fn ns_fields(inums: &[u32; 8]) -> NsText {
    let mut t = NsText::new();
    for (name, inum) in NS_NAMES.iter().zip(inums) {
        if *inum != 0 {
            // NsText is room for the longest: formatting cannot fail.
            let _ = write!(t, " {name}ns={inum}");
        }
    }
    t
}

/// The AUDIT_CONTAINER record of a container's end (its last task was
/// reaped, or the module was unloaded): the audit identity of the writer
/// that made it, its ID and the containers it is nested in.
pub fn drop_record(
    auid: u32,
    ses: u32,
    contid: u64,
    outer: &[u64],
) -> Result<RecordText, fmt::Error> {
    let mut t = RecordText::new();
    write!(t, "op=drop auid={auid} ses={ses} contid={contid} res=1")?;
    push_outer(&mut t, outer)?;
    Ok(t)
}

/// Whose audit container ID an AUDIT_CONTAINER_INFO record gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoSubject {
    /// The task the event is about (its syscall, or the sender of a
    /// message from userspace).
    Task,
    /// The target of a signal or ptrace, named by the OBJ_PID record that
    /// the record follows.
    Target {
        /// The target's process (tgid), as in the OBJ_PID record.
        opid: i32,
    },
}

/// Room for an AUDIT_CONTAINER_INFO record: the longest one, "op=target
/// opid=-2147483648 contid=" and 20 digits (54 bytes), then " outer=" and
/// up to `MAX_DEPTH - 1` IDs of at most 21 bytes each.
pub const INFO_MAX: usize = 54 + 7 + (MAX_DEPTH - 1) * 21 + 1;

/// The text of an AUDIT_CONTAINER_INFO record.
pub type InfoText = FixedBuf<INFO_MAX>;

/// The fields of an AUDIT_CONTAINER_INFO record that gives `contid` as
/// the ID of `subject`, nested in the containers `outer` (innermost
/// first; empty for a container the host made).  At most
/// `MAX_DEPTH - 1` of `outer` are written.
pub fn info_record(subject: InfoSubject, contid: u64, outer: &[u64]) -> InfoText {
    let mut t = InfoText::new();
    let outer = &outer[..outer.len().min(MAX_DEPTH - 1)];
    // INFO_MAX is room for the longest record: formatting cannot fail.
    let _ = match subject {
        InfoSubject::Task => write!(t, "op=task contid={contid}"),
        InfoSubject::Target { opid } => write!(t, "op=target opid={opid} contid={contid}"),
    }
    .and_then(|()| push_outer(&mut t, outer));
    t
}

/// What a read of /proc/PID/containerid returns.
pub fn proc_value(contid: Option<u64>) -> FixedBuf<24> {
    let mut t = FixedBuf::new();
    // 20 digits and a newline always fit.
    let _ = writeln!(t, "{}", contid.unwrap_or(UNSET));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> SetAttempt<'static> {
        SetAttempt {
            pid: 596,
            uid: 0,
            auid: 0,
            tty: Some(b"pts0"),
            ses: 1,
            opid: 707,
            old_contid: UNSET,
            contid: Some(123456),
            outer: &[],
            success: true,
        }
    }

    fn full(a: &SetAttempt<'_>) -> std::string::String {
        let head = set_record_head(a).unwrap();
        let tail = set_record_tail(a).unwrap();
        std::format!(
            "{}{}",
            core::str::from_utf8(head.as_bytes()).unwrap(),
            core::str::from_utf8(tail.as_bytes()).unwrap()
        )
    }

    #[test]
    fn success_record_matches_the_contract() {
        assert_eq!(
            full(&attempt()),
            "op=set pid=596 uid=0 auid=0 tty=pts0 ses=1 opid=707 \
             old-contid=18446744073709551615 contid=123456 res=1"
        );
    }

    #[test]
    fn failure_record_and_unparsable_value() {
        let a = SetAttempt {
            auid: u32::MAX,
            ses: u32::MAX,
            tty: None,
            old_contid: 5,
            contid: None,
            success: false,
            ..attempt()
        };
        assert_eq!(
            full(&a),
            "op=set pid=596 uid=0 auid=4294967295 tty=(none) ses=4294967295 \
             opid=707 old-contid=5 contid=? res=0"
        );
    }

    #[test]
    fn odd_tty_names_are_not_trusted() {
        let a = SetAttempt {
            tty: Some(b"bad name"),
            ..attempt()
        };
        assert!(full(&a).contains(" tty=(none) "));
        let a = SetAttempt {
            tty: Some(b""),
            ..attempt()
        };
        assert!(full(&a).contains(" tty=(none) "));
    }

    #[test]
    fn the_longest_record_fits() {
        let a = SetAttempt {
            pid: i32::MAX,
            uid: u32::MAX,
            auid: u32::MAX,
            tty: Some(b"ttyABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            ses: u32::MAX,
            opid: i32::MIN,
            old_contid: u64::MAX,
            contid: Some(u64::MAX - 1),
            outer: &[u64::MAX - 1; MAX_DEPTH],
            success: false,
        };
        assert!(set_record_head(&a).is_ok());
        assert!(set_record_tail(&a).is_ok());
    }

    #[test]
    fn a_nested_set_names_the_writers_chain() {
        let a = SetAttempt {
            contid: Some(5),
            outer: &[2001, 1],
            ..attempt()
        };
        assert!(full(&a).ends_with(" old-contid=18446744073709551615 contid=5 res=1 outer=2001,1"));
    }

    #[test]
    fn ns_fields_match_the_contract() {
        let inums = [
            4026531841, 4026531838, 4026531839, 4026531836, 4026531840, 4026531837, 4026531835,
            4026531834,
        ];
        assert_eq!(
            ns_fields(&inums).as_bytes(),
            b" mntns=4026531841 utsns=4026531838 ipcns=4026531839 pidns=4026531836 netns=4026531840 userns=4026531837 cgroupns=4026531835 timens=4026531834"
        );
        assert_eq!(
            ns_fields(&[1, 0, 0, 0, 2, 0, 0, 0]).as_bytes(),
            b" mntns=1 netns=2"
        );
        assert_eq!(ns_fields(&[0; 8]).as_bytes(), b"");
        let longest = ns_fields(&[u32::MAX; 8]);
        // " mntns=" and 10 digits, ..., " cgroupns=" and 10 digits
        assert_eq!(longest.as_bytes().len(), 141);
        assert_eq!(longest.as_bytes_with_nul().last(), Some(&0));
    }

    #[test]
    fn drop_records_match_the_contract() {
        assert_eq!(
            drop_record(0, 1, 123456, &[]).unwrap().as_bytes(),
            b"op=drop auid=0 ses=1 contid=123456 res=1"
        );
        assert_eq!(
            drop_record(4294967295, 4294967295, 5, &[2001, 1])
                .unwrap()
                .as_bytes(),
            b"op=drop auid=4294967295 ses=4294967295 contid=5 res=1 outer=2001,1"
        );
        let big = [u64::MAX - 1; MAX_DEPTH - 1];
        let longest = drop_record(u32::MAX, u32::MAX, u64::MAX - 1, &big).unwrap();
        assert_eq!(longest.as_bytes_with_nul().last(), Some(&0));
    }

    #[test]
    fn info_records_match_the_contract() {
        assert_eq!(
            info_record(InfoSubject::Task, 123456, &[]).as_bytes(),
            b"op=task contid=123456"
        );
        assert_eq!(
            info_record(InfoSubject::Target { opid: 707 }, 0, &[]).as_bytes(),
            b"op=target opid=707 contid=0"
        );
        assert_eq!(
            info_record(InfoSubject::Task, 5, &[2001, 1]).as_bytes(),
            b"op=task contid=5 outer=2001,1"
        );
        let big = [u64::MAX - 1; MAX_DEPTH];
        let longest = info_record(InfoSubject::Target { opid: i32::MIN }, u64::MAX - 1, &big);
        let mut want = std::string::String::from(
            "op=target opid=-2147483648 contid=18446744073709551614 outer=",
        );
        want.push_str(&["18446744073709551614"; MAX_DEPTH - 1].join(","));
        assert_eq!(longest.as_bytes(), want.as_bytes());
        assert_eq!(longest.as_bytes_with_nul().last(), Some(&0));
    }

    #[test]
    fn proc_value_text() {
        assert_eq!(proc_value(Some(42)).as_bytes(), b"42\n");
        assert_eq!(proc_value(None).as_bytes(), b"18446744073709551615\n");
        assert_eq!(proc_value(Some(0)).as_bytes(), b"0\n");
        // The hook series reads into a 32-byte buffer.
        assert!(proc_value(Some(u64::MAX - 1)).as_bytes().len() <= 32);
    }
}
