// SPDX-License-Identifier: GPL-2.0

//! contid: set and read audit container IDs; an OCI createRuntime hook;
//! as `contid-runc` or `contid-crun`, a runc-compatible runtime wrapper.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    if let Some(name) = contid::wrapper::wrapper_name(&argv0) {
        let rest: Vec<_> = args.collect();
        return ExitCode::from(contid::run_wrapper(&name, &rest));
    }
    ExitCode::from(contid::run(contid::cli::Cli::parse().command))
}
