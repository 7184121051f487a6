//! The program's tests on gtest, in one binary, so that gtest's runtime is compiled
//! into one test executable and linked once. `common` deploys the program and talks to
//! it; each other module tests one part of it (docs/building.md lists them).
mod common;

mod artifacts;
mod capacity;
mod docs;
mod model;
mod payloads;
mod profiles;
mod queries;
mod roles;
mod scenarios;
mod streams;
mod tips;
mod watching;
