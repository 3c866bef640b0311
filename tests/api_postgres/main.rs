//! The integration tests of `tests/api/` again, each on a database of its own
//! on a real PostgreSQL server: the one whose admin URL is in
//! `PRIORIDADES_TEST_POSTGRES`. Built with `--features postgres-tests`;
//! `scripts/test` starts a throwaway server and runs both targets.

// Tests may unwrap: a panic is how they fail (clippy.toml allows it inside
// #[test] functions; this covers the helpers they call).
#![allow(clippy::unwrap_used)]

#[path = "../api/bad_input.rs"]
mod bad_input;
#[path = "../api/bad_input_bodies.rs"]
mod bad_input_bodies;
#[path = "../api/bad_input_catalog.rs"]
mod bad_input_catalog;
#[path = "../api/bad_input_limits.rs"]
mod bad_input_limits;
#[path = "../api/bad_input_queries.rs"]
mod bad_input_queries;
#[path = "../api/browser.rs"]
mod browser;
#[path = "../api/catalog.rs"]
mod catalog;
#[path = "../api/catalog_times.rs"]
mod catalog_times;
#[path = "../api/changes.rs"]
mod changes;
#[path = "../api/demo.rs"]
mod demo;
#[path = "../api/doc_examples.rs"]
mod doc_examples;
#[path = "../api/duplicates.rs"]
mod duplicates;
#[path = "../api/duplicates_marked.rs"]
mod duplicates_marked;
#[path = "../api/durability.rs"]
mod durability;
#[path = "../api/edge.rs"]
mod edge;
#[path = "../api/failed_writes.rs"]
mod failed_writes;
#[path = "../api/feed.rs"]
mod feed;
#[path = "../api/gdal.rs"]
mod gdal;
#[path = "../api/governance.rs"]
mod governance;
#[path = "../api/governance_agendas.rs"]
mod governance_agendas;
#[path = "../api/governance_history.rs"]
mod governance_history;
#[path = "../api/governance_review.rs"]
mod governance_review;
#[path = "../api/governance_roles.rs"]
mod governance_roles;
#[path = "../api/governance_scopes.rs"]
mod governance_scopes;
#[path = "../api/governance_tokens.rs"]
mod governance_tokens;
#[path = "../api/governance_workflow.rs"]
mod governance_workflow;
#[path = "../api/health.rs"]
mod health;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/meta.rs"]
mod meta;
#[path = "../api/ogc_crs.rs"]
mod ogc_crs;
#[path = "../api/ogc_editing.rs"]
mod ogc_editing;
#[path = "../api/ogc_filter.rs"]
mod ogc_filter;
#[path = "../api/ogc_sort_properties.rs"]
mod ogc_sort_properties;
#[path = "../api/open311.rs"]
mod open311;
#[path = "../api/open311_client.rs"]
mod open311_client;
#[path = "../api/openapi.rs"]
mod openapi;
#[path = "../api/postgis.rs"]
mod postgis;
#[path = "../api/qgis.rs"]
mod qgis;
#[path = "../api/qgis_edit.rs"]
mod qgis_edit;
#[path = "../api/queries.rs"]
mod queries;
#[path = "../api/queries_geodesic.rs"]
mod queries_geodesic;
#[path = "../api/queries_pages.rs"]
mod queries_pages;
#[path = "../api/replicas.rs"]
mod replicas;
#[path = "../api/statistics.rs"]
mod statistics;
#[path = "../api/statistics_csv.rs"]
mod statistics_csv;
#[path = "../api/statistics_times.rs"]
mod statistics_times;
#[path = "../api/territories.rs"]
mod territories;
#[path = "../api/territories_cli.rs"]
mod territories_cli;
#[path = "../api/territories_features.rs"]
mod territories_features;
#[path = "../api/territories_placement.rs"]
mod territories_placement;
#[path = "../api/territories_refused.rs"]
mod territories_refused;
#[path = "../api/territories_simplified.rs"]
mod territories_simplified;
#[path = "../api/tiles.rs"]
mod tiles;
#[path = "../api/web.rs"]
mod web;
#[path = "../api/web_basemap.rs"]
mod web_basemap;
#[path = "../api/webhooks.rs"]
mod webhooks;
#[path = "../api/writes.rs"]
mod writes;
#[path = "../api/writes_cors.rs"]
mod writes_cors;
#[path = "../api/writes_import.rs"]
mod writes_import;
#[path = "../api/writes_versions.rs"]
mod writes_versions;

/// The database every test here runs on.
pub const BACKEND: helpers::Backend = helpers::Backend::Postgres;
