// Quetzal live page: polls the JSON API once per second (SSE replaces this later).
// Band names are user input: they are only ever set with textContent, so markup in a name stays text.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const VOTE_LIMIT = 20;

  const numero = new Intl.NumberFormat('es-GT');
  const porcentaje = new Intl.NumberFormat('es-GT', {
    style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1,
  });
  const hora = new Intl.DateTimeFormat('es-GT', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const BACKENDS = { redis: 'Redis (posiciones)', mongo: 'MongoDB (registro de votos)' };

  const $ = (id) => document.getElementById(id);
  const rows = new Map(); // band name → its list item and the parts that change
  const problems = new Map(); // 'standings' | 'votes' → message

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function getJson(url) {
    let response;
    try {
      response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch (networkError) {
      throw new Error('No hay conexión con el servidor.');
    }
    if (!response.ok) {
      let backend = null;
      try {
        backend = (await response.json()).backend;
      } catch (notJson) { /* keep the generic message */ }
      throw new Error(BACKENDS[backend]
        ? `${BACKENDS[backend]} no responde; reintentando…`
        : `El servidor respondió ${response.status}; reintentando…`);
    }
    return response.json();
  }

  function showProblems() {
    const banner = $('banner');
    const messages = [...new Set(problems.values())];
    banner.textContent = messages.join(' ');
    banner.hidden = messages.length === 0;
  }

  function bandRow(name) {
    const li = el('li', 'band');
    const head = el('div', 'band-head');
    head.append(el('span', 'band-name', name));
    const figures = el('span', 'band-figures');
    const total = el('span', 'band-total');
    const share = el('span', 'band-share');
    figures.append(total, ' · ', share);
    head.append(figures);
    const track = el('div', 'bar-track');
    track.setAttribute('aria-hidden', 'true');
    const bar = el('div', 'bar');
    track.append(bar);
    li.append(head, track);
    return { li, total, share, bar };
  }

  function renderStandings(data) {
    const list = $('standings');
    const seen = new Set();
    for (const band of data.bands) {
      let row = rows.get(band.name);
      if (!row) {
        row = bandRow(band.name);
        rows.set(band.name, row);
      }
      row.total.textContent = `${numero.format(band.total)} votos`;
      row.share.textContent = porcentaje.format(band.share);
      row.bar.style.width = `${(band.share * 100).toFixed(2)}%`; // CSSOM, allowed by the CSP
      list.append(row.li); // moving existing items keeps them in API order
      seen.add(band.name);
    }
    for (const [name, row] of rows) {
      if (!seen.has(name)) {
        row.li.remove();
        rows.delete(name);
      }
    }
    $('empty').hidden = data.bands.length > 0;
    const updated = data.updatedAt ? ` · actualizado a las ${hora.format(new Date(data.updatedAt))}` : '';
    $('summary').textContent = `Total: ${numero.format(data.total)} votos${updated}`;
  }

  function renderVotes(data) {
    const body = $('votes');
    const trs = data.votes.map((vote) => {
      const tr = el('tr');
      const when = el('td');
      const time = el('time', null, hora.format(new Date(vote.receivedAt)));
      time.dateTime = new Date(vote.receivedAt).toISOString();
      when.append(time);
      tr.append(
        when,
        el('td', null, vote.name),
        el('td', null, vote.album),
        el('td', 'num optional', String(vote.year)),
        el('td', 'num', String(vote.rank)),
        el('td', 'optional', vote.channel),
      );
      return tr;
    });
    body.replaceChildren(...trs);
    $('no-votes').hidden = trs.length > 0;
  }

  async function refresh(key, url, render) {
    try {
      render(await getJson(url));
      problems.delete(key);
    } catch (error) {
      problems.set(key, error.message);
    }
    showProblems(); // per request: a slow backend must not delay the other one's banner
  }

  async function tick() {
    await Promise.all([
      refresh('standings', '/api/standings', renderStandings),
      refresh('votes', `/api/votes?limit=${VOTE_LIMIT}`, renderVotes),
    ]);
    // Chained, not setInterval: a slow answer never piles up overlapping requests.
    setTimeout(tick, REFRESH_MS);
  }

  tick();
})();
