-- readStats: counts of one queue; due delayed tasks count as waiting. Read-only. Deliveries left in
-- the claimed list (received, their tasks leased and counted as active) are not counted as waiting;
-- the list holds only what blocked workers moved since the last lease call, so it is short.
-- KEYS[1] wait list   KEYS[2] claimed list   KEYS[3] active zset   KEYS[4] delayed zset   KEYS[5] dead list
-- ARGV[1] now (ms)
-- Returns: { waiting, active, delayed, dead }
local now = tonumber(ARGV[1])
local due = call('ZCOUNT', KEYS[4], '-inf', now)
local claimed = 0
for _, el in ipairs(call('LRANGE', KEYS[2], 0, -1)) do
  if string.sub(el, 1, #DELIVERY_HEAD) ~= DELIVERY_HEAD then claimed = claimed + 1 end
end
return {
  call('LLEN', KEYS[1]) + claimed + due,
  call('ZCARD', KEYS[3]),
  call('ZCARD', KEYS[4]) - due,
  call('LLEN', KEYS[5]),
}
