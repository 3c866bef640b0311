//! Spanish phrase tables the generated titles, descriptions, plans and names
//! are composed from. Placeholders, filled by [`fill`] with values drawn once
//! per priority (so a description and its plan agree): `{s}` a sector's
//! name, `{m}` metres or square metres, `{k}` a count, `{a}` a small count,
//! `{c}` hundreds of people or things, `{v}` votes, `{f}` families, `{y}` a
//! year.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::domain::priority::Category;

/// One thing a council may ask for, told the same way in its title, its
/// description and its plan.
pub struct Item {
    /// The title's head: the work asked for.
    pub work: &'static str,
    /// A clause describing the problem, completing "En el sector X, …".
    pub problem: &'static str,
    /// A sentence stating what is needed.
    pub need: &'static str,
    pub objective: &'static str,
    pub goal: &'static str,
    pub resources: &'static str,
}

/// What is said about the priorities of one category.
pub struct Topic {
    pub items: &'static [Item],
    /// The ministry a plan may name as responsible.
    pub ministry: &'static str,
}

/// The phrases of `category`.
pub fn topic(category: Category) -> &'static Topic {
    match category {
        Category::Water => &WATER,
        Category::Electricity => &ELECTRICITY,
        Category::Roads => &ROADS,
        Category::Health => &HEALTH,
        Category::Education => &EDUCATION,
        Category::Security => &SECURITY,
        Category::Housing => &HOUSING,
        Category::Environment => &ENVIRONMENT,
        Category::Gas => &GAS,
        Category::Transport => &TRANSPORT,
        Category::Telecom => &TELECOM,
        Category::Food => &FOOD,
        Category::CultureSport => &CULTURE_SPORT,
        Category::Other => &OTHER,
    }
}

const WATER: Topic = Topic {
    items: &[
        Item {
            work: "Sustitución de la tubería matriz de aguas blancas",
            problem: "la tubería principal tiene más de cuarenta años y presenta fugas constantes",
            need: "Se requiere sustituir {m} metros de tubería de cuatro pulgadas y sus conexiones",
            objective: "Eliminar las fugas y mejorar la presión en la red de distribución",
            goal: "{m} metros de tubería matriz sustituidos",
            resources: "Tubería PEAD de cuatro pulgadas, conexiones y mano de obra comunitaria",
        },
        Item {
            work: "Construcción de un tanque de almacenamiento de agua",
            problem: "las familias reciben agua por tubería solo dos días a la semana",
            need: "Hace falta un tanque de {k} mil litros con su sistema de distribución",
            objective: "Garantizar el suministro continuo de agua potable a la comunidad",
            goal: "Un tanque de {k} mil litros en funcionamiento",
            resources: "Tanque, tubería de distribución y mano de obra comunitaria",
        },
        Item {
            work: "Reparación de la estación de bombeo",
            problem: "la bomba de la estación está dañada y el agua no sube a la parte alta",
            need: "Se necesita reemplazar las bombas y el tablero eléctrico de la estación",
            objective: "Restablecer el bombeo de agua a todos los sectores",
            goal: "Estación de bombeo operativa para {f} familias",
            resources: "Bombas sumergibles, tablero eléctrico y cuadrilla de la hidrológica",
        },
        Item {
            work: "Instalación de tomas domiciliarias de agua potable",
            problem: "la comunidad depende de camiones cisterna desde hace varios meses",
            need: "Se requieren {k} tomas domiciliarias conectadas a la red principal",
            objective: "Conectar las viviendas a la red de agua potable",
            goal: "{k} tomas domiciliarias instaladas",
            resources: "Tubería, llaves de paso y medidores",
        },
        Item {
            work: "Rehabilitación de la red de aguas servidas",
            problem: "las aguas servidas se desbordan en la vía cada vez que llueve",
            need: "Se solicita la limpieza y el reemplazo de {m} metros del colector de cloacas",
            objective: "Sanear la red de aguas servidas del sector",
            goal: "{m} metros de colector rehabilitados",
            resources: "Tubería de concreto, maquinaria y cuadrilla de la hidrológica",
        },
    ],
    ministry: "Ministerio del Poder Popular de Atención de las Aguas",
};

