local kserial = require "kserial"
local json = kserial.json
local null = kserial.null

local class = require("ks_helpers").class

describe("serialize", function()
  before_each(function() kserial.clear_custom_objects() end)

  describe("plain values", function()
    it("keeps nil, null, booleans, numbers and UTF-8 strings", function()
      assert.is_nil(kserial.serialize(nil))
      assert.equal(null, kserial.serialize(null))
      assert.equal(true, kserial.serialize(true))
      assert.equal(false, kserial.serialize(false))
      assert.equal(math.maxinteger, kserial.serialize(math.maxinteger))
      assert.equal("integer", math.type(kserial.serialize(3)))
      assert.equal("float", math.type(kserial.serialize(3.0)))
      assert.equal("héllo ✓", kserial.serialize("héllo ✓"))
    end)

    it("refuses NaN and infinities with the path", function()
      assert.has_error(function() kserial.serialize({ a = { 0 / 0 } }) end)
      local ok, err = pcall(kserial.serialize, { a = { 1, math.huge } })
      assert.is_false(ok)
      assert.matches("JSON has no NaN or infinity %(at %$%.a%[1%]%)$", err)
    end)

    it("turns a non-UTF-8 string into a __bytes__ envelope", function()
      local env = kserial.serialize("\xff\x00ab")
      assert.equal("__bytes__", env.class_name)
      assert.same({ value = "/wBhYg==", encoding = "base64" }, env.config)
      assert.is_nil(env.module)
      assert.equal("\xff\x00ab", kserial.deserialize(env))
    end)

    it("refuses threads, light userdata and unknown userdata", function()
      assert.has_error(function() kserial.serialize(coroutine.create(print)) end,
        "kserial: cannot serialize a value of type thread (at $)")
      assert.has_error(function() kserial.serialize({ x = io.stdout }) end)
    end)
  end)

  describe("plain tables", function()
    it("serializes arrays and dicts element by element, marking them", function()
      local out = kserial.serialize({ a = { 1, 2, { b = "c" } }, e = {} })
      assert.equal(json.object_mt, getmetatable(out))
      assert.equal(json.array_mt, getmetatable(out.a))
      assert.equal(json.object_mt, getmetatable(out.e))
      assert.same({ b = "c" }, setmetatable(out.a[3], nil))
    end)

    it("keeps marked empty arrays as arrays", function()
      assert.equal(json.array_mt, getmetatable(kserial.serialize(json.array({}))))
      assert.equal("[]", kserial.dumps(json.array()))
      assert.equal("{}", kserial.dumps({}))
    end)

    it("refuses mixed keys, naming the key and the path", function()
      local ok, err = pcall(kserial.serialize, { layers = { { 1, 2, x = 1 } } })
      assert.is_false(ok)
      assert.matches("found key 'x' %(at %$%.layers%[0%]%)$", err)
      ok, err = pcall(kserial.serialize, { cfg = { [true] = 1 } })
      assert.is_false(ok)
      assert.matches("found key true %(at %$%.cfg%)$", err)
      ok, err = pcall(kserial.serialize, { [1.5] = 1 })
      assert.is_false(ok)
      assert.matches("found key 1%.5", err)
    end)

    it("refuses arrays with holes", function()
      local t = { 1, 2, 3, 4 }
      t[2] = nil
      assert.has_error(function() kserial.serialize(t) end)
      assert.has_error(function() kserial.serialize({ [2] = "x" }) end)
    end)

    it("names keys that are not identifiers in brackets", function()
      local ok, err = pcall(kserial.serialize, { ["my key"] = { 0 / 0 } })
      assert.is_false(ok)
      assert.matches('%(at %$%["my key"%]%[0%]%)$', err)
    end)
  end)

  describe("objects", function()
    it("writes the envelope of a registered class", function()
      local Dense = class("Dense", { "units" })
      Dense.__module = "my.layers"
      kserial.register_serializable("pkg")(Dense)
      local env = kserial.serialize(Dense{ units = 4 })
      assert.equal("my.layers", env.module)
      assert.equal("Dense", env.class_name)
      assert.equal("pkg>Dense", env.registered_name)
      assert.same({ units = 4 }, setmetatable(env.config, nil))
      assert.is_nil(env.shared_object_id)
    end)

    it("writes module null for a registered class without __module", function()
      local C = class("C")
      kserial.register_serializable()(C)
      assert.equal(null, kserial.serialize(C{}).module)
    end)

    it("writes an unregistered class with its own name as registered_name", function()
      local C = class("Loose", {})
      local env = kserial.serialize(C{})
      assert.equal(null, env.module)
      assert.equal("Loose", env.class_name)
      assert.equal("Loose", env.registered_name)
    end)

    it("names an unregistered class by its __name up to a NUL byte, as its messages do", function()
      local C = class("Odd", {})
      getmetatable(C{}).__name = "Odd\0Name"
      local env = kserial.serialize(C{})
      assert.equal("Odd", env.class_name)
      assert.equal("Odd", env.registered_name)
      assert.equal(kserial.json.encode(env), kserial.dumps(C{}))
    end)

    it("writes a module class with module, its key, and registered_name null", function()
      local C = class("Internal")
      kserial.register_module("keras.layers", { Dense = C })
      finally(function() kserial.register_module("keras.layers", {}) end)
      local env = kserial.serialize(C{})
      assert.equal("keras.layers", env.module)
      assert.equal("Dense", env.class_name)
      assert.equal(null, env.registered_name)
    end)

    it("writes envelope keys in Keras's order", function()
      local C = class("Ord", { "z", "a" })
      function C:get_build_config() return { input_shape = json.array({ 2, 4 }) } end
      function C:get_compile_config() return {} end
      kserial.register_serializable()(C)
      assert.equal('{"module":null,"class_name":"Ord","config":{"a":1,"z":2},'
        .. '"registered_name":"Custom>Ord","build_config":{"input_shape":[2,4]},'
        .. '"compile_config":{}}', kserial.dumps(C{ z = 2, a = 1 }))
    end)

    it("omits build_config and compile_config when the hooks return nil", function()
      local C = class("Hooks")
      function C:get_build_config() return nil end
      local env = kserial.serialize(C{})
      assert.is_nil(env.build_config)
      assert.is_nil(env.compile_config)
    end)

    it("serializes objects nested in configs", function()
      local Inner = class("Inner", { "v" })
      local Outer = class("Outer", { "child", "list" })
      local env = kserial.serialize(Outer{ child = Inner{ v = 1 }, list = { Inner{ v = 2 } } })
      assert.equal("Inner", env.config.child.class_name)
      assert.equal(2, env.config.list[1].config.v)
    end)

    it("serializes userdata objects through their metatable", function()
      -- io file handles have a __name but no get_config: refused
      assert.has_error(function() kserial.serialize(io.stdout) end,
        "kserial: Cannot serialize object of type FILE*. To be serializable, a class must implement the get_config() method. (at $)")
    end)

    it("refuses an object without get_config with Keras's message", function()
      local C = setmetatable({}, { __name = "X" })
      local obj = setmetatable({}, { __name = "NoCfg" })
      assert.has_error(function() kserial.serialize({ o = obj }) end,
        "kserial: Cannot serialize object of type NoCfg. To be serializable, a class must implement the get_config() method. (at $.o)")
      assert.is_table(C)
    end)

    it("refuses get_config results that are not tables", function()
      local C = kserial.class("Bad")
      function C:get_config() return 42 end
      assert.has_error(function() kserial.serialize(C{}) end,
        "kserial: The get_config() method of Bad should return a table. It returned: number (at $)")
      function C:get_config() return setmetatable({}, C) end
      assert.has_error(function() kserial.serialize(C{}) end,
        "kserial: The get_config() method of Bad should return a plain table. It returned a table with a metatable (Bad), which would be written as an object, not as its config (at $)")
    end)

    it("re-raises get_config errors with class, path and the message whole", function()
      local C = kserial.class("Boom")
      function C:get_config() error("disk on fire", 0) end
      local ok, err = pcall(kserial.serialize, { layers = { C{} } })
      assert.is_false(ok)
      assert.matches("kserial: get_config%(%) of 'Boom' raised an error: disk on fire %(at %$%.layers%[0%]%)$", err)
    end)

    it("passes error objects from get_config through untouched", function()
      local C = kserial.class("Obj")
      local e = { code = 1 }
      function C:get_config() error(e) end
      local ok, err = pcall(kserial.serialize, C{})
      assert.is_false(ok)
      assert.equal(e, err)
    end)

    it("points errors at the caller's line", function()
      local ok, err = pcall(function() return kserial.serialize(0 / 0) end)
      assert.is_false(ok)
      assert.matches("^.-serialize_spec%.lua:%d+: kserial: ", err)
    end)
  end)

  describe("functions", function()
    it("writes a registered function as a function envelope", function()
      local relu = function(x) return x end
      kserial.register_serializable("act", "relu")(relu)
      assert.equal('{"module":null,"class_name":"function","config":"act>relu",'
        .. '"registered_name":"act>relu"}', kserial.dumps(relu))
    end)
    it("writes a function of a registered module with that module", function()
      local tanh = function(x) return x end
      kserial.register_module("keras.activations", { tanh = tanh })
      finally(function() kserial.register_module("keras.activations", {}) end)
      local env = kserial.serialize(tanh)
      assert.equal("keras.activations", env.module)
      assert.equal("tanh", env.config)
    end)
    it("refuses an unregistered C function", function()
      assert.has_error(function() kserial.serialize(print) end,
        "kserial: cannot serialize an unregistered C function: register it with kserial.register_serializable(package, name) (at $)")
    end)
  end)
end)

