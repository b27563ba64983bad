//! `adf run`: an image in a container with the host's Ascend NPUs.

use super::args::EngineArgs;
use super::{fail, project, GlobalArgs, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};
use crate::npu::NpuChoice;
use crate::ops::run::{self as ops, Outcome, RunOptions};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

pub const RUN_HELP: &str = "\
Examples:
  adf run yolo-910b                          the image's own command with every NPU of this host
  adf run yolo-910b -- npu-smi info          a command: everything after the image (or after --)
  adf run vllm-ascend --npus 0,1 -- vllm serve /models/qwen --port 8000
  adf run cann-base@arm64 -- uname -m        one platform of a multi-platform image
  adf run --npus none my/img:1 -- pip list   any docker reference, without NPUs
  adf run yolo-910b --run-flag '-v /data:/data' --run-flag '-e HCCL_DEBUG=1'
  adf run yolo-910b --print                  the docker command, one shell-quoted line
  adf run yolo-910b --print --host-root /mnt/node7 --npus 0,1   the command for another host

IMAGE: an image name of the file runs its primary tag (a multi-platform NAME: the variant for
this host's platform; NAME@arm64: that one), and must be built; anything else is a docker
reference. The file is read only when there is one (-f, ADF_FILE, --catalog, or
dockerfile-compose.yaml here or in a parent).
The container gets, as the host's own paths:
  --device  /dev/davinciN of each NPU chosen, /dev/davinci_manager, /dev/devmm_svm, /dev/hisi_hdc
  -v :ro    the driver paths present: /usr/local/dcmi, /usr/local/bin/npu-smi,
            /usr/local/Ascend/driver/lib64, /usr/local/Ascend/driver/version.info,
            /usr/local/Ascend/driver/tools/hccn_tool, /etc/ascend_install.info
  --rm, -it when stdin is a terminal (--run-flag -i to pipe input in), --ipc host and
  --network host (HCCL, shared memory between workers, serving ports); --shm-size applies only
  with another --ipc (host IPC shares the host's /dev/shm).
--npus: default every NPU present (none present: a warning, then no devices); `all` or a list
must find each NPU (exit 2 naming those present); `none` passes no device and no driver path.
--host-root DIR looks for devices and driver files under DIR instead of /.
Exit: the container's exit code (docker's own failures are 125-127); 2 bad input, nothing run.";

#[derive(Args, Debug)]
pub struct RunArgs {
    /// An image name of the file (NAME, NAME@arm64) or a docker reference
    #[arg(value_name = "IMAGE")]
    image: String,
    /// The command to run instead of the image's CMD (after --)
    #[arg(
        value_name = "CMD",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    command: Vec<String>,
    /// NPUs to pass in: `all`, `none` or numbers like 0,1 [default: every NPU present]
    #[arg(long, value_name = "all|none|N,N")]
    npus: Option<NpuChoice>,
    /// Print the docker command (one shell-quoted line) instead of running it
    #[arg(long)]
    print: bool,
    /// Find devices and driver files under DIR instead of / (paths passed stay the host's)
    #[arg(long, value_name = "DIR")]
    host_root: Option<PathBuf>,
    /// Size of /dev/shm when --ipc is not host
    #[arg(long, value_name = "SIZE", default_value = ops::DEFAULT_SHM_SIZE)]
    shm_size: String,
    /// IPC namespace: host, private, shareable, container:NAME
    #[arg(long, value_name = "MODE", default_value = ops::DEFAULT_IPC)]
    ipc: String,
    /// Network: host, none, bridge or a network's name
    #[arg(long, value_name = "NETWORK", default_value = ops::DEFAULT_NETWORK)]
    network: String,
    /// More docker run flags, before the image (repeatable; split on spaces), e.g. --run-flag '-v /data:/data'
    #[arg(long = "run-flag", value_name = "FLAG", allow_hyphen_values = true)]
    run_flags: Vec<String>,
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(g: &GlobalArgs, a: RunArgs) -> i32 {
    let project = match project::has_config(g) {
        true => {
            let p = project::load(g).project;
            if p.is_none() {
                eprintln!(
                    "adf: warning: {} could not be loaded (run `adf check`): `{}` is run as a docker reference",
                    project::config_path(g).display(),
                    a.image
                );
            }
            p
        }
        false => None,
    };
    let opts = RunOptions {
        image: a.image,
        command: a.command,
        npus: a.npus,
        host_root: a.host_root,
        shm_size: a.shm_size,
        ipc: a.ipc,
        network: a.network,
        interactive: std::io::stdin().is_terminal(),
        extra_flags: crate::model::spec::split_words(&a.run_flags),
    };
    let bad = |e: ops::RunError| {
        let code = if e.is_bad_input() {
            EXIT_BAD_INPUT
        } else {
            EXIT_FAILED
        };
        fail(code, &e.to_string(), e.help().as_deref())
    };
    let prepared = match ops::prepare(project.as_ref(), &opts) {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    for w in &prepared.warnings {
        eprintln!("adf: warning: {w}");
    }
    // Ctrl-C reaches the container through docker; adf waits for its exit code
    let _ = super::interrupt_flag();
    let engine = crate::engine::client(&a.engine.options());
    match ops::run(engine.as_ref(), &prepared, a.print) {
        Ok(Outcome::Printed(words)) => {
            println!("{}", crate::render::shell_line(&words));
            EXIT_OK
        }
        Ok(Outcome::Exited(code)) => code,
        Err(e) => bad(e),
    }
}
