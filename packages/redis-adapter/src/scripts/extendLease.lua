-- extendLease: moves a lease's deadline if the token still holds it.
-- KEYS[1] leases hash   KEYS[2] active zset
-- ARGV[1] id   ARGV[2] token   ARGV[3] new deadline (ms, caller's clock)
-- Returns: OK, or NOT_HELD.
if not held_envelope(call('HGET', KEYS[1], ARGV[1]), ARGV[2]) then return NOT_HELD end
call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[1])
return OK
