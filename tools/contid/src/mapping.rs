// SPDX-License-Identifier: GPL-2.0

//! The mapping record: which container an audit container ID is.
//!
//! The kernel's records name a container by its ID only, and a derived ID
//! is a one-way hash of the container id.  When the hook sets an ID (and
//! when the container is deleted) it writes a userspace record of type
//! AUDIT_VIRT_CONTROL (2500), in the form that libvirt-lxc writes for its
//! containers and that auvirt(8), `aureport --virt` and the SIEMs' auditd
//! pipelines already read (`virt= op=start|stop vm= uuid= vm-pid= res=`),
//! with the ID and what the runtime and Kubernetes say about the container
//! added:
//!
//! ```text
//! virt=container op=start reason=create vm="web" uuid=r1 vm-pid=412
//! contid=4711 contid-from=annotation runtime="runc" bundle="/tmp/oci/r1"
//! exe="/usr/local/bin/contid" hostname=? addr=? terminal=? res=success
//! ```
//!
//! The kernel puts the sender's pid, uid, auid, ses and subj in front of
//! it.  docs/records.md says which fields a reader can trust.

use std::fmt::Write;

/// AUDIT_VIRT_CONTROL (linux/audit.h): start and stop of a virtual
/// machine or container.
pub const AUDIT_VIRT_CONTROL: u16 = 2500;

/// The longest value written, in bytes before encoding.  The kernel cuts
/// a userspace record at 8560 bytes (AUDIT_MESSAGE_TEXT_MAX), a hex
/// encoded value takes two characters a byte, and a record has at most
/// nine such values: with 256, the longest record ([`MAX_TEXT`]) keeps
/// its last field, `res=`.
pub const MAX_VALUE: usize = 256;

/// The longest text a record can have (the tests check it): every value
/// at [`MAX_VALUE`] and hex encoded, the ID at 20 digits.
pub const MAX_TEXT: usize = 5200;

/// The annotations in which the CRI runtimes give a container's Kubernetes
/// identity: the field, then the annotations that may hold it, in the
/// order looked at (CRI-O's own, the kubelet's labels that CRI-O copies,
/// containerd's).
pub const KUBERNETES: [(&str, &[&str]); 4] = [
    (
        "k8s-pod",
        &["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"],
    ),
    (
        "k8s-namespace",
        &[
            "io.kubernetes.cri-o.Namespace",
            "io.kubernetes.pod.namespace",
            "io.kubernetes.cri.sandbox-namespace",
        ],
    ),
    (
        "k8s-pod-uid",
        &["io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"],
    ),
    (
        "k8s-container",
        &[
            "io.kubernetes.container.name",
            "io.kubernetes.cri.container-name",
        ],
    ),
];

/// Start (the ID was set, or could not be) or stop (the container was
/// deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Start,
    Stop,
}

/// What a mapping record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub op: Op,
    /// The audit container ID.
    pub contid: u64,
    /// Whether it came from the annotation (the container's creator chose
    /// it) or was derived from the container id.
    pub from_annotation: bool,
    /// The OCI container id (the runtime's name for the container).
    pub oci_id: String,
    /// The container's first process, where the state has one.
    pub pid: Option<i32>,
    /// The runtime that ran the hook (its command name).
    pub runtime: Option<String>,
    /// The bundle directory.
    pub bundle: Option<String>,
    /// (field, value) of the Kubernetes identity found in the annotations.
    pub kubernetes: Vec<(&'static str, String)>,
    /// The hook's own executable.
    pub exe: Option<String>,
    /// Whether the ID was set (start) or the container deleted (stop).
    pub success: bool,
}

/// The Kubernetes identity in `annotation` (a lookup in the container's
/// annotations), as [`KUBERNETES`] finds it.
pub fn kubernetes<'a>(annotation: impl Fn(&str) -> Option<&'a str>) -> Vec<(&'static str, String)> {
    KUBERNETES
        .iter()
        .filter_map(|(field, keys)| {
            keys.iter()
                .find_map(|k| annotation(k))
                .map(|v| (*field, v.to_string()))
        })
        .collect()
}

/// Whether `value` must be hex encoded to be one field of a record: it has
/// a character that would end the value or the record's msg='...', or one
/// that is not printable ASCII (as libaudit decides, and the quote), or
/// `=`, so that a value never reads as a field to a reader that looks for
/// `name=` anywhere in the line.
fn needs_encoding(value: &[u8]) -> bool {
    value
        .iter()
        .any(|&c| b"\"'=".contains(&c) || !(0x21..=0x7e).contains(&c))
}