-- Issue 11, finding 5: kserial never writes what loads refuses.
describe("what the build and compile hooks return", function()
  local function class_with(hook, ret)
    local C = kserial.class("Hooked" .. hook)
    function C:get_config() return {} end
    C[hook] = function() return ret end
    return C
  end

  it("must serialize to a dict or null, or serialize fails naming the hook", function()
    for _, case in ipairs({
      { "get_build_config", 42, "integer", "build_config" },
      { "get_compile_config", "adam", "string", "compile_config" },
      { "get_build_config", { 1, 2 }, "array", "build_config" },
      { "get_compile_config", true, "boolean", "compile_config" },
    }) do
      local C = class_with(case[1], case[2])
      local ok, err = pcall(kserial.dumps, { m = C{} })
      assert.is_false(ok)
      assert.equal("kserial: " .. case[1] .. "() of 'Hooked" .. case[1] .. "' returned " .. case[3]
        .. "; an envelope's \"" .. case[4] .. "\" must be a dict or null, and loads would "
        .. "refuse it (at $.m)", err:match("kserial: .*"))
    end
  end)

  it("a dict, an empty table or null is written, and loads reads it back", function()
    for _, ret in ipairs({ { shape = { 1, 2 } }, {}, kserial.null }) do
      local C = class_with("get_build_config", ret)
      function C.from_config(cls) return cls.new{} end
      kserial.register_serializable("hooks")(C)
      local text = kserial.dumps(C{})
      assert.equal(C, getmetatable(kserial.loads(text)))
    end
  end)
end)
