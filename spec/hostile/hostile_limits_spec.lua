-- Size and depth limits: what is refused, with which message, and that the
-- refusal is cheap and leaves nothing behind. The limits are documented in
-- docs/behaviour.md ("Limits").
local kserial = require "kserial"
local H = require "hostile"
local json = kserial.json

local function nopos(s) return (s:gsub("^[%w_/%.%-]+%.lua:%d+: ", "")) end

local function refused(msg, f, ...)
  local before = H.state()
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.equal(msg, nopos(err))
  assert.same(before, H.state())
end

local function nested(n, open, close) return string.rep(open, n) .. string.rep(close or "", n) end

describe("hostile limits", function()
  setup(H.setup)

  it("JSON nesting: 512 containers by default, 513 refused, a million '[' refused as fast", function()
    assert.is_table(json.decode(nested(512, "[", "]")))
    refused("kserial: json.decode: nesting deeper than 512 at line 1, column 513 (byte 512)",
      json.decode, nested(513, "[", "]"))
    refused("kserial: loads: nesting deeper than 512 at line 1, column 513 (byte 512)",
      kserial.loads, string.rep("[", 1000000))
    refused("kserial: loads: nesting deeper than 512 at line 1, column 2561 (byte 2560)",
      kserial.loads, string.rep('{"a":', 1000000))
  end)

  it("max_depth: from 1 to 10000, both ways", function()
    assert.is_table(json.decode(nested(10000, "[", "]"), { max_depth = 10000 }))
    refused("kserial: json.decode: nesting deeper than 3 at line 1, column 4 (byte 3)",
      json.decode, "[[[[]]]]", { max_depth = 3 })
    refused("kserial: json.decode: option 'max_depth' must be an integer from 1 to 10000 (got 10001)",
      json.decode, "[]", { max_depth = 10001 })
    refused("kserial: json.decode: option 'max_depth' must be an integer from 1 to 10000 (got number)",
      json.decode, "[]", { max_depth = 2.5 })
    local deep = {}
    local t = deep
    for _ = 1, 600 do t[1] = {}; t = t[1] end
    local ok, err = pcall(json.encode, deep)
    assert.is_false(ok)
    assert.matches("^kserial: json%.encode: nesting deeper than 512 %(at %$", nopos(err))
    ok, err = pcall(kserial.serialize, deep)
    assert.is_false(ok)
    -- long paths keep their head and tail, cut as json.encode cuts them
    assert.matches("^kserial: nesting deeper than 512 %(a table that contains itself%?%) %(at %$%[0%][%[%]0]*%.%.%.[%[%]0]*%)$", nopos(err))
    ok, err = pcall(kserial.deserialize, deep)
    assert.is_false(ok)
    assert.matches("^kserial: nesting deeper than 512 %(at %$%[0%][%[%]0]*%.%.%.[%[%]0]*%)$", nopos(err))
  end)

  it("max_depth raised works end to end: the walks nest as deep as the codec allows", function()
    local text = nested(600, "[", "]")
    -- loads and load: the decoder's max_depth is the walk's too
    local v = kserial.loads(text, { max_depth = 1000 })
    local n = 0
    while type(v) == "table" and v[1] ~= nil do v = v[1]; n = n + 1 end
    assert.equal(599, n)
    -- dumps and save: the encoder's max_depth is the walk's too
    assert.equal(text, kserial.dumps(json.decode(text, { max_depth = 1000 }), { max_depth = 1000 }))
    -- deserialize takes it as its own option
    assert.is_table(kserial.deserialize(json.decode(text, { max_depth = 1000 }), { max_depth = 1000 }))
    refused("kserial: nesting deeper than 3 (at $[0][0][0][0])",
      kserial.deserialize, json.decode("[[[[[1]]]]]"), { max_depth = 3 })
    -- a lower limit is still the codec's, named after the function called
    refused("kserial: loads: nesting deeper than 3 at line 1, column 4 (byte 3)",
      kserial.loads, "[[[[]]]]", { max_depth = 3 })
  end)

  it("self-containing tables: a cycle error, never a crash", function()
    local x = {}
    x[1] = x
    refused("kserial: json.encode: cycle: this table contains itself (it is also at $) (at $[0])",
      json.encode, x)
    local ok, err = pcall(kserial.serialize, { a = x })
    assert.is_false(ok)
    assert.matches("a table that contains itself", err)
  end)

  it("objects nest at most 60 deep, both ways", function()
    local C = kserial.class("Chain")
    function C:get_config() return { c = self.c } end
    function C.from_config(cls, c) return cls.new{ c = c.c and kserial.deserialize(c.c) } end
    kserial.register_serializable("hostile")(C)
    local o = C{}
    for _ = 1, 59 do o = C{ c = o } end
    local text = kserial.dumps(o)              -- 60 objects
    assert.equal(getmetatable(kserial.loads(text)), C)
    local ok, err = pcall(kserial.dumps, C{ c = o })
    assert.is_false(ok)
    assert.matches("^kserial: objects nested deeper than 60 %(at %$", nopos(err))
    local d = json.decode(text)
    d = { class_name = "Chain", registered_name = "hostile>Chain", config = { c = d } }
    ok, err = pcall(kserial.deserialize, d)
    assert.is_false(ok)
    assert.matches("kserial: objects nested deeper than 60 %(at", err)
  end)

  it("document size: none by default, max_size refuses before parsing", function()
    local big = string.rep("a", 16 * 1024 * 1024)
    local v = kserial.loads('["' .. big .. '"]')
    assert.equal(#big, #v[1])
    refused("kserial: loads: document of 7 bytes is larger than max_size 4",
      kserial.loads, "[1,2,3]", { max_size = 4 })
    refused("kserial: json.decode: document of 7 bytes is larger than max_size 4",
      json.decode, "[1,2,3]", { max_size = 4 })
  end)

  it("huge arrays, many keys, long keys and many duplicate keys load", function()
    local v = kserial.loads("[" .. string.rep("1,", 999999) .. "1]")
    assert.equal(1000000, #v)
    local parts = {}
    for i = 1, 100000 do parts[i] = '"k' .. i .. '":' .. i end
    v = kserial.loads("{" .. table.concat(parts, ",") .. "}")
    assert.equal(100000, v.k100000)
    v = kserial.loads("{" .. string.rep('"a":1,', 100000) .. '"a":2}')
    assert.equal(2, v.a)                       -- the last duplicate wins
    v = json.decode('{"' .. string.rep("k", 1000000) .. '":1}')
    assert.equal(1000000, #next(v))
  end)

  it("a hostile envelope repeated a million times fails at the first one", function()
    local one = '{"class_name":"function","config":"os.execute"}'
    local text = "[" .. string.rep(one .. ",", 999999) .. one .. "]"
    refused("kserial: Could not locate function 'os.execute'. Make sure custom classes are "
      .. "registered with kserial.register_serializable(). (at $[0])", kserial.loads, text)
  end)

  it("a shared object referenced a hundred thousand times is built once", function()
    local builds = 0
    local S = kserial.class("Shared")
    function S:get_config() return {} end
    function S.from_config(cls) builds = builds + 1; return cls.new() end
    kserial.register_serializable("hostile")(S)
    local one = '{"class_name":"Shared","registered_name":"hostile>Shared","config":{},"shared_object_id":7}'
    local v = kserial.loads("[" .. string.rep(one .. ",", 99999) .. one .. "]")
    assert.equal(1, builds)
    assert.equal(v[1], v[100000])
  end)
  it("specials nested 195 deep stop at the object limit with one short message (issue 11)", function()
    kserial.register_special("__nest__", { decode = function(c) return kserial.deserialize(c.inner) end })
    local text = '{"class_name":"__nest__","config":{}}'
    for _ = 1, 195 do text = '{"class_name":"__nest__","config":{"inner":' .. text .. '}}' end
    local before = H.state()
    local ok, err = pcall(kserial.loads, text)
    kserial.register_special("__nest__", nil)
    assert.is_false(ok)
    assert.matches("^kserial: objects nested deeper than 60 %(at %$%.config%.inner", nopos(err))
    assert.is_nil(err:find("raised an error", 1, true))
    assert.is_true(#err < 1000)
    assert.same(before, H.state())
  end)

  it("an 8 KB document whose dumps would be 2^30 envelopes is refused at once (issue 11)", function()
    local Node = kserial.class("AmpNode")
    function Node:get_config() return { l = self.l, r = self.r } end
    function Node.from_config(cls, c)
      return cls.new{ l = c.l and kserial.deserialize(c.l), r = c.r and kserial.deserialize(c.r) }
    end
    kserial.register_serializable("hostile")(Node)
    local env = '{"class_name":"AmpNode","registered_name":"hostile>AmpNode",'
    local text = env .. '"config":{},"shared_object_id":0}'
    for i = 1, 30 do
      text = env .. '"config":{"l":' .. text .. ',"r":' .. env .. '"config":null,"shared_object_id":'
        .. (i - 1) .. '}},"shared_object_id":' .. i .. '}'
    end
    assert.is_true(#text < 8192)
    local v = kserial.loads(text)
    local t = os.clock()
    local before = H.state()
    local ok, err = pcall(kserial.dumps, v)
    assert.is_false(ok)
    assert.matches("^kserial: the output would hold more than 50000000 values %(the max_values "
      .. "limit%): the object of class 'AmpNode' is written in full", nopos(err))
    assert.is_true(os.clock() - t < 1)
    assert.same(before, H.state())
  end)
end)

describe("a plain table met again within one call", function()
  local function doubling(levels, leaf)
    local t = leaf or { 1 }
    for _ = 1, levels do t = { t, t } end
    return t
  end
  local function copy(v)
    if type(v) ~= "table" then return v end
    local c = {}
    for k, x in pairs(v) do c[k] = copy(x) end
    return c
  end

  it("charges its known size at once: 40 doublings fail in milliseconds", function()
    local t = doubling(40)
    local before = H.state()
    local c = os.clock()
    for _, f in ipairs{ kserial.serialize, kserial.dumps } do
      local ok, err = pcall(f, t)
      assert.is_false(ok)
      assert.matches("^kserial: the output would hold more than 50000000 values %(the max_values "
        .. "limit%): this table is written in full at every place it appears; pass a larger "
        .. "max_values to serialize, dumps or save to allow it %(at %$%[0%]", nopos(err))
      assert.matches("%[1%]%)$", err)   -- the second place of the repeated table
    end
    assert.is_true(os.clock() - c < 1)
    assert.same(before, H.state())
  end)

  it("writes exactly what an unshared copy writes, and counts it exactly", function()
    local u = doubling(10)             -- 3 * 2^10 - 1 = 3071 values
    local v = { u, u, { u, { x = u } } }
    local text = kserial.dumps(v)
    assert.equal(kserial.dumps(copy(v)), text)
    assert.same(kserial.loads(text), kserial.serialize(v))
    local n = 1 + 3071 * 4 + 2
    assert.equal(text, kserial.dumps(v, { max_values = n }))
    refused("kserial: the output would hold more than " .. (n - 1) .. " values (the max_values "
      .. "limit): this table is written in full at every place it appears; pass a larger "
      .. "max_values to serialize, dumps or save to allow it (at $[2][1].x[1])",
      kserial.dumps, v, { max_values = n - 1 })
  end)

  it("is walked again when met deeper, so max_depth still holds", function()
    local deep = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
      21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
      41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
      61, 62, 63, 64 }
    for _ = 1, 510 do deep = { deep } end   -- its numbers at depth 512 under $[0]
    local lower = { deep }
    assert.is_string(kserial.dumps({ deep }))
    local ok, e = pcall(kserial.serialize, { deep, lower })
    assert.is_false(ok)
    assert.matches("^kserial: nesting deeper than 512 %(a table that contains itself%?%) "
      .. "%(at %$%[1%]%[0%]%[0%]", nopos(e))
  end)

  it("is walked again when it holds a lambda or bytes: each place warns", function()
    local out = require("ks_helpers").run_lua([[
      local kserial = require "kserial"
      warn("@on")
      local code, bytes = {}, {}
      for i = 1, 70 do code[i] = i; bytes[i] = i end
      code[71] = function() end
      bytes[71] = "\255"
      kserial.serialize({ code, code, bytes, bytes })
    ]])
    for _, at in ipairs{ "0", "1" } do
      assert.matches("as a lambda (at $[" .. at .. "][70])", out, 1, true)
    end
    for _, at in ipairs{ "2", "3" } do
      assert.matches("as base64 bytes (at $[" .. at .. "][70])", out, 1, true)
    end
  end)

  it("is walked again when what it holds could write differently", function()
    local P = kserial.class("ReusePoint")
    function P:get_config() return {} end
    kserial.register_serializable("reuse")(P)
    finally(function() kserial.get_custom_objects()["reuse>ReusePoint"] = nil end)
    local big = doubling(7)            -- 383 values: remembered when pure
    local u = { big, P.new{} }         -- holds an object: never reused
    local tree = kserial.serialize({ u, u })
    assert.is_false(rawequal(tree[1], tree[2]))
    assert.equal(1, tree[1][2].shared_object_id)
    assert.equal(1, tree[2][2].shared_object_id)
    -- a hook that changes a table met before: the later place writes the change
    local shared = doubling(7)
    local M = kserial.class("ReuseMutator")
    function M:get_config() shared[1] = "changed"; return {} end
    kserial.register_serializable("reuse")(M)
    finally(function() kserial.get_custom_objects()["reuse>ReuseMutator"] = nil end)
    tree = kserial.serialize({ shared, M.new{}, shared })
    assert.equal("table", type(tree[1][1]))
    assert.equal("changed", tree[3][1])
    -- the build hooks run after the config's walk: a table walked there
    -- and changed by them is written anew at its later places
    local data = doubling(7)
    local B = kserial.class("ReuseBuilder")
    function B:get_config() return { data = data } end
    function B:get_build_config() data[1] = "built"; return {} end
    kserial.register_serializable("reuse")(B)
    finally(function() kserial.get_custom_objects()["reuse>ReuseBuilder"] = nil end)
    tree = kserial.serialize({ B.new{}, data })
    assert.equal("table", type(tree[1].config.data[1]))
    assert.equal("built", tree[2][1])
  end)
end)
