-- loads.lua: the fuzz_loads harness (also replayed by
-- spec/hostile/fuzz_regressions_spec.lua). Input: one flag byte, then the text.
--
--   flags & 0x03  safe mode: 0 default, 1 safe_mode = true,
--                 2 safe_mode = false, 3 inside safe_mode_scope(false)
--                 (2 and 3 only when every lambda of the document holds
--                 known-good bytecode, see registry.lua; else as 0)
--   flags & 0x0c  names: 0 none, 4 opts.custom_objects (Keras 2 names),
--                 8 inside custom_object_scope(those names),
--                 12 opts.module_objects (activations) + printable name
--   flags & 0x30  entry: 0x00 kserial.loads, 0x10 the C API's loads,
--                 0x20 cJSON_Parse then deserialize, 0x30 json.decode
--                 then kserial.deserialize
--   flags & 0x40  after a success: dumps the result and loads it again
--   flags & 0x80  decode options allow_nan = true, max_depth = 16
--
-- After every input, whatever happened: the error (if any) is a clean
-- "kserial: " message (or the error value a hook raised on purpose); safe
-- mode, the scope stack and the registry are exactly as before; a safe call
-- produced no function made from a lambda; and a canary document still
-- loads. hooks.fail(msg) reports a broken invariant (the fuzz driver aborts).
local kserial, hooks, registry = ...
local R = registry(kserial, { userdata_class = hooks.userdata_class })
local json = kserial.json

local PROBE_KEY, PROBE = "fuzz-probe", setmetatable({}, { __name = "fuzz.probe" })
local SAFE_MSG = "Requested the deserialization of a lambda object"
local CANARY = '{"module": "keras.layers", "class_name": "Dense", "config": {"units": 3,'
  .. ' "activation": "relu"}, "registered_name": null}'
local LAMBDA = kserial.dumps(load("return 1"))

local function fail(fmt, ...) hooks.fail(string.format(fmt, ...)) end

local function snapshot()
  local snap, n = {}, 0
  for k, v in pairs(kserial.get_custom_objects()) do snap[k] = v; n = n + 1 end
  return snap, n
end
local SNAP, SNAP_N = snapshot()
local REVERSE = {}
for _, v in pairs(SNAP) do
  if type(v) == "table" or type(v) == "function" then REVERSE[v] = kserial.get_registered_name(v) end
end

-- The input text is valid UTF-8 (checked per input): then so must every
-- message be (names and paths come from the text; excerpts are cut at
-- character boundaries).
local input_utf8 = false

local function clean_error(err, what)
  if rawequal(err, R.error_value) then return end
  if type(err) ~= "string" or err:sub(1, 9) ~= "kserial: " then
    fail("%s raised an unclean error: %s", what, tostring(err))
  end
  if input_utf8 and not utf8.len(err) then
    fail("%s raised a message that is not valid UTF-8: %s", what, err)
  end
end

-- Every function reachable from v must be a registered one.
local function no_lambda(v, seen, depth)
  local t = type(v)
  if R.known[v] then return end   -- registered things, not made from the data
  if t == "function" then
    fail("a safe call returned a function made from a lambda")
  elseif t == "table" and not seen[v] and depth < 600 then
    seen[v] = true
    for _, x in next, v do no_lambda(x, seen, depth + 1) end
  end
end

local function check_state(where)
  if not kserial.in_safe_mode() then fail("%s: safe mode is off after the call", where) end
  local snap, n = snapshot()
  if n ~= SNAP_N then fail("%s: the global dict has %d entries, not %d", where, n, SNAP_N) end
  for k, v in pairs(SNAP) do
    if not rawequal(snap[k], v) then fail("%s: global dict entry %q changed", where, k) end
  end
  for v, name in pairs(REVERSE) do
    if kserial.get_registered_name(v) ~= name then
      fail("%s: get_registered_name changed for %s", where, name)
    end
  end
  if #R.violations > 0 then fail("%s: %s", where, R.violations[1]) end
end

local function run_canary()
  local ok, obj = pcall(kserial.loads, CANARY)
  if not ok then fail("the canary no longer loads: %s", tostring(obj)) end
  if getmetatable(obj) ~= R.modules["keras.layers"].Dense or obj.parts.activation ~= R.activations.relu then
    fail("the canary loads as something else")
  end
  local ok2, err = pcall(kserial.loads, LAMBDA)
  if ok2 or type(err) ~= "string" or not err:find(SAFE_MSG, 1, true) then
    fail("a lambda is no longer refused by default: %s", tostring(err))
  end
end

