-- bench/json_quick.lua - a quick throughput check of kserial.json against
-- lua-cjson (Debian's lua-cjson) over the Keras corpus. Not a test.
--
--   LUA_CPATH="build/lib/lua/?.so;;" lua5.4 bench/json_quick.lua [seconds]
--
-- over spec/data's Keras documents, or the full corpus with
-- KSERIAL_CORPUS_DIR=<folder with keras/> (docs/testing.md).
--
-- Decode MB/s counts the input text; encode MB/s counts the text each codec
-- writes. Note what is compared: kserial sorts keys (envelope order),
-- validates UTF-8 both ways and writes exact numbers; lua-cjson writes keys
-- in hash order and numbers with 14 significant digits.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local kserial = require "kserial"
local cjson = require "cjson"
local kjson = kserial.json

local budget = tonumber(arg and arg[1]) or 0.5   -- seconds per measurement
local docs, total = require("keras_docs").load()

-- Runs f over the whole corpus until `budget` seconds pass; returns MB/s
-- given the bytes one pass handles.
local function rate(f, bytes)
  local passes, t0 = 0, os.clock()
  repeat
    for i = 1, #docs do f(docs[i]) end
    passes = passes + 1
  until os.clock() - t0 >= budget
  return bytes * passes / (os.clock() - t0) / 1e6
end

for _, d in ipairs(docs) do
  d.kval = kjson.decode(d.text)
  d.cval = cjson.decode(d.text)
end
local kbytes, kbytes_unsorted, cbytes = 0, 0, 0
for _, d in ipairs(docs) do
  kbytes = kbytes + #kjson.encode(d.kval)
  kbytes_unsorted = kbytes_unsorted + #kjson.encode(d.kval, {sort_keys = false})
  cbytes = cbytes + #cjson.encode(d.cval)
end

local unsorted, keep = {sort_keys = false}, {keep_order = true}
local results = {
  {"decode", "kserial.json", rate(function(d) kjson.decode(d.text) end, total)},
  {"decode", "lua-cjson", rate(function(d) cjson.decode(d.text) end, total)},
  {"encode", "kserial.json", rate(function(d) kjson.encode(d.kval) end, kbytes)},
  {"encode", "kserial.json (sort_keys=false)",
   rate(function(d) kjson.encode(d.kval, unsorted) end, kbytes_unsorted)},
  {"encode", "lua-cjson", rate(function(d) cjson.encode(d.cval) end, cbytes)},
}
-- Key order last: once a state holds objects with a recorded order, the
-- encoder looks every dict up in the order table.
for _, d in ipairs(docs) do d.kordered = kjson.decode(d.text, keep) end
for _, r in ipairs({
  {"decode", "kserial.json (keep_order)", rate(function(d) kjson.decode(d.text, keep) end, total)},
  {"encode", "kserial.json (recorded order)", rate(function(d) kjson.encode(d.kordered) end, kbytes)},
  {"encode", "kserial.json (ordered objects alive)", rate(function(d) kjson.encode(d.kval) end, kbytes)},
}) do results[#results + 1] = r end

print(string.format("corpus: %d files, %.1f KB; %s", #docs, total / 1024, _VERSION))
for _, r in ipairs(results) do
  print(string.format("%-7s %-32s %8.1f MB/s", r[1], r[2], r[3]))
end
print(string.format("ratio   decode kserial/cjson %.2f, encode kserial/cjson %.2f",
                    results[1][3] / results[2][3], results[3][3] / results[5][3]))
