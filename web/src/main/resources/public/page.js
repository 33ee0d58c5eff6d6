// What every part of the live page shares: number and time formats, building nodes (text only ever
// through textContent or attribute values, so markup in a name stays text), the problem banner, JSON
// reads, and the refresher that paces them.

export const numero = new Intl.NumberFormat('es-GT');
export const decimal = new Intl.NumberFormat('es-GT', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const porcentaje = new Intl.NumberFormat('es-GT', {
  style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1,
});
export const hora = new Intl.DateTimeFormat('es-GT', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const minuto = new Intl.DateTimeFormat('es-GT', { hour: '2-digit', minute: '2-digit' });

const SVG = 'http://www.w3.org/2000/svg';
const BACKENDS = { redis: 'Redis (posiciones y conteos)', mongo: 'MongoDB (registro de votos)' };
const REASONS = {
  unparseable: 'Ilegible',
  invalid: 'Datos inválidos',
  unknown_band: 'Banda desconocida',
  unknown_album: 'Álbum desconocido',
  late: 'Llegó tarde',
  already_voted: 'Ya había votado',
};

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function timeCell(epochMillis) {
  const td = el('td');
  const date = new Date(epochMillis);
  const time = el('time', null, hora.format(date));
  time.dateTime = date.toISOString();
  td.append(time);
  return td;
}

export const reasonLabel = (reason) => REASONS[reason] || reason;
export const votos = (n) => `${numero.format(n)} ${n === 1 ? 'voto' : 'votos'}`;

// ---- The banner: one message per problem, cleared when that part recovers. ----

const problems = new Map();

export function setProblem(key, message) {
  if (message) problems.set(key, message);
  else problems.delete(key);
  const banner = $('banner');
  const messages = [...new Set(problems.values())];
  if (banner.textContent !== messages.join(' ')) banner.textContent = messages.join(' ');
  banner.hidden = messages.length === 0;
}

export const backendMessage = (backend) => (BACKENDS[backend]
  ? `${BACKENDS[backend]} no responde; la página se recuperará sola.`
  : null);

export class HttpError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
  } catch (networkError) {
    throw new HttpError('No hay conexión con el servidor; reintentando…', 0);
  }
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch (notJson) { /* keep the generic message */ }
    throw new HttpError(backendMessage(problem.backend)
      || problem.detail
      || `El servidor respondió ${response.status}; reintentando…`, response.status);
  }
  return response.json();
}

/**
 * Runs `load` at most once at a time and at most once per `minGap` ms; requests made meanwhile fold
 * into one more run. While `load` fails, the banner shows why and it retries with a growing delay.
 */
export function refresher(key, load, minGap) {
  let running = false;
  let again = false;
  let timer = null;
  let last = 0;
  let failures = 0;

  async function run() {
    timer = null;
    running = true;
    last = Date.now();
    try {
      await load();
      failures = 0;
      setProblem(key, null);
    } catch (error) {
      failures += 1;
      setProblem(key, error.message);
      timer = setTimeout(run, Math.min(2000 * failures, 10000));
    } finally {
      running = false;
      if (again) {
        again = false;
        request();
      }
    }
  }

  function request() {
    if (running) {
      again = true;
    } else if (timer === null) {
      timer = setTimeout(run, Math.max(0, last + minGap - Date.now()));
    }
  }

  return { request };
}
