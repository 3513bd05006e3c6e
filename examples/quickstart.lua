-- kserial quick start: a custom class, a registered function and a shared
-- sub-object, saved to JSON and loaded back.
--   kserial-lua examples/quickstart.lua      (or lua5.4 with kserial on LUA_CPATH)
local kserial = require "kserial"

-- 1. A class: a table with __name, get_config and from_config.
--    kserial.class fills in __name, __index, new and a default from_config.
local Dense = kserial.class("Dense")

function Dense:init(config)
  self.units = config.units
  self.activation = config.activation
end

function Dense:get_config()
  return { units = self.units, activation = self.activation }
end

function Dense.from_config(cls, config)
  -- nested envelopes arrive as stored: deserialize what you need
  return cls.new{ units = config.units, activation = kserial.deserialize(config.activation) }
end

-- A container whose children are objects too.
local Sequential = kserial.class("Sequential")

function Sequential:init(layers) self.layers = layers end

function Sequential:get_config() return { layers = self.layers } end

function Sequential.from_config(cls, config)
  local layers = {}
  for i, layer in ipairs(config.layers) do layers[i] = kserial.deserialize(layer) end
  return cls.new(layers)
end

-- 2. Register the classes and a function under package "demo".
kserial.register_serializable("demo")(Dense)
kserial.register_serializable("demo")(Sequential)
local function relu(x) return x > 0 and x or 0 end
kserial.register_serializable("demo", "relu")(relu)

-- 3. Build a model whose first layer is used twice (a shared object).
local shared = Dense{ units = 4, activation = relu }
local model = Sequential{ shared, Dense{ units = 2, activation = relu }, shared }

-- 4. To JSON and back.
local text = kserial.dumps(model, { indent = 2 })
print(text)

local back = kserial.loads(text)
assert(getmetatable(back) == Sequential)
assert(back.layers[1].units == 4 and back.layers[2].units == 2)
assert(back.layers[1].activation == relu, "the registered function comes back")
assert(rawequal(back.layers[1], back.layers[3]), "the shared layer is one object again")
print("round trip ok: 3 layers, layer 1 and 3 are the same object, relu(-3) = "
      .. back.layers[1].activation(-3))

-- 5. Safe by default: an unregistered function is stored as bytecode and
--    refused on load unless safe mode is off.
local lambda_text = kserial.dumps(Dense{ units = 1, activation = function(x) return 2 * x end })
local ok, err = pcall(kserial.loads, lambda_text)
assert(not ok)
print("refused in safe mode: " .. err:match("Requested the deserialization of a lambda object"))
