-- inspectLock: a lock's state at one moment, changing nothing: the latest fence, the time left to
-- a live holder (server time: PTTL) and the waiters whose place is still live (their place deadline
-- is judged by the server's TIME, as acquireLock judges it). Never the token. Read-only.
-- KEYS[1] lock: lock key
-- KEYS[2] fence: fence counter
-- KEYS[3] waiterDeadlines: waiter deadlines zset (entry -> place deadline, ms)
-- Returns: { fence (0 before the first acquisition), ms left to the holder (-2: free; -1: held
--   without expiry, a recipe client's SET), live waiters }
local lockKey = KEYS[1]
local fenceKey = KEYS[2]
local waiterDeadlinesKey = KEYS[3]

local fence = tonumber(call('GET', fenceKey) or '0')
local pttl = call('PTTL', lockKey)
local waiters = call('ZCOUNT', waiterDeadlinesKey, '(' .. num(server_ms()), '+inf')
return { fence, pttl, waiters }
