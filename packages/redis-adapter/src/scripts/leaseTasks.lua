-- leaseTasks: promotes due delayed tasks, then leases up to max ready tasks (claimed list first,
-- then the wait list, oldest first), skipping finished ids and dead-lettering corrupt elements.
-- KEYS[1] wait list   KEYS[2] claimed list   KEYS[3] delayed zset   KEYS[4] active zset (id -> deadline)
-- KEYS[5] leases hash (id -> "token|envelope")   KEYS[6] ids set   KEYS[7] finished set
-- KEYS[8] finished-at zset   KEYS[9] dead list
-- ARGV[1] now (ms)   ARGV[2] visibility timeout (ms)   ARGV[3] max   ARGV[4] finished cutoff   ARGV[5] token base
-- Returns: { next delayed due time or -1, envelope1, token1, envelope2, token2, ... }
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
local due = call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
for _, env in ipairs(due) do call('LPUSH', KEYS[1], env) end
if #due > 0 then call('ZREM', KEYS[3], unpack(due)) end
local out = { -1 }
local n = 0
while n < max do
  local el = call('RPOP', KEYS[2])
  if not el then el = call('RPOP', KEYS[1]) end
  if not el then break end
  local task, reason
  if is_utf8(el) then task, reason = decode(el, now) else reason = 'not UTF-8 text' end
  if not task then
    call('LPUSH', KEYS[9], corrupt_letter(el, reason, now))
  elseif is_finished(KEYS[7], KEYS[8], task.id, cutoff, true) then
    call('SREM', KEYS[6], task.id)
  else
    local token = ARGV[5] .. '.' .. (n + 1)
    local env = envelope(task.id, task.payload, task.attempt + 1, task.enqueuedAt, task.lastError)
    -- HSETNX records the lease unless the same id is already leased (a raw element pushed twice):
    -- one delivery at a time, checked and written in one command
    if call('HSETNX', KEYS[5], task.id, token .. '|' .. env) == 1 then
      n = n + 1
      call('ZADD', KEYS[4], now + vis, task.id)
      call('SADD', KEYS[6], task.id)
      out[#out + 1] = env
      out[#out + 1] = token
    end
  end
end
if n == 0 then
  local first = call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if first[2] then out[1] = tonumber(first[2]) end
end
return out
