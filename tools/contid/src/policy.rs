// SPDX-License-Identifier: GPL-2.0

//! The hook's policy: what the administrator allows, and from where.
//!
//! The policy comes from two places that the administrator controls: the
//! hook entry's own arguments (in hooks.d or in the runtime's
//! configuration) and a configuration file that must belong to root and be
//! writable by nobody else.  It never comes from the hook's environment
//! (runc hands its own environment to a hook entry that has no `env`, so
//! whoever runs runc would control it) nor from the container's
//! annotations (they belong to whoever creates the container; in
//! Kubernetes, to the pod's author), except where the administrator says
//! so ([`Policy::allow_annotation`]).

use std::fmt;

/// The configuration file read when the hook is given no `--config`.
pub const DEFAULT_CONFIG: &str = "/etc/audit-contid/oci-hook.conf";

/// The environment variable that earlier versions read for fail-open.  It
/// is ignored now; the hook warns when it finds it.
pub const OLD_OPTIONAL_ENV: &str = "AUDIT_CONTID_OPTIONAL";

/// The annotations in which the CRI runtimes give a container's
/// Kubernetes namespace: CRI-O's and containerd's spelling.  Both are
/// written by the runtime itself (over whatever the pod's annotations
/// say), not by the pod's author.
pub const NAMESPACE_ANNOTATIONS: [&str; 2] = [
    "io.kubernetes.cri-o.Namespace",
    "io.kubernetes.cri.sandbox-namespace",
];

/// What the hook does for a rootless engine (a hook that lacks
/// CAP_AUDIT_CONTROL in the initial user namespace, as under rootless
/// podman): such a hook can never set an ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rootless {
    /// The container starts without an ID; the hook says so and why.
    Start,
    /// The container does not start.
    Refuse,
}

impl Rootless {
    /// Parses `start` or `refuse`.
    pub fn parse(s: &str) -> Result<Rootless, String> {
        match s {
            "start" => Ok(Rootless::Start),
            "refuse" => Ok(Rootless::Refuse),
            _ => Err(format!("{s:?} is not a rootless policy (start or refuse)")),
        }
    }
}

impl fmt::Display for Rootless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rootless::Start => "start",
            Rootless::Refuse => "refuse",
        })
    }
}

/// The hook's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A container whose ID cannot be set starts anyway (with a warning).
    pub fail_open: bool,
    /// The annotation `io.audit-contid.id` chooses the ID.  Off by
    /// default: the ID is derived from the container id, and an annotation
    /// is logged as ignored.
    pub allow_annotation: bool,
    /// What to do when the hook has no privilege to set IDs at all.
    pub rootless: Rootless,
    /// Kubernetes namespaces whose containers fail open (say,
    /// kube-system), whatever `fail_open` says.
    pub fail_open_namespaces: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_open: false,
            allow_annotation: false,
            rootless: Rootless::Start,
            fail_open_namespaces: Vec::new(),
        }
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" => Ok(false),
        _ => Err(format!("{key}: {v:?} is not yes or no")),
    }
}

impl Policy {
    /// Applies a configuration file's text: `key = value` lines, `#`
    /// comments and blank lines.  Keys: `fail-open` and `allow-annotation`
    /// (yes or no), `rootless` (start or refuse), `fail-open-namespaces`
    /// (names separated by spaces or commas).  An unknown key or a bad
    /// value is an error (line numbers from 1), and nothing is applied.
    pub fn apply_file(&mut self, text: &str) -> Result<(), String> {
        let mut p = self.clone();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |e: String| format!("line {}: {e}", n + 1);
            let (key, value) = line
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| err(format!("{line:?} is not key = value")))?;
            match key {
                "fail-open" => p.fail_open = parse_bool(key, value).map_err(err)?,
                "allow-annotation" => p.allow_annotation = parse_bool(key, value).map_err(err)?,
                "rootless" => p.rootless = Rootless::parse(value).map_err(err)?,
                "fail-open-namespaces" => {
                    p.fail_open_namespaces = value
                        .split([' ', ',', '\t'])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                _ => return Err(err(format!("unknown key {key:?}"))),
            }
        }
        *self = p;
        Ok(())
    }

    /// Applies the hook entry's arguments, after the file: they switch
    /// fail-open and annotations on, set the rootless policy and add
    /// namespaces; they never switch off what the file switched on.
    pub fn apply_args(
        &mut self,
        fail_open: bool,
        allow_annotation: bool,
        rootless: Option<Rootless>,
        fail_open_namespaces: Vec<String>,
    ) {
        self.fail_open |= fail_open;
        self.allow_annotation |= allow_annotation;
        if let Some(r) = rootless {
            self.rootless = r;
        }
        self.fail_open_namespaces.extend(fail_open_namespaces);
    }

    /// Whether a container with these annotations fails open, and why.
    pub fn fails_open<'a>(&self, annotation: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
        if self.fail_open {
            return Some("the hook's policy is fail-open".to_string());
        }
        NAMESPACE_ANNOTATIONS.iter().find_map(|key| {
            let ns = annotation(key)?;
            self.fail_open_namespaces
                .iter()
                .any(|n| n == ns)
                .then(|| format!("its Kubernetes namespace {ns} ({key}) fails open"))
        })
    }
}

