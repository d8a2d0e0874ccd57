-- readStats: counts of one queue; due delayed tasks count as waiting. Read-only.
-- KEYS[1] wait list   KEYS[2] claimed list   KEYS[3] active zset   KEYS[4] delayed zset   KEYS[5] dead list
-- ARGV[1] now (ms)
-- Returns: { waiting, active, delayed, dead }
local now = tonumber(ARGV[1])
local due = call('ZCOUNT', KEYS[4], '-inf', now)
return {
  call('LLEN', KEYS[1]) + call('LLEN', KEYS[2]) + due,
  call('ZCARD', KEYS[3]),
  call('ZCARD', KEYS[4]) - due,
  call('LLEN', KEYS[5]),
}
