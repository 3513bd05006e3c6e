-- bench/decode_corpus.lua - instruction counts of kserial.json.decode and
-- lua-cjson's decode over real Keras documents (written with ", " and ": "
-- separators, some indented), which the bench graphs (compact) do not
-- cover. Not a test. Under callgrind, counting only bench.measure:
--
--   valgrind --tool=callgrind --collect-atstart=no \
--     --toggle-collect=kbench_measured --dump-after=kbench_measured \
--     build/kserial-bench bench/decode_corpus.lua [rounds]
--
-- then callgrind_annotate callgrind.out.<pid>.1 (json.decode) and .2
-- (cjson.decode). Each profile is `rounds` (default 5) decodes of every
-- document of spec/data/keras, or of KSERIAL_CORPUS_DIR/keras when set.
-- Outside valgrind it prints the CPU time of each.
local kserial = require "kserial"
local cjson = require "cjson"
local host = rawget(_G, "bench") or error("run it in build/kserial-bench")
local kjson = kserial.json

local rounds = math.tointeger(tonumber(arg and arg[1] or "5")) or error("bad rounds")
local corpus = os.getenv("KSERIAL_CORPUS_DIR")
local dir = (corpus and corpus ~= "" and corpus or "spec/data") .. "/keras/"

local docs, total = {}, 0
local p = assert(io.popen('ls -1 "' .. dir .. '"'))
for name in p:lines() do
  if name:match("%.json$") then
    local f = assert(io.open(dir .. name, "rb"))
    docs[#docs + 1] = f:read("a")
    f:close()
    total = total + #docs[#docs]
  end
end
p:close()

local function each(decode)
  return function()
    for _ = 1, rounds do
      for i = 1, #docs do decode(docs[i]) end
    end
  end
end

print(string.format("%d documents, %d bytes, %d rounds", #docs, total, rounds))
for _, op in ipairs{ { "json.decode", each(kjson.decode) }, { "cjson.decode", each(cjson.decode) } } do
  op[2]()                                  -- warm-up, not counted
  collectgarbage("collect")
  local t0 = host.cpuclock()
  host.measure(op[2])
  print(string.format("%-13s %.1f ms", op[1], (host.cpuclock() - t0) * 1e3))
end
