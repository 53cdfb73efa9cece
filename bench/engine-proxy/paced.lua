-- Pacing for the half-load latency runs of bench/engine-proxy: after each response a connection
-- waits `delay_ms` (the first script argument) before it sends its next request, through wrk's
-- delay() hook. wrk starts a request's latency clock when it writes the request, so the wait is
-- not counted; the rate is connections / (delay + latency), which the runner calibrates.
local delay_ms = 0

function init(args)
  delay_ms = tonumber(args[1]) or 0
end

function delay()
  return delay_ms
end
