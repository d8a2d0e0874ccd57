-- readStats: counts of one queue; delayed tasks due by the server's time count as waiting.
-- Read-only. Deliveries left in the claimed list (received, their tasks leased and counted as
-- active) are not counted as waiting; the list holds only what blocked workers moved since the
-- last lease call, so it is short.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] active: active zset
-- KEYS[4] delayed: delayed zset
-- KEYS[5] dead: dead list
-- KEYS[6] prioritized: prioritized zset
-- Returns: { waiting, active, delayed, dead }
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local activeKey = KEYS[3]
local delayedKey = KEYS[4]
local deadKey = KEYS[5]
local prioritizedKey = KEYS[6]
local now = server_ms()

local due = call('ZCOUNT', delayedKey, '-inf', now)
local claimed = 0
for _, el in ipairs(call('LRANGE', claimedKey, 0, -1)) do
  if string.sub(el, 1, #DELIVERY_HEAD) ~= DELIVERY_HEAD then claimed = claimed + 1 end
end
return {
  call('LLEN', waitKey) + claimed + due + call('ZCARD', prioritizedKey),
  call('ZCARD', activeKey),
  call('ZCARD', delayedKey) - due,
  call('LLEN', deadKey),
}
