-- Paced load for the added-latency phase: each connection waits a random time with mean
-- `pace_ms` between requests (exponential, so arrivals are Poisson-like), so the rate is
-- about connections × 1000 / pace_ms and the proxy is never saturated. A fixed pause kept
-- wrk's connections in lockstep: bursts of `connections` requests at once every pace_ms,
-- which measured queueing inside each burst rather than latency at the rate (ADR 0183).
-- wrk measures latency without the delay.
local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "20")
local seeded = false
function delay()
  if not seeded then
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    seeded = true
  end
  return math.floor(-pace_ms * math.log(1 - math.random()) + 0.5)
end

-- The whole latency distribution, for mixing the two direct runs into the 90/10 baseline:
-- one line per 0.1 percentile ("q <percentile> <microseconds>"), then 99.95 and 99.99.
function done(summary, latency, requests)
  for i = 1, 999 do
    io.write(string.format("q %.1f %d\n", i / 10, latency:percentile(i / 10)))
  end
  io.write(string.format("q 99.95 %d\n", latency:percentile(99.95)))
  io.write(string.format("q 99.99 %d\n", latency:percentile(99.99)))
end
