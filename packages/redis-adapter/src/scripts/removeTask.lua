-- removeTask: forgets task `id` in any state but active, in one step: a waiting or delayed task
-- (its element, found by the envelope the ids hash keeps: ZREM, or LREM in a list), a dead letter,
-- a cancellation, a finished id with its result. An active task is left alone.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] delayed: delayed zset
-- KEYS[4] prioritized: prioritized zset
-- KEYS[5] leases: leases hash
-- KEYS[6] ids: ids hash (id -> stored envelope)
-- KEYS[7] dead: dead list
-- KEYS[8] deadIds: dead ids zset
-- KEYS[9] cancelled: cancelled hash
-- KEYS[10] cancelledAt: cancelled-at zset
-- KEYS[11] finished: finished set
-- KEYS[12] finishedAt: finished-at zset
-- KEYS[13] results: results hash
-- ARGV[1] id: the task id
-- Returns: 'removed', 'active' or 'not-found'.
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local delayedKey = KEYS[3]
local prioritizedKey = KEYS[4]
local leasesKey = KEYS[5]
local idsKey = KEYS[6]
local deadKey = KEYS[7]
local deadIdsKey = KEYS[8]
local cancelledKey = KEYS[9]
local cancelledAtKey = KEYS[10]
local finishedKey = KEYS[11]
local finishedAtKey = KEYS[12]
local resultsKey = KEYS[13]
local id = ARGV[1]

if call('HEXISTS', leasesKey, id) == 1 then return 'active' end
local removed = false
local env = call('HGET', idsKey, id)
if env then
  if call('ZREM', deadIdsKey, id) == 1 then
    call('LREM', deadKey, 1, env)
  elseif call('ZREM', cancelledAtKey, id) == 1 then
    call('HDEL', cancelledKey, id)
  elseif env ~= '' and call('ZREM', delayedKey, env) == 0 and call('ZREM', prioritizedKey, env) == 0 and call('LREM', claimedKey, 1, env) == 0 then
    call('LREM', waitKey, 1, env)
  end
  call('HDEL', idsKey, id)
  removed = true
end
if call('SREM', finishedKey, id) == 1 then
  call('ZREM', finishedAtKey, id)
  call('HDEL', resultsKey, id)
  removed = true
end
if removed then return 'removed' end
return 'not-found'
