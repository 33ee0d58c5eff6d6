'use strict';
// What each scoreboard panel would display, computed with Grafana's own @grafana/data on the frames
// redis-datasource 2.2.0 builds from Redis replies recorded by a real pipeline run (e2e's
// GrafanaPanelsIT), and compared with the totals that run counted.
//
//   node check-panels.js DASHBOARD.json ANSWERS.json
//
// Exit 0 and one "ok" line per panel, or exit 1 and one "FAIL" line per problem.

// @grafana/data reads the browser's locale while formatting; Node 20 has no navigator.languages.
if (!globalThis.navigator || !globalThis.navigator.languages) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: 'node', language: 'en-US', languages: ['en-US'] },
    configurable: true,
  });
}
// The CommonJS build: the ESM one trips over moment-timezone in Node.
const g = require('@grafana/data');
// After the require (a `window` at load time makes a dependency look for a DOM): transformDataFrame
// reads window.__grafanaSceneContext.
globalThis.window = globalThis;
const { firstValueFrom } = require('rxjs');
const fs = require('fs');
const { framesFor } = require('./plugin-frames');
const { SPEC } = require('./scoreboard-spec');
const { standardFieldConfigRegistry } = require('./field-config');

// The core transformations, registered the way Grafana's app does (lazily, one entry per id).
g.standardTransformersRegistry.setInit(() =>
  [...new Map(Object.values(g.standardTransformers).map((t) => [t.id, t])).values()].map((t) => ({
    id: t.id,
    aliasIds: t.aliasIds,
    name: t.name,
    description: t.description,
    transformation: () => t,
    editor: () => null,
  }))
);

const theme = g.createTheme();
const fieldConfigRegistry = standardFieldConfigRegistry(g);
const replaceVariables = (v) => v;

function answerFor(answers, target) {
  const same = (a, b) => String(a ?? '') === String(b ?? '');
  return answers.answers.find(
    (a) =>
      a.command === target.command &&
      a.key === target.keyName &&
      same(a.field, target.command === 'hget' || target.command === 'hmget' ? target.field : '') &&
      same(a.start, target.start) &&
      same(a.end, target.end) &&
      same(a.count || '', target.count || '')
  );
}

