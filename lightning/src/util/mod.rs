//! Small utilities shared by every component.

pub mod logger;
