//! prioridades: stores the geolocated priorities of Venezuela's communal
//! councils, indexes them in an in-memory R-tree, and serves them as GeoJSON
//! through OGC API – Features.
//!
//! Data flows one way: [`http`] parses and validates requests into [`domain`]
//! values; writes go through [`service`], which commits to the [`store`] (the
//! source of truth) and then updates the [`index`]; reads are answered from
//! the index alone.

#![warn(missing_docs)]

pub mod config;
pub mod demo;
pub mod domain;
pub mod generate;
pub mod http;
pub mod import;
pub mod index;
pub mod parallel;
pub mod representation;
pub mod reshape;
pub mod server;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tiles;
