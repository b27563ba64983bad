use clap::Parser;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn main() {
    use ascend_docker_factory::cli;
    // a closed or full stdout/stderr ends quietly, with the conventional status
    cli::signals::quiet_output_errors();
    let args = cli::Cli::parse();
    let code = catch_unwind(AssertUnwindSafe(|| cli::run(args)))
        .unwrap_or_else(|_| cli::signals::exit_after_panic());
    std::process::exit(code);
}
