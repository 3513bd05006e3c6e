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
      local s <close> = kserial.custom_object_scope({ Scoped = C })
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
      local s <close> = kserial.custom_object_scope({ k = S })
      assert.equal(S, kserial.get_registered_object("k", { k = C }, { k = M }))
    end)
    it("is nil when nothing matches", function()
      assert.is_nil(kserial.get_registered_object("nothing", {}, {}))
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
