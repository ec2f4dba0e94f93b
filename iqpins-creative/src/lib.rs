//! IQ Pins creative renderer: 1000x1500 Pin images with a text overlay in a bundled open font.