/// Whether fail-open may start a container whose set failed with `errno`:
/// only where the kernel cannot give IDs at all (no hook series: the proc
/// file does not exist; no module: EOPNOTSUPP) or had no memory.  A
/// refusal of this container's ID (ENOTUNIQ, EEXIST, EBUSY, EPERM,
/// EINVAL...) stops it even so: its creator chooses the container id and,
/// where annotations are allowed, the ID, and so could provoke such a
/// refusal, and fail-open must not be a way to run outside the trail.
pub fn fail_open_covers(errno: Option<i32>) -> bool {
    kernel_without_ids(errno) || errno == Some(libc::ENOMEM)
}

/// Whether a failed read or write of /proc/PID/containerid says that the
/// kernel has no audit container IDs: no hook series (the file does not
/// exist) or no module (EOPNOTSUPP).
pub fn kernel_without_ids(errno: Option<i32>) -> bool {
    matches!(errno, Some(libc::ENOENT | libc::EOPNOTSUPP))
}

/// Whether the file's owner and mode make it the administrator's: owned by
/// root, writable by nobody else.
pub fn trusted_owner(uid: u32, mode: u32) -> Result<(), String> {
    if uid != 0 {
        return Err(format!("it belongs to uid {uid}, not to root"));
    }
    if mode & 0o022 != 0 {
        return Err(format!(
            "its mode {:04o} lets others than root write it",
            mode & 0o7777
        ));
    }
    Ok(())
}

