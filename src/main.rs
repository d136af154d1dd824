use std::process::ExitCode;

fn main() -> ExitCode {
    provision::run(std::env::args_os())
}
