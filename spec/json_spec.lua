-- kserial.json: the exact JSON codec (SPEC section 8, errors of 9-10).
local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = here .. "/helpers/?.lua;" .. package.path
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

local function bits(x) return string.pack("<d", x) end

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

  describe("encodes strings", function()
    it("with Python's escapes, byte for byte", function()
      assert.equal([["\"\\\n\r\t\b\f\u0001\u001f/]] .. "\127" .. [["]],
                   enc("\"\\\n\r\t\b\f\1\31/\127"))
      assert.equal([["a\u0000b"]], enc("a\0b"))
      assert.equal('"caf\195\169 \226\130\172 \240\159\152\128"', enc("café € 😀"))
    end)

    it("with ensure_ascii: \\uXXXX in lowercase, surrogate pairs above U+FFFF", function()
      assert.equal([["\u00e9\u20ac\ud83d\ude00"]], enc("é€😀", {ensure_ascii = true}))
      assert.equal([["\u007f\u0001a"]], enc("\127\1a", {ensure_ascii = true}))
      assert.equal([["\udbff\udfff"]], enc("\u{10FFFF}", {ensure_ascii = true}))
    end)

    it("refuses invalid UTF-8, naming the byte offset and the path", function()
      assert.equal("kserial: json.encode: string is not valid UTF-8 (byte 0xff at offset 2) (at $)",
                   H.err(enc, "ab\255"))
      H.raises("(byte 0xc0 at offset 0) (at $.a[2])", enc, {a = {"x", "y", "\192\175"}})
      H.raises("byte 0xed at offset 0", enc, "\237\160\128")      -- surrogate D800
      H.raises("byte 0xf4 at offset 1", enc, "x\244\144\128\128") -- > U+10FFFF
      H.raises("byte 0xe2 at offset 0", enc, "\226\130")          -- truncated
      H.raises("byte 0x80 at offset 0", enc, "\128")              -- lone continuation
      H.raises("byte 0xf8 at offset 0", enc, "\248\136\128\128\128")
    end)

    it("refuses invalid UTF-8 in keys, with the dict's path", function()
      H.raises("key is not valid UTF-8 (byte 0xff at offset 1) (at $.d)", enc, {d = {["k\255"] = 1}})
    end)
  end)

  describe("encodes tables", function()
    it("sequences as arrays and string-keyed tables as dicts", function()
      assert.equal("[1,2,3]", enc({1, 2, 3}))
      assert.equal('{"a":2,"b":1}', enc({b = 1, a = 2}))
      assert.equal('{"1":"x"}', enc({["1"] = "x"}))
      assert.equal("[[1],{\"a\":[]}]", enc({{1}, {a = json.array{}}}))
    end)

    it("an unmarked empty table as {}", function()
      assert.equal("{}", enc({}))
    end)

    it("keeps [] and {} apart through a round trip", function()
      assert.equal("[]", enc(dec("[]")))
      assert.equal("{}", enc(dec("{}")))
      assert.equal('{"a":[],"b":{},"c":[{}]}', enc(dec('{"a":[],"b":{},"c":[{}]}')))
    end)

    it("keeps null in arrays and dicts through a round trip", function()
      local a = dec("[1,null,3,null]")
      assert.equal(4, #a)
      assert.equal(kserial.null, a[2])
      assert.equal(kserial.null, a[4])
      assert.equal("[1,null,3,null]", enc(a))
      local d = dec('{"a":null,"b":1}')
      assert.equal(kserial.null, d.a)
      assert.equal('{"a":null,"b":1}', enc(d))
    end)

    it("refuses mixed keys, naming the key and the path", function()
      assert.equal('kserial: json.encode: bad table key "x": a table with array items ' ..
                   'cannot have string keys (at $)', H.err(enc, {1, 2, x = 1}))
      H.raises('bad table key "x"', enc, {a = {b = {1, 2, x = 1}}})
      H.raises("(at $.a.b)", enc, {a = {b = {1, 2, x = 1}}})
      H.raises("bad table key 5: a table with string keys cannot have integer keys (at $)",
               enc, {x = 1, [5] = 2})
    end)

    it("refuses keys that are not strings or exactly 1..n", function()
      H.raises("bad table key 1.5 (a float): keys must be all strings (a dict) or exactly " ..
               "the integers 1..n (an array) (at $)", enc, {[1.5] = 1})
      H.raises("bad table key 0:", enc, {[0] = "a", "b"})
      H.raises("bad table key 3:", enc, {[1] = 1, [3] = 3})         -- a hole
      H.raises("bad table key true:", enc, {[true] = 1})
      H.raises("bad table key of type table:", enc, {[{}] = 1})
      H.raises('(at $["a key"][0])', enc, {["a key"] = {{[false] = 1}}})
    end)

    it("marked arrays encode 1..#t and refuse holes", function()
      assert.equal("[1,2]", enc(json.array{1, 2, x = "ignored"}))
      local t = json.array{}
      t[1], t[2], t[3] = 1, 2, 3
      t[2] = nil
      if rawlen(t) == 3 then
        H.raises("array item is nil (a hole in 1..3) (at $[1])", enc, t)
      else
        assert.equal("[1]", enc(t))
      end
    end)

    it("marked dicts must have string keys only", function()
      assert.equal('{"a":1}', enc(json.object{a = 1}))
      H.raises("bad table key 1: the keys of a dict must be strings (at $)", enc, json.object{1})
    end)

    it("refuses other metatables, functions, threads and userdata with the path", function()
      local Dense = setmetatable({}, {__name = "Dense"})
      assert.equal("kserial: json.encode: cannot encode a value of class 'Dense' (at $.layer)",
                   H.err(enc, {layer = Dense}))
      H.raises("cannot encode a table with a metatable (at $[0])", enc, {setmetatable({}, {})})
      H.raises("cannot encode a function (at $.f)", enc, {f = print})
      H.raises("cannot encode a thread (at $)", enc, coroutine.create(print))
      H.raises("cannot encode a value of class 'FILE*' (at $.out)", enc, {out = io.stdout})
    end)

    it("reads tables raw, ignoring __index and __pairs", function()
      local t = json.object{a = 1}
      local calls = 0
      local mt = getmetatable(t)
      -- the markers are shared: add and remove the metamethods around one call
      mt.__index = function() calls = calls + 1; return 5 end
      mt.__pairs = function() calls = calls + 1; return next, {}, nil end
      local ok, s = pcall(enc, t)
      mt.__index, mt.__pairs = nil, nil
      assert.is_true(ok)
      assert.equal('{"a":1}', s)
      assert.equal(0, calls)
    end)

    it("encodes big tables the same whether their values fit on the stack or not", function()
      local d, a = {}, {}
      for i = 1, 70000 do d["k" .. i] = i; a[i] = i end
      local s = enc(d)
      local back = dec(s)
      local n = 0
      for k, v in pairs(back) do
        assert.equal(d[k], v)
        n = n + 1
      end
      assert.equal(70000, n)
      assert.equal('{"k1":1,"k10":10,"k100":100,"k1000":1000,"k10000":10000,"k10001":10001,',
                   s:sub(1, 71))
      local sa = enc(a)
      assert.equal("[1,2,3,", sa:sub(1, 7))
      assert.equal(",69999,70000]", sa:sub(-13))
      assert.equal(70000, #dec(sa))
    end)

    it("gives the same bytes for the same value", function()
      local t = {}
      for i = 1, 200 do t["k" .. i] = {i, i + 0.5, tostring(i)} end
      local a = enc(t)
      assert.equal(a, enc(t))
      assert.equal(a, enc(dec(a)))
    end)
  end)

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

  describe("lays out text", function()
    local v = {a = {1, 2.5, {}}, b = {c = kserial.null, d = json.array{}}, e = "x"}

    it("with indent as Python's json.dumps(indent=n)", function()
      assert.equal('{\n  "a": [\n    1,\n    2.5,\n    {}\n  ],\n  "b": {\n    "c": null,\n' ..
                   '    "d": []\n  },\n  "e": "x"\n}', enc(v, {indent = 2}))
      assert.equal('{\n"a": [\n1,\n2.5,\n{}\n],\n"b": {\n"c": null,\n"d": []\n},\n"e": "x"\n}',
                   enc(v, {indent = 0}))
      assert.equal("[\n  []\n]", enc({json.array{}}, {indent = 2}))
      assert.equal('{\n  "a": {}\n}', enc({a = {}}, {indent = 2}))
      assert.equal("[]", enc(json.array{}, {indent = 2}))
      assert.equal("5", enc(5, {indent = 2}))
    end)

    it("with separators, as Python's separators=(item, key)", function()
      assert.equal('{"a": [1, 2.5, {}], "b": {"c": null, "d": []}, "e": "x"}',
                   enc(v, {separators = {", ", ": "}}))
      assert.equal('{\n    "a": [\n        1, \n        2.5, \n        {}\n    ], \n    "b": {\n' ..
                   '        "c": null, \n        "d": []\n    }, \n    "e": "x"\n}',
                   enc(v, {indent = 4, separators = {", ", ": "}}))
      assert.equal('{"a" = [1;2.5;{}];"b" = {"c" = null;"d" = []};"e" = "x"}',
                   enc(v, {separators = {";", " = "}}))
    end)
  end)

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

  describe("decodes", function()
    it("arrays and objects with marker metatables", function()
      local v = dec('{"a":[1,2],"b":{}}')
      assert.equal(json.object_mt, getmetatable(v))
      assert.equal(json.array_mt, getmetatable(v.a))
      assert.equal(json.object_mt, getmetatable(v.b))
      assert.same({1, 2}, {v.a[1], v.a[2]})
    end)

    it("scalars", function()
      assert.equal(true, dec("true"))
      assert.equal(false, dec("false"))
      assert.equal(kserial.null, dec("null"))
      assert.equal("x", dec('"x"'))
      assert.equal(1, dec(" \t\r\n 1 \n"))
    end)

    it("integers and floats exactly", function()
      local cases = {
        {"0", 0, "integer"}, {"-0", 0, "integer"}, {"42", 42, "integer"},
        {"9223372036854775807", math.maxinteger, "integer"},
        {"-9223372036854775808", math.mininteger, "integer"},
        {"9223372036854775808", 2^63, "float"}, {"-9223372036854775809", -2^63, "float"},
        {"1.0", 1.0, "float"}, {"1E2", 100.0, "float"}, {"1e+2", 100.0, "float"},
        {"2.5e-3", 0.0025, "float"}, {"1e-400", 0.0, "float"},
        {"0.1000000000000000055511151231257827", 0.1, "float"},
        {"123456789012345678901234567890", 1.2345678901234568e+29, "float"},
        {"4.9406564584124654e-324", 5e-324, "float"},
        {"1.7976931348623157e308", 1.7976931348623157e308, "float"},
      }
      for _, c in ipairs(cases) do
        local v = dec(c[1])
        assert.equal(c[3], math.type(v), c[1])
        assert.equal(c[2], v, c[1])
      end
      assert.equal(bits(-0.0), bits(dec("-0.0")))
      assert.equal(bits(0.0), bits(dec("0.0")))
    end)

    it("refuses numbers out of range unless allow_nan", function()
      assert.equal("kserial: json.decode: number out of range (it would be infinite; " ..
                   "allow_nan accepts it) at line 1, column 2 (byte 1)", H.err(dec, "[1e400]"))
      H.raises("number out of range", dec, "-1e400")
      assert.equal(math.huge, dec("1e400", {allow_nan = true}))
      assert.equal(-math.huge, dec("-1e400", {allow_nan = true}))
    end)

    it("NaN and Infinity only with allow_nan", function()
      local v = dec("[NaN,Infinity,-Infinity]", {allow_nan = true})
      assert.is_true(v[1] ~= v[1])
      assert.equal(math.huge, v[2])
      assert.equal(-math.huge, v[3])
      H.raises("unexpected character 'N', expected a JSON value (NaN and Infinity need allow_nan)",
               dec, "NaN")
      H.raises("unexpected character 'I'", dec, "[Infinity]")
      H.raises("unexpected character 'I', expected a digit after '-' (-Infinity needs allow_nan)",
               dec, "-Infinity")
      H.raises("unexpected character 'n'", dec, "nan", {allow_nan = true})
    end)

    it("strings with every escape", function()
      assert.equal('"\\/\b\f\n\r\t', dec([["\"\\\/\b\f\n\r\t"]]))
      assert.equal("é€😀\0", dec([["\u00e9\u20AC\ud83d\ude00\u0000"]]))
      assert.equal("a\u{10FFFF}b", dec([["a\udbff\udfffb"]]))
      assert.equal("é€😀", dec('"é€😀"'))
    end)

    it("duplicate keys: the last one wins", function()
      assert.equal(2, dec('{"a":1,"a":2}').a)
    end)

    it("refuses lone surrogates, bad escapes and raw control characters", function()
      assert.equal("kserial: json.decode: lone high surrogate \\ud800 in a string (it must be " ..
                   "followed by a \\uDC00-\\uDFFF escape) at line 1, column 2 (byte 1)",
                   H.err(dec, [["\ud800"]]))
      H.raises("lone high surrogate \\ud800", dec, [["\ud800\u0041"]])
      H.raises("lone high surrogate \\uD800", dec, [["\uD800\uD800"]])
      H.raises("lone low surrogate \\udc00 in a string at line 1, column 3", dec, [["x\udc00"]])
      H.raises("invalid escape \\'x' in a string at line 1, column 3", dec, [["\x41"]])
      H.raises("invalid \\u escape (expected 4 hex digits)", dec, [["\u12G4"]])
      H.raises("unescaped control character \\x0a in a string at line 1, column 3 (byte 2)",
               dec, '"a\nb"')
      H.raises("unescaped control character \\x00", dec, '"a\0b"')
    end)

    it("refuses invalid UTF-8 in strings with the position", function()
      H.raises("invalid UTF-8 byte \\xff in a string at line 1, column 3 (byte 2)", dec, '"a\255"')
      H.raises("invalid UTF-8 byte \\xc0", dec, '"\192\175"')          -- overlong
      H.raises("invalid UTF-8 byte \\xed", dec, '"\237\160\128"')      -- surrogate
      H.raises("invalid UTF-8 byte \\xf4", dec, '"\244\144\128\128"')  -- > U+10FFFF
      H.raises("invalid UTF-8 byte \\xe2", dec, '"\226\130"')          -- truncated
    end)

    it("refuses a UTF-8 byte order mark, saying so", function()
      H.raises("byte order mark (BOM)", dec, "\239\187\191{}")
    end)

    it("refuses malformed documents with what was expected", function()
      local cases = {
        {"01", "bad number: leading zeros are not allowed at line 1, column 1 (byte 0)"},
        {"-01", "leading zeros are not allowed"},
        {"2.", "unexpected end of input in a number (expected a digit after '.')"},
        {"[2.]", "bad number: expected a digit after '.' at line 1, column 4"},
        {".5", "unexpected character '.', expected a JSON value"},
        {"+1", "unexpected character '+', expected a JSON value"},
        {"-", "unexpected end of input in a number (expected a digit after '-')"},
        {"[1e]", "bad number: expected a digit in the exponent"},
        {"[1,]", "unexpected character ']', expected a JSON value at line 1, column 4 (byte 3)"},
        {'{"a":1,}', "unexpected character '}', expected a string key at line 1, column 8"},
        {"{1:2}", "unexpected character '1', expected a string key or '}'"},
        {'{"a" 1}', "unexpected character '1', expected ':'"},
        {"[1 2]", "unexpected character '2', expected ',' or ']'"},
        {'{"a":1 "b":2}', "unexpected character '\"', expected ',' or '}'"},
        {"tru", "unexpected character 't', expected a JSON value"},
        {"'x'", "unexpected character ''', expected a JSON value"},
        {"[\1]", "unexpected character \\x01, expected a JSON value"},
        {"", "unexpected end of input, expected a JSON value at line 1, column 1 (byte 0)"},
        {"  ", "unexpected end of input, expected a JSON value at line 1, column 3 (byte 2)"},
        {"[1] x", "unexpected character 'x', expected the end of the document after the JSON value"},
        {"\f1", "unexpected character \\x0c"},
        {"\194\160" .. "1", "unexpected character \\xc2"},
        {'"abc', "unexpected end of input in a string at line 1, column 5 (byte 4)"},
        {'"abc\\', "unexpected end of input in a string"},
      }
      for _, c in ipairs(cases) do
        local e = H.err(dec, c[1])
        assert.truthy(e:find(c[2], 1, true), ("%q gave %q"):format(c[1], e))
        assert.truthy(e:find("^kserial: json.decode: "), e)
      end
    end)

    it("gives line, column and byte in a multi-line document", function()
      assert.equal("kserial: json.decode: unexpected character '2', expected ':' " ..
                   "at line 3, column 7 (byte 18)", H.err(dec, '{\n  "a": 1,\n  "b" 2\n}'))
      assert.equal("kserial: json.decode: unexpected end of input, expected ',' or ']' " ..
                   "at line 2, column 6 (byte 15)", H.err(dec, '{"a": [1,\n 2, 3'))
    end)

    it("adds the caller's position like error() does", function()
      local ok, e = pcall(function() return dec("[") end)
      assert.is_false(ok)
      assert.truthy(e:find("json_spec.lua:%d+: kserial: json.decode: unexpected end of input"), e)
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
