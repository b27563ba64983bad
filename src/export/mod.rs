//! export: what adf knows written out for other tools. [`script`] replays a chain's Dockerfile
//! steps as a shell script for hosts without Docker; [`instructions`] reads Dockerfiles the way
//! an exporter needs them. Exporters read the model's build specs and never start processes.

pub mod bake;
pub mod instructions;
pub mod script;
mod steps;
mod words;
