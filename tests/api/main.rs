//! Integration tests: the real application on a temporary SQLite file,
//! driven over HTTP. No mocks: every test talks to a real store and index.
//! `tests/api_postgres/main.rs` runs these same modules on PostgreSQL.

// Tests may unwrap: a panic is how they fail (clippy.toml allows it inside
// #[test] functions; this covers the helpers they call).
#![allow(clippy::unwrap_used)]

mod bad_input;
mod bad_input_bodies;
mod bad_input_catalog;
mod bad_input_limits;
mod bad_input_queries;
mod browser;
mod catalog;
mod catalog_times;
mod changes;
mod demo;
mod doc_examples;
mod duplicates;
mod duplicates_marked;
mod durability;
mod edge;
mod failed_writes;
mod feed;
mod gdal;
mod governance;
mod governance_agendas;
mod governance_history;
mod governance_review;
mod governance_roles;
mod governance_scopes;
mod governance_tokens;
mod governance_workflow;
mod health;
mod helpers;
mod meta;
mod ogc_crs;
mod ogc_editing;
mod ogc_filter;
mod ogc_sort_properties;
mod open311;
mod open311_client;
mod openapi;
mod qgis;
mod qgis_edit;
mod queries;
mod queries_geodesic;
mod queries_pages;
mod replicas;
mod statistics;
mod statistics_csv;
mod statistics_times;
mod territories;
mod territories_cli;
mod territories_features;
mod territories_placement;
mod territories_refused;
mod territories_simplified;
mod tiles;
mod web;
mod web_basemap;
mod webhooks;
mod writes;
mod writes_cors;
mod writes_import;
mod writes_versions;

/// The database every test here runs on.
pub const BACKEND: helpers::Backend = helpers::Backend::Sqlite;
