-- kserial.class(name [, base | spec]): makes a class the way kserial expects
-- one (docs/reference.md, "Objects and classes"). With a base class (or
-- none) it is the small helper it always was; with a spec (a plain table
-- without __name) the class is declarative: its fields are checked on
-- construction and in from_config, get_config and from_config are
-- generated, and configs carry a version that from_config upgrades. Using
-- it is optional.
local kserial, internals = ...

local setmetatable, getmetatable, rawget, rawequal = setmetatable, getmetatable, rawget, rawequal
local pairs, ipairs, next, type, error, select, pcall, tostring =
  pairs, ipairs, next, type, error, select, pcall, tostring
local math_type, string_format, table_sort, table_concat, table_insert, table_move =
  math.type, string.format, table.sort, table.concat, table.insert, table.move

local null = kserial.null
local deserialize = kserial.deserialize
local config_error = kserial.config_error
local array_mt, object_mt = kserial.json.array_mt, kserial.json.object_mt
-- The C side of declarative classes (src/lua/fields.c, not API): the fast
-- path of the field loop, and get_config.
local compile_fields, fill_fields = internals.compile_fields, internals.fill_fields
local make_get_config, note_config = internals.make_get_config, internals.note_config
local passing = internals.passing
-- a bare function name, resolved as a function envelope naming it resolves
local resolve_function = internals.resolve_function

-- ---- what every class shares ---------------------------------------------------

-- Metamethods are looked up raw in the metatable, so a subclass copies its
-- base's (except the ones that describe the class itself).
local OWN = { __name = true, __index = true, __module = true }

local function copy_metamethods(cls, base)
  for k, v in pairs(base) do
    if type(k) == "string" and k:sub(1, 2) == "__" and not OWN[k] then cls[k] = v end
  end
end

-- A class: a table with its own __name and __index.
local function is_class(t)
  return type(t) == "table" and rawget(t, "__name") ~= nil and rawget(t, "__index") ~= nil
end

-- c is cls, or inherits from it through the __index of the metatables.
local function inherits(c, cls)
  for _ = 1, 64 do
    if rawequal(c, cls) then return true end
    local mt = getmetatable(c)
    if type(mt) ~= "table" then return false end
    c = rawget(mt, "__index")
    if type(c) ~= "table" then return false end
  end
  return false
end

-- Class.new(...) and Class:new(...) both build Class: the class itself (or
-- a subclass that inherits this new) as first argument is the colon call.
-- Returns the class to build and the position of the first real argument.
local function colon(cls, first)
  if is_class(first) and inherits(first, cls) then return first, 2 end
  return cls, 1
end

local function classdef_tostring(cls)
  return string_format("class %s: %p", tostring(rawget(cls, "__name")), cls)
end

-- The metatable of a class: inheritance, Class(...) and tostring(Class).
local function classdef(cls, base, ctor)
  return setmetatable(cls, {
    __index = base,
    __call = function(_, ...) return ctor(cls, ...) end,
    __name = "kserial.classdef",
    __tostring = classdef_tostring,
  })
end

-- ---- plain classes ----------------------------------------------------------

-- Class.new(...) calls obj:init(...) when the class has one; otherwise a
-- table argument's fields are copied into the new object, so that
-- from_config(config) gives back an object holding its config.
local function new_plain(cls, ...)
  local c, from = colon(cls, (...))
  if from == 2 then return new_plain(c, select(2, ...)) end
  local obj = setmetatable({}, cls)
  local init = cls.init
  if init then
    init(obj, ...)
  elseif type((...)) == "table" then
    for k, v in pairs((...)) do obj[k] = v end
  end
  return obj
end

local function plain_class(name, base)
  local cls = {}
  if base then copy_metamethods(cls, base) end
  cls.__name = name
  cls.__index = cls
  cls.new = function(...) return new_plain(cls, ...) end
  if not (base and base.from_config) then
    -- Class:from_config(config) builds the class it is called on.
    cls.from_config = function(self, config) return self.new(config) end
  end
  return classdef(cls, base, new_plain)
end

-- ---- values in messages -------------------------------------------------------

