-- Hostile documents that name dangerous things: every way a config can
-- name something (a function envelope, a class envelope's class_name,
-- module or registered_name, a plain string, a dict key) times every
-- dangerous thing in a Lua program. Nothing is reached: spies on all of
-- them stay silent, the result holds none of them, the error is exact and
-- the engine's state is unchanged.
local kserial = require "kserial"
local H = require "hostile"
local json = kserial.json
local null = kserial.null

local TARGETS = {
  "os.execute", "os.remove", "os.exit", "io.open", "io.popen", "_G", "_G.load",
  "_ENV", "load", "loadfile", "dofile", "require", "loadstring", "string.dump",
  "debug.sethook", "debug.getregistry", "debug.setmetatable", "package.loadlib",
  "package.loaded.os", "package.loaded", "package.preload", "setmetatable",
  "rawset", "collectgarbage", "coroutine.wrap",
  "kserial", "kserial.enable_unsafe_deserialization", "kserial.safe_mode_scope",
  "kserial.register_serializable", "kserial.clear_custom_objects",
  "kserial.custom_object_scope", "kserial.loads", "kserial.load", "kserial.save",
  "kserial.register_module", "kserial.json.decode",
  "enable_unsafe_deserialization", "safe_mode_scope", "os>execute", "kserial>loads",
  "Custom>os.execute", "builtins.eval", "eval", "exec", "__import__", "getattr",
  "keras.src.saving.serialization_lib.enable_unsafe_deserialization",
}

local LOCATE = ". Make sure custom classes are registered with kserial.register_serializable()."

-- module, rest: "a.b.c" -> "a.b", "c"; "a>b" -> "a", "b"; "x" -> nil, "x"
local function split(name)
  local m, r = name:match("^(.*)[%.>]([^%.>]+)$")
  if m then return m, r end
  return nil, name
end

-- A __name__-shaped class_name is a Keras marker (like __tuple__): with no
-- handler registered it stays a kserial.marker holding its envelope.
local function marker_or(name, outcome)
  if not name:match("^__.+__$") then return outcome end
  return { check = function(v)
    local mt = getmetatable(v)
    return mt ~= nil and mt.__name == "kserial.marker" and v.class_name == name
  end }
end

-- Each vector: how a document names `name`, and the exact outcome.
local VECTORS = {
  { "a function envelope's config", function(name)
      return { module = null, class_name = "function", config = name, registered_name = null },
        { error = "kserial: Could not locate function '" .. name .. "'" .. LOCATE .. " (at $)" }
    end },
  { "a function envelope's module and config", function(name)
      local m, r = split(name)
      return { module = m or name, class_name = "function", config = r, registered_name = null },
        { error = "kserial: Could not locate function '" .. r .. "'" .. LOCATE .. " (at $)" }
    end },
  { "a class_name", function(name)
      return { module = null, class_name = name, config = {}, registered_name = null },
        marker_or(name, { error = "kserial: Could not locate class '" .. name .. "'" .. LOCATE .. " (at $)" })
    end },
  { "a module and class_name", function(name)
      local m, r = split(name)
      return { module = m or name, class_name = r, config = {}, registered_name = null },
        marker_or(r, { error = "kserial: Could not locate class '" .. r .. "'" .. LOCATE .. " (at $)" })
    end },
  { "a registered_name beside a registered class_name", function(name)
      return { module = null, class_name = "Probe", config = {}, registered_name = name },
        { error = "kserial: Could not locate class '" .. name .. "'" .. LOCATE .. " (at $)" }
    end },
  { "a nested envelope", function(name)
      return { module = null, class_name = "Probe", registered_name = "hostile>Probe",
               config = { inner = { module = null, class_name = "function", config = name } } },
        { error = "kserial: Could not locate function '" .. name .. "'" .. LOCATE
            .. " (at $.config.inner)" }
    end },
  { "a plain string", function(name)
      return name, { value = name }
    end },
  { "a string in a list", function(name)
      return json.array{ name, 1 }, { value = json.array{ name, 1 } }
    end },
  { "a string in a registered object's config", function(name)
      return { module = null, class_name = "Probe", registered_name = "hostile>Probe",
               config = { target = name } },
        { check = function(v) return getmetatable(v) == H.Probe and v.config.target == name end }
    end },
  { "a dict key", function(name)
      return { [name] = name }, { value = { [name] = name } }
    end },
}

local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

