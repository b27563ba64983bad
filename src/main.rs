use clap::Parser;

fn main() {
    let cli = ascend_docker_factory::cli::Cli::parse();
    std::process::exit(ascend_docker_factory::cli::run(cli));
}
