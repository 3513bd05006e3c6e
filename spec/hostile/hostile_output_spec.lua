-- What a hostile caller passes to the writers: dumps and save never write
-- text that loads refuses, whatever layout options they are given.
local kserial = require "kserial"
local H = require "json_helpers"

local V = { a = { 1, 2 }, b = "x" }

describe("dumps and save write only JSON", function()
  it("refuse separators that are not ',' and ':' between JSON whitespace", function()
    for _, seps in ipairs{ { "x", ":" }, { ",", "=" }, { ";", " = " }, { "", ":" },
                           { ",", "" }, { ",,", ":" }, { ",", "::" }, { ",\0", ":" },
                           { ",", "\v:" }, { "\u{a0},", ":" }, { ",", ": :" } } do
      H.raises("kserial: dumps: option 'separators' must be {item, key}: ',' and ':', "
        .. "each with only JSON whitespace (space, tab, newline, carriage return) around it",
        kserial.dumps, V, { separators = seps })
    end
  end)

  it("refuse an indent string that is not JSON whitespace", function()
    for _, ind in ipairs{ "\0", "x", "\1", "\f", "\u{3000}", " .", "\v" } do
      H.raises("kserial: dumps: option 'indent' must be a number or a string of JSON "
        .. "whitespace (space, tab, newline, carriage return)",
        kserial.dumps, V, { indent = ind })
    end
  end)

  it("take every layout JSON allows, and loads reads it back", function()
    for _, o in ipairs{ { separators = { ", ", ": " } }, { separators = { " \t,\r\n", "\n:\t " } },
                        { indent = "\t" }, { indent = " \r\n" }, { indent = "" }, { indent = 3 },
                        { indent = 2, separators = { "\n,", " :" } } } do
      assert.same(V, kserial.loads(kserial.dumps(V, o)))
    end
  end)

  it("save refuses them before touching the file", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w")); f:write("old"); f:close()
    H.raises("kserial: save: option 'separators' must be", kserial.save, V, path,
             { separators = { "x", ":" } })
    H.raises("kserial: save: option 'indent' must be", kserial.save, V, path, { indent = "#" })
    f = assert(io.open(path)); assert.equal("old", f:read("a")); f:close()
    os.remove(path)
  end)

  it("json.encode keeps Python's freedom: it writes what it is told", function()
    assert.equal('{"a" = [1;2];"b" = "x"}', kserial.json.encode(V, { separators = { ";", " = " } }))
  end)
end)

describe("serialize never writes a dict that loads refuses as an envelope", function()
  local null = kserial.null
  for _, case in ipairs{
    { { class_name = 5, config = {} }, "the envelope's \"class_name\" must be a string, not integer" },
    { { class_name = "X", config = {}, registered_name = 3 },
      "the envelope's \"registered_name\" must be a string or null, not integer" },
    { { class_name = "X", config = {}, module = true }, "the envelope's \"module\" must be" },
    { { class_name = "X", config = {}, shared_object_id = "a" }, "shared_object_id must be an integer" },
    { { class_name = "X", config = {}, build_config = 7 }, "the envelope's \"build_config\" must be" },
    { { class_name = "X", config = "not a dict" }, "the envelope's \"config\" of 'X' must be a dict" },
    { { class_name = "function", config = {} }, "a function's config must be its name" },
  } do
    it("refuses " .. case[2], function()
      local v = { layers = { case[1] } }
      for _, f in ipairs{ kserial.serialize, kserial.dumps } do
        local e = H.raises("would be read back as an envelope, which loads refuses: " .. case[2], f, v)
        assert.matches("(at $.layers[0])", e, 1, true)
      end
      -- the text loads refuses is the same one: what is refused is exactly that
      local text = kserial.json.encode(v)
      H.raises(case[2], kserial.loads, text)
    end)
  end

  it("writes envelopes of the right form, and its own output again", function()
    local Point = kserial.class("OutPoint")
    function Point:get_config() return { x = self.x } end
    kserial.register_serializable("out")(Point)
    finally(function() kserial.get_custom_objects()["out>OutPoint"] = nil end)
    local p = Point{ x = 1 }
    local tree = kserial.serialize({ p, p })
    assert.same(tree, kserial.serialize(tree))
    local raw = { class_name = "OutPoint", registered_name = "out>OutPoint", module = null,
                  config = { x = 2 }, build_config = null, shared_object_id = 9 }
    assert.equal(2, kserial.loads(kserial.dumps(raw)).x)
    -- not envelopes: class_name without config, config without class_name
    assert.same({ class_name = 5 }, kserial.loads(kserial.dumps({ class_name = 5 })))
    assert.same({ config = 5 }, kserial.loads(kserial.dumps({ config = 5 })))
  end)
end)

describe("a dict's own shared_object_id", function()
  local P = kserial.class("IdPoint")
  function P:get_config() return { x = self.x } end
  setup(function() kserial.register_serializable("out")(P) end)
  teardown(function() kserial.get_custom_objects()["out>IdPoint"] = nil end)
  local function raw(id, x)
    return { class_name = "IdPoint", registered_name = "out>IdPoint", config = { x = x },
             shared_object_id = id }
  end

  it("may not be an id the call gives to a shared object (loads would swap the values)", function()
    local p = P{ x = 1 }
    for _, f in ipairs{ kserial.serialize, kserial.dumps } do
      H.raises("kserial: this dict's shared_object_id 1 is also the id this call gives to a "
        .. "shared object, so loads would give it that object (at $[2])", f, { p, p, raw(1, 5) })
      local q = P{ x = 3 }
      local e = H.raises("shared_object_id 2 is also the id", f,
                         { a = { p, p, q, q }, b = { c = raw(2, 5) } })
      assert.matches("(at $.b.c)", e, 1, true)
    end
  end)

  it("is written when no object of the call takes it", function()
    local p = P{ x = 1 }
    local r = kserial.loads(kserial.dumps({ p, p, raw(2, 5), raw(2, 5) }))
    assert.equal(r[1], r[2])
    assert.equal(5, r[3].x)
    assert.equal(r[3], r[4])
    assert.are_not.equal(r[1], r[3])
    local tree = kserial.serialize({ p, p })
    assert.same(tree, kserial.serialize(tree))   -- serialize's own output again
  end)
end)

describe("declarative classes read a config raw", function()
  local Proxy = kserial.class("ProxyCfg", {
    fields = { x = { "integer", optional = true } }, version = 2,
    upgrade = { [1] = function(c) return setmetatable({}, { __index = c }) end } })
  local Plain = kserial.class("PlainCfg", { fields = { x = { "integer", optional = true } } })

  it("a config with a metatable (a proxy) is refused, with a message that says so", function()
    local want = "needs a config table, got a table with a metatable (a config is read raw)"
    H.raises("kserial: PlainCfg: from_config() " .. want, Plain.from_config, Plain,
             setmetatable({}, { __index = { x = 1 } }))
    H.raises("kserial: ProxyCfg: upgrade[1] (version 1 to 2) must return the config table, "
      .. "got a table with a metatable (a config is read raw)",
      Proxy.from_config, Proxy, { x = 1 })
  end)

  it("plain tables and decoded dicts are taken", function()
    assert.equal(1, Plain:from_config({ x = 1 }).x)
    assert.equal(2, Plain:from_config(kserial.json.decode('{"x": 2}')).x)
  end)
end)