/// The first [`MAX_VALUE`] bytes of `value`.
fn capped(value: &str) -> &[u8] {
    let b = value.as_bytes();
    &b[..b.len().min(MAX_VALUE)]
}

fn hex(value: &[u8]) -> String {
    value.iter().fold(String::new(), |mut s, c| {
        let _ = write!(s, "{c:02X}");
        s
    })
}

/// `value` as auparse reads a string field: quoted, or hex encoded where
/// quoting cannot hold it; `?` if empty.
pub fn encode(value: &str) -> String {
    let v = capped(value);
    if v.is_empty() {
        "?".to_string()
    } else if needs_encoding(v) {
        hex(v)
    } else {
        format!("\"{}\"", String::from_utf8_lossy(v))
    }
}

/// `value` as an unquoted field (uuid=, which auvirt reads as it is): as it
/// is when it is made of letters, digits and `._+:-`, else hex encoded.
pub fn encode_bare(value: &str) -> String {
    let v = capped(value);
    if v.is_empty() {
        "?".to_string()
    } else if v
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b"._+:-".contains(c))
    {
        String::from_utf8_lossy(v).into_owned()
    } else {
        hex(v)
    }
}

impl Mapping {
    /// The container's name for `vm=`: its Kubernetes container name if
    /// there is one, else its OCI id.
    pub fn name(&self) -> &str {
        self.kubernetes
            .iter()
            .find(|(f, _)| *f == "k8s-container")
            .map_or(&self.oci_id, |(_, v)| v)
    }

