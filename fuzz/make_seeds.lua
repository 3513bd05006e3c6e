-- make_seeds.lua OUTDIR: writes synthesized seed inputs for the fuzz
-- targets into OUTDIR/<target>/ (tools/fuzz.sh runs it with the build's
-- kserial-lua and adds the shared corpus). Each seed is a flag byte (see
-- fuzz/lua/*.lua) followed by a document made with the real engine: real
-- lambda bytecode, real envelopes of the registry's classes.
local kserial = kserial or require "kserial"
local out = assert(arg[1], "usage: make_seeds.lua OUTDIR")
local here = arg[0]:match("^(.*)/[^/]*$") or "."
dofile(here .. "/lua/registry.lua")(kserial, { reentrant = true })   -- registers the classes
local json = kserial.json

local count = 0
local function write(target, name, flags, text)
  local path = string.format("%s/%s/%s-%02x", out, target, name, flags)
  local f = assert(io.open(path, "wb"))
  f:write(string.char(flags), text)
  f:close()
  count = count + 1
end

-- documents, by name
local docs = {}
local function env(cn, config, extra)
  local e = { class_name = cn, config = config }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local lambda = kserial.serialize(load("local x = ... return x"))
local lambda2 = kserial.serialize(load("return function() return 1 end"))
docs.lambda = lambda
docs.lambdas_nested = { layers = { env("Fuzz>Nested", { child = lambda }), lambda2,
  env("Fuzz>Tolerant", { a = lambda, b = env("Fuzz>Raiser", { msg = "m" }) }) } }
docs.generic = env("Dense", { units = 3, activation = "relu",
  kernel_initializer = env("GlorotUniform", { seed = kserial.null }, { module = "keras.initializers" }) },
  { module = "keras.layers", registered_name = kserial.null,
    build_config = { input_shape = json.array({ kserial.null, 4 }) },
    compile_config = { loss = "mse",
                       optimizer = env("Adam", { learning_rate = 0.001 }, { module = "keras.optimizers" }) } })
docs.functions = json.array({ env("function", "Fuzz>square", { module = kserial.null, registered_name = "function" }),
  env("function", "relu", { module = "keras.activations" }), env("function", "square"),
  env("function", "cube"), env("function", "helper", { module = "fuzz.mod" }) })
docs.misbehaving = json.array({ env("Fuzz>ScopeLeaker", {}), env("Fuzz>ScopeLeaker", { safe = false }),
  env("Fuzz>Scoped", { child = env("Inner", {}) }), env("Fuzz>NilReturner", {}),
  env("Fuzz>NoFromConfig", {}), env("Fuzz>TableRaiser", {}), env("NotAClass", {}),
  env("Fuzz>Number", {}), env("Fuzz>relu", {}), env("Fuzz>Derived", { a = 1 }),
  env("Base", {}, { module = "fuzz.mod" }), env("Fuzz>FuzzUD", { n = 5 }) })
docs.reenter = env("Fuzz>Reenter", { text = kserial.dumps({ a = lambda, b = { 1, 2 } }),
  dump = { x = 1.5, y = kserial.serialize("\255") } })
docs.special = json.array({ env("__fuzz__", { value = env("Fuzz>Base", {}) }), env("__fuzz__", { raise = true }),
  env("__tuple__", { value = json.array({ 1, 2 }) }), env("__bytes__", { value = "/w==", encoding = "base64" }),
  env("__keras_tensor__", { shape = json.array({ kserial.null, 3 }) }) })
docs.special_nested = json.array({
  env("__fuzz_nested__", { value = env("Fuzz>Base", {}) }),
  env("__fuzz_nested__", { value = lambda, unsafe = true }),
  env("__fuzz_nested__", { value = env("Scoped", {}), scope = true }),
  env("__fuzz_nested__", { value = env("__fuzz_nested__", { value = json.array({ 1, lambda2 }) }) }),
  env("__fuzz_nested__", { raise = true }) })
docs.keras_code = json.array({
  env("Lambda", { ["function"] = json.array({ "4wEAAAAA", kserial.null, kserial.null }),
                  function_type = "lambda", output_shape = "4wEA", output_shape_type = "lambda" }),
  env("TFSMLayer", { filepath = "model/" }), env("TorchModuleWrapper", { module = "gASV" }) })
docs.bad_config = json.array({ env("Fuzz>BadConfig", { mode = 1 }), env("Fuzz>BadConfig", { mode = 2 }),
  env("Fuzz>BadConfig", { mode = 3 }), env("Fuzz>BadConfig", { mode = 4 }) })

-- shared objects: a real dumps of one object met twice
local Base = kserial.get_registered_object("Fuzz>Base")
local shared = setmetatable({ cfg = { w = 1 } }, Base)
docs.shared = json.decode(kserial.dumps({ a = shared, b = shared, c = { shared } }))
docs.nested_with = env("Fuzz>Nested", { with = env("With", {}), child = env("Dense", {}) })

local names = {}
for k in pairs(docs) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  local text = json.encode(docs[name], { sort_keys = true })
  for _, flags in ipairs({ 0x00, 0x02, 0x03, 0x14, 0x24, 0x38, 0x46, 0x88 }) do
    write("fuzz_loads", name, flags, text)
  end
  for _, flags in ipairs({ 0x00, 0x04, 0x0c }) do write("fuzz_scan", name, flags, text) end
  write("fuzz_json_decode", name, 0x00, text)
  write("fuzz_json_decode", name, 0xe1, json.encode(docs[name], { indent = 2 }))
end
print(string.format("make_seeds: %d seeds in %s", count, out))
