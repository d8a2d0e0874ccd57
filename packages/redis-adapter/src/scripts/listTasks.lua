-- listTasks: one page of the tasks in one state, in that state's order, after a position (a place
-- in the order, not an offset, so tasks that leave the state between pages shift nothing):
-- waiting: the prioritized zset's scores below 0 (segment H, by score), then the claimed list and
--   the wait list as one line in lease order (segment L: claimed from its right end, then wait from
--   its right end; deliveries are leased tasks and are skipped), then the zset's scores above 0
--   (segment T). A position in L is found again by its anchors (the last ids of the previous page):
--   the first one still in the line (LPOS from the lease end, O(its distance from there)); when
--   none is, they were all leased, and with them everything before them, so the walk goes on from
--   the lease end.
-- delayed by due time, active by deadline (ascending); dead, finished and cancelled by time,
--   newest first. Ties go by member: ascending, or descending in the newest-first states. A
--   position is (score, id); its member is found by rank while it is still there at that score,
--   else the members after it are read from the score on.
-- Read-only; times (retention) are the server's. Finished ids and cancellations past retention
-- are left out (pruned by the writing steps).
-- KEYS[1] wait: wait list
-- KEYS[2] claimed: claimed list
-- KEYS[3] prioritized: prioritized zset
-- KEYS[4] delayed: delayed zset
-- KEYS[5] active: active zset
-- KEYS[6] leases: leases hash
-- KEYS[7] progress: progress hash
-- KEYS[8] ids: ids hash (id -> envelope)
-- KEYS[9] deadIds: dead ids zset (id -> death time, ms)
-- KEYS[10] finishedAt: finished-at zset
-- KEYS[11] results: results hash
-- KEYS[12] cancelled: cancelled hash
-- KEYS[13] cancelledAt: cancelled-at zset
-- ARGV[1] state: waiting, delayed, active, dead, finished or cancelled
-- ARGV[2] want: most tasks to return (the page size + 1, so the caller knows whether more follow)
-- ARGV[3] segment: '' (from the start); waiting: H, L or T; the other states: Z
-- ARGV[4] score: the position's score (H, T, Z)
-- ARGV[5] retainMs: how long finished and cancelled ids are kept (ms)
-- ARGV[6..] anchors (id): L: the ids to find the position by, latest first; Z: the position's id
-- Returns: { a1, b1, c1, a2, b2, c2, ... }, three texts per task ('' for none): waiting: element,
--   segment (H<score>, L or T<score>), ''; delayed: envelope, due; active: lease envelope,
--   deadline, progress; dead: envelope, death time; finished: id, time, result; cancelled: id,
--   time, reason ("+<reason>" or "-").
local waitKey = KEYS[1]
local claimedKey = KEYS[2]
local prioritizedKey = KEYS[3]
local delayedKey = KEYS[4]
local activeKey = KEYS[5]
local leasesKey = KEYS[6]
local progressKey = KEYS[7]
local idsKey = KEYS[8]
local deadIdsKey = KEYS[9]
local finishedAtKey = KEYS[10]
local resultsKey = KEYS[11]
local cancelledKey = KEYS[12]
local cancelledAtKey = KEYS[13]
local state = ARGV[1]
local want = tonumber(ARGV[2])
local segment = ARGV[3]
local score = tonumber(ARGV[4])
local retainMs = tonumber(ARGV[5])
local anchorsFrom = 6
local anchors = {}
for i = anchorsFrom, #ARGV do anchors[#anchors + 1] = ARGV[i] end

