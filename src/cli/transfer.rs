//! `adf login`, `adf save` and `adf load`: moving images by hand, done safely.

use super::{GlobalArgs, EXIT_FAILED};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The registry host[:port], e.g. 127.0.0.1:5001 or swr.cn-south-1.example.com
    pub registry: String,
    /// The user name
    #[arg(short = 'u', long = "username")]
    pub username: String,
    /// Read the password from standard input (the only way adf accepts one)
    #[arg(long)]
    pub password_stdin: bool,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Images to save: names from the file (all their tags) or docker references
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// The archive to write: .tar, .tar.gz (.tgz) or .tar.zst, chosen by extension
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// The archive to load: .tar, .tar.gz (.tgz) or .tar.zst (detected from its first bytes)
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: PathBuf,
    /// The docker CLI to use [env: ADF_DOCKER] [default: docker]
    #[arg(long, value_name = "PATH")]
    pub docker: Option<PathBuf>,
}

pub fn login(_a: LoginArgs) -> i32 {
    eprintln!("adf: login is not implemented yet");
    EXIT_FAILED
}

pub fn save(_g: &GlobalArgs, _a: SaveArgs) -> i32 {
    eprintln!("adf: save is not implemented yet");
    EXIT_FAILED
}

pub fn load(_a: LoadArgs) -> i32 {
    eprintln!("adf: load is not implemented yet");
    EXIT_FAILED
}
