-- failTask: records a failed attempt if the token still holds the lease: dead letter, or retry
-- (straight to the wait list when retryInMs is 0, else through the delayed zset).
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- KEYS[3] ids: ids set
-- KEYS[4] delayed: delayed zset
-- KEYS[5] dead: dead list
-- KEYS[6] wait: wait list
-- ARGV[1] id: the task id
-- ARGV[2] token: the lease token
-- ARGV[3] now: ms, caller's clock
-- ARGV[4] dead: 1 = dead-letter it, 0 = retry
-- ARGV[5] retryInMs: delay before the retry (ms)
-- ARGV[6] message: the error message
-- ARGV[7] dueChannel: the delayed-due channel
-- Returns: OK, or NOT_HELD (nothing changed).
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local idsKey = KEYS[3]
local delayedKey = KEYS[4]
local deadKey = KEYS[5]
local waitKey = KEYS[6]
local id = ARGV[1]
local token = ARGV[2]
local now = tonumber(ARGV[3])
local dead = ARGV[4] == '1'
local retryInMs = tonumber(ARGV[5])
local message = ARGV[6]
local dueChannel = ARGV[7]

local env = held_envelope(call('HGET', leasesKey, id), token)
if not env then return NOT_HELD end
local task = decode(env, now)
local updated = envelope(task.id, task.payload, task.attempt, task.enqueuedAt, message)
call('HDEL', leasesKey, id)
call('ZREM', activeKey, id)
if dead then
  call('LPUSH', deadKey, updated)
  call('SREM', idsKey, id)
elseif retryInMs > 0 then
  add_delayed(delayedKey, now + retryInMs, updated, dueChannel)
else
  call('LPUSH', waitKey, updated)
end
return OK