describe("hostile names", function()
  setup(H.setup)

  it("the spies see any reach (so their silence means something)", function()
    local log = H.watch(function() return os.getenv("HOME"), string.dump(print ~= nil and function() end) end)
    assert.same({ "os.getenv", "string.dump" }, log)
    log = H.watch(function() return rawget(_G, "x"), _G.no_such_global, package.loaded["os.execute"] end)
    assert.same({ "_G.rawget", "missing no_such_global", "missing os.execute" }, log)
    log = H.watch(function() return kserial.in_safe_mode() end)
    assert.same({ "kserial.in_safe_mode" }, log)
    assert.equal("os.execute", H.reaches({ a = { os.execute } }))
    assert.equal("the registry", H.reaches({ debug.getregistry() }))
    assert.equal("kserial", H.reaches(setmetatable({}, { __index = kserial })))
    assert.is_nil(H.reaches({ "os.execute", { 1, 2 } }))
  end)

  local tried = 0
  for _, vector in ipairs(VECTORS) do
    it("through " .. vector[1] .. " reach nothing", function()
      for _, name in ipairs(TARGETS) do
        local doc, want = vector[2](name)
        local text = json.encode(doc)
        for _, entry in ipairs({ "loads", "deserialize" }) do
          local before = H.state()
          local input = entry == "loads" and text or json.decode(text)
          local log, ok, got = H.watch(kserial[entry], input)
          tried = tried + 1
          local where = entry .. " of " .. text
          assert.same({}, log, where)
          if want.error then
            assert.is_false(ok, where)
            assert.equal(want.error, got, where)
          else
            assert.is_true(ok, where .. ": " .. tostring(got))
            assert.is_nil(H.reaches(got), where)
            if want.check then assert.is_true(want.check(got), where)
            else assert.is_true(same(want.value, got), where) end
          end
          assert.same(before, H.state(), where)
        end
      end
    end)
  end

  it("with module_objects, an unknown top-level name is refused", function()
    for _, name in ipairs(TARGETS) do
      local log, ok, err = H.watch(kserial.deserialize, name, { module_objects = {} })
      assert.same({}, log)
      assert.is_false(ok)
      assert.equal("kserial: Unknown object: '" .. name .. "'. Please ensure you are using a "
        .. "kserial.custom_object_scope and that this object is included in the scope. (at $)", err)
    end
  end)

  it("a registered module is an allow-list, not a path to walk", function()
    kserial.register_module("keras.layers", { Dense = H.Probe })
    finally(function() kserial.register_module("keras.layers", {}) end)
    for _, cname in ipairs({ "Dense.from_config", "Dense.__index", "__index", "__gc",
                             "__name", "Dense>Dense", "..", "", "os.execute" }) do
      local log, ok, err = H.watch(kserial.deserialize,
        { module = "keras.layers", class_name = cname, config = {} })
      assert.same({}, log)
      assert.is_false(ok)
      assert.equal("kserial: Could not locate class '" .. cname .. "'" .. LOCATE .. " (at $)", err)
    end
    for _, mod in ipairs({ "keras", "keras.layers.Dense", "keras.layers.", ".keras.layers" }) do
      local _, ok = H.watch(kserial.deserialize, { module = mod, class_name = "Dense", config = {} })
      assert.is_false(ok)
    end
    local _, ok, v = H.watch(kserial.deserialize,
      { module = "keras.layers", class_name = "Dense", config = {} })
    assert.is_true(ok)
    assert.equal(H.Probe, getmetatable(v))
  end)

  it("no kserial function is registered by default", function()
    for k, v in pairs(kserial) do
      if type(v) == "function" then
        assert.is_nil(kserial.get_registered_name(v) and kserial.get_registered_object(k))
        local _, ok = H.watch(kserial.deserialize, { class_name = "function", config = k })
        assert.is_false(ok, k)
      end
    end
  end)

  teardown(function()
    -- every vector ran over every target, both entry points
    assert.equal(#VECTORS * #TARGETS * 2, tried)
  end)
end)

describe("NUL bytes in names and paths (issue 11, finding 9)", function()
  it("save refuses a path with a NUL byte instead of writing the part before it", function()
    local target = os.tmpname()
    os.remove(target)
    local ok, err = pcall(kserial.save, { 1 }, target .. "\0.json")
    assert.is_false(ok)
    assert.matches("kserial: save: the path '.-\\u0000%.json' holds a NUL byte$", err)
    assert.is_nil(io.open(target, "r"))
  end)

  it("load refuses a path with a NUL byte instead of reading the part before it", function()
    local target = os.tmpname()
    kserial.save({ 1 }, target)
    local ok, err = pcall(kserial.load, target .. "\0y")
    assert.is_false(ok)
    assert.matches("kserial: load: the path '.-\\u0000y' holds a NUL byte$", err)
    os.remove(target)
  end)

  it("register_special refuses a name with a NUL byte and names that are not markers", function()
    assert.has_error(function() kserial.register_special("__tuple__\0junk", { decode = print }) end,
      "kserial: register_special: the name holds a NUL byte")
    assert.has_error(function() kserial.register_special("function", { decode = print }) end,
      "kserial: register_special: 'function' is not a marker name (__name__)")
    -- function references still resolve through the registry, not a handler
    local _, ok = H.watch(kserial.deserialize, { class_name = "function", config = "print" })
    assert.is_false(ok)
  end)
end)
