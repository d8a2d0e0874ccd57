-- beatNode: registers or refreshes a node: member of the set, a node key with a TTL, and its last
-- record; announces a join when the node was not a member. A registration whose node was
-- deregistered by id (its revoked marker exists) is not brought back; the marker lives while the
-- registration keeps beating.
-- KEYS[1] members: members set
-- KEYS[2] node: node key
-- KEYS[3] records: records hash (id -> last record)
-- KEYS[4] revoked: revoked marker of this registration
-- ARGV[1] id: node id
-- ARGV[2] record: the node's record (JSON)
-- ARGV[3] ttlMs: the node key's TTL (ms, server time)
-- ARGV[4] events: event channel
-- Returns: 1 when the node joined, 0 when it was already a member, REVOKED when the registration was revoked.
local membersKey = KEYS[1]
local nodeKey = KEYS[2]
local recordsKey = KEYS[3]
local revokedKey = KEYS[4]
local id = ARGV[1]
local record = ARGV[2]
local ttlMs = tonumber(ARGV[3])
local events = ARGV[4]

expect_type(membersKey, 'set')
if redis.call('EXISTS', revokedKey) == 1 then
  redis.call('PEXPIRE', revokedKey, 3 * ttlMs)
  return REVOKED
end
local joined = call('SADD', membersKey, id)
call('SET', nodeKey, record, 'PX', ttlMs)
call('HSET', recordsKey, id, record)
if joined == 1 then
  redis.call('PUBLISH', events, '{"type":"join","node":' .. record .. '}')
end
return joined
