//! adf (ascend-docker-factory): build layered container images for Ascend NPU AI stacks from one
//! declarative file.
//!
//! The pipeline, one module each: [`config`] (read, interpolate, expand) → [`model`] (typed
//! images, references, checks) → [`graph`] (DAG, cycles, closure, waves) → [`plan`] (resolved
//! args and parent refs) → engine → verify / publish / export. [`cli`] is the only layer that
//! prints.

pub mod archive;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod diag;
pub mod engine;
pub mod export;
pub mod filehash;
pub mod glob;
pub mod graph;
pub mod knowledge;
pub mod model;
pub mod npu;
pub mod ops;
pub mod plan;
pub mod publish;
pub mod redact;
pub mod render;
pub mod safe_fs;
pub mod shell;
pub mod terminal;
pub mod ui;
pub mod verify;
