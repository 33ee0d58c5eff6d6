'use strict';
// The data frames redis-datasource 2.2.0 answers, rebuilt from raw Redis replies. Written from the
// plugin's backend (pkg/redis-hash.go, pkg/redis-stream.go, pkg/data-frame.go at tag v2.2.0), not
// copied: these are the shapes Grafana's panels receive from that plugin.
//
//   HGETALL key       one frame named after the command; one field per hash field, named after it,
//                     float64 when the value parses as a number, string otherwise. One row.
//   HGET key field    one frame with one field named after the requested field (number or string).
//   HMGET key f1 f2   like HGETALL, for the listed fields.
//   XRANGE/XREVRANGE  `$streamId` (string), `$time` (time from the ID's milliseconds, unit "µs" in
//                     its config) and one field per entry field, typed by its first value; an entry
//                     without a field gets 0 (number) or "" (string) in that row.

// Go's strconv.ParseFloat for the forms Redis values take: decimals, exponents, inf, nan.
// (Hex floats and underscores are left out: nothing in Quetzal writes them.)
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

function parseFloatLikeGo(text) {
  if (typeof text !== 'string' || !FLOAT.test(text)) {
    return undefined;
  }
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return Number(text);
}

function typedField(name, text) {
  const number = parseFloatLikeGo(text);
  return number === undefined
    ? { name, type: 'string', values: [text], config: {} }
    : { name, type: 'number', values: [number], config: {} };
}

/** HGETALL: the reply is the flat RESP2 array [field, value, field, value, ...]. */
function hgetall(reply) {
  const fields = [];
  for (let i = 0; i < reply.length; i += 2) {
    fields.push(typedField(reply[i], reply[i + 1]));
  }
  return { name: 'hgetall', fields };
}

/** HGET: a missing field arrives as nil, which radix decodes into the empty string. */
function hget(field, reply) {
  return { name: field, fields: [typedField(field, reply === null ? '' : reply)] };
}

function hmget(fieldList, reply) {
  return { name: 'hmget', fields: reply.map((value, i) => typedField(fieldList[i], value === null ? '' : value)) };
}

/** XRANGE / XREVRANGE: the reply is [[id, [field, value, ...]], ...] in the order Redis returned it. */
function range(command, reply) {
  const streamId = { name: '$streamId', type: 'string', values: [], config: {} };
  const time = { name: '$time', type: 'time', values: [], config: { unit: 'µs' } };
  const fields = [streamId, time];
  const byName = new Map();
  reply.forEach(([id, pairs], row) => {
    streamId.values.push(id);
    time.values.push(Number(id.split('-')[0]));
    const seen = new Set();
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i];
      const number = parseFloatLikeGo(pairs[i + 1]);
      let field = byName.get(name);
      if (!field) {
        const numeric = number !== undefined;
        field = { name, type: numeric ? 'number' : 'string', values: Array(row).fill(numeric ? 0 : ''), config: {} };
        byName.set(name, field);
        fields.push(field);
      }
      // A later non-numeric value in a float64 field becomes 0, as ParseFloat's zero result would.
      field.values.push(field.type === 'number' ? (number === undefined ? 0 : number) : pairs[i + 1]);
      seen.add(name);
    }
    for (const [name, field] of byName) {
      if (!seen.has(name)) {
        field.values.push(field.type === 'number' ? 0 : '');
      }
    }
  });
  return { name: command, fields };
}

/** The frames the plugin answers for one panel target, given the raw Redis reply to its command. */
function framesFor(target, reply) {
  switch (target.command) {
    case 'hgetall':
      return [hgetall(reply)];
    case 'hget':
      return [hget(target.field, reply)];
    case 'hmget':
      return [hmget(target.field.split(/\s+/), reply)];
    case 'xrange':
    case 'xrevrange':
      return [range(target.command, reply)];
    default:
      throw new Error(`no frame model for command ${target.command}`);
  }
}

module.exports = { framesFor, parseFloatLikeGo, hgetall, hget, range };
