//! Issue 16's reproductions, one module per defect: each ran through the built
//! binary and failed before its fix.

mod input;
