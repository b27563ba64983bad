//! `adf config` (the fully resolved file) and `adf schema` (the file's JSON Schema).

use super::args::TargetArgs;
use super::{print_json, GlobalArgs, EXIT_OK};
use crate::render;
use clap::{Args, ValueEnum};

/// The JSON Schema of `dockerfile-compose.yaml`, as `adf init` writes it next to the file.
pub const SCHEMA: &str = include_str!("../../catalog/adf.schema.json");

pub const CONFIG_HELP: &str = "\
Examples:
  adf config                          the whole file, resolved, as YAML
  adf config --format json | jq '.images | keys'
  adf --set ARCH=aarch64 config vllm-ascend-0.9.1-910b
  adf config > resolved.yaml && adf -f resolved.yaml plan

Shows what adf will build, as `docker compose config` and `docker buildx bake --print` do:
variables with this run's values (--set, the environment, defaults), one entry per matrix
combination and per platform (NAME@ARCH), each parent's tag under the base arg, file-level
build_flags and cache settings merged into each image, paths relative to the file. Secrets show
where their value comes from, never the value. Matrix values and the published tags of a
per-platform image are kept under x-adf-* keys, which adf ignores when it reads the file.";

pub const SCHEMA_HELP: &str = "\
Examples:
  adf schema > adf.schema.json

The JSON Schema (draft-07) of dockerfile-compose.yaml, for editors: with the YAML language
server (VS Code's YAML extension, Neovim's yamlls, JetBrains IDEs) put this first line in the
file, as `adf init` does:
  # yaml-language-server: $schema=./adf.schema.json
The schema checks shapes and key names; `adf check` checks everything else.";

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[arg(long, value_enum, default_value_t = ConfigFormat::Yaml)]
    format: ConfigFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ConfigFormat {
    Yaml,
    Json,
}

pub fn config(g: &GlobalArgs, a: ConfigArgs) -> i32 {
    let (p, _, sel) = match super::selection::require_selected(g, false, &a.target) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let value = render::config::config_json(&p, &sel);
    match a.format {
        ConfigFormat::Json => print_json(&value),
        ConfigFormat::Yaml => print!("{}", render::config::yaml_text(&value)),
    }
    EXIT_OK
}

pub fn schema() -> i32 {
    print!("{SCHEMA}");
    EXIT_OK
}