/// Whether the hook could set IDs at all, from its `/proc/self/status`
/// and `/proc/self/uid_map`: it needs CAP_AUDIT_CONTROL (capability 30) in
/// its effective set, and to be in the initial user namespace (whose
/// uid_map is the identity over all 2^32 - 1 IDs).  `Err` says why not.
pub fn privileged(status: &str, uid_map: &str) -> Result<(), String> {
    const CAP_AUDIT_CONTROL: u32 = 30;
    let initial = {
        let f: Vec<&str> = uid_map.split_whitespace().collect();
        f == ["0", "0", "4294967295"]
    };
    if !initial {
        return Err("it runs in a user namespace other than the initial one".to_string());
    }
    let cap_eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .ok_or("its capabilities cannot be read")?;
    if cap_eff & (1 << CAP_AUDIT_CONTROL) == 0 {
        return Err("it lacks CAP_AUDIT_CONTROL".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_strict() {
        let p = Policy::default();
        assert!(!p.fail_open);
        assert!(!p.allow_annotation);
        assert_eq!(p.rootless, Rootless::Start);
        assert!(p.fail_open_namespaces.is_empty());
    }

    #[test]
    fn file_syntax() {
        let mut p = Policy::default();
        p.apply_file(
            "# the hook's policy\n\nfail-open = no\nallow-annotation=yes # trusted creators\n\
             rootless = refuse\nfail-open-namespaces = kube-system, monitoring\tops\n",
        )
        .unwrap();
        assert_eq!(
            p,
            Policy {
                fail_open: false,
                allow_annotation: true,
                rootless: Rootless::Refuse,
                fail_open_namespaces: vec!["kube-system".into(), "monitoring".into(), "ops".into()],
            }
        );
    }

    #[test]
    fn file_errors_change_nothing() {
        for (text, why) in [
            (
                "fail-open = maybe\n",
                "line 1: fail-open: \"maybe\" is not yes or no",
            ),
            ("\nfailopen = yes\n", "line 2: unknown key \"failopen\""),
            (
                "fail-open yes\n",
                "line 1: \"fail-open yes\" is not key = value",
            ),
            (
                "allow-annotation = yes\nrootless = ignore\n",
                "line 2: \"ignore\" is not a rootless policy",
            ),
        ] {
            let mut p = Policy::default();
            let e = p.apply_file(text).unwrap_err();
            assert!(e.starts_with(why), "{text:?}: {e}");
            assert_eq!(p, Policy::default(), "{text:?}");
        }
    }

    #[test]
    fn arguments_add_to_the_file() {
        let mut p = Policy::default();
        p.apply_file("fail-open = yes\nfail-open-namespaces = kube-system\n")
            .unwrap();
        p.apply_args(false, true, Some(Rootless::Refuse), vec!["ops".into()]);
        assert_eq!(
            p,
            Policy {
                fail_open: true,
                allow_annotation: true,
                rootless: Rootless::Refuse,
                fail_open_namespaces: vec!["kube-system".into(), "ops".into()],
            }
        );
        // No argument given: the file's policy stands.
        let before = p.clone();
        p.apply_args(false, false, None, vec![]);
        assert_eq!(p, before);
    }

    #[test]
    fn fail_open_covers_only_a_kernel_without_ids() {
        for e in [libc::ENOENT, libc::EOPNOTSUPP, libc::ENOMEM] {
            assert!(fail_open_covers(Some(e)), "{e}");
        }
        for e in [
            libc::ENOTUNIQ,
            libc::EEXIST,
            libc::EBUSY,
            libc::EPERM,
            libc::EINVAL,
            libc::ESRCH,
            libc::EISDIR,
        ] {
            assert!(!fail_open_covers(Some(e)), "{e}");
        }
        assert!(!fail_open_covers(None));
    }

    #[test]
    fn namespaces_fail_open() {
        let p = Policy {
            fail_open_namespaces: vec!["kube-system".into()],
            ..Policy::default()
        };
        let crio = |k: &str| (k == "io.kubernetes.cri-o.Namespace").then_some("kube-system");
        let containerd =
            |k: &str| (k == "io.kubernetes.cri.sandbox-namespace").then_some("kube-system");
        let other = |k: &str| (k == "io.kubernetes.cri.sandbox-namespace").then_some("default");
        // The pod's own label spelling is not what the runtime writes.
        let label = |k: &str| (k == "io.kubernetes.pod.namespace").then_some("kube-system");
        assert!(p
            .fails_open(crio)
            .unwrap()
            .contains("kube-system (io.kubernetes.cri-o.Namespace)"));
        assert!(p.fails_open(containerd).is_some());
        assert_eq!(p.fails_open(other), None);
        assert_eq!(p.fails_open(label), None);
        assert_eq!(Policy::default().fails_open(crio), None);
        let all = Policy {
            fail_open: true,
            ..Policy::default()
        };
        assert_eq!(
            all.fails_open(|_| None).unwrap(),
            "the hook's policy is fail-open"
        );
    }

    #[test]
    fn owner_and_mode() {
        assert_eq!(trusted_owner(0, 0o100644), Ok(()));
        assert_eq!(trusted_owner(0, 0o100600), Ok(()));
        assert!(trusted_owner(1000, 0o100644)
            .unwrap_err()
            .contains("uid 1000"));
        assert!(trusted_owner(0, 0o100664).unwrap_err().contains("0664"));
        assert!(trusted_owner(0, 0o100646).unwrap_err().contains("0646"));
    }

    #[test]
    fn privilege() {
        let host = "         0          0 4294967295\n";
        let root = "Name:\tcontid\nCapEff:\t000001ffffffffff\n";
        assert_eq!(privileged(root, host), Ok(()));
        let no_audit = "CapEff:\t000001ffbfffffff\n";
        assert_eq!(
            privileged(no_audit, host).unwrap_err(),
            "it lacks CAP_AUDIT_CONTROL"
        );
        // rootless podman: root in a user namespace of its own
        let userns = "         0       1000          1\n         1     100000      65536\n";
        assert!(privileged(root, userns)
            .unwrap_err()
            .contains("user namespace"));
        assert!(privileged("Name:\tx\n", host)
            .unwrap_err()
            .contains("cannot be read"));
    }
}
