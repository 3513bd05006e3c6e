-- kserial.json.decode reading floats (src/json/number.c): every literal
-- becomes the double nearest its decimal value, ties to even, whichever of
-- the three readers takes it (Clinger's fast path for up to 2^53 with a
-- power of ten up to 22, the exact 128-bit path for up to 19 digits with
-- a power of ten up to 27, strtod for the rest). The cases sit on the
-- edges between the readers.
local json = require("kserial").json
local dec, enc = json.decode, json.encode

local function bits(x) return string.pack("<d", x) end

local function assert_reads(want, text)
  local got = dec(text)
  assert.equal("float", math.type(got), text)
  if bits(got) ~= bits(want) then
    error(("%s read as %a, want %a"):format(text, got, want), 2)
  end
end

-- The decimal text of the integer v (>= 0) with its point moved k places
-- left, written as a float: "123" 1 -> "12.3", "123" 5 -> "0.00123".
-- n random decimal digits, the first not 0.
local function random_digits(n)
  local d = tostring(math.random(1, 9))
  for _ = 2, n do d = d .. math.random(0, 9) end
  return d
end

local function shifted(digits, k)
  if k == 0 then return digits .. ".0" end
  if k >= #digits then return "0." .. ("0"):rep(k - #digits) .. digits end
  return digits:sub(1, -k - 1) .. "." .. digits:sub(-k)
end

