// SPDX-License-Identifier: GPL-2.0

//! contid: set and read audit container IDs; an OCI createRuntime hook.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(contid::run(contid::cli::Cli::parse().command))
}
