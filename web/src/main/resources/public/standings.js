// The standings and the status strip, drawn from each pushed snapshot. Rows are kept per band and
// only moved when out of place, so an open album list stays open.

import {
  $, decimal, el, hora, numero, porcentaje, reasonLabel, votos,
} from './page.js';

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

export function renderStandings(standings) {
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

export function renderStats(stats) {
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
