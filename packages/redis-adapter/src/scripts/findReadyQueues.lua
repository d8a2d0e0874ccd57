-- findReadyQueues: the safety net of waiting workers. Which of the given queues hold a task in
-- their wait list, claimed list or prioritized zset (work that waiting workers may not have been
-- told of: a raw LPUSH by another client, a wake-up lost with a dropped connection). One EXISTS
-- over every key answers the idle case with one command; when some exist, the halves are checked
-- in turn down to each queue that has any, so the cost grows with the queues that have work.
-- The keys are named in ARGV (see PROTOCOL.md, Keys built from ARGV), so this runs on one server
-- only; on a Cluster each queue is checked with its own EXISTS.
-- ARGV[1..] queues (wait, claimed, prioritized): the keys of each queue
-- Returns: the numbers (1-based, in ARGV order) of the queues with ready work.
local queuesFrom = 1
local out = {}

local function scan(lo, hi)
  local keys = {}
  for q = lo, hi do
    local b = queuesFrom + (q - 1) * 3
    keys[#keys + 1] = ARGV[b]
    keys[#keys + 1] = ARGV[b + 1]
    keys[#keys + 1] = ARGV[b + 2]
  end
  if redis.call('EXISTS', unpack(keys)) == 0 then return end
  if lo == hi then
    out[#out + 1] = lo
    return
  end
  local mid = math.floor((lo + hi) / 2)
  scan(lo, mid)
  scan(mid + 1, hi)
end

if #ARGV >= queuesFrom + 2 then scan(1, math.floor((#ARGV - queuesFrom + 1) / 3)) end
return out
