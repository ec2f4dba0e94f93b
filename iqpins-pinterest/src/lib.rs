//! IQ Pins' typed Pinterest API v5 client with OAuth, and a local Pinterest emulator (feature emulator).