local function call(entry, text, opts, dopts)
  if entry == 0 then
    return pcall(kserial.loads, text, opts)
  elseif entry == 1 then
    if hooks.c_loads then return hooks.c_loads(text, opts) end
    return pcall(kserial.loads, text, opts)
  elseif entry == 2 then
    if hooks.c_from_cjson then
      local parsed, ok, v = hooks.c_from_cjson(text, opts)
      if not parsed then return true, nil end   -- cJSON refused the text
      return ok, v
    end
    local parsed, doc = pcall(hooks.cjson_parse, text)
    if not parsed then return true, nil end
    return pcall(kserial.deserialize, doc, opts)
  else
    local ok, doc = pcall(json.decode, text, dopts)
    if not ok then return ok, doc end
    return pcall(kserial.deserialize, doc, opts)
  end
end

local M = {}

function M.run(data)
  local flags = data:byte(1) or 0
  local text = data:sub(2)
  local safety, names, entry = flags & 3, (flags >> 2) & 3, (flags >> 4) & 3
  local opts, dopts = {}, {}   -- loads takes both; deserialize only opts
  if flags & 0x80 ~= 0 and entry ~= 2 then dopts.allow_nan, dopts.max_depth = true, 16 end
  if safety >= 2 then
    -- safe mode off only for lambdas holding known-good bytecode (see
    -- registry.lua: Lua's loader crashes on crafted chunks by design)
    local parsed, doc
    if entry == 2 then parsed, doc = pcall(hooks.cjson_parse, text)
    else parsed, doc = pcall(json.decode, text, dopts) end
    if parsed and not R.lambdas_are_good(doc) then safety = 0 end
  end
  if safety == 1 then opts.safe_mode = true elseif safety == 2 then opts.safe_mode = false end
  if names == 1 then opts.custom_objects = R.custom
  elseif names == 3 then
    opts.module_objects = R.activations
    opts.printable_module_name = "layer"
  end
  if flags & 0x80 ~= 0 and entry < 2 then opts.allow_nan, opts.max_depth = true, 16 end
  R.expect_safe = safety < 2
  R.violations = {}
  input_utf8 = utf8.len(text) ~= nil

  -- <close>: when a check fails (in the spec, where that raises) the
  -- harness's scopes still close, innermost first
  local probe <close> = kserial.custom_object_scope({ [PROBE_KEY] = PROBE })
  local unsafe_scope <close> = safety == 3 and kserial.safe_mode_scope(false) or nil
  local names_scope <close> = names == 2 and kserial.custom_object_scope(R.custom) or nil
  if kserial.in_safe_mode() ~= (safety ~= 3) then fail("in_safe_mode() is wrong inside the harness scopes") end

  local ok, res = call(entry, text, opts, dopts)
  if not ok then clean_error(res, "loads") end
  if ok and R.expect_safe then no_lambda(res, {}, 0) end
  if ok and flags & 0x40 ~= 0 then
    local ok2, dumped = pcall(kserial.dumps, res)
    if not ok2 then clean_error(dumped, "dumps")
    else
      if not R.expect_safe and not R.lambdas_are_good(json.decode(dumped, { max_depth = 10000 })) then
        fail("dumps wrote lambda bytecode that was not in the document")
      end
      local ok3, again = pcall(kserial.loads, dumped, opts)
      if not ok3 then clean_error(again, "loads(dumps(...))")
      elseif R.expect_safe then no_lambda(again, {}, 0) end
    end
    if hooks.c_to_cjson then
      -- the C API's serialize to cJSON: cJSON's print must be valid JSON
      local okc, ctext = hooks.c_to_cjson(res)
      if not okc then clean_error(ctext, "kserial_lua_to_cjson")
      elseif not pcall(json.decode, ctext, { max_depth = 10000 }) then
        fail("cJSON's print of kserial_lua_to_cjson's tree is not valid JSON: %s", ctext:sub(1, 200))
      end
    end
  end

  -- the harness's own scopes must close in order, and then the probe
  for _, scope in ipairs({ names_scope or false, unsafe_scope or false }) do
    if scope then
      local closed, err = pcall(scope.close, scope)
      if not closed then fail("closing a harness scope failed: %s", tostring(err)) end
    end
  end
  if not rawequal(kserial.get_registered_object(PROBE_KEY), PROBE) then
    fail("the probe scope is no longer visible")
  end
  local closed, err = pcall(probe.close, probe)
  if not closed then fail("the probe scope is not on top: %s", tostring(err)) end
  if probe:is_open() or kserial.get_registered_object(PROBE_KEY) ~= nil then
    fail("the probe scope did not close")
  end
  R.expect_safe = true
  check_state("after the input")
  run_canary()
  check_state("after the canary")
end

M.registry = R
return M
