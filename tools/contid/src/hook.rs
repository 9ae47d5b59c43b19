// SPDX-License-Identifier: GPL-2.0

//! `contid oci-hook`: the OCI createRuntime hook.
//!
//! The runtime (runc, crun) runs the hook after it has created the
//! container's first process and before that process runs the container's
//! program, with the container's state (OCI runtime spec, "State") on
//! standard input.  The hook picks the container's audit container ID and
//! writes it to /proc/<pid>/containerid.  If it cannot, it fails, and the
//! runtime does not start the container: a container must not run without
//! its ID (fail-closed).  Only the administrator, through the hook's
//! policy ([`crate::policy`]), can make that failure a warning.

use crate::derive::derive_id;
use crate::exit;
use crate::explain::parse_error;
use crate::mapping::{self, Mapping, Op};
use crate::policy::{Policy, Rootless, DEFAULT_CONFIG, OLD_OPTIONAL_ENV};
use crate::procfs::Proc;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The annotation through which a container's creator may choose its ID,
/// where the policy allows it.
pub const ANNOTATION: &str = "io.audit-contid.id";

/// The largest state document read from standard input.
pub const MAX_STATE: u64 = 1 << 20;

/// The fields of the OCI state that the hook uses.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct State {
    #[serde(rename = "ociVersion")]
    pub oci_version: String,
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub pid: Option<i64>,
    #[serde(default)]
    pub bundle: Option<String>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Why the hook cannot even try to set an ID.
#[derive(Debug, PartialEq, Eq)]
pub enum InputError {
    /// Standard input is not an OCI state document.
    BadJson(String),
    /// The state has no usable process ID.
    NoPid { id: String, pid: Option<i64> },
    /// The annotation is not an audit container ID.
    BadAnnotation {
        id: String,
        value: String,
        why: &'static str,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::BadJson(e) => write!(
                f,
                "standard input is not an OCI container state ({e}); \
                 run contid oci-hook as an OCI hook, which gets the state on stdin"
            ),
            InputError::NoPid { id, pid: None } => write!(
                f,
                "container {id}: the state has no pid; run contid oci-hook at the \
                 createRuntime stage, when the container's process exists"
            ),
            InputError::NoPid { id, pid: Some(p) } => write!(
                f,
                "container {id}: the state's pid {p} is not a process ID; run contid \
                 oci-hook at the createRuntime stage, when the container's process exists"
            ),
            InputError::BadAnnotation { id, value, why } => write!(
                f,
                "container {id}: annotation {ANNOTATION}={value:?} is not an audit \
                 container ID: {why}; give a decimal number from 0 to \
                 18446744073709551614, or leave the annotation out to get an ID \
                 derived from the container id"
            ),
        }
    }
}

/// Where the container's ID comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Annotation,
    Derived,
    /// Derived, and the annotation (this value) ignored: the policy does
    /// not let annotations choose the ID.
    DerivedIgnoring(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Annotation => write!(f, "from annotation {ANNOTATION}"),
            Source::Derived => write!(f, "derived from the container id"),
            Source::DerivedIgnoring(v) => write!(
                f,
                "derived from the container id; annotation {ANNOTATION}={v:?} ignored: \
                 the hook's policy does not let annotations choose the ID (allow-annotation)"
            ),
        }
    }
}

/// Parses the state document.
pub fn parse_state(input: &[u8]) -> Result<State, InputError> {
    serde_json::from_slice(input).map_err(|e| InputError::BadJson(e.to_string()))
}

/// The container's first process.
pub fn target_pid(state: &State) -> Result<i32, InputError> {
    match state.pid {
        Some(p) if p > 0 && p <= i64::from(i32::MAX) => Ok(p as i32),
        pid => Err(InputError::NoPid {
            id: state.id.clone(),
            pid,
        }),
    }
}

/// The value of annotation `key`, if the state has it.
pub fn annotation<'a>(state: &'a State, key: &str) -> Option<&'a str> {
    state
        .annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// The container's ID: the annotation's value when there is one and the
/// policy allows annotations, else the ID derived from the container id
/// (see [`crate::derive`]).  An annotation that is not allowed is not
/// looked at beyond being there.
pub fn choose_id(state: &State, allow_annotation: bool) -> Result<(u64, Source), InputError> {
    let derived = || derive_id(&state.id);
    match annotation(state, ANNOTATION) {
        Some(value) if !allow_annotation => {
            Ok((derived(), Source::DerivedIgnoring(value.to_string())))
        }
        Some(value) => contid_logic::value::parse(value.as_bytes())
            .map(|id| (id, Source::Annotation))
            .map_err(|e| InputError::BadAnnotation {
                id: state.id.clone(),
                value: value.to_string(),
                why: parse_error(e),
            }),
        None => Ok((derived(), Source::Derived)),
    }
}

