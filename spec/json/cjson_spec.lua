-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10): the
-- cJSON bridge, through the test hooks: exact round trips, raw number nodes,
-- envelope order, limits.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

describe("kserial.json", function()
  describe("cJSON bridge (through test hooks)", function()
    local hooks = require "kserial.testhooks"
    it("round-trips values exactly, numbers as raw nodes", function()
      local v = {a = 1, b = 1.0, c = json.array{1, 2.5, kserial.null}, d = kserial.null,
                 e = json.array{}, f = "é\n\"", g = math.maxinteger, h = math.mininteger,
                 i = {}, j = 0.1, k = true, l = 1e-7}
      local back, text = hooks.cjson_roundtrip(v)
      assert.equal(nil, H.diff(dec(enc(v)), back))
      assert.truthy(text:find('"g":9223372036854775807', 1, true), text)
      assert.truthy(text:find('"b":1.0,', 1, true), text)
      assert.truthy(text:find('"l":1e-07', 1, true), text)
      assert.truthy(text:find('"e":[]', 1, true), text)
    end)

    it("keeps the envelope order in the tree", function()
      local _, text = hooks.cjson_roundtrip({config = {}, class_name = "X", module = "m", a = 1})
      assert.equal('{"module":"m","class_name":"X","config":{},"a":1}', text)
    end)

    it("raises the encoder's errors with paths, and refuses NUL bytes", function()
      H.raises("cannot encode NaN (at $.a[0])", hooks.cjson_roundtrip, {a = {0 / 0}})
      H.raises("string holds a NUL byte (at offset 1), which a cJSON document cannot hold (at $.s)",
               hooks.cjson_roundtrip, {s = "a\0"})
      H.raises("key holds a NUL byte", hooks.cjson_roundtrip, {["k\0"] = 1})
      local back = hooks.cjson_roundtrip({0 / 0, math.huge}, {allow_nan = true})
      assert.is_true(back[1] ~= back[1])
      assert.equal(math.huge, back[2])
    end)

    it("reads cJSON number nodes: integers up to 2^53, else floats", function()
      local v = hooks.cjson_parse('[1, 2.5, 1e300, 9007199254740993, -0, null, {"a":[]}, 3.0]')
      assert.equal("integer", math.type(v[1]))
      assert.equal("float", math.type(v[2]))
      assert.equal("float", math.type(v[3]))
      assert.equal(9007199254740992, v[4])
      assert.equal("integer", math.type(v[4]))
      assert.equal("integer", math.type(v[5]))
      assert.equal(kserial.null, v[6])
      assert.equal(json.object_mt, getmetatable(v[7]))
      assert.equal(json.array_mt, getmetatable(v[7].a))
      assert.equal("integer", math.type(v[8]))
    end)

    it("reads raw nodes holding one number literal, and refuses anything else", function()
      assert.equal(12, hooks.cjson_raw("12"))
      assert.equal("integer", math.type(hooks.cjson_raw("-9223372036854775808")))
      assert.equal("float", math.type(hooks.cjson_raw("1.5e3")))
      assert.equal(1500.0, hooks.cjson_raw("1.5e3"))
      H.raises('a raw node must hold a number literal, not "abc" (at $)', hooks.cjson_raw, "abc")
      H.raises("a raw node must hold a number literal", hooks.cjson_raw, "1 ")
      H.raises("a raw node must hold a number literal", hooks.cjson_raw, "01")
      H.raises("a raw node must hold a number literal", hooks.cjson_raw, "")
      H.raises("a raw node must hold a number literal", hooks.cjson_raw, '"x"')
    end)

    it("limits depth and validates strings", function()
      local deep = string.rep("[", 600) .. string.rep("]", 600)
      H.raises("kserial: cJSON document: nesting deeper than 512 (at $[0][0]", hooks.cjson_parse, deep)
      H.raises("nesting deeper than 2", hooks.cjson_parse, "[[[1]]]", 2)
      H.raises("string is not valid UTF-8", hooks.cjson_parse, '["\255"]')
    end)
  end)
end)
