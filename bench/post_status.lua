-- wrk script: POST /api/v1/statuses with a form body; the token comes from
-- the environment (CHIRP_TOKEN).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHIRP_TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = "status=Benchmark+post+" .. counter .. "+with+%23chirp+and+https%3A%2F%2Fexample.com%2Fpath"
  return wrk.format(nil, nil, nil, body)
end
