-- enqueueTasks: adds tasks unless their id is queued (waiting, delayed, leased) or finished; the
-- checks and writes go out a slice of up to 1,000 tasks per command, not one command per task.
-- While workers are blocked waiting on this queue (registered in the idle zset by leaseTasks), a
-- ready task is leased here, in the same script, and pushed as a delivery: the blocked worker
-- that receives it runs it at once instead of running the lease script first (one round trip
-- less between enqueue and handler start). One delivery per registered waiter.
-- KEYS[1] wait list   KEYS[2] delayed zset   KEYS[3] ids set   KEYS[4] finished set   KEYS[5] finished-at zset
-- KEYS[6] idle zset ("waiter|visibility ms" -> registered until, ms)   KEYS[7] leases hash   KEYS[8] active zset
-- ARGV[1] now (ms, caller's clock)   ARGV[2] finished cutoff (now - retainFinishedMs)   ARGV[3] delayed-due channel
-- ARGV[4] token base   ARGV[5..] triples: id, envelope, delayMs
-- Returns: one code per task, in order: QUEUED, DUPLICATE or FINISHED.
local now, cutoff = tonumber(ARGV[1]), tonumber(ARGV[2])
expect_type(KEYS[1], 'list')

-- A registered waiter, removed from the zset; nil when none is registered and live.
local idle_known = nil
local function take_idle()
  if idle_known == false then return nil end
  if call('ZCARD', KEYS[6]) == 0 then
    idle_known = false
    return nil
  end
  call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. num(now))
  local member = call('ZRANGE', KEYS[6], 0, 0)[1]
  if not member then
    idle_known = false
    return nil
  end
  call('ZREM', KEYS[6], member)
  return member
end

-- Leases a new task to a registered waiter and pushes its delivery; false when none waits.
local function deliver(i, id, env)
  local member = take_idle()
  if not member then return false end
  local vis = tonumber(string.match(member, '|(%d+)$'))
  local task = decode(env, now)
  if not vis or not task then return false end
  local token = ARGV[4] .. '.' .. i
  local leased = envelope(id, task.payload, task.attempt + 1, task.enqueuedAt, task.lastError)
  if call('HSETNX', KEYS[7], id, token .. '|' .. leased) == 0 then return false end
  call('ZADD', KEYS[8], now + vis, id)
  call('LPUSH', KEYS[1], DELIVERY_HEAD .. cjson.encode(token) .. ',"deadline":' .. num(now + vis) .. ',' .. string.sub(leased, #ENVELOPE_HEAD + 1))
  return true
end

local ids = {}
for i = 5, #ARGV, 3 do ids[#ids + 1] = ARGV[i] end

-- One SMISMEMBER per slice answers "finished?" and "queued?" for the whole batch. The finished set
-- is read first, so a set of the wrong type fails before anything is written.
local ok, finished = pcall(sliced, 'SMISMEMBER', KEYS[4], ids)
if not ok then
  expect_type(KEYS[4], 'set')
  error(finished)
end
local queued = sliced('SMISMEMBER', KEYS[3], ids)

local out, new_ids, ready, taken = {}, {}, {}, {}
for n, id in ipairs(ids) do
  local i = 5 + (n - 1) * 3
  local env, delay = ARGV[i + 1], tonumber(ARGV[i + 2])
  -- an id that is both queued and finished (a recipe client's SADD) stays a duplicate
  if finished[n] == 1 and within_retention(KEYS[4], KEYS[5], id, cutoff, true) then
    out[n] = queued[n] == 1 and DUPLICATE or FINISHED
  elseif queued[n] == 1 or taken[id] then
    out[n] = DUPLICATE
  else
    taken[id] = true
    new_ids[#new_ids + 1] = id
    if delay > 0 then add_delayed(KEYS[2], now + delay, env, ARGV[3])
    elseif not deliver(i, id, env) then ready[#ready + 1] = env end
    out[n] = QUEUED
  end
end
sliced('SADD', KEYS[3], new_ids)
sliced('LPUSH', KEYS[1], ready)
return out
