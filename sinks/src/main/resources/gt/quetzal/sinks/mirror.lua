-- Quetzal sinks: one poll of tally records, mirrored into Redis atomically (see RedisMirrorScript.java).
--
-- Every hash field is written only when its version (the Kafka offset of the tally record) is greater
-- than the version stored for it in its guard hash. A replayed batch, a retried batch or a replica that
-- lost its partitions therefore cannot put an older value back. A tombstone deletes the field but keeps
-- its version, so a stale value cannot resurrect it either. A guard hash may serve several value hashes
-- (every band's timeline shares one): a field's guard field is its group's guard prefix followed by it.
--
-- KEYS[1] stats hash (updatedAt)   KEYS[2] timeline stream   KEYS[3] positions hash: per source
-- partition, the offset before which Redis holds every record   KEYS[3+1 .. 3+G] the guard hashes
-- KEYS[3+G+g] value hash of group g
-- ARGV[1] now (epoch ms)  ARGV[2] updatedAt field  ARGV[3] pub/sub channel  ARGV[4] change note
-- ARGV[5] stream MAXLEN   ARGV[6] m, then m x (partition, held, next): the sink believes Redis holds
-- every record of the partition before offset 'held' (-1: no belief) and this call adds up to 'next'
-- then G, then groups, then per group: guard (1..G), guard prefix, stream field ('' = the group is not
-- on the stream), check ('1': check the value hash's type), n, n x (field, version, value) where
-- value '' is a tombstone. Fields are distinct within a group.
-- Returns {accepted, refused}, or {-1, 0, partition, position, ...} and writes nothing when Redis
-- holds less of a partition than the sink believes: it lost acknowledged writes (a restart that lost
-- the last second of its append-only file, or keys deleted), and the sink reads again from 'position'.
--
-- Redis does not roll a script back when a command fails half-way. So every read comes first (the
-- positions, updatedAt and the guards, whose reads fail on a wrong type before anything is written),
-- then the types of the stream and of the value hashes the sink asks to check; a wrong type fails the
-- call with Redis untouched. The writes run values first, then the stream, then the guards, positions
-- and updatedAt: a call that fails half-way (a value hash whose type another client changed since the
-- sink last checked it) leaves only values newer than their guards, which its retry writes again.

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

-- Rewrites the stream from the earliest changed minute on: XDEL that tail, move the last ID just
-- below that minute (XSETID; every entry left is older), then XADD every tail minute again, merged
-- with the changes, in ascending order, trimming to maxlen as it goes. That is how an entry is
-- replaced in place; explicit IDs <minute>-0 keep it deterministic.
local function rewriteTimeline(stream, exists, changes, maxlen)
  local changed = {}
  for minute in pairs(changes) do
    changed[#changed + 1] = minute
  end
  table.sort(changed, byNumber)
  local entries = {}
  if exists then
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
    spread('XDEL', stream, ids, 1)
    -- Minutes are above 0 (the sink skips others), so this ID is valid and above every entry left.
    redis.call('XSETID', stream, string.format('%.0f', tonumber(changed[1]) - 1) .. '-18446744073709551615')
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
      redis.call('XADD', stream, 'MAXLEN', maxlen, minute .. '-0', unpack(args))
    end
  end
end

local function wrongType(key, actual, expected)
  return redis.error_reply('WRONGTYPE ' .. key .. ' is a ' .. actual .. ', the Quetzal mirror needs a ' .. expected)
end

local now = ARGV[1]
local updatedAtField, channel, note = ARGV[2], ARGV[3], ARGV[4]
local maxlen = tonumber(ARGV[5])
local positionsKey = KEYS[3]
local m = tonumber(ARGV[6])
local a = 7

-- Reads: positions (and the lost-writes check), updatedAt, the stream's type.
local partitions, helds, nexts = {}, {}, {}
for i = 1, m do
  partitions[i], helds[i], nexts[i] = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2]
  a = a + 3
end
local storedPositions = m > 0 and hmget(positionsKey, partitions) or {}
local lost = {}
for i = 1, m do
  -- No field: Redis holds nothing of the partition (a new one, or Redis lost it all).
  storedPositions[i] = tonumber(storedPositions[i]) or 0
  if storedPositions[i] < helds[i] then
    lost[#lost + 1] = partitions[i]
    lost[#lost + 1] = tostring(storedPositions[i])
  end
end
if #lost > 0 then
  return {-1, 0, unpack(lost)}
end
local previousUpdatedAt = tonumber(redis.call('HGET', KEYS[1], updatedAtField))
local streamType = redis.call('TYPE', KEYS[2]).ok
if streamType ~= 'none' and streamType ~= 'stream' then
  return wrongType(KEYS[2], streamType, 'stream')
end

-- The groups, the types of their value hashes, then one HMGET per guard hash.
local guardCount = tonumber(ARGV[a])
local groups = tonumber(ARGV[a + 1])
a = a + 2
local group = {}
local guardFields = {} -- guard index -> list of guard fields, in group order
for g = 1, groups do
  local entry = {
    guard = tonumber(ARGV[a]), prefix = ARGV[a + 1], streamField = ARGV[a + 2],
    key = KEYS[3 + guardCount + g], first = a + 5, n = tonumber(ARGV[a + 4])
  }
  if ARGV[a + 3] == '1' and entry.key ~= KEYS[1] then
    local actual = redis.call('TYPE', entry.key).ok
    if actual ~= 'none' and actual ~= 'hash' then
      return wrongType(entry.key, actual, 'hash')
    end
  end
  local list = guardFields[entry.guard] or {}
  entry.offset = #list
  for i = 0, entry.n - 1 do
    list[#list + 1] = entry.prefix .. ARGV[entry.first + 3 * i]
  end
  guardFields[entry.guard] = list
  group[g] = entry
  a = entry.first + 3 * entry.n
end
local guardStored, guardWrites = {}, {}
for index, fields in pairs(guardFields) do
  guardStored[index] = hmget(KEYS[3 + index], fields)
  guardWrites[index] = {}
end

-- Writes: the values, the stream, then guards, positions and updatedAt.
local accepted, refused = 0, 0
local timeline = {} -- minute -> { band -> count, or false when deleted }
local onTimeline = false
for g = 1, groups do
  local entry = group[g]
  local stored, versions = guardStored[entry.guard], guardWrites[entry.guard]
  local sets, deletes = {}, {}
  for i = 0, entry.n - 1 do
    local at = entry.first + 3 * i
    local field, version, value = ARGV[at], ARGV[at + 1], ARGV[at + 2]
    local old = tonumber(stored[entry.offset + i + 1]) -- false (absent) or garbage gives nil: accept
    if old == nil or tonumber(version) > old then
      accepted = accepted + 1
      versions[#versions + 1] = entry.prefix .. field
      versions[#versions + 1] = version
      if value == '' then
        deletes[#deletes + 1] = field
      else
        sets[#sets + 1] = field
        sets[#sets + 1] = value
      end
      if entry.streamField ~= '' then
        local bands = timeline[field] or {}
        bands[entry.streamField] = value ~= '' and value
        timeline[field] = bands
        onTimeline = true
      end
    else
      refused = refused + 1
    end
  end
  spread('HSET', entry.key, sets, 2)
  spread('HDEL', entry.key, deletes, 1)
end

if onTimeline then
  rewriteTimeline(KEYS[2], streamType == 'stream', timeline, maxlen)
end

for index, versions in pairs(guardWrites) do
  spread('HSET', KEYS[3 + index], versions, 2)
end

local advanced = {}
for i = 1, m do
  if tonumber(nexts[i]) > storedPositions[i] then
    advanced[#advanced + 1] = partitions[i]
    advanced[#advanced + 1] = nexts[i]
  end
end
spread('HSET', positionsKey, advanced, 2)

if accepted > 0 then
  if previousUpdatedAt == nil or tonumber(now) > previousUpdatedAt then
    redis.call('HSET', KEYS[1], updatedAtField, now)
  end
  redis.call('PUBLISH', channel, note)
end

return {accepted, refused}
