-- wrk script for bench/registry.sh: each request asks for a random label
-- from ids.txt under the path prefix given after "--" (e.g. /v1/labels/).
local ids = {}
local prefix = "/v1/labels/"

function init(args)
  prefix = args[1] or prefix
  for line in io.lines(args[2] or "ids.txt") do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
