-- releaseLeases: a sharded queue with limits gives reservations back (see reserveLeases): the
-- tokens of leases that ended (completed, failed, cancelled) or that its shards did not lease.
-- Reservations not leased give their rate starts back while the window they were counted in is
-- still the current one. Announces the freed slots to held-back lease calls.
-- KEYS[1] limits: the queue's limits hash
-- KEYS[2] reservations: reservations zset (token -> deadline, server ms)
-- ARGV[1] slotsChannel: where freed slots are announced
-- ARGV[2] window: the rate window the unleased starts were counted in ('' for none)
-- ARGV[3] unleased: how many of the tokens were never leased (their starts go back)
-- ARGV[4..] tokens (token): the reservations to drop
-- Returns: how many reservations it dropped.
local limitsKey = KEYS[1]
local reservationsKey = KEYS[2]
local slotsChannel = ARGV[1]
local window = ARGV[2]
local unleased = tonumber(ARGV[3])
local tokensFrom = 4

local tokens = {}
for i = tokensFrom, #ARGV do tokens[#tokens + 1] = ARGV[i] end
local dropped = 0
for from = 1, #tokens, SLICE do
  dropped = dropped + redis.call('ZREM', reservationsKey, unpack(tokens, from, math.min(from + SLICE - 1, #tokens)))
end
if unleased > 0 and window ~= '' and redis.call('HGET', limitsKey, 'window') == window then
  local started = tonumber(redis.call('HGET', limitsKey, 'started') or '0')
  redis.call('HSET', limitsKey, 'started', math.max(0, started - unleased))
end
slot_freed(limitsKey, slotsChannel)
return dropped
