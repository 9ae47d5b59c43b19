// SPDX-License-Identifier: GPL-2.0

//! `contid oci-hook`: the OCI createRuntime hook.
//!
//! The runtime (runc, crun) runs the hook after it has created the
//! container's first process and before that process runs the container's
//! program, with the container's state (OCI runtime spec, "State") on
//! standard input.  The hook picks the container's audit container ID and
//! writes it to /proc/<pid>/containerid.  If it cannot, it fails, and the
//! runtime does not start the container: a container must not run without
//! its ID (fail-closed).  Only the administrator, through the hook's own
//! configuration, can make that failure a warning (`AUDIT_CONTID_OPTIONAL`).

use crate::derive::derive_id;
use crate::exit;
use crate::explain::parse_error;
use crate::procfs::Proc;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The annotation through which a container's creator chooses its ID.
pub const ANNOTATION: &str = "io.audit-contid.id";

/// The environment variable that makes a failure to set the ID a warning.
/// It belongs in the hook's configuration (the `env` of the hook in
/// hooks.d or config.json), which the administrator controls; it is read
/// from the hook's environment only, never from the container's
/// annotations, which whoever creates the container controls.
pub const OPTIONAL_ENV: &str = "AUDIT_CONTID_OPTIONAL";

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Annotation,
    Derived,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Annotation => write!(f, "from annotation {ANNOTATION}"),
            Source::Derived => write!(f, "derived from the container id"),
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

/// The container's ID: the annotation's value when there is one, else the
/// ID derived from the container id (see [`crate::derive`]).
pub fn choose_id(state: &State) -> Result<(u64, Source), InputError> {
    match state.annotations.as_ref().and_then(|a| a.get(ANNOTATION)) {
        Some(value) => contid_logic::value::parse(value.as_bytes())
            .map(|id| (id, Source::Annotation))
            .map_err(|e| InputError::BadAnnotation {
                id: state.id.clone(),
                value: value.clone(),
                why: parse_error(e),
            }),
        None => Ok((derive_id(&state.id), Source::Derived)),
    }
}

/// Whether the value of [`OPTIONAL_ENV`] asks for failures to be warnings.
pub fn optional_from_env(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes")
    )
}

/// Runs the hook on the state `input`: sets the ID through `proc`, reports
/// through `log`, and returns the exit status.
pub fn run(input: &[u8], proc: &Proc, optional: bool, log: &mut dyn FnMut(&str)) -> u8 {
    let (state, pid, (id, source)) = match parse_state(input).and_then(|s| {
        let pid = target_pid(&s)?;
        let choice = choose_id(&s)?;
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
    match proc.set(pid, id) {
        Ok(()) => {
            log(&format!(
                "container {} (pid {pid}, status {status}): audit container ID {id} set ({source})",
                state.id
            ));
            exit::OK
        }
        Err(e) if optional => {
            log(&format!(
                "warning: container {}: {e}; starting it without an audit container \
                 ID because {OPTIONAL_ENV}=1",
                state.id
            ));
            exit::OK
        }
        Err(e) => {
            log(&format!(
                "error: container {}: {e}; the container must not start without its \
                 audit container ID (to start containers without one when IDs cannot \
                 be set, set {OPTIONAL_ENV}=1 in the hook's configuration)",
                state.id
            ));
            exit::REFUSED
        }
    }
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
        assert_eq!(choose_id(&r), Ok((4711, Source::Annotation)));
        // crun's state has an extra field ("root") and no annotations.
        let c = state(CRUN);
        assert_eq!(target_pid(&c), Ok(114));
        assert_eq!(choose_id(&c), Ok((15057277148313921755, Source::Derived)));
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
        assert_eq!(choose_id(&with("0")), Ok((0, Source::Annotation)));
        assert_eq!(
            choose_id(&with("18446744073709551614")),
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
            let e = choose_id(&with(bad)).unwrap_err();
            assert!(e.to_string().contains(why), "{bad:?}: {e}");
            assert!(e.to_string().contains(ANNOTATION), "{e}");
        }
        // Other annotations alone, an empty map, or null: derived.
        for json in [
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":{"io.audit-contid.idx":"5"}}"#,
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":{}}"#,
            r#"{"ociVersion":"1.0","id":"web","pid":1,"annotations":null}"#,
        ] {
            assert_eq!(
                choose_id(&state(json)),
                Ok((5430874918674711225, Source::Derived)),
                "{json}"
            );
        }
    }

    #[test]
    fn optional_values() {
        for v in ["1", "true", "YES", " 1\n"] {
            assert!(optional_from_env(Some(v)), "{v:?}");
        }
        for v in ["", "0", "false", "no", "2"] {
            assert!(!optional_from_env(Some(v)), "{v:?}");
        }
        assert!(!optional_from_env(None));
    }

    fn run_on(p: &FakeProc, input: &str, optional: bool) -> (u8, Vec<String>) {
        let mut lines = Vec::new();
        let code = run(input.as_bytes(), &p.proc(), optional, &mut |l| {
            lines.push(l.to_string())
        });
        (code, lines)
    }

    #[test]
    fn sets_the_id_and_logs_it() {
        let p = FakeProc::new("hook-set");
        p.add(89, "");
        let (code, lines) = run_on(&p, RUNC, false);
        assert_eq!(code, exit::OK);
        assert_eq!(p.content(89), "4711\n");
        assert_eq!(
            lines,
            ["container r1 (pid 89, status creating): audit container ID 4711 set (from annotation io.audit-contid.id)"]
        );
    }

    #[test]
    fn fails_closed() {
        let p = FakeProc::new("hook-fail");
        // No process 89: the write fails.
        let (code, lines) = run_on(&p, RUNC, false);
        assert_eq!(code, exit::REFUSED);
        assert!(lines[0].starts_with("error: container r1: cannot set the audit container ID of process 89 to 4711 (ENOENT)"), "{lines:?}");
        assert!(lines[0].contains("must not start"), "{lines:?}");
        // Optional: a warning, success.
        let (code, lines) = run_on(&p, RUNC, true);
        assert_eq!(code, exit::OK);
        assert!(lines[0].starts_with("warning: container r1: "), "{lines:?}");
        assert!(lines[0].contains("AUDIT_CONTID_OPTIONAL=1"), "{lines:?}");
    }

    #[test]
    fn bad_input_is_fatal_even_when_optional() {
        let p = FakeProc::new("hook-input");
        p.add(1, "");
        for input in [
            "garbage",
            r#"{"ociVersion":"1.0","id":"x"}"#,
            r#"{"ociVersion":"1.0","id":"x","pid":1,"annotations":{"io.audit-contid.id":"18446744073709551615"}}"#,
        ] {
            for optional in [false, true] {
                let (code, lines) = run_on(&p, input, optional);
                assert_eq!(code, exit::BAD_INPUT, "{input}");
                assert!(lines[0].starts_with("error: "), "{lines:?}");
            }
        }
        assert_eq!(p.content(1), "");
    }
}
