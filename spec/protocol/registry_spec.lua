local kserial = require "kserial"

local class = require("ks_helpers").class

describe("the registry", function()
  before_each(function() kserial.clear_custom_objects() end)

  describe("register_serializable", function()
    it("registers a class under Custom>__name by default and returns it", function()
      local C = class("Dense")
      assert.equal(C, kserial.register_serializable()(C))
      assert.equal("Custom>Dense", kserial.get_registered_name(C))
      assert.equal(C, kserial.get_registered_object("Custom>Dense"))
      assert.equal(C, kserial.get_custom_objects()["Custom>Dense"])
    end)

    it("uses the package and name given", function()
      local C = class("Dense")
      kserial.register_serializable("my_pkg", "MyDense")(C)
      assert.equal("my_pkg>MyDense", kserial.get_registered_name(C))
      assert.is_nil(kserial.get_registered_object("Custom>Dense"))
    end)

    it("registers a function only with a name", function()
      local f = function() end
      assert.has_error(function() kserial.register_serializable("pkg")(f) end,
        "kserial: register_serializable: a function has no name; pass one: register_serializable(package, name)(fn)")
      kserial.register_serializable("pkg", "f")(f)
      assert.equal("pkg>f", kserial.get_registered_name(f))
    end)

    it("refuses a class without get_config", function()
      local C = kserial.class("NoConfig")
      assert.has_error(function() kserial.register_serializable()(C) end,
        "kserial: Cannot register a class that does not have a get_config() method.")
      assert.is_nil(kserial.get_registered_object("Custom>NoConfig"))
    end)

    it("accepts an inherited get_config", function()
      local Base = class("Base")
      local Sub = kserial.class("Sub", Base)
      kserial.register_serializable()(Sub)
      assert.equal("Custom>Sub", kserial.get_registered_name(Sub))
    end)

    it("refuses empty names and names with '>'", function()
      for _, bad in ipairs({ "", "a>b", ">" }) do
        assert.has_error(function() kserial.register_serializable(bad) end)
        assert.has_error(function() kserial.register_serializable("p", bad) end)
      end
      assert.has_error(function() kserial.register_serializable("p")(class("a>b")) end)
      assert.has_error(function() kserial.register_serializable(3) end)
      local n = 0
      for _ in pairs(kserial.get_custom_objects()) do n = n + 1 end
      assert.equal(0, n)
    end)

    it("refuses values that are not classes or functions", function()
      assert.has_error(function() kserial.register_serializable("p", "n")(42) end)
      assert.has_error(function() kserial.register_serializable("p", "n")("s") end)
    end)

    it("needs a __name or an explicit name for a class", function()
      local C = { get_config = function() return {} end }
      assert.has_error(function() kserial.register_serializable()(C) end,
        "kserial: register_serializable: the class has no __name; pass a name")
      kserial.register_serializable("p", "Anon")(C)
      assert.equal("p>Anon", kserial.get_registered_name(C))
    end)

    it("replaces an entry registered again under the same key", function()
      local A, B = class("X"), class("X")
      kserial.register_serializable()(A)
      kserial.register_serializable()(B)
      assert.equal(B, kserial.get_registered_object("Custom>X"))
      assert.equal("Custom>X", kserial.get_registered_name(B))
      -- A is no longer registered: its reverse entry is gone
      assert.equal("X", kserial.get_registered_name(A))
    end)

    it("keeps the newest key for an object registered twice", function()
      local A = class("A")
      kserial.register_serializable("one")(A)
      kserial.register_serializable("two")(A)
      assert.equal("two>A", kserial.get_registered_name(A))
      assert.equal(A, kserial.get_registered_object("one>A"))
    end)
  end)

  describe("get_registered_name", function()
    it("falls back on the class's own __name", function()
      assert.equal("Plain", kserial.get_registered_name(class("Plain")))
    end)
    it("is nil for an unregistered function or a number", function()
      assert.is_nil(kserial.get_registered_name(function() end))
      assert.is_nil(kserial.get_registered_name(12))
    end)
  end)

  describe("get_custom_objects", function()
    it("is a live view: writes add and remove, pairs iterates", function()
      local view = kserial.get_custom_objects()
      local C = class("Live")
      view.Live = C
      assert.equal(C, kserial.get_registered_object("Live"))
      assert.equal(C, kserial.get_custom_objects().Live)
      local seen = {}
      for k, v in pairs(view) do seen[k] = v end
      assert.same({ Live = C }, seen)
      view.Live = nil
      assert.is_nil(kserial.get_registered_object("Live"))
      for k in pairs(view) do error("still there: " .. k) end
    end)

    it("does not make a reverse entry (like Keras's dict)", function()
      local C = class("ViaView")
      kserial.get_custom_objects().alias = C
      assert.equal("ViaView", kserial.get_registered_name(C))
    end)

    it("drops the reverse entry when its key is overwritten", function()
      local A, B = class("A"), class("B")
      kserial.register_serializable("p")(A)
      kserial.get_custom_objects()["p>A"] = B
      assert.equal("A", kserial.get_registered_name(A))
      assert.equal(B, kserial.get_registered_object("p>A"))
    end)

    it("refuses non-string and empty keys", function()
      local view = kserial.get_custom_objects()
      assert.has_error(function() view[1] = class("N") end)
      assert.has_error(function() view[""] = class("N") end)
    end)

    it("does not show objects that are only in a scope", function()
      local C = class("Scoped")
      local _scope <close> = kserial.custom_object_scope({ Scoped = C })
      assert.equal(C, kserial.get_registered_object("Scoped"))
      assert.is_nil(kserial.get_custom_objects().Scoped)
    end)

    it("is emptied by clear_custom_objects", function()
      local C = class("Gone")
      kserial.register_serializable()(C)
      kserial.clear_custom_objects()
      for _ in pairs(kserial.get_custom_objects()) do error("not empty") end
      assert.is_nil(kserial.get_registered_object("Custom>Gone"))
      assert.equal("Gone", kserial.get_registered_name(C))
    end)
  end)

  describe("get_registered_object", function()
    it("looks in scope, then registry, then custom_objects, then module_objects", function()
      local S, R, C, M = class("S"), class("R"), class("C"), class("M")
      assert.equal(M, kserial.get_registered_object("k", nil, { k = M }))
      assert.equal(C, kserial.get_registered_object("k", { k = C }, { k = M }))
      kserial.get_custom_objects().k = R
      assert.equal(R, kserial.get_registered_object("k", { k = C }, { k = M }))
      local _scope <close> = kserial.custom_object_scope({ k = S })
      assert.equal(S, kserial.get_registered_object("k", { k = C }, { k = M }))
    end)
    it("is nil when nothing matches", function()
      assert.is_nil(kserial.get_registered_object("nothing", {}, {}))
    end)
    -- every documented form: (name), (name, custom), (name, nil, module),
    -- (name, custom, module), and nil for an absent dict
    it("takes every documented combination of its optional arguments", function()
      local R, C, M = class("R"), class("C"), class("M")
      kserial.get_custom_objects().r = R
      assert.equal(R, kserial.get_registered_object("r"))
      assert.equal(C, kserial.get_registered_object("c", { c = C }))
      assert.equal(R, kserial.get_registered_object("r", { c = C }))
      assert.is_nil(kserial.get_registered_object("m", { c = C }))
      assert.equal(M, kserial.get_registered_object("m", nil, { m = M }))
      assert.equal(C, kserial.get_registered_object("c", { c = C }, { m = M }))
      assert.equal(M, kserial.get_registered_object("m", { c = C }, { m = M }))
      assert.equal(R, kserial.get_registered_object("r", nil, nil))
      assert.is_nil(kserial.get_registered_object("m", { c = C }, nil))
    end)
    it("refuses dicts that are not tables, naming the argument", function()
      assert.has_error(function() kserial.get_registered_object("x", 1) end,
        "kserial: custom_objects must be a table, got number")
      assert.has_error(function() kserial.get_registered_object("x", {}, "m") end,
        "kserial: module_objects must be a table, got string")
    end)
  end)

  -- Numbers, strings, booleans (and null) can never be what a name resolves
  -- to: refused where they would be registered or put in a scope, not at
  -- load time. The registry and the scopes are unchanged afterwards.
  describe("values that can never resolve", function()
    local H = require "ks_helpers"
    local function refused(pattern, f, ...)
      local before = H.registry_snapshot()
      local ok, err = pcall(f, ...)
      assert.is_false(ok)
      assert.matches(pattern, err)
      assert.same(before, H.registry_snapshot())
      assert.is_nil(kserial.get_registered_object("Bad"))
    end
    it("are refused by the global dict", function()
      local view = kserial.get_custom_objects()
      refused(":%d+: kserial: get_custom_objects%(%): 'Bad' is a number, which can never be looked up",
              function() view.Bad = 42 end)
      refused("'Bad' is a string", function() view.Bad = "Dense" end)
      refused("'Bad' is a boolean", function() view.Bad = true end)
      refused("'Bad' is a null", function() view.Bad = kserial.null end)
    end)
    it("are refused by custom_object_scope and with_custom_objects", function()
      refused("^kserial: custom_object_scope: 'Bad' is a number", kserial.custom_object_scope, { Bad = 42 })
      refused("'Bad' is a string", kserial.custom_object_scope, { Fine = class("Fine") }, { Bad = "x" })
      refused("'Bad' is a boolean", kserial.with_custom_objects, { Bad = false }, function() end)
      -- no scope was left open: a new one is the innermost and closes
      local s = kserial.custom_object_scope({ Fine = class("Fine") })
      assert.has_no.errors(function() s:close() end)
    end)
    it("are refused by register_module, which then registers nothing", function()
      refused("^kserial: register_module: 'y' is a number", kserial.register_module, "m", { y = 42 })
      assert.has_error(function()
        kserial.deserialize({ module = "m", class_name = "y", config = {} })
      end)
    end)
    it("are refused in a call's custom_objects and module_objects", function()
      refused("'Bad' is a number", kserial.deserialize, "Bad", { custom_objects = { Bad = 1 } })
      refused("'Bad' is a string", kserial.loads, '"Bad"', { module_objects = { Bad = "s" }, safe_mode = false })
      refused("'Bad' is a string", kserial.get_registered_object, "Bad", nil, { Bad = "s" })
      -- the failed calls left no scope open and safe mode as it was
      assert.is_true(kserial.in_safe_mode())
      local s = kserial.custom_object_scope({})
      assert.has_no.errors(function() s:close() end)
    end)
    it("accept classes, functions and userdata", function()
      local view = kserial.get_custom_objects()
      view.T, view.F, view.U = class("T"), print, io.stdout
      assert.equal(io.stdout, kserial.get_registered_object("U"))
    end)
  end)

  -- Errors raised where the user's code calls kserial name that line, as
  -- luaL_error does; through pcall(f, ...) they start with "kserial: ".
  describe("errors of registration and scopes", function()
    local function where(f)
      local ok, err = pcall(f)
      assert.is_false(ok)
      return err
    end
    it("carry the caller's position", function()
      local this = debug.getinfo(1, "S").short_src
      assert.matches("^" .. this:gsub("%p", "%%%0") .. ":%d+: kserial: register_serializable: ",
        where(function() kserial.register_serializable("a>b") end))
      assert.matches(":%d+: kserial: register_module: ",
        where(function() kserial.register_module("", {}) end))
      assert.matches(":%d+: kserial: get_custom_objects%(%): keys must be strings",
        where(function() kserial.get_custom_objects()[1] = class("X") end))
      local outer = kserial.custom_object_scope({})
      local inner = kserial.custom_object_scope({})
      assert.matches(":%d+: kserial: scope closed out of order",
        where(function() outer:close() end))
      inner:close(); outer:close()
    end)
    it("start with kserial: when called through pcall", function()
      local ok, err = pcall(kserial.register_module, "", {})
      assert.is_false(ok)
      assert.matches("^kserial: register_module: ", err)
    end)
  end)

  describe("argument errors", function()
    it("start with kserial: and name the function and the argument", function()
      local ok, err = pcall(kserial.serialize)
      assert.is_false(ok)
      assert.equal("kserial: bad argument #1 to '?' (value expected)", err)
      assert.matches(":%d+: kserial: bad argument #1 to 'serialize' %(value expected%)$",
        select(2, pcall(function() kserial.serialize() end)))
      assert.matches(":%d+: kserial: bad argument #2 to 'register_module' %(table expected, got number%)$",
        select(2, pcall(function() kserial.register_module("m", 1) end)))
      assert.matches(":%d+: kserial: bad argument #1 to 'get_registered_object' %(string expected, got no value%)$",
        select(2, pcall(function() kserial.get_registered_object() end)))
      assert.matches(":%d+: kserial: bad argument #1 to 'safe_mode_scope' %(boolean expected, got string%)$",
        select(2, pcall(function() kserial.safe_mode_scope("yes") end)))
      assert.matches(":%d+: kserial: bad argument #2 to 'with_custom_objects' %(function expected, got no value%)$",
        select(2, pcall(function() kserial.with_custom_objects({}) end)))
      assert.matches(":%d+: kserial: bad argument #2 to 'save' %(string expected, got number%)$",
        select(2, pcall(function() kserial.save({}, 12) end)))
      assert.matches(":%d+: kserial: bad argument #1 to 'loads' %(string expected, got table%)$",
        select(2, pcall(function() kserial.loads({}) end)))
    end)
  end)

  describe("register_module", function()
    it("makes a module's members reachable by module and name", function()
      local Dense = class("Dense")
      kserial.register_module("keras.layers", { Dense = Dense })
      finally(function() kserial.register_module("keras.layers", {}) end)
      local env = kserial.serialize(setmetatable({}, Dense))
      assert.equal("keras.layers", env.module)
      assert.equal("Dense", env.class_name)
      assert.equal(kserial.null, env.registered_name)
      local back = kserial.deserialize({ module = "keras.layers", class_name = "Dense", config = {} })
      assert.equal(Dense, getmetatable(back))
    end)
    it("takes a snapshot: later changes to the table are not seen", function()
      local t = {}
      kserial.register_module("snap", t)
      finally(function() kserial.register_module("snap", {}) end)
      t.Late = class("Late")
      assert.has_error(function()
        kserial.deserialize({ module = "snap", class_name = "Late", config = {} })
      end)
    end)
    it("refuses an empty module name", function()
      assert.has_error(function() kserial.register_module("", {}) end)
    end)
  end)
end)
