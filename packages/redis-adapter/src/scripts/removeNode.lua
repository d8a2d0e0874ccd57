-- removeNode: removes a node, announces its leave when it was a member, and marks the registration
-- that wrote it as revoked so its heartbeats do not bring it back.
-- Revoked markers are revokedPrefix .. registration id, built here because the registration id is
-- in the stored record; they share the members' hash tag (same slot).
-- KEYS[1] members: members set
-- KEYS[2] node: node key
-- KEYS[3] records: records hash
-- ARGV[1] id: node id
-- ARGV[2] events: event channel
-- ARGV[3] revokedPrefix: revoked marker prefix
-- Returns: 1 when the node was live (its key existed), else 0.
local membersKey = KEYS[1]
local nodeKey = KEYS[2]
local recordsKey = KEYS[3]
local id = ARGV[1]
local events = ARGV[2]
local revokedPrefix = ARGV[3]

expect_type(membersKey, 'set')
local live = call('DEL', nodeKey)
local removed = call('SREM', membersKey, id)
local record = call('HGET', recordsKey, id)
call('HDEL', recordsKey, id)
if record then
  local ok, node = pcall(cjson.decode, record)
  if ok and type(node) == 'table' and type(node.reg) == 'string' then
    redis.call('SET', revokedPrefix .. node.reg, '1', 'PX', 3 * (tonumber(node.ttlMs) or 10000))
  end
  if removed == 1 then
    redis.call('PUBLISH', events, '{"type":"leave","node":' .. record .. '}')
  end
end
return live
