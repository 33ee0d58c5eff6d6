'use strict';
// What each scoreboard panel must show, by panel id, in terms of the totals the pipeline run counted
// (the "expected" part of the answers file). Kept apart from the dashboard on purpose: a broken
// dashboard cannot change what it is checked against.
const SPEC = [
  { id: 1, type: 'stat', what: 'accepted votes', check: 'stat', streams: true, expected: (e) => e.stats.accepted },
  { id: 2, type: 'stat', what: 'rejected votes', check: 'stat', streams: true, expected: (e) => e.stats.rejected },
  { id: 3, type: 'stat', what: 'duplicates', check: 'stat', streams: true, expected: (e) => e.stats.duplicates },
  { id: 4, type: 'stat', what: 'votes per second', check: 'stat', rate: true, streams: true, expected: (e) => e.votesPerSecond },
  { id: 5, type: 'bargauge', what: 'one bar per band', check: 'bars', sorted: true, streams: true, expected: (e) => e.bands },
  { id: 6, type: 'piechart', what: 'one slice per album', check: 'bars', streams: true, expected: (e) => e.albums },
  { id: 7, type: 'timeseries', what: 'votes per minute per band', check: 'series', streams: true, expected: (e) => e.minutes },
];

module.exports = { SPEC };
