-- recoverStalledTasks: returns leases whose deadline has passed to the front of the wait list, or
-- to the dead list when they used their last attempt.
-- KEYS[1] active: active zset
-- KEYS[2] leases: leases hash
-- KEYS[3] ids: ids set
-- KEYS[4] wait: wait list
-- KEYS[5] dead: dead list
-- ARGV[1] now: ms, caller's clock
-- ARGV[2] maxAttempts: deliveries before a task is dead-lettered
-- ARGV[3] limit: most leases handled in one call
-- Returns: the number of tasks recovered or dead-lettered.
local activeKey = KEYS[1]
local leasesKey = KEYS[2]
local idsKey = KEYS[3]
local waitKey = KEYS[4]
local deadKey = KEYS[5]
local now = tonumber(ARGV[1])
local maxAttempts = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])

local expired = call('ZRANGEBYSCORE', activeKey, '-inf', now, 'LIMIT', 0, limit)
local count = 0
-- latest deadline first, so the earliest-expired lease ends up at the very front
for i = #expired, 1, -1 do
  local id = expired[i]
  local record = call('HGET', leasesKey, id)
  call('ZREM', activeKey, id)
  call('HDEL', leasesKey, id)
  if record then
    local sep = string.find(record, '|', 1, true)
    local task = decode(string.sub(record, sep + 1), now)
    if task then
      count = count + 1
      local reason = 'lease expired on attempt ' .. num(task.attempt) .. ' (the worker stalled or died)'
      if task.attempt >= maxAttempts then
        call('LPUSH', deadKey, envelope(task.id, task.payload, task.attempt, task.enqueuedAt, reason))
        call('SREM', idsKey, id)
      else
        call('RPUSH', waitKey, envelope(task.id, task.payload, task.attempt, task.enqueuedAt, reason))
      end
    end
  end
end
return count
