-- inspectPermits: the live grants and waiters of a semaphore or read/write lock, judged by the
-- server's clock (TIME); reads only (a grant that ran out is left out, not dropped). Never
-- returns tokens.
-- KEYS[1] state: state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders: holders zset (token -> expiry ms)
-- KEYS[3] waiters: waiter list
-- KEYS[4] places: places zset (entry -> deadline ms)
-- Returns: { limit in force (-1: none), { permits, fence, ms left, … } for each live grant, the
-- first to expire first, { permits, … } for each live waiter in order of arrival }.
local stateKey = KEYS[1]
local holdersKey = KEYS[2]
local waitersKey = KEYS[3]
local placesKey = KEYS[4]

local now = server_ms()
local live = redis.call('ZRANGEBYSCORE', holdersKey, '(' .. now, '+inf', 'WITHSCORES')
local holders = {}
for i = 1, #live, 2 do
  local permits, fence = string.match(redis.call('HGET', stateKey, live[i]) or '', '^(%d+) (%d+)$')
  if permits then
    holders[#holders + 1] = tonumber(permits)
    holders[#holders + 1] = tonumber(fence)
    holders[#holders + 1] = tonumber(live[i + 1]) - now
  end
end
local waiters = {}
for _, entry in ipairs(redis.call('LRANGE', waitersKey, 0, -1)) do
  local deadline = redis.call('ZSCORE', placesKey, entry)
  local _, permits = permit_fields(entry)
  if permits and deadline and tonumber(deadline) > now then waiters[#waiters + 1] = tonumber(permits) end
end
local limit = -1
if #holders > 0 or #waiters > 0 then limit = tonumber(redis.call('HGET', stateKey, 'limit') or '-1') end
return { limit, holders, waiters }
