-- findStalledQueues: which of the given queues hold a lease whose deadline has passed (server
-- time), so a process that recovers stalled tasks of many queues calls recoverStalledTasks only
-- on those. One EXISTS over every active zset answers "no leases at all" with one command; when
-- some exist, the halves are checked in turn down to each queue that has leases, and its earliest
-- deadline is read.
-- The keys are named in ARGV (see PROTOCOL.md, Keys built from ARGV), so this runs on one server
-- only; on a Cluster each queue runs recoverStalledTasks itself.
-- ARGV[1..] queues (active): the active zset of each queue
-- Returns: the numbers (1-based, in ARGV order) of the queues with an expired lease.
local queuesFrom = 1
local now = server_ms()
local out = {}

local function scan(lo, hi)
  local keys = {}
  for q = lo, hi do keys[#keys + 1] = ARGV[queuesFrom + q - 1] end
  if redis.call('EXISTS', unpack(keys)) == 0 then return end
  if lo == hi then
    if #redis.call('ZRANGEBYSCORE', keys[1], '-inf', now, 'LIMIT', 0, 1) > 0 then out[#out + 1] = lo end
    return
  end
  local mid = math.floor((lo + hi) / 2)
  scan(lo, mid)
  scan(mid + 1, hi)
end

if #ARGV >= queuesFrom then scan(1, #ARGV - queuesFrom + 1) end
return out
