// Quetzal live page. The server pushes the standings and counters over SSE (/api/events) within a
// second of Redis changing; the page then re-reads the logs from the JSON API, one request at a time.
// Names, details and raw records are user input: they are only ever set with textContent or as
// attribute values, so markup in them stays text.
//
// This module is the live stream; the parts it drives are modules of their own: standings.js (the
// standings and counters), logs.js (the vote and rejected logs, the lookup), trend.js (the per-minute
// chart), page.js (what they share).

import { $, backendMessage, setProblem } from './page.js';
import { renderStandings, renderStats } from './standings.js';
import { startLogs } from './logs.js';
import { startTrend } from './trend.js';

/** The sinks write MongoDB after Redis: look at the log once more when the changes settle. */
const SETTLE_MS = 1500;

const { votes, rejected } = startLogs();
const trend = startTrend();

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
