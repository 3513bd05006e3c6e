-- scan.lua: the fuzz_scan harness (also replayed by
-- spec/hostile/fuzz_regressions_spec.lua). Input: one flag byte, then the text.
--
--   flags & 0x01  scan the raw text (a string, which scan decodes) instead of
--                 the decoded document
--   flags & 0x02  decode with allow_nan
--   flags & 0x04  then deserialize the document, safe and unsafe (unsafe only
--                 when its lambdas hold known-good bytecode, see registry.lua),
--                 and check scan's verdict against what deserialize met
--   flags & 0x08  scan inside custom_object_scope(Keras 2 names)
--
-- Invariants: scan never fails on a document json.decode accepted (default
-- depth); its report has the documented shape; it lists exactly what an
-- independent walk (below, in Lua) finds, in the same order, with the same
-- paths and `found` flags; `unsafe` is true exactly when a lambda is listed;
-- a document scan calls safe never trips the lambda refusal and never
-- yields a function made from a lambda.
local kserial, hooks, registry = ...
local R = registry(kserial, { reentrant = false, userdata_class = hooks.userdata_class })
local json = kserial.json

local SAFE_MSG = "Requested the deserialization of a lambda object"
local KINDS = { lambda = true, class = true, ["function"] = true, module = true,
                marker = true, name = true, invalid = true, code = true, special = true }

local function fail(fmt, ...) hooks.fail(string.format(fmt, ...)) end

-- ---- the reference walk ---------------------------------------------------

local function resolves(name) return kserial.get_registered_object(name) ~= nil end
local function module_has(m, name) return m ~= nil and R.modules[m] ~= nil and R.modules[m][name] ~= nil end
local function suffix_unique(name)
  if name == "" then return false end
  local n = 0
  for k in pairs(kserial.get_custom_objects()) do
    if #k > #name and k:sub(-#name - 1) == ">" .. name then n = n + 1 end
  end
  return n == 1
end

local function suffix_value(name)
  for k, v in pairs(kserial.get_custom_objects()) do
    if #k > #name and k:sub(-#name - 1) == ">" .. name then return v end
  end
end

local function is_ident(k)
  return k:find("^[A-Za-z_][A-Za-z0-9_]*$") ~= nil
end

