-- wrk script for the serving benchmark: every request POSTs the JSON in $WRK_BODY_FILE, with
-- $WRK_TOKEN (if set) as its bearer token. The body is read once, so requests cost wrk no work.
local file = assert(io.open(os.getenv("WRK_BODY_FILE"), "r"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("WRK_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
-- With $WRK_DELAY_MS, each connection pauses that long before its next request: a paced load
-- (connections / (delay + latency) requests per second) instead of as fast as answers come.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
if delay_ms ~= nil and delay_ms > 0 then
  function delay()
    return delay_ms
  end
end
