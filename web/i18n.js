// The page's texts in Spanish (the default) and English. API identifiers
// (categories, statuses, roles) stay as the API names them; their labels
// are translated here.

// The response-time columns of `/statistics` (docs/api.md, "Response times").
const STEPS = {
  es: {
    proposed_to_approved: 'propuesta→aprobación', approved_to_started: 'aprobación→inicio',
    started_to_done: 'inicio→ejecución',
  },
  en: {
    proposed_to_approved: 'proposal→approval', approved_to_started: 'approval→start',
    started_to_done: 'start→completion',
  },
};
const TIME_LABELS = {
  es: { n: (s) => `Casos ${s}`, median_days: (s) => `Días ${s} (mediana)`, p90_days: (s) => `Días ${s} (p90)`,
    open: 'Abiertas', overdue: 'Vencidas', share_overdue: 'Proporción vencidas', as_of: (s) => `A la fecha: ${s}` },
  en: { n: (s) => `Cases ${s}`, median_days: (s) => `Days ${s} (median)`, p90_days: (s) => `Days ${s} (p90)`,
    open: 'Open', overdue: 'Overdue', share_overdue: 'Share overdue', as_of: (s) => `As of the date: ${s}` },
};
const AS_OF = {
  es: {
    proposed: 'propuestas', approved: 'aprobadas', in_progress: 'en ejecución', done: 'ejecutadas',
    rejected: 'rechazadas',
  },
  en: { proposed: 'proposed', approved: 'approved', in_progress: 'in progress', done: 'done', rejected: 'rejected' },
};

function timeColumns(language) {
  const l = TIME_LABELS[language];
  const columns = { open: l.open, overdue: l.overdue, share_overdue: l.share_overdue };
  for (const [step, label] of Object.entries(STEPS[language])) {
    for (const suffix of ['n', 'median_days', 'p90_days']) columns[`${step}_${suffix}`] = l[suffix](label);
  }
  for (const [status, label] of Object.entries(AS_OF[language])) columns[`as_of_${status}`] = l.as_of(label);
  return columns;
}

