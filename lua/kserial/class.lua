-- kserial.class(name [, base]): a small helper that makes a class the way
-- kserial expects one (SPEC section 1). Using it is optional.
local kserial = ...

local setmetatable, pairs, type, error = setmetatable, pairs, type, error

-- Metamethods are looked up raw in the metatable, so a subclass copies its
-- base's (except the ones that describe the class itself).
local OWN = { __name = true, __index = true, __module = true }

-- Class.new(...) calls obj:init(...) when the class has one; otherwise a
-- table argument's fields are copied into the new object, so that
-- from_config(config) gives back an object holding its config.
local function new_instance(cls, ...)
  local obj = setmetatable({}, cls)
  local init = cls.init
  if init then
    init(obj, ...)
  elseif type((...)) == "table" then
    for k, v in pairs((...)) do obj[k] = v end
  end
  return obj
end

function kserial.class(name, base)
  if type(name) ~= "string" or name == "" then
    error("kserial: class(): the name must be a non-empty string", 2)
  end
  if base ~= nil and type(base) ~= "table" then
    error("kserial: class(): the base must be a class (a table), got " .. type(base), 2)
  end
  local cls = {}
  if base then
    for k, v in pairs(base) do
      if type(k) == "string" and k:sub(1, 2) == "__" and not OWN[k] then
        cls[k] = v
      end
    end
  end
  cls.__name = name
  cls.__index = cls
  cls.new = function(...) return new_instance(cls, ...) end
  if not (base and base.from_config) then
    -- Class:from_config(config) builds the class it is called on.
    cls.from_config = function(self, config) return self.new(config) end
  end
  return setmetatable(cls, {
    __index = base,
    __call = function(_, ...) return new_instance(cls, ...) end,
    __name = "kserial.classdef",
  })
end
