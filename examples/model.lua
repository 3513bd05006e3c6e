-- A small "model" of Lua layers: shared sub-objects and registered
-- functions, saved to a file, scanned before loading, and loaded back.
--   kserial-lua examples/model.lua [path]
local kserial = require "kserial"

-- Activations are plain functions, registered by name.
local act = {}
function act.relu(x) return x > 0 and x or 0 end
function act.sigmoid(x) return 1 / (1 + math.exp(-x)) end
kserial.register_module("demo.activations", act)   -- module "demo.activations"

-- An embedding table shared by an encoder and a decoder (weight tying).
local Embedding = kserial.class("Embedding")
function Embedding:init(c) self.size, self.dim = c.size, c.dim end
function Embedding:get_config() return { size = self.size, dim = self.dim } end

local Dense = kserial.class("Dense")
function Dense:init(c) self.units, self.activation = c.units, c.activation end
function Dense:get_config() return { units = self.units, activation = self.activation } end
function Dense.from_config(cls, c)
  return cls.new{ units = c.units, activation = kserial.deserialize(c.activation) }
end
-- build/compile hooks, as in Keras
function Dense:get_build_config() return self.input_shape and { input_shape = self.input_shape } end
function Dense:build_from_config(c) self.input_shape = c.input_shape end

local Model = kserial.class("Model")
function Model:init(c) self.name, self.layers, self.optimizer = c.name, c.layers, c.optimizer end
function Model:get_config() return { name = self.name, layers = self.layers } end
function Model:get_compile_config() return self.optimizer and { optimizer = self.optimizer } end
function Model:compile_from_config(c) self.optimizer = c.optimizer end
function Model.from_config(cls, c)
  local layers = {}
  for i, l in ipairs(c.layers) do layers[i] = kserial.deserialize(l) end
  return cls.new{ name = c.name, layers = layers }
end

for _, C in ipairs({ Embedding, Dense, Model }) do kserial.register_serializable("demo")(C) end

local emb = Embedding{ size = 1000, dim = 16 }
local hidden = Dense{ units = 16, activation = act.relu }
hidden.input_shape = kserial.json.array{ kserial.null, 16 }
local model = Model{
  name = "tied",
  layers = { emb, hidden, Dense{ units = 1, activation = act.sigmoid }, emb },
  optimizer = "adam",
}

local path = arg and arg[1] or os.tmpname()
kserial.save(model, path, { indent = 2 })
print("saved " .. path)

-- Before loading a file from elsewhere, look at what it needs.
local report = kserial.scan(kserial.json.decode(io.open(path):read("a")))
local missing, lambdas = 0, 0
for _, item in ipairs(report.items) do
  if item.found == false then missing = missing + 1 end
  if item.kind == "lambda" then lambdas = lambdas + 1 end
end
print(string.format("scan: %d items, %d missing, %d lambdas, unsafe = %s",
                    #report.items, missing, lambdas, tostring(report.unsafe)))
assert(missing == 0 and not report.unsafe)

local back = kserial.load(path)
assert(rawequal(back.layers[1], back.layers[4]), "tied embedding is one object")
assert(back.layers[2].activation == act.relu and back.layers[3].activation == act.sigmoid)
assert(back.layers[2].input_shape[2] == 16 and back.optimizer == "adam")
print(string.format("loaded %s: %d layers, embedding shared, sigmoid(0) = %.1f",
                    back.name, #back.layers, back.layers[3].activation(0)))
if not (arg and arg[1]) then os.remove(path) end
