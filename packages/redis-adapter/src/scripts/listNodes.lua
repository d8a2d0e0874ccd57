-- listNodes: the records of live members. A member whose node key expired is removed and its
-- leave announced (once: only the caller whose SREM removed it publishes). Members Baton never
-- registered (no record, e.g. added by another client) are left alone and not listed.
-- Node keys are built from nodePrefix .. id, since the ids are only known here; they share the
-- members' hash tag, so they are in the same slot.
-- KEYS[1] members: members set
-- KEYS[2] records: records hash
-- ARGV[1] nodePrefix: node key prefix
-- ARGV[2] events: event channel
-- Returns: the live records (JSON strings).
local membersKey = KEYS[1]
local recordsKey = KEYS[2]
local nodePrefix = ARGV[1]
local events = ARGV[2]

expect_type(membersKey, 'set')
local out = {}
for _, id in ipairs(call('SMEMBERS', membersKey)) do
  local record = call('GET', nodePrefix .. id)
  if record then
    out[#out + 1] = record
  else
    local last = call('HGET', recordsKey, id)
    if last then
      call('SREM', membersKey, id)
      call('HDEL', recordsKey, id)
      redis.call('PUBLISH', events, '{"type":"leave","node":' .. last .. '}')
    end
  end
end
return out