describe("kserial.json.decode reads floats", function()
  it("at 15, 16, 17, 18 and 19 significant digits, as %.17g wrote them", function()
    -- a 17-digit %.17g text names its double exactly; shorter and longer
    -- spellings of the same decimal must agree with it
    math.randomseed(12)
    for _ = 1, 3000 do
      local x = math.random() * 10.0 ^ math.random(-12, 12)
      local s17 = ("%.17g"):format(x)
      assert_reads(x, s17)
      local mant, exp = s17:match("^([^e]+)(.*)$")
      if not mant:find(".", 1, true) then mant = mant .. ".0" end
      assert_reads(x, mant .. "0" .. exp)              -- 18 digits, one a zero
      assert_reads(x, mant .. "00" .. exp)             -- 19
      assert_reads(x, enc(x))                          -- the shortest spelling
      for _, f in ipairs{"%.15e", "%.16e", "%.14e"} do   -- 16, 17, 15 digits
        local s = f:format(x)
        assert_reads(tonumber(s) + 0.0, s)
      end
    end
  end)

  it("exact ties between two doubles go to the even one", function()
    -- above 2^53 doubles are 2 apart: an odd integer lies halfway
    assert_reads(2^53, "9007199254740993.0")            -- to ...992 (even)
    assert_reads(2^53 + 4, "9007199254740995.0")        -- to ...996 (even)
    assert_reads(2^53, "90071992547409930e-1")
    assert_reads(2^53, "900719925474099.30e1")
    assert_reads(2^53 + 2, "9007199254740993.5")        -- past the tie: up
    assert_reads(2^53, "9007199254740992.5")            -- under it: down
    assert_reads(2^53 + 2, "9007199254740993.001")      -- a hair past it: up
    assert_reads(2^53, "9007199254740992.999")          -- a hair under it: down
    assert_reads(2^53 + 2, "900719925474099300.1e-2")
    -- above 2^54 they are 4 apart; above 2^62, 1024
    assert_reads(2^54, "18014398509481986.0")
    assert_reads(2^54 + 8, "18014398509481990.0")
    assert_reads(2^62, "4611686018427388416.0")          -- 2^62 + 512: tie, to even
    assert_reads(2^62 + 1024, "4611686018427388417.0")   -- just past it
    assert_reads(2^62 + 2048, "4611686018427389440e0")   -- 2^62 + 1536: tie, to even
  end)

  it("at the powers of ten of each reader: 10^22, 10^23, 10^27 and 10^28", function()
    local m = "12345678901234567"
    for _, e in ipairs{-29, -28, -27, -26, -23, -22, -21, 0, 1, 21, 22, 23, 26, 27, 28, 29} do
      local text = m .. "e" .. e
      assert_reads(tonumber(text) + 0.0, text)
      assert_reads(tonumber("1e" .. e) + 0.0, "1e" .. e)
      assert_reads(tonumber("9007199254740993e" .. e) + 0.0, "9007199254740993e" .. e)
      assert_reads(tonumber("9999999999999999999e" .. e) + 0.0, "9999999999999999999e" .. e)
    end
    assert_reads(1e22, "1e22")
    assert_reads(1e23, "1e23")          -- not a double: the nearest one
    assert_reads(1e-22, "1e-22")
    assert_reads(1e-23, "1e-23")
    assert_reads(0.1, shifted(m:sub(1, 1) .. "0000000000000000", 17))
  end)

  it("agrees with the C library on random decimals of 1 to 19 digits", function()
    -- strtod (tonumber) is correctly rounded on the systems kserial runs on
    math.randomseed(34)
    for _ = 1, 4000 do
      local n = math.random(1, 19)
      local d = random_digits(n)
      local e = math.random(-32, 32)
      local text = d .. "e" .. e
      assert_reads(tonumber(text) + 0.0, text)
      local k = math.random(0, 25)
      assert_reads(tonumber(shifted(d, k)) + 0.0, shifted(d, k))
    end
  end)

  it("round-trips every double it writes, across the exponent range", function()
    math.randomseed(56)
    for _ = 1, 4000 do
      local x = math.random() * 2.0 ^ math.random(-1074, 1023)
      if math.random(2) == 1 then x = -x end
      assert_reads(x, enc(x))
    end
    for _, x in ipairs{5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
                       4.9406564584124654e-324, 1.7976931348623157e308, 2^-1022, 2^1023,
                       2^63, -2^63, 2^64, 1e-300, 0.1, 1 / 3} do
      assert_reads(x, enc(x))
    end
  end)

  it("mantissas just above 2^53, which Clinger's path must not take", function()
    -- (double)(2^53 + 1) is 2^53: a check made in doubles let these in,
    -- and both the reader and the writer's read-back test rounded twice
    for e = -22, 22 do
      for m = (1 << 53) + 1, (1 << 53) + 41, 2 do
        local text = ("%de%d"):format(m, e)
        local x = tonumber(text) + 0.0
        assert_reads(x, text)
        assert_reads(x, enc(x))
      end
    end
    -- Python's repr of this double has 16 digits; the writer gave ...994
    assert.equal("9.007199254740993e-07", enc(dec("9007199254740993e-22")))
  end)

  it("subnormals, zeros and -0.0", function()
    assert_reads(5e-324, "5e-324")
    assert_reads(5e-324, "4.9406564584124654e-324")
    assert_reads(0.0, "2e-324")                  -- under half the least: zero
    assert_reads(2.2250738585072009e-308, "2.2250738585072009e-308")
    assert_reads(-0.0, "-0.0")
    assert_reads(-0.0, "-0e5")
    assert_reads(-0.0, "-0.000000000000000000000000e-30")
    assert_reads(0.0, "0.0e27")
    assert_reads(-5e-324, "-5e-324")
  end)

  it("reads integer literals of 1 to 21 digits as Lua does, with their subtype", function()
    -- digits are gathered eight at a time: every length and every digit
    -- at every place, and bytes next to the digits (':' and '/') after them
    math.randomseed(78)
    for _ = 1, 3000 do
      local n = math.random(1, 21)
      local d = random_digits(n)
      for _, text in ipairs{d, "-" .. d} do
        local want, got = tonumber(text), dec(text)
        assert.equal(math.type(want), math.type(got), text)
        assert.equal(want, got, text)
      end
      local got = dec("[" .. d .. "]")
      assert.equal(tonumber(d), got[1])
      assert.equal(tonumber(d .. ".5e0"), dec(d .. ".5e0"))
    end
    for _, bad in ipairs{"12345678:", "1234567:8", "0.123456:78", "1234567/8", "123456789/"} do
      assert.has_error(function() dec(bad) end)
    end
    assert.equal(12345678, dec("12345678"))
    assert.equal(0.12345678901234568, dec("0.12345678901234567890"))
    assert.equal(1e-8, dec("0.00000001000000000"))
  end)

  it("integers beyond 64 bits become floats", function()
    assert_reads(2^63, "9223372036854775808")
    assert_reads(-2^63, "-9223372036854775809")
    assert_reads(1e19, "9999999999999999999e0")
    assert_reads(1e19, "10000000000000000000")
    assert_reads(2^64, "18446744073709551616")
    assert_reads(1.2345678901234568e+29, "123456789012345678901234567890")
    assert.equal("integer", math.type(dec("9223372036854775807")))
    assert.equal("integer", math.type(dec("-9223372036854775808")))
  end)
end)
