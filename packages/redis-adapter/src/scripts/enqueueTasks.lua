-- enqueueTasks: adds tasks unless their id is queued (waiting, delayed, leased) or finished.
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

-- the finished set's type is checked by its SISMEMBER, the first command for each task
local out = {}
for i = 5, #ARGV, 3 do
  local id, env, delay = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  -- SADD answers the duplicate check and claims the id in one command. An id that is both
  -- queued and finished (a recipe client's SADD) stays a duplicate, as before.
  if is_finished(KEYS[4], KEYS[5], id, cutoff, true) then
    out[#out + 1] = call('SISMEMBER', KEYS[3], id) == 1 and DUPLICATE or FINISHED
  elseif call('SADD', KEYS[3], id) == 0 then
    out[#out + 1] = DUPLICATE
  else
    if delay > 0 then add_delayed(KEYS[2], now + delay, env, ARGV[3])
    elseif not deliver(i, id, env) then call('LPUSH', KEYS[1], env) end
    out[#out + 1] = QUEUED
  end
end
return out
