//! Placeholder until the transport lands.
fn main() {}
