-- extendReservation: a sharded queue with limits moves a lease's reservation (see reserveLeases)
-- to the lease's new deadline after its shard extended the lease, so the slot stays taken; a
-- reservation that lapsed meanwhile is taken again (the lease is alive: it counts).
-- KEYS[1] reservations: reservations zset (token -> deadline, server ms)
-- ARGV[1] token: the lease token
-- ARGV[2] ms: the new deadline, from the server's now (ms)
-- Returns: OK.
local reservationsKey = KEYS[1]
local token = ARGV[1]
local ms = tonumber(ARGV[2])

redis.call('ZADD', reservationsKey, server_ms() + ms, token)
return OK
