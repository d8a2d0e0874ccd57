-- completeTask: finishes a lease if the token still holds it; prunes expired finished ids.
-- KEYS[1] leases hash   KEYS[2] active zset   KEYS[3] ids set   KEYS[4] finished set   KEYS[5] finished-at zset
-- ARGV[1] id   ARGV[2] token   ARGV[3] now (ms)   ARGV[4] finished cutoff (ms)
-- Returns: OK, or NOT_HELD (nothing changed).
local id, token, now, cutoff = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
expect_type(KEYS[4], 'set')
if not held_envelope(call('HGET', KEYS[1], id), token) then return NOT_HELD end
call('HDEL', KEYS[1], id)
call('ZREM', KEYS[2], id)
call('SREM', KEYS[3], id)
call('SADD', KEYS[4], id)
call('ZADD', KEYS[5], now, id)
local old = call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. cutoff, 'LIMIT', 0, 100)
if #old > 0 then
  call('SREM', KEYS[4], unpack(old))
  call('ZREM', KEYS[5], unpack(old))
end
return OK
