//! IQ Pins content sources: an SSRF-safe fetcher and HTML, feed and CSV extractors.
