-- A NUL byte in a name, or in a key that becomes a name, is a clear error
-- (the core's ks_check_key / ks_check_name), never a name cut at the NUL:
-- "__tuple__\0junk" must not install "__tuple__", "Dense\0x" must not
-- register "Dense". Nothing changes when it is refused.
local kserial = require "kserial"
local H = require "ks_helpers"

local function refused(pattern, fn, ...)
  local before = H.registry_snapshot()
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "accepted")
  assert.matches(pattern, err, 1, true)
  assert.same(before, H.registry_snapshot())
  return err
end

describe("NUL bytes in names", function()
  local C
  before_each(function()
    kserial.clear_custom_objects()
    C = kserial.class("C")
    function C:get_config() return {} end
  end)

  it("register_serializable refuses them in the package and in the name", function()
    local err = refused("register_serializable: package 'pkg\\u0000x' must be non-empty and may not contain '>' or a NUL byte",
                        kserial.register_serializable, "pkg\0x")
    assert.matches("^kserial: ", err)
    refused("name 'C\\u0000junk' must be non-empty", kserial.register_serializable, "pkg", "C\0junk")
    assert.is_nil(kserial.get_registered_object("pkg>C"))
  end)

  it("register_module refuses them in the module name and in member keys", function()
    refused("register_module: the module name must be non-empty and hold no NUL byte, not 'mod\\u0000x'",
            kserial.register_module, "mod\0x", { C = C })
    refused("register_module: keys must be non-empty and hold no NUL byte, not 'C\\u0000x'",
            kserial.register_module, "mod", { C = C, ["C\0x"] = C })
    -- the module was not registered under its cut name either
    assert.has_error(function()
      kserial.loads('{"module": "mod", "class_name": "C", "config": {}}')
    end)
  end)

  it("custom_object_scope, custom_objects and module_objects refuse them", function()
    refused("keys must be non-empty and hold no NUL byte, not 'C\\u0000x'",
            kserial.custom_object_scope, { ["C\0x"] = C })
    assert.is_nil(kserial.get_registered_object("C"))     -- no scope left open
    local text = '{"class_name": "C", "config": {}}'
    refused("custom_objects: keys must be non-empty and hold no NUL byte",
            kserial.loads, text, { custom_objects = { ["C\0"] = C } })
    refused("module_objects: keys must be non-empty and hold no NUL byte",
            kserial.deserialize, "C", { module_objects = { ["C\0"] = C } })
    assert.is_true(kserial.in_safe_mode())
  end)

  it("get_custom_objects() refuses them as keys", function()
    local view = kserial.get_custom_objects()
    refused("get_custom_objects(): keys must be non-empty and hold no NUL byte, not 'k\\u0000'",
            function() view["k\0"] = C end)
    assert.is_nil(view["k"])
  end)
end)
