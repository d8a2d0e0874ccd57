-- releaseLock: if the token still owns the lock, hands it to the first live waiter in line (the
-- lock takes that waiter's token and TTL, the fence goes up, the waiter is told on its grant
-- channel), or deletes it when nobody waits.
-- KEYS[1] lock: lock key
-- KEYS[2] fence: fence counter
-- KEYS[3] waiters: waiter list
-- KEYS[4] waiterDeadlines: waiter deadlines zset
-- ARGV[1] token: the owner's token
-- Returns: OK, or NOT_HELD.
local lockKey = KEYS[1]
local fenceKey = KEYS[2]
local waitersKey = KEYS[3]
local waiterDeadlinesKey = KEYS[4]
local token = ARGV[1]

if call('GET', lockKey) ~= token then return NOT_HELD end
if not hand_over(lockKey, fenceKey, waitersKey, waiterDeadlinesKey, nil) then call('DEL', lockKey) end
return OK
