-- wrk script: GET /api/v1/timelines/home as many readers, one token after
-- another from the file named by CHIRP_TOKENS (one token a line).
local tokens = {}
for line in io.lines(os.getenv("CHIRP_TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/api/v1/timelines/home", { ["Authorization"] = "Bearer " .. tokens[i] })
end
