-- upgradeQueue: converts the keys of one queue written by the first generation of Baton (the
-- versions up to the ids hash) to the current layout, in one step, moving no task: the ids set
-- becomes the ids hash (id -> the element as it is stored in wait, claimed, prioritized or
-- delayed; the dead letter for a dead id; '' while leased or cancelled), the dead ids set becomes
-- the dead ids zset (scored by the server's now less 1 ms per place from the newest letter, so
-- the order of death is kept; first-generation letters carry no death time), and idle
-- registrations of first-generation workers ("<waiter id>|<visibility ms>", not on a wake
-- channel) are dropped. Leases are kept as they are (token, deadline, record), so a lease held
-- by a process still running is never run twice, and one whose holder stopped comes back at its
-- deadline through recoverStalledTasks, the attempt counted, like any lease whose worker died.
-- Except the leases a lease call of this version wrote before it failed on the old ids set (the
-- script is not rolled back): their record carries "skew", which the first generation never
-- wrote, and their caller got an error instead of the token, so nobody runs them. They go back to
-- the front of their priority with the attempt they had (counted as waiting).
-- Ids found queued nowhere keep '' (the first generation answered DUPLICATE for them too), but a
-- dead id without its letter is freed (the first generation queued it afresh). A queue whose ids
-- and dead ids are not sets (current or empty) is left untouched, so a second run changes
-- nothing. Reads every element of the queue once: O(tasks), one blocking step per queue.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] delayed: delayed zset
-- KEYS[4] prioritized: prioritized zset
-- KEYS[5] leases: leases hash (id -> "token|envelope")
-- KEYS[6] ids: ids set (first generation) or hash (current)
-- KEYS[7] dead: dead list
-- KEYS[8] deadIds: dead ids set (first generation) or zset (current)
-- KEYS[9] cancelled: cancelled hash
-- KEYS[10] idle: idle zset (registration -> registered until, ms)
-- KEYS[11] active: active zset (id -> lease deadline, ms)
-- KEYS[12] sequence: sequence hash of the prioritized zset
-- ARGV[1] wakePrefix: how the wake channel of a current registration starts ('<prefix>:waiters:')
-- ARGV[2] dryRun: 1: count what would be converted and change nothing
-- Returns: { 1 when the queue was (or, with dryRun, would be) converted, else 0; then the tasks
--   found: waiting, delayed, active, dead, cancelled, unplaced (ids queued nowhere); idle
--   registrations dropped }
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local delayedKey = KEYS[3]
local prioritizedKey = KEYS[4]
local leasesKey = KEYS[5]
local idsKey = KEYS[6]
local deadKey = KEYS[7]
local deadIdsKey = KEYS[8]
local cancelledKey = KEYS[9]
local idleKey = KEYS[10]
local activeKey = KEYS[11]
local sequenceKey = KEYS[12]
local wakePrefix = ARGV[1]
local dryRun = ARGV[2] == '1'

local idsType = redis.call('TYPE', idsKey)['ok']
local deadIdsType = redis.call('TYPE', deadIdsKey)['ok']
if idsType ~= 'set' and idsType ~= 'hash' and idsType ~= 'none' then error(wrong_type('hash', idsType, idsKey)) end
if deadIdsType ~= 'set' and deadIdsType ~= 'zset' and deadIdsType ~= 'none' then error(wrong_type('zset', deadIdsType, deadIdsKey)) end
if idsType ~= 'set' and deadIdsType ~= 'set' then return { 0, 0, 0, 0, 0, 0, 0, 0 } end
expect_type(waitKey, 'list')
expect_type(claimedKey, 'list')

