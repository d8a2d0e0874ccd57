-- leaseTasks: promotes due delayed tasks, then leases up to max ready tasks (claimed list first,
-- then the wait list, oldest first), skipping finished ids and dead-lettering corrupt elements.
-- A delivery (a task enqueueTasks leased to a blocked worker) found in the wait list was never
-- received, so its lease is adopted; one found in the claimed list was received, so it is dropped.
-- A caller that finds nothing and is about to block registers in the idle zset, so enqueueTasks
-- can deliver to it; any call by that caller first takes the registration back.
-- Completions the caller made together with this call are done first (as completeTask does them),
-- so a worker's completion and its next lease cost one call.
-- KEYS[1] wait list   KEYS[2] claimed list   KEYS[3] delayed zset   KEYS[4] active zset (id -> deadline)
-- KEYS[5] leases hash (id -> "token|envelope")   KEYS[6] ids set   KEYS[7] finished set
-- KEYS[8] finished-at zset   KEYS[9] dead list   KEYS[10] idle zset
-- ARGV[1] now (ms)   ARGV[2] visibility timeout (ms)   ARGV[3] max   ARGV[4] finished cutoff   ARGV[5] token base
-- ARGV[6] the caller's idle member ("waiter|visibility ms", '' for none)   ARGV[7] registered until (ms; 0: do not register)
-- ARGV[8..] pairs to complete first: id, token
-- Returns: { next delayed due time or -1, number of completion codes c, c codes (OK or NOT_HELD),
--   envelope1, token1, envelope2, token2, ... }
local now, vis, max, cutoff = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

-- A raw element's id goes to the client as text: bytes that are not UTF-8 would come back as other
-- bytes, so its lease could never be completed. Such an element is dead-lettered instead.
local function is_utf8(s)
  if not string.find(s, '[\128-\255]') then return true end
  local i, n = 1, #s
  while i <= n do
    local c = string.byte(s, i)
    local len, lo, hi = 1, 0x80, 0xBF
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then
      len = 3
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      len = 4
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else return false end
    for j = i + 1, i + len - 1 do
      local b = string.byte(s, j)
      if not b or b < lo or b > hi then return false end
      lo, hi = 0x80, 0xBF
    end
    i = i + len
  end
  return true
end

expect_type(KEYS[1], 'list')
expect_type(KEYS[7], 'set')
local completed = complete_leases(KEYS[5], KEYS[4], KEYS[6], KEYS[7], KEYS[8], now, cutoff, 8)
if ARGV[6] ~= '' then call('ZREM', KEYS[10], ARGV[6]) end
local due = call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
for _, env in ipairs(due) do call('LPUSH', KEYS[1], env) end
if #due > 0 then call('ZREM', KEYS[3], unpack(due)) end
local out = { -1, #completed }
for _, code in ipairs(completed) do out[#out + 1] = code end
local n = 0
-- Lease deadlines (score, id pairs) and leased ids, written with one ZADD and one SADD at the end.
local deadlines, leased = {}, {}

local function lease(task)
  local token = ARGV[5] .. '.' .. (n + 1)
  local env = envelope(task.id, task.payload, task.attempt + 1, task.enqueuedAt, task.lastError)
  -- HSETNX records the lease unless the same id is already leased (a raw element pushed twice):
  -- one delivery at a time, checked and written in one command
  if call('HSETNX', KEYS[5], task.id, token .. '|' .. env) == 0 then return end
  n = n + 1
  deadlines[#deadlines + 1] = now + vis
  deadlines[#deadlines + 1] = task.id
  leased[#leased + 1] = task.id
  out[#out + 1] = env
  out[#out + 1] = token
end

-- Takes over the lease a delivery carries, if it still holds, with its deadline renewed.
local function adopt(el)
  local ok, d = pcall(cjson.decode, el)
  if not ok or type(d) ~= 'table' or type(d.id) ~= 'string' or type(d.lease) ~= 'string' then return end
  local env = held_envelope(call('HGET', KEYS[5], d.id), d.lease)
  if not env then return end
  n = n + 1
  deadlines[#deadlines + 1] = now + vis
  deadlines[#deadlines + 1] = d.id
  out[#out + 1] = env
  out[#out + 1] = d.lease
end

-- Elements are popped as many at a time as are still wanted (an empty RPOP gives false), and the
-- finished check of a whole pop is one SMISMEMBER.
local claimed_left = true
while n < max do
  local want = max - n
  local els, received = false, true
  if claimed_left then
    els = call('RPOP', KEYS[2], want)
    if not els or #els < want then claimed_left = false end
  end
  if not els then
    els = call('RPOP', KEYS[1], want)
    received = false
  end
  if not els then break end
  local tasks, task_ids = {}, {}
  for _, el in ipairs(els) do
    if string.sub(el, 1, #DELIVERY_HEAD) == DELIVERY_HEAD then
      -- a received delivery is a task some worker runs: the claimed entry is only dropped
      if not received then adopt(el) end
    else
      local task, reason
      if is_utf8(el) then task, reason = decode(el, now) else reason = 'not UTF-8 text' end
      if task then
        tasks[#tasks + 1] = task
        task_ids[#task_ids + 1] = task.id
      else
        call('LPUSH', KEYS[9], corrupt_letter(el, reason, now))
      end
    end
  end
  local finished = sliced('SMISMEMBER', KEYS[7], task_ids)
  for k, task in ipairs(tasks) do
    if finished[k] == 1 and within_retention(KEYS[7], KEYS[8], task.id, cutoff, true) then
      call('SREM', KEYS[6], task.id)
    else
      lease(task)
    end
  end
end
sliced('ZADD', KEYS[4], deadlines)
sliced('SADD', KEYS[6], leased)
if n == 0 and tonumber(ARGV[7]) > now then call('ZADD', KEYS[10], ARGV[7], ARGV[6]) end
if n == 0 then
  local first = call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if first[2] then out[1] = tonumber(first[2]) end
end
return out
