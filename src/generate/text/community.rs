//! What councils ask for their common life: health, education, security,
//! housing, food, culture and sport, the environment, and the rest.

use super::{Item, Topic};

pub(super) const HEALTH: Topic = Topic {
    items: &[
        Item {
            work: "Dotación del consultorio popular",
            problem: "el consultorio popular no cuenta con insumos ni equipos básicos",
            need: "Se requiere dotar el consultorio con camillas, tensiómetros y medicamentos",
            objective: "Garantizar la atención primaria de salud en la comunidad",
            goal: "Un consultorio dotado que atienda a {c} personas al mes",
            resources: "Equipos médicos, insumos y medicamentos",
        },
        Item {
            work: "Rehabilitación del Centro de Diagnóstico Integral",
            problem: "el centro de salud tiene el techo dañado y filtraciones en los consultorios",
            need: "Hace falta impermeabilizar {m} metros cuadrados de techo y reparar los baños",
            objective: "Recuperar la infraestructura del centro de salud",
            goal: "{m} metros cuadrados de techo impermeabilizados",
            resources: "Manto asfáltico, piezas sanitarias y mano de obra",
        },
        Item {
            work: "Jornada de atención médica integral",
            problem: "los pacientes deben trasladarse lejos para recibir atención",
            need: "Se necesita una jornada mensual de atención médica, odontológica y de vacunación",
            objective: "Acercar la atención médica a la comunidad",
            goal: "{c} personas atendidas en jornadas",
            resources: "Personal de salud, unidad móvil e insumos",
        },
        Item {
            work: "Reparación del ambulatorio rural",
            problem: "el ambulatorio está cerrado porque sus paredes y techos están deteriorados",
            need: "Se solicita reparar el ambulatorio y asignar personal médico y de enfermería",
            objective: "Reabrir el ambulatorio con atención diaria",
            goal: "Un ambulatorio abierto de lunes a viernes",
            resources: "Materiales de construcción y personal de salud",
        },
        Item {
            work: "Control de pacientes con enfermedades crónicas",
            problem: "hay muchos adultos mayores sin control de sus enfermedades crónicas",
            need: "Se requiere un censo de pacientes y la entrega mensual de sus tratamientos",
            objective: "Asegurar el tratamiento de los pacientes crónicos",
            goal: "{c} pacientes con tratamiento mensual",
            resources: "Medicamentos, glucómetros y tensiómetros",
        },
    ],
    ministry: "Ministerio del Poder Popular para la Salud",
};

pub(super) const EDUCATION: Topic = Topic {
    items: &[
        Item {
            work: "Rehabilitación de la escuela bolivariana",
            problem: "la escuela tiene las aulas deterioradas y sin ventilación",
            need: "Se requiere reparar {a} aulas, el techo y la instalación eléctrica",
            objective: "Recuperar la planta física de la institución educativa",
            goal: "{a} aulas rehabilitadas",
            resources: "Materiales de construcción, pintura y material eléctrico",
        },
        Item {
            work: "Dotación de pupitres y pizarras para el liceo",
            problem: "los estudiantes reciben clases sin pupitres suficientes",
            need: "Hace falta dotar la institución con {k} pupitres y {a} pizarras acrílicas",
            objective: "Mejorar las condiciones de estudio de los estudiantes",
            goal: "{k} pupitres y {a} pizarras entregados",
            resources: "Mobiliario escolar y transporte",
        },
        Item {
            work: "Reparación de los baños de la escuela",
            problem: "los baños de la escuela están fuera de servicio",
            need: "Se necesita reparar las tuberías y sustituir {a} piezas sanitarias",
            objective: "Recuperar los servicios sanitarios de la escuela",
            goal: "{a} piezas sanitarias sustituidas",
            resources: "Piezas sanitarias, tubería y mano de obra",
        },
        Item {
            work: "Construcción de un aula para educación inicial",
            problem: "los niños de educación inicial no tienen un aula propia",
            need: "Se solicita construir un aula de 60 metros cuadrados con baño",
            objective: "Atender a los niños de educación inicial en un espacio adecuado",
            goal: "Un aula construida para {k} niños",
            resources: "Bloques, cemento, cabillas y techo",
        },
        Item {
            work: "Reactivación del comedor escolar",
            problem: "muchos estudiantes asisten a clases sin haber comido",
            need: "Hace falta reparar la cocina y garantizar los alimentos del comedor",
            objective: "Garantizar la alimentación escolar",
            goal: "Comedor atendiendo a {c} estudiantes",
            resources: "Equipos de cocina y alimentos del PAE",
        },
    ],
    ministry: "Ministerio del Poder Popular para la Educación",
};

