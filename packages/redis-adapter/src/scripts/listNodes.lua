-- listNodes: the records of live members. A member whose node key expired is removed and its
-- leave announced (once: only the caller whose SREM removed it publishes). Members Baton never
-- registered (no record, e.g. added by another client) are left alone and not listed.
-- Node keys are built from ARGV[1] .. id; they share the members' hash tag, so they are in the same slot.
-- KEYS[1] members set   KEYS[2] records hash
-- ARGV[1] node key prefix   ARGV[2] event channel
-- Returns: the live records (JSON strings).
expect_type(KEYS[1], 'set')
local out = {}
for _, id in ipairs(call('SMEMBERS', KEYS[1])) do
  local record = call('GET', ARGV[1] .. id)
  if record then
    out[#out + 1] = record
  else
    local last = call('HGET', KEYS[2], id)
    if last then
      call('SREM', KEYS[1], id)
      call('HDEL', KEYS[2], id)
      redis.call('PUBLISH', ARGV[2], '{"type":"leave","node":' .. last .. '}')
    end
  end
end
return out
