-- leaseTasks: promotes due delayed tasks, then leases up to max ready tasks in ready order:
-- the prioritized zset's tasks of a priority above 0, then priority 0 (the claimed list first,
-- then the wait list, oldest first), then the zset's tasks of a priority below 0. It skips finished
-- ids and dead-letters corrupt elements.
-- A delivery (a task enqueueTasks leased to a blocked worker) found in the wait list was never
-- received, so its lease is adopted; one found in the claimed list was received, so it is dropped.
-- A caller that finds nothing and is about to block registers in the idle zset, so enqueueTasks
-- can deliver to it; any call by that caller first takes the registration back.
-- Completions the caller made together with this call are done first (as completeTask does them),
-- so a worker's completion and its next lease cost one call. Times are the server's.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] delayed: delayed zset
-- KEYS[4] active: active zset (id -> deadline)
-- KEYS[5] leases: leases hash (id -> "token|envelope")
-- KEYS[6] ids: ids hash (id -> stored envelope; '' while leased)
-- KEYS[7] finished: finished set
-- KEYS[8] finishedAt: finished-at zset
-- KEYS[9] dead: dead list
-- KEYS[10] idle: idle zset
-- KEYS[11] prioritized: prioritized zset
-- KEYS[12] sequence: sequence hash of the prioritized zset
-- KEYS[13] results: results hash
-- KEYS[14] progress: progress hash (id -> latest progress JSON text)
-- KEYS[15] watching: watching hash (event type -> watched until, ms)
-- KEYS[16] paused: paused flag (see setPaused.lua): while it is set, nothing is leased or registered
-- KEYS[17] limits: limits hash (rate window, held flag; see prelude.lua limit_allowance)
-- ARGV[1] visibilityMs: visibility timeout (ms)
-- ARGV[2] max: most tasks to lease
-- ARGV[3] retainMs: how long finished ids are kept (ms)
-- ARGV[4] tokenBase: lease tokens are "<tokenBase>.<n>"
-- ARGV[5] idleMember: the caller's idle member ("waiter|visibility ms", '' for none)
-- ARGV[6] idleForMs: registered for this long when nothing is leased (ms; 0: do not register)
-- ARGV[7] floor: lease only tasks of at least this priority (below MIN_PRIORITY: all)
-- ARGV[8] wantTop: 1: report the highest priority left ready (a sharded queue orders its shards by it)
-- ARGV[9] eventsChannel: the queue's events channel (completed, active)
-- ARGV[10] holder: who takes the leases ('' for none), kept in the lease record for inspection
-- ARGV[11] deadline: the leases' deadline on the caller's clock (ms; reported, never compared):
--   the lease record keeps its difference from the server's deadline, so get reports the lease's own
-- ARGV[12] limits: the queue's limits spec ('' for none; see prelude.lua limit_fields), judged
--   against the active zset: a call leases no more than they allow
-- ARGV[13] slotsChannel: where completions done here announce a freed slot ('' without limits)
-- ARGV[14] tokenFrom: lease tokens are numbered from tokenFrom + 1 (a sharded sweep's later calls)
-- ARGV[15..] completions (id, token): leases to complete first
-- Returns: { ms until the next delayed task is due or -1, the highest priority left ready (with
--   wantTop; NO_PRIORITY when none or not asked), ms until the limits that held this call back may
--   lift by the clock (-1: not held back; a held-back call had tasks ready and leased none), number
--   of completion codes c, c codes (OK or NOT_HELD), envelope1, token1, envelope2, token2, ... }
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local delayedKey = KEYS[3]
local activeKey = KEYS[4]
local leasesKey = KEYS[5]
local idsKey = KEYS[6]
local finishedKey = KEYS[7]
local finishedAtKey = KEYS[8]
local deadKey = KEYS[9]
local idleKey = KEYS[10]
local prioritizedKey = KEYS[11]
local sequenceKey = KEYS[12]
local resultsKey = KEYS[13]
local progressKey = KEYS[14]
local watchingKey = KEYS[15]
local pausedKey = KEYS[16]
local limitsKey = KEYS[17]
local visibilityMs = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local retainMs = tonumber(ARGV[3])
local tokenBase = ARGV[4]
local idleMember = ARGV[5]
local idleForMs = tonumber(ARGV[6])
local floor = tonumber(ARGV[7])
local wantTop = ARGV[8] == '1'
local eventsChannel = ARGV[9]
local holder = ARGV[10]
local deadline = tonumber(ARGV[11])
local limits = ARGV[12]
local slotsChannel = ARGV[13]
local tokenFrom = tonumber(ARGV[14])
local completionsFrom = 15
local now = server_ms()
local cutoff = now - retainMs

local function is_utf8(s)
  -- one anchored pass over the bytes: an unanchored find of a byte class costs several times more
  if string.find(s, '^[%z\1-\127]*$') then return true end
  local i, n = 1, #s
  while i <= n do
    local c = string.byte(s, i)
    local len, lo, hi = 1, 0x80, 0xBF
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then
      len = 3
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      len = 4
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else return false end
    for j = i + 1, i + len - 1 do
      local b = string.byte(s, j)
      if not b or b < lo or b > hi then return false end
      lo, hi = 0x80, 0xBF
    end
    i = i + len
  end
  return true
end

expect_type(waitKey, 'list')
expect_type(finishedKey, 'set')
local events = {}
local completed_events = nil
if #ARGV >= completionsFrom and watched(watchingKey, 'completed', now) then completed_events = events end
local completed = complete_leases(leasesKey, activeKey, idsKey, finishedKey, finishedAtKey, now, cutoff, ARGV, completionsFrom, { results = resultsKey, progress = progressKey }, completed_events)
if #completed > 0 and slotsChannel ~= '' then slot_freed(limitsKey, slotsChannel) end
if idleMember ~= '' then call('ZREM', idleKey, idleMember) end
-- A paused queue leases nothing, and its caller does not register as idle (nothing is delivered
-- while paused); the completions above are done all the same.
if call('EXISTS', pausedKey) == 1 then
  local out = { -1, NO_PRIORITY, -1, #completed }
  for _, code in ipairs(completed) do out[#out + 1] = code end
  publish_events(eventsChannel, events)
  return out
end
local due = call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, 1000)
for _, env in ipairs(due) do push_ready(waitKey, prioritizedKey, sequenceKey, env, envelope_priority(env), false) end
if #due > 0 then call('ZREM', delayedKey, unpack(due)) end
local out = { -1, NO_PRIORITY, -1, #completed }
for _, code in ipairs(completed) do out[#out + 1] = code end
-- Limits: lease no more than they allow. A call they hold back while tasks are ready marks the
-- queue held (so a completion announces the slot it frees) and says when they may lift by the clock.
if limits ~= '' then
  local allowed, lift = limit_allowance(limitsKey, activeKey, limits, now, max)
  if allowed == 0 and (call('LLEN', waitKey) > 0 or call('LLEN', claimedKey) > 0 or call('ZCARD', prioritizedKey) > 0) then
    call('HSET', limitsKey, 'held', '1')
    out[3] = lift
    publish_events(eventsChannel, events)
    return out
  end
  max = allowed
end
local n = 0
-- Lease deadlines (score, id pairs) and leased ids (id, '' pairs), written with one ZADD and one HSET at the end.
local deadlines, leased, active_ids = {}, {}, {}

-- What the lease record adds to the envelope it keeps: the caller's deadline (as its difference
-- from the server's) and the holder; the envelope the caller gets back has neither.
local record_tail = ',"skew":' .. num(deadline - (now + visibilityMs))
if holder ~= '' then record_tail = record_tail .. ',"holder":' .. cjson.encode(holder) end
record_tail = record_tail .. '}'

local function lease(task)
  local token = tokenBase .. '.' .. (tokenFrom + n + 1)
  local env = reenvelope(task, task.attempt + 1, task.lastError)
  -- HSETNX records the lease unless the same id is already leased (a raw element pushed twice):
  -- one delivery at a time, checked and written in one command
  if call('HSETNX', leasesKey, task.id, token .. '|' .. string.sub(env, 1, -2) .. record_tail) == 0 then return end
  n = n + 1
  deadlines[#deadlines + 1] = now + visibilityMs
  deadlines[#deadlines + 1] = task.id
  leased[#leased + 1] = task.id
  leased[#leased + 1] = ''
  active_ids[#active_ids + 1] = task.id
  out[#out + 1] = env
  out[#out + 1] = token
end

-- Takes over the lease a delivery carries, if it still holds, with its deadline renewed.
local function adopt(el)
  local ok, d = pcall(cjson.decode, el)
  if not ok or type(d) ~= 'table' or type(d.id) ~= 'string' or type(d.lease) ~= 'string' then return end
  local env = held_envelope(call('HGET', leasesKey, d.id), d.lease)
  if not env then return end
  n = n + 1
  deadlines[#deadlines + 1] = now + visibilityMs
  deadlines[#deadlines + 1] = d.id
  active_ids[#active_ids + 1] = d.id
  out[#out + 1] = env
  out[#out + 1] = d.lease
end

-- Leases the elements of one pop (received: from the claimed list); the finished check of a whole
-- pop is one SMISMEMBER.
local function take(els, received)
  local tasks, task_ids = {}, {}
  for _, el in ipairs(els) do
    if string.sub(el, 1, #DELIVERY_HEAD) == DELIVERY_HEAD then
      -- a received delivery is a task some worker runs: the claimed entry is only dropped
      if not received then adopt(el) end
    else
      local task, reason
      if is_utf8(el) then task, reason = decode(el, now) else reason = 'not UTF-8 text' end
      if task then
        tasks[#tasks + 1] = task
        task_ids[#task_ids + 1] = task.id
      else
        call('LPUSH', deadKey, corrupt_letter(el, reason, now))
      end
    end
  end
  local finished = sliced('SMISMEMBER', finishedKey, task_ids)
  for k, task in ipairs(tasks) do
    if finished[k] == 1 and within_retention(finishedKey, finishedAtKey, task.id, cutoff, true, resultsKey) then
      call('HDEL', idsKey, task.id)
    else
      lease(task)
    end
  end
end

-- Takes up to `want` prioritized tasks scored at most `upto` ('+inf' or '(0') off the zset.
-- Repeats while it finds tasks and more are wanted (finished ids are skipped, not leased).
local took_prioritized = false
local function take_prioritized(upto)
  while n < max do
    local els = call('ZRANGEBYSCORE', prioritizedKey, '-inf', upto, 'LIMIT', 0, max - n)
    if #els == 0 then return end
    took_prioritized = true
    sliced('ZREM', prioritizedKey, els)
    take(els, false)
  end
end

-- Priorities above 0 first (scores below 0), down to the floor.
if floor >= 1 then take_prioritized(priority_bound(floor)) else take_prioritized('(0') end

-- Elements are popped as many at a time as are still wanted (an empty RPOP gives false).
local claimed_left = floor <= 0
while n < max and floor <= 0 do
  local want = max - n
  local els, received = false, true
  if claimed_left then
    els = call('RPOP', claimedKey, want)
    if not els or #els < want then claimed_left = false end
  end
  if not els then
    els = call('RPOP', waitKey, want)
    received = false
  end
  if not els then break end
  take(els, received)
end

-- Then priorities below 0 (all that is left in the zset), down to the floor.
if floor <= MIN_PRIORITY then take_prioritized('+inf')
elseif floor < 0 then take_prioritized(priority_bound(floor)) end
if took_prioritized and call('ZCARD', prioritizedKey) == 0 then call('DEL', sequenceKey) end
sliced('ZADD', activeKey, deadlines)
sliced('HSET', idsKey, leased)
-- leased holds (id, '') pairs for the ids hash: half of it are the leases started here
if limits ~= '' then limit_started(limitsKey, limits, now, #leased / 2) end
local top = NO_PRIORITY
if wantTop then
  local first = call('ZRANGE', prioritizedKey, 0, 0, 'WITHSCORES')
  if first[2] then top = -math.floor(tonumber(first[2]) / PRIORITY_BAND + 0.5) end
  if top < 0 and (call('LLEN', waitKey) > 0 or call('LLEN', claimedKey) > 0) then top = 0 end
  out[2] = top
end
-- a call that left tasks below its floor has work; it does not register as idle
if n == 0 and idleForMs > 0 and top == NO_PRIORITY then call('ZADD', idleKey, now + idleForMs, idleMember) end
if n == 0 then
  local first = call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')
  if first[2] then out[1] = math.max(0, tonumber(first[2]) - now) end
end
if #active_ids > 0 and watched(watchingKey, 'active', now) then events[#events + 1] = ids_event('active', now, active_ids) end
publish_events(eventsChannel, events)
return out
