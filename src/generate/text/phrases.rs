//! The phrases around an item: how a title names the place, how a
//! description opens and closes, and the sectors named.

/// How a title names the place, after the work.
pub const TITLE_PLACES: &[&str] = &[
    "en el sector {s}",
    "del sector {s}",
    "del barrio {s}",
    "en la urbanización {s}",
    "de la comunidad {s}",
];

/// How a description opens, before the problem.
pub const OPENINGS: &[&str] = &[
    "En el sector {s}, ",
    "En el barrio {s}, ",
    "Según el diagnóstico participativo, en {s} ",
    "Los voceros de {s} informan que ",
];

/// Sentences that close a description.
pub const CLOSINGS: &[&str] = &[
    "La prioridad fue aprobada en asamblea de ciudadanos y ciudadanas con {v} votos a favor.",
    "Beneficiará directamente a unas {f} familias de la comunidad.",
    "La comisión de trabajo del consejo comunal levantó el diagnóstico y el presupuesto.",
    "El problema se ha reportado ante los entes competentes desde {y} sin respuesta.",
    "Los voceros se comprometen a aportar mano de obra y a ejercer la contraloría social.",
    "La comunidad cuenta con un proyecto técnico elaborado con apoyo de la sala de autogobierno.",
];

/// Names of neighbourhoods.
pub const SECTORS: &[&str] = &[
    "La Pastora",
    "Los Mangos",
    "El Carmen",
    "San Rafael",
    "Las Flores",
    "Brisas del Lago",
    "La Charneca",
    "Los Cortijos",
    "El Paraíso",
    "Santa Eduvigis",
    "San Martín",
    "La Esperanza",
    "El Progreso",
    "Los Jardines",
    "La Vega",
    "Alto Prado",
    "Los Samanes",
    "Bella Vista",
    "Las Acacias",
    "El Limón",
    "La Floresta",
    "El Trigal",
    "Los Guayabitos",
    "La Candelaria",
    "San Isidro",
    "Santa Rosa",
    "Pueblo Nuevo",
    "Barrio Obrero",
    "Las Brisas",
    "El Silencio",
    "La Concordia",
    "Los Olivos",
    "El Manguito",
    "La Ceiba",
    "Los Cerritos",
    "Campo Alegre",
    "La Montañita",
    "El Placer",
    "Villa Rosa",
    "Las Palmas",
    "La Victoria",
    "El Chaparral",
    "Caña de Azúcar",
    "Los Naranjos",
    "San Blas",
    "La Haciendita",
    "Las Delicias",
    "El Recreo",
    "Los Robles",
    "La Guardia",
    "Valle Verde",
    "La Cruz",
    "Simón Bolívar",
    "24 de Julio",
    "5 de Julio",
    "Sabana Grande",
    "El Valle",
    "Las Mercedes",
    "Guaicaipuro",
    "Los Próceres",
];
