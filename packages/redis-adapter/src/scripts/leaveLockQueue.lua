-- leaveLockQueue: takes a waiter that gives up out of the resource's waiter queue. A lock handed
-- to it in the meantime is passed on (or freed); when it was first in line and the lock is free,
-- the next live waiter gets it.
-- KEYS[1] lock: lock key
-- KEYS[2] fence: fence counter
-- KEYS[3] waiters: waiter list
-- KEYS[4] waiterDeadlines: waiter deadlines zset
-- ARGV[1] token: the waiter's token
-- ARGV[2] entry: the waiter's entry
-- Returns: 1 when it was queued or had been handed the lock, 0 otherwise.
local lockKey = KEYS[1]
local fenceKey = KEYS[2]
local waitersKey = KEYS[3]
local waiterDeadlinesKey = KEYS[4]
local token = ARGV[1]
local entry = ARGV[2]
local now = server_ms()

if call('GET', lockKey) == token then
  if not hand_over(lockKey, fenceKey, waitersKey, waiterDeadlinesKey, now) then call('DEL', lockKey) end
  return 1
end
local was_first = call('LINDEX', waitersKey, 0) == entry
call('LREM', waitersKey, 1, entry)
local removed = call('ZREM', waiterDeadlinesKey, entry)
if was_first and call('EXISTS', lockKey) == 0 then hand_over(lockKey, fenceKey, waitersKey, waiterDeadlinesKey, now) end
return removed
