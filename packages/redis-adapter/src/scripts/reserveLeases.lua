-- reserveLeases: for a sharded queue with limits, reserves up to `want` leases against the
-- queue's one limit before its shards are asked (each shard is another slot, so no shard's lease
-- script can read the others). Drops reservations whose deadline passed, then grants what the
-- limits allow at the server's now: each granted lease is a member "<tokenBase>.<i>" (i from 1)
-- of the reservations zset with the deadline now + visibilityMs, and counts as started in the rate
-- window. The shards lease with exactly those tokens; releaseLeases gives back what they did not
-- lease, and each completion, fail or cancel the token of its lease.
-- KEYS[1] limits: the queue's limits hash (rate window, held flag)
-- KEYS[2] reservations: reservations zset (token -> deadline, server ms)
-- ARGV[1] limits: the limits spec (see prelude.lua limit_fields)
-- ARGV[2] want: most leases wanted
-- ARGV[3] visibilityMs: the lease visibility timeout (ms)
-- ARGV[4] tokenBase: granted tokens are "<tokenBase>.1" .. "<tokenBase>.<granted>"
-- Returns: { granted, ms until the limits may lift by the clock when none was granted (-1 otherwise),
--   the opening time of the rate window the starts were counted in ('' without a rate) }
local limitsKey = KEYS[1]
local reservationsKey = KEYS[2]
local limits = ARGV[1]
local want = tonumber(ARGV[2])
local visibilityMs = tonumber(ARGV[3])
local tokenBase = ARGV[4]
local now = server_ms()

redis.call('ZREMRANGEBYSCORE', reservationsKey, '-inf', now)
local granted, lift = limit_allowance(limitsKey, reservationsKey, limits, now, want)
if granted == 0 then
  redis.call('HSET', limitsKey, 'held', '1')
  return { 0, lift, '' }
end
local members = {}
for i = 1, granted do
  members[#members + 1] = now + visibilityMs
  members[#members + 1] = tokenBase .. '.' .. i
end
sliced('ZADD', reservationsKey, members)
limit_started(limitsKey, limits, now, granted)
return { granted, -1, redis.call('HGET', limitsKey, 'window') or '' }
