//! Benchmarks of IQ Pins live in `benches/benches/`; peers in `benches/peers/`.
