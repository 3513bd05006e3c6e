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
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local kserial = require "kserial"
local cjson = require "cjson"
local host = rawget(_G, "bench") or error("run it in build/kserial-bench")
local kjson = kserial.json

local rounds = math.tointeger(tonumber(arg and arg[1] or "5")) or error("bad rounds")
local docs, total = require("keras_docs").load()

local function each(decode)
  return function()
    for _ = 1, rounds do
      for i = 1, #docs do decode(docs[i].text) end
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