-- A key as messages escape it: " and \ escaped, control bytes as \u00XX,
-- bytes that are not UTF-8 as \xNN.
local function escape(k)
  local out, i = {}, 1
  while i <= #k do
    local c = k:byte(i)
    local n = 1
    if c >= 0x80 then
      local ok, cp = pcall(utf8.codepoint, k, i)
      n = ok and #utf8.char(cp) or 0
    end
    if c == 34 or c == 92 then out[#out + 1] = "\\" .. string.char(c)
    elseif c < 0x20 or c == 0x7f then out[#out + 1] = string.format("\\u%04x", c)
    elseif n == 0 then out[#out + 1] = string.format("\\x%02x", c); n = 1
    else out[#out + 1] = k:sub(i, i + n - 1) end
    i = i + n
  end
  return table.concat(out)
end

local function segment(k)
  if type(k) == "number" then return "[" .. k .. "]" end
  if is_ident(k) then return "." .. k end
  return '["' .. escape(k) .. '"]'
end

-- The start of the character holding the 0-based byte offset i.
local function char_start(s, i)
  while i > 0 and (s:byte(i + 1) & 0xC0) == 0x80 do i = i - 1 end
  return i
end

-- Paths over 200 bytes keep their first 120 and last 60 bytes (each moved
-- back to the start of a character) around "...".
local function render(segs)
  local path = "$" .. table.concat(segs)
  if #path <= 200 then return path end
  return path:sub(1, char_start(path, 120)) .. "..." .. path:sub(char_start(path, #path - 60) + 1)
end

-- The JSON type of a value as kserial's envelope reader names it.
local function jtype(v)
  if v == nil then return "absent" end
  if v == kserial.null then return "null" end
  local t = type(v)
  if t == "number" then return math.type(v) end
  if t == "table" then
    local mt = getmetatable(v)
    if mt == json.array_mt then return "array" end
    if mt == json.object_mt then return "dict" end
    if mt ~= nil then return "object" end
    local k = next(v)
    return (k == nil or type(k) == "string") and "dict" or "array"
  end
  if t == "boolean" or t == "string" then return t end
  return "object"
end
local function is_a(v, ...)
  local t = jtype(v)
  for _, want in ipairs({ ... }) do if t == want then return true end end
  return false
end

local CODE_CLASSES = { Lambda = true, TFSMLayer = true, TorchModuleWrapper = true }

-- A code class by name, whatever package prefix it has ("pkg>Lambda"):
-- its canonical name, or nil.
local function code_class(n)
  if type(n) ~= "string" then return nil end
  local tail = n:match("[^>]*$")
  return CODE_CLASSES[tail] and tail or nil
end

-- shared_object_id -> the class its first found envelope resolved to, for
-- one reference walk (loads refuses an id used by two classes)
local ids = {}

-- Whether the envelope's keys have the types deserialize accepts.
local function well_formed(t, cname)
  local config = rawget(t, "config")
  if cname == "function" then
    return is_a(rawget(t, "module"), "absent", "null", "string") and jtype(config) == "string"
  end
  return is_a(rawget(t, "shared_object_id"), "absent", "null", "integer")
    and is_a(config, "absent", "null", "dict", "array")
    and is_a(rawget(t, "build_config"), "absent", "null", "dict")
    and is_a(rawget(t, "compile_config"), "absent", "null", "dict")
    and is_a(rawget(t, "registered_name"), "absent", "null", "string")
    and is_a(rawget(t, "module"), "absent", "null", "string")
end

local function envelope(t, segs, out)
  local cname = rawget(t, "class_name")
  local path = render(segs)
  if type(cname) ~= "string" then
    out[#out + 1] = { kind = "invalid", path = path }
    return
  end
  local rname = type(rawget(t, "registered_name")) == "string" and rawget(t, "registered_name") or nil
  local module = type(rawget(t, "module")) == "string" and rawget(t, "module") or nil
  if cname == "__fuzz__" or cname == "__fuzz_nested__" then   -- registry.lua's specials
    out[#out + 1] = { kind = "special", name = cname, path = path }
    return
  end
  if cname == "__lambda__" then
    out[#out + 1] = { kind = "lambda", path = path }
    return
  end
  if cname == "__bytes__" and jtype(rawget(t, "config")) ~= "dict" then
    out[#out + 1] = { kind = "invalid", name = cname, path = path }
    return
  end
  -- a __bytes__ config loads refuses (no string value, an unknown encoding,
  -- bad base64) is invalid at the config's path; loads is the oracle here,
  -- and decoding bytes calls no code of the program
  if cname == "__bytes__" and not pcall(kserial.deserialize, t) then
    segs[#segs + 1] = segment("config")
    out[#out + 1] = { kind = "invalid", name = cname, path = render(segs) }
    segs[#segs] = nil
    return
  end
  if #cname > 4 and cname:find("^__.*__$") then
    out[#out + 1] = { kind = "marker", name = cname, path = path }
    return
  end
  if not well_formed(t, cname) then
    out[#out + 1] = { kind = "invalid", name = cname, path = path }
    return
  end
  if module then
    out[#out + 1] = { kind = "module", name = module, path = path, found = R.modules[module] ~= nil }
  end
  local name, found, value
  if cname == "function" then
    name = rawget(t, "config")
    value = kserial.get_registered_object(name)
      or (module_has(module, name) and R.modules[module][name])
      or (not name:find(">", 1, true) and suffix_unique(name) and suffix_value(name)) or nil
  else
    name = (rname and rname ~= "") and rname or cname
    value = kserial.get_registered_object(name)
    if value == nil and (name == cname or rname == cname) and module_has(module, cname) then
      value = R.modules[module][cname]
    end
  end
  found = value ~= nil
  local want_class = cname ~= "function"
  if found and ((want_class and type(value) ~= "table") or (not want_class
      and type(value) ~= "function" and not (getmetatable(value) or {}).__call)) then
    out[#out + 1] = { kind = "invalid", name = name, path = path }
  else
    out[#out + 1] = { kind = want_class and "class" or "function", name = name, path = path, found = found }
    local id = rawget(t, "shared_object_id")
    if want_class and found and math.type(id) == "integer" then
      if ids[id] == nil then ids[id] = value
      elseif not rawequal(ids[id], value) then
        out[#out + 1] = { kind = "invalid", name = cname, path = path }
      end
    end
  end
  if not want_class then return end
  local code = code_class(cname) or code_class(name)
  if code == nil and value ~= nil then   -- by what it resolved to
    code = code_class(kserial.get_registered_name(value))
      or (type(value) == "table" and code_class(rawget(value, "__name"))) or nil
  end
  if code then
    out[#out + 1] = { kind = "code", name = code, path = path }
  end
end

-- Keras 1 and 2 lambdas: "<key>_type": "lambda" next to a non-null <key>.
local function marshal(t, segs, out)
  for _, k in ipairs({ "function", "output_shape", "mask" }) do
    local v = rawget(t, k)
    if rawget(t, k .. "_type") == "lambda" and v ~= nil and v ~= kserial.null then
      segs[#segs + 1] = segment(k)
      out[#out + 1] = { kind = "lambda", name = k, path = render(segs) }
      segs[#segs] = nil
    end
  end
end

local function walk(v, segs, out)
  if type(v) == "table" then
    local isarray = getmetatable(v) == json.array_mt
    if not isarray and getmetatable(v) ~= nil and getmetatable(v) ~= json.object_mt then
      isarray = nil    -- a live object: neither an envelope nor Keras code
    elseif not isarray then
      if rawget(v, "class_name") ~= nil and rawget(v, "config") ~= nil then
        envelope(v, segs, out)
      end
      marshal(v, segs, out)
    end
    for k, x in next, v do
      if type(k) == "string" and not isarray then segs[#segs + 1] = segment(k)
      else segs[#segs + 1] = segment(math.type(k) == "integer" and k - 1 or 0) end
      walk(x, segs, out)
      segs[#segs] = nil
    end
  elseif type(v) == "string" and resolves(v) then
    out[#out + 1] = { kind = "name", name = v, path = render(segs), found = true }
  end
end

-- ---- checks ------------------------------------------------------------------
local function check_report(r, doc)
  if type(r) ~= "table" or type(r.items) ~= "table" or type(r.unsafe) ~= "boolean" then
    fail("scan returned a report of the wrong shape")
  end
  local want = {}
  ids = {}
  walk(doc, {}, want)
  local lambdas = false
  for i = 1, math.max(#r.items, #want) do   -- the first difference is the useful one
    local it, w = r.items[i], want[i]
    if it == nil or w == nil then
      local x = it or w
      fail("scan listed %d items, the reference walk %d; the first unmatched: %s %s at %s",
           #r.items, #want, (it and "scan's" or "the reference's") .. " " .. tostring(x.kind),
           tostring(x.name), tostring(x.path))
    end
    if not KINDS[it.kind] then fail("item %d has kind %s", i, tostring(it.kind)) end
    if type(it.path) ~= "string" or it.path:sub(1, 1) ~= "$" then fail("item %d has no path", i) end
    if not utf8.len(it.path) then fail("item %d: the path is not valid UTF-8: %s", i, it.path) end
    if it.kind == "lambda" or it.kind == "code" then lambdas = true end
    if it.kind ~= w.kind or it.name ~= w.name or it.path ~= w.path or it.found ~= w.found then
      fail("item %d: scan says %s %s at %s (found %s), the reference %s %s at %s (found %s)", i,
           it.kind, tostring(it.name), it.path, tostring(it.found),
           w.kind, tostring(w.name), w.path, tostring(w.found))
    end
  end
  if r.unsafe ~= lambdas then fail("scan's unsafe flag disagrees with its items") end
  local invalid, missing = false, false
  for _, it in ipairs(r.items) do
    if it.kind == "invalid" then invalid = true end
    if it.found == false then missing = true end
    if it.found == false and it.kind == "class" and type(it.reason) == "string"
       and it.reason:find("^inconsistent") then invalid = true end
  end
  if r.invalid ~= invalid then fail("scan's invalid flag disagrees with its items") end
  if r.clean ~= (not lambdas and not invalid and not missing) then
    fail("scan's clean flag disagrees with its items")
  end
  if #r.items ~= #want then fail("scan listed more items than the reference") end
end

local function no_lambda(v, seen, depth)
  if R.known[v] then return end   -- registered things, not made from the data
  if type(v) == "function" then
    fail("scan called a document safe, but it yields a lambda")
  elseif type(v) == "table" and not seen[v] and depth < 600 then
    seen[v] = true
    for _, x in next, v do no_lambda(x, seen, depth + 1) end
  end
end

local M = {}

function M.run(data)
  local flags = data:byte(1) or 0
  local text = data:sub(2)
  local opts = { allow_nan = flags & 2 ~= 0 }
  local okd, doc = pcall(json.decode, text, opts)
  local scope <close> = flags & 8 ~= 0 and kserial.custom_object_scope(R.custom) or nil
  if flags & 1 ~= 0 then   -- text: scan decodes it, and refuses what does not parse
    local ok, r = pcall(kserial.scan, text, opts)
    if ok ~= okd then fail("scan of the text and json.decode disagree: %s", tostring(r)) end
    if not ok then
      if type(r) ~= "string" or r:sub(1, 9) ~= "kserial: " then fail("scan raised %s", tostring(r)) end
      return
    end
    check_report(r, doc)
    return
  end
  -- a string argument is JSON text to scan (issue 13), so a document that
  -- decodes to a plain string has only the text route, taken above
  if not okd or type(doc) == "string" then return end
  local ok, r = pcall(kserial.scan, doc)
  if not ok then fail("scan raised on a decoded document: %s", tostring(r)) end
  check_report(r, doc)
  if flags & 4 ~= 0 and flags & 1 == 0 then
    local okl, err = pcall(kserial.deserialize, doc)
    if not okl and not r.unsafe and type(err) == "string" and err:find(SAFE_MSG, 1, true) then
      fail("scan called a document safe, but deserialize refused a lambda in it: %s", err)
    end
    if R.lambdas_are_good(doc) then   -- Lua's loader crashes on crafted chunks
      R.expect_safe = false
      local oku, res = pcall(kserial.deserialize, doc, { safe_mode = false })
      R.expect_safe = true
      if oku and not r.unsafe then no_lambda(res, {}, 0) end
    end
  end
  if scope then scope:close() end
  if not kserial.in_safe_mode() then fail("safe mode is off after scan") end
  if #R.violations > 0 then fail("%s", R.violations[1]) end
end

return M
