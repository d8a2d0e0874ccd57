-- prelude.lua: helpers shared by every script in this folder. The loader (script-loader.ts)
-- prepends this file to each script's source before defineCommand; it holds no user data.
--
-- It reads no KEYS or ARGV: each script binds its own at its top and passes what a helper needs.
--
-- Reply codes (the same as ReplyCode in reply-codes.ts; test/script-constants pins the two).
local NOT_HELD, OK = 0, 1
local QUEUED, DUPLICATE, FINISHED, CANCELLED, ALREADY_CANCELLED, DEAD, NOT_FOUND = 10, 11, 12, 13, 14, 15, 16
local IN_LINE, HANDED_OVER, LIMIT_MISMATCH = 20, 21, 22
local REVOKED = -1

-- The error a key of the wrong type raises; reply-codes.ts reads it back (BackendDataError naming the key).
local function wrong_type(expected, actual, key)
  return { err = 'BATON_WRONGTYPE expected=' .. expected .. ' actual=' .. actual .. ' key=' .. key }
end

-- redis.call that turns WRONGTYPE into a BATON_WRONGTYPE error naming the key.
local function call(cmd, key, ...)
  local r = redis.pcall(cmd, key, ...)
  if type(r) == 'table' and r.err then
    if string.find(r.err, 'WRONGTYPE', 1, true) then error(wrong_type('?', '?', key)) end
    error(r)
  end
  return r
end

