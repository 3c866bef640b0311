//! What councils ask for their services and ways: water, electricity, gas,
//! telecommunications, roads and transport.

use super::{Item, Topic};

pub(super) const WATER: Topic = Topic {
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

pub(super) const ELECTRICITY: Topic = Topic {
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

pub(super) const GAS: Topic = Topic {
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

pub(super) const TELECOM: Topic = Topic {
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

pub(super) const ROADS: Topic = Topic {
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

pub(super) const TRANSPORT: Topic = Topic {
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
