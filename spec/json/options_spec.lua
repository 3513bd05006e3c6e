-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10): the
-- options of json.encode and json.decode: unknown names and wrong types
-- refused.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local dec = json.decode
local enc = json.encode

describe("kserial.json", function()
  describe("checks options", function()
    it("refuses unknown names and wrong types", function()
      assert.equal("kserial: json.encode: unknown option 'x'", H.err(enc, 1, {x = 1}))
      assert.equal("kserial: json.decode: unknown option 'bar'", H.err(dec, "1", {bar = true}))
      H.raises("unknown option '1'", enc, 1, {true})
      H.raises("option 'indent' must be an integer from 0 to 1000 or a string (got boolean)",
               enc, 1, {indent = true})
      H.raises("option 'int_keys' must be \"error\" or \"string\" (got string)", enc, 1,
               {int_keys = "number"})
      H.raises("option 'keep_order' must be a boolean", dec, "1", {keep_order = 1})
      H.raises("option 'indent' must be an integer", enc, 1, {indent = -1})
      H.raises("option 'indent' must be an integer", enc, 1, {indent = 1.5})
      H.raises("option 'sort_keys' must be a boolean (got number)", enc, 1, {sort_keys = 1})
      H.raises("option 'allow_nan' must be a boolean", enc, 1, {allow_nan = "yes"})
      H.raises("option 'ensure_ascii' must be a boolean", enc, 1, {ensure_ascii = 0})
      H.raises("option 'separators' must be a table of two strings", enc, 1, {separators = {","}})
      H.raises("option 'separators' must be a table of two strings", enc, 1, {separators = ","})
      H.raises("option 'max_depth' must be an integer from 1 to 10000", enc, 1, {max_depth = 0})
      H.raises("option 'max_depth' must be an integer from 1 to 10000", dec, "1", {max_depth = 10001})
      H.raises("option 'max_size' must be an integer", dec, "1", {max_size = -1})
      H.raises("kserial: json.encode: options must be a table (got string)", enc, 1, "x")
    end)

    it("accepts indent given as an integral float", function()
      assert.equal("[\n  1\n]", enc({1}, {indent = 2.0}))
    end)

    it("decode wants a string", function()
      H.raises("bad argument #1", dec, 5)
      H.raises("bad argument #1", dec)
    end)
  end)
end)
