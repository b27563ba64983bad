//! publish: what `adf push` does with one reference (tag mapping under `--to`, the digest skip,
//! retries with backoff), through the engine; the gate and the order live in `ops::push`.

pub mod push;
