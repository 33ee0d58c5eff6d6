-- Quetzal sinks: one poll of tally records, mirrored into Redis atomically (see RedisMirrorScript.java).
--
-- Every hash field is written only when its version (the Kafka offset of the tally record) is greater
-- than the version stored for that field in the group's guard hash. A replayed batch, a retried batch
-- or a replica that lost its partitions therefore cannot put an older value back. A tombstone deletes
-- the field but keeps its version, so a stale value cannot resurrect it either.
--
-- KEYS[1]  stats hash (updatedAt)          KEYS[2]  timeline stream
-- KEYS[1+2g] value hash of group g         KEYS[2+2g] guard hash of group g       (g = 1..groups)
-- KEYS[#KEYS] positions hash: per source partition, the offset before which Redis holds every record
-- ARGV[1] now (epoch ms)  ARGV[2] updatedAt field  ARGV[3] pub/sub channel  ARGV[4] change note
-- ARGV[5] stream MAXLEN   ARGV[6] m, then m x (partition, held, next): the sink believes Redis holds
-- every record of the partition before offset 'held' (-1: no belief) and this call adds up to 'next'
-- then groups, then per group: stream field ('' = the group is not on the stream), n, n x (field,
-- version, value) where value '' is a tombstone. Fields are distinct within a group.
-- Returns {accepted, refused}, or {-1, 0, partition, position, ...} and writes nothing when Redis
-- holds less of a partition than the sink believes: it lost acknowledged writes (a restart that lost
-- the last second of its append-only file, or keys deleted), and the sink reads again from 'position'.
--
-- Redis does not roll a script back when a command fails half-way, and a half-applied batch would be
-- refused on retry (its versions are already stored). So every key's type is checked before the first
-- write: a wrong type fails the call cleanly, with Redis untouched, and the sink retries.

local CHUNK = 1000 -- Lua's unpack() has a small stack limit: never spread more than this many items

local function spread(cmd, key, items, width)
  local step = CHUNK * width
  for i = 1, #items, step do
    redis.call(cmd, key, unpack(items, i, math.min(i + step - 1, #items)))
  end
end

local function hmget(key, fields)
  local out = {}
  for i = 1, #fields, CHUNK do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + CHUNK - 1, #fields)))
    for j = 1, #part do
      out[#out + 1] = part[j]
    end
  end
  return out
end

local function byNumber(x, y)
  return tonumber(x) < tonumber(y)
end

-- Rewrites the stream from the earliest changed minute on: XDEL that tail, move the last ID back
-- (XSETID), then XADD every tail minute again, merged with the changes, in ascending order. That is
-- how an entry is replaced in place; explicit IDs <minute>-0 keep it deterministic.
local function rewriteTimeline(stream, changes, maxlen)
  local changed = {}
  for minute in pairs(changes) do
    changed[#changed + 1] = minute
  end
  table.sort(changed, byNumber)
  local entries = {}
  if redis.call('EXISTS', stream) == 1 then
    local tail = redis.call('XRANGE', stream, changed[1] .. '-0', '+')
    local ids = {}
    for _, entry in ipairs(tail) do
      ids[#ids + 1] = entry[1]
      local minute = string.match(entry[1], '^(%d+)%-')
      local fields = entries[minute] or {}
      for i = 1, #entry[2], 2 do
        fields[entry[2][i]] = entry[2][i + 1]
      end
      entries[minute] = fields
    end
    if #ids > 0 then
      spread('XDEL', stream, ids, 1)
      local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
      redis.call('XSETID', stream, last[1] and last[1][1] or '0-0')
    end
  end
  for minute, bands in pairs(changes) do
    local fields = entries[minute] or {}
    for band, count in pairs(bands) do
      if count then
        fields[band] = count
      else
        fields[band] = nil
      end
    end
    entries[minute] = fields
  end
  local minutes = {}
  for minute in pairs(entries) do
    minutes[#minutes + 1] = minute
  end
  table.sort(minutes, byNumber)
  for _, minute in ipairs(minutes) do
    local names = {}
    for band in pairs(entries[minute]) do
      names[#names + 1] = band
    end
    if #names > 0 then
      -- A fixed field order (the server's string collation), so a replay builds identical entries.
      table.sort(names)
      local args = {}
      for _, band in ipairs(names) do
        args[#args + 1] = band
        args[#args + 1] = entries[minute][band]
      end
      redis.call('XADD', stream, minute .. '-0', unpack(args))
    end
  end
  redis.call('XTRIM', stream, 'MAXLEN', maxlen)
end

for i, key in ipairs(KEYS) do
  local expected = i == 2 and 'stream' or 'hash'
  local actual = redis.call('TYPE', key).ok
  if actual ~= 'none' and actual ~= expected then
    return redis.error_reply('WRONGTYPE ' .. key .. ' is a ' .. actual .. ', the Quetzal mirror needs a ' .. expected)
  end
end

local now = ARGV[1]
local updatedAtField, channel, note = ARGV[2], ARGV[3], ARGV[4]
local maxlen = tonumber(ARGV[5])
local positionsKey = KEYS[#KEYS]
local m = tonumber(ARGV[6])
local a = 7
local partitions, nexts, storedPositions, lost = {}, {}, {}, {}
for i = 1, m do
  local partition, held, nextOffset = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  -- No field: Redis holds nothing of the partition (a new one, or Redis lost it all).
  local stored = tonumber(redis.call('HGET', positionsKey, partition)) or 0
  if stored < held then
    lost[#lost + 1] = partition
    lost[#lost + 1] = tostring(stored)
  end
  partitions[i], nexts[i], storedPositions[i] = partition, nextOffset, stored
end
if #lost > 0 then
  return {-1, 0, unpack(lost)}
end
local groups = tonumber(ARGV[a])
a = a + 1
local accepted, refused = 0, 0
local timeline = {} -- minute -> { band -> count, or false when deleted }
local onTimeline = false

for g = 1, groups do
  local valueKey, guardKey = KEYS[1 + 2 * g], KEYS[2 + 2 * g]
  local streamField = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  local fields = {}
  for i = 0, n - 1 do
    fields[i + 1] = ARGV[a + 3 * i]
  end
  local stored = hmget(guardKey, fields)
  local sets, deletes, versions = {}, {}, {}
  for i = 0, n - 1 do
    local field, version, value = ARGV[a + 3 * i], ARGV[a + 3 * i + 1], ARGV[a + 3 * i + 2]
    local old = tonumber(stored[i + 1]) -- false (absent) or garbage gives nil: accept
    if old == nil or tonumber(version) > old then
      accepted = accepted + 1
      versions[#versions + 1] = field
      versions[#versions + 1] = version
      if value == '' then
        deletes[#deletes + 1] = field
      else
        sets[#sets + 1] = field
        sets[#sets + 1] = value
      end
      if streamField ~= '' then
        local bands = timeline[field] or {}
        bands[streamField] = value ~= '' and value
        timeline[field] = bands
        onTimeline = true
      end
    else
      refused = refused + 1
    end
  end
  a = a + 3 * n
  spread('HSET', valueKey, sets, 2)
  spread('HDEL', valueKey, deletes, 1)
  spread('HSET', guardKey, versions, 2)
end

if onTimeline then
  rewriteTimeline(KEYS[2], timeline, maxlen)
end

for i = 1, m do
  if nexts[i] > storedPositions[i] then
    redis.call('HSET', positionsKey, partitions[i], nexts[i])
  end
end

if accepted > 0 then
  local previous = tonumber(redis.call('HGET', KEYS[1], updatedAtField))
  if previous == nil or tonumber(now) > previous then
    redis.call('HSET', KEYS[1], updatedAtField, now)
  end
  redis.call('PUBLISH', channel, note)
end

return {accepted, refused}
