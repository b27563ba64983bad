use clap::Parser;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A plan of tens of thousands of images is mostly small allocations (strings, maps, YAML nodes):
/// mimalloc takes a fifth off `adf plan` at that size against glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    use ascend_docker_factory::cli;
    // a closed or full stdout/stderr ends quietly, with the conventional status
    cli::signals::quiet_output_errors();
    let args = cli::Cli::parse();
    let code = catch_unwind(AssertUnwindSafe(|| cli::run(args)))
        .unwrap_or_else(|_| cli::signals::exit_after_panic());
    std::process::exit(code);
}
