//! The `iqpins` command: a thin entry point; everything lives in the library.

fn main() -> std::process::ExitCode {
    iqpins_server::cli::main()
}