const ELECTRICITY: Topic = Topic {
    items: &[
        Item {
            work: "Sustitución del transformador quemado",
            problem: "el transformador que surte a las viviendas se quemó y no ha sido reemplazado",
            need: "Se requiere un transformador de 75 kVA y el cambio de las crucetas",
            objective: "Restablecer el servicio eléctrico de las viviendas afectadas",
            goal: "Un transformador de 75 kVA instalado para {f} familias",
            resources: "Transformador, crucetas y cuadrilla de Corpoelec",
        },
        Item {
            work: "Instalación de alumbrado público con luminarias LED",
            problem: "las calles permanecen a oscuras por falta de luminarias",
            need: "Hace falta instalar {k} luminarias en las calles principales",
            objective: "Iluminar las calles y espacios públicos del sector",
            goal: "{k} luminarias instaladas",
            resources: "Luminarias LED, brazos metálicos y cableado",
        },
        Item {
            work: "Reparación del tendido eléctrico de baja tensión",
            problem: "el cableado está deteriorado y provoca cortes frecuentes",
            need: "Se necesita sustituir {m} metros de cable de aluminio",
            objective: "Reducir las fallas del servicio eléctrico",
            goal: "{m} metros de tendido eléctrico sustituidos",
            resources: "Cable de aluminio, aisladores y herrajes",
        },
        Item {
            work: "Normalización de las acometidas eléctricas",
            problem: "los bajones de voltaje dañan los electrodomésticos de las familias",
            need: "Se solicita la revisión técnica de la red y la normalización de {k} acometidas",
            objective: "Estabilizar el voltaje en las viviendas",
            goal: "{k} viviendas con acometida normalizada",
            resources: "Cable concéntrico, medidores y cuadrilla de Corpoelec",
        },
        Item {
            work: "Colocación de postes para la red eléctrica",
            problem: "las viviendas nuevas se conectan con cables tendidos sobre los techos",
            need: "Hace falta colocar {a} postes y extender la red de baja tensión",
            objective: "Extender la red eléctrica a todas las viviendas del sector",
            goal: "{a} postes colocados",
            resources: "Postes de concreto, grúa y cuadrilla de Corpoelec",
        },
    ],
    ministry: "Ministerio del Poder Popular para la Energía Eléctrica",
};

const ROADS: Topic = Topic {
    items: &[
        Item {
            work: "Asfaltado de la calle principal",
            problem: "la calle principal tiene huecos que impiden el paso de vehículos",
            need: "Se requiere asfaltar {m} metros lineales de vía",
            objective: "Recuperar la vialidad del sector",
            goal: "{m} metros lineales de vía asfaltados",
            resources: "Mezcla asfáltica, maquinaria y cuadrilla municipal",
        },
        Item {
            work: "Bacheo y construcción de cunetas de drenaje",
            problem: "las lluvias deterioraron la vía y dejaron a la comunidad incomunicada",
            need: "Se necesita bachear la vía y construir {m} metros de cuneta de drenaje",
            objective: "Mejorar el drenaje y la circulación vehicular",
            goal: "{m} metros de cuneta construidos",
            resources: "Mezcla asfáltica, cemento y mano de obra comunitaria",
        },
        Item {
            work: "Construcción de la escalera de concreto",
            problem: "la escalera de acceso está fracturada y es peligrosa para los adultos mayores",
            need: "Hace falta construir {m} metros de escalera con pasamanos",
            objective: "Garantizar el acceso peatonal seguro a la parte alta",
            goal: "{m} metros de escalera construidos",
            resources: "Cemento, cabillas, arena y mano de obra comunitaria",
        },
        Item {
            work: "Construcción de aceras y brocales",
            problem: "no existen aceras y los peatones caminan por la calzada",
            need: "Se solicita la construcción de {m} metros de aceras y brocales",
            objective: "Proteger a los peatones en la vía principal",
            goal: "{m} metros de aceras y brocales construidos",
            resources: "Cemento, piedra picada y encofrado",
        },
        Item {
            work: "Reparación del puente peatonal",
            problem: "el puente peatonal sobre la quebrada tiene las barandas caídas",
            need: "Se requiere sustituir las barandas y reforzar la estructura del puente",
            objective: "Recuperar el paso seguro sobre la quebrada",
            goal: "Un puente peatonal reparado para {f} familias",
            resources: "Perfiles de acero, soldadura y pintura",
        },
    ],
    ministry: "Ministerio del Poder Popular para el Transporte",
};

