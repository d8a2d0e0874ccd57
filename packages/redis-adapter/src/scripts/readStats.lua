-- readStats: counts of one queue; delayed tasks due by the server's time count as waiting. It
-- first drops the dead letters past retainDead (at most `pruneMax`, see prelude.lua prune_dead),
-- so a queue that only dead-letters and is only read still has its dead letters bounded.
-- Deliveries left in the claimed list (received, their tasks leased and counted as active) are
-- not counted as waiting; the list holds only what blocked workers moved since the last lease
-- call, so it is short.
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] active: active zset
-- KEYS[4] delayed: delayed zset
-- KEYS[5] dead: dead list
-- KEYS[6] prioritized: prioritized zset
-- KEYS[7] deadIds: dead ids zset (id -> death time, ms)
-- KEYS[8] ids: ids hash
-- KEYS[9] deadDropped: counter of the dead letters retainDead dropped
-- ARGV[1] retainCount: most dead letters kept (retainDead.count)
-- ARGV[2] retainAgeMs: longest a dead letter is kept (ms, retainDead.ageMs)
-- ARGV[3] pruneMax: most dead letters dropped by this call
-- Returns: { waiting, active, delayed, dead, deadDropped }
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local activeKey = KEYS[3]
local delayedKey = KEYS[4]
local deadKey = KEYS[5]
local prioritizedKey = KEYS[6]
local deadIdsKey = KEYS[7]
local idsKey = KEYS[8]
local deadDroppedKey = KEYS[9]
local retainCount = tonumber(ARGV[1])
local retainAgeMs = tonumber(ARGV[2])
local pruneMax = tonumber(ARGV[3])
local now = server_ms()

prune_dead({ dead = deadKey, dead_ids = deadIdsKey, ids = idsKey, dropped = deadDroppedKey }, now, retainCount, retainAgeMs, pruneMax)
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
  tonumber(call('GET', deadDroppedKey) or '0'),
}
