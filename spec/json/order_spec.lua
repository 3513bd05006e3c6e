-- Key order and Python's json.dumps options: the default order (bytewise
-- sorted, envelope keys first, sort_keys = false), keep_order, json.keys,
-- json.object(t, keys), int_keys, indent as a string, allow_nan through
-- dumps and save, and arrays written in index order.
local kserial = require "kserial"
local json = kserial.json
local H = require "json_helpers"   -- raises(text, f, ...)
local K = require "ks_helpers"     -- run_lua

local enc, dec = json.encode, json.decode
local KEEP = { keep_order = true }

local count = H.count

describe("keep_order", function()
  it("writes a decoded object's keys in document order, envelope keys included", function()
    local text = '{"b":1,"config":{"z":1,"y":2},"a":[{"q":1,"p":2}],"class_name":"X"}'
    assert.equal(text, enc(dec(text, KEEP)))
    -- without it, the deterministic order: envelope keys first, then sorted
    assert.equal('{"class_name":"X","config":{"y":2,"z":1},"a":[{"p":2,"q":1}],"b":1}',
                 enc(dec(text)))
  end)

  it("keeps the order of objects with many keys", function()
    local keys = {}
    for i = 100, 1, -1 do keys[#keys + 1] = string.format('"k%d":%d', i, i) end
    local text = "{" .. table.concat(keys, ",") .. "}"
    assert.equal(text, enc(dec(text, KEEP)))
  end)

  it("puts a duplicate key where it first appeared, with its last value (as Python)", function()
    assert.equal('{"a":3,"b":2}', enc(dec('{"a":1,"b":2,"a":3}', KEEP)))
    local many = {}
    for i = 1, 40 do many[i] = string.format('"k%02d":%d', i, i) end
    many[#many + 1] = '"k01":0'
    local t = dec("{" .. table.concat(many, ",") .. "}", KEEP)
    assert.equal(0, t.k01)
    assert.equal("k01", json.keys(t)[1])
    assert.equal(40, #json.keys(t))
  end)

  it("stores nothing in the object: pairs shows only its data", function()
    local t = dec('{"b":1,"a":2}', KEEP)
    assert.equal(2, count(t))
    assert.equal(json.object_mt, getmetatable(t))
  end)

  it("writes a key added later after the recorded ones, sorted; a removed key not at all",
     function()
    local t = dec('{"b":1,"a":2,"c":3}', KEEP)
    t.z, t.y, t.a = 1, 2, nil
    assert.equal('{"b":1,"c":3,"y":2,"z":1}', enc(t))
    t.a = 5   -- a removed key set again goes back to its place
    assert.equal('{"b":1,"a":5,"c":3,"y":2,"z":1}', enc(t))
  end)

  it("keeps working after earlier ordered objects died", function()
    local t = dec('{"b":1,"a":2}', KEEP)
    assert.equal('{"b":1,"a":2}', enc(t))
    t = nil   -- luacheck: ignore 311
    collectgarbage()
    collectgarbage()
    assert.equal('{"a":2,"b":1}', enc(dec('{"b":1,"a":2}')))   -- no order left to use
    local u = dec('{"d":1,"c":2}', KEEP)
    assert.equal('{"d":1,"c":2}', enc(u))
    assert.equal('{"x":{"d":1,"c":2}}', enc({ x = u }))
  end)

  it("gives way to sort_keys = true, and is kept with sort_keys = false", function()
    local t = dec('{"b":1,"module":null,"class_name":"X","config":{}}', KEEP)
    assert.equal('{"module":null,"class_name":"X","config":{},"b":1}', enc(t, { sort_keys = true }))
    assert.equal('{"b":1,"module":null,"class_name":"X","config":{}}', enc(t, { sort_keys = false }))
  end)
end)

describe("json.keys and json.object(t, keys)", function()
  it("json.keys lists the keys in the order json.encode writes them", function()
    local t = dec('{"b":1,"a":2}', KEEP)
    assert.same({ "b", "a" }, json.keys(t))
    assert.same({ "a", "b" }, json.keys(t, { sort_keys = true }))
    assert.same({ "module", "class_name", "config", "a" },
                json.keys({ a = 1, config = {}, class_name = "X", module = "m" }))
    assert.same({}, json.keys({}))
    assert.has_error(function() json.keys({ 1, 2 }) end,
                     "kserial: json.keys: the table is an array, not a dict")
    H.raises('kserial: json.keys: keys 1 and "1" would both be written as "1"', json.keys,
             { [1] = 1, ["1"] = 2 }, { int_keys = "string" })
  end)

  it("json.object(t, keys) records an order, false drops it", function()
    local t = json.object({ a = 1, b = 2, c = 3 }, { "c", "a", "b" })
    assert.equal('{"c":3,"a":1,"b":2}', enc(t))
    assert.same({ "c", "a", "b" }, json.keys(t))
    json.object(t)              -- marking again keeps the order
    assert.equal('{"c":3,"a":1,"b":2}', enc(t))
    json.object(t, false)
    assert.equal('{"a":1,"b":2,"c":3}', enc(t))
    -- a listed key that is absent is skipped, and found when it is set
    local u = json.object({ x = 1 }, { "y", "x" })
    assert.equal('{"x":1}', enc(u))
    u.y = 2
    assert.equal('{"y":2,"x":1}', enc(u))
  end)

  it("json.object refuses a bad key list", function()
    H.raises("kserial: json.object: the key list names \"a\" twice",
             json.object, {}, { "a", "a" })
    H.raises("kserial: json.object: the key list must hold strings (item 2 is a number)",
             json.object, {}, { "a", 1 })
    H.raises("kserial: json.object: the key list must be an array", json.object, {}, { "a", x = 1 })
    assert.has_error(function() json.object({}, true) end)
  end)
end)

describe("key order through the protocol", function()
  local Leaf = kserial.class("OrderLeaf")
  function Leaf.from_config(cls, config) return setmetatable({ config = config }, cls) end
  function Leaf:get_config() return self.config end
  -- a container that deserializes its children in place and keeps its config
  local Box = kserial.class("OrderBox")
  function Box.from_config(cls, config)
    for k, v in pairs(config) do
      if type(v) == "table" and v.class_name then config[k] = kserial.deserialize(v) end
    end
    return setmetatable({ config = config }, cls)
  end
  function Box:get_config() return self.config end
  local custom = { OrderLeaf = Leaf, OrderBox = Box }

  local leaf = '{"module": null, "class_name": "OrderLeaf", "config": {"y": 2, "x": 1}, '
    .. '"registered_name": "OrderLeaf", "shared_object_id": %d}'
  local doc = '{"z": 1, "model": {"module": null, "class_name": "OrderBox", "config": '
    .. '{"b": 1, "leaf2": ' .. leaf .. ', "leaf1": ' .. leaf .. '}, "registered_name": '
    .. '"OrderBox"}, "a": 2}'
  local style = { separators = { ", ", ": " } }

  it("loads and dumps put every key back in place, shared ids renumbered", function()
    local v = kserial.loads(doc:format(99, 99), { keep_order = true, custom_objects = custom })
    assert.equal(v.model.config.leaf1, v.model.config.leaf2)
    assert.equal(doc:format(1, 1), kserial.dumps(v, style))
  end)

  it("deserialize and serialize carry a recorded order over their copies", function()
    local d = dec('{"b":{"d":1,"c":2},"a":1}', KEEP)
    local back = kserial.serialize(kserial.deserialize(d))
    assert.are_not.equal(d, back)
    assert.equal('{"b":{"d":1,"c":2},"a":1}', enc(back))
  end)

  it("load takes keep_order too", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write('{"b":1,"a":2}')
    f:close()
    local v = kserial.load(path, KEEP)
    os.remove(path)
    assert.equal('{"b":1,"a":2}', kserial.dumps(v))
  end)
end)

describe("Python's json.dumps options", function()
  it("indent as a string is repeated once per level", function()
    assert.equal('{\n\t"a": [\n\t\t1\n\t]\n}', enc({ a = { 1 } }, { indent = "\t" }))
    assert.equal('[\n1\n]', enc({ 1 }, { indent = 0 }))
    assert.equal('[\n1\n]', enc({ 1 }, { indent = "" }))
  end)

  it("with indent the item separator is ',' and the key separator ': '", function()
    assert.equal('{\n  "a": 1,\n  "b": 2\n}', enc({ a = 1, b = 2 }, { indent = 2 }))
    assert.equal('{"a": 1, "b": 2}', enc({ a = 1, b = 2 }, { separators = { ", ", ": " } }))
  end)

  it("ensure_ascii writes surrogate pairs above U+FFFF", function()
    assert.equal('"\\u00e9\\ud83d\\ude00"', enc("é😀", { ensure_ascii = true }))
    assert.equal('"é😀"', enc("é😀"))
  end)
end)

describe("int_keys", function()
  it("writes integer keys as Python does, and refuses them by default", function()
    local class_weight = { [0] = 1.0, [1] = 5.0 }
    assert.equal('{"0": 1.0, "1": 5.0}',
                 enc(class_weight, { int_keys = "string", separators = { ", ", ": " } }))
    H.raises("bad table key", enc, class_weight)
  end)

  it("puts integer keys first, in numeric order, then the string keys", function()
    assert.equal('{"-1":0,"2":2,"10":1,"a":3}',
                 enc({ [10] = 1, [2] = 2, a = 3, [-1] = 0 }, { int_keys = "string" }))
    assert.same({ -1, 2, "a" }, json.keys({ [2] = 1, [-1] = 0, a = 3 }, { int_keys = "string" }))
  end)

  it("leaves a table with keys exactly 1..n an array, unless it is marked a dict", function()
    assert.equal("[1,2]", enc({ 1, 2 }, { int_keys = "string" }))
    assert.equal('{"1":1,"2":2}', enc(json.object({ 1, 2 }), { int_keys = "string" }))
    assert.equal('{"1":1,"3":3}', enc({ [1] = 1, [3] = 3 }, { int_keys = "string" }))
  end)

  it("refuses a key and its string twin, and keys of other types", function()
    H.raises('keys 1 and "1" would both be written as "1" (int_keys)', enc,
             { [1] = 1, ["1"] = 2 }, { int_keys = "string" })
    H.raises("bad table key 1.5 (a float)", enc, { [1.5] = 1 }, { int_keys = "string" })
    assert.equal('{"1":1,"01":2}', enc({ [1] = 1, ["01"] = 2 }, { int_keys = "string" }))
  end)

  it("works through serialize, dumps and save", function()
    local v = { class_weight = { [0] = 1.0, [1] = 5.0 } }
    assert.equal('{"class_weight":{"0":1.0,"1":5.0}}', kserial.dumps(v, { int_keys = "string" }))
    assert.equal(5.0, kserial.serialize(v, { int_keys = "string" }).class_weight[1])
    assert.has_error(function() kserial.serialize(v) end)
    assert.has_error(function() kserial.dumps(v) end)
    H.raises("kserial: serialize: unknown option 'indent'", kserial.serialize, v, { indent = 1 })
    local path = os.tmpname()
    kserial.save(v, path, { int_keys = "string" })
    local f = assert(io.open(path))
    local text = f:read("a")
    f:close()
    os.remove(path)
    assert.equal('{"class_weight":{"0":1.0,"1":5.0}}', text)
  end)
end)

describe("allow_nan through dumps and save", function()
  it("writes NaN and the infinities, which loads reads back with allow_nan", function()
    local text = kserial.dumps({ x = 0 / 0, y = 1 / 0, z = -1 / 0 }, { allow_nan = true })
    assert.equal('{"x":NaN,"y":Infinity,"z":-Infinity}', text)
    local v = kserial.loads(text, { allow_nan = true })
    assert.is_true(v.x ~= v.x)
    H.raises("cannot serialize the number NaN", kserial.dumps, { x = 0 / 0 })
    local path = os.tmpname()
    kserial.save({ 0 / 0 }, path, { allow_nan = true })
    local f = assert(io.open(path))
    assert.equal("[NaN]", f:read("a"))
    f:close()
    os.remove(path)
  end)
end)

describe("arrays", function()
  it("are written in index order whatever order next() gives", function()
    -- keys given in a constructor live in the hash part: here next() gives 7 first
    local t = { [1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6, [7] = 7 }
    local seen = {}
    for k in pairs(t) do seen[#seen + 1] = k end
    assert.are_not.same({ 1, 2, 3, 4, 5, 6, 7 }, seen)   -- the premise
    assert.equal("[1,2,3,4,5,6,7]", enc(t))
    assert.equal("[[1,2,3,4,5,6,7]]", kserial.dumps({ t }))
  end)
end)

describe("strings that are not UTF-8", function()
  it("are serialized as __bytes__ with a warning that Keras reads them as base64 text", function()
    local out = K.run_lua([[
      local kserial = require "kserial"
      warn("@on")
      kserial.serialize({ s = "\xff" })
    ]])
    assert.matches("Lua warning: kserial: serializing a string that is not UTF%-8 as base64 "
      .. "bytes %(at %$%.s%); Keras reads it back as the base64 text itself", out)
  end)
end)

describe("kserial.json", function()
  describe("orders keys", function()
    it("sorted bytewise, a prefix before longer keys", function()
      local t = {b = 1, a = 1, B = 1, aa = 1, ["é"] = 1, ["a\0"] = 1, [""] = 1, z = 1}
      assert.equal('{"":1,"B":1,"a":1,"a\\u0000":1,"aa":1,"b":1,"z":1,"é":1}', enc(t))
    end)

    it("with envelope keys first, in Keras's order", function()
      local t = {config = {b = 1, a = 2}, class_name = "Dense", module = "keras.layers",
                 registered_name = kserial.null, zeta = 1, alpha = 2, shared_object_id = 5,
                 build_config = {}, compile_config = {}}
      assert.equal('{"module":"keras.layers","class_name":"Dense","config":{"a":2,"b":1},' ..
                   '"registered_name":null,"build_config":{},"compile_config":{},' ..
                   '"shared_object_id":5,"alpha":2,"zeta":1}', enc(t))
    end)

    it("only for dicts with both class_name and config", function()
      assert.equal('{"class_name":"X","module":"m"}', enc({module = "m", class_name = "X"}))
      assert.equal('{"config":1,"module":"m"}', enc({module = "m", config = 1}))
      assert.equal('{"class_name":"X","config":{}}', enc({config = {}, class_name = "X"}))
      assert.equal('{"a":{"class_name":"X","config":{"y":{},"z":1}}}',
                   enc({a = {config = {z = 1, y = {}}, class_name = "X"}}))
    end)

    it("with sort_keys = false: envelope keys still first, the rest in next() order", function()
      local t = {config = 1, x1 = 1, class_name = "X", x2 = 2, x3 = 3, module = kserial.null}
      local s = enc(t, {sort_keys = false})
      local head = '{"module":null,"class_name":"X","config":1,'
      assert.equal(head, s:sub(1, #head))
      local rest = {}
      for k in s:sub(#head + 1):gmatch('"(x%d)"') do rest[#rest + 1] = k end
      local expect = {}
      for k in next, t do if k:match("^x") then expect[#expect + 1] = k end end
      assert.same(expect, rest)
      local d = dec(s)
      assert.equal(nil, H.diff(d, dec(enc(t))))
    end)
  end)
end)

describe("json.object's errors", function()
  it("come at the caller's line, like every other error of the module", function()
    local other = setmetatable({}, {})
    local e = H.err(function() local t = json.object(other, { "a" }); return t end)
    assert.matches("order_spec%.lua:%d+: kserial: json%.object: the table already has a metatable$", e)
    e = H.err(function() local t = json.object(other); return t end)
    assert.matches("order_spec%.lua:%d+: kserial: json%.object: the table already has a metatable$", e)
    assert.is_nil(next(getmetatable(other)))   -- left as it was
  end)

  it("leave the table unmarked and without an order when the key list is bad", function()
    local t = { a = 1 }
    H.raises("the key list names \"a\" twice", json.object, t, { "a", "a" })
    assert.is_nil(getmetatable(t))
    local u = json.object({ b = 1, a = 2 }, { "b", "a" })
    H.raises("must hold strings", json.object, u, { "a", 1 })
    assert.same({ "b", "a" }, json.keys(u))
    assert.same({ "a", "b" }, json.keys(json.object(u, false)))
    assert.equal(json.object_mt, getmetatable(json.object()))
  end)
end)
