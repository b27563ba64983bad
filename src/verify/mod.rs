//! Tiered verification of built images: static checks from outside the container, the image's own `verify:` commands, and the NPU tier.
