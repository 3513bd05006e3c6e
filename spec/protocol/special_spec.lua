local kserial = require "kserial"
local json = kserial.json
local null = kserial.null

local SAFE_MSG = "Requested the deserialization of a lambda object. This carries a "
  .. "potential risk of arbitrary code execution and thus it is disallowed by default. "
  .. "If you trust the source of the data, pass safe_mode = false or call "
  .. "kserial.enable_unsafe_deserialization()."

describe("lambdas", function()
  it("serializes an unregistered Lua function as base64 bytecode with a format tag", function()
    local env = kserial.serialize(function(x) return x + 1 end)
    assert.equal("__lambda__", env.class_name)
    assert.equal("lua54-bytecode", env.config.format)
    assert.matches("^[A-Za-z0-9+/]+=*$", env.config.value)
    assert.is_nil(env.module)
  end)

  it("warns through Lua's warn system", function()
    local out = require("ks_helpers").run_lua([[
      local kserial = require "kserial"
      warn("@on")
      kserial.serialize({ f = function() end })
    ]])
    assert.matches("Lua warning: kserial: serializing an unregistered function as a lambda %(at %$%.f%)", out)
  end)

  it("is refused in safe mode with the spec's message and the path", function()
    local env = kserial.serialize({ f = function() end })
    assert.has_error(function() kserial.deserialize(env) end,
      "kserial: " .. SAFE_MSG .. " (at $.f)")
  end)

  it("loads with safe mode off and runs", function()
    local env = kserial.loads(kserial.dumps(function(a, b) return a * b end), { safe_mode = false })
    assert.equal(42, env(6, 7))
  end)

  it("cannot be lifted by a nested call inside from_config", function()
    local Sneaky = kserial.class("Sneaky")
    function Sneaky:get_config() return {} end
    local nested_ok
    Sneaky.from_config = function(cls, config)
      nested_ok = pcall(kserial.deserialize, config.code, { safe_mode = false })
      return cls.new()
    end
    local code = kserial.serialize(function() return "pwned" end)
    kserial.deserialize({ class_name = "Sneaky", config = { code = code } },
      { custom_objects = { Sneaky = Sneaky } })
    assert.is_false(nested_ok)
  end)

  it("a nested call inherits safe mode off from its top-level call", function()
    local Holder = kserial.class("Holder")
    function Holder:get_config() return {} end
    Holder.from_config = function(cls, config)
      return cls.new{ f = kserial.deserialize(config.f) }
    end
    local f = function() return 5 end
    local obj = kserial.deserialize({ class_name = "Holder", config = { f = kserial.serialize(f) } },
      { custom_objects = { Holder = Holder }, safe_mode = false })
    assert.equal(5, obj.f())
  end)

  it("refuses functions with upvalues other than _ENV, naming the upvalue", function()
    local secret = 1
    assert.has_error(function() kserial.serialize(function() return secret end) end,
      "kserial: cannot serialize a lambda with upvalue 'secret': only functions whose sole upvalue is _ENV can be stored as bytecode (at $)")
  end)

  it("refuses Keras's Python lambdas even with safe mode off", function()
    local py = { class_name = "__lambda__", config = { code = "4wEAAA==", defaults = null, closure = null } }
    assert.has_error(function() kserial.deserialize(py) end, "kserial: " .. SAFE_MSG .. " (at $)")
    assert.has_error(function() kserial.deserialize(py, { safe_mode = false }) end,
      "kserial: this lambda holds Python bytecode (Keras); only Lua 5.4 lambdas (format \"lua54-bytecode\") can be loaded (at $.config)")
  end)

  it("refuses anything that is not a Lua 5.4 binary chunk, even with safe mode off", function()
    local function lam(value, format)
      return { class_name = "__lambda__", config = { value = value, format = format or "lua54-bytecode" } }
    end
    local function b64(s)
      local env = kserial.serialize("\xff" .. s)   -- __bytes__ gives base64
      return env.config.value
    end
    local opts = { safe_mode = false }
    -- Lua source text is not accepted
    assert.has_error(function() kserial.deserialize(lam(b64("return os.exit()"):sub(1)), opts) end)
    assert.has_error(function() kserial.deserialize(lam("not base64 !!"), opts) end,
      "kserial: a lambda's \"value\" is not valid base64 (at $.config)")
    assert.has_error(function() kserial.deserialize(lam("AAAA", "lua53-bytecode"), opts) end,
      "kserial: a lambda must have \"format\": \"lua54-bytecode\" (at $.config)")
    -- a truncated real chunk
    local good = kserial.serialize(function() return 1 end).config.value
    local raw = kserial.deserialize({ class_name = "__bytes__", config = { value = good, encoding = "base64" } })
    local cut = kserial.serialize("\xff" .. raw:sub(1, #raw // 2)).config.value
    assert.has_error(function() kserial.deserialize(lam(cut), opts) end)
    -- a Lua 5.3 header
    local v53 = kserial.serialize("\x1bLua\x53" .. raw:sub(6)).config.value
    assert.has_error(function() kserial.deserialize(lam(v53), opts) end,
      "kserial: a lambda's bytecode is not a Lua 5.4 binary chunk (at $.config)")
  end)
end)

describe("__bytes__", function()
  it("round-trips any byte string", function()
    local all = {}
    for i = 0, 255 do all[#all + 1] = string.char(i) end
    local s = table.concat(all)
    assert.equal(s, kserial.loads(kserial.dumps(s)))
  end)
  it("reads Keras's own form (no encoding): the value is the string", function()
    assert.equal("abc", kserial.deserialize({ class_name = "__bytes__", config = { value = "abc" } }))
  end)
  it("refuses unknown encodings", function()
    assert.has_error(function()
      kserial.deserialize({ class_name = "__bytes__", config = { value = "abc", encoding = "hex" } })
    end, "kserial: unknown __bytes__ encoding (only \"base64\" is known) (at $.config)")
  end)
end)

describe("Keras markers", function()
  it("keep __tuple__ and other markers whole and write them back the same", function()
    local text = '{"a": {"class_name": "__tuple__", "config": {"value": [1, 2]}}, '
      .. '"b": {"class_name": "__keras_tensor__", "config": {"shape": [null, 3], '
      .. '"dtype": "float32", "keras_history": ["dense", 0, 0]}}}'
    local v = kserial.loads(text)
    assert.equal("kserial.marker", (getmetatable(v.a) or {}).__name)
    assert.equal("__tuple__", v.a.class_name)
    local again = json.decode(kserial.dumps(v))
    assert.is_true(require("ks_helpers").same(json.decode(text), again))
  end)

  it("register_special decodes and encodes a marker", function()
    local Tuple = { __name = "Tuple" }
    kserial.register_special("__tuple__", {
      decode = function(config) return setmetatable({ table.unpack(config.value) }, Tuple) end,
      encode = function(v)
        if getmetatable(v) == Tuple then return { value = json.array({ table.unpack(v) }) } end
      end,
    })
    local t = kserial.loads('{"class_name": "__tuple__", "config": {"value": [1, 2]}}')
    assert.equal(Tuple, getmetatable(t))
    assert.same({ 1, 2 }, { t[1], t[2] })
    assert.equal('{"class_name":"__tuple__","config":{"value":[1,2]}}', kserial.dumps(t))
    kserial.register_special("__tuple__", nil)
    assert.equal("kserial.marker", getmetatable(kserial.loads(
      '{"class_name": "__tuple__", "config": {"value": [1]}}')).__name)
  end)

  it("register_special refuses the built-in names and bad handlers", function()
    assert.has_error(function() kserial.register_special("__lambda__", { decode = print }) end,
      "kserial: register_special: '__lambda__' is built in and cannot be replaced")
    assert.has_error(function() kserial.register_special("__x__", {}) end,
      "kserial: register_special: the handler needs a decode function")
  end)

  it("reports a failing decode with the path", function()
    kserial.register_special("__boom__", { decode = function() error("no", 0) end })
    assert.has_error(function() kserial.loads('[{"class_name": "__boom__", "config": {}}]') end)
    kserial.register_special("__boom__", nil)
  end)
end)

-- Issue 11: special handlers run through the same runner as from_config and
-- get_config (src/lua/hook.c), with the same scopes, checks and messages.
describe("special handlers are hooks like any other", function()
  local function with_special(name, handler, fn)
    kserial.register_special(name, handler)
    local ok, err = pcall(fn)
    kserial.register_special(name, nil)
    if not ok then error(err, 0) end
  end

  it("a decode handler cannot run a lambda in a call made with safe_mode = true (finding 1)", function()
    -- the program trusts its own files; the document came with safe_mode = true
    local out = require("ks_helpers").run_lua([[
      local kserial = require "kserial"
      kserial.register_special("__tuple__", { decode = function(c) return kserial.deserialize(c.items) end })
      kserial.enable_unsafe_deserialization()
      local doc = kserial.json.encode({ class_name = "__tuple__",
        config = { items = { kserial.serialize(function() return "ran" end) } } })
      local ok, v = pcall(kserial.loads, doc, { safe_mode = true })
      print(ok and v[1]() or v)
    ]])
    assert.is_nil(out:find("ran\n", 1, true))
    assert.matches("kserial: Requested the deserialization of a lambda object.-%(at %$%.config%.items%[0%]%)", out)
  end)

  it("a nested safe_mode = false inside a decode handler does not lift the call's safe mode", function()
    local code = kserial.serialize(function() return "ran" end)
    with_special("__lift__", { decode = function(c) return kserial.deserialize(c.f, { safe_mode = false }) end },
      function()
        local ok, err = pcall(kserial.deserialize, { class_name = "__lift__", config = { f = code } })
        assert.is_false(ok)
        assert.equal("kserial: " .. SAFE_MSG .. " (at $.config.f)", err)
      end)
  end)

  it("the call's custom_objects are visible inside a decode handler, as inside from_config", function()
    local Thing = kserial.class("SpecialThing")
    function Thing:get_config() return {} end
    with_special("__box__", { decode = function(c) return { kserial.deserialize(c.item) } end },
      function()
        local v = kserial.loads('{"class_name": "__box__", "config": {"item": '
          .. '{"class_name": "SpecialThing", "config": {}}}}',
          { custom_objects = { SpecialThing = Thing } })
        assert.equal(Thing, getmetatable(v[1]))
      end)
  end)

  it("a scope left open by a decode handler fails the call and is closed (finding 2)", function()
    with_special("__leak__", { decode = function() kserial.safe_mode_scope(false); return 1 end },
      function()
        local ok, err = pcall(kserial.loads, '[{"class_name": "__leak__", "config": {}}]')
        assert.is_false(ok)
        assert.equal("kserial: decode() of special '__leak__' left a scope open; scopes opened "
          .. "in a hook must be closed in it, with <close> or :close() (at $[0])", err)
        assert.is_true(kserial.in_safe_mode())
        -- a later untrusted document still cannot load a lambda
        assert.has_error(function() kserial.deserialize(kserial.serialize(function() end)) end,
          "kserial: " .. SAFE_MSG .. " (at $)")
      end)
  end)

  it("a scope left open by a decode handler that raises is unwound", function()
    with_special("__raise__", { decode = function() kserial.safe_mode_scope(false); error("no", 0) end },
      function()
        local ok, err = pcall(kserial.loads, '{"class_name": "__raise__", "config": {}}')
        assert.is_false(ok)
        assert.equal("kserial: decode() of special '__raise__' raised an error: no (at $)", err)
        assert.is_true(kserial.in_safe_mode())
      end)
  end)

  it("a scope left open by an encode handler fails the call and is closed", function()
    local Mark = { __name = "Mark" }
    with_special("__mark__", {
      decode = function() return 1 end,
      encode = function(v)
        if getmetatable(v) == Mark then kserial.safe_mode_scope(false); return {} end
      end,
    }, function()
      local ok, err = pcall(kserial.dumps, { m = setmetatable({}, Mark) })
      assert.is_false(ok)
      assert.equal("kserial: encode() of special '__mark__' left a scope open; scopes opened "
        .. "in a hook must be closed in it, with <close> or :close() (at $.m)", err)
      assert.is_true(kserial.in_safe_mode())
    end)
  end)

  it("an error through nested decode handlers is one message with the path from the root (finding 3)", function()
    with_special("__w__", {
      decode = function(c)
        if c.inner then return kserial.deserialize(c.inner) end
        error("boom", 0)
      end,
    }, function()
      local d = { class_name = "__w__", config = {} }
      for _ = 1, 3 do d = { class_name = "__w__", config = { inner = d } } end
      local ok, err = pcall(kserial.deserialize, { a = { d } })
      assert.is_false(ok)
      assert.equal("kserial: decode() of special '__w__' raised an error: boom "
        .. "(at $.a[0].config.inner.config.inner.config.inner)", err)
    end)
  end)

  it("nested specials stop at the one object nesting limit, with a short message", function()
    with_special("__w__", { decode = function(c) return kserial.deserialize(c.inner) end },
      function()
        local d = { class_name = "__w__", config = {} }
        for _ = 1, 195 do d = { class_name = "__w__", config = { inner = d } } end
        local ok, err = pcall(kserial.deserialize, d)
        assert.is_false(ok)
        assert.matches("^kserial: objects nested deeper than 60 %(at %$%.config%.inner", err)
        assert.is_nil(err:find("raised an error", 1, true))
        assert.is_true(#err < 1000)
      end)
  end)

  it("specials and objects share the nesting limit", function()
    local Wrap = kserial.class("SpecialWrap")
    function Wrap:get_config() return {} end
    function Wrap.from_config(cls, c) return cls.new{ v = kserial.deserialize(c.inner) } end
    with_special("__w__", { decode = function(c) return kserial.deserialize(c.inner) end },
      function()
        local function chain(n)
          local d = { class_name = "__w__", config = {} }
          for i = 2, n do
            d = { class_name = i % 2 == 0 and "SpecialWrap" or "__w__", config = { inner = d } }
          end
          return d
        end
        local opts = { custom_objects = { SpecialWrap = Wrap } }
        assert.is_not_nil(kserial.deserialize(chain(60), opts))
        local ok, err = pcall(kserial.deserialize, chain(61), opts)
        assert.is_false(ok)
        assert.matches("^kserial: objects nested deeper than 60 %(at %$", err)
      end)
  end)
end)

describe("register_special names (finding 9)", function()
  it("accepts only marker names __name__", function()
    for _, name in ipairs({ "Dense", "function", "__x", "x__", "____" }) do
      assert.has_error(function() kserial.register_special(name, { decode = print }) end,
        "kserial: register_special: '" .. name .. "' is not a marker name (__name__)")
    end
  end)

  it("refuses a name with a NUL byte instead of cutting it", function()
    assert.has_error(function() kserial.register_special("__tuple__\0junk", { decode = print }) end,
      "kserial: register_special: the name holds a NUL byte")
    assert.equal("kserial.marker", getmetatable(kserial.loads(
      '{"class_name": "__tuple__", "config": {"value": [1]}}')).__name)
  end)
end)

-- The checks on a lambda's upvalues, both ways (issue 11: each check in the
-- walks has a test that fails when the check is removed).
describe("lambda upvalues", function()
  local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local function base64(s)
    return (s:gsub("..?.?", function(c)
      local a, b, d = c:byte(1, 3)
      local n = (a << 16) | ((b or 0) << 8) | (d or 0)
      local out = {}
      for i = 1, 4 do
        out[i] = B64:sub(((n >> (6 * (4 - i))) & 63) + 1, ((n >> (6 * (4 - i))) & 63) + 1)
      end
      if not b then out[3], out[4] = "=", "=" elseif not d then out[4] = "=" end
      return table.concat(out)
    end))
  end
  local function lambda(fn, strip)
    return { class_name = "__lambda__",
             config = { value = base64(string.dump(fn, strip)), format = "lua54-bytecode" } }
  end

  it("a loaded lambda may have no upvalue other than _ENV, even with safe mode off", function()
    local secret = 1
    local two = function() return secret, print end     -- upvalues: secret, _ENV
    assert.has_error(function() kserial.deserialize(lambda(two), { safe_mode = false }) end,
      "kserial: a lambda may have no upvalue other than _ENV (at $.config)")
    local one = function() return print end              -- _ENV only
    assert.equal(print, kserial.deserialize(lambda(one), { safe_mode = false })())
  end)

  it("a stripped function is a lambda only when its single upvalue is the globals table", function()
    local f = load(string.dump(function() return print end, true))
    assert.equal("__lambda__", kserial.serialize(f).class_name)
    debug.setupvalue(f, 1, { print = "not the globals" })
    assert.has_error(function() kserial.serialize({ f = f }) end,
      "kserial: cannot serialize a lambda with upvalue '(no name)': only functions whose sole "
      .. "upvalue is _ENV can be stored as bytecode (at $.f)")
  end)
end)
