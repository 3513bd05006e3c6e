local kserial = require "kserial"
local json = kserial.json
local null = kserial.null

local class = require("ks_helpers").class

local function env(class_name, config, extra)
  local e = { module = null, class_name = class_name, config = config or {},
              registered_name = null }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

-- A class whose from_config raises "leaf is bad" when its config says bad.
local function failing_leaf(name)
  local Leaf = class(name, {})
  Leaf.from_config = function(_, c)
    if c.bad then error("leaf is bad", 0) end
    return setmetatable({}, Leaf)
  end
  return Leaf
end

describe("deserialize", function()
  before_each(function() kserial.clear_custom_objects() end)

  describe("plain values", function()
    it("gives nil for nil and null at top level, null inside containers", function()
      assert.is_nil(kserial.deserialize(nil))
      assert.is_nil(kserial.deserialize(null))
      local out = kserial.deserialize({ a = null, b = { null } })
      assert.equal(null, out.a)
      assert.equal(null, out.b[1])
    end)

    it("keeps booleans, numbers and unknown strings", function()
      assert.equal(true, kserial.deserialize(true))
      assert.equal("integer", math.type(kserial.deserialize(7)))
      assert.equal("float", math.type(kserial.deserialize(7.0)))
      assert.equal("relu", kserial.deserialize("relu"))
    end)

    it("turns a string that names an object into that object", function()
      local f = function() end
      kserial.register_serializable("act", "relu")(f)
      assert.equal(f, kserial.deserialize("act>relu"))
      assert.equal(f, kserial.deserialize({ activation = "act>relu" }).activation)
    end)

    it("with module_objects, a string that resolves nowhere is Keras 2's error", function()
      local relu = function() end
      assert.equal(relu, kserial.deserialize("relu", { module_objects = { relu = relu } }))
      assert.has_error(function()
        kserial.deserialize("gelu", { module_objects = { relu = relu },
                                      printable_module_name = "activation function" })
      end, "kserial: Unknown activation function: 'gelu'. Please ensure you are using a kserial.custom_object_scope and that this object is included in the scope. (at $)")
      assert.has_error(function()
        kserial.deserialize("gelu", { module_objects = {} })
      end, "kserial: Unknown object: 'gelu'. Please ensure you are using a kserial.custom_object_scope and that this object is included in the scope. (at $)")
    end)

    it("with module_objects, an unresolvable string inside a config is kept, not raised", function()
      local relu = function() end
      local out = kserial.deserialize({ act = "gelu", list = { "relu", "swish" } },
        { module_objects = { relu = relu } })
      assert.equal("gelu", out.act)
      assert.equal(relu, out.list[1])
      assert.equal("swish", out.list[2])
    end)

    it("deserializes arrays and dicts element by element, keeping markers", function()
      local out = kserial.deserialize(json.decode('{"a": [1, {"b": []}], "c": {}}'))
      assert.equal(json.object_mt, getmetatable(out))
      assert.equal(json.array_mt, getmetatable(out.a))
      assert.equal(json.array_mt, getmetatable(out.a[2].b))
      assert.equal(json.object_mt, getmetatable(out.c))
    end)

    it("treats a dict without both class_name and config as a plain dict", function()
      local out = kserial.deserialize({ class_name = "Nope", other = 1 })
      assert.same({ class_name = "Nope", other = 1 }, setmetatable(out, nil))
    end)

    it("refuses unknown options and options of the wrong type", function()
      assert.has_error(function() kserial.deserialize(1, { safe = true }) end,
        "kserial: deserialize: unknown option 'safe'")
      assert.has_error(function() kserial.deserialize(1, { custom_objects = 3 }) end,
        "kserial: deserialize: option 'custom_objects' must be a table (got number)")
      assert.has_error(function() kserial.deserialize(1, "opts") end)
    end)
  end)

  describe("classes", function()
    it("finds a registered class by registered_name and calls from_config with the class", function()
      local C = class("Dense", { "units" })
      local seen_self, seen_config
      C.from_config = function(self, config)
        seen_self, seen_config = self, config
        return self.new(config)
      end
      kserial.register_serializable("pkg")(C)
      local cfg = { units = 3 }
      local obj = kserial.deserialize(env("Dense", cfg, { registered_name = "pkg>Dense" }))
      assert.equal(C, getmetatable(obj))
      assert.equal(C, seen_self)
      assert.equal(cfg, seen_config)          -- the config as stored
      assert.equal(3, obj.units)
    end)

    it("does not deserialize nested envelopes for from_config", function()
      local Inner = class("Inner", {})
      kserial.register_serializable()(Inner)
      local Outer = class("Outer", {})
      local got
      Outer.from_config = function(self, config) got = config.child; return self.new() end
      kserial.register_serializable()(Outer)
      local inner_env = env("Inner", {}, { registered_name = "Custom>Inner" })
      kserial.deserialize(env("Outer", { child = inner_env }, { registered_name = "Custom>Outer" }))
      assert.equal(inner_env, got)
    end)

    it("builds an inherited from_config into the subclass", function()
      local Base = class("Base", {})
      local Sub = kserial.class("Sub", Base)
      kserial.register_serializable()(Sub)
      local obj = kserial.deserialize(env("Sub", {}, { registered_name = "Custom>Sub" }))
      assert.equal(Sub, getmetatable(obj))
    end)

    it("uses class_name when registered_name is absent, null or empty", function()
      local C = class("K2", {})
      for _, rn in ipairs({ null, "" }) do
        local obj = kserial.deserialize(env("K2", {}, { registered_name = rn }),
          { custom_objects = { K2 = C } })
        assert.equal(C, getmetatable(obj))
      end
      local obj = kserial.deserialize({ class_name = "K2", config = {} },
        { custom_objects = { K2 = C } })
      assert.equal(C, getmetatable(obj))
    end)

    it("falls back on module + class_name through registered modules", function()
      local C = class("Dense", {})
      kserial.register_module("keras.layers", { Dense = C })
      finally(function() kserial.register_module("keras.layers", {}) end)
      local obj = kserial.deserialize(env("Dense", {}, { module = "keras.layers" }))
      assert.equal(C, getmetatable(obj))
      -- registered_name equal to class_name is consistent (Keras 3's ops)
      obj = kserial.deserialize(env("Dense", {}, { module = "keras.layers",
                                                   registered_name = "Dense" }))
      assert.equal(C, getmetatable(obj))
    end)

    it("refuses a registered_name that does not resolve when module + class_name do", function()
      kserial.register_module("keras.layers", { Dense = class("Dense", {}) })
      finally(function() kserial.register_module("keras.layers", {}) end)
      assert.has_error(function()
        kserial.deserialize(env("Dense", {}, { module = "keras.layers",
                                               registered_name = "evil>Dense" }))
      end, "kserial: inconsistent envelope: registered_name 'evil>Dense' is not registered, but module 'keras.layers' has a class 'Dense'; refusing to guess (at $)")
    end)

    it("follows the lookup order: scope, registry, custom_objects", function()
      local S, R, C = class("S", {}), class("R", {}), class("C", {})
      kserial.get_custom_objects().K = R
      local e = env("K", {})
      assert.equal(R, getmetatable(kserial.deserialize(e, { custom_objects = { K = C } })))
      local _scope <close> = kserial.custom_object_scope({ K = S })
      assert.equal(S, getmetatable(kserial.deserialize(e, { custom_objects = { K = C } })))
    end)

    it("makes custom_objects visible during from_config and gone after", function()
      local Child = class("Child", {})
      local Parent = class("Parent", {})
      local during
      Parent.from_config = function(self, config)
        during = kserial.get_registered_object("Child")
        return self.new{ child = kserial.deserialize(config.child) }
      end
      local obj = kserial.deserialize(env("Parent", { child = env("Child") }),
        { custom_objects = { Parent = Parent, Child = Child } })
      assert.equal(Child, during)
      assert.equal(Child, getmetatable(obj.child))
      assert.is_nil(kserial.get_registered_object("Child"))
    end)

    it("says when a class cannot be found", function()
      assert.has_error(function() kserial.deserialize({ layers = { env("Ghost") } }) end,
        "kserial: Could not locate class 'Ghost'. Make sure custom classes are registered with kserial.register_serializable(). (at $.layers[0])")
    end)

    it("refuses a function where a class was expected", function()
      kserial.get_custom_objects().os_execute = function() end
      assert.has_error(function() kserial.deserialize(env("os_execute")) end,
        "kserial: 'os_execute' names a function where a class was expected (at $)")
    end)

    it("refuses a class without from_config", function()
      local C = { __name = "NoFrom", get_config = function() return {} end }
      kserial.get_custom_objects().NoFrom = C
      assert.has_error(function() kserial.deserialize(env("NoFrom")) end,
        "kserial: Unable to reconstruct an instance of 'NoFrom' because the class is missing a from_config() method. (at $)")
    end)

    it("re-raises from_config errors with class name, path and the message whole", function()
      local C = class("Fails", {})
      C.from_config = function() error("bad units: -1", 0) end
      kserial.get_custom_objects().Fails = C
      assert.has_error(function() kserial.deserialize({ a = { env("Fails") } }) end,
        "kserial: from_config() of 'Fails' raised an error: bad units: -1 (at $.a[0])")
    end)

    it("refuses from_config returning nil", function()
      local C = class("Nil", {})
      C.from_config = function() return nil end
      kserial.get_custom_objects().Nil = C
      assert.has_error(function() kserial.deserialize(env("Nil")) end,
        "kserial: from_config() of 'Nil' returned nil (at $)")
    end)

    it("checks the types of envelope keys", function()
      local C = class("T", {})
      kserial.get_custom_objects().T = C
      assert.has_error(function() kserial.deserialize({ class_name = 5, config = {} }) end,
        "kserial: the envelope's \"class_name\" must be a string, not integer (at $)")
      assert.has_error(function() kserial.deserialize(env("T", "text")) end,
        "kserial: the envelope's \"config\" of 'T' must be a dict, not string (at $)")
      assert.has_error(function() kserial.deserialize(env("T", {}, { module = 3 })) end,
        "kserial: the envelope's \"module\" must be a string or null, not integer (at $)")
      assert.has_error(function() kserial.deserialize(env("T", {}, { registered_name = {} })) end)
      assert.has_error(function() kserial.deserialize(env("T", {}, { shared_object_id = "1" })) end,
        "kserial: shared_object_id must be an integer, not string (at $)")
      assert.has_error(function() kserial.deserialize(env("T", {}, { shared_object_id = 1.5 })) end)
    end)

    it("passes null config as an empty dict", function()
      local C = class("N", {})
      local got
      C.from_config = function(self, config) got = config; return self.new() end
      kserial.get_custom_objects().N = C
      kserial.deserialize({ class_name = "N", config = null })
      assert.same({}, got)
    end)

    it("accepts Keras 2's list-style configs", function()
      local C = class("Sequential", {})
      local got
      C.from_config = function(self, config) got = config; return self.new() end
      kserial.deserialize({ class_name = "Sequential", config = json.array({ 1 }) },
        { custom_objects = { Sequential = C } })
      assert.same({ 1 }, got)
    end)

    it("calls build_from_config and compile_from_config when present", function()
      local C = class("Hooked", {})
      local calls = {}
      function C:build_from_config(cfg) calls[#calls + 1] = { "build", cfg.shape } end
      function C:compile_from_config(cfg) calls[#calls + 1] = { "compile", cfg.opt } end
      kserial.get_custom_objects().Hooked = C
      kserial.deserialize(env("Hooked", {}, { build_config = { shape = 2 },
                                              compile_config = { opt = "adam" } }))
      assert.same({ { "build", 2 }, { "compile", "adam" } }, calls)
    end)

    it("refuses a build_config or compile_config that is not a dict", function()
      local C = class("HookedCfg", {})
      kserial.get_custom_objects().HookedCfg = C
      for _, case in ipairs({
        { { 1, 2 }, "array" }, { "x", "string" }, { 3, "integer" },
        { setmetatable({}, { __name = "Live" }), "Live" },   -- a live object is not a dict
      }) do
        assert.has_error(function()
          kserial.deserialize(env("HookedCfg", {}, { compile_config = case[1] }))
        end, "kserial: the envelope's \"compile_config\" must be a dict or null, not "
          .. case[2] .. " (at $)")
      end
    end)

    it("reports a failing build_from_config by name", function()
      local C = class("BadBuild", {})
      function C:build_from_config() error("no shape", 0) end
      kserial.get_custom_objects().BadBuild = C
      assert.has_error(function()
        kserial.deserialize(env("BadBuild", {}, { build_config = {} }))
      end, "kserial: build_from_config() of 'BadBuild' raised an error: no shape (at $)")
    end)

    it("finds hooks through every kind of __index, and runs user code in them protected", function()
      -- inherited through a chain of plain tables, deeper than the runner's quick look
      local base = class("Deep", {})
      local made = 0
      base.from_config = function(cls) made = made + 1; return setmetatable({}, cls) end
      local top = base
      for _ = 1, 150 do top = setmetatable({}, { __index = top }) end
      kserial.get_custom_objects().Deep = top
      assert.is_table(kserial.deserialize(env("Deep")))
      -- through an __index function (user code, run by the runner)
      local viafn = setmetatable({ __name = "ViaFn" }, {
        __index = function(_, k) if k == "from_config" then return base.from_config end end })
      kserial.get_custom_objects().ViaFn = viafn
      assert.is_table(kserial.deserialize(env("ViaFn")))
      -- a callable object as from_config
      local callable = setmetatable({}, { __call = function() made = made + 1; return setmetatable({}, base) end })
      kserial.get_custom_objects().Callable = { __name = "Callable", from_config = callable }
      assert.is_table(kserial.deserialize(env("Callable")))
      assert.equal(3, made)
      -- an __index function that fails names the hook, as a failing from_config does
      kserial.get_custom_objects().BadIndex = setmetatable({ __name = "BadIndex" }, {
        __index = function() error("no such field", 0) end })
      assert.has_error(function() kserial.deserialize({ x = env("BadIndex") }) end,
        "kserial: from_config() of 'BadIndex' raised an error: no such field (at $.x)")
      -- an __index chain that ends without the method: the missing-method message
      kserial.get_custom_objects().Hollow = setmetatable({ __name = "Hollow" },
        { __index = setmetatable({}, { __index = {} }) })
      assert.has_error(function() kserial.deserialize(env("Hollow")) end,
        "kserial: Unable to reconstruct an instance of 'Hollow' because the class is missing a from_config() method. (at $)")
      assert.is_true(kserial.in_safe_mode())
    end)

    it("runs the build and compile hooks on the configs it checked, whatever from_config does to the envelope", function()
      local C = class("Judged", {})
      local e, got = {}, {}
      C.from_config = function(cls)
        e.build_config = "not a dict"       -- after the check: changes nothing
        e.compile_config = { late = true }  -- absent when checked: not run
        return setmetatable({}, cls)
      end
      function C:build_from_config(cfg) got[#got + 1] = cfg end
      function C:compile_from_config(cfg) got[#got + 1] = cfg end
      kserial.get_custom_objects().Judged = C
      for k, v in pairs(env("Judged", {}, { build_config = { shape = 3 } })) do e[k] = v end
      kserial.deserialize(e)
      assert.equal(1, #got)
      assert.same({ shape = 3 }, got[1])
    end)

    it("locates errors of nested calls at any depth, also after a caught one", function()
      local Leaf = failing_leaf("NLeaf")
      local Mid = class("NMid", {})
      Mid.from_config = function(cls, c)
        -- a nested call that fails and is caught: its notes must not stick
        pcall(kserial.deserialize, c.first)
        return setmetatable({ kids = kserial.deserialize(c.kids) }, cls)
      end
      local Top = class("NTop", {})
      Top.from_config = function(cls, c)
        return setmetatable({ mid = kserial.deserialize(c.layers[2]) }, cls)
      end
      for _, k in ipairs({ Leaf, Mid, Top }) do kserial.get_custom_objects()[k.__name] = k end
      local doc = env("NTop", { layers = { 1, env("NMid", {
        first = env("NLeaf", { bad = true }),
        kids = { env("NLeaf", {}), env("NLeaf", { bad = true }) } }) } })
      assert.has_error(function() kserial.deserialize(doc) end,
        "kserial: from_config() of 'NLeaf' raised an error: leaf is bad "
        .. "(at $.config.layers[1].config.kids[1])")
      -- a hook that makes a value of its own and hands it over: the call is named
      Top.from_config = function() return kserial.deserialize({ y = env("NLeaf", { bad = true }) }) end
      assert.has_error(function() kserial.deserialize({ top = env("NTop") }) end,
        "kserial: from_config() of 'NLeaf' raised an error: leaf is bad "
        .. "(at $.y (in a call made by from_config() of 'NTop' at $.top))")
    end)

    it("locates values of the build and compile configs under their own keys, and names the hook that made a call", function()
      local Leaf = failing_leaf("BLeaf")
      local H = class("BHost", {})
      H.from_config = function(cls) return setmetatable({}, cls) end
      kserial.get_custom_objects().BLeaf = Leaf
      kserial.get_custom_objects().BHost = H
      local bad = { kid = env("BLeaf", { bad = true }) }
      -- a nested call on a part of the build config
      function H:build_from_config(b) kserial.deserialize(b.kid) end
      assert.has_error(function() kserial.deserialize({ a = env("BHost", {}, { build_config = bad }) }) end,
        "kserial: from_config() of 'BLeaf' raised an error: leaf is bad (at $.a.build_config.kid)")
      -- the same in compile_from_config, after a build hook that made calls of its own
      function H:build_from_config(b) kserial.deserialize(b.kid) end
      function H:compile_from_config(c) kserial.deserialize(c.kid) end
      assert.has_error(function()
        kserial.deserialize({ a = env("BHost", {}, { build_config = { kid = env("BLeaf") },
                                                    compile_config = bad }) })
      end, "kserial: from_config() of 'BLeaf' raised an error: leaf is bad (at $.a.compile_config.kid)")
      -- config_error on the build config names build_config
      function H:build_from_config(b) kserial.config_error(b, "shape", "bad shape") end
      assert.has_error(function()
        kserial.deserialize({ a = env("BHost", {}, { build_config = { shape = 1 } }) })
      end, "kserial: bad shape (at $.a.build_config.shape)")
      -- a value a build hook made itself: the call is named by that hook
      function H:build_from_config() kserial.deserialize({ y = env("BLeaf", { bad = true }) }) end
      assert.has_error(function()
        kserial.deserialize({ a = env("BHost", {}, { build_config = { shape = 1 } }) })
      end, "kserial: from_config() of 'BLeaf' raised an error: leaf is bad "
        .. "(at $.y (in a call made by build_from_config() of 'BHost' at $.a))")
      -- and one a special's decode made
      kserial.register_special("__bmake__", { decode = function()
        return kserial.deserialize({ y = env("BLeaf", { bad = true }) })
      end })
      assert.has_error(function() kserial.deserialize({ s = { class_name = "__bmake__", config = {} } }) end,
        "kserial: from_config() of 'BLeaf' raised an error: leaf is bad "
        .. "(at $.y (in a call made by decode() of special '__bmake__' at $.s))")
      kserial.register_special("__bmake__", nil)
      -- and from_config's own config is still "config"
      H.from_config = function(_, c) kserial.config_error(c, "units", "bad units") end
      assert.has_error(function()
        kserial.deserialize({ a = env("BHost", {}, { build_config = { shape = 1 } }) })
      end, "kserial: bad units (at $.a.config.units)")
    end)

    it("refuses a from_config that leaves a scope open, and closes it", function()
      local C = class("Leaky", {})
      C.from_config = function(self)
        kserial.custom_object_scope({ Leak = C })
        return self.new()
      end
      kserial.get_custom_objects().Leaky = C
      assert.has_error(function() kserial.deserialize(env("Leaky")) end,
        "kserial: from_config() of 'Leaky' left a scope open; scopes opened in a hook must be closed in it, with <close> or :close() (at $)")
      assert.is_nil(kserial.get_registered_object("Leak"))
      assert.is_true(kserial.in_safe_mode())
    end)
  end)

  -- A call remembers which class a name resolved to (the walk's speed on
  -- documents that name a few classes thousands of times); nothing it
  -- remembers may outlive a change that would resolve the name otherwise.
  describe("a name met again in the same call", function()
    local A, B, Holder
    local function thing(i) return env("Thing", { i = i }, { registered_name = "pkg>Thing" }) end
    before_each(function()
      A, B = class("A", { "i" }), class("B", { "i" })
      kserial.register_serializable("pkg", "Thing")(A)
      Holder = class("Holder", {})
      kserial.register_serializable("pkg")(Holder)
    end)
    local function holding(items) return env("Holder", { items = items }, { registered_name = "pkg>Holder" }) end
    local function run(between)
      local got = {}
      Holder.from_config = function(cls, c)
        for i, item in ipairs(c.items) do
          if i == 2 then between() end
          got[i] = kserial.deserialize(item)
        end
        return cls.new()
      end
      kserial.deserialize(holding({ thing(1), thing(2), thing(3) }))
      return got
    end

    it("resolves again after the name is registered to another class", function()
      local got = run(function() kserial.register_serializable("pkg", "Thing")(B) end)
      assert.equal(A, getmetatable(got[1]))
      assert.equal(B, getmetatable(got[2]))
      assert.equal(B, getmetatable(got[3]))
    end)

    it("is refused after the name is removed from the global dict", function()
      assert.has_error(function()
        run(function() kserial.get_custom_objects()["pkg>Thing"] = nil end)
      end, "kserial: Could not locate class 'pkg>Thing'. Make sure custom classes are "
        .. "registered with kserial.register_serializable(). (at $.config.items[1])")
    end)

    it("is refused after clear_custom_objects", function()
      local ok, err = pcall(run, function() kserial.clear_custom_objects() end)
      assert.is_false(ok)
      assert.matches("Could not locate class 'pkg>Thing'", err, 1, true)
    end)

    it("sees a custom_object_scope while it is open, and the registry again after", function()
      local got = {}
      Holder.from_config = function(cls, c)
        got[1] = kserial.deserialize(c.items[1])
        do
          local _scope <close> = kserial.custom_object_scope({ ["pkg>Thing"] = B })
          got[2] = kserial.deserialize(c.items[2])
        end
        got[3] = kserial.deserialize(c.items[3])
        return cls.new()
      end
      kserial.deserialize(holding({ thing(1), thing(2), thing(3) }))
      assert.equal(A, getmetatable(got[1]))
      assert.equal(B, getmetatable(got[2]))
      assert.equal(A, getmetatable(got[3]))
    end)

    it("does not carry what custom_objects or a module resolved into later calls", function()
      local M = class("M", {})
      kserial.register_module("kmod", { Other = M })
      finally(function() kserial.register_module("kmod", {}) end)
      local by_custom, by_module, errs = nil, nil, {}
      Holder.from_config = function(cls, c)
        by_custom = kserial.deserialize(c.items[1], { custom_objects = { Loose = B } })
        errs[1] = select(2, pcall(kserial.deserialize, c.items[1]))
        by_module = kserial.deserialize(c.items[2])
        errs[2] = select(2, pcall(kserial.deserialize, c.items[3]))
        return cls.new()
      end
      kserial.deserialize(holding({
        env("Loose", {}),
        env("Other", {}, { module = "kmod" }),
        env("Other", {}),                       -- no module: nothing finds it
      }))
      assert.equal(B, getmetatable(by_custom))
      assert.equal(M, getmetatable(by_module))
      assert.matches("Could not locate class 'Loose'", errs[1], 1, true)
      assert.matches("Could not locate class 'Other'", errs[2], 1, true)
    end)
  end)

  describe("functions", function()
    it("finds a function by its registered name", function()
      local f = function() end
      kserial.register_serializable("act", "relu")(f)
      assert.equal(f, kserial.deserialize({ module = null, class_name = "function",
        config = "act>relu", registered_name = "function" }))
    end)

    it("finds a bare name when exactly one key ends in >name (Keras 3.6)", function()
      local f = function() end
      kserial.register_serializable("act", "swish")(f)
      assert.equal(f, kserial.deserialize(env("function", "swish")))
      kserial.register_serializable("other", "swish")(function() end)
      assert.has_error(function() kserial.deserialize(env("function", "swish")) end,
        "kserial: Could not locate function 'swish'. Make sure custom classes are registered with kserial.register_serializable(). (at $)")
    end)

    it("finds a function through its registered module", function()
      local tanh = function() end
      kserial.register_module("keras.activations", { tanh = tanh })
      finally(function() kserial.register_module("keras.activations", {}) end)
      assert.equal(tanh, kserial.deserialize(env("function", "tanh",
        { module = "keras.activations" })))
    end)

    it("wants a string config", function()
      assert.has_error(function() kserial.deserialize(env("function", { name = "x" })) end,
        "kserial: a function's config must be its name (a string), not dict (at $.config)")
    end)

    it("refuses a name that resolves to something other than a function", function()
      kserial.get_custom_objects().notfn = { "an object" }
      assert.has_error(function() kserial.deserialize(env("function", "notfn")) end,
        "kserial: 'notfn' names a table, not a function (at $)")
    end)
  end)
end)
