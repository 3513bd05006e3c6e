-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10): the
-- module table of kserial.json: the codec functions, the markers array() and
-- object(), null.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

describe("kserial.json", function()
  describe("module table", function()
    it("has the codec functions, the markers and null", function()
      assert.is_function(json.encode)
      assert.is_function(json.decode)
      assert.is_function(json.array)
      assert.is_function(json.object)
      assert.equal(kserial.null, json.null)
      assert.equal("userdata", type(json.null))
      assert.equal("kserial.json.array", json.array_mt.__name)
      assert.equal("kserial.json.object", json.object_mt.__name)
    end)

    it("array() and object() mark a table and return it", function()
      local t = {}
      assert.equal(t, json.array(t))
      assert.equal(json.array_mt, getmetatable(t))
      assert.equal(json.object_mt, getmetatable(json.object({})))
      assert.equal(json.array_mt, getmetatable(json.array()))
      assert.equal("[]", enc(json.array()))
      assert.equal("{}", enc(json.object()))
    end)

    it("array() and object() may re-mark a marked table", function()
      local t = dec("{}")
      assert.equal("[]", enc(json.array(t)))
      assert.equal("{}", enc(json.object(t)))
    end)

    it("array() and object() refuse a table with another metatable", function()
      local t = setmetatable({}, {})
      H.raises("kserial: json.array: the table already has a metatable", json.array, t)
      H.raises("kserial: json.object: the table already has a metatable", json.object, t)
      H.raises("bad argument #1", json.array, 5)
    end)
  end)
end)
