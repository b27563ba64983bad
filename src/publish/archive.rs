//! Image archives: `docker save` / `docker load` through gzip or zstd, chosen by extension.
