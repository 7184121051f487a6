//! The server's process: its flags, its logs, and `app::run`, which serves until
//! Ctrl-C or SIGTERM. Everything else is in the library: generic code a binary
//! instantiates is compiled again for it (release builds share no generics across
//! crates), and serving from here cost every build 40 s more.
use clap::Parser;
use std::process::ExitCode;
use w3bstreaming_signaling::{app, config::Config};

fn main() -> ExitCode {
    let config = Config::parse();
    if let Err(error) = config.check() {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    app::log_to_stderr();
    match app::run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
