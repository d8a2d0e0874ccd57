-- beatNode: registers or refreshes a node: member of the set, a node key with a TTL, and its last
-- record; announces a join when the node was not a member. A registration whose node was
-- deregistered by id (its revoked marker exists) is not brought back; the marker lives while the
-- registration keeps beating.
-- KEYS[1] members set   KEYS[2] node key   KEYS[3] records hash (id -> last record)   KEYS[4] revoked marker of this registration
-- ARGV[1] node id   ARGV[2] record (JSON)   ARGV[3] ttl (ms, server time)   ARGV[4] event channel
-- Returns: 1 when the node joined, 0 when it was already a member, -1 when the registration was revoked.
expect_type(KEYS[1], 'set')
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('PEXPIRE', KEYS[4], 3 * tonumber(ARGV[3]))
  return -1
end
local joined = call('SADD', KEYS[1], ARGV[1])
call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
call('HSET', KEYS[3], ARGV[1], ARGV[2])
if joined == 1 then
  redis.call('PUBLISH', ARGV[4], '{"type":"join","node":' .. ARGV[2] .. '}')
end
return joined
