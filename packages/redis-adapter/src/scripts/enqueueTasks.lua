-- enqueueTasks: adds tasks unless their id is queued (waiting, delayed, leased) or finished; the
-- checks and writes go out a slice of up to 1,000 tasks per command, not one command per task.
-- While workers wait on this queue (registered in the idle zset by leaseTasks), a ready task is
-- leased here, in the same script, and published as a delivery on the wake channel the
-- registration names (one per process): the waiting worker that receives it runs it at once
-- instead of running the lease script first (one round trip less between enqueue and handler
-- start). One delivery per registered waiter, highest priority first. With exactReceivers, a
-- delivery that no connection heard (PUBLISH answered 0: the process stopped or is reconnecting)
-- is taken back in the same script and goes to the next registration or the ready order. A
-- delivery to the caller's own wake channel (ownChannel: a worker of the enqueuing process waits)
-- is not published but returned in the reply, which reaches the process sooner than a message
-- would and costs Redis no PUBLISH. Ready tasks of priority 0 go to the wait list, the others to
-- the prioritized zset.
-- KEYS[1] wait: wait list
-- KEYS[2] delayed: delayed zset
-- KEYS[3] ids: ids hash (id -> stored envelope)
-- KEYS[4] finished: finished set
-- KEYS[5] finishedAt: finished-at zset
-- KEYS[6] idle: idle zset ("waiter|visibility ms" -> registered until, ms)
-- KEYS[7] leases: leases hash
-- KEYS[8] active: active zset
-- KEYS[9] prioritized: prioritized zset (ready tasks of a priority other than 0)
-- KEYS[10] sequence: sequence hash of the prioritized zset
-- KEYS[11] cancelled: cancelled hash
-- KEYS[12] cancelledAt: cancelled-at zset
-- KEYS[13] results: results hash (id -> result JSON text)
-- KEYS[14] dead: dead list
-- KEYS[15] deadIds: dead ids zset
-- KEYS[16] watching: watching hash (event type -> watched until, ms)
-- ARGV[1] retainMs: how long finished and cancelled ids are kept (ms)
-- ARGV[2] dueChannel: the delayed-due channel
-- ARGV[3] tokenBase: lease tokens of deliveries are "<tokenBase>.<n>"
-- ARGV[4] anyPriority: 1 when a task of the call has a priority other than 0, else 0
-- ARGV[5] eventsChannel: the queue's events channel (enqueued, and active for deliveries)
-- ARGV[6] exactReceivers: 1 when PUBLISH counts every receiver (one server; on a Cluster it counts those of one node only)
-- ARGV[7] ownChannel: the caller's wake channel ('' when it has none)
-- ARGV[8..] tasks (id, envelope, delayMs): the tasks to add
-- Returns: one code per task, in order: QUEUED, DUPLICATE, FINISHED or CANCELLED, then the
--   deliveries to ownChannel (without the wait key a published one starts with). Cancelled and
--   dead ids stay in the ids hash, so only a queued id is looked up as cancelled or dead; a dead
--   one is queued afresh and its dead letter removed.
-- Times (due times, retention, idle registrations) are the server's.
local waitKey = KEYS[1]
local delayedKey = KEYS[2]
local idsKey = KEYS[3]
local finishedKey = KEYS[4]
local finishedAtKey = KEYS[5]
local idleKey = KEYS[6]
local leasesKey = KEYS[7]
local activeKey = KEYS[8]
local prioritizedKey = KEYS[9]
local sequenceKey = KEYS[10]
local cancelledKey = KEYS[11]
local cancelledAtKey = KEYS[12]
local resultsKey = KEYS[13]
local deadKey = KEYS[14]
local deadIdsKey = KEYS[15]
local watchingKey = KEYS[16]
local retainMs = tonumber(ARGV[1])
local dueChannel = ARGV[2]
local tokenBase = ARGV[3]
local anyPriority = ARGV[4] == '1'
local eventsChannel = ARGV[5]
local exactReceivers = ARGV[6] == '1'
local ownChannel = ARGV[7]
local tasksFrom = 8

-- The common call, one ready task of priority 0 whose id is new while no worker waits, with plain
-- commands and no tables: the finished and ids checks, LPUSH as the first write (a wait list of
-- the wrong type fails it before anything changed), HSET of the id and its envelope, and the server's time only when someone
-- watches. Any other call, or this one when a check finds something, takes the general path
-- below, which reads again what it needs (nothing was written).
if #ARGV == tasksFrom + 2 and ARGV[tasksFrom + 2] == '0' and not anyPriority then
  local id = ARGV[tasksFrom]
  local finished = redis.pcall('SISMEMBER', finishedKey, id)
  if type(finished) == 'table' then
    expect_type(finishedKey, 'set')
    error(finished)
  end
  if finished == 0 and redis.call('HEXISTS', idsKey, id) == 0 and redis.call('ZCARD', idleKey) == 0 then
    local pushed = redis.pcall('LPUSH', waitKey, ARGV[tasksFrom + 1])
    if type(pushed) == 'table' then
      expect_type(waitKey, 'list')
      error(pushed)
    end
    redis.call('HSET', idsKey, id, ARGV[tasksFrom + 1])
    local until_ms = redis.call('HGET', watchingKey, 'enqueued')
    if until_ms then
      local at = server_ms()
      if tonumber(until_ms) >= at then publish_events(eventsChannel, { ids_event('enqueued', at, { id }) }) end
    end
    return { QUEUED }
  end