/** The frames a panel hands its visualization: the plugin's frames, transformed, with field config applied. */
async function panelFrames(panel, answers, problems) {
  const frames = [];
  for (const target of panel.targets || []) {
    const key = target.keyName || '';
    if (!answers.redisKeys.includes(key)) {
      problems.push(`key ${key} is not a RedisKeys constant (${answers.redisKeys.join(', ')})`);
      continue;
    }
    const answer = answerFor(answers, target);
    if (!answer) {
      problems.push(`no recorded Redis answer for ${target.command} ${key} ${target.field || ''}`.trim());
      continue;
    }
    for (const frame of framesFor(target, answer.reply)) {
      frames.push(g.createDataFrame({ ...frame, refId: target.refId }));
    }
  }
  for (const t of panel.transformations || []) {
    if (!g.standardTransformersRegistry.getIfExists(t.id)) {
      problems.push(`transformation ${t.id} is not one Grafana has (it would be skipped silently)`);
    }
  }
  const transformed = await firstValueFrom(
    g.transformDataFrame(panel.transformations || [], frames, { interpolate: (v) => v })
  );
  return g.applyFieldOverrides({
    data: transformed,
    fieldConfig: panel.fieldConfig || { defaults: {}, overrides: [] },
    fieldConfigRegistry,
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
}

/** What a stat, bar gauge or pie chart shows: Grafana's field display values (title, number, text). */
function displayed(panel, data) {
  return g
    .getFieldDisplayValues({
      data,
      reduceOptions: (panel.options || {}).reduceOptions || {},
      fieldConfig: panel.fieldConfig || { defaults: {}, overrides: [] },
      replaceVariables,
      theme,
      timeZone: 'utc',
    })
    .map((v) => ({ title: v.display.title, numeric: v.display.numeric, text: `${v.display.prefix || ''}${v.display.text}${v.display.suffix || ''}` }));
}

/** A displayed count must read as the exact number: "1,234" is fine, "1.23 K" or "No data" is not. */
function readsAs(text, n) {
  return Number(String(text).replace(/,/g, '')) === n;
}

const checks = {
  stat(panel, data, expected, problems, spec) {
    const shown = displayed(panel, data);
    if (shown.length !== 1) {
      problems.push(`shows ${shown.length} values (${JSON.stringify(shown)}), expected one`);
      return;
    }
    const [v] = shown;
    // A whole count must read as the exact number; a rate as itself to the panel's decimals.
    const decimals = ((panel.fieldConfig || {}).defaults || {}).decimals ?? 0;
    const text = spec.rate ? parseFloat(v.text) === Number(expected.toFixed(decimals)) : readsAs(v.text, expected);
    if (!Number.isFinite(v.numeric) || Math.abs(v.numeric - expected) > 1e-9 || !text) {
      problems.push(`shows ${JSON.stringify(v.text)} (${v.numeric}), Redis says ${expected}`);
    }
  },
  bars(panel, data, expected, problems, { sorted }) {
    const shown = displayed(panel, data);
    const want = Object.entries(expected);
    if (shown.length === 0 || shown.every((v) => !(v.title in expected))) {
      problems.push(`no bar/slice for any of ${want.length} Redis fields (shown: ${JSON.stringify(shown.map((v) => `${v.title} = ${v.text}`))})`);
      return;
    }
    const byTitle = new Map(shown.map((v) => [v.title, v]));
    for (const [name, n] of want) {
      const v = byTitle.get(name);
      if (!v) problems.push(`no bar/slice for ${name} (shown: ${shown.map((s) => s.title).join(', ') || 'nothing'})`);
      else if (v.numeric !== n || !readsAs(v.text, n)) problems.push(`${name} shows ${JSON.stringify(v.text)}, Redis says ${n}`);
    }
    for (const v of shown) {
      if (!(v.title in expected)) problems.push(`shows ${JSON.stringify(v.title)} = ${v.text}, which is not a Redis field`);
    }
    if (sorted) {
      const values = shown.map((v) => v.numeric);
      if (values.some((n, i) => i > 0 && n > values[i - 1])) {
        problems.push(`bars are not sorted by total, largest first: ${values.join(', ')}`);
      }
    }
  },
  series(panel, data, expected, problems) {
    // A time series panel draws every number field against the frame's time field.
    const got = {};
    for (const frame of data) {
      const time = frame.fields.find((f) => f.type === 'time');
      if (!time) continue;
      for (const field of frame.fields.filter((f) => f.type === 'number')) {
        const name = g.getFieldDisplayName(field, frame, data);
        got[name] = {};
        field.values.forEach((n, i) => {
          if (n !== 0) got[name][String(time.values[i])] = n;
        });
      }
    }
    const json = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
    for (const [band, minutes] of Object.entries(expected)) {
      if (!got[band]) problems.push(`no series for ${band} (series: ${Object.keys(got).join(', ') || 'none'})`);
      else if (json(got[band]) !== json(minutes)) problems.push(`${band} per minute is ${json(got[band])}, Redis says ${json(minutes)}`);
    }
    for (const name of Object.keys(got)) {
      if (!(name in expected)) problems.push(`draws a series ${name} that is no band`);
    }
  },
};

async function main([dashboardFile, answersFile]) {
  const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8'));
  const answers = JSON.parse(fs.readFileSync(answersFile, 'utf8'));
  const failures = [];
  const panels = dashboard.panels || [];
  for (const spec of SPEC) {
    if (!panels.some((p) => p.id === spec.id)) failures.push(`panel ${spec.id} (${spec.what}) is missing`);
  }
  for (const panel of panels) {
    const where = `panel ${panel.id} "${panel.title}"`;
    const spec = SPEC.find((s) => s.id === panel.id);
    if (!spec) {
      failures.push(`${where}: no expectation in scoreboard-spec.js says what it must show`);
      continue;
    }
    const problems = [];
    if (panel.type !== spec.type) problems.push(`is a ${panel.type}, expected a ${spec.type}`);
    for (const t of panel.targets || []) {
      if (spec.streams && !(t.streaming && t.streamingDataType === 'DataFrame')) {
        problems.push(`target ${t.refId} must stream the latest snapshot (streaming, streamingDataType DataFrame)`);
      }
    }
    try {
      const data = await panelFrames(panel, answers, problems);
      checks[spec.check](panel, data, spec.expected(answers.expected), problems, spec);
    } catch (e) {
      problems.push(`Grafana's code threw: ${e.stack || e}`);
    }
    if (problems.length) problems.forEach((p) => failures.push(`${where}: ${p}`));
    else console.log(`ok   ${where}: shows ${spec.what} as Redis holds it`);
  }
  failures.forEach((f) => console.log(`FAIL ${f}`));
  return failures.length === 0;
}

main(process.argv.slice(2)).then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.log(`FAIL ${e.stack || e}`);
    process.exit(2);
  }
);