const TEXTS = {
  es: {
    title: 'Prioridades de los consejos comunales',
    language: 'Idioma',
    filters: 'Filtros',
    state: 'Estado', municipality: 'Municipio', parish: 'Parroquia',
    any: '(todos)', category: 'Categoría', status: 'Estado de la prioridad',
    overdue: 'Solo vencidas', placement: 'Ubicación', from: 'Desde', to: 'Hasta',
    apply: 'Aplicar', clear: 'Limpiar',
    results: (n) => `${n} prioridades`, shown: (n) => `(se muestran ${n})`,
    signIn: 'Entrar', signOut: 'Salir', token: 'Token de acceso',
    signedAs: (role, scope) => `Sesión: ${role}${scope ? ' de ' + scope : ''}`,
    anonymous: 'Sin sesión (solo lectura)',
    card: 'Prioridad', history: 'Historial', close: 'Cerrar', plan: 'Plan de acción',
    noPlan: 'Sin plan', council: 'Consejo comunal', families: 'Familias',
    queue: 'Cola de revisión', queueEmpty: 'No hay propuestas por revisar.',
    approve: 'Aprobar', reject: 'Rechazar', note: 'Nota', send: 'Enviar',
    objective: 'Objetivo', goal: 'Meta', responsibleKind: 'Responsable (tipo)',
    responsibleName: 'Responsable (nombre)', resources: 'Recursos',
    startDate: 'Fecha de inicio', targetDate: 'Fecha meta',
    propose: 'Proponer una prioridad', proposeHint: 'Haga clic en el mapa para ubicarla.',
    titleField: 'Título', description: 'Descripción', located: 'Ubicación elegida',
    created: 'Prioridad creada', approved: 'Prioridad aprobada', rejected: 'Prioridad rechazada',
    mapMissing: 'La biblioteca del mapa (MapLibre GL JS) no se incluyó al compilar el servicio; las listas y fichas funcionan, el mapa no. Vea el README, «El mapa web».',
    review: 'Revisión', workflow: 'Avance', start: 'Iniciar', finish: 'Finalizar', reopen: 'Reabrir',
    moved: (status) => `Estado cambiado: ${status}`, annotate: 'Anotación', addNote: 'Anotar',
    noted: 'Nota registrada', edit: 'Editar la propuesta', save: 'Guardar', saved: 'Cambios guardados',
    councilDistance: 'Distancia al consejo comunal', nearby: (m) => `Otras prioridades abiertas a menos de ${m} m`,
    nearbyNone: 'Ninguna.',
    possibleDuplicates: 'Posibles duplicadas', duplicateOf: 'Duplicada de', openCard: 'Abrir ficha',
    markDuplicate: 'Marcar como duplicada de esta', markedDuplicate: 'Marcada como duplicada',
    markedDuplicates: (n) => `Duplicadas marcadas (${n})`,
    agenda: 'Agenda del consejo', agendaHint: 'Arrastre para ordenar, o use ↑ y ↓; las diez primeras llevan rango.',
    agendaEmpty: 'No hay prioridades abiertas.', up: 'Subir', down: 'Bajar', agendaSaved: 'Orden guardado',
    queueOrder: 'Orden', oldestFirst: 'Las más antiguas primero', byRank: 'Por rango en la agenda',
    statistics: 'Estadísticas', downloadCsv: 'Descargar CSV',
    statsCaption: (level) => `Por ${level}, con los filtros elegidos`,
    levels: { state: 'estado', municipality: 'municipio', parish: 'parroquia' },
    columns: {
      code: 'Código', name: 'Nombre', councils: 'Consejos', councils_with_priorities: 'Consejos con prioridades',
      priorities: 'Prioridades', families: 'Familias', ...timeColumns('es'),
    },
    legendTitle: 'Prioridades por territorio (filtros actuales)',
    shape: 'Forma', shapes: { point: 'Punto', line: 'Línea', polygon: 'Polígono' },
    vertices: (n) => `${n} vértices`, finishDrawing: 'Terminar', cancel: 'Cancelar',
    tooFewVertices: 'Faltan vértices: una línea necesita 2, un polígono 3.',
    placeIt: 'Ubíquela en el mapa.',
    outsideParish: 'Parte de esta ubicación queda fuera de la parroquia de su consejo. ¿Enviarla igual?',
    sendAnyway: 'Enviar igual', notSent: 'No se envió.',
    loading: 'Cargando…', error: 'Error',
    categories: {
      water: 'Agua', electricity: 'Electricidad', roads: 'Vialidad', health: 'Salud',
      education: 'Educación', security: 'Seguridad', housing: 'Vivienda',
      environment: 'Ambiente', gas: 'Gas', transport: 'Transporte', telecom: 'Telecomunicaciones',
      food: 'Alimentación', culture_sport: 'Cultura y deporte', other: 'Otra',
    },
    statuses: {
      proposed: 'Propuesta', approved: 'Aprobada', in_progress: 'En ejecución',
      done: 'Ejecutada', rejected: 'Rechazada', duplicate: 'Duplicada',
    },
    placements: {
      by_council: 'Por consejo', inside_council_parish: 'En la parroquia de su consejo',
      outside_council_parish: 'Fuera de la parroquia de su consejo',
      outside_every_parish: 'Fuera de toda parroquia',
    },
    kinds: {
      ministry: 'Ministerio', governorship: 'Gobernación', mayoralty: 'Alcaldía',
      commune: 'Comuna', council: 'Consejo comunal',
    },
  },
  en: {
    title: "Communal councils' priorities",
    language: 'Language',
    filters: 'Filters',
    state: 'State', municipality: 'Municipality', parish: 'Parish',
    any: '(any)', category: 'Category', status: 'Status',
    overdue: 'Overdue only', placement: 'Placement', from: 'From', to: 'To',
    apply: 'Apply', clear: 'Clear',
    results: (n) => `${n} priorities`, shown: (n) => `(${n} shown)`,
    signIn: 'Sign in', signOut: 'Sign out', token: 'Access token',
    signedAs: (role, scope) => `Signed in: ${role}${scope ? ' of ' + scope : ''}`,
    anonymous: 'Not signed in (read only)',
    card: 'Priority', history: 'History', close: 'Close', plan: 'Action plan',
    noPlan: 'No plan', council: 'Communal council', families: 'Families',
    queue: 'Review queue', queueEmpty: 'Nothing waiting for review.',
    approve: 'Approve', reject: 'Reject', note: 'Note', send: 'Send',
    objective: 'Objective', goal: 'Goal', responsibleKind: 'Responsible (kind)',
    responsibleName: 'Responsible (name)', resources: 'Resources',
    startDate: 'Start date', targetDate: 'Target date',
    propose: 'Propose a priority', proposeHint: 'Click on the map to place it.',
    titleField: 'Title', description: 'Description', located: 'Chosen location',
    created: 'Priority created', approved: 'Priority approved', rejected: 'Priority rejected',
    mapMissing: 'The map library (MapLibre GL JS) was not included when the service was built; lists and cards work, the map does not. See the README, "The web map".',
    review: 'Review', workflow: 'Progress', start: 'Start', finish: 'Finish', reopen: 'Reopen',
    moved: (status) => `Status changed: ${status}`, annotate: 'Annotation', addNote: 'Add note',
    noted: 'Note recorded', edit: 'Edit the proposal', save: 'Save', saved: 'Changes saved',
    councilDistance: 'Distance to the communal council', nearby: (m) => `Other open priorities within ${m} m`,
    nearbyNone: 'None.',
    possibleDuplicates: 'Possible duplicates', duplicateOf: 'Duplicate of', openCard: 'Open card',
    markDuplicate: 'Mark as a duplicate of this one', markedDuplicate: 'Marked as a duplicate',
    markedDuplicates: (n) => `Marked duplicates (${n})`,
    agenda: "Council's agenda", agendaHint: 'Drag to reorder, or use ↑ and ↓; the first ten are ranked.',
    agendaEmpty: 'No open priorities.', up: 'Move up', down: 'Move down', agendaSaved: 'Order saved',
    queueOrder: 'Order', oldestFirst: 'Oldest first', byRank: 'By agenda rank',
    statistics: 'Statistics', downloadCsv: 'Download CSV',
    statsCaption: (level) => `By ${level}, under the chosen filters`,
    levels: { state: 'state', municipality: 'municipality', parish: 'parish' },
    columns: {
      code: 'Code', name: 'Name', councils: 'Councils', councils_with_priorities: 'Councils with priorities',
      priorities: 'Priorities', families: 'Families', ...timeColumns('en'),
    },
    legendTitle: 'Priorities per territory (current filters)',
    shape: 'Shape', shapes: { point: 'Point', line: 'Line', polygon: 'Polygon' },
    vertices: (n) => `${n} vertices`, finishDrawing: 'Finish', cancel: 'Cancel',
    tooFewVertices: 'Too few vertices: a line needs 2, a polygon 3.',
    placeIt: 'Place it on the map.',
    outsideParish: "Part of this location lies outside your council's parish. Send it anyway?",
    sendAnyway: 'Send anyway', notSent: 'Not sent.',
    loading: 'Loading…', error: 'Error',
    categories: {
      water: 'Water', electricity: 'Electricity', roads: 'Roads', health: 'Health',
      education: 'Education', security: 'Security', housing: 'Housing',
      environment: 'Environment', gas: 'Gas', transport: 'Transport', telecom: 'Telecom',
      food: 'Food', culture_sport: 'Culture and sport', other: 'Other',
    },
    statuses: {
      proposed: 'Proposed', approved: 'Approved', in_progress: 'In progress',
      done: 'Done', rejected: 'Rejected', duplicate: 'Duplicate',
    },
    placements: {
      by_council: 'By council', inside_council_parish: "Inside its council's parish",
      outside_council_parish: "Outside its council's parish",
      outside_every_parish: 'Outside every parish',
    },
    kinds: {
      ministry: 'Ministry', governorship: 'Governorship', mayoralty: 'Mayoralty',
      commune: 'Commune', council: 'Communal council',
    },
  },
};

/** The language in use: `es` unless the page was told `en`. */
export let lang = 'es';

/** Chooses the language. */
export function setLang(value) {
  lang = value === 'en' ? 'en' : 'es';
  document.documentElement.lang = lang;
}

/** The text named `key` in the language in use. */
export function t(key, ...args) {
  const value = TEXTS[lang][key];
  return typeof value === 'function' ? value(...args) : value;
}

/** Fills every element marked `data-t` with its text. */
export function translatePage() {
  for (const el of document.querySelectorAll('[data-t]')) {
    el.textContent = t(el.dataset.t);
  }
}