pub(super) const SECURITY: Topic = Topic {
    items: &[
        Item {
            work: "Iluminación de los puntos oscuros",
            problem: "se han registrado robos en los puntos oscuros de la zona",
            need: "Se requiere iluminar {a} puntos críticos identificados por la comunidad",
            objective: "Reducir los delitos en las zonas oscuras del sector",
            goal: "{a} puntos críticos iluminados",
            resources: "Luminarias, postes y cableado",
        },
        Item {
            work: "Instalación de un módulo de seguridad ciudadana",
            problem: "no hay presencia policial permanente en la comunidad",
            need: "Hace falta un módulo policial con patrullaje diario",
            objective: "Mejorar la convivencia y la seguridad del sector",
            goal: "Un módulo de seguridad operativo las 24 horas",
            resources: "Módulo prefabricado, mobiliario y funcionarios del cuadrante de paz",
        },
        Item {
            work: "Instalación de cámaras de vigilancia comunitaria",
            problem: "los vecinos denuncian hurtos frecuentes de cables y motos",
            need: "Se necesita instalar {a} cámaras conectadas al cuadrante de paz",
            objective: "Disuadir los hurtos en el sector",
            goal: "{a} cámaras instaladas y monitoreadas",
            resources: "Cámaras, grabador y conexión a internet",
        },
        Item {
            work: "Recuperación de espacios públicos abandonados",
            problem: "un terreno abandonado se convirtió en un punto de riesgo",
            need: "Se solicita limpiar el terreno y convertirlo en un espacio recreativo",
            objective: "Recuperar los espacios públicos para la comunidad",
            goal: "{m} metros cuadrados de espacio público recuperados",
            resources: "Maquinaria, cercado y brigadas comunitarias",
        },
        Item {
            work: "Instalación de reductores de velocidad",
            problem: "los vehículos circulan a alta velocidad frente a la escuela",
            need: "Se requiere construir {a} reductores de velocidad y colocar señalización",
            objective: "Proteger a los peatones en la zona escolar",
            goal: "{a} reductores de velocidad construidos",
            resources: "Mezcla asfáltica, pintura de tráfico y señales",
        },
    ],
    ministry: "Ministerio del Poder Popular para Relaciones Interiores, Justicia y Paz",
};

pub(super) const HOUSING: Topic = Topic {
    items: &[
        Item {
            work: "Sustitución de ranchos por viviendas dignas",
            problem: "varias familias viven en ranchos de zinc y bahareque",
            need: "Se requiere sustituir {a} ranchos por viviendas de dos habitaciones",
            objective: "Sustituir viviendas precarias por viviendas dignas",
            goal: "{a} viviendas sustituidas",
            resources: "Bloques, cemento, cabillas y láminas de techo",
        },
        Item {
            work: "Impermeabilización de techos de las viviendas",
            problem: "las viviendas tienen filtraciones en los techos durante la temporada de lluvias",
            need: "Hace falta impermeabilizar {k} techos con manto asfáltico",
            objective: "Mejorar las condiciones de habitabilidad de las familias",
            goal: "{k} techos impermeabilizados",
            resources: "Manto asfáltico, pintura y mano de obra comunitaria",
        },
        Item {
            work: "Rehabilitación de fachadas y pintura de los bloques",
            problem: "las fachadas de los bloques están deterioradas y con grietas",
            need: "Se necesita frisar y pintar las fachadas de {a} edificios",
            objective: "Recuperar las fachadas de los edificios",
            goal: "{a} edificios con fachadas rehabilitadas",
            resources: "Cemento, pintura y andamios",
        },
        Item {
            work: "Construcción de un muro de contención",
            problem: "un deslizamiento de tierra amenaza las viviendas de la ladera",
            need: "Se requiere construir {m} metros de muro de contención",
            objective: "Proteger las viviendas en zonas de riesgo",
            goal: "{m} metros de muro construidos",
            resources: "Concreto, cabillas y maquinaria",
        },
        Item {
            work: "Reparación de viviendas afectadas por las lluvias",
            problem: "las lluvias dañaron paredes y techos de varias casas",
            need: "Se solicitan materiales para reparar {k} viviendas",
            objective: "Atender a las familias afectadas por las lluvias",
            goal: "{k} viviendas reparadas",
            resources: "Materiales de construcción de la Gran Misión Vivienda Venezuela",
        },
    ],
    ministry: "Ministerio del Poder Popular para Hábitat y Vivienda",
};

