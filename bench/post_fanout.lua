-- wrk script: POST /api/v1/statuses as many authors, one token after another
-- from the file named by CHIRP_TOKENS (one token a line).
local tokens = {}
for line in io.lines(os.getenv("CHIRP_TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
local counter = 0
request = function()
  i = i % #tokens + 1
  counter = counter + 1
  local body = "status=Fan-out+benchmark+post+" .. counter .. "+with+%23chirp+and+https%3A%2F%2Fexample.com%2Fp"
  return wrk.format("POST", "/api/v1/statuses", {
    ["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