/// What the hook found about itself, besides its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Whether the hook can set IDs at all ([`crate::policy::privileged`]).
    pub privilege: Result<(), String>,
    /// The value of [`OLD_OPTIONAL_ENV`] in the hook's environment, which is
    /// ignored (but warned about).
    pub old_optional_env: Option<String>,
    /// The command name of the hook's parent, the runtime.
    pub runtime: Option<String>,
    /// The hook's own executable.
    pub exe: Option<String>,
}

/// Where the hook sends its mapping records ([`crate::mapping`]).
pub type Trail<'a> = dyn FnMut(&Mapping) -> std::io::Result<()> + 'a;

/// The mapping record of container `state` with ID `id`.
fn mapping(
    state: &State,
    cx: &Context,
    op: Op,
    id: u64,
    source: &Source,
    success: bool,
) -> Mapping {
    Mapping {
        op,
        contid: id,
        from_annotation: *source == Source::Annotation,
        oci_id: state.id.clone(),
        pid: target_pid(state).ok(),
        runtime: cx.runtime.clone(),
        bundle: state.bundle.clone(),
        kubernetes: mapping::kubernetes(|k| annotation(state, k)),
        exe: cx.exe.clone(),
        success,
    }
}

/// Writes the mapping record `m`; a failure is a warning, as the ID (or
/// its absence) is in the kernel's records anyway.
fn write_mapping(m: &Mapping, trail: &mut Trail<'_>, log: &mut dyn FnMut(&str)) {
    if let Err(e) = trail(m) {
        log(&format!(
            "warning: container {}: cannot write its mapping record (VIRT_CONTROL op={}): {e}",
            m.oci_id,
            match m.op {
                Op::Start => "start",
                Op::Stop => "stop",
            }
        ));
    }
}

/// The poststop stage (the state's status is "stopped": the runtime is
/// deleting the container): the stop mapping record.
fn run_poststop(
    state: &State,
    policy: &Policy,
    cx: &Context,
    trail: &mut Trail<'_>,
    log: &mut dyn FnMut(&str),
) -> u8 {
    let (id, source) = match choose_id(state, policy.allow_annotation) {
        Ok(c) => c,
        Err(e) => {
            log(&format!("error: {e}"));
            return exit::BAD_INPUT;
        }
    };
    if cx.privilege.is_ok() {
        write_mapping(&mapping(state, cx, Op::Stop, id, &source, true), trail, log);
    }
    log(&format!(
        "container {} (status stopped): deleted; it had audit container ID {id}",
        state.id
    ));
    exit::OK
}