pub(super) const FOOD: Topic = Topic {
    items: &[
        Item {
            work: "Distribución regular de alimentos por el CLAP",
            problem: "la bolsa de alimentos llega de forma irregular a las familias",
            need: "Se requiere la entrega mensual de {c} bolsas de alimentos",
            objective: "Garantizar el acceso a los alimentos de las familias",
            goal: "{c} familias atendidas por mes",
            resources: "Alimentos, transporte y almacenamiento",
        },
        Item {
            work: "Construcción de un huerto urbano",
            problem: "la comunidad tiene un terreno ocioso apto para sembrar",
            need: "Hace falta un huerto de {m} metros cuadrados con sistema de riego",
            objective: "Producir alimentos en la comunidad",
            goal: "{m} metros cuadrados sembrados",
            resources: "Semillas, herramientas y sistema de riego",
        },
        Item {
            work: "Reactivación de la casa de alimentación",
            problem: "la casa de alimentación cerró por falta de insumos",
            need: "Se necesitan insumos para atender a {c} comensales diarios",
            objective: "Atender a la población vulnerable",
            goal: "{c} comensales diarios",
            resources: "Equipos de cocina e insumos",
        },
        Item {
            work: "Mercado comunal a cielo abierto",
            problem: "los precios de los alimentos son muy altos en los comercios cercanos",
            need: "Se solicita un mercado comunal cada quince días",
            objective: "Acercar alimentos a precios justos",
            goal: "Dos mercados comunales al mes con {k} productores",
            resources: "Toldos, transporte y productores locales",
        },
        Item {
            work: "Dotación de la panadería comunal",
            problem: "la panadería comunal tiene el horno dañado",
            need: "Se requiere reparar el horno y dotar la panadería con harina",
            objective: "Producir pan a precio solidario",
            goal: "{c} panes diarios",
            resources: "Horno, amasadora y harina",
        },
    ],
    ministry: "Ministerio del Poder Popular para la Alimentación",
};

pub(super) const CULTURE_SPORT: Topic = Topic {
    items: &[
        Item {
            work: "Rehabilitación de la cancha deportiva",
            problem: "la cancha está deteriorada y sin iluminación",
            need: "Se requiere reparar el piso, los tableros y la iluminación de la cancha",
            objective: "Promover el deporte y la recreación de los jóvenes",
            goal: "Una cancha rehabilitada para {c} usuarios",
            resources: "Pintura, tableros y luminarias",
        },
        Item {
            work: "Creación de una escuela de música comunitaria",
            problem: "los jóvenes no tienen espacios para actividades culturales",
            need: "Hace falta dotar la escuela de música con {k} instrumentos",
            objective: "Fortalecer la cultura en la comunidad",
            goal: "{k} niños y jóvenes en la escuela de música",
            resources: "Instrumentos musicales y facilitadores",
        },
        Item {
            work: "Dotación de la biblioteca comunal",
            problem: "la biblioteca comunal no tiene libros ni mobiliario",
            need: "Se necesitan {c} libros y estantes para la biblioteca",
            objective: "Fomentar la lectura en la comunidad",
            goal: "{c} libros en la biblioteca",
            resources: "Libros, estantes y mobiliario",
        },
        Item {
            work: "Construcción de un parque infantil",
            problem: "los niños no tienen un parque seguro donde jugar",
            need: "Se solicita construir un parque con juegos y bancos",
            objective: "Recuperar los espacios recreativos",
            goal: "Un parque infantil con {a} juegos",
            resources: "Juegos infantiles, bancos y cercado",
        },
        Item {
            work: "Techado de la cancha de usos múltiples",
            problem: "las actividades deportivas se suspenden cada vez que llueve",
            need: "Se requiere techar {m} metros cuadrados de la cancha",
            objective: "Permitir el uso de la cancha todo el año",
            goal: "{m} metros cuadrados de cancha techados",
            resources: "Estructura metálica y láminas de techo",
        },
    ],
    ministry: "Ministerio del Poder Popular para la Juventud y el Deporte",
};

