//! Examples of embedding IQ Pins (see `examples/`).
