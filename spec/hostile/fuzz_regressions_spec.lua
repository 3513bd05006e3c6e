-- Replays every input of fuzz/regressions/<target>/ (the crashes the
-- libFuzzer targets found, and hand-made hostile inputs) in the normal test
-- suite, without clang: each input must return or raise a clean
-- "kserial: " error through the API it was found with, and pass the fuzz
-- harness of its target (fuzz/lua/<harness>.lua) with all its invariants.
-- The C-only paths of fuzz_loads (the C API helpers, the userdata class)
-- fall back to their Lua equivalents here.
local kserial = require "kserial"
local H = require "ks_helpers"

local source = os.getenv("KSERIAL_SOURCE") or "."
local fuzz = source .. "/fuzz"

local TARGETS = {   -- regression directory -> harness
  { dir = "fuzz_json_decode", harness = "json" },
  { dir = "fuzz_loads", harness = "loads" },
  { dir = "fuzz_scan", harness = "scan" },
}

-- Every harness builds its own registry; the spec puts the one it found
-- back when it ends (teardown below), so the next spec starts clean.
local saved, modules_used = H.registry_snapshot(), {}
local function harness(name)
  kserial.clear_custom_objects()
  local registry = dofile(fuzz .. "/lua/registry.lua")
  local testhooks = require "kserial.testhooks"
  local hooks = { fail = function(msg) error("fuzz invariant: " .. msg, 0) end,
                  cjson_parse = testhooks.cjson_parse,
                  cjson_roundtrip = testhooks.cjson_roundtrip }
  local M = assert(loadfile(fuzz .. "/lua/" .. name .. ".lua"))(kserial, hooks, registry)
  for m in pairs(M.registry and M.registry.modules or {}) do modules_used[m] = true end
  return M
end

local function is_clean(err, R)
  return (type(err) == "string" and err:sub(1, 9) == "kserial: ")
    or (R ~= nil and rawequal(err, R.error_value))
end

-- The API each target fuzzes, called directly on the input's text.
local DIRECT = {
  json = function(text)
    local ok, err = pcall(kserial.json.decode, text)
    assert(ok or is_clean(err), "json.decode raised: " .. tostring(err))
  end,
  loads = function(text, M)
    local ok, err = pcall(kserial.loads, text)
    assert(ok or is_clean(err, M.registry), "loads raised: " .. tostring(err))
    assert.is_true(kserial.in_safe_mode())
  end,
  scan = function(text)
    local decoded = pcall(kserial.json.decode, text)
    local ok, report = pcall(kserial.scan, text)
    assert.equal(decoded, ok, "scan and json.decode disagree: " .. tostring(report))
    if not ok then assert(is_clean(report), "scan raised: " .. tostring(report)) return end
    assert.is_table(report.items)
    assert.is_boolean(report.unsafe)
  end,
}

for _, t in ipairs(TARGETS) do
  describe("fuzz/regressions/" .. t.dir, function()
    local dir = fuzz .. "/regressions/" .. t.dir
    local files = H.list(dir, "^[^.]")
    local M

    it("has inputs to replay", function()
      assert.is_true(#files > 0, dir .. " is empty")
      M = harness(t.harness)
      assert.is_function(M.run)
    end)

    for _, name in ipairs(files) do
      it(name .. ": returns or raises a clean kserial error, invariants hold", function()
        local data = H.read(dir .. "/" .. name)
        DIRECT[t.harness](data:sub(2), M)
        local ok, err = pcall(M.run, data)
        assert(ok, tostring(err))
      end)
    end
  end)
end

-- The harness must be able to fail: it is what turns a silent state drift
-- into a fuzzer crash.
describe("the fuzz_loads harness", function()
  local M
  setup(function() M = harness("loads") end)

  it("accepts a clean run", function()
    assert.has_no.errors(function() M.run("\0[1, 2.5, \"x\"]") end)
  end)

  it("reports safe mode left off around the call", function()
    local _scope <close> = kserial.safe_mode_scope(false)
    assert.has_error(function() M.run("\0[1]") end,
                     "fuzz invariant: in_safe_mode() is wrong inside the harness scopes")
  end)

  it("reports a change of the global dict", function()
    local view = kserial.get_custom_objects()
    view["Drift"] = M.registry.custom.Dense
    local ok, err = pcall(M.run, "\0[1]")
    view["Drift"] = nil
    assert.is_false(ok)
    assert.matches("global dict has %d+ entries", err)
  end)

  it("reports a lambda that a safe call let through", function()
    local view = kserial.get_custom_objects()
    local lambda = load("return 1")
    view["Sneaky"] = lambda        -- a string naming it resolves to it
    local ok, err = pcall(M.run, '\0["Sneaky"]')
    view["Sneaky"] = nil
    assert.is_false(ok)
    assert.matches("made from a lambda", err)
  end)
end)

teardown(function()
  for m in pairs(modules_used) do kserial.register_module(m, {}) end
  H.registry_restore(saved)
end)
