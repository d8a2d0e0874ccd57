-- retryDead: redrives dead letters: each becomes waiting at the back of its priority's ready order
-- with attempt 0 (its next lease is attempt 1), payload, priority, headers and last error kept.
-- With ids, those of them that are dead (the others are skipped); without, the oldest up to
-- `max`, taken from the right end of the dead list (letters Baton cannot read stay there). A
-- prioritized task made ready is announced on the due channel; one of priority 0 wakes blocked
-- workers by its LPUSH.
-- KEYS[1] dead: dead list
-- KEYS[2] deadIds: dead ids zset
-- KEYS[3] ids: ids hash (id -> stored envelope; the dead letter for a dead id)
-- KEYS[4] wait: wait list
-- KEYS[5] prioritized: prioritized zset
-- KEYS[6] sequence: sequence hash of the prioritized zset
-- ARGV[1] max: most letters redriven
-- ARGV[2] dueChannel: the delayed-due channel
-- ARGV[3..] ids (id): the dead ids to redrive; none: the oldest
-- Returns: how many were redriven.
local deadKey = KEYS[1]
local deadIdsKey = KEYS[2]
local idsKey = KEYS[3]
local waitKey = KEYS[4]
local prioritizedKey = KEYS[5]
local sequenceKey = KEYS[6]
local max = tonumber(ARGV[1])
local dueChannel = ARGV[2]
local idsFrom = 3
local now = server_ms()

local moved, announce = 0, false
local function redrive(id, letter)
  local task = decode(letter, now)
  if not task then return false end
  local env = reenvelope(task, 0, task.lastError)
  push_ready(waitKey, prioritizedKey, sequenceKey, env, task.priority, false)
  if task.priority ~= 0 then announce = true end
  call('HSET', idsKey, id, env)
  call('ZREM', deadIdsKey, id)
  moved = moved + 1
  return true
end

if #ARGV >= idsFrom then
  -- the given ids: a few LREMs, or one pass over the list for many (each LREM reads the list)
  local letters, gone = {}, {}
  for i = idsFrom, #ARGV do
    local id = ARGV[i]
    if moved < max and not gone[id] and call('ZSCORE', deadIdsKey, id) then
      local letter = call('HGET', idsKey, id)
      if letter and redrive(id, letter) then
        gone[id] = true
        letters[#letters + 1] = letter
      end
    end
  end
  if #letters <= 8 then
    for _, letter in ipairs(letters) do call('LREM', deadKey, 1, letter) end
  elseif #letters > 0 then
    local drop = {}
    for _, letter in ipairs(letters) do drop[letter] = true end
    local kept = {}
    for _, el in ipairs(call('LRANGE', deadKey, 0, -1)) do
      if drop[el] then drop[el] = nil else kept[#kept + 1] = el end
    end
    call('DEL', deadKey)
    sliced('RPUSH', deadKey, kept)
  end
else
  -- the oldest letters: the right end of the list, read once; those that are not redriven (not a
  -- dead id any more, or unreadable) are put back in their order
  local oldest = call('LRANGE', deadKey, -max, -1)
  local kept = {}
  for k = #oldest, 1, -1 do
    local task = decode(oldest[k], now)
    local ok = task and call('ZSCORE', deadIdsKey, task.id) and redrive(task.id, oldest[k])
    if not ok then table.insert(kept, 1, oldest[k]) end
  end
  if #oldest > 0 then
    call('LTRIM', deadKey, 0, -(#oldest + 1))
    sliced('RPUSH', deadKey, kept)
  end
end
if announce then announce_due(dueChannel, 0) end
return moved