/// Runs the hook on the state `input`: sets the ID through `proc`, writes
/// the mapping record to `trail`, reports through `log`, and returns the
/// exit status.  At the poststop stage it only writes the stop record.
pub fn run(
    input: &[u8],
    proc: &Proc,
    policy: &Policy,
    cx: &Context,
    trail: &mut Trail<'_>,
    log: &mut dyn FnMut(&str),
) -> u8 {
    if let Some(v) = &cx.old_optional_env {
        log(&format!(
            "warning: {OLD_OPTIONAL_ENV}={v:?} in the hook's environment is ignored \
             (whoever runs the runtime can set it): fail open with the hook's \
             --fail-open argument or fail-open = yes in {DEFAULT_CONFIG}"
        ));
    }
    if let Ok(state) = parse_state(input) {
        if state.status.as_deref() == Some("stopped") {
            return run_poststop(&state, policy, cx, trail, log);
        }
    }
    let (state, pid, (id, source)) = match parse_state(input).and_then(|s| {
        let pid = target_pid(&s)?;
        let choice = choose_id(&s, policy.allow_annotation)?;
        Ok((s, pid, choice))
    }) {
        Ok(t) => t,
        Err(e) => {
            // Whoever creates the container controls the state's
            // annotations: a bad one must not be a way to run without an ID,
            // so this is fatal even when failures are optional.
            log(&format!("error: {e}; the container must not start"));
            return exit::BAD_INPUT;
        }
    };
    let status = state.status.as_deref().unwrap_or("?");
    let name = &state.id;
    let set = proc.set(pid, id);
    // A hook that cannot set IDs (rootless) cannot write records either.
    if cx.privilege.is_ok() {
        let m = mapping(&state, cx, Op::Start, id, &source, set.is_ok());
        write_mapping(&m, trail, log);
    }
    let e = match set {
        Ok(()) => {
            log(&format!(
                "container {name} (pid {pid}, status {status}): audit container ID {id} set ({source})"
            ));
            return exit::OK;
        }
        Err(e) => e,
    };
    // A hook without the privilege to set IDs (a rootless engine) gives
    // nothing away by starting the container: its processes are the
    // user's own, as they would be without a container.
    if let Err(why) = &cx.privilege {
        return match policy.rootless {
            Rootless::Start => {
                log(&format!(
                    "container {name} (pid {pid}): no audit container ID: {e}; the hook \
                     cannot set IDs ({why}: a rootless engine), so the container starts \
                     without one (rootless = start)"
                ));
                exit::OK
            }
            Rootless::Refuse => {
                log(&format!(
                    "error: container {name}: {e}; the hook cannot set IDs ({why}: a \
                     rootless engine) and its policy is rootless = refuse: the container \
                     must not start"
                ));
                exit::REFUSED
            }
        };
    }
    if let Some(why) = policy.fails_open(|k| annotation(&state, k)) {
        if crate::policy::fail_open_covers(e.errno()) {
            log(&format!(
                "warning: container {name}: {e}; starting it without an audit container ID \
                 because {why}"
            ));
            return exit::OK;
        }
        log(&format!(
            "error: container {name}: {e}; the container must not start: {why}, but \
             fail-open covers only a kernel that cannot give IDs (no module, no hook \
             series) or memory, not a refusal of this container's ID"
        ));
        return exit::REFUSED;
    }
    log(&format!(
        "error: container {name}: {e}; the container must not start without its audit \
         container ID (to start containers without one when IDs cannot be set, give the \
         hook --fail-open or put fail-open = yes in {DEFAULT_CONFIG})"
    ));
    exit::REFUSED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procfs::tests::FakeProc;

    const RUNC: &str = r#"{"ociVersion":"1.0.2-dev","id":"r1","status":"creating","pid":89,"bundle":"/tmp/oci/r1","annotations":{"io.audit-contid.id":"4711"}}"#;
    const CRUN: &str = r#"{"ociVersion":"1.0","id":"c1","pid":114,"root":"/tmp/oci/rootfs","bundle":"/tmp/oci/c1","status":"created"}"#;

    fn state(json: &str) -> State {
        parse_state(json.as_bytes()).unwrap()
    }

    #[test]
    fn parses_runc_and_crun_states() {
        let r = state(RUNC);
        assert_eq!(r.oci_version, "1.0.2-dev");
        assert_eq!(r.id, "r1");
        assert_eq!(r.status.as_deref(), Some("creating"));
        assert_eq!(r.bundle.as_deref(), Some("/tmp/oci/r1"));
        assert_eq!(target_pid(&r), Ok(89));
        assert_eq!(choose_id(&r, true), Ok((4711, Source::Annotation)));
        // crun's state has an extra field ("root") and no annotations.
        let c = state(CRUN);
        assert_eq!(target_pid(&c), Ok(114));
        assert_eq!(
            choose_id(&c, true),
            Ok((15057277148313921755, Source::Derived))
        );
    }

    #[test]
    fn missing_or_bad_pid() {
        for json in [
            r#"{"ociVersion":"1.0","id":"x","status":"creating"}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":0}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":-5}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":4294967296}"#,
        ] {
            let e = target_pid(&state(json)).unwrap_err();
            assert!(matches!(e, InputError::NoPid { .. }), "{json}");
            assert!(e.to_string().contains("createRuntime"), "{e}");
        }
    }

    #[test]
    fn bad_json() {
        for json in [
            "",
            "not json",
            "{",
            r#"{"id":"x","pid":1}"#,
            r#"{"ociVersion":"1.0","pid":1}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":"12"}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":1,"annotations":{"io.audit-contid.id":5}}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":1,"annotations":["a"]}"#,
        ] {
            let e = parse_state(json.as_bytes()).unwrap_err();
            assert!(matches!(e, InputError::BadJson(_)), "{json}");
            assert!(e.to_string().contains("not an OCI container state"), "{e}");
        }
    }

    #[test]
    fn annotation_forms() {
        let with = |v: &str| {
            state(&format!(
                r#"{{"ociVersion":"1.0","id":"x","pid":1,"annotations":{{"other":"1","io.audit-contid.id":{}}}}}"#,
                serde_json::to_string(v).unwrap()
            ))
        };
        assert_eq!(choose_id(&with("0"), true), Ok((0, Source::Annotation)));
        assert_eq!(
            choose_id(&with("18446744073709551614"), true),
            Ok((u64::MAX - 1, Source::Annotation))
        );
        for (bad, why) in [
            ("18446744073709551615", "unset value"),
            ("18446744073709551616", "larger than"),
            ("", "empty"),
            ("abc", "not a decimal number"),
            ("-1", "not a decimal number"),
            (" 5", "not a decimal number"),
        ] {
            let e = choose_id(&with(bad), true).unwrap_err();
            assert!(e.to_string().contains(why), "{bad:?}: {e}");
            assert!(e.to_string().contains(ANNOTATION), "{e}");
            // Not allowed: not even parsed, the ID is derived.
            assert_eq!(
                choose_id(&with(bad), false),
                Ok((derive_id("x"), Source::DerivedIgnoring(bad.to_string()))),
                "{bad:?}"
            );
        }
        assert_eq!(
            choose_id(&with("5"), false),
            Ok((derive_id("x"), Source::DerivedIgnoring("5".to_string())))
        );
        // Other annotations alone, an empty map, or null: derived.
        for json in [
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":{"io.audit-contid.idx":"5"}}"#,
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":{}}"#,
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":null}"#,
        ] {
            for allow in [false, true] {
                assert_eq!(
                    choose_id(&state(json), allow),
                    Ok((5430874918674711225, Source::Derived)),
                    "{json}"
                );
            }
        }
    }

    fn host() -> Context {
        Context {
            privilege: Ok(()),
            old_optional_env: None,
            runtime: Some("runc".to_string()),
            exe: Some("/usr/local/bin/contid".to_string()),
        }
    }

    fn allowing() -> Policy {
        Policy {
            allow_annotation: true,
            ..Policy::default()
        }
    }

    fn run_on(p: &FakeProc, input: &str, policy: &Policy, cx: &Context) -> (u8, Vec<String>) {
        let (code, lines, _) = run_trail(p, input, policy, cx, None);
        (code, lines)
    }

    /// Runs the hook; its mapping records are returned as texts, or fail
    /// with `errno`.
    fn run_trail(
        p: &FakeProc,
        input: &str,
        policy: &Policy,
        cx: &Context,
        errno: Option<i32>,
    ) -> (u8, Vec<String>, Vec<String>) {
        let mut lines = Vec::new();
        let mut records = Vec::new();
        let code = run(
            input.as_bytes(),
            &p.proc(),
            policy,
            cx,
            &mut |m| match errno {
                None => {
                    records.push(m.text());
                    Ok(())
                }
                Some(e) => Err(std::io::Error::from_raw_os_error(e)),
            },
            &mut |l| lines.push(l.to_string()),
        );
        (code, lines, records)
    }

    #[test]
    fn mapping_records() {
        let p = FakeProc::new("hook-mapping");
        p.add(89, "");
        let (code, _, recs) = run_trail(&p, RUNC, &allowing(), &host(), None);
        assert_eq!(code, exit::OK);
        assert_eq!(
            recs,
            [
                "virt=container op=start reason=create vm=\"r1\" uuid=r1 vm-pid=89 contid=4711 \
              contid-from=annotation runtime=\"runc\" bundle=\"/tmp/oci/r1\" \
              exe=\"/usr/local/bin/contid\" hostname=? addr=? terminal=? res=success"
            ]
        );
        // The set fails: a failed start, whatever the container's fate.
        let (code, _, recs) = run_trail(&p, CRUN, &Policy::default(), &host(), None);
        assert_eq!(code, exit::REFUSED);
        assert_eq!(recs.len(), 1);
        assert!(recs[0].starts_with("virt=container op=start reason=create vm=\"c1\" uuid=c1 vm-pid=114 contid=15057277148313921755 contid-from=derived "), "{recs:?}");
        assert!(recs[0].ends_with(" res=failed"), "{recs:?}");
        let open = Policy {
            fail_open: true,
            ..Policy::default()
        };
        let (code, _, recs) = run_trail(&p, CRUN, &open, &host(), None);
        assert_eq!(code, exit::OK);
        assert!(recs[0].ends_with(" res=failed"), "{recs:?}");
        // The poststop stage: a stop record, and no set.
        let stopped = r#"{"ociVersion":"1.0.2","id":"r1","status":"stopped","pid":0,"bundle":"/tmp/oci/r1","annotations":{"io.audit-contid.id":"4711","io.kubernetes.cri.container-name":"web"}}"#;
        let q = FakeProc::new("hook-poststop");
        let (code, lines, recs) = run_trail(&q, stopped, &Policy::default(), &host(), None);
        assert_eq!(code, exit::OK);
        let derived = derive_id("r1");
        assert_eq!(
            recs,
            [format!(
                "virt=container op=stop reason=delete vm=\"web\" uuid=r1 vm-pid=? contid={derived} \
                 contid-from=derived runtime=\"runc\" bundle=\"/tmp/oci/r1\" \
                 k8s-container=\"web\" exe=\"/usr/local/bin/contid\" hostname=? addr=? \
                 terminal=? res=success"
            )]
        );
        assert_eq!(
            lines,
            [format!(
                "container r1 (status stopped): deleted; it had audit container ID {derived}"
            )]
        );
        let (_, _, recs) = run_trail(&q, stopped, &allowing(), &host(), None);
        assert!(
            recs[0].contains(" contid=4711 contid-from=annotation "),
            "{recs:?}"
        );
        // Bad input writes nothing.
        let (code, _, recs) = run_trail(&p, "garbage", &open, &host(), None);
        assert_eq!(code, exit::BAD_INPUT);
        assert!(recs.is_empty());
    }

    #[test]
    fn mapping_failure_is_a_warning() {
        let p = FakeProc::new("hook-mapping-fail");
        p.add(89, "");
        let (code, lines, _) = run_trail(&p, RUNC, &allowing(), &host(), Some(libc::EPERM));
        assert_eq!(code, exit::OK);
        assert_eq!(p.content(89), "4711\n");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(
                "warning: container r1: cannot write its mapping record (VIRT_CONTROL op=start): "
            ),
            "{lines:?}"
        );
        assert!(lines[0].contains("(os error 1)"), "{lines:?}");
        assert!(
            lines[1].contains("audit container ID 4711 set"),
            "{lines:?}"
        );
        // A rootless hook does not try.
        let cx = Context {
            privilege: Err("rootless".to_string()),
            ..host()
        };
        let (code, lines, recs) = run_trail(&p, RUNC, &allowing(), &cx, None);
        assert_eq!(code, exit::OK);
        assert!(recs.is_empty());
        assert_eq!(lines.len(), 1, "{lines:?}");
    }

    #[test]
    fn sets_the_id_and_logs_it() {
        let p = FakeProc::new("hook-set");
        p.add(89, "");
        let (code, lines) = run_on(&p, RUNC, &allowing(), &host());
        assert_eq!(code, exit::OK);
        assert_eq!(p.content(89), "4711\n");
        assert_eq!(
            lines,
            ["container r1 (pid 89, status creating): audit container ID 4711 set (from annotation io.audit-contid.id)"]
        );
    }

    #[test]
    fn annotation_ignored_by_default() {
        let p = FakeProc::new("hook-ignore");
        p.add(89, "");
        let (code, lines) = run_on(&p, RUNC, &Policy::default(), &host());
        assert_eq!(code, exit::OK);
        assert_eq!(p.content(89), format!("{}\n", derive_id("r1")));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with(&format!(
                "audit container ID {} set (derived from the container id; annotation \
                 io.audit-contid.id=\"4711\" ignored: the hook's policy does not let \
                 annotations choose the ID (allow-annotation))",
                derive_id("r1")
            )),
            "{lines:?}"
        );
    }

    #[test]
    fn fails_closed() {
        let p = FakeProc::new("hook-fail");
        // No process 89: the write fails.
        let (code, lines) = run_on(&p, RUNC, &allowing(), &host());
        assert_eq!(code, exit::REFUSED);
        assert!(lines[0].starts_with("error: container r1: cannot set the audit container ID of process 89 to 4711 (ENOENT)"), "{lines:?}");
        assert!(lines[0].contains("must not start"), "{lines:?}");
        assert!(lines[0].contains("--fail-open"), "{lines:?}");
        // Fail-open: a warning, success.
        let open = Policy {
            fail_open: true,
            ..allowing()
        };
        let (code, lines) = run_on(&p, RUNC, &open, &host());
        assert_eq!(code, exit::OK);
        assert!(lines[0].starts_with("warning: container r1: "), "{lines:?}");
        assert!(
            lines[0].ends_with("because the hook's policy is fail-open"),
            "{lines:?}"
        );
    }

    #[test]
    fn fail_open_does_not_cover_a_refusal() {
        // The kernel refuses this container's ID (here: the write fails
        // with EISDIR, standing for ENOTUNIQ, EEXIST, ...): fail-open or
        // not, the container must not start.
        let p = FakeProc::new("hook-refused");
        std::fs::create_dir_all(p.dir.join("89").join("containerid")).unwrap();
        let open = Policy {
            fail_open: true,
            ..allowing()
        };
        let (code, lines) = run_on(&p, RUNC, &open, &host());
        assert_eq!(code, exit::REFUSED);
        assert!(lines[0].starts_with("error: container r1: "), "{lines:?}");
        assert!(
            lines[0].contains(
                "the hook's policy is fail-open, but fail-open covers only a kernel that \
                 cannot give IDs"
            ),
            "{lines:?}"
        );
    }

    #[test]
    fn the_environment_cannot_fail_open() {
        let p = FakeProc::new("hook-env");
        let cx = Context {
            old_optional_env: Some("1".to_string()),
            ..host()
        };
        let (code, lines) = run_on(&p, RUNC, &Policy::default(), &cx);
        assert_eq!(code, exit::REFUSED);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(
                "warning: AUDIT_CONTID_OPTIONAL=\"1\" in the hook's environment is ignored"
            ),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("error: container r1: "), "{lines:?}");
    }

    #[test]
    fn namespace_fails_open() {
        let p = FakeProc::new("hook-ns");
        let policy = Policy {
            fail_open_namespaces: vec!["kube-system".to_string()],
            ..Policy::default()
        };
        let pod = |ns: &str| {
            format!(
                r#"{{"ociVersion":"1.0","id":"k1","pid":77,"annotations":{{"io.kubernetes.cri.sandbox-namespace":"{ns}"}}}}"#
            )
        };
        let (code, lines) = run_on(&p, &pod("kube-system"), &policy, &host());
        assert_eq!(code, exit::OK, "{lines:?}");
        assert!(lines[0].ends_with("because its Kubernetes namespace kube-system (io.kubernetes.cri.sandbox-namespace) fails open"), "{lines:?}");
        let (code, _) = run_on(&p, &pod("default"), &policy, &host());
        assert_eq!(code, exit::REFUSED);
        // It only matters when the ID cannot be set.
        p.add(77, "");
        let (code, lines) = run_on(&p, &pod("kube-system"), &policy, &host());
        assert_eq!(code, exit::OK);
        assert!(lines[0].contains("set (derived"), "{lines:?}");
    }

    #[test]
    fn rootless() {
        let p = FakeProc::new("hook-rootless");
        let cx = Context {
            privilege: Err("it runs in a user namespace other than the initial one".to_string()),
            ..host()
        };
        let (code, lines) = run_on(&p, CRUN, &Policy::default(), &cx);
        assert_eq!(code, exit::OK);
        assert!(
            lines[0].starts_with("container c1 (pid 114): no audit container ID: cannot set"),
            "{lines:?}"
        );
        assert!(lines[0].ends_with("(it runs in a user namespace other than the initial one: a rootless engine), so the container starts without one (rootless = start)"), "{lines:?}");
        let refuse = Policy {
            rootless: Rootless::Refuse,
            ..Policy::default()
        };
        let (code, lines) = run_on(&p, CRUN, &refuse, &cx);
        assert_eq!(code, exit::REFUSED);
        assert!(lines[0].starts_with("error: container c1: "), "{lines:?}");
        assert!(lines[0].contains("rootless = refuse"), "{lines:?}");
        // A hook that can set IDs is never treated as rootless.
        let (code, _) = run_on(&p, CRUN, &Policy::default(), &host());
        assert_eq!(code, exit::REFUSED);
    }

    #[test]
    fn bad_input_is_fatal_even_when_failing_open() {
        let p = FakeProc::new("hook-input");
        p.add(1, "");
        for input in [
            "garbage",
            r#"{"ociVersion":"1.0","id":"x"}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":1,"annotations":{"io.audit-contid.id":"18446744073709551615"}}"#,
        ] {
            for fail_open in [false, true] {
                let policy = Policy {
                    fail_open,
                    ..allowing()
                };
                let (code, lines) = run_on(&p, input, &policy, &host());
                assert_eq!(code, exit::BAD_INPUT, "{input}");
                assert!(lines[0].starts_with("error: "), "{lines:?}");
            }
        }
        assert_eq!(p.content(1), "");
    }
}
