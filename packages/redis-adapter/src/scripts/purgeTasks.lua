-- purgeTasks: removes up to `max` tasks in one state (but active), as removeTask does each, from
-- the end each structure is cheapest to cut: the oldest delayed, dead, finished and cancelled
-- first, waiting ones in lease order (prioritized, then claimed and wait from their right ends).
-- Deliveries in the lists are leased tasks and stay. Each call costs O(max), so a large purge is
-- many short steps (core calls it until it removes fewer than max).
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] delayed: delayed zset
-- KEYS[4] prioritized: prioritized zset
-- KEYS[5] sequence: sequence hash of the prioritized zset
-- KEYS[6] ids: ids hash
-- KEYS[7] dead: dead list
-- KEYS[8] deadIds: dead ids zset
-- KEYS[9] cancelled: cancelled hash
-- KEYS[10] cancelledAt: cancelled-at zset
-- KEYS[11] finished: finished set
-- KEYS[12] finishedAt: finished-at zset
-- KEYS[13] results: results hash
-- ARGV[1] state: waiting, delayed, dead, finished or cancelled
-- ARGV[2] max: most tasks removed
-- Returns: how many were removed.
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local delayedKey = KEYS[3]
local prioritizedKey = KEYS[4]
local sequenceKey = KEYS[5]
local idsKey = KEYS[6]
local deadKey = KEYS[7]
local deadIdsKey = KEYS[8]
local cancelledKey = KEYS[9]
local cancelledAtKey = KEYS[10]
local finishedKey = KEYS[11]
local finishedAtKey = KEYS[12]
local resultsKey = KEYS[13]
local state = ARGV[1]
local max = tonumber(ARGV[2])

-- The id of a stored envelope (a raw element is its own id).
local function id_of(el)
  if string.sub(el, 1, #ENVELOPE_HEAD) ~= ENVELOPE_HEAD then return el end
  local ok, t = pcall(cjson.decode, el)
  if ok and type(t) == 'table' and type(t.id) == 'string' then return t.id end
  return nil
end

local removed = 0
local forget = {}
local function drop(el)
  local id = id_of(el)
  if id then forget[#forget + 1] = id end
  removed = removed + 1
end

if state == 'waiting' then
  local els = call('ZRANGE', prioritizedKey, 0, max - 1)
  if #els > 0 then
    sliced('ZREM', prioritizedKey, els)
    for _, el in ipairs(els) do drop(el) end
    if call('ZCARD', prioritizedKey) == 0 then call('DEL', sequenceKey) end
  end
  for _, key in ipairs({ claimedKey, waitKey }) do
    if removed < max then
      local popped = call('RPOP', key, max - removed) or {}
      local deliveries = {}
      for _, el in ipairs(popped) do
        if string.sub(el, 1, #DELIVERY_HEAD) == DELIVERY_HEAD then deliveries[#deliveries + 1] = el else drop(el) end
      end
      -- deliveries go back to the right end, in their order
      for k = #deliveries, 1, -1 do call('RPUSH', key, deliveries[k]) end
    end
  end
elseif state == 'delayed' then
  local els = call('ZRANGE', delayedKey, 0, max - 1)
  if #els > 0 then sliced('ZREM', delayedKey, els) end
  for _, el in ipairs(els) do drop(el) end
elseif state == 'dead' then
  local els = call('RPOP', deadKey, max) or {}
  for _, el in ipairs(els) do drop(el) end
  if #forget > 0 then sliced('ZREM', deadIdsKey, forget) end
elseif state == 'finished' then
  local done = call('ZRANGE', finishedAtKey, 0, max - 1)
  if #done > 0 then
    sliced('SREM', finishedKey, done)
    sliced('ZREM', finishedAtKey, done)
    sliced('HDEL', resultsKey, done)
  end
  removed = #done
  -- ids a recipe client added without a time are finished for good: they go too
  if removed < max and call('ZCARD', finishedAtKey) == 0 then
    local rest = call('SPOP', finishedKey, max - removed)
    removed = removed + #rest
  end
  return removed
elseif state == 'cancelled' then
  local gone = call('ZRANGE', cancelledAtKey, 0, max - 1)
  if #gone > 0 then
    sliced('ZREM', cancelledAtKey, gone)
    sliced('HDEL', cancelledKey, gone)
    sliced('HDEL', idsKey, gone)
  end
  return #gone
end
if #forget > 0 then sliced('HDEL', idsKey, forget) end
return removed