local function show_string(s)
  local n = #s
  if n > 60 then   -- cut at a character boundary: messages stay UTF-8
    n = 60
    while n > 56 and (s:byte(n + 1) or 0) & 0xC0 == 0x80 do n = n - 1 end
  end
  local cut = s:sub(1, n)
  cut = cut:gsub('[%c"\\]', function(ch)
    if ch == '"' or ch == "\\" then return "\\" .. ch end
    return string_format("\\x%02X", ch:byte())
  end)
  return '"' .. cut .. (n < #s and '..."' or '"')
end

-- A value as a message shows it: scalars as they are, strings quoted, cut
-- and escaped, tables and objects by kind.

-- "a" or "an", by the first letter of a name ("an Initializer object").
local function article(name)
  return name:find("^[AEIOUaeiou]") and "an" or "a"
end

local function show(v)
  local t = type(v)
  if t == "string" then return show_string(v) end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  if v == null then return "null" end
  local mt = getmetatable(v)
  if mt == array_mt then return "an array" end
  if mt == object_mt then return "a dict" end
  if t == "table" and mt == nil then return "a table" end
  if is_class(v) then return "the class " .. tostring(rawget(v, "__name")) end
  if type(mt) == "table" then
    local name = rawget(mt, "__name")
    if type(name) == "string" then return article(name) .. " " .. name .. " object" end
  end
  return "a " .. t
end

-- ---- checking values ----------------------------------------------------------

-- A compiled type (a field's, or the `of` of an array or dict):
--   kind     one of the type names below
--   desc     what the value must be, for messages ("an integer >= 1")
--   min, max, choices (a set), class (for objects), of (a compiled type)
--   optional (null is allowed: a field holds nil, an element null)
--   des      from_config passes the value through kserial.deserialize
--            first (objects, functions, any, and containers of them)
--   check    CHECK[kind]; fast: the Lua type (math.type for integers) of
--            a scalar without constraints, which needs no other test
--   constrained  min, max or choices is set
-- check(ty, v) with v neither nil nor null returns the value to keep, or
-- nil, a message and the keys below the value where it is wrong.
local CHECK = {}

local function check(ty, v)
  return ty.check(ty, v)
end

local function bad(ty, v)
  return nil, "must be " .. ty.desc .. ", got " .. show(v)
end

local function in_range(ty, v)
  local min, max = ty.min, ty.max
  -- written so that NaN fails too
  if min ~= nil and not (v >= min) then return false end  -- luacheck: ignore 581
  if max ~= nil and not (v <= max) then return false end  -- luacheck: ignore 581
  return true
end

CHECK.boolean = function(ty, v)
  if type(v) ~= "boolean" then return bad(ty, v) end
  return v
end

CHECK.integer = function(ty, v)
  if math_type(v) ~= "integer" or not in_range(ty, v)
     or (ty.choices and not ty.choices[v]) then
    return bad(ty, v)
  end
  return v
end

CHECK.number = function(ty, v)
  if type(v) ~= "number" or not in_range(ty, v) or (ty.choices and not ty.choices[v]) then
    return bad(ty, v)
  end
  return v
end

CHECK.string = function(ty, v)
  if type(v) ~= "string" or (ty.choices and not ty.choices[v]) then return bad(ty, v) end
  return v
end

CHECK.any = function(_, v) return v end

CHECK["function"] = function(ty, v)
  if type(v) == "function" then return v end
  if type(v) == "string" then
    local f = resolve_function(v)
    if type(f) == "function" then return f end
    return nil, "must be a function; no registered function is named " .. show(v)
  end
  return bad(ty, v)
end

-- v has a get_config method, found as serialize finds it: through v's
-- indexing (a userdata needs an __index).
local function has_get_config(v, mt)
  if type(v) ~= "table" and rawget(mt, "__index") == nil then return false end
  return v.get_config ~= nil
end

CHECK.object = function(ty, v)
  local t = type(v)
  local mt = (t == "table" or t == "userdata") and getmetatable(v)
  if type(mt) ~= "table" or mt == array_mt or mt == object_mt or not has_get_config(v, mt)
     or (ty.class and not inherits(mt, ty.class)) then
    return bad(ty, v)
  end
  return v
end

-- An element of a container: nil (a hole) is missing, null allowed when
-- the element type is optional. Returns the value to keep or nil, message.
local function check_element(of, e)
  if e == null then
    if of.optional then return e end
    return bad(of, e)
  end
  local fast = of.fast
  if fast then
    if fast == "integer" then
      if math_type(e) == "integer" then return e end
    elseif type(e) == fast then
      return e
    end
    return bad(of, e)
  end
  local class = of.class
  if class ~= nil and type(e) == "table" and getmetatable(e) == class and e.get_config ~= nil then
    return e
  end
  return of.check(of, e)
end

local function shallow_copy(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return setmetatable(c, getmetatable(t))
end

local function element_error(key, msg, sub)
  sub = sub or {}
  table_insert(sub, 1, key)
  return nil, msg, sub
end

CHECK.array = function(ty, v)
  if type(v) ~= "table" then return bad(ty, v) end
  local mt = getmetatable(v)
  local n = #v
  -- an empty plain table would be written as {} and load back as a dict:
  -- a new empty JSON array takes its place (the caller's table is unchanged)
  if mt == nil and next(v) == nil then return setmetatable({}, array_mt) end
  if mt == nil then
    -- a plain table is an array when its keys are exactly 1..n
    local count = 0
    for k in next, v do
      if math_type(k) ~= "integer" or k < 1 or k > n then
        return nil, "must be " .. ty.desc .. ", got a table with the key " .. show(k)
      end
      count = count + 1
    end
    if count ~= n then return nil, "must be " .. ty.desc .. ", got a table with holes" end
  elseif mt ~= array_mt then
    return bad(ty, v)
  end
  local of, out = ty.of, v
  if of then
    for i = 1, n do
      local e = v[i]
      local kept, msg, sub = check_element(of, e)
      if msg then return element_error(i, msg, sub) end
      if kept ~= e then              -- a function's name resolved: copy on write
        if out == v then out = shallow_copy(v) end
        out[i] = kept
      end
    end
  end
  return out
end

CHECK.dict = function(ty, v)
  if type(v) ~= "table" then return bad(ty, v) end
  local mt = getmetatable(v)
  if mt ~= nil and mt ~= object_mt then return bad(ty, v) end
  local of, out = ty.of, v
  if of == nil and mt == object_mt then return v end   -- decoded: string keys only
  for k, e in next, v do
    if type(k) ~= "string" then
      return nil, "must be " .. ty.desc .. ", got the key " .. show(k)
    end
    if of then
      local kept, msg, sub = check_element(of, e)
      if msg then return element_error(k, msg, sub) end
      if kept ~= e then
        if out == v then out = shallow_copy(v) end
        out[k] = kept
      end
    end
  end
  return out
end

-- ---- compiling a spec -----------------------------------------------------------

local TYPE_NAMES = { "any", "array", "boolean", "dict", "function", "integer", "number",
                     "object", "string" }
local TYPES = {}
for _, t in pairs(TYPE_NAMES) do TYPES[t] = true end
local TYPE_LIST = table_concat(TYPE_NAMES, ", ")

local FIELD_KEYS = { [1] = true, of = true, class = true, min = true, max = true,
                     choices = true, default = true, optional = true }
local SPEC_KEYS = { extends = true, fields = true, extra_keys = true, version = true,
                    upgrade = true }
local EXTRA_MODES = { error = true, keep = true, drop = true }

-- Names a field may not take: the methods kserial calls and what the
-- generated code owns.
local RESERVED = { new = true, init = true, get_config = true, from_config = true,
                   get_build_config = true, build_from_config = true,
                   get_compile_config = true, compile_from_config = true }

local function def_error(cname, fmt, ...)
  error(string_format("kserial: class('%s'): " .. fmt, cname, ...), 0)
end

local function range_desc(ty)
  if ty.min ~= nil and ty.max ~= nil then
    return string_format(" between %s and %s", tostring(ty.min), tostring(ty.max))
  elseif ty.min ~= nil then
    return " >= " .. tostring(ty.min)
  elseif ty.max ~= nil then
    return " <= " .. tostring(ty.max)
  end
  return ""
end

-- A copy of the data in v: plain tables and JSON arrays and objects are
-- copied (a table met twice is copied once); anything else (objects, the
-- markers, functions) is kept.
local function deep_copy(v, seen)
  if type(v) ~= "table" then return v end
  local mt = getmetatable(v)
  if mt ~= nil and mt ~= array_mt and mt ~= object_mt then return v end
  seen = seen or {}
  local c = seen[v]
  if c then return c end
  c = {}
  seen[v] = c
  for k, x in next, v do c[k] = deep_copy(x, seen) end
  return setmetatable(c, mt)
end

-- The first object (a table or userdata with a metatable other than the
-- JSON markers) found in v or the plain tables and JSON containers inside
-- it, or nil. kserial.null is not an object.
local function object_in(v, seen)
  local t = type(v)
  if (t ~= "table" and t ~= "userdata") or v == null then return nil end
  local mt = getmetatable(v)
  if t == "userdata" or (mt ~= nil and mt ~= array_mt and mt ~= object_mt) then return v end
  seen = seen or {}
  if seen[v] then return nil end
  seen[v] = true
  for _, x in next, v do
    local found = object_in(x, seen)
    if found ~= nil then return found end
  end
  return nil
end

local compile_type

-- Compiles the type of field `where` (a string for messages); element
-- types (`of`) take no default and no optional-as-nil. `outer` holds the
-- type tables `raw` is nested in (through `of`).
compile_type = function(cname, where, raw, is_field, outer)
  if type(raw) == "string" then raw = { raw } end
  if type(raw) ~= "table" or getmetatable(raw) ~= nil then
    def_error(cname, "%s: a type must be a type name or a table, not %s", where, type(raw))
  end
  if outer and outer[raw] then def_error(cname, "%s: a type cannot contain itself", where) end
  for k in pairs(raw) do
    if not FIELD_KEYS[k] or (not is_field and k == "default") then
      def_error(cname, "%s: unknown key %s (known: [1] the type, of, class, min, max, "
                .. "choices, %soptional)", where, show(k), is_field and "default, " or "")
    end
  end
  local kind = raw[1]
  if not TYPES[kind] then
    def_error(cname, "%s: unknown type %s (types: %s)", where, show(kind), TYPE_LIST)
  end
  local ty = { kind = kind, check = CHECK[kind], optional = raw.optional and true or false }
  if raw.optional ~= nil and type(raw.optional) ~= "boolean" then
    def_error(cname, "%s: optional must be a boolean, not %s", where, type(raw.optional))
  end
  if raw.of ~= nil then
    if kind ~= "array" and kind ~= "dict" then
      def_error(cname, "%s: 'of' applies to array and dict fields, not %s", where, kind)
    end
    outer = outer or {}
    outer[raw] = true
    ty.of = compile_type(cname, where .. " (of)", raw.of, false, outer)
    outer[raw] = nil
  end
  if raw.class ~= nil then
    if kind ~= "object" then
      def_error(cname, "%s: 'class' applies to object fields, not %s", where, kind)
    end
    if not is_class(raw.class) then
      def_error(cname, "%s: 'class' must be a class, not %s", where, show(raw.class))
    end
    ty.class = raw.class
  end
  for _, bound in pairs({ "min", "max" }) do
    local b = raw[bound]
    if b ~= nil then
      if kind ~= "integer" and kind ~= "number" then
        def_error(cname, "%s: '%s' applies to integer and number fields, not %s", where,
                  bound, kind)
      end
      if type(b) ~= "number" or b ~= b then
        def_error(cname, "%s: '%s' must be a number, not %s", where, bound, show(b))
      end
      ty[bound] = b
    end
  end
  if ty.min ~= nil and ty.max ~= nil and ty.min > ty.max then
    def_error(cname, "%s: min (%s) is greater than max (%s)", where, tostring(ty.min),
              tostring(ty.max))
  end
  -- what values must be, for messages
  if kind == "object" then
    ty.desc = ty.class and (article(rawget(ty.class, "__name")) .. " " .. rawget(ty.class, "__name")
      .. " object") or "an object"
  elseif kind == "function" then
    ty.desc = "a function or a registered function's name"
  elseif kind == "dict" then
    ty.desc = "a dict (string keys)"
  else
    ty.desc = (kind == "any" and "a value" or kind == "array" and "an array"
               or kind == "integer" and "an integer" or "a " .. kind) .. range_desc(ty)
  end
  if raw.choices ~= nil then
    local ch = raw.choices
    if kind ~= "string" and kind ~= "integer" and kind ~= "number" then
      def_error(cname, "%s: 'choices' applies to string, integer and number fields, not %s",
                where, kind)
    end
    local count = 0
    if type(ch) == "table" then
      for _ in pairs(ch) do count = count + 1 end
    end
    if count == 0 or count ~= #ch or ch[1] == nil then   -- keys exactly 1..n
      def_error(cname, "%s: 'choices' must be a non-empty array", where)
    end
    local set, shown = {}, {}
    for i, c in ipairs(ch) do
      local _, msg = check(ty, c)
      if msg then def_error(cname, "%s: choice %d %s", where, i, msg) end
      if c ~= c then def_error(cname, "%s: choice %d is NaN, which no value equals", where, i) end
      set[c] = true
      shown[i] = show(c)
    end
    ty.choices = set
    ty.desc = "one of " .. table_concat(shown, ", ")
  end
  ty.constrained = ty.min ~= nil or ty.max ~= nil or ty.choices ~= nil
  -- scalars without constraints are checked inline by the loops (no call):
  -- `fast` is the Lua type (or math.type for integers) they must have
  if not ty.constrained and (kind == "integer" or kind == "number" or kind == "string"
                             or kind == "boolean") then
    ty.fast = kind
  end
  ty.des = kind == "object" or kind == "function" or kind == "any"
           or (ty.of ~= nil and ty.of.des) or false
  return ty
end

-- Compiles field `name`: its type, plus default and optional.
local function compile_field(cname, name, raw)
  local where = "field '" .. name .. "'"
  local f = compile_type(cname, where, raw, true)
  f.name = name
  local default = type(raw) == "table" and raw.default
  if type(raw) == "table" and default ~= nil then
    if f.kind == "object" then
      def_error(cname, "%s: an object field cannot have a default (it would be one object "
                .. "shared by every instance); make it optional and set it in init()", where)
    end
    local shared = object_in(default)
    if shared ~= nil then
      def_error(cname, "%s: the default holds %s, which every instance would share; make "
                .. "the field optional and set it in init()", where, show(shared))
    end
    f.resolve = f.kind == "function" and type(default) == "string"
    if default == null then
      if not f.optional then
        def_error(cname, "%s: the default is null but the field is not optional", where)
      end
    elseif not f.resolve then   -- a function's name resolves when an instance is made
      local kept, msg = check(f, default)
      if msg then def_error(cname, "%s: the default %s", where, msg) end
      default = kept            -- as an instance would hold it (an empty array marked)
    end
    f.has_default = true
    f.default = deep_copy(default)   -- the caller's table may change later
    f.copy = type(default) == "table"
  end
  return f
end

-- ---- declarative classes ----------------------------------------------------------

-- Compiled classes: class -> its field table (weak keys).
local DECL = setmetatable({}, { __mode = "k" })

-- A field's value when the source has none: its default, else nil
-- (optional) or a message (required).
local function missing(f)
  if f.has_default then
    local d = f.default
    if d == null then return nil end
    if f.copy then return deep_copy(d) end
    if f.resolve then return check(f, d) end
    return d
  end
  if f.optional then return nil end
  return nil, "is required"
end

-- The smallest unknown key of src, for a deterministic message.
local KEY_RANK = { string = 1, number = 2 }

local function key_before(a, b)
  local ra, rb = KEY_RANK[type(a)] or 3, KEY_RANK[type(b)] or 3
  if ra ~= rb then return ra < rb end
  if ra == 3 then return tostring(a) < tostring(b) end
  return a < b
end

local function first_unknown(info, src, skip_version)
  local best
  for k in next, src do
    if not info.known[k] and not (skip_version and k == "__version__") then
      if best == nil or key_before(k, best) then best = k end
    end
  end
  return best
end

-- " item 2" / " key 'x'" for an element below a field, in Lua's terms.
local function item_words(sub)
  local words = {}
  for i = 2, #sub do
    local k = sub[i]
    words[#words + 1] = type(k) == "string" and ("key " .. show(k)) or ("item " .. tostring(k))
  end
  if #words == 0 then return "" end
  return " " .. table_concat(words, " ")
end

local function unknown_error(info, k)
  if type(k) ~= "string" then
    return "unknown field " .. show(k) .. " (field names are strings)", { k }
  end
  return string_format("unknown field %s (fields: %s)", show(k), info.names_shown), { k }
end

-- Why the unknown key k cannot be kept on obj as an ordinary key, or nil:
-- a name kserial uses, or one the class already answers (a method) would
-- be hidden by it.
local function unkeepable(obj, k)
  if RESERVED[k] or k:sub(1, 2) == "__" then return "kserial uses that name" end
  if obj[k] ~= nil then return "the class has a member of that name" end
  return nil
end

-- Keys of src that are not fields, as extra_keys says: nil, or a message
-- and the key. Only runs when src has more keys than fields.
local function extra_keys(info, obj, src, des)
  local mode = info.extra_keys
  if mode == "error" then return unknown_error(info, first_unknown(info, src, des)) end
  local known, kept = info.known, nil
  for k, v in next, src do
    if not known[k] and not (des and k == "__version__") then
      if type(k) ~= "string" then return unknown_error(info, k) end
      if mode == "keep" then
        local why = unkeepable(obj, k)
        if why then
          return string_format("unknown field %s cannot be kept (%s)", show(k), why), { k }
        end
        obj[k] = v
        kept = kept or {}
        kept[#kept + 1] = k
      end
    end
  end
  if kept then info.extras[obj] = kept end
  return nil
end

-- Fills obj from src (constructor arguments, or a config when `des`).
-- Returns nil, or a message and the keys where it is wrong. An unknown key
-- is reported before a field's error (a misspelt name explains both).
local function fill_from(info, obj, src, des, start, present, deserialized, pre)
  local fields = info.fields
  for i = start, info.n do
    local f = fields[i]
    local name = f.name
    local v = src[name]
    local msg, sub
    if v == nil then
      v, msg = missing(f)
    else
      present = present + 1
      if v == null then
        if f.optional then v = nil else v, msg = bad(f, v) end
      else
        if i == start and deserialized then
          v = pre                      -- the C loop deserialized it already
        elseif des and f.des then
          v = deserialize(v)
        end
        v, msg, sub = f.check(f, v)
      end
    end
    if msg then
      if info.extra_keys == "error" then
        local k = first_unknown(info, src, des)
        if k ~= nil then return unknown_error(info, k) end
      end
      sub = sub or {}
      table_insert(sub, 1, name)
      return string_format("field '%s'%s %s", name, item_words(sub), msg), sub
    end
    obj[name] = v
  end
  if des and src.__version__ ~= nil then present = present + 1 end
  local total = 0
  for _ in next, src do total = total + 1 end
  if total ~= present then return extra_keys(info, obj, src, des) end
  return nil
end

-- The C loop settles the fields it can, from the first on; the Lua loop
-- goes on from the first it cannot, and owns every message.
local function fill(info, obj, src, des)
  local stop, present, deserialized, pre = fill_fields(info.cfields, obj, src, des)
  if stop == 0 then return nil end
  if stop > info.n then return extra_keys(info, obj, src, des) end
  return fill_from(info, obj, src, des, stop, present, deserialized, pre)
end

local function new_declarative(cls, ...)
  local c, from = colon(cls, (...))
  local args = select(from, ...)
  local info = DECL[c] or DECL[cls]
  if args == nil then args = {} end
  if type(args) ~= "table" or (getmetatable(args) ~= nil and getmetatable(args) ~= object_mt) then
    error(string_format("kserial: %s: fields must be given as a table, got %s", info.name,
                        show(args)), 2)
  end
  local obj = setmetatable({}, c)
  local msg = fill(info, obj, args, false)
  if msg then error("kserial: " .. info.name .. ": " .. msg, 2) end
  local init = c.init
  if init then init(obj) end
  return obj
end

-- Raises for the generated get_config (src/lua/fields.c) of cls: called on
-- a value that is not an instance of cls, or on an instance without a value
-- for the required field `field` (level 3: this function is 1, get_config 2).
local function get_config_error(cls, self, field)
  local name = rawget(cls, "__name")
  if field ~= nil then
    error(string_format("kserial: %s: get_config(): field '%s' is required but the instance "
                        .. "has no value", name, field), 3)
  end
  error(string_format("kserial: %s: get_config() needs an instance (obj:get_config()), got %s",
                      name, show(self)), 3)
end

-- Raises from from_config: located in the document when a deserialize call
-- runs this from_config, else at the caller of from_config (level 3: this
-- function is 1, from_config 2).
local function config_fail(config, keys, msg)
  config_error(config, keys, msg, 3)
end

-- A config is a table read as it is: no metatable, or a decoded dict's. A
-- proxy (__index) would show fields that its keys do not have.
local function plain_config(c)
  if type(c) ~= "table" then return false end
  local mt = getmetatable(c)
  return mt == nil or mt == object_mt or mt == array_mt   -- an array: its keys say why
end

local function shown_config(c)
  if type(c) == "table" then return "a table with a metatable (a config is read raw)" end
  return show(c)
end

local function make_from_config(info, own)
  local version, upgrade, name = info.version, info.upgrade, info.name
  return function(cls, config)
    if not rawequal(cls, own) and not (is_class(cls) and inherits(cls, own)) then
      error(string_format("kserial: %s: from_config() must be called on the class or a "
                          .. "subclass (%s:from_config(config)), got %s", name, name, show(cls)), 2)
    end
    if not plain_config(config) then
      error(string_format("kserial: %s: from_config() needs a config table, got %s", name,
                          shown_config(config)), 2)
    end
    local c = config
    local v = c.__version__
    if v == nil or v == null then
      v = 1
    elseif math_type(v) ~= "integer" or v < 1 then
      config_fail(config, "__version__", string_format(
        "%s: \"__version__\" must be an integer >= 1, got %s", name, show(v)))
    end
    if v > version then
      config_fail(config, "__version__", string_format(
        "%s: the config is version %d, newer than this class (version %d)", name, v, version))
    end
    -- After an upgrade, the running deserialize call locates values (and
    -- this function's errors) in the upgraded copy: during the steps (which
    -- may deserialize parts of it) and while the fields are filled; then in
    -- the config again (for a hand-written from_config that called this one).
    local noted = false
    if v < version then
      c = deep_copy(c)
      c.__version__ = nil
      noted = note_config(config, c)
      for step = v, version - 1 do
        local ok, r = pcall(upgrade[step], c)
        if not ok then
          if passing(r) then error(r, 0) end   -- a nested call's: says what and where
          config_fail(c, nil, string_format(
            "%s: upgrade[%d] (version %d to %d) raised an error: %s", name, step, step,
            step + 1, tostring(r)))
        end
        if not plain_config(r) then
          config_fail(c, nil, string_format(
            "%s: upgrade[%d] (version %d to %d) must return the config table, got %s",
            name, step, step, step + 1, shown_config(r)))
        end
        if noted and r ~= c then note_config(c, r) end
        c = r
      end
    end
    local obj = setmetatable({}, cls)
    local msg, keys = fill(info, obj, c, true)
    if msg then config_fail(c, keys, name .. ": " .. msg) end
    if noted then note_config(c, config) end
    local init = cls.init
    if init then init(obj) end
    return obj
  end
end

-- The compiled fields of the nearest declarative class among base and
-- the classes it inherits from (a class made by hand may sit between), or nil.
local function declarative_base(base)
  local c = base
  for _ = 1, 64 do
    if type(c) ~= "table" then return nil end
    local info = DECL[c]
    if info then return info end
    local mt = getmetatable(c)
    if type(mt) ~= "table" then return nil end
    c = rawget(mt, "__index")
  end
  return nil
end

local function declarative_class(name, spec)
  for k in pairs(spec) do
    if not SPEC_KEYS[k] then
      def_error(name, "unknown spec key %s (known: extends, fields, extra_keys, version, "
                .. "upgrade)", show(k))
    end
  end
  local base = spec.extends
  if base ~= nil and not is_class(base) then
    def_error(name, "'extends' must be a class, not %s", show(base))
  end
  local parent = base and declarative_base(base)
  local raw_fields = spec.fields or {}
  if type(raw_fields) ~= "table" then
    def_error(name, "'fields' must be a table, not %s", type(raw_fields))
  end
  -- fields: the base's, then this class's (which may redefine them)
  local byname = {}
  if parent then
    for i = 1, parent.n do byname[parent.fields[i].name] = parent.fields[i] end
  end
  for fname, raw in pairs(raw_fields) do
    if type(fname) ~= "string" or fname == "" then
      def_error(name, "field names must be non-empty strings, got %s", show(fname))
    end
    if RESERVED[fname] or fname:sub(1, 2) == "__" then
      def_error(name, "'%s' cannot be a field name (kserial uses it)", fname)
    end
    byname[fname] = compile_field(name, fname, raw)
  end
  local list, known, shown = {}, {}, {}
  for fname, f in pairs(byname) do
    list[#list + 1] = f
    known[fname] = true
  end
  table_sort(list, function(a, b) return a.name < b.name end)
  for i, f in ipairs(list) do shown[i] = f.name end
  local extra = spec.extra_keys
  if extra == nil then extra = parent and parent.extra_keys or "error" end
  if not EXTRA_MODES[extra] then
    def_error(name, "extra_keys must be \"error\", \"keep\" or \"drop\", not %s", show(extra))
  end
  local version = spec.version
  if version ~= nil and (math_type(version) ~= "integer" or version < 1) then
    def_error(name, "version must be an integer >= 1, not %s", show(version))
  end
  local upgrade = spec.upgrade or {}
  if type(upgrade) ~= "table" then
    def_error(name, "upgrade must be a table, not %s", type(upgrade))
  end
  if version == nil and next(upgrade) ~= nil then
    def_error(name, "upgrade steps need a version (without one the class is version 1, "
              .. "with nothing to upgrade)")
  end
  for k, f in pairs(upgrade) do
    if math_type(k) ~= "integer" or k < 1 or k >= (version or 1) then
      def_error(name, "upgrade[%s]: no such step (steps go from 1 to version - 1 = %d)",
                tostring(k), (version or 1) - 1)
    end
    if type(f) ~= "function" then
      def_error(name, "upgrade[%d] must be a function, not %s", k, type(f))
    end
  end
  for step = 1, (version or 1) - 1 do
    if upgrade[step] == nil then
      def_error(name, "version is %d, so upgrade[%d] (version %d to %d) is needed",
                version, step, step, step + 1)
    end
  end

  local info = {
    name = name, fields = list, n = #list, known = known,
    names_shown = #shown > 0 and table_concat(shown, ", ") or "none",
    extra_keys = extra, version = version or 1,
    upgrade = table_move(upgrade, 1, (version or 1) - 1, 1, {}),   -- a copy: the spec may change
    extras = setmetatable({}, { __mode = "k" }),
  }
  info.cfields = compile_fields(list)
  local cls = {}
  if base then copy_metamethods(cls, base) end
  cls.__name = name
  cls.__index = cls
  DECL[cls] = info
  cls.new = function(...) return new_declarative(cls, ...) end
  cls.get_config = make_get_config(info.cfields, version, info.extras, cls,
                                    get_config_error)
  cls.from_config = make_from_config(info, cls)
  return classdef(cls, base, new_declarative)
end

function kserial.class(name, base)
  if type(name) ~= "string" or name == "" then
    error("kserial: class(): the name must be a non-empty string", 2)
  end
  if base ~= nil and type(base) ~= "table" then
    error("kserial: class(): the second argument must be a class or a spec (a table), got "
          .. type(base), 2)
  end
  if base ~= nil and rawget(base, "__name") == nil and getmetatable(base) == nil then
    local ok, cls = pcall(declarative_class, name, base)
    if not ok then error(cls, 2) end
    return cls
  end
  if base ~= nil and getmetatable(base) ~= nil and rawget(base, "__name") == nil then
    error("kserial: class(): the second argument must be a class or a spec (a table without "
          .. "metatable), got " .. show(base), 2)
  end
  if base ~= nil and not is_class(base) then
    error("kserial: class(): the base must be a class (a table with __name and __index)", 2)
  end
  if base ~= nil and declarative_base(base) then
    -- a subclass of a declarative class is declarative: it inherits the fields
    local ok, cls = pcall(declarative_class, name, { extends = base })
    if not ok then error(cls, 2) end
    return cls
  end
  return plain_class(name, base)
end
