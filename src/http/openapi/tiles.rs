//! OGC API – Tiles: the tile matrix sets, each tiled collection's tilesets,
//! its TileJSON, and the tiles.

use serde_json::{Map, Value, json};

use super::op::{Op, path_param, query_params};
use crate::http::extract::{Endpoint, FormatOnly};
use crate::http::tiles::{CLUSTERS_PATH, Clusters, MVT, TILED, TileParams};
use crate::tiles::grid::{MAX_ZOOM, TILE_MATRIX_SET};

pub fn add(paths: &mut Map<String, Value>) {
    let object = json!({"type": "object"});
    let format_only = || query_params(FormatOnly::PARAMS);
    let ids: Vec<&str> = TILED.iter().map(|(id, _)| *id).collect();
    let collection = path_param(
        "collectionId",
        "A tiled collection",
        json!({"type": "string", "enum": ids}),
    );
    let set = path_param(
        "tileMatrixSetId",
        "The tile matrix set",
        json!({"type": "string", "enum": [TILE_MATRIX_SET]}),
    );
    paths.insert(
        "/tileMatrixSets".into(),
        json!({"get": Op::new("The tile matrix sets tiles are served in")
            .params(format_only())
            .ok("200", "The list", &[("application/json", object.clone())])
            .done()}),
    );
    paths.insert(
        "/tileMatrixSets/{tileMatrixSetId}".into(),
        json!({"get": Op::new("A tile matrix set's definition (OGC 2D Tile Matrix Set 2.0, JSON)")
            .params([vec![set.clone()], format_only()].concat())
            .ok("200", "The definition", &[("application/json", object.clone())])
            .errors(&[("404", "No such tile matrix set")])
            .done()}),
    );
    paths.insert(
        "/collections/{collectionId}/tiles".into(),
        json!({"get": Op::new("A collection's vector tilesets")
            .params([vec![collection.clone()], format_only()].concat())
            .ok("200", "The list", &[("application/json", object.clone())])
            .errors(&[("404", "No tiles of this collection")])
            .done()}),
    );
    paths.insert(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}".into(),
        json!({"get": Op::new("A tileset's metadata (OGC API – Tiles)")
            .params([vec![collection.clone(), set.clone()], format_only()].concat())
            .ok("200", "The tileset", &[("application/json", object.clone())])
            .errors(&[("404", "No such collection or tile matrix set")])
            .done()}),
    );
    paths.insert(
        CLUSTERS_PATH.into(),
        json!({"get": Op::new("The clusters of the priorities' vector tiles as GeoJSON points, for clients without vector tiles: every tile of `zoom` meeting `bbox`, clustered as its tile is")
            .params(query_params(Clusters::PARAMS))
            .ok("200", "The clusters, with `numberMatched` the priorities they count", &[(crate::http::GEOJSON, json!({"type": "object"}))])
            .done()}),
    );
    let filters = query_params(TileParams::PARAMS);
    paths.insert(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json".into(),
        json!({"get": Op::new("TileJSON 3.0.0 of a tileset, for MapLibre and Leaflet; the filters given are carried into its tile URL")
            .params([vec![collection.clone(), set.clone()], filters.clone()].concat())
            .ok("200", "The TileJSON document", &[("application/json", object)])
            .errors(&[("404", "No such collection or tile matrix set")])
            .done()}),
    );
    let index = |name: &str, description: &str| {
        path_param(
            name,
            description,
            json!({"type": "integer", "minimum": 0, "maximum": (1u32 << MAX_ZOOM) - 1}),
        )
    };
    let mut tile_params = vec![
        collection,
        set,
        path_param(
            "tileMatrix",
            "The zoom level, 0 to 24",
            json!({"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}),
        ),
        index("tileRow", "The row, 0 to 2^zoom − 1, from the north"),
        index("tileCol", "The column, 0 to 2^zoom − 1, from the west"),
    ];
    tile_params.extend(filters);
    paths.insert(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}".into(),
        json!({"get": Op::new("A Mapbox Vector Tile: the priorities (clusters below the cluster zoom, or past 4,000 in a tile) or a territory level's boundaries with the counts of the priorities the filters select")
            .params(tile_params)
            .ok("200", "The tile", &[(MVT, json!({"type": "string", "format": "binary"}))])
            .empty("204", "Nothing of the collection lies in the tile")
            .errors(&[("404", "No such tile (outside its tile matrix), collection or tile matrix set; `parameter` names the path segment")])
            .done()}),
    );
}
