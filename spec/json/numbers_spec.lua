-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10): numbers
-- and the other scalars: integers over 64 bits, floats written as Python's
-- repr and read back bit for bit, NaN and the infinities, and the same under a
-- comma-decimal locale.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

local function bits(x) return string.pack("<d", x) end

describe("kserial.json", function()
  describe("encodes scalars", function()
    it("nil, null and booleans", function()
      assert.equal("null", enc(nil))
      assert.equal("null", enc(kserial.null))
      assert.equal("true", enc(true))
      assert.equal("false", enc(false))
      assert.equal("[null,true,false]", enc({kserial.null, true, false}))
    end)

    it("integers exactly, over all 64 bits", function()
      assert.equal("0", enc(0))
      assert.equal("-1", enc(-1))
      assert.equal("9223372036854775807", enc(math.maxinteger))
      assert.equal("-9223372036854775808", enc(math.mininteger))
      assert.equal("9007199254740993", enc(9007199254740993))
      assert.equal("1234567890123456789", enc(1234567890123456789))
    end)

    it("integers at the int64 edges round-trip as integers", function()
      for _, v in ipairs{0, 1, -1, math.maxinteger, math.mininteger,
                         math.maxinteger - 1, math.mininteger + 1,
                         (1 << 53) + 1, -(1 << 53) - 1, 4294967296} do
        local back = dec(enc(v))
        assert.equal("integer", math.type(back))
        assert.equal(v, back)
      end
    end)

    it("floats as Python's repr writes them", function()
      local cases = {
        {1.0, "1.0"}, {0.0, "0.0"}, {-0.0, "-0.0"}, {0.0001, "0.0001"},
        {1e-05, "1e-05"}, {1.5e-07, "1.5e-07"}, {1e16, "1e+16"},
        {1234567890123456.0, "1234567890123456.0"},
        {1.2345678901234568e+17, "1.2345678901234568e+17"},
        {5e-324, "5e-324"}, {1.7976931348623157e+308, "1.7976931348623157e+308"},
        {0.1, "0.1"}, {1 / 3, "0.3333333333333333"}, {100.0, "100.0"},
        {1e22, "1e+22"}, {1e-7, "1e-07"}, {123456.789, "123456.789"},
        {2^53 + 0.0, "9007199254740992.0"}, {-1.5, "-1.5"},
        {0.1 + 0.2, "0.30000000000000004"}, {2.0^-1022, "2.2250738585072014e-308"},
        {9999999999999998.0, "9999999999999998.0"}, {1e15 + 0.3, "1000000000000000.2"},
        {0.00012345, "0.00012345"}, {123e-20, "1.23e-18"},
        {2.0^63, "9.223372036854776e+18"}, {-2.0^63, "-9.223372036854776e+18"},
        {1 / 7, "0.14285714285714285"}, {2 / 3, "0.6666666666666666"},
        {1e100, "1e+100"}, {1e-100, "1e-100"}, {4.35, "4.35"},
        {3.14159, "3.14159"}, {0.5, "0.5"}, {1e301, "1e+301"},
        {12345678.9, "12345678.9"},
      }
      for _, c in ipairs(cases) do
        assert.equal(c[2], enc(c[1]))
      end
    end)

    it("floats always carry a '.' or an exponent and stay floats", function()
      for _, v in ipairs{1.0, -3.0, 2^60, 1e16, 7.0} do
        local s = enc(v)
        assert.truthy(s:find("[.e]"), s)
        assert.equal("float", math.type(dec(s)))
      end
    end)

    -- Shortest: with n digits written, neither neighbour with n - 1 digits
    -- (truncated, or truncated + 1) reads back; every shorter decimal is one
    -- of those padded with zeros, so none reads back.
    local function assert_shortest(x, s)
      local mant, exp = s:gsub("^-", ""):match("^([%d.]+)e?([-+]?%d*)$")
      exp = tonumber(exp ~= "" and exp or "0")
      local int, frac = mant:match("^(%d+)%.?(%d*)$")
      local digits = (int .. frac):gsub("^0+", "")
      local scale = exp - #frac          -- value = digits * 10^scale
      digits = digits:gsub("0+$", function(z) scale = scale + #z; return "" end)
      if #digits <= 1 then return end
      local a = math.abs(x)
      local cut = digits:sub(1, -2)
      local lo = tonumber(cut .. "e" .. (scale + 1))
      local hi = tonumber(tostring(math.tointeger(tonumber(cut)) + 1) .. "e" .. (scale + 1))
      assert(lo ~= a and hi ~= a, "not shortest: " .. s)
    end

    it("floats round-trip bit for bit with the shortest text (random doubles)", function()
      math.randomseed(20240611)
      local n = 0
      while n < 4000 do
        local x = string.unpack("<d", string.pack("<i8", math.random(0)))
        if x == x and x ~= math.huge and x ~= -math.huge then
          n = n + 1
          local s = enc(x)
          local back = dec(s)
          assert.equal("float", math.type(back))
          assert.equal(bits(x), bits(back))
          assert_shortest(x, s)
        end
      end
    end)

    it("floats round-trip at the edges", function()
      local edges = {0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
                     2.225073858507201e-308, 1.7976931348623157e+308,
                     -1.7976931348623157e+308, 2^53, 2^53 + 2.0, 2^-1074 * 3,
                     1e-300, 1e300, 0.1, 1 - 2^-53, 1 + 2^-52, 2^63, 2^64}
      for _, x in ipairs(edges) do
        local s = enc(x)
        assert.equal(bits(x), bits(dec(s)))
        assert_shortest(x, s)
      end
    end)

    it("refuses NaN and infinities unless allow_nan", function()
      assert.equal("kserial: json.encode: cannot encode NaN (at $)", H.err(enc, 0 / 0))
      H.raises("cannot encode inf (at $.a[1])", enc, {a = {1, math.huge}})
      H.raises("cannot encode -inf (at $.b)", enc, {b = -math.huge})
      assert.equal("NaN", enc(0 / 0, {allow_nan = true}))
      assert.equal("[Infinity,-Infinity]", enc({math.huge, -math.huge}, {allow_nan = true}))
    end)
  end)

  describe("under a comma-decimal locale", function()
    local candidates = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
                        "nl_NL.UTF-8", "it_IT.UTF-8", "es_ES.UTF-8", "de_DE", "fr_FR"}

    local function comma_locale()
      for _, name in ipairs(candidates) do
        if os.setlocale(name, "numeric") and string.format("%.1f", 0.5) == "0,5" then
          return name
        end
      end
      os.setlocale("C", "numeric")
      return nil
    end

    it("writes and reads '.'", function()
      local old = os.setlocale(nil, "numeric")
      local name = comma_locale()
      if not name then
        pending("no comma-decimal locale installed (locale -a): locale test skipped")
        return
      end
      local ok, err = pcall(function()
        assert.equal("1.5", enc(1.5))
        assert.equal("[0.1,1e-07,1.2345678901234568e+17,0.30000000000000004]",
                     enc({0.1, 1e-7, 1.2345678901234568e+17, 0.1 + 0.2}))
        assert.equal(1.5, dec("1.5"))
        assert.equal(0.1, dec("0.1000000000000000055511151231257827"))
        assert.equal(123.456, dec("123.456"))
        math.randomseed(7)
        for _ = 1, 500 do
          local x = string.unpack("<d", string.pack("<i8", math.random(0)))
          if x == x and x - x == 0 then assert.equal(bits(x), bits(dec(enc(x)))) end
        end
      end)
      os.setlocale(old, "numeric")
      assert(ok, err)
    end)
  end)
end)
