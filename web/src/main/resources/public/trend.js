// The per-minute trend of /api/timeline, drawn as SVG bars, with a table of the same numbers.

import {
  $, getJson, minuto, numero, refresher, svg, votos, el,
} from './page.js';

const TREND_MINUTES = 30;
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

/** Wires the chart (redrawn on resize, re-read when the band changes); returns its refresher. */
export function startTrend() {
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
  trend.request();
  return trend;
}
