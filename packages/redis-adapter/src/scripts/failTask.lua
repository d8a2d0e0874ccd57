-- failTask: records a failed attempt if the token still holds the lease: dead letter, or retry
-- (straight to the wait list when retryInMs is 0, else through the delayed zset).
-- KEYS[1] leases hash   KEYS[2] active zset   KEYS[3] ids set   KEYS[4] delayed zset   KEYS[5] dead list   KEYS[6] wait list
-- ARGV[1] id   ARGV[2] token   ARGV[3] now (ms)   ARGV[4] 1 = dead, 0 = retry   ARGV[5] retryInMs   ARGV[6] error message
-- ARGV[7] delayed-due channel
-- Returns: OK, or NOT_HELD (nothing changed).
local id, token, now, dead, retry = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local env = held_envelope(call('HGET', KEYS[1], id), token)
if not env then return NOT_HELD end
local task = decode(env, now)
local updated = envelope(task.id, task.payload, task.attempt, task.enqueuedAt, ARGV[6])
call('HDEL', KEYS[1], id)
call('ZREM', KEYS[2], id)
if dead then
  call('LPUSH', KEYS[5], updated)
  call('SREM', KEYS[3], id)
elseif retry > 0 then
  add_delayed(KEYS[4], now + retry, updated, ARGV[7])
else
  call('LPUSH', KEYS[6], updated)
end
return OK