end

local now = server_ms()
local cutoff = now - retainMs

expect_type(waitKey, 'list')

-- Whether the idle zset may hold a waiter: one ZCARD per call until a take finds it empty. Asked
-- before a task's envelope is decoded, so a bulk enqueue with no waiter decodes nothing.
local idle_known = nil
local function may_have_idle()
  if idle_known == nil then idle_known = call('ZCARD', idleKey) > 0 end
  return idle_known
end

-- A registered waiter, removed from the zset; nil when none is registered and live.
local function take_idle()
  if not may_have_idle() then return nil end
  call('ZREMRANGEBYSCORE', idleKey, '-inf', '(' .. num(now))
  local member = call('ZRANGE', idleKey, 0, 0)[1]
  if not member then
    idle_known = false
    return nil
  end
  call('ZREM', idleKey, member)
  return member
end

-- Leases a new task to a registered waiter and publishes its delivery, "<wait key>\n<delivery>",
-- on the waiter's wake channel (or keeps it for the reply when that is the caller's own); false
-- when no registered waiter hears it.
local delivered, handed = {}, {}
local function deliver(i, id, env)
  if not may_have_idle() then return false end
  local task = decode(env, now)
  if not task then return false end
  local token = tokenBase .. '.' .. i
  local leased = reenvelope(task, task.attempt + 1, task.lastError)
  for _ = 1, 100 do
    local member = take_idle()
    if not member then return false end
    local channel, vis = idle_fields(member)
    if channel then
      if call('HSETNX', leasesKey, id, token .. '|' .. leased) == 0 then return false end
      call('ZADD', activeKey, now + vis, id)
      local text = delivery(token, now + vis, leased)
      if channel == ownChannel then
        handed[#handed + 1] = text
        delivered[#delivered + 1] = id
        return true
      end
      local heard = redis.call('PUBLISH', channel, waitKey .. '\n' .. text)
      if heard > 0 or not exactReceivers then
        delivered[#delivered + 1] = id
        return true
      end
      -- nobody heard it: the lease is taken back before anyone could see it
      call('HDEL', leasesKey, id)
      call('ZREM', activeKey, id)
    end
  end
  return false
end

local ids = {}
for i = tasksFrom, #ARGV, 3 do ids[#ids + 1] = ARGV[i] end

-- One SMISMEMBER and one HMGET per slice answer "finished?" and "queued?" for the whole batch. The finished set
-- is read first, so a set of the wrong type fails before anything is written.
local ok, finished = pcall(sliced, 'SMISMEMBER', finishedKey, ids)
if not ok then
  expect_type(finishedKey, 'set')
  error(finished)
end
local queued = sliced('HMGET', idsKey, ids)

-- With priorities in the call, the ready tasks are gathered as { i, id, env, priority } and
-- delivered highest priority first; without, each is delivered or queued as it comes.
local out, new_ids, stored, ready, taken, gathered = {}, {}, {}, {}, {}, {}
for n, id in ipairs(ids) do
  local i = tasksFrom + (n - 1) * 3
  local env, delay = ARGV[i + 1], tonumber(ARGV[i + 2])
  -- an id that is both queued and finished (a recipe client's SADD) stays a duplicate
  if finished[n] == 1 and within_retention(finishedKey, finishedAtKey, id, cutoff, true, resultsKey) then
    out[n] = queued[n] and DUPLICATE or FINISHED
  elseif taken[id] then
    out[n] = DUPLICATE
  elseif queued[n] and cancellation(cancelledKey, cancelledAtKey, idsKey, id, cutoff) then
    out[n] = CANCELLED
  elseif queued[n] and call('HEXISTS', idsKey, id) == 1 and not revive_dead(deadKey, deadIdsKey, idsKey, id) then
    -- still queued: not dead, no cancellation, or one that ran out was just forgotten (and the id dropped)
    out[n] = DUPLICATE
  else
    taken[id] = true
    new_ids[#new_ids + 1] = id
    stored[#stored + 1] = id
    stored[#stored + 1] = env
    if delay > 0 then add_delayed(delayedKey, now + delay, env, dueChannel, now)
    elseif anyPriority then gathered[#gathered + 1] = { i, id, env, envelope_priority(env) }
    elseif not deliver(i, id, env) then ready[#ready + 1] = env end
    out[n] = QUEUED
  end
end
if #gathered > 0 then
  table.sort(gathered, function(a, b)
    if a[4] ~= b[4] then return a[4] > b[4] end
    return a[1] < b[1]
  end)
  for _, g in ipairs(gathered) do
    if not deliver(g[1], g[2], g[3]) then
      if g[4] == 0 then ready[#ready + 1] = g[3]
      else push_ready(waitKey, prioritizedKey, sequenceKey, g[3], g[4], false) end
    end
  end
end
sliced('HSET', idsKey, stored)
sliced('LPUSH', waitKey, ready)
local events = {}
if #new_ids > 0 and watched(watchingKey, 'enqueued', now) then events[1] = ids_event('enqueued', now, new_ids) end
if #delivered > 0 and watched(watchingKey, 'active', now) then events[#events + 1] = ids_event('active', now, delivered) end
publish_events(eventsChannel, events)
for _, text in ipairs(handed) do out[#out + 1] = text end
return out
