// The vote log and the rejected log (newest first, paged with the API's cursor), and looking up one
// vote by its voteId.

import {
  $, el, getJson, hora, reasonLabel, refresher, timeCell,
} from './page.js';

export const PAGE_SIZE = 20;
const RAW_SHOWN = 120;

/**
 * A paged, filterable log of `/api/<name>`: its rows go to #<name>, with #no-<name>, #<name>-older and
 * #<name>-newest around it. Only its first page follows the live updates.
 */
function pagedLog(name, config) {
  const body = $(name);
  const empty = $(`no-${name}`);
  const older = $(`${name}-older`);
  const newest = $(`${name}-newest`);
  const state = { filter: '', cursors: [], next: null, seen: new Set() };

  async function load() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (state.filter) params.set(config.filterParam, state.filter);
    const before = state.cursors[state.cursors.length - 1];
    if (before) params.set('before', before);
    const data = await getJson(`/api/${name}?${params}`);
    const items = data[name];
    const firstPage = state.cursors.length === 0;
    body.replaceChildren(...items.map((item) => {
      const tr = config.row(item);
      // Highlight what arrived since the last look, but not on the first load or when paging.
      if (firstPage && state.seen.size > 0 && !state.seen.has(config.key(item))) tr.classList.add('fresh');
      return tr;
    }));
    if (firstPage) state.seen = new Set(items.map(config.key));
    state.next = data.next;
    empty.hidden = items.length > 0;
    older.disabled = !state.next;
    newest.disabled = firstPage;
    if (config.onPage) config.onPage(firstPage);
  }

  const refresh = refresher(name, load, 250);

  /** Back to the newest page, forgetting what was seen. */
  function restart() {
    state.cursors = [];
    state.seen = new Set();
    refresh.request();
  }

  older.addEventListener('click', () => {
    if (!state.next) return;
    state.cursors.push(state.next);
    refresh.request();
  });
  newest.addEventListener('click', restart);
  config.filter.addEventListener('change', () => {
    state.filter = config.filter.value;
    restart();
  });

  return {
    /** A change was announced: only the first page moves. */
    changed() {
      if (state.cursors.length === 0) refresh.request();
    },
    load: refresh.request,
  };
}

function voteRow(vote) {
  const tr = el('tr');
  tr.dataset.voteId = vote.voteId;
  tr.append(
    timeCell(vote.receivedAt),
    el('td', 'name', vote.name),
    el('td', 'name', vote.album),
    el('td', 'num optional', String(vote.year)),
    el('td', 'num', String(vote.rank)),
    el('td', 'optional', vote.channel),
    el('td', 'optional id', vote.voteId),
  );
  return tr;
}

function rejectedRow(entry) {
  const tr = el('tr');
  tr.dataset.rejectedId = entry.id;
  const reason = el('td', null, reasonLabel(entry.reason));
  reason.title = entry.reason;
  const raw = entry.raw || '';
  const rawCell = el('td', 'optional raw', raw.length > RAW_SHOWN ? `${raw.slice(0, RAW_SHOWN)}…` : raw);
  if (raw.length > RAW_SHOWN) rawCell.title = raw;
  tr.append(
    timeCell(entry.rejectedAt),
    reason,
    el('td', null, entry.detail || ''),
    el('td', 'optional id', entry.voteId || '—'),
    rawCell,
  );
  return tr;
}

async function lookup(voteId) {
  const result = $('lookup-result');
  result.replaceChildren(el('p', null, 'Buscando…'));
  try {
    const vote = await getJson(`/api/votes/${encodeURIComponent(voteId)}`);
    const dl = el('dl');
    const fields = [
      ['voteId', vote.voteId],
      ['Hora', hora.format(new Date(vote.receivedAt))],
      ['Banda', vote.name],
      ['Álbum', vote.album],
      ['Año', String(vote.year)],
      ['Calificación', String(vote.rank)],
      ['Canal', vote.channel],
    ];
    if (vote.voterId) fields.push(['Votante', vote.voterId]);
    for (const [name, value] of fields) dl.append(el('dt', null, name), el('dd', null, value));
    result.replaceChildren(el('p', null, 'Voto encontrado:'), dl);
  } catch (error) {
    result.replaceChildren(el('p', null, error.status === 404
      ? `No hay ningún voto con voteId «${voteId}» (o todavía no llegó al registro).`
      : error.message));
  }
}

/** Wires both logs and the lookup form; the logs are returned for the live stream to nudge. */
export function startLogs() {
  const votes = pagedLog('votes', {
    filterParam: 'band',
    filter: $('log-band'),
    key: (vote) => vote.voteId,
    row: voteRow,
    onPage(firstPage) {
      $('log-state').textContent = firstPage
        ? `Los ${PAGE_SIZE} votos más recientes; se actualiza en vivo.`
        : 'Viendo votos anteriores; la actualización en vivo está en pausa. Use «Más recientes» para volver.';
    },
  });
  const rejected = pagedLog('rejected', {
    filterParam: 'reason',
    filter: $('rejected-reason'),
    key: (entry) => entry.id,
    row: rejectedRow,
  });

  $('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const voteId = $('lookup-id').value.trim();
    if (voteId) lookup(voteId);
  });
  for (const id of ['log-form', 'trend-form', 'rejected-form']) {
    $(id).addEventListener('submit', (event) => event.preventDefault());
  }
  votes.load();
  rejected.load();
  return { votes, rejected };
}