const HEALTH: Topic = Topic {
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

const EDUCATION: Topic = Topic {
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

const SECURITY: Topic = Topic {
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

const HOUSING: Topic = Topic {
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

const ENVIRONMENT: Topic = Topic {
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

const GAS: Topic = Topic {
    items: &[
        Item {
            work: "Instalación de tubería de gas directo",
            problem: "las familias pasan semanas sin conseguir bombonas de gas",
            need: "Se requiere instalar {m} metros de tubería de gas directo",
            objective: "Garantizar el suministro continuo de gas doméstico",
            goal: "{k} viviendas conectadas al gas directo",
            resources: "Tubería de polietileno, reguladores y cuadrilla de PDVSA Gas",
        },
        Item {
            work: "Punto de distribución de bombonas de gas",
            problem: "el camión de gas llega de forma irregular a la comunidad",
            need: "Hace falta un punto de distribución con despacho quincenal",
            objective: "Garantizar el suministro regular de gas doméstico",
            goal: "{c} bombonas entregadas por mes",
            resources: "Bombonas y camión de distribución",
        },
        Item {
            work: "Reparación de fugas en la red de gas doméstico",
            problem: "la red de gas tiene fugas que ponen en riesgo a los vecinos",
            need: "Se necesita reparar las fugas y cambiar {k} reguladores",
            objective: "Eliminar el riesgo de fugas en la red",
            goal: "{k} reguladores sustituidos",
            resources: "Reguladores, válvulas y cuadrilla de PDVSA Gas",
        },
        Item {
            work: "Ampliación del servicio de gas por tubería",
            problem: "muchas familias cocinan con leña por falta de gas",
            need: "Se solicita extender la red de gas a {k} viviendas",
            objective: "Sustituir el uso de leña por gas",
            goal: "{k} viviendas nuevas con gas por tubería",
            resources: "Tubería, conexiones y mano de obra",
        },
        Item {
            work: "Operativo de sustitución de bombonas",
            problem: "muchas bombonas están oxidadas y tienen las válvulas dañadas",
            need: "Se requiere la sustitución de {k} bombonas deterioradas",
            objective: "Garantizar bombonas seguras a las familias",
            goal: "{k} bombonas sustituidas",
            resources: "Bombonas nuevas y transporte",
        },
    ],
    ministry: "Ministerio del Poder Popular de Petróleo",
};

const TRANSPORT: Topic = Topic {
    items: &[
        Item {
            work: "Nueva ruta de transporte público nocturno",
            problem: "no hay transporte público después de las seis de la tarde",
            need: "Se requiere una ruta con {a} unidades y horario nocturno",
            objective: "Mejorar la movilidad de los habitantes del sector",
            goal: "{a} unidades en circulación hasta las diez de la noche",
            resources: "Autobuses, conductores y combustible",
        },
        Item {
            work: "Construcción de una parada techada",
            problem: "los usuarios esperan el autobús bajo el sol y la lluvia",
            need: "Hace falta construir {a} paradas techadas con bancos",
            objective: "Dar resguardo a los usuarios del transporte",
            goal: "{a} paradas techadas construidas",
            resources: "Estructuras metálicas, láminas de techo y bancos",
        },
        Item {
            work: "Rehabilitación de unidades de transporte comunal",
            problem: "las unidades de transporte comunal están paradas por falta de repuestos",
            need: "Se necesitan repuestos y cauchos para {a} unidades",
            objective: "Recuperar el transporte comunal",
            goal: "{a} unidades reparadas y en servicio",
            resources: "Repuestos, cauchos y baterías",
        },
        Item {
            work: "Asignación de unidades para la ruta escolar",
            problem: "los estudiantes caminan largas distancias para llegar al liceo",
            need: "Se solicita una ruta escolar en la mañana y en la tarde",
            objective: "Garantizar el traslado seguro de los estudiantes",
            goal: "Una ruta escolar para {k} estudiantes",
            resources: "Autobús escolar, conductor y combustible",
        },
        Item {
            work: "Reparación del terminal de pasajeros",
            problem: "el terminal de pasajeros tiene el techo caído y no tiene baños",
            need: "Se requiere reparar el techo, los baños y los andenes del terminal",
            objective: "Recuperar el terminal de pasajeros",
            goal: "Un terminal reparado con {a} andenes",
            resources: "Materiales de construcción y mano de obra",
        },
    ],
    ministry: "Ministerio del Poder Popular para el Transporte",
};

const TELECOM: Topic = Topic {
    items: &[
        Item {
            work: "Instalación de internet comunitario",
            problem: "la comunidad no tiene servicio de internet",
            need: "Hace falta un punto de acceso a internet en la casa comunal",
            objective: "Conectar a la comunidad a internet",
            goal: "Un punto de acceso con {c} usuarios",
            resources: "Equipos de red, antena y conexión satelital",
        },
        Item {
            work: "Reposición del cableado telefónico hurtado",
            problem: "el cable telefónico fue hurtado y las líneas están sin servicio",
            need: "Se requiere reponer {m} metros de cable multipar",
            objective: "Restablecer el servicio telefónico",
            goal: "{c} líneas restablecidas",
            resources: "Cable multipar y cuadrilla de CANTV",
        },
        Item {
            work: "Instalación de una antena de telefonía móvil",
            problem: "la señal de telefonía móvil es muy débil en la zona",
            need: "Se necesita una radiobase que cubra todo el sector",
            objective: "Mejorar la cobertura de telefonía móvil",
            goal: "Una radiobase en funcionamiento",
            resources: "Antena, equipos de radiobase y energía",
        },
        Item {
            work: "Instalación de fibra óptica en las viviendas",
            problem: "los estudiantes no pueden hacer sus tareas en línea",
            need: "Se solicita instalar fibra óptica para {c} viviendas",
            objective: "Llevar internet de alta velocidad a los hogares",
            goal: "{c} viviendas con fibra óptica",
            resources: "Fibra óptica, equipos de red y cuadrilla de CANTV",
        },
        Item {
            work: "Punto de conexión inalámbrica en la plaza",
            problem: "los jóvenes no tienen dónde conectarse a internet",
            need: "Hace falta un punto de conexión inalámbrica gratuito en la plaza",
            objective: "Ofrecer internet gratuito en el espacio público",
            goal: "Un punto inalámbrico con {c} usuarios al mes",
            resources: "Antena inalámbrica, poste y conexión",
        },
    ],
    ministry: "Ministerio del Poder Popular para Ciencia y Tecnología",
};

const FOOD: Topic = Topic {
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

const CULTURE_SPORT: Topic = Topic {
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

const OTHER: Topic = Topic {
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

/// Common municipality names, for municipalities without a listed city.
pub const MUNICIPALITY_NAMES: &[&str] = &[
    "Bolívar",
    "Sucre",
    "Miranda",
    "Urdaneta",
    "Páez",
    "Ribas",
    "Mariño",
    "Piar",
    "Bermúdez",
    "Arismendi",
    "Girardot",
    "Libertador",
    "Independencia",
    "Andrés Bello",
    "Rafael Urdaneta",
    "Zamora",
    "Falcón",
    "Monagas",
    "Cedeño",
    "Guaicaipuro",
    "Simón Rodríguez",
    "José Félix Ribas",
    "Francisco de Miranda",
    "Antonio José de Sucre",
    "Cristóbal Rojas",
    "Pedro Zaraza",
    "Juan José Mora",
    "Carlos Arvelo",
    "Diego Ibarra",
    "San Diego",
    "Santos Michelena",
    "Tovar",
    "Campo Elías",
    "Alberto Adriani",
    "Obispos",
    "Rojas",
    "Sosa",
    "Mara",
    "Baralt",
    "Colón",
    "Catatumbo",
    "Jesús Enrique Lossada",
    "Manuel Ezequiel Bruzual",
    "Pedro Camejo",
    "Rómulo Gallegos",
    "Achaguas",
    "Atures",
    "Manapiare",
    "Sifontes",
    "Gran Sabana",
    "Caroní",
    "Heres",
    "Casacoima",
    "Acosta",
    "Democracia",
    "Unión",
    "Zaraza",
    "Infante",
    "Roscio",
    "Mellado",
    "Torres",
    "Jiménez",
    "Palavecino",
    "Morán",
    "Crespo",
    "Ospino",
    "Turén",
    "Benítez",
    "Cajigal",
    "Junín",
    "Lobatera",
    "Boconó",
    "Carache",
    "Escuque",
    "Nirgua",
    "Peña",
];

/// Common parish names.
pub const PARISH_NAMES: &[&str] = &[
    "Catedral",
    "San José",
    "Santa Rosa",
    "El Carmen",
    "San Juan",
    "La Candelaria",
    "Santa Teresa",
    "San Agustín",
    "El Valle",
    "La Vega",
    "Altagracia",
    "San Pedro",
    "Santa Lucía",
    "Concepción",
    "El Recreo",
    "San Bernardino",
    "La Pastora",
    "San Juan Bautista",
    "Santa Bárbara",
    "San Rafael",
    "San Isidro",
    "Sucre",
    "Bolívar",
    "Urdaneta",
    "Ribas",
    "Miranda",
    "Cristo de Aranza",
    "Chiquinquirá",
    "Juana de Ávila",
    "Coquivacoa",
    "Olegario Villalobos",
    "Cacique Mara",
    "Francisco Eugenio Bustamante",
    "Rafael Urdaneta",
    "Negro Primero",
    "Unión",
    "Independencia",
    "San Blas",
    "Santa Ana",
    "San Miguel",
    "San Antonio",
    "Guadalupe",
    "La Esperanza",
    "El Socorro",
    "Las Delicias",
    "Tacarigua",
    "Caicara",
    "Guasipati",
    "Dalla Costa",
    "Unare",
    "Cachamay",
    "Vista al Sol",
    "Yocoima",
    "Pozo Verde",
    "11 de Abril",
    "Simón Planas",
    "Juan de Villegas",
    "Ana Soto",
    "Tamaca",
    "Aguedo Felipe Alvarado",
    "Buena Vista",
    "Santa Inés",
    "Valentín Valiente",
    "Ayacucho",
    "Gran Mariscal",
    "Raúl Leoni",
    "Padre Noguera",
    "Arias",
    "Lasso de la Vega",
    "Milla",
    "El Llano",
    "Antonio Spinetti Dini",
    "Mariano Picón Salas",
    "Jacinto Plaza",
    "Juan Rodríguez Suárez",
];

/// Names of communal councils, after "Consejo Comunal".
pub const COUNCIL_NAMES: &[&str] = &[
    "La Esperanza",
    "El Progreso",
    "Unidos por el Barrio",
    "Los Próceres",
    "Nueva Aurora",
    "Brisas del Ávila",
    "El Carmen",
    "Manuelita Sáenz",
    "Guaicaipuro",
    "Los Cerritos",
    "Simón Rodríguez",
    "Luisa Cáceres",
    "Santa Inés",
    "La Unión",
    "Camino Nuevo",
    "Josefa Camejo",
    "El Encanto",
    "Las Palmas",
    "Negro Primero",
    "Alí Primera",
    "Argimiro Gabaldón",
    "Fabricio Ojeda",
    "Lanceros de Páez",
    "Hijos de Bolívar",
    "La Victoria",
    "Tierra de Gracia",
    "Los Samanes",
    "Vencedores de Carabobo",
    "Cacique Tiuna",
    "Apacuana",
    "Guerreros del Sur",
    "Sol Naciente",
    "Juntos Venceremos",
    "El Porvenir",
    "Valle Verde",
    "Las Margaritas",
    "La Chinita",
    "Los Cardones",
    "Pueblo Unido",
    "Ezequiel Zamora",
    "José Leonardo Chirino",
    "Cruz Carrillo",
    "Pedro Camejo",
    "Nuevo Amanecer",
    "El Paraíso",
    "San Rafael",
    "Las Acacias",
    "Bella Vista",
    "La Primavera",
    "Los Araguaneyes",
    "Caribes de Oriente",
    "Río Manzanares",
    "Las Flores",
    "Brisas del Lago",
    "Cumbres de Mérida",
    "Llano Adentro",
    "Costa Azul",
    "La Fortaleza",
];

/// A random entry of `table`.
pub fn pick<'a>(rng: &mut ChaCha8Rng, table: &[&'a str]) -> &'a str {
    table[rng.random_range(0..table.len())]
}

/// The values the placeholders of one priority's texts take.
pub struct Fill<'a> {
    pub sector: &'a str,
    pub metres: u32,
    pub count: u32,
    pub few: u32,
    pub people: u32,
    pub votes: u32,
    pub families: u32,
    pub year: u32,
}

impl<'a> Fill<'a> {
    /// Draws every value; `families` as the priority states it, when it does.
    pub fn draw(rng: &mut ChaCha8Rng, sector: &'a str, families: Option<u32>) -> Self {
        Fill {
            sector,
            metres: rng.random_range(2..=60) * 10,
            count: rng.random_range(5..=60),
            few: rng.random_range(2..=12),
            people: rng.random_range(10..=150) * 10,
            votes: rng.random_range(40..=400),
            families: families.unwrap_or_else(|| rng.random_range(20..=600)),
            year: rng.random_range(2019..=2024),
        }
    }
}

/// Appends `template` to `out` with its placeholders filled.
pub fn fill(out: &mut String, template: &str, values: &Fill<'_>) {
    use std::fmt::Write;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let number = match &rest[open + 1..close] {
            "m" => Some(values.metres),
            "k" => Some(values.count),
            "a" => Some(values.few),
            "c" => Some(values.people),
            "v" => Some(values.votes),
            "f" => Some(values.families),
            "y" => Some(values.year),
            _ => None,
        };
        match number {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None if &rest[open + 1..close] == "s" => out.push_str(values.sector),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn every_text() -> Vec<&'static str> {
        let mut all: Vec<&str> = Vec::new();
        for &c in Category::ALL {
            let t = topic(c);
            for i in t.items {
                all.extend([i.work, i.problem, i.need, i.objective, i.goal, i.resources]);
            }
            all.push(t.ministry);
        }
        for table in [
            TITLE_PLACES,
            OPENINGS,
            CLOSINGS,
            SECTORS,
            MUNICIPALITY_NAMES,
            PARISH_NAMES,
            COUNCIL_NAMES,
        ] {
            all.extend(table);
        }
        all
    }

    #[test]
    fn no_phrase_needs_json_escaping_or_is_blank() {
        for s in every_text() {
            assert!(!s.trim().is_empty());
            assert!(
                !s.chars().any(|c| c == '"' || c == '\\' || c.is_control()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let values = Fill::draw(&mut rng, "La Pastora", Some(120));
        let mut out = String::new();
        fill(
            &mut out,
            "{s}: {m} m, {k}, {a}, {c}, {v}, {f}, {y}; {z}",
            &values,
        );
        assert!(out.starts_with("La Pastora: "), "{out}");
        assert!(out.contains(", 120, ") && out.ends_with("; {z}"), "{out}");
        assert_eq!(out.matches('{').count(), 1, "{out}");
    }

    #[test]
    fn every_placeholder_used_is_known() {
        let known = ["{s}", "{m}", "{k}", "{a}", "{c}", "{v}", "{f}", "{y}"];
        for s in every_text() {
            let mut rest = s;
            while let Some(open) = rest.find('{') {
                let close = open + rest[open..].find('}').unwrap();
                assert!(known.contains(&&rest[open..=close]), "{s:?}");
                rest = &rest[close + 1..];
            }
        }
    }

    #[test]
    fn every_category_has_five_items() {
        for &c in Category::ALL {
            assert_eq!(topic(c).items.len(), 5, "{c}");
        }
    }
}
