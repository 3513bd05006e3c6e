-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10):
-- json.encode of tables (arrays, dicts, [] and {}, null, what is refused and
-- where) and the layout options indent and separators.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc, dec = json.encode, json.decode

describe("kserial.json", function()
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
end)
