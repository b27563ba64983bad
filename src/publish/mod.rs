//! Moving images: push to registries (parents first, digest-aware), login, save and load.

pub mod archive;
pub mod compression;
pub mod login;
pub mod push;
pub mod registry;