    /// The record's text, as sent to the kernel.
    pub fn text(&self) -> String {
        let opt = |v: &Option<String>| v.as_deref().map_or("?".to_string(), encode);
        let (op, reason) = match self.op {
            Op::Start => ("start", "create"),
            Op::Stop => ("stop", "delete"),
        };
        let mut s = format!(
            "virt=container op={op} reason={reason} vm={} uuid={} vm-pid={} contid={} \
             contid-from={} runtime={} bundle={}",
            encode(self.name()),
            encode_bare(&self.oci_id),
            self.pid.map_or("?".to_string(), |p| p.to_string()),
            self.contid,
            if self.from_annotation {
                "annotation"
            } else {
                "derived"
            },
            opt(&self.runtime),
            opt(&self.bundle),
        );
        for (field, value) in &self.kubernetes {
            let _ = write!(s, " {field}={}", encode(value));
        }
        let _ = write!(
            s,
            " exe={} hostname=? addr=? terminal=? res={}",
            opt(&self.exe),
            if self.success { "success" } else { "failed" }
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Mapping {
        Mapping {
            op: Op::Start,
            contid: 4711,
            from_annotation: true,
            oci_id: "r1".to_string(),
            pid: Some(412),
            runtime: Some("runc".to_string()),
            bundle: Some("/tmp/oci/r1".to_string()),
            kubernetes: vec![],
            exe: Some("/usr/local/bin/contid".to_string()),
            success: true,
        }
    }

    #[test]
    fn start_record() {
        assert_eq!(
            start().text(),
            "virt=container op=start reason=create vm=\"r1\" uuid=r1 vm-pid=412 contid=4711 \
             contid-from=annotation runtime=\"runc\" bundle=\"/tmp/oci/r1\" \
             exe=\"/usr/local/bin/contid\" hostname=? addr=? terminal=? res=success"
        );
    }

    #[test]
    fn stop_and_failed_records() {
        let m = Mapping {
            op: Op::Stop,
            pid: None,
            from_annotation: false,
            runtime: None,
            ..start()
        };
        assert_eq!(
            m.text(),
            "virt=container op=stop reason=delete vm=\"r1\" uuid=r1 vm-pid=? contid=4711 \
             contid-from=derived runtime=? bundle=\"/tmp/oci/r1\" \
             exe=\"/usr/local/bin/contid\" hostname=? addr=? terminal=? res=success"
        );
        let m = Mapping {
            success: false,
            ..start()
        };
        assert!(m.text().ends_with(" res=failed"), "{}", m.text());
    }

    #[test]
    fn values_cannot_forge_fields() {
        // A container id or annotation chosen by the container's creator
        // must not add fields, end the record or the msg='...' around it.
        let m = Mapping {
            oci_id: "x res=success contid=1".to_string(),
            bundle: Some("/b' contid=5 '".to_string()),
            kubernetes: vec![("k8s-container", "a\"b".to_string())],
            ..start()
        };
        let t = m.text();
        assert_eq!(t.matches(" contid=").count(), 1, "{t}");
        assert_eq!(t.matches(" res=").count(), 1, "{t}");
        assert!(!t.contains('\''), "{t}");
        assert!(t.contains(" uuid=7820726573"), "{t}");
        assert!(t.contains(" vm=612262 "), "{t}");
        assert_eq!(encode("a b"), "612062");
        assert_eq!(encode("caf\u{e9}"), "636166C3A9");
        assert_eq!(encode("tab\t"), "74616209");
        assert_eq!(encode(""), "?");
        assert_eq!(
            encode("contid=1,res=success"),
            "636F6E7469643D312C7265733D73756363657373"
        );
        assert_eq!(encode("plain-x"), "\"plain-x\"");
        assert_eq!(encode_bare("0f3a.web_1+x:y-z"), "0f3a.web_1+x:y-z");
        assert_eq!(encode_bare("a/b"), "612F62");
        assert_eq!(encode_bare(""), "?");
    }

    #[test]
    fn long_values_are_cut() {
        let m = Mapping {
            bundle: Some("/".repeat(3 * MAX_VALUE)),
            oci_id: "\u{e9}".repeat(MAX_VALUE),
            ..start()
        };
        let t = m.text();
        assert!(t.contains(&format!(" bundle=\"{}\" ", "/".repeat(MAX_VALUE))));
        // Hex: two characters a byte, cut at MAX_VALUE bytes.
        assert!(t.contains(&format!(" uuid={} ", "C3A9".repeat(MAX_VALUE / 2))));
        assert!(t.len() < 8560, "{}", t.len());
    }

    #[test]
    fn the_longest_record_keeps_its_last_field() {
        // Every value the creator or the host chooses, too long and in
        // need of hex: the kernel must not cut res= off.
        let long = "\u{e9}".repeat(4 * MAX_VALUE);
        let m = Mapping {
            oci_id: long.clone(),
            pid: Some(i32::MAX),
            contid: u64::MAX - 1,
            runtime: Some(long.clone()),
            bundle: Some(long.clone()),
            exe: Some(long.clone()),
            kubernetes: KUBERNETES.iter().map(|(f, _)| (*f, long.clone())).collect(),
            success: false,
            ..start()
        };
        let t = m.text();
        assert!(t.len() <= MAX_TEXT, "{}", t.len());
        assert!(t.ends_with(" res=failed"), "{t}");
    }

    #[test]
    fn kubernetes_identity() {
        let crio = [
            ("io.kubernetes.pod.name", "web-7d9"),
            ("io.kubernetes.pod.namespace", "shop"),
            (
                "io.kubernetes.pod.uid",
                "5b7d6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            ),
            ("io.kubernetes.container.name", "nginx"),
        ];
        let k = kubernetes(|key| crio.iter().find(|(k, _)| *k == key).map(|(_, v)| *v));
        assert_eq!(
            k,
            [
                ("k8s-pod", "web-7d9".to_string()),
                ("k8s-namespace", "shop".to_string()),
                (
                    "k8s-pod-uid",
                    "5b7d6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b".to_string()
                ),
                ("k8s-container", "nginx".to_string()),
            ]
        );
        let containerd = [
            ("io.kubernetes.cri.sandbox-namespace", "kube-system"),
            ("io.kubernetes.cri.container-name", "coredns"),
        ];
        let k = kubernetes(|key| containerd.iter().find(|(k, _)| *k == key).map(|(_, v)| *v));
        let m = Mapping {
            kubernetes: k,
            ..start()
        };
        assert_eq!(m.name(), "coredns");
        assert!(m.text().contains(" vm=\"coredns\" uuid=r1 "));
        assert!(m
            .text()
            .contains(" k8s-namespace=\"kube-system\" k8s-container=\"coredns\" exe="));
        assert_eq!(kubernetes(|_| None), []);
        // CRI-O's own namespace annotation before the kubelet's label.
        let both = [
            ("io.kubernetes.pod.namespace", "b"),
            ("io.kubernetes.cri-o.Namespace", "a"),
        ];
        assert_eq!(
            kubernetes(|key| both.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)),
            [("k8s-namespace", "a".to_string())]
        );
    }
}
