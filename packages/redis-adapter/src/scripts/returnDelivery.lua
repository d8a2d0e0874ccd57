-- returnDelivery: puts a delivery that its blocked worker could not use (nobody there was waiting
-- for it any more) back at the front of the wait list, where the next lease call adopts it. A lease
-- call may already have dropped it from the claimed list; it is put back all the same while its
-- lease still holds, since the only worker that received it will not run it.
-- KEYS[1] claimed: claimed list
-- KEYS[2] wait: wait list
-- KEYS[3] leases: leases hash
-- ARGV[1] delivery: the delivery, as moved into the claimed list
-- Returns: 1 when it was put back, 0 when its lease no longer holds (nothing to do).
local claimedKey = KEYS[1]
local waitKey = KEYS[2]
local leasesKey = KEYS[3]
local delivery = ARGV[1]

call('LREM', claimedKey, 1, delivery)
local ok, d = pcall(cjson.decode, delivery)
if not ok or type(d) ~= 'table' or type(d.id) ~= 'string' or type(d.lease) ~= 'string' then return 0 end
if not held_envelope(call('HGET', leasesKey, d.id), d.lease) then return 0 end
call('RPUSH', waitKey, delivery)
return 1
