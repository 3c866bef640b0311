//! Integration tests: the real application on a temporary SQLite file,
//! driven over HTTP. No mocks: every test talks to a real store and index.

mod bad_input;
mod catalog;
mod demo;
mod durability;
mod helpers;
mod meta;
mod queries;
mod writes;
