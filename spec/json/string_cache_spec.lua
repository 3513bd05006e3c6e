-- kserial.json.decode's string cache (src/json/decode.c): the decoder
-- reuses the Lua string of a short key or string value it has read before
-- when the same bytes come again. These documents make the cache's slots
-- collide, miss and be replaced, and check that every key and every string
-- value still comes out with exactly its own bytes: a cache that matched on
-- anything less than the whole string would put one string in another's
-- place.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc = json.encode

-- The decoder sets the cache up only for documents of 1024 bytes or more:
-- the short documents below are padded with trailing whitespace to reach
-- that, and each is also decoded as it is (without the cache), which must
-- give the same value.
local function dec(text, opts)
  local v = json.decode(text .. (" "):rep(1100 - #text), opts)
  if #text < 1024 then
    local diff = H.diff(json.decode(text, opts), v)
    assert(diff == nil, diff)
  end
  return v
end

-- The keys of t, sorted, with their values: {"k=v", ...}.
local function entries(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = k .. "=" .. tostring(v) end
  table.sort(out)
  return out
end

-- A JSON object text of the pairs {{k, v}, ...} in that order, written
-- by hand (not by json.encode) so that keys go in as raw bytes.
local function object_text(pairs_)
  local parts = {}
  for i, p in ipairs(pairs_) do
    parts[i] = '"' .. p[1] .. '":' .. p[2]
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

describe("kserial.json.decode's string cache", function()
  it("keys of every length from 0 to 41, repeated, each with its own value", function()
    -- keys that share their length, first, middle and last bytes with
    -- another one differ inside: "a" .. fill .. "z" with one byte changed
    local rows = {}
    for len = 0, 41 do
      for variant = 1, 3 do
        local b = {}
        for i = 1, len do b[i] = string.char(97 + (i * 7 + len) % 26) end
        if len >= 4 then b[2] = string.char(48 + variant)   -- an inner byte
        elseif len >= 1 then b[1] = string.char(64 + variant) end
        local k = table.concat(b)
        if variant == 1 or len >= 1 then rows[#rows + 1] = k end
      end
    end
    -- each key three times over, in documents where they interleave
    local objs = {}
    for round = 1, 3 do
      local pairs_ = {}
      for i, k in ipairs(rows) do pairs_[i] = {k, i * 10 + round} end
      objs[round] = object_text(pairs_)
    end
    local v = dec("[" .. table.concat(objs, ",") .. "]")
    for round = 1, 3 do
      local o, n = v[round], 0
      for _ in pairs(o) do n = n + 1 end
      assert.equal(#rows, n)
      for i, k in ipairs(rows) do
        assert.equal(i * 10 + round, o[k], ("key %q (length %d)"):format(k, #k))
      end
    end
  end)

  it("more distinct keys than the cache holds, met again in another order", function()
    local keys = {}
    for i = 1, 600 do keys[i] = ("k%03d_%s"):format(i, ("x"):rep(i % 37)) end
    local docs, want = {}, {}
    for round = 1, 4 do
      local pairs_, o = {}, {}
      for j = 1, #keys do
        local i = (j * (round * 2 + 1) * 7) % #keys + 1  -- a different order each round
        pairs_[j] = {keys[i], ('"%s/%d"'):format(keys[i], round)}
        o[keys[i]] = keys[i] .. "/" .. round
      end
      docs[round], want[round] = object_text(pairs_), o
    end
    local v = dec("[" .. table.concat(docs, ",") .. "]")
    for round = 1, 4 do
      assert.same(entries(want[round]), entries(v[round]))
    end
  end)

  it("string values that share their length and first, middle and last bytes", function()
    -- the same place in the cache for all of them: only the content differs
    local vals = {}
    for i = 0, 99 do vals[#vals + 1] = ("a%02d-m-%02dz"):format(i, 99 - i) end
    for len = 0, 41 do
      vals[#vals + 1] = ("q"):rep(len)
      if len >= 3 then vals[#vals + 1] = "q" .. ("r"):rep(len - 2) .. "q" end
    end
    local items = {}
    for round = 1, 3 do
      for i = 1, #vals do
        local j = (i * (2 * round + 1)) % #vals + 1
        items[#items + 1] = j
      end
    end
    local parts = {}
    for i, j in ipairs(items) do parts[i] = '"' .. vals[j] .. '"' end
    local v = dec("[" .. table.concat(parts, ",") .. "]")
    assert.equal(#items, #v)
    for i, j in ipairs(items) do assert.equal(vals[j], v[i], "item " .. i) end
  end)

  it("more distinct string values than the cache holds, met again", function()
    local vals, parts, want = {}, {}, {}
    for i = 1, 500 do vals[i] = ("v%d_%s"):format(i, ("y"):rep(i % 29)) end
    for round = 1, 3 do
      for j = 1, #vals do
        local i = (j * (round * 6 + 1)) % #vals + 1
        parts[#parts + 1] = ('{"k":"%s","%s":"%s"}'):format(vals[i], vals[i], vals[j])
        want[#want + 1] = {vals[i], vals[j]}
      end
    end
    local v = dec("[" .. table.concat(parts, ",") .. "]")
    for n, w in ipairs(want) do
      assert.equal(w[1], v[n].k)
      assert.same({"k=" .. w[1], w[1] .. "=" .. w[2]}, entries(v[n]))
    end
  end)

  it("string values that equal keys, and values of 40 and 41 bytes", function()
    local s40, s41 = ("v"):rep(39) .. "1", ("v"):rep(40) .. "1"
    local s40b = ("v"):rep(39) .. "2"
    local text = ('[{"%s":"%s","%s":"%s","a":"a"},{"%s":"%s","%s":"%s","a":"b"},["a","%s","%s"]]')
      :format(s40, s41, s41, s40, s40b, s40, s40, s40b, s41, s40b)
    local v = dec(text, {keep_order = true})
    assert.equal(s41, v[1][s40]); assert.equal(s40, v[1][s41]); assert.equal("a", v[1].a)
    assert.equal(s40, v[2][s40b]); assert.equal(s40b, v[2][s40]); assert.equal("b", v[2].a)
    assert.same({"a", s41, s40b}, {v[3][1], v[3][2], v[3][3]})
    assert.equal(text, enc(v))
  end)

  it("keys with NUL bytes and escapes: the same bytes are the same key", function()
    local v = dec('{"a\\u0000b":1,"a":2,"a\\u0000c":3,"\\u0061\\u0000b":4,"ab":5,"a\\u0000":6}')
    assert.equal(4, v["a\0b"])       -- a duplicate (escaped differently): the last wins
    assert.equal(2, v.a)
    assert.equal(3, v["a\0c"])
    assert.equal(5, v.ab)
    assert.equal(6, v["a\0"])
    assert.same({"a\0=6", "a\0b=4", "a\0c=3", "a=2", "ab=5"}, entries(v))  -- "\0" < "="
    -- a raw key after its escaped spelling, and the other way round
    local w = dec('[{"\\u0041bc":1},{"Abc":2},{"\\u0041bc":3}]')
    assert.same({"Abc=1"}, entries(w[1]))
    assert.same({"Abc=2"}, entries(w[2]))
    assert.same({"Abc=3"}, entries(w[3]))
  end)

  it("keeps the key order of objects whose keys come from the cache", function()
    local text = '[{"b":1,"a":2,"c":3},{"c":1,"b":2,"a":3},{"a":1,"c":2,"b":3}]'
    local v = dec(text, {keep_order = true})
    assert.same({"b", "a", "c"}, json.keys(v[1]))
    assert.same({"c", "b", "a"}, json.keys(v[2]))
    assert.same({"a", "c", "b"}, json.keys(v[3]))
    assert.equal(text, enc(v))
  end)

  it("reads the same in every decode: nothing is kept from one call to the next", function()
    assert.same({"x=1"}, entries(dec('{"x":1}')))
    assert.same({"y=2"}, entries(dec('{"y":2}')))
    assert.same({"x=3"}, entries(dec('{"x":3}')))
  end)

  it("leaves errors as they were, after the cache has filled", function()
    local keys = {}
    for i = 1, 200 do keys[i] = ('"k%d":"v%d"'):format(i % 50, i % 7) end
    local head = "{" .. table.concat(keys, ",")
    assert.truthy(#head >= 1024)   -- long enough for the cache
    assert.equal("kserial: json.decode: invalid UTF-8 byte \\xff in a string at line 1, " ..
                 "column " .. (#head + 4) .. " (byte " .. (#head + 3) .. ")",
                 H.err(json.decode, head .. ',"k\255":1}'))
    assert.equal("kserial: json.decode: unexpected character '}', expected ':' at line 1, " ..
                 "column " .. (#head + 6) .. " (byte " .. (#head + 5) .. ")",
                 H.err(json.decode, head .. ',"k1"}'))
  end)

  it("leaves the stack as it was", function()
    local t = {pcall(json.decode, '{"a":"b","a":"b"}' .. (" "):rep(1100))}
    assert.equal(2, #t)
    assert.same({"a=b"}, entries(t[2]))
  end)
end)
