-- extendLease: moves a lease's deadline to ms from now (server time) if the token still holds it.
-- KEYS[1] leases: leases hash
-- KEYS[2] active: active zset
-- ARGV[1] id: the task id
-- ARGV[2] token: the lease token
-- ARGV[3] ms: the new deadline, in ms from the server's now
-- Returns: OK, or NOT_HELD.
local leasesKey = KEYS[1]
local activeKey = KEYS[2]
local id = ARGV[1]
local token = ARGV[2]
local ms = tonumber(ARGV[3])

if not held_envelope(call('HGET', leasesKey, id), token) then return NOT_HELD end
call('ZADD', activeKey, server_ms() + ms, id)
return OK
