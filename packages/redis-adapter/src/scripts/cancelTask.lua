-- cancelTask: cancels task `id` in one step. A leased task's lease is dropped (its token no longer
-- holds it, so complete, fail, extend and progress of that lease are refused and recovery never
-- sees it); a waiting or delayed task's element is removed. Either way the id is recorded as
-- cancelled at the server's now with the reason, kept for retainMs like a finished id, and stays
-- in the ids set meanwhile (an enqueue of it answers CANCELLED). Finding a waiting or delayed
-- element reads its list or zset (O(length)); a raw element (in no ids set) is found by LPOS, and
-- a leased task at once. Prunes up to 100
-- cancellations that ran out of retention.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] delayed: delayed zset
-- KEYS[4] prioritized: prioritized zset
-- KEYS[5] active: active zset
-- KEYS[6] leases: leases hash
-- KEYS[7] ids: ids hash (id -> stored envelope)
-- KEYS[8] finished: finished set
-- KEYS[9] finishedAt: finished-at zset
-- KEYS[10] dead: dead list
-- KEYS[11] cancelled: cancelled hash (id -> "+<reason>", or "-" without one)
-- KEYS[12] cancelledAt: cancelled-at zset (id -> ms)
-- KEYS[13] progress: progress hash
-- KEYS[14] deadIds: dead ids zset
-- KEYS[15] limits: limits hash (see prelude.lua slot_freed)
-- ARGV[1] id: the task id
-- ARGV[2] head: how its envelope starts as TypeScript writes it ('{"baton":1,"id":<JSON id>,')
-- ARGV[3] reason: "+<reason>", or "-" without one
-- ARGV[4] retainMs: how long finished and cancelled ids are kept (ms)
-- ARGV[5] eventsChannel: the queue's events channel (cancelled)
-- ARGV[6] slotsChannel: where a freed slot is announced to held-back lease calls ('' without limits)
-- Returns: { code, state it was cancelled in ('' unless CANCELLED), the dropped lease's token
--   ('' unless it was active; a sharded queue frees its reservation with it) }: CANCELLED,
--   ALREADY_CANCELLED, FINISHED, DEAD or NOT_FOUND.
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local delayedKey = KEYS[3]
local prioritizedKey = KEYS[4]
local activeKey = KEYS[5]
local leasesKey = KEYS[6]
local idsKey = KEYS[7]
local finishedKey = KEYS[8]
local finishedAtKey = KEYS[9]
local deadKey = KEYS[10]
local cancelledKey = KEYS[11]
local cancelledAtKey = KEYS[12]
local progressKey = KEYS[13]
local deadIdsKey = KEYS[14]
local limitsKey = KEYS[15]
local id = ARGV[1]
local head = ARGV[2]
local reason = ARGV[3]
local retainMs = tonumber(ARGV[4])
local eventsChannel = ARGV[5]
local slotsChannel = ARGV[6]
local now = server_ms()
local cutoff = now - retainMs

local old = call('ZRANGEBYSCORE', cancelledAtKey, '-inf', '(' .. num(cutoff), 'LIMIT', 0, 100)
for _, gone in ipairs(old) do cancellation(cancelledKey, cancelledAtKey, idsKey, gone, cutoff) end

if cancellation(cancelledKey, cancelledAtKey, idsKey, id, cutoff) then return { ALREADY_CANCELLED, '' } end
if is_finished(finishedKey, finishedAtKey, id, cutoff, true) then return { FINISHED, '' } end
if call('ZSCORE', deadIdsKey, id) then return { DEAD, '' } end

local from = nil
local token = ''
local record = call('HGET', leasesKey, id)
if record then
  token = string.match(record, '^([^|]*)|') or ''
  call('HDEL', leasesKey, id)
  call('ZREM', activeKey, id)
  slot_freed(limitsKey, slotsChannel)
  from = 'active'
else
  -- A raw element (a recipe producer's LPUSH, the id itself) is in no ids set: LPOS finds it.
  for _, key in ipairs({ claimedKey, waitKey }) do
    if call('LPOS', key, id) then
      call('LREM', key, 1, id)
      from = 'waiting'
      break
    end
  end
  local env = not from and call('HGET', idsKey, id)
  -- the envelope the ids hash keeps is the element itself: the delayed and prioritized zsets
  -- give it up in O(log n), a list by LREM
  if env and env ~= '' then
    if call('ZREM', delayedKey, env) == 1 then from = 'delayed'
    elseif call('ZREM', prioritizedKey, env) == 1 or call('LREM', claimedKey, 1, env) == 1 or call('LREM', waitKey, 1, env) == 1 then from = 'waiting' end
  end
  if not from and env then
    local match = task_matcher(id, head)
    for _, place in ipairs({ { 'list', claimedKey, 'waiting' }, { 'zset', prioritizedKey, 'waiting' }, { 'list', waitKey, 'waiting' }, { 'zset', delayedKey, 'delayed' } }) do
      local el = find_element(place[1], place[2], match)
      if el then
        if place[1] == 'list' then call('LREM', place[2], 1, el) else call('ZREM', place[2], el) end
        from = place[3]
        break
      end
    end
  end
end

if not from then return { NOT_FOUND, '' } end
call('HSET', idsKey, id, '')
call('HSET', cancelledKey, id, reason)
call('ZADD', cancelledAtKey, now, id)
call('HDEL', progressKey, id)
local tail = ',"from":"' .. from .. '"'
if string.sub(reason, 1, 1) == '+' then tail = tail .. ',"reason":' .. cjson.encode(string.sub(reason, 2)) end
publish_events(eventsChannel, { id_event('cancelled', now, id, tail) })
return { CANCELLED, from, token }
