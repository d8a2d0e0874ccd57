-- failTask: records a failed attempt if the token still holds the lease: dead letter, or retry
-- (straight to the ready order of its priority when retryInMs is 0, else through the delayed
-- zset). Due times are the server's. A task made ready at once is announced on the due channel
-- (0: due now), since waiting workers hold no blocking command.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids hash (id -> stored envelope)
-- KEYS[4] delayed: delayed zset
-- KEYS[5] dead: dead list
-- KEYS[6] wait: wait list
-- KEYS[7] prioritized: prioritized zset
-- KEYS[8] sequence: sequence hash of the prioritized zset
-- KEYS[9] progress: progress hash
-- KEYS[10] deadIds: dead ids zset (id -> death time, ms)
-- KEYS[11] deadDropped: counter of the dead letters retainDead dropped
-- KEYS[12] limits: limits hash (see prelude.lua slot_freed)
-- ARGV[1] id: the task id
-- ARGV[2] token: the lease token
-- ARGV[3] dead: 1 = dead-letter it, 0 = retry
-- ARGV[4] retryInMs: delay before the retry (ms)
-- ARGV[5] message: the error message
-- ARGV[6] dueChannel: the delayed-due channel
-- ARGV[7] eventsChannel: the queue's events channel (failed, dead)
-- ARGV[8] dueAt: a delayed retry's due time on the caller's clock (ms; reported by get, never compared)
-- ARGV[9] retainCount: most dead letters kept (retainDead.count)
-- ARGV[10] retainAgeMs: longest a dead letter is kept (ms, retainDead.ageMs)
-- ARGV[11] slotsChannel: where a freed slot is announced to held-back lease calls ('' without limits)
-- Returns: OK, or NOT_HELD (nothing changed).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local delayedKey = KEYS[4]
local deadKey = KEYS[5]
local waitKey = KEYS[6]
local prioritizedKey = KEYS[7]
local sequenceKey = KEYS[8]
local progressKey = KEYS[9]
local deadIdsKey = KEYS[10]
local deadDroppedKey = KEYS[11]
local limitsKey = KEYS[12]
local id = ARGV[1]
local token = ARGV[2]
local dead = ARGV[3] == '1'
local retryInMs = tonumber(ARGV[4])
local message = ARGV[5]
local dueChannel = ARGV[6]
local eventsChannel = ARGV[7]
local dueAt = tonumber(ARGV[8])
local retainCount = tonumber(ARGV[9])
local retainAgeMs = tonumber(ARGV[10])
local slotsChannel = ARGV[11]

local env = held_envelope(call('HGET', leasesKey, id), token)
if not env then return NOT_HELD end
local now = server_ms()
local task = decode(env, now)
local updated = reenvelope(task, task.attempt, message)
call('HDEL', leasesKey, id)
call('ZREM', activeKey, id)
call('HDEL', progressKey, id)
local events = {}
failure_events(events, now, id, task.attempt, message, dead)
publish_events(eventsChannel, events)
if dead then
  add_dead(deadKey, deadIdsKey, idsKey, updated, id, now)
  prune_dead({ dead = deadKey, dead_ids = deadIdsKey, ids = idsKey, dropped = deadDroppedKey }, now, retainCount, retainAgeMs, 100)
elseif retryInMs > 0 then
  -- the envelope of a delayed retry carries its due time as the caller sees it (get reports it)
  updated = string.sub(updated, 1, -2) .. ',"dueAt":' .. num(dueAt) .. '}'
  add_delayed(delayedKey, now + retryInMs, updated, dueChannel, now)
  call('HSET', idsKey, id, updated)
else
  push_ready(waitKey, prioritizedKey, sequenceKey, updated, task.priority, false)
  call('HSET', idsKey, id, updated)
  announce_due(dueChannel, 0)
end
slot_freed(limitsKey, slotsChannel)
return OK