pub(super) const ENVIRONMENT: Topic = Topic {
    items: &[
        Item {
            work: "Recolección de desechos sólidos",
            problem: "la basura se acumula durante semanas porque el aseo urbano no pasa",
            need: "Se requiere un operativo de recolección y {a} contenedores",
            objective: "Sanear el ambiente de la comunidad",
            goal: "{k} toneladas de desechos recolectadas",
            resources: "Camión compactador, contenedores y personal de aseo",
        },
        Item {
            work: "Saneamiento de la quebrada",
            problem: "la quebrada está llena de desechos y produce malos olores",
            need: "Hace falta limpiar {m} metros del cauce de la quebrada",
            objective: "Recuperar la quebrada y sus márgenes",
            goal: "{m} metros de cauce saneados",
            resources: "Maquinaria y brigadas comunitarias",
        },
        Item {
            work: "Reforestación de la zona protectora",
            problem: "la deforestación de la ladera aumenta el riesgo de deslaves",
            need: "Se necesita sembrar {c} árboles de especies autóctonas",
            objective: "Reducir el riesgo de deslaves en la ladera",
            goal: "{c} árboles sembrados",
            resources: "Plantas del vivero, herramientas y brigadas",
        },
        Item {
            work: "Eliminación del vertedero a cielo abierto",
            problem: "un vertedero improvisado genera plagas y enfermedades",
            need: "Se solicita retirar los desechos y cercar el terreno del vertedero",
            objective: "Eliminar el foco de contaminación del sector",
            goal: "Un vertedero eliminado y {m} metros cuadrados recuperados",
            resources: "Maquinaria pesada, camiones y cercado",
        },
        Item {
            work: "Instalación de puntos de reciclaje",
            problem: "los vecinos separan sus desechos pero no hay dónde llevarlos",
            need: "Se requiere instalar {a} puntos de reciclaje con recolección semanal",
            objective: "Reducir los desechos que llegan al vertedero",
            goal: "{a} puntos de reciclaje en funcionamiento",
            resources: "Contenedores diferenciados y transporte",
        },
    ],
    ministry: "Ministerio del Poder Popular para el Ecosocialismo",
};

pub(super) const OTHER: Topic = Topic {
    items: &[
        Item {
            work: "Construcción de la casa comunal",
            problem: "el consejo comunal no tiene un espacio para reunirse",
            need: "Se requiere construir una casa comunal de {m} metros cuadrados",
            objective: "Fortalecer la organización comunitaria",
            goal: "Una casa comunal de {m} metros cuadrados",
            resources: "Materiales de construcción y mano de obra",
        },
        Item {
            work: "Actualización del censo comunitario",
            problem: "el censo comunitario tiene más de cinco años sin actualizarse",
            need: "Hace falta actualizar el censo de las {f} familias del sector",
            objective: "Contar con información actualizada de la comunidad",
            goal: "{f} familias censadas",
            resources: "Formularios, equipos y encuestadores",
        },
        Item {
            work: "Rehabilitación de la plaza",
            problem: "la plaza está abandonada y sin mantenimiento",
            need: "Se necesita recuperar las áreas verdes, los bancos y la iluminación",
            objective: "Recuperar los espacios de encuentro",
            goal: "Una plaza rehabilitada de {m} metros cuadrados",
            resources: "Pintura, luminarias, bancos y plantas",
        },
        Item {
            work: "Instalación de la sala de autogobierno",
            problem: "la comunidad no tiene dónde sistematizar sus proyectos",
            need: "Se solicita dotar la sala de autogobierno con computadoras e impresora",
            objective: "Mejorar la gestión de los proyectos comunales",
            goal: "Una sala de autogobierno con {a} computadoras",
            resources: "Computadoras, impresora y mobiliario",
        },
        Item {
            work: "Formación de voceros en contraloría social",
            problem: "los voceros necesitan formación para gestionar los proyectos",
            need: "Se requiere un taller de formación para {k} voceros",
            objective: "Fortalecer la contraloría social",
            goal: "{k} voceros formados",
            resources: "Facilitadores y materiales de formación",
        },
    ],
    ministry: "Ministerio del Poder Popular para las Comunas",
};
