-- inspectPermits: the live grants and waiters of a semaphore or read/write lock, judged by the
-- server's clock (TIME); reads only (a grant that ran out is left out, not dropped). Never
-- returns tokens.
-- KEYS[1] meta hash   KEYS[2] holders zset   KEYS[3] holds hash   KEYS[4] waiter list   KEYS[5] places zset
-- Returns: { limit in force (-1: none), { permits, fence, ms left, … } for each live grant, the
-- first to expire first, { permits, … } for each live waiter in order of arrival }.
local k = { meta = KEYS[1], holders = KEYS[2], holds = KEYS[3], waiters = KEYS[4], places = KEYS[5] }
local now = server_ms()
local live = call('ZRANGEBYSCORE', k.holders, '(' .. now, '+inf', 'WITHSCORES')
local holders = {}
for i = 1, #live, 2 do
  local permits, fence = string.match(call('HGET', k.holds, live[i]) or '', '^(%d+) (%d+)$')
  if permits then
    holders[#holders + 1] = tonumber(permits)
    holders[#holders + 1] = tonumber(fence)
    holders[#holders + 1] = tonumber(live[i + 1]) - now
  end
end
local waiters = {}
for _, entry in ipairs(call('LRANGE', k.waiters, 0, -1)) do
  local deadline = call('ZSCORE', k.places, entry)
  local permits = string.match(entry, '^%S+ (%d+) ')
  if permits and deadline and tonumber(deadline) > now then waiters[#waiters + 1] = tonumber(permits) end
end
local limit = -1
if #holders > 0 or #waiters > 0 then limit = tonumber(call('HGET', k.meta, 'limit') or '-1') end
return { limit, holders, waiters }