-- Runs cmd on key with the arguments of list, a slice of up to 1,000 per command (Lua's unpack
-- has a limit), and returns the replies of the slices one after the other (for array replies).
-- An even slice size keeps score-member pairs together.
local SLICE = 1000
local function sliced(cmd, key, list)
  local replies = {}
  for from = 1, #list, SLICE do
    local r = call(cmd, key, unpack(list, from, math.min(from + SLICE - 1, #list)))
    if type(r) == 'table' then
      for _, v in ipairs(r) do replies[#replies + 1] = v end
    end
  end
  return replies
end

-- Fails before any write when a key that a user may bind by name holds the wrong type.
local function expect_type(key, expected)
  local actual = redis.call('TYPE', key)['ok']
  if actual ~= 'none' and actual ~= expected then error(wrong_type(expected, actual, key)) end
end

-- A Baton envelope always starts with {"baton":1, so any other list element is a raw task.
local ENVELOPE_HEAD = '{"baton":1,'
-- A delivery: a task the enqueue script already leased to a worker that was blocked waiting
-- (see enqueueTasks). It is an envelope with the lease token and deadline in front.
local DELIVERY_HEAD = '{"baton":1,"lease":'

-- The server's clock (ms). Expiries that several nodes compare are judged by it, never by a
-- caller's clock (machines disagree about the time).
local function server_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function num(n)
  return string.format('%.0f', n)
end

-- Builds an envelope with a fixed field order (encodeEnvelope in envelope.ts writes the same);
-- payload and headers are JSON texts, carried as strings. A priority of 0 and absent headers are
-- left out, so a plain task's envelope is what it was before priorities existed.
local function envelope(id, payload, attempt, enqueued_at, last_error, priority, headers)
  local s = ENVELOPE_HEAD .. '"id":' .. cjson.encode(id) .. ',"payload":' .. cjson.encode(payload)
    .. ',"attempt":' .. num(attempt) .. ',"enqueuedAt":' .. num(enqueued_at)
  if priority and priority ~= 0 then s = s .. ',"priority":' .. num(priority) end
  if headers then s = s .. ',"headers":' .. cjson.encode(headers) end
  if last_error then s = s .. ',"lastError":' .. cjson.encode(last_error) end
  return s .. '}'
end

-- The envelope of a decoded task with another attempt count and last error (priority and headers kept).
local function reenvelope(task, attempt, last_error)
  return envelope(task.id, task.payload, attempt, task.enqueuedAt, last_error, task.priority, task.headers)
end

-- The priority an envelope carries, without decoding it: 0 for a raw element or none given. The
-- payload, id, headers and error are JSON strings inside it, whose quotes are escaped, so the only
-- unescaped ,"priority": is the field itself.
local function envelope_priority(env)
  return tonumber(string.match(env, ',"priority":(%-?%d+)')) or 0
end

-- Ready tasks of priority 0 (and raw elements) wait in the wait list, as they always did; those of
-- another priority wait in the prioritized zset, scored -priority * 2^33 + seq: higher priority
-- first, and within one priority by seq, which grows for tasks going to the back and falls below
-- zero for tasks going to the front (recovered leases). Priorities lie within +-1,000,000, so
-- every score is an exact double (below 2^53), and scores below 0 are exactly the priorities
-- above 0. seq counts in the sequence hash (fields back, front), deleted when the zset empties.
local PRIORITY_BAND = 8589934592
-- Below every priority (MIN_PRIORITY is -1,000,000): "no floor" and "nothing ready".
local MIN_PRIORITY = -1000000
local NO_PRIORITY = -2000000

-- The exclusive score bound below which the prioritized zset holds the tasks of priority >= p
-- (priority p's scores lie within -p * 2^33 +- 2^32, so the bands tile the line).
local function priority_bound(p)
  return '(' .. num(-p * PRIORITY_BAND + 4294967296)
end

-- Puts a ready envelope at the back (or, with front, the front) of its priority's ready order.
local function push_ready(wait_key, prio_key, seq_key, env, priority, front)
  if priority == 0 then
    if front then call('RPUSH', wait_key, env) else call('LPUSH', wait_key, env) end
    return
  end
  local seq
  if front then seq = -call('HINCRBY', seq_key, 'front', 1) else seq = call('HINCRBY', seq_key, 'back', 1) end
  call('ZADD', prio_key, -priority * PRIORITY_BAND + seq, env)
end

-- The delivery of a leased envelope (see DELIVERY_HEAD); envelope.ts decodeDelivery reads it.
local function delivery(token, deadline, leased)
  return DELIVERY_HEAD .. cjson.encode(token) .. ',"deadline":' .. num(deadline) .. ',' .. string.sub(leased, #ENVELOPE_HEAD + 1)
end

-- The wake channel and the visibility timeout (ms) in a waiter's idle member
-- "<wake channel>|<visibility ms>" (built by idleMember in queue-waiter.ts); nil when the member
-- is not one.
local function idle_fields(member)
  local channel, vis = string.match(member, '^(.+)|(%d+)$')
  if not channel then return nil end
  return channel, tonumber(vis)
end

-- Reads a list element: a task table, or nil and the reason it is corrupt.
local function decode(el, now)
  if string.sub(el, 1, #ENVELOPE_HEAD) ~= ENVELOPE_HEAD then
    return { id = el, payload = cjson.encode(el), attempt = 0, enqueuedAt = now, priority = 0 }
  end
  local ok, t = pcall(cjson.decode, el)
  if not ok then return nil, 'not valid JSON' end
  if type(t) ~= 'table' or type(t.id) ~= 'string' or t.id == '' then return nil, 'no string id' end
  if type(t.payload) ~= 'string' then return nil, 'no payload text' end
  if type(t.attempt) ~= 'number' or type(t.enqueuedAt) ~= 'number' then return nil, 'no attempt or enqueuedAt' end
  if t.lastError ~= nil and type(t.lastError) ~= 'string' then t.lastError = nil end
  if type(t.priority) ~= 'number' then t.priority = 0 end
  if t.headers ~= nil and type(t.headers) ~= 'string' then t.headers = nil end
  return t
end

-- For an id in the finished set: whether it is still finished, that is, Baton recorded no time for
-- it or the time is within retention. With prune, an expired id is removed from both structures.
local function within_retention(set_key, at_key, id, cutoff, prune, results_key)
  local at = call('ZSCORE', at_key, id)
  if at and tonumber(at) < cutoff then
    if prune then
      call('SREM', set_key, id)
      call('ZREM', at_key, id)
      if results_key then call('HDEL', results_key, id) end
    end
    return false
  end
  return true
end

-- Finished: in the finished set, and (when Baton recorded the time) within retention.
-- With prune, an expired id is removed from both structures.
-- A finished set of the wrong type fails here with the type found, before the caller writes anything,
-- so a script whose first command this is needs no separate TYPE check.
local function is_finished(set_key, at_key, id, cutoff, prune)
  local member = redis.pcall('SISMEMBER', set_key, id)
  if type(member) == 'table' and member.err then
    if string.find(member.err, 'WRONGTYPE', 1, true) then expect_type(set_key, 'set') end
    error(member)
  end
  if member == 0 then return false end
  return within_retention(set_key, at_key, id, cutoff, prune)
end

-- For an id in the ids hash: true while its cancellation is retained (cancelled at or after
-- cutoff); false when it had one that expired, now forgotten (the id is free again: dropped from
-- the ids set too); nil when it has none. Cancelled ids stay in the ids set while retained, so an
-- enqueue looks for a cancellation only among the ids it finds queued.
local function cancellation(cancelled_key, cancelled_at_key, ids_key, id, cutoff)
  local at = call('ZSCORE', cancelled_at_key, id)
  if not at then return nil end
  if tonumber(at) >= cutoff then return true end
  call('HDEL', cancelled_key, id)
  call('ZREM', cancelled_at_key, id)
  call('HDEL', ids_key, id)
  return false
end

-- The first element of a list or members of a zset (kind 'list' or 'zset') for which match(el)
-- holds, read 1,000 at a time; nil when none does. O(length): for rare operations (cancel,
-- outcome), never on the path of enqueue, lease or complete.
local function find_element(kind, key, match)
  local len = kind == 'list' and call('LLEN', key) or call('ZCARD', key)
  for from = 0, len - 1, 1000 do
    local els
    if kind == 'list' then els = call('LRANGE', key, from, from + 999) else els = call('ZRANGE', key, from, from + 999) end
    for _, el in ipairs(els) do
      if match(el) then return el end
    end
  end
  return nil
end

-- A matcher for the stored envelope of task `id`, whose head is given (`head`, as TypeScript
-- writes it) or as cjson writes it (the two escape some characters differently). Anchored
-- patterns stop at the first character that differs and copy nothing.
local function task_matcher(id, head)
  local function anchored(text)
    return '^' .. string.gsub(text, '[%^%$%(%)%%%.%[%]%*%+%-%?]', '%%%0')
  end
  local ts, lua = anchored(head), anchored(ENVELOPE_HEAD .. '"id":' .. cjson.encode(id) .. ',')
  return function(el)
    return string.find(el, ts) ~= nil or string.find(el, lua) ~= nil
  end
end

-- Records a dead letter at server time `now`: the letter goes to the dead list (newest at the
-- left, so the list is in order of death), its id to the dead ids zset (scored by `now`) and the
-- letter under its id in the ids hash, where get, outcome, remove and retryDead find it in O(1).
-- Dead ids stay in the ids hash, so only an enqueue that finds an id queued asks whether it is
-- dead (the plain enqueue pays nothing).
local function add_dead(dead_key, dead_ids_key, ids_key, env, id, now)
  call('LPUSH', dead_key, env)
  call('ZADD', dead_ids_key, now, id)
  call('HSET', ids_key, id, env)
end

-- For an enqueue of `id`: when the id is dead, removes its dead letter (LREM of the letter the ids
-- hash keeps) and its dead mark, and returns true (the id is queued afresh).
local function revive_dead(dead_key, dead_ids_key, ids_key, id)
  if not call('ZSCORE', dead_ids_key, id) then return false end
  local letter = call('HGET', ids_key, id)
  if letter then call('LREM', dead_key, 1, letter) end
  call('ZREM', dead_ids_key, id)
  return true
end

-- Drops the oldest dead letters past a queue's retainDead: while the dead list holds more than
-- `count`, or its oldest died before `now - age_ms`, at most `max` per call, adding them to the
-- dead-dropped counter. The list is in order of death, so the oldest is at its right end: one
-- RPOP each. k: dead (list), dead_ids (zset), ids (hash), dropped (counter). Returns how many.
local function prune_dead(k, now, count, age_ms, max)
  local dropped = 0
  local len = call('LLEN', k.dead)
  while dropped < max and len > 0 do
    local oldest = call('LINDEX', k.dead, -1)
    local ok, t = pcall(cjson.decode, oldest)
    local id = ok and type(t) == 'table' and type(t.id) == 'string' and t.id or nil
    local at = id and call('ZSCORE', k.dead_ids, id)
    at = at and tonumber(at) or (ok and type(t) == 'table' and tonumber(t.enqueuedAt)) or now
    if len <= count and at >= now - age_ms then break end
    call('RPOP', k.dead)
    if id and call('ZREM', k.dead_ids, id) == 1 then call('HDEL', k.ids, id) end
    len = len - 1
    dropped = dropped + 1
  end
  if dropped > 0 then call('INCRBY', k.dropped, dropped) end
  return dropped
end

-- Splits a lease record "token|envelope"; nil unless the token matches.
local function held_envelope(record, token)
  if not record then return nil end
  local head = token .. '|'
  if string.sub(record, 1, #head) ~= head then return nil end
  return string.sub(record, #head + 1)
end

-- Dead letter for a list element that could not be read.
local function corrupt_letter(el, reason, now)
  return envelope('corrupt:' .. redis.sha1hex(el), cjson.encode(el), 0, now, 'corrupt envelope (' .. reason .. '): ' .. string.sub(el, 1, 200))
end

-- Tells the workers waiting on a queue in every process that a task is ready or falls due in
-- `in_ms` ms (0: now), as "<ms from now>": the message is relative, so the listener's clock need
-- not agree with the server's (QueueWaiter.onDue reads it).
local function announce_due(channel, in_ms)
  redis.call('PUBLISH', channel, num(in_ms))
end

-- Adds a delayed envelope due at server time `due` (now: the server's time of the call); when it
-- is now the earliest, announces it so workers that are waiting in other processes wake when it
-- falls due rather than at the end of their wait.
local function add_delayed(key, due, env, channel, now)
  local first = call('ZRANGE', key, 0, 0, 'WITHSCORES')
  call('ZADD', key, due, env)
  if not first[2] or due < tonumber(first[2]) then announce_due(channel, due - now) end
end

-- A lock waiter's entry in the waiter list and deadlines zset: "<token> <ttl ms> <grant channel>"
-- (as waiterEntry in lock-grants.ts builds it). The ttl and channel travel with the place so a
-- release can hand the lock over directly.
local function waiter_entry(token, ttl, channel)
  return token .. ' ' .. ttl .. ' ' .. channel
end

-- The fields of a waiter entry: token, ttl (ms, as text), grant channel; nil when it is not one.
local function waiter_fields(entry)
  return string.match(entry, '^(%S+) (%d+) (.+)$')
end

-- The message a hand-off publishes on the waiter's grant channel: "<token> <fence>" for a lock,
-- "<token> <fence> <seq>" for permits, seq counting the resource's hand-offs (decodeGrant in
-- lock-grants.ts reads both).
local function grant_message(token, fence, seq)
  if seq then return token .. ' ' .. fence .. ' ' .. seq end
  return token .. ' ' .. fence
end

-- Drops waiters that stopped refreshing their place (gone, crashed) from the front of a lock's
-- waiter queue, so they never hold up the others for longer than their place lasts; returns the
-- first live entry, or nil.
local function first_live_waiter(list_key, deadlines_key, now)
  while true do
    local first = call('LINDEX', list_key, 0)
    if not first then return nil end
    now = now or server_ms()
    local deadline = call('ZSCORE', deadlines_key, first)
    if deadline and tonumber(deadline) > now then return first end
    call('LPOP', list_key)
    call('ZREM', deadlines_key, first)
  end
end

-- Hands a lock that its holder gives up (or that is free) to the first live waiter: the lock key
-- takes the waiter's token with the waiter's TTL, the fence counter goes up, and the waiter's
-- grant channel gets "<token> <fence>", so the waiter owns the lock before it hears of it.
-- Expired places are dropped on the way. `now` is the server's ms, or nil to read TIME only when
-- there is a place to judge (a release with nobody waiting costs no TIME call). Returns true when
-- a waiter got the lock, false when the queue is empty (the caller then frees or leaves the lock).
local function hand_over(lock_key, fence_key, list_key, deadlines_key, now)
  while true do
    local entry = call('LPOP', list_key)
    if not entry then return false end
    now = now or server_ms()
    local deadline = call('ZSCORE', deadlines_key, entry)
    call('ZREM', deadlines_key, entry)
    if deadline and tonumber(deadline) > now then
      local token, ttl, channel = waiter_fields(entry)
      if token then
        call('SET', lock_key, token, 'PX', ttl)
        local fence = call('INCR', fence_key)
        redis.call('PUBLISH', channel, grant_message(token, fence))
        return true
      end
    end
  end
end

-- A queue's events, published at the end of each step as one message on its events channel: a JSON
-- array of events, each as QueueEvent without `queue` (redis-queue-events.ts reads it). Result and
-- progress values are JSON texts spliced in as they are. Pub/sub: a subscriber that is not
-- connected misses them (see docs/redis.md).
local function event_head(type, at)
  return '{"type":"' .. type .. '","at":' .. num(at)
end

local function ids_event(type, at, ids)
  return event_head(type, at) .. ',"ids":' .. cjson.encode(ids) .. '}'
end

local function id_event(type, at, id, rest)
  return event_head(type, at) .. ',"id":' .. cjson.encode(id) .. (rest or '') .. '}'
end

-- The failed (and dead) events of an attempt that ended with `message`.
local function failure_events(events, at, id, attempt, message, dead)
  local tail = ',"attempt":' .. num(attempt) .. ',"error":' .. cjson.encode(message)
  events[#events + 1] = id_event('failed', at, id, tail .. ',"willRetry":' .. (dead and 'false' or 'true'))
  if dead then events[#events + 1] = id_event('dead', at, id, tail) end
end

-- Whether anyone watches events of `type` on this queue (shard): watchers register each type they
-- want in the watching hash (type -> registered until, server ms; watchEvents.lua) and renew it
-- while they watch. The frequent events (enqueued, active, completed) are built and published
-- only then, so a queue nobody watches pays one HGET per step for them; the rare ones always go.
local function watched(key, type, now)
  local until_ms = redis.call('HGET', key, type)
  return until_ms ~= false and tonumber(until_ms) >= now
end

-- Publishes the events of one step (nothing when there are none).
local function publish_events(channel, events)
  if #events > 0 then redis.call('PUBLISH', channel, '[' .. table.concat(events, ',') .. ']') end
end

-- Finishes each lease (pairs id, token in argv from index `first`) whose token still holds it, and
-- prunes expired finished ids (and their results). Keys: leases hash, active zset, ids hash, finished
-- set, finished-at zset; k.results and k.progress (hashes). Adds a completed event per finished
-- lease to `events` (unless nil: nobody watches).
-- One command per slice of leases for each step (HMGET, SADD, HDEL, ZREM, SREM, ZADD), not per lease.
-- Returns one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
local function complete_leases(leases, active, ids, finished, finished_at, now, cutoff, argv, first, k, events)
  local codes, asked = {}, {}
  for i = first, #argv - 1, 2 do asked[#asked + 1] = argv[i] end
  if #asked == 0 then return codes end
  local records = sliced('HMGET', leases, asked)
  local done, stamps, seen = {}, {}, {}
  for n, id in ipairs(asked) do
    -- the same lease twice in one batch: the second finds it finished, as it would one call later
    if not seen[id] and held_envelope(records[n], argv[first + 2 * n - 1]) then
      seen[id] = true
      done[#done + 1] = id
      stamps[#stamps + 1] = now
      stamps[#stamps + 1] = id
      codes[n] = OK
      if events then events[#events + 1] = id_event('completed', now, id) end
    else
      codes[n] = NOT_HELD
    end
  end
  if #done > 0 then
    -- SADD on the finished set is the first write, so a set of the wrong type fails it before
    -- anything changed (the type is looked up only then, instead of a TYPE on every call)
    local ok, err = pcall(sliced, 'SADD', finished, done)
    if not ok then
      expect_type(finished, 'set')
      error(err)
    end
    sliced('HDEL', leases, done)
    sliced('ZREM', active, done)
    sliced('HDEL', ids, done)
    sliced('ZADD', finished_at, stamps)
    sliced('HDEL', k.progress, done)
  end
  -- Prunes up to two expired ids per completion (plus 100), so pruning outpaces completions however
  -- large the batch: the finished set stays bounded by the retention window, not by the run.
  local old = call('ZRANGEBYSCORE', finished_at, '-inf', '(' .. cutoff, 'LIMIT', 0, 100 + 2 * #codes)
  if #old > 0 then
    sliced('SREM', finished, old)
    sliced('ZREM', finished_at, old)
    sliced('HDEL', k.results, old)
  end
  return codes
end

-- A permits waiter's entry in the waiter list and places zset (as permitEntry in lock-grants.ts builds it):
-- "<token> <permits> <ttl ms> <1: its grant increments the fence, 0: reads it> <grant channel>".
local function permit_entry(token, permits, ttl, bump, channel)
  return token .. ' ' .. permits .. ' ' .. ttl .. ' ' .. bump .. ' ' .. channel
end

-- The fields of a permits waiter entry: token, permits, ttl, bump, channel (as text); nil when it is not one.
local function permit_fields(entry)
  return string.match(entry, '^(%S+) (%d+) (%d+) ([01]) (.+)$')
end

-- Settles a semaphore or read/write lock at server time `now`. k holds its keys: state (hash:
-- fence, seq, used, limit, and "<permits> <fence>" under each grant's token), holders (zset: token
-- -> expiry ms), waiters (list of entries, oldest first), places (zset: entry -> place deadline ms).
-- Drops the grants that ran out, then hands permits to the waiters in order of arrival while the
-- first live one fits under `limit` (a place that lapsed is dropped; nobody passes a live waiter
-- that does not fit). Each grant is written like one made by acquirePermits and announced on the
-- waiter's grant channel as "<token> <fence> <seq>", seq counting hand-offs so that a waiter can
-- tell a late message. `used` and `fence` are the values the caller read; returns them as they
-- are after it (the caller writes them back). These keys are Baton's own (never bound to a
-- user's name), so the commands go straight to redis.call.
local function settle_permits(k, now, used, limit, fence)
  if used > 0 then
    local expired = redis.call('ZRANGEBYSCORE', k.holders, '-inf', now)
    if #expired > 0 then
      local holds = sliced('HMGET', k.state, expired)
      for i = 1, #expired do
        used = used - tonumber(string.match(holds[i] or '0', '^(%d+)') or '0')
      end
      sliced('ZREM', k.holders, expired)
      sliced('HDEL', k.state, expired)
    end
  end
  while true do
    local entry = redis.call('LINDEX', k.waiters, 0)
    if not entry then break end
    local deadline = redis.call('ZSCORE', k.places, entry)
    local token, permits, ttl, bump, channel = permit_fields(entry)
    if token and deadline and tonumber(deadline) > now then
      permits = tonumber(permits)
      if used + permits > limit then break end
      if bump == '1' then fence = fence + 1 end
      redis.call('ZADD', k.holders, now + tonumber(ttl), token)
      redis.call('HSET', k.state, token, permits .. ' ' .. fence)
      used = used + permits
      local seq = redis.call('HINCRBY', k.state, 'seq', 1)
      redis.call('PUBLISH', channel, grant_message(token, fence, seq))
    end
    redis.call('LPOP', k.waiters)
    redis.call('ZREM', k.places, entry)
  end
  return used, fence
end

-- Queue limits (QueueOptions.limits). A spec is "<concurrency>,<rate max>,<rate window ms>", 0 for
-- a limit not given; '' means no limits, and a script given '' reads none of these keys. The live
-- leases are the members of a deadlines zset (the queue's active zset, or a sharded queue's
-- reservations) scored after now; the rate window lives in a hash (fields window: when it opened,
-- server ms; started: leases started in it; held: set while a lease call is held back).
local function limit_fields(spec)
  local c, m, p = string.match(spec, '^(%d+),(%d+),(%d+)$')
  return tonumber(c), tonumber(m), tonumber(p)
end

-- How many of `want` leases the limits allow at server time `now` (0 or more), and, when none,
-- in how many ms they may lift by the clock alone (the earliest live deadline when concurrency is
-- full, the window's end when the rate is used up; the later of the two when both hold).
local function limit_allowance(state_key, deadlines_key, spec, now, want)
  local concurrency, rate_max, per_ms = limit_fields(spec)
  local allowed, lift = want, 0
  if concurrency > 0 then
    local live = redis.call('ZCOUNT', deadlines_key, '(' .. num(now), '+inf')
    if live >= concurrency then
      local first = redis.call('ZRANGEBYSCORE', deadlines_key, '(' .. num(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      lift = tonumber(first[2]) - now
    end
    allowed = math.min(allowed, concurrency - live)
  end
  if rate_max > 0 then
    local w = redis.call('HMGET', state_key, 'window', 'started')
    local started = 0
    if w[1] and tonumber(w[1]) + per_ms > now then started = tonumber(w[2]) end
    if started >= rate_max then lift = math.max(lift, tonumber(w[1]) + per_ms - now) end
    allowed = math.min(allowed, rate_max - started)
  end
  return math.max(0, allowed), lift
end

-- Counts `count` leases started at `now`: the first lease after the window ended opens the next.
local function limit_started(state_key, spec, now, count)
  local _, rate_max, per_ms = limit_fields(spec)
  if count <= 0 or rate_max == 0 then return end
  local opened = redis.call('HGET', state_key, 'window')
  if opened and tonumber(opened) + per_ms > now then redis.call('HINCRBY', state_key, 'started', count)
  else redis.call('HSET', state_key, 'window', num(now), 'started', count) end
end

-- A step freed a concurrency slot: when a lease call was held back, tells the held-back workers of
-- every process (one message however many wait; each looks again with a lease call).
local function slot_freed(state_key, channel)
  if channel ~= '' and redis.call('HDEL', state_key, 'held') == 1 then redis.call('PUBLISH', channel, '1') end
end

-- The numbers (1-based, in order) of the groups of `width` keys in argv, from index `from` on, that
-- hold a key and for which `holds(keys)`, when given, is true. One EXISTS over every key answers
-- the idle case; when some exist, the halves are checked in turn down to each group that has any,
-- so the cost grows with the groups that have keys, not with their number.
local function groups_with_keys(argv, from, width, holds)
  local out = {}
  local function scan(lo, hi)
    local keys = {}
    for i = from + (lo - 1) * width, from + hi * width - 1 do keys[#keys + 1] = argv[i] end
    if redis.call('EXISTS', unpack(keys)) == 0 then return end
    if lo == hi then
      if not holds or holds(keys) then out[#out + 1] = lo end
      return
    end
    local mid = math.floor((lo + hi) / 2)
    scan(lo, mid)
    scan(mid + 1, hi)
  end
  local groups = math.floor((#argv - from + 1) / width)
  if groups > 0 then scan(1, groups) end
  return out
end
