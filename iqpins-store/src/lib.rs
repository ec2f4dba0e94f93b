//! IQ Pins storage: SQLite (embedded default) and Postgres implementations of core's Store, and the token Vault.