local out = {}
local count = 0
local function add(a, b, c)
  out[#out + 1] = a
  out[#out + 1] = b
  out[#out + 1] = c or ''
  count = count + 1
end

-- Up to `n` { member, score } of zset `key` after (s, m) (has: a position given), ascending or
-- descending, stopping below `floor` (descending only).
local function zset_after(key, desc, has, s, m, n, floor)
  local got = {}
  local function take(els)
    for i = 1, #els, 2 do
      if #got < n and (not floor or tonumber(els[i + 1]) >= floor) then got[#got + 1] = { els[i], els[i + 1] } end
    end
  end
  local low = floor and num(floor) or '-inf'
  if not has then
    if desc then take(call('ZREVRANGEBYSCORE', key, '+inf', low, 'WITHSCORES', 'LIMIT', 0, n))
    else take(call('ZRANGEBYSCORE', key, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, n)) end
    return got
  end
  local at = call('ZSCORE', key, m)
  if at and tonumber(at) == s then
    if desc then
      local rank = call('ZREVRANK', key, m)
      take(call('ZREVRANGE', key, rank + 1, rank + n, 'WITHSCORES'))
    else
      local rank = call('ZRANK', key, m)
      take(call('ZRANGE', key, rank + 1, rank + n, 'WITHSCORES'))
    end
    return got
  end
  -- the member left: read on from its score, past the members of that score up to it
  local offset = 0
  while #got < n do
    local els
    if desc then els = call('ZREVRANGEBYSCORE', key, num(s), low, 'WITHSCORES', 'LIMIT', offset, n)
    else els = call('ZRANGEBYSCORE', key, num(s), '+inf', 'WITHSCORES', 'LIMIT', offset, n) end
    if #els == 0 then break end
    offset = offset + #els / 2
    local after = {}
    for i = 1, #els, 2 do
      local sc = tonumber(els[i + 1])
      if sc ~= s or (desc and els[i] < m) or (not desc and els[i] > m) then
        after[#after + 1] = els[i]
        after[#after + 1] = els[i + 1]
      end
    end
    take(after)
  end
  return got
end

-- The waiting line of priority 0: claimed from its right end, then wait from its right end.
-- Index i of the line is claimed[-(i+1)] for i < #claimed, else wait[-(i-#claimed+1)].
local function line_index(anchor)
  local claimed_len = call('LLEN', claimedKey)
  local p = call('LPOS', claimedKey, anchor, 'RANK', -1)
  if p then return claimed_len - 1 - p end
  p = call('LPOS', waitKey, anchor, 'RANK', -1)
  if p then return claimed_len + call('LLEN', waitKey) - 1 - p end
  return nil
end

local function line_from(i)
  local claimed_len = call('LLEN', claimedKey)
  while count < want do
    local els
    local n = want - count
    if i < claimed_len then
      local to = math.min(claimed_len - 1, i + n - 1)
      els = call('LRANGE', claimedKey, -(to + 1), -(i + 1))
    else
      local j = i - claimed_len
      els = call('LRANGE', waitKey, -(j + n), -(j + 1))
    end
    if #els == 0 then
      if i < claimed_len then i = claimed_len else return end
    else
      for k = #els, 1, -1 do
        if count < want and string.sub(els[k], 1, #DELIVERY_HEAD) ~= DELIVERY_HEAD then add(els[k], 'L') end
      end
      i = i + #els
    end
  end
end

if state == 'waiting' then
  if segment == '' or segment == 'H' then
    local from = segment == 'H' and '(' .. num(score) or '-inf'
    local els = call('ZRANGEBYSCORE', prioritizedKey, from, '(0', 'WITHSCORES', 'LIMIT', 0, want)
    for i = 1, #els, 2 do add(els[i], 'H' .. els[i + 1]) end
  end
  if count < want and segment ~= 'T' then
    local start = 0
    if segment == 'L' then
      for _, id in ipairs(anchors) do
        local env = call('HGET', idsKey, id)
        local i = line_index((env and env ~= '') and env or id)
        if i then
          start = i + 1
          break
        end
      end
    end
    line_from(start)
  end
  if count < want then
    local from = segment == 'T' and '(' .. num(score) or '0'
    local els = call('ZRANGEBYSCORE', prioritizedKey, from, '+inf', 'WITHSCORES', 'LIMIT', 0, want - count)
    for i = 1, #els, 2 do add(els[i], 'T' .. els[i + 1]) end
  end
  return out
end

local has = segment == 'Z'
local anchor = anchors[1] or ''
if state == 'delayed' then
  -- members are envelopes: the anchor's own while it is stored, else its head (ties compare by it)
  local m = call('HGET', idsKey, anchor)
  if not m or m == '' then m = ENVELOPE_HEAD .. '"id":' .. cjson.encode(anchor) .. ',' end
  for _, e in ipairs(zset_after(delayedKey, false, has, score, m, want)) do add(e[1], e[2]) end
elseif state == 'active' then
  for _, e in ipairs(zset_after(activeKey, false, has, score, anchor, want)) do
    local record = call('HGET', leasesKey, e[1])
    if record then add(string.sub(record, string.find(record, '|', 1, true) + 1), e[2], call('HGET', progressKey, e[1])) end
  end
elseif state == 'dead' then
  for _, e in ipairs(zset_after(deadIdsKey, true, has, score, anchor, want)) do
    local env = call('HGET', idsKey, e[1])
    if env then add(env, e[2]) end
  end
else
  local cutoff = server_ms() - retainMs
  if state == 'finished' then
    for _, e in ipairs(zset_after(finishedAtKey, true, has, score, anchor, want, cutoff)) do add(e[1], e[2], call('HGET', resultsKey, e[1])) end
  else
    for _, e in ipairs(zset_after(cancelledAtKey, true, has, score, anchor, want, cutoff)) do add(e[1], e[2], call('HGET', cancelledKey, e[1]) or '-') end
  end
end
return out
