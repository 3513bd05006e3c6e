local kserial = require "kserial"

local class = require("ks_helpers").class

describe("custom_object_scope", function()
  before_each(function() kserial.clear_custom_objects() end)

  it("makes objects visible while open and restores the previous scope on close", function()
    local A = class("A")
    do
      local s <close> = kserial.custom_object_scope({ A = A })
      assert.equal(A, kserial.get_registered_object("A"))
      assert.is_true(s:is_open())
    end
    assert.is_nil(kserial.get_registered_object("A"))
  end)

  it("merges several dicts, later wins, on top of the outer scope", function()
    local A1, A2, B = class("A1"), class("A2"), class("B")
    local _outer <close> = kserial.custom_object_scope({ B = B, A = A1 })
    do
      local _inner <close> = kserial.custom_object_scope({ A = A1 }, { A = A2 })
      assert.equal(A2, kserial.get_registered_object("A"))
      assert.equal(B, kserial.get_registered_object("B"))   -- outer still seen
    end
    assert.equal(A1, kserial.get_registered_object("A"))
  end)

  it("can be closed with :close(), and closing twice is harmless", function()
    local s = kserial.custom_object_scope({ X = class("X") })
    s:close()
    assert.is_false(s:is_open())
    assert.has_no_error(function() s:close() end)
    assert.is_nil(kserial.get_registered_object("X"))
  end)

  it("refuses to close out of order and changes nothing", function()
    local a = kserial.custom_object_scope({ A = class("A") })
    local b = kserial.custom_object_scope({ B = class("B") })
    assert.has_error(function() a:close() end,
      "kserial: scope closed out of order: close the innermost scope first")
    assert.is_true(a:is_open())
    assert.is_true(b:is_open())
    assert.is_not_nil(kserial.get_registered_object("A"))
    b:close()
    a:close()
    assert.is_nil(kserial.get_registered_object("A"))
  end)

  it("closes what an error left open when a <close> variable unwinds", function()
    local A = class("A")
    local ok = pcall(function()
      local _scope <close> = kserial.custom_object_scope({ A = A })
      kserial.custom_object_scope({ Leak = A })   -- never closed
      error("boom")
    end)
    assert.is_false(ok)
    assert.is_nil(kserial.get_registered_object("A"))
    assert.is_nil(kserial.get_registered_object("Leak"))
  end)

  it("is removed quietly when collected unclosed", function()
    do kserial.custom_object_scope({ G = class("G") }) end
    collectgarbage()
    collectgarbage()
    assert.is_nil(kserial.get_registered_object("G"))
  end)

  it("refuses arguments that are not tables and opens nothing", function()
    assert.has_error(function() kserial.custom_object_scope({}, 5) end)
    assert.has_error(function() kserial.custom_object_scope({ [1] = class("N") }) end)
    local probe = kserial.custom_object_scope({})
    probe:close()   -- would fail out of order if something had been left open
  end)

  it("has a readable tostring", function()
    local s <close> = kserial.custom_object_scope({})
    assert.matches("^kserial.custom_object_scope %(open%)", tostring(s))
  end)
end)

describe("with_custom_objects", function()
  it("runs fn with its arguments inside a scope and returns its results", function()
    local C = class("W")
    local a, b = kserial.with_custom_objects({ W = C }, function(x, y)
      return kserial.get_registered_object("W"), x + y
    end, 1, 2)
    assert.equal(C, a)
    assert.equal(3, b)
    assert.is_nil(kserial.get_registered_object("W"))
  end)
  it("restores the scope when fn raises, and re-raises the error", function()
    local C = class("W")
    local ok, err = pcall(kserial.with_custom_objects, { W = C }, function()
      error({ code = 7 })
    end)
    assert.is_false(ok)
    assert.same({ code = 7 }, err)
    assert.is_nil(kserial.get_registered_object("W"))
  end)
end)

describe("safe mode", function()
  local lambda_env
  local function make_lambda()
    local env = kserial.serialize(function(x) return x * 2 end)
    assert.equal("__lambda__", env.class_name)
    return env
  end

  it("is on by default", function()
    assert.is_true(kserial.in_safe_mode())
    lambda_env = make_lambda()
    assert.has_error(function() kserial.deserialize(lambda_env) end)
  end)

  it("an explicit safe_mode = false lets a lambda load", function()
    local f = kserial.deserialize(make_lambda(), { safe_mode = false })
    assert.equal(10, f(5))
  end)

  it("safe_mode_scope(false) turns it off inside, and is restored", function()
    do
      local _scope <close> = kserial.safe_mode_scope(false)
      assert.is_false(kserial.in_safe_mode())
      assert.equal(4, kserial.deserialize(make_lambda())(2))
    end
    assert.is_true(kserial.in_safe_mode())
  end)

  it("inside safe_mode_scope(true) an explicit false cannot lift it", function()
    local _scope <close> = kserial.safe_mode_scope(true)
    assert.has_error(function() kserial.deserialize(make_lambda(), { safe_mode = false }) end)
  end)

  it("an explicit true is honoured even inside safe_mode_scope(false)", function()
    local _scope <close> = kserial.safe_mode_scope(false)
    assert.has_error(function() kserial.deserialize(make_lambda(), { safe_mode = true }) end)
  end)

  it("safe_mode_scope wants a boolean", function()
    assert.has_error(function() kserial.safe_mode_scope("no") end)
    assert.has_error(function() kserial.safe_mode_scope() end)
  end)

  it("safe_mode option must be a boolean", function()
    assert.has_error(function() kserial.deserialize(1, { safe_mode = "false" }) end,
      "kserial: deserialize: option 'safe_mode' must be a boolean (got string)")
  end)
end)

describe("enable_unsafe_deserialization", function()
  -- run in a fresh state so the switch does not leak into other specs
  it("turns the default off for this state only, never an explicit true", function()
    local code = [[
      local kserial = require "kserial"
      local env = kserial.serialize(function(x) return x + 1 end)
      assert(not pcall(kserial.deserialize, env))
      kserial.enable_unsafe_deserialization()
      assert(kserial.in_safe_mode() == false)
      assert(kserial.deserialize(env)(1) == 2)
      assert(not pcall(kserial.deserialize, env, { safe_mode = true }))
      do
        local s <close> = kserial.safe_mode_scope(true)
        assert(not pcall(kserial.deserialize, env))
      end
      print("ok")
    ]]
    local out, status = require("ks_helpers").run_lua(code)
    assert.equal(0, status, out)
    assert.equal("ok\n", out)
  end)
end)
