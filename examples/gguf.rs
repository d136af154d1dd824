//! Reads a GGUF file's header and prints its facts as JSON; or writes the header of
//! one of the real-shape fixtures. Used by `scripts/bench-gguf.sh`.
//!
//! ```text
//! cargo run --example gguf -- FILE                   # facts of FILE (a whole model file)
//! cargo run --example gguf -- --prefix FILE          # FILE is only the start of one
//! cargo run --example gguf -- --fixture NAME FILE    # write fixture NAME's header to FILE
//! ```

use provision::gguf::{self, Facts, Limits, fixtures};
use std::fs::File;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, name, path] if flag == "--fixture" => write_fixture(name, path),
        [flag, path] if flag == "--prefix" => print_facts(path, false),
        [path] => print_facts(path, true),
        _ => Err("usage: gguf [--prefix] FILE | gguf --fixture NAME FILE".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gguf: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `whole`: the file is a whole model file, so its length bounds what the header declares.
fn print_facts(path: &str, whole: bool) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("could not open {path}: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("could not stat {path}: {e}"))?
        .len();
    let limits = Limits {
        file_len: whole.then_some(len),
        ..Limits::default()
    };
    let header = gguf::read_header_from(file, limits).map_err(|e| format!("{path}: {e}"))?;
    let facts = Facts::from_header(&header).map_err(|e| format!("{path}: {e}"))?;
    let json = serde_json::to_string_pretty(&facts).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn write_fixture(name: &str, path: &str) -> Result<(), String> {
    let (_, writer) = fixtures::all()
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("no fixture '{name}'"))?;
    std::fs::write(path, writer.header()).map_err(|e| format!("could not write {path}: {e}"))
}
