//! Python bindings for IQ Pins; the pyo3 module is built in a later step.
