-- scan and loads judge every envelope by the same rules. Over every hostile
-- document (spec/hostile/docs/) and every fuzz regression input
-- (fuzz/regressions/*/), with spies on the from_config of every class a
-- document can reach:
--   * every class whose from_config loads runs, every registered function
--     in what loads builds, and every lambda loads meets, scan lists (found;
--     or, for a name that only a scope opened by a hook at load time
--     resolves, not found, and the document is then not clean);
--   * every document loads refuses for an envelope reason is not clean for
--     scan.
local kserial = require "kserial"
local H = require "ks_helpers"
local hostile = require "hostile"

local source = os.getenv("KSERIAL_SOURCE") or "."
local SAFE_MSG = "Requested the deserialization of a lambda object"

-- The messages of loads that judge an envelope (src/lua/envelope.c).
local ENVELOPE_REASONS = {
  "the envelope's \"", "shared_object_id must be an integer", "a function's config must be",
  "a __bytes__ config must be", "Could not locate ", "inconsistent envelope",
  "where a class was expected", ", not a function",
}

local function envelope_reason(err)
  if type(err) ~= "string" then return false end
  for _, r in ipairs(ENVELOPE_REASONS) do
    if err:find(r, 1, true) then return true end
  end
  return false
end

local function inputs()
  local out = {}
  local dir = source .. "/spec/hostile/docs"
  for _, f in ipairs(H.list(dir, "%.json$")) do
    out[#out + 1] = { name = "hostile/" .. f, text = H.read(dir .. "/" .. f) }
  end
  for _, target in ipairs({ "fuzz_json_decode", "fuzz_loads", "fuzz_scan" }) do
    local d = source .. "/fuzz/regressions/" .. target
    for _, f in ipairs(H.list(d, "^[^.]")) do   -- one flag byte, then the text
      out[#out + 1] = { name = target .. "/" .. f, text = H.read(d .. "/" .. f):sub(2) }
    end
  end
  return out
end

describe("scan agrees with loads", function()
  local R, classes, callables, reached
  local saved = {}

  setup(function()
    kserial.clear_custom_objects()
    hostile.setup()
    R = dofile(source .. "/fuzz/lua/registry.lua")(kserial, { reentrant = false })
    -- everything a document can reach: the global dict and the modules
    classes, callables = {}, {}
    local function note(v)
      if type(v) == "table" and type(v.from_config) == "function" then classes[v] = true
      elseif type(v) == "function" or (type(v) == "table" and (getmetatable(v) or {}).__call) then
        callables[v] = true
      end
    end
    for _, v in pairs(kserial.get_custom_objects()) do note(v) end
    for _, members in pairs(R.modules) do
      for _, v in pairs(members) do note(v) end
    end
    -- spies: every from_config records that loads reached its class
    for cls in pairs(classes) do
      local orig, raw = cls.from_config, rawget(cls, "from_config")
      saved[#saved + 1] = { cls, raw }
      rawset(cls, "from_config", function(...)
        reached[cls] = true
        return orig(...)
      end)
    end
  end)

  teardown(function()
    for _, s in ipairs(saved) do rawset(s[1], "from_config", s[2]) end
    kserial.clear_custom_objects()
  end)

  -- Registered callables in what loads built.
  local function collect(v, seen)
    if callables[v] then reached[v] = true end
    if type(v) == "table" and not seen[v] then
      seen[v] = true
      for k, x in next, v do collect(k, seen); collect(x, seen) end
    end
  end

  -- What a name scan calls found may stand for.
  local function candidates(name, into)
    local v = kserial.get_registered_object(name)
    if v ~= nil then into[v] = true end
    for _, members in pairs(R.modules) do
      if members[name] ~= nil then into[members[name]] = true end
    end
    for k, x in pairs(kserial.get_custom_objects()) do
      if #k > #name and k:sub(-#name - 1) == ">" .. name then into[x] = true end
    end
  end

  local docs = inputs()

  it("has inputs", function()
    assert.is_true(#docs > 100, "only " .. #docs .. " inputs")
  end)

  -- Calls fn(d, ok, v) with loads' outcome for every input that decodes,
  -- with `reached` (the spies' record) fresh for each.
  local function each_loaded(fn)
    for _, d in ipairs(docs) do
      if pcall(kserial.json.decode, d.text) then
        reached = {}
        fn(d, pcall(kserial.loads, d.text))
      end
    end
  end

  it("scan lists every class, function and lambda loads reaches", function()
    local checked = 0
    each_loaded(function(d, ok, v)
      if ok then collect(v, {}) end
      local okr, r = pcall(kserial.scan, d.text)
      assert(okr, d.name .. ": scan raised " .. tostring(r))
      local found, missing = {}, false
      for _, it in ipairs(r.items) do
        if it.found and it.name then candidates(it.name, found) end
        if it.found == false then missing = true end
      end
      for o in pairs(reached) do
        checked = checked + 1
        -- a name that only a scope opened by a hook resolves is listed as
        -- not found, and then the document is not clean
        assert(found[o] or (missing and not r.clean),
               d.name .. ": loads reached " .. tostring(o) .. ", scan did not list it")
      end
      if not ok and type(v) == "string" and v:find(SAFE_MSG, 1, true) then
        checked = checked + 1
        assert(r.unsafe, d.name .. ": loads met a lambda, scan calls the document safe")
      end
    end)
    assert.is_true(checked > 20, "only " .. checked .. " reached things were checked")
  end)

  it("every document loads refuses for an envelope reason is not clean for scan", function()
    local refused = 0
    each_loaded(function(d, ok, err)
      if not ok and envelope_reason(err) then
        refused = refused + 1
        local r = kserial.scan(d.text)
        assert.is_false(r.clean, d.name .. ": loads says " .. err .. ", scan calls it clean")
      end
    end)
    assert.is_true(refused > 20, "only " .. refused .. " documents refused for an envelope reason")
  end)
end)
