-- recoverStalledTasks: returns leases whose deadline has passed to the front of the wait list, or
-- to the dead list when they used their last attempt.
-- KEYS[1] active zset   KEYS[2] leases hash   KEYS[3] ids set   KEYS[4] wait list   KEYS[5] dead list
-- ARGV[1] now (ms)   ARGV[2] maxAttempts   ARGV[3] most leases handled in one call
-- Returns: the number of tasks recovered or dead-lettered.
local now, max_attempts = tonumber(ARGV[1]), tonumber(ARGV[2])
local expired = call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local count = 0
-- latest deadline first, so the earliest-expired lease ends up at the very front
for i = #expired, 1, -1 do
  local id = expired[i]
  local record = call('HGET', KEYS[2], id)
  call('ZREM', KEYS[1], id)
  call('HDEL', KEYS[2], id)
  if record then
    local sep = string.find(record, '|', 1, true)
    local task = decode(string.sub(record, sep + 1), now)
    if task then
      count = count + 1
      local reason = 'lease expired on attempt ' .. num(task.attempt) .. ' (the worker stalled or died)'
      if task.attempt >= max_attempts then
        call('LPUSH', KEYS[5], envelope(task.id, task.payload, task.attempt, task.enqueuedAt, reason))
        call('SREM', KEYS[3], id)
      else
        call('RPUSH', KEYS[4], envelope(task.id, task.payload, task.attempt, task.enqueuedAt, reason))
      end
    end
  end
end
return count
