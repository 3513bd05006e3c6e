-- Shared tools of the hostile-input suite (spec/hostile/): spies on every
-- function and table a hostile document could hope to reach, a snapshot of
-- the engine's state, and a probe class that deserializes its whole config.
local kserial = require "kserial"

local M = {}
local pcall_, setmt, getmt, rawget, rawset = pcall, setmetatable, getmetatable, rawget, rawset
local tostring = tostring

-- What is watched: these tables' functions are replaced by counting spies
-- while a call runs, and the tables get an __index that records any lookup
-- of a missing name.
local WATCHED = {
  { "_G", _G, { "load", "loadfile", "dofile", "require", "rawget", "rawset",
                "setmetatable", "getmetatable", "collectgarbage", "print", "error",
                "pcall", "xpcall", "select", "next", "tostring", "tonumber" } },
  { "os", os, "*" },
  { "io", io, "*" },
  { "debug", debug, "*" },
  { "package", package, { "loadlib", "searchpath" } },
  { "string", string, { "dump", "rep", "format", "char", "byte", "pack", "unpack" } },
  { "coroutine", coroutine, "*" },
  { "kserial", kserial, "*" },
  { "kserial.json", kserial.json, "*" },
}

-- Every function and table a result must never contain.
local forbidden = {}
for _, w in ipairs(WATCHED) do
  forbidden[w[2]] = w[1]
  for k, v in pairs(w[2]) do
    if type(v) == "function" then forbidden[v] = w[1] .. "." .. tostring(k) end
  end
end
forbidden[package.loaded] = "package.loaded"
forbidden[package.preload] = "package.preload"
forbidden[debug.getregistry()] = "the registry"

-- Runs fn(...) with every watched function replaced by a spy and every
-- watched table (plus package.loaded and package.preload) reporting lookups
-- of missing names. Returns the log (a list of names reached, empty when
-- nothing was), then pcall's results. Everything is put back on every exit.
function M.watch(fn, ...)
  local log, saved, metas = {}, {}, {}
  local armed = false
  local function note(what) if armed then log[#log + 1] = what end end
  for _, w in ipairs(WATCHED) do
    local name, t, names = w[1], w[2], w[3]
    if names == "*" then
      names = {}
      for k, v in pairs(t) do
        if type(v) == "function" and type(k) == "string" then names[#names + 1] = k end
      end
    end
    for _, k in ipairs(names) do
      local orig = rawget(t, k)
      if type(orig) == "function" then
        saved[#saved + 1] = { t, k, orig }
        rawset(t, k, function(...) note(name .. "." .. k); return orig(...) end)
      end
    end
  end
  for _, t in ipairs({ _G, package.loaded, package.preload, os, io, debug, kserial }) do
    metas[#metas + 1] = { t, getmt(t) }
    setmt(t, { __index = function(_, k) note("missing " .. tostring(k)); return nil end })
  end
  armed = true
  local results = table.pack(pcall_(fn, ...))
  armed = false
  for _, m in ipairs(metas) do setmt(m[1], m[2]) end
  for _, s in ipairs(saved) do rawset(s[1], s[2], s[3]) end
  return log, table.unpack(results, 1, results.n)
end

-- The name of a forbidden value found anywhere inside v, or nil.
function M.reaches(v, seen)
  seen = seen or {}
  if forbidden[v] then return forbidden[v] end
  if type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do
      local hit = M.reaches(k, seen) or M.reaches(x, seen)
      if hit then return hit end
    end
    local mt = getmetatable(v)
    if mt then return M.reaches(mt, seen) end
  end
  return nil
end

-- The engine's observable state: the global dict, the safe mode, and the
-- depth of the scope stack (measured by opening a scope and closing the
-- ones below it would be destructive, so it is probed with a marker).
function M.state()
  local dict = {}
  for k, v in pairs(kserial.get_custom_objects()) do dict[k] = v end
  local probe = kserial.custom_object_scope({ ["hostile>__probe__"] = M.Probe })
  local visible = kserial.get_registered_object("hostile>__probe__") == M.Probe
  probe:close()
  return {
    dict = dict,
    safe = kserial.in_safe_mode(),
    scope_works = visible and kserial.get_registered_object("hostile>__probe__") == nil,
  }
end

-- Probe: a registered class whose from_config deserializes every value of
-- its config (so names nested in a config are looked up too), through a
-- reference taken before any spy is installed.
local deserialize = kserial.deserialize
M.Probe = kserial.class("Probe")
function M.Probe:get_config() return self.config end
function M.Probe.from_config(cls, config)
  local out = {}
  for k, v in pairs(config) do out[k] = deserialize(v) end
  return setmt({ config = out }, cls)
end

-- Other: a second registered class, with kserial.class's defaults.
M.Other = kserial.class("Other")
function M.Other:get_config() return {} end

function M.setup()
  kserial.clear_custom_objects()
  kserial.register_serializable("hostile")(M.Probe)
  kserial.register_serializable("hostile")(M.Other)
end

return M
