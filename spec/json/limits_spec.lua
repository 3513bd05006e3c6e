-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10): nesting
-- and size limits of the codec: 512 levels, max_depth, cycles, max_size, deep
-- tables refused cleanly.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

describe("kserial.json", function()
  describe("limits nesting", function()
    local function nest(n)
      local root = {}
      local t = root
      for _ = 2, n do t.a = {}; t = t.a end
      return root
    end

    it("encodes 512 levels and refuses 513 with a cut path", function()
      assert.truthy(enc(nest(512)))
      local e = H.err(enc, nest(513))
      assert.truthy(e:find("kserial: json.encode: nesting deeper than 512 (at $.a.a.a", 1, true), e)
      assert.truthy(e:find("...", 1, true))
      assert.truthy(#e < 300, e)
    end)

    it("refuses a 100 000-deep table cleanly", function()
      H.raises("nesting deeper than 512", enc, nest(100000))
    end)

    it("honours max_depth", function()
      assert.equal('{"a":{"a":{}}}', enc(nest(3), {max_depth = 3}))
      assert.equal("kserial: json.encode: nesting deeper than 3 (at $.a.a.a)",
                   H.err(enc, nest(4), {max_depth = 3}))
    end)

    it("reports a cycle as a cycle", function()
      local t = {x = {}}
      t.x.back = t
      assert.equal("kserial: json.encode: cycle: this table contains itself " ..
                   "(it is also at $) (at $.x.back)", H.err(enc, t))
      local a = json.array{}
      a[1] = a
      H.raises("cycle: this table contains itself (it is also at $) (at $[0])", enc, a)
    end)

    it("decodes 512 levels and refuses 513, and 200 000", function()
      local ok = string.rep("[", 512) .. string.rep("]", 512)
      assert.equal(ok, enc(dec(ok)))
      assert.equal("kserial: json.decode: nesting deeper than 512 at line 1, column 513 (byte 512)",
                   H.err(dec, string.rep("[", 513) .. string.rep("]", 513)))
      H.raises("nesting deeper than 512 at line 1, column 513 (byte 512)", dec, string.rep("[", 200000))
      H.raises("nesting deeper than 512", dec, string.rep('{"a":', 200000))
      H.raises("nesting deeper than 2 at line 1, column 3", dec, "[[[]]]", {max_depth = 2})
      assert.equal("[[]]", enc(dec("[[]]", {max_depth = 2})))
    end)

    it("refuses documents larger than max_size", function()
      assert.equal("kserial: json.decode: document of 5 bytes is larger than max_size 3",
                   H.err(dec, "[1,2]", {max_size = 3}))
      assert.equal(2, #dec("[1,2]", {max_size = 5}))
      assert.equal(2, #dec("[1,2]", {max_size = 0}))
    end)
  end)
end)
