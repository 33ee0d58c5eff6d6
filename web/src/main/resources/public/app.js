// Quetzal live page. The server pushes the standings and counters over SSE (/api/events) within a
// second of Redis changing; the page then re-reads the logs from the JSON API, one request at a time.
// Names, details and raw records are user input: they are only ever set with textContent or as
// attribute values, so markup in them stays text.
'use strict';

(() => {
  const PAGE_SIZE = 20;
  const TREND_MINUTES = 30;
  /** The sinks write MongoDB after Redis: look at the log once more when the changes settle. */
  const SETTLE_MS = 1500;
  const SVG = 'http://www.w3.org/2000/svg';

  const numero = new Intl.NumberFormat('es-GT');
  const decimal = new Intl.NumberFormat('es-GT', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const porcentaje = new Intl.NumberFormat('es-GT', {
    style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1,
  });
  const hora = new Intl.DateTimeFormat('es-GT', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const minuto = new Intl.DateTimeFormat('es-GT', { hour: '2-digit', minute: '2-digit' });
  const BACKENDS = { redis: 'Redis (posiciones y conteos)', mongo: 'MongoDB (registro de votos)' };
  const REASONS = {
    unparseable: 'Ilegible',
    invalid: 'Datos inválidos',
    unknown_band: 'Banda desconocida',
    unknown_album: 'Álbum desconocido',
    late: 'Llegó tarde',
    already_voted: 'Ya había votado',
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function timeCell(epochMillis) {
    const td = el('td');
    const date = new Date(epochMillis);
    const time = el('time', null, hora.format(date));
    time.dateTime = date.toISOString();
    td.append(time);
    return td;
  }

  const reasonLabel = (reason) => REASONS[reason] || reason;
  const votos = (n) => `${numero.format(n)} ${n === 1 ? 'voto' : 'votos'}`;

  // ---- The banner: one message per problem, cleared when that part recovers. ----

  const problems = new Map();

  function setProblem(key, message) {
    if (message) problems.set(key, message);
    else problems.delete(key);
    const banner = $('banner');
    const messages = [...new Set(problems.values())];
    if (banner.textContent !== messages.join(' ')) banner.textContent = messages.join(' ');
    banner.hidden = messages.length === 0;
  }

  const backendMessage = (backend) => (BACKENDS[backend]
    ? `${BACKENDS[backend]} no responde; la página se recuperará sola.`
    : null);

  class HttpError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function getJson(url) {
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
  function refresher(key, load, minGap) {
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

  // ---- Standings and status (from the pushed snapshot). ----

  const rows = new Map(); // band name → its list item and the parts that change

  function bandRow(name) {
    const li = el('li', 'band');
    li.dataset.band = name;
    const head = el('div', 'band-head');
    const title = el('span', 'band-title');
    const rank = el('span', 'band-rank');
    title.append(rank, el('span', 'band-name', name));
    head.append(title);
    const figures = el('span', 'band-figures');
    const total = el('span', 'band-total');
    const share = el('span', 'band-share');
    figures.append(total, ' · ', share);
    head.append(figures);
    const track = el('div', 'bar-track');
    track.setAttribute('aria-hidden', 'true');
    const bar = el('div', 'bar');
    track.append(bar);

    const details = el('details', 'albums');
    const summary = el('summary', null, 'Álbumes');
    const table = el('table', 'data');
    const caption = el('caption', 'visually-hidden', `Álbumes de ${name}, el más votado primero`);
    const thead = el('thead');
    const headRow = el('tr');
    for (const [text, cls] of [['Álbum', null], ['Votos', 'num'], ['Calificación promedio', 'num']]) {
      const th = el('th', cls, text);
      th.scope = 'col';
      headRow.append(th);
    }
    thead.append(headRow);
    const albums = el('tbody');
    table.append(caption, thead, albums);
    details.append(summary, table);
    li.append(head, track, details);
    return { li, rank, total, share, bar, summary, albums, details };
  }

  function renderAlbums(row, albums) {
    row.summary.textContent = albums.length === 1 ? 'Álbumes (1)' : `Álbumes (${albums.length})`;
    row.details.hidden = albums.length === 0;
    row.albums.replaceChildren(...albums.map((album) => {
      const tr = el('tr');
      const th = el('th', null, album.album);
      th.scope = 'row';
      tr.append(
        th,
        el('td', 'num', numero.format(album.count)),
        el('td', 'num', decimal.format(album.rankAverage)),
      );
      return tr;
    }));
  }

  function renderStandings(standings) {
    const list = $('standings');
    const seen = new Set();
    let place = 0;
    standings.bands.forEach((band, i) => {
      let row = rows.get(band.name);
      if (!row) {
        row = bandRow(band.name);
        rows.set(band.name, row);
      }
      // Tied bands share a place; a band without votes has none yet (a catalog lists it at 0).
      if (i === 0 || band.total !== standings.bands[i - 1].total) place = i + 1;
      row.rank.textContent = band.total > 0 ? `${place}.` : '';
      row.total.textContent = votos(band.total);
      row.share.textContent = porcentaje.format(band.share);
      row.bar.style.width = `${(band.share * 100).toFixed(2)}%`; // CSSOM, allowed by the CSP
      renderAlbums(row, band.albums || []);
      // Only items out of place move (details stay open); a contest of hundreds of bands would
      // otherwise re-insert every item on every push.
      if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] || null);
      seen.add(band.name);
    });
    for (const [name, row] of rows) {
      if (!seen.has(name)) {
        row.li.remove();
        rows.delete(name);
      }
    }
    // A catalog lists its bands at 0 before the first vote, so "no votes" is about the total.
    $('empty').hidden = standings.total > 0;
    const [first, second] = standings.bands;
    let leader = '';
    if (first && first.total > 0) {
      leader = second && second.total === first.total ? ' · empate en el primer lugar' : ` · va ganando ${first.name}`;
    }
    $('summary').textContent = `Total: ${votos(standings.total)}${leader}`;
    updateOptions($('log-band'), standings.bands.map((b) => b.name), (name) => name);
    updateOptions($('trend-band'), standings.bands.map((b) => b.name), (name) => name);
  }

  function renderStats(stats) {
    $('stat-rate').textContent = decimal.format(stats.votesPerSecond);
    $('stat-accepted').textContent = numero.format(stats.accepted);
    $('stat-rejected').textContent = numero.format(stats.rejected);
    $('stat-duplicates').textContent = numero.format(stats.duplicates);
    $('stat-updated').textContent = stats.updatedAt ? hora.format(new Date(stats.updatedAt)) : 'sin datos';
    const reasons = Object.entries(stats.rejectedByReason || {});
    $('reasons').replaceChildren(...reasons.map(([reason, count]) => {
      const li = el('li');
      li.append(el('strong', null, `${reasonLabel(reason)}:`), ` ${numero.format(count)}`);
      return li;
    }));
    updateOptions($('rejected-reason'), reasons.map(([reason]) => reason), reasonLabel);
  }

  /** Keeps a select's options (after the first, "all") equal to `values`, alphabetically, keeping the choice. */
  function updateOptions(select, values, label) {
    const wanted = [...values].sort((a, b) => label(a).localeCompare(label(b), 'es'));
    const current = [...select.options].slice(1).map((option) => option.value);
    if (wanted.length === current.length && wanted.every((value, i) => value === current[i])) return;
    const chosen = select.value;
    const options = wanted.map((value) => {
      const option = el('option', null, label(value));
      option.value = value;
      return option;
    });
    if (chosen && !wanted.includes(chosen)) {
      const kept = el('option', null, label(chosen));
      kept.value = chosen;
      options.push(kept);
    }
    select.replaceChildren(select.options[0], ...options);
    select.value = chosen;
  }

  // ---- The vote log and the rejected log: newest first, paged with the API's cursor. ----

  /** A paged, filterable log. Only its first page follows the live updates. */
  function pagedLog(config) {
    const state = { filter: '', cursors: [], next: null, seen: new Set() };

    async function load() {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (state.filter) params.set(config.filterParam, state.filter);
      const before = state.cursors[state.cursors.length - 1];
      if (before) params.set('before', before);
      const data = await getJson(`${config.url}?${params}`);
      const items = data[config.field];
      const firstPage = state.cursors.length === 0;
      config.body.replaceChildren(...items.map((item) => {
        const tr = config.row(item);
        // Highlight what arrived since the last look, but not on the first load or when paging.
        if (firstPage && state.seen.size > 0 && !state.seen.has(config.key(item))) tr.classList.add('fresh');
        return tr;
      }));
      if (firstPage) state.seen = new Set(items.map(config.key));
      state.next = data.next;
      config.empty.hidden = items.length > 0;
      config.older.disabled = !state.next;
      config.newest.disabled = firstPage;
      if (config.onPage) config.onPage(firstPage);
    }

    const refresh = refresher(config.problemKey, load, 250);

    config.older.addEventListener('click', () => {
      if (!state.next) return;
      state.cursors.push(state.next);
      refresh.request();
    });
    config.newest.addEventListener('click', () => {
      state.cursors = [];
      state.seen = new Set();
      refresh.request();
    });
    config.filter.addEventListener('change', () => {
      state.filter = config.filter.value;
      state.cursors = [];
      state.seen = new Set();
      refresh.request();
    });

    return {
      /** A change was announced: only the first page moves. */
      changed() {
        if (state.cursors.length === 0) refresh.request();
      },
      load: refresh.request,
    };
  }

  const votes = pagedLog({
    url: '/api/votes',
    field: 'votes',
    filterParam: 'band',
    problemKey: 'votes',
    body: $('votes'),
    empty: $('no-votes'),
    older: $('votes-older'),
    newest: $('votes-newest'),
    filter: $('log-band'),
    key: (vote) => vote.voteId,
    row(vote) {
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
    },
    onPage(firstPage) {
      $('log-state').textContent = firstPage
        ? `Los ${PAGE_SIZE} votos más recientes; se actualiza en vivo.`
        : 'Viendo votos anteriores; la actualización en vivo está en pausa. Use «Más recientes» para volver.';
    },
  });

  const RAW_SHOWN = 120;
  const rejected = pagedLog({
    url: '/api/rejected',
    field: 'rejected',
    filterParam: 'reason',
    problemKey: 'rejected',
    body: $('rejected'),
    empty: $('no-rejected'),
    older: $('rejected-older'),
    newest: $('rejected-newest'),
    filter: $('rejected-reason'),
    key: (entry) => entry.id,
    row(entry) {
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
    },
  });

  // ---- Looking up one vote. ----

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

  $('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const voteId = $('lookup-id').value.trim();
    if (voteId) lookup(voteId);
  });
  for (const id of ['log-form', 'trend-form', 'rejected-form']) {
    $(id).addEventListener('submit', (event) => event.preventDefault());
  }

  // ---- The per-minute trend, drawn as SVG bars. ----

  const CHART = { height: 220, left: 48, right: 12, top: 14, bottom: 28 };
  let lastTrend = null;

  /** Ticks at 0, half and top, all whole numbers: the top is rounded up to an even count. */
  function axisTop(max) {
    if (max <= 1) return 1;
    return max % 2 === 0 ? max : max + 1;
  }

  function renderTrend(data) {
    lastTrend = data;
    const chart = $('trend');
    // The drawing is as wide as its box, so labels keep their size on a phone.
    const width = Math.max(280, Math.round(chart.getBoundingClientRect().width) || 640);
    chart.setAttribute('viewBox', `0 0 ${width} ${CHART.height}`);
    const points = data.points;
    const top = axisTop(Math.max(0, ...points.map((p) => p.count)));
    const plotW = width - CHART.left - CHART.right;
    const plotH = CHART.height - CHART.top - CHART.bottom;
    const step = plotW / points.length;
    const nodes = [];
    for (const value of top === 1 ? [0, 1] : [0, top / 2, top]) {
      const y = CHART.top + plotH - (value / top) * plotH;
      nodes.push(svg('line', { class: 'trend-grid', x1: CHART.left, x2: width - CHART.right, y1: y, y2: y }));
      nodes.push(svg('text', { class: 'trend-label', x: CHART.left - 6, y: y + 4, 'text-anchor': 'end' },
        numero.format(value)));
    }
    points.forEach((point, i) => {
      const h = (point.count / top) * plotH;
      const bar = svg('rect', {
        class: 'trend-bar',
        x: (CHART.left + i * step + step * 0.1).toFixed(1),
        y: (CHART.top + plotH - h).toFixed(1),
        width: (step * 0.8).toFixed(1),
        height: h.toFixed(1),
      });
      bar.append(svg('title', {}, `${minuto.format(new Date(point.minute))}: ${votos(point.count)}`));
      nodes.push(bar);
    });
    const labels = [[0, 'start'], [Math.floor(points.length / 2), 'middle'], [points.length - 1, 'end']];
    for (const [i, anchor] of labels) {
      const x = anchor === 'start' ? CHART.left + i * step
        : anchor === 'end' ? CHART.left + (i + 1) * step : CHART.left + i * step + step / 2;
      nodes.push(svg('text', { class: 'trend-label', x: x.toFixed(1), y: CHART.height - 8, 'text-anchor': anchor },
        minuto.format(new Date(points[i].minute))));
    }
    chart.replaceChildren(...nodes);

    const who = data.band ? data.band : 'todas las bandas';
    const total = points.reduce((sum, p) => sum + p.count, 0);
    const busiest = points.reduce((best, p) => (p.count > best.count ? p : best), points[0]);
    $('trend-caption').textContent = `Votos por minuto de ${who}, últimos ${data.minutes} minutos`;
    $('trend-summary').textContent = total === 0
      ? 'Sin votos en este periodo.'
      : `${votos(total)} en el periodo; el minuto con más votos fue las ${minuto.format(new Date(busiest.minute))} con ${numero.format(busiest.count)}. Último minuto: ${numero.format(points[points.length - 1].count)}.`;
    $('trend-rows').replaceChildren(...points.map((point) => {
      const tr = el('tr');
      const th = el('th', null, minuto.format(new Date(point.minute)));
      th.scope = 'row';
      tr.append(th, el('td', 'num', numero.format(point.count)));
      return tr;
    }));
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (lastTrend) renderTrend(lastTrend); }, 200);
  });

  const trend = refresher('trend', async () => {
    const params = new URLSearchParams({ minutes: String(TREND_MINUTES) });
    const band = $('trend-band').value;
    if (band) params.set('band', band);
    renderTrend(await getJson(`/api/timeline?${params}`));
  }, 2000);
  $('trend-band').addEventListener('change', () => trend.request());

  // ---- The live stream. ----

  function setLiveState(state, text) {
    const node = $('live-state');
    node.dataset.state = state;
    node.textContent = text;
  }

  let lastVersion = null;
  let lastRejected = null;
  let settleTimer = null;

  function onSnapshot(snapshot) {
    setProblem('live', null);
    setLiveState('live', 'En vivo');
    renderStandings(snapshot.standings);
    renderStats(snapshot.stats);
    if (snapshot.version === lastVersion) return; // only votes/s moved
    lastVersion = snapshot.version;
    votes.changed();
    trend.request();
    const rejectedMoved = snapshot.stats.rejected !== lastRejected;
    lastRejected = snapshot.stats.rejected;
    if (rejectedMoved) rejected.changed();
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      votes.changed();
      trend.request();
      if (rejectedMoved) rejected.changed();
    }, SETTLE_MS);
  }

  function connect() {
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => setProblem('stream', null));
    source.addEventListener('snapshot', (event) => onSnapshot(JSON.parse(event.data)));
    source.addEventListener('problem', (event) => {
      const problem = JSON.parse(event.data);
      setLiveState('down', 'En pausa');
      setProblem('live', backendMessage(problem.backend) || problem.detail);
    });
    source.addEventListener('error', () => {
      setLiveState('down', 'Reconectando…');
      setProblem('stream', 'Se perdió la conexión con el servidor; reconectando…');
      // The browser retries by itself unless the server refused the stream outright.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    });
  }

  connect();
  votes.load();
  rejected.load();
  trend.request();
})();
