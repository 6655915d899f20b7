-- wrk script: every request creates a plentymarkets payment in the sandbox named by SANDBOX
-- (environment; default `bench`). Used by BENCHMARKS.md:
--   SANDBOX=bench wrk -t2 -c64 -d10s -s crates/payrules-cli/wrk/create.lua http://127.0.0.1:18560
wrk.method = "POST"
wrk.path = "/plentymarkets/rest/payments"
wrk.headers["Authorization"] = "Bearer plenty-scenario-token"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Payrules-Sandbox"] = os.getenv("SANDBOX") or "bench"
wrk.body = '{"amount":12.3400,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":1,"transactionType":2,"receivedAt":"2024-01-01T09:45:00+01:00"}'


function done(summary, latency, requests)
  io.write("non-2xx answers: ", summary.errors.status, "\n")
end