-- The id of a stored envelope (nil for a raw element, a delivery or one without an id): a plain
-- id is read off the envelope's head, any other decoded.
local function id_of(el)
  if string.sub(el, 1, #ENVELOPE_HEAD) ~= ENVELOPE_HEAD or string.sub(el, 1, #DELIVERY_HEAD) == DELIVERY_HEAD then return nil end
  local plain = string.match(el, '^{"baton":1,"id":"([^"\\]*)",')
  if plain then return plain end
  local ok, t = pcall(cjson.decode, el)
  if ok and type(t) == 'table' and type(t.id) == 'string' and t.id ~= '' then return t.id end
  return nil
end

local queued, dead_marked = {}, {}
if idsType == 'set' then
  for _, id in ipairs(redis.call('SMEMBERS', idsKey)) do queued[id] = true end
end
if deadIdsType == 'set' then
  for _, id in ipairs(redis.call('SMEMBERS', deadIdsKey)) do dead_marked[id] = true end
end

-- What each id's entry in the ids hash becomes; the first place that claims an id keeps it, in
-- the order a task's state is judged: leased, cancelled, dead, then waiting or delayed.
local stored, count = {}, { waiting = 0, delayed = 0, active = 0, dead = 0, cancelled = 0, unplaced = 0 }
local function claim(id, value, state)
  if stored[id] ~= nil then return false end
  stored[id] = value
  count[state] = count[state] + 1
  return true
end

local now = server_ms()
local orphaned = {}
local leases = redis.call('HGETALL', leasesKey)
for i = 1, #leases, 2 do
  local id, record = leases[i], leases[i + 1]
  local env = idsType == 'set' and string.find(record, ',"skew":', 1, true) and string.match(record, '^[^|]*|(.*)$')
  local task = env and decode(env, now)
  if task then
    local back = reenvelope(task, math.max(task.attempt - 1, 0), task.lastError)
    orphaned[#orphaned + 1] = { id = id, env = back, priority = task.priority }
    claim(id, back, 'waiting')
  else
    claim(id, '', 'active')
  end
end
if idsType == 'set' then
  for _, id in ipairs(redis.call('HKEYS', cancelledKey)) do
    if queued[id] then claim(id, '', 'cancelled') end
  end
end
local dead_scores = {}
for i, letter in ipairs(redis.call('LRANGE', deadKey, 0, -1)) do
  local id = id_of(letter)
  if id and claim(id, letter, 'dead') then
    dead_scores[#dead_scores + 1] = now - (i - 1)
    dead_scores[#dead_scores + 1] = id
  end
end
for _, place in ipairs({
  { 'LRANGE', claimedKey, 'waiting' },
  { 'LRANGE', waitKey, 'waiting' },
  { 'ZRANGE', prioritizedKey, 'waiting' },
  { 'ZRANGE', delayedKey, 'delayed' },
}) do
  for _, el in ipairs(redis.call(place[1], place[2], 0, -1)) do
    local id = id_of(el)
    if id then claim(id, el, place[3]) end
  end
end
for id in pairs(queued) do
  if not dead_marked[id] then claim(id, '', 'unplaced') end
end

local stale = {}
for _, member in ipairs(redis.call('ZRANGE', idleKey, 0, -1)) do
  if string.sub(member, 1, #wakePrefix) ~= wakePrefix then stale[#stale + 1] = member end
end

local out = { 1, count.waiting, count.delayed, count.active, count.dead, count.cancelled, count.unplaced, #stale }
if dryRun then return out end

local pairs_out = {}
for id, value in pairs(stored) do
  pairs_out[#pairs_out + 1] = id
  pairs_out[#pairs_out + 1] = value
end
if idsType == 'set' then redis.call('DEL', idsKey) end
if deadIdsType == 'set' then redis.call('DEL', deadIdsKey) end
sliced('HSET', idsKey, pairs_out)
sliced('ZADD', deadIdsKey, dead_scores)
sliced('ZREM', idleKey, stale)
for _, o in ipairs(orphaned) do
  redis.call('HDEL', leasesKey, o.id)
  redis.call('ZREM', activeKey, o.id)
  push_ready(waitKey, prioritizedKey, sequenceKey, o.env, o.priority, true)
end
return out
