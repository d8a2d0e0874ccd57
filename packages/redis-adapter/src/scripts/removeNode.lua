-- removeNode: removes a node, announces its leave when it was a member, and marks the registration
-- that wrote it as revoked so its heartbeats do not bring it back.
-- Revoked markers are ARGV[3] .. registration id; they share the members' hash tag (same slot).
-- KEYS[1] members set   KEYS[2] node key   KEYS[3] records hash
-- ARGV[1] node id   ARGV[2] event channel   ARGV[3] revoked marker prefix
-- Returns: 1 when the node was live (its key existed), else 0.
expect_type(KEYS[1], 'set')
local live = call('DEL', KEYS[2])
local removed = call('SREM', KEYS[1], ARGV[1])
local record = call('HGET', KEYS[3], ARGV[1])
call('HDEL', KEYS[3], ARGV[1])
if record then
  local ok, node = pcall(cjson.decode, record)
  if ok and type(node) == 'table' and type(node.reg) == 'string' then
    redis.call('SET', ARGV[3] .. node.reg, '1', 'PX', 3 * (tonumber(node.ttlMs) or 10000))
  end
  if removed == 1 then
    redis.call('PUBLISH', ARGV[2], '{"type":"leave","node":' .. record .. '}')
  end
end
return live
