-- kserial.json.decode on documents that repeat the shape of their objects
-- (src/json/decode.c, "Size hints" and "Predicted strings"): in documents
-- of 1024 bytes or more, an object of a kind met before is built straight
-- into a table of the last one's size, and the decoder first tries the key
-- (and the string value) that came at the same place last time. Neither
-- may change a value or an error. The reference here is the same object
-- decoded alone in a short document, which the decoder reads with neither
-- (no string cache, so no hints and no predictions).
local H = require "json_helpers"
local json = require("kserial").json
local dec = json.decode

-- The decoder's limits these documents are built around.
local MIN_DOC = 1024      -- the cache (and so hints, predictions) from here

-- `obj` (JSON text) decoded after `warm` (JSON texts of objects of the
-- same kind, which set the hints and predictions up), in an array long
-- enough for the cache; each value of `warm` is under the key "k", so the
-- object is too. Returns the decoded object, or nil and the error.
local function after(warm, obj)
  local parts = {}
  for i, w in ipairs(warm) do parts[i] = '{"k":' .. w .. '}' end
  local text = "[" .. table.concat(parts, ",") .. ',{"k":' .. obj .. "}]"
  assert(#text >= MIN_DOC or #warm == 0, "the document is too short for the cache")
  local ok, v = pcall(dec, text)
  if ok then return v[#v].k end
  return nil, v, #text - #obj - 2          -- where obj starts
end

-- The same object alone: no cache.
local function alone(obj)
  local text = '[{"k":' .. obj .. "}]"
  assert(#text < MIN_DOC)
  local ok, v = pcall(dec, text)
  if ok then return v[1].k end
  return nil, v, 6
end

-- "<message> at line 1, column C (byte B)" -> message, byte
local function split(e)
  local msg, col, byte = e:match("^(.-) at line 1, column (%d+) %(byte (%d+)%)$")
  assert(msg, "unexpected error: " .. e)
  assert(tonumber(col) == tonumber(byte) + 1)
  return msg, tonumber(byte)
end

-- obj decoded after warm gives what it gives alone: the same value, or the
-- same error at the same place in the object.
local function same_as_alone(warm, obj)
  local a, ea, sa = after(warm, obj)
  local b, eb, sb = alone(obj)
  if b ~= nil then
    assert(a ~= nil, ("%s: %s"):format(obj, tostring(ea)))
    local d = H.diff(b, a)
    assert(d == nil, obj .. ": " .. tostring(d))
  else
    assert(a == nil, obj .. ": decoded after others, but not alone: " .. eb)
    local ma, ba = split(ea)
    local mb, bb = split(eb)
    assert.equal(mb, ma)
    assert.equal(bb - sb, ba - sa, obj)
  end
end

-- {"k1":1,...,"kn":n} (keys from `first`)
local function object_of(n, first)
  local parts = {}
  for i = 1, n do parts[i] = ('"k%d":%d'):format(i + (first or 1) - 1, i) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local count = H.count

describe("kserial.json.decode on repeated shapes", function()
  -- the sizes around each change of a table's node count (powers of two)
  -- and the decoder's own edges (32 pairs wait on the stack, 255 ends the hints)
  local SIZES = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 64, 65, 254, 255, 256, 300 }

  it("builds every object with exactly its pairs whatever size the ones before it had", function()
    for _, before in ipairs(SIZES) do
      for _, size in ipairs(SIZES) do
        -- objects of the size before (which set the kind's hint), then
        -- this one, then one of the size before again (after a wrong hint)
        local warm = { object_of(before), object_of(before), object_of(before) }
        while #table.concat(warm) < MIN_DOC do warm[#warm + 1] = object_of(before) end
        local text = "[" .. table.concat(warm, ",") .. "," .. object_of(size) .. "," ..
                     object_of(before) .. "," .. object_of(size) .. "]"
        local v = dec(text)
        local got = { v[#v - 2], v[#v - 1], v[#v] }
        for i, n in ipairs{ size, before, size } do
          assert.equal(n, count(got[i]), ("%d pairs after %d"):format(n, before))
          for j = 1, n do assert.equal(j, got[i]["k" .. j]) end
          assert.equal(json.object_mt, getmetatable(got[i]))
        end
      end
    end
  end)

  it("builds every array with exactly its values whatever size the ones before it had", function()
    -- arrays under one key ("a"), and arrays in arrays under it (which
    -- have the same parent key)
    local ASIZES = { 0, 1, 2, 3, 4, 63, 64, 65, 252, 253, 254, 255, 300 }
    local function array_of(n, nested)
      local parts = {}
      for i = 1, n do parts[i] = nested and ("[%d]"):format(i) or tostring(i) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local function check(v, n, nested)
      assert.equal("array", H.kind(v))
      assert.equal(n, #v)
      assert.equal(nil, v[n + 1])
      for i = 1, n do
        if nested then assert.equal(i, v[i][1]) else assert.equal(i, v[i]) end
      end
    end
    for _, before in ipairs(ASIZES) do
      for _, size in ipairs(ASIZES) do
        for _, nested in ipairs{ false, true } do
          local warm = {}
          repeat
            warm[#warm + 1] = '{"a":' .. array_of(before, nested) .. '}'
          until #warm >= 3 and #table.concat(warm) >= MIN_DOC
          local text = "[" .. table.concat(warm, ",") .. ',{"a":' .. array_of(size, nested) ..
                       '},{"a":' .. array_of(before, nested) .. '},{"a":' ..
                       array_of(size, nested) .. "}]"
          local v = dec(text)
          check(v[#v - 2].a, size, nested)
          check(v[#v - 1].a, before, nested)
          check(v[#v].a, size, nested)
          check(v[1].a, before, nested)
        end
      end
    end
  end)

  it("keeps the last value of a duplicate key in an object built at a hinted size", function()
    local warm = {}
    for i = 1, 60 do warm[i] = '{"a":1,"b":2,"c":3}' end
    for _, obj in ipairs{ '{"a":1,"b":2,"a":3}', '{"a":1,"a":2,"a":3}',
                          '{"a":1,"b":2,"c":3,"b":4,"c":5,"d":6}', '{"a":{"a":1},"a":[2]}' } do
      same_as_alone(warm, obj)
    end
    local v = after(warm, '{"a":1,"b":2,"a":3}')
    assert.same({ a = 3, b = 2 }, setmetatable(v, nil))
  end)

  it("reads keys and values that differ from the predicted ones only at the edges", function()
    -- after objects {"name":"float32","names":"x"}: keys and values that are
    -- the predicted string with a byte more, a byte less, another last
    -- byte, an escape spelling the same bytes, or the same bytes but no end
    local warm = {}
    for i = 1, 40 do warm[i] = '{"name":"float32","names":"x","n":"float3"}' end
    for _, obj in ipairs{
      '{"name":"float32","names":"x","n":"float3"}',   -- all as predicted
      '{"names":"float32","name":"x","n":"float3"}',
      '{"nam":"float3","name":"float321","n":"float32"}',
      '{"name":"float33","names":"y","n":"float4"}',
      '{"name":"flo\\u0061t32","names":"x","n":"gloat3"}',
      '{"namf":"float33","name":"float32","n":""}',
      '{"na\\u006de":"float\\u00332","n\\/ame":"x","n":"float3"}',
      '{"name":"float32\\"","names":"x\\\\","n":"float3\\n"}',
      '{"name\\"":"float32","name\\u0000":"x","n":"float3\u{e9}"}',
      '{"name":"float32", "names" :"x" , "n":"float3" }',
    } do
      same_as_alone(warm, obj)
    end
  end)

  it("rejects what it rejects alone, at the same place, when the predicted string is cut or broken", function()
    local obj = '{"module":"keras.layers","class_name":"Dense","config":{"name":"float32"}}'
    local warm = {}
    for i = 1, 20 do warm[i] = obj end
    -- every way of cutting the object short, and every byte of it replaced
    -- by each of a few that end or break a string
    for i = 0, #obj - 1 do same_as_alone(warm, obj:sub(1, i)) end
    for i = 1, #obj do
      for _, c in ipairs{ '"', "\\", "x", " ", "\0", "\31", "\xC3", "\xFF", "}", ":", "," } do
        same_as_alone(warm, obj:sub(1, i - 1) .. c .. obj:sub(i + 1))
      end
    end
    -- and the whole document cut inside the last object: an error at its end
    local text = "[" .. table.concat(warm, ",") .. "," .. obj .. "]"
    for cut = #text - #obj - 1, #text - 1 do
      local e = H.err(dec, text:sub(1, cut))
      local _, byte = split(e:match("json%.decode: (.*)$"))
      assert.equal(cut, byte, e)
    end
  end)

  it("gives nested objects, arrays and the document root their own hints and predictions", function()
    -- the same first key under different parents, and the same parent with
    -- different first keys, sizes crossing node counts
    local kinds = {
      '{"a":{"x":1,"y":2,"z":3},"b":[{"x":1},{"x":1,"y":2,"z":3,"w":4,"v":5}],"c":"s"}',
      '{"a":{"x":"1"},"b":[],"c":{"a":{"x":[{"x":{}}]}}}',
      '{"b":[[{"x":1,"y":2}],[{"y":1,"x":2,"z":{"x":1}}]],"a":{"y":1}}',
    }
    local parts = {}
    for round = 1, 30 do parts[round] = kinds[round % 3 + 1] end
    local text = "[" .. table.concat(parts, ",") .. "]"
    local v = dec(text)
    for round = 1, 30 do
      local d = H.diff(alone(kinds[round % 3 + 1]), v[round])
      assert(d == nil, d)
    end
    -- a root object after nothing, and objects at the root's own kind
    local root = object_of(40) .. (" "):rep(MIN_DOC)
    local r = dec(root)
    assert.equal(40, count(r))
  end)

  it("keeps document order with keep_order while it predicts keys", function()
    local parts = {}
    for i = 1, 60 do
      parts[i] = i % 3 == 0 and '{"b":1,"a":2,"c":3}' or '{"a":1,"b":2,"c":3}'
    end
    local v = dec("[" .. table.concat(parts, ",") .. "]", { keep_order = true })
    for i = 1, 60 do
      assert.same(i % 3 == 0 and { "b", "a", "c" } or { "a", "b", "c" }, json.keys(v[i]))
    end
  end)

  it("decodes nesting at the deepest max_depth, with pairs waiting at every level", function()
    -- 10000 levels (the largest max_depth), each object with 30 pairs
    -- before the nested one: the stack is grown as the nesting goes
    local depth = 10000
    local pairs_ = {}
    for i = 1, 30 do pairs_[i] = ('"p%d":%d'):format(i, i) end
    local open = "{" .. table.concat(pairs_, ",") .. ',"next":'
    local text = open:rep(depth) .. "null" .. ("}"):rep(depth)
    local v = dec(text, { max_depth = depth })
    local n = 0
    while v ~= json.null do
      n = n + 1
      assert.equal(31, count(v))
      assert.equal(30, v.p30)
      v = v.next
    end
    assert.equal(depth, n)
    -- arrays too, and one level more is refused
    local arrays = ("["):rep(depth) .. ("]"):rep(depth)
    assert.equal("array", H.kind(dec(arrays, { max_depth = depth })))
    H.raises("nesting deeper than 10000", dec, "[" .. arrays .. "]", { max_depth = depth })
  end)
end)
