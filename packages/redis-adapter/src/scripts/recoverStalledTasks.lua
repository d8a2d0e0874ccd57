-- recoverStalledTasks: returns leases whose deadline (server time) has passed to the front of their
-- priority's ready order, or to the dead list when they used their last attempt. Tasks made ready
-- are announced on the due channel (0: due now), since waiting workers hold no blocking command.
-- KEYS[1] active: active zset
-- KEYS[2] leases: leases hash
-- KEYS[3] ids: ids hash (id -> stored envelope)
-- KEYS[4] wait: wait list
-- KEYS[5] dead: dead list
-- KEYS[6] prioritized: prioritized zset
-- KEYS[7] sequence: sequence hash of the prioritized zset
-- KEYS[8] progress: progress hash
-- KEYS[9] deadIds: dead ids zset (id -> death time, ms)
-- KEYS[10] deadDropped: counter of the dead letters retainDead dropped
-- ARGV[1] maxAttempts: deliveries before a task is dead-lettered
-- ARGV[2] limit: most leases handled in one call
-- ARGV[3] dueChannel: the delayed-due channel
-- ARGV[4] eventsChannel: the queue's events channel (failed, dead)
-- ARGV[5] retainCount: most dead letters kept (retainDead.count)
-- ARGV[6] retainAgeMs: longest a dead letter is kept (ms, retainDead.ageMs)
-- Returns: the number of tasks recovered or dead-lettered.
local activeKey = KEYS[1]
local leasesKey = KEYS[2]
local idsKey = KEYS[3]
local waitKey = KEYS[4]
local deadKey = KEYS[5]
local prioritizedKey = KEYS[6]
local sequenceKey = KEYS[7]
local progressKey = KEYS[8]
local deadIdsKey = KEYS[9]
local deadDroppedKey = KEYS[10]
local maxAttempts = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local dueChannel = ARGV[3]
local eventsChannel = ARGV[4]
local retainCount = tonumber(ARGV[5])
local retainAgeMs = tonumber(ARGV[6])
local now = server_ms()

local expired = call('ZRANGEBYSCORE', activeKey, '-inf', now, 'LIMIT', 0, limit)
local count = 0
local announce = false
local died = false
local events = {}
-- latest deadline first, so the earliest-expired lease ends up at the very front
for i = #expired, 1, -1 do
  local id = expired[i]
  local record = call('HGET', leasesKey, id)
  call('ZREM', activeKey, id)
  call('HDEL', leasesKey, id)
  call('HDEL', progressKey, id)
  if record then
    local sep = string.find(record, '|', 1, true)
    local task = decode(string.sub(record, sep + 1), now)
    if task then
      count = count + 1
      local reason = 'lease expired on attempt ' .. num(task.attempt) .. ' (the worker stalled or died)'
      failure_events(events, now, id, task.attempt, reason, task.attempt >= maxAttempts)
      if task.attempt >= maxAttempts then
        add_dead(deadKey, deadIdsKey, idsKey, reenvelope(task, task.attempt, reason), id, now)
        died = true
      else
        local env = reenvelope(task, task.attempt, reason)
        push_ready(waitKey, prioritizedKey, sequenceKey, env, task.priority, true)
        call('HSET', idsKey, id, env)
        announce = true
      end
    end
  end
end
if died then prune_dead({ dead = deadKey, dead_ids = deadIdsKey, ids = idsKey, dropped = deadDroppedKey }, now, retainCount, retainAgeMs, 100 + count) end
if announce then announce_due(dueChannel, 0) end
publish_events(eventsChannel, events)
return count
