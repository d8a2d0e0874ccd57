-- completeTask: finishes each lease whose token still holds it; prunes expired finished ids.
-- Completions that arrive together are sent together (one call for the whole batch).
-- KEYS[1] leases hash   KEYS[2] active zset   KEYS[3] ids set   KEYS[4] finished set   KEYS[5] finished-at zset
-- ARGV[1] now (ms)   ARGV[2] finished cutoff (ms)   ARGV[3..] pairs: id, token
-- Returns: one code per pair, in order: OK, or NOT_HELD (that lease changed nothing).
local now, cutoff = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if held_envelope(call('HGET', KEYS[1], id), token) then
    -- SADD on the finished set is the first write, so a set of the wrong type fails it before
    -- anything changed (the type is looked up only then, instead of a TYPE on every call)
    local added = redis.pcall('SADD', KEYS[4], id)
    if type(added) == 'table' and added.err then
      if string.find(added.err, 'WRONGTYPE', 1, true) then expect_type(KEYS[4], 'set') end
      error(added)
    end
    call('HDEL', KEYS[1], id)
    call('ZREM', KEYS[2], id)
    call('SREM', KEYS[3], id)
    call('ZADD', KEYS[5], now, id)
    out[#out + 1] = OK
  else
    out[#out + 1] = NOT_HELD
  end
end
-- Prunes up to two expired ids per completion (plus 100), so pruning outpaces completions however
-- large the batch: the finished set stays bounded by the retention window, not by the run.
local old = call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. cutoff, 'LIMIT', 0, 100 + (#ARGV - 2))
if #old > 0 then
  call('SREM', KEYS[4], unpack(old))
  call('ZREM', KEYS[5], unpack(old))
end
return out
