-- Keras files byte for byte. Every file of a folder of Keras documents,
-- decoded with keep_order and encoded with the Python json.dumps settings
-- that wrote it, gives back exactly its own bytes; and so does a document
-- loaded through classes that keep their config and dumped again.
--
-- The folder is the full corpus when it is present (31 files), else the
-- redistributable part kept in spec/data/keras (spec/helpers/corpus.lua).
-- check() takes a folder plus a table naming each file's style. Every file
-- of the folder must have a style, and with the full corpus every style a
-- file: a new file cannot slip through.
local kserial = require "kserial"
local json = kserial.json

-- Python's json.dumps settings. Keras writes with json.dumps' defaults
-- (config.json in a .keras file, to_json(), SavedModel metadata, HDF5
-- attributes, tf.js model.json); keras-hub writes its preset files with
-- indent=4.
local KERAS = { separators = { ", ", ": " }, ensure_ascii = true }
local PRESET = { indent = 4, ensure_ascii = true }

local CORPUS_STYLES = {
  ["01_k3-fixture-tiny-registered-subclass.json"] = KERAS,
  ["02_k3-sequential-tiny-dense-rmsprop.json"] = KERAS,
  ["03_k3-sequential-cnn-lambda.json"] = KERAS,
  ["04_k3-functional-siamese-shared-nested-model.json"] = KERAS,
  ["05_k3-functional-textvec-custom-unregistered.json"] = KERAS,
  ["06_k3-functional-transformer-ops-layers.json"] = KERAS,
  ["07_k3-sequential-lstm-ner-k3.2.json"] = KERAS,
  ["08_k3-functional-unet-concatenate.json"] = KERAS,
  ["09_k3-sequential-nested-augmentation-loss-object.json"] = KERAS,
  ["10_tfkeras2.14-v3format-tiny-subclassed-vae.json"] = KERAS,
  ["11_tfkeras2.13-v3format-functional-mobilenet-block.json"] = KERAS,
  ["12_k3-to_json-sequential-cnn.json"] = KERAS,
  ["13_k3-to_json-big-sequential-nested-efficientnet.json"] = KERAS,
  ["14_k3-to_json-big-sequential-nested-resnet.json"] = KERAS,
  ["15_kerashub-preset-task-nested-registered.json"] = PRESET,
  ["16_kerashub-preset-backbone-config-tiny.json"] = PRESET,
  ["17_tfkeras2.13-to_json-big-hybrid-efficientnet-vit.json"] = KERAS,
  ["18_tfjs-layers-model-from-keras3.8.json"] = KERAS,
  ["19_tfjs-layers-model-from-keras2.15.json"] = KERAS,
  ["20_k2.10-savedmodel-metadata-big-mobilenetv3-tuple.json"] = KERAS,
  ["21_k2.15-savedmodel-metadata-sequential-tuple.json"] = KERAS,
  ["22_k2.10-h5-model_config-lstm.json"] = KERAS,
  ["23_k2.10-h5-training_config.json"] = KERAS,
  ["24_k2.0.5-to_json-sequential-list-config.json"] = KERAS,
  ["25_k2.0.6-to_json-sequential-lambda-marshal.json"] = KERAS,
  ["26_k2.0.6-to_json-nested-sequential-custom-layer.json"] = KERAS,
  ["27_k2.2.4tf-to_json-sequential-lstm.json"] = KERAS,
  ["28_k2.3.1-to_json-bidirectional-timedistributed.json"] = KERAS,
  ["29_k2.2.0-to_json-functional-model-mobilenet.json"] = KERAS,
  ["30_k2.4-to_json-functional-resnet50-nested-sequential.json"] = KERAS,
  ["31_k1.2.1-to_json-sequential-legacy.json"] = KERAS,
}

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function list(dir)
  local out = {}
  local p = io.popen('ls -1 "' .. dir .. '" 2>/dev/null')
  for name in p:lines() do
    if name:match("%.json$") then out[#out + 1] = name end
  end
  p:close()
  table.sort(out)
  return out
end

-- Where two texts part, for the failure message.
local function first_difference(a, b)
  local i = 1
  while i <= #a and a:byte(i) == b:byte(i) do i = i + 1 end
  return string.format("they differ from byte %d: %q vs %q", i,
                       a:sub(i, i + 40), b:sub(i, i + 40))
end

local function same_bytes(want, got)
  if want ~= got then error(first_difference(want, got), 2) end
end

-- A class that keeps its config table as it came (from_config stores it,
-- get_config returns it), as many user classes do.
local Keep = kserial.class("Keep")
function Keep.from_config(cls, config) return setmetatable({ config = config }, cls) end
function Keep:get_config() return self.config end
function Keep:build_from_config(c) self.build = c end
function Keep:get_build_config() return self.build end
function Keep:compile_from_config(c) self.compile = c end
function Keep:get_compile_config() return self.compile end

-- For a document whose top level is a Keras envelope written in Keras's
-- order: a subclass of Keep that writes the same module and names back,
-- registered the way its names say. Returns the custom_objects to load it
-- with and a function that undoes the registration; nothing for other
-- documents.
local ENVELOPE_ORDER = { "module", "class_name", "config", "registered_name",
                         "build_config", "compile_config" }

local function keep_class(doc)
  local keys = json.keys(doc)
  for i, k in ipairs(keys) do
    if k ~= ENVELOPE_ORDER[i] or i < 4 and doc[k] == nil then return nil end
  end
  local null = kserial.null
  local cn = doc.class_name
  local module = doc.module ~= null and doc.module or nil
  local rn = doc.registered_name ~= null and doc.registered_name or nil
  local C = kserial.class(cn, Keep)
  C.__module = module
  if rn and rn:find(">", 1, true) then               -- "package>name"
    local pkg, name = rn:match("^(.-)>(.*)$")
    kserial.register_serializable(pkg, name)(C)
    return {}, function() kserial.get_custom_objects()[rn] = nil end
  elseif rn == nil and module then                   -- a member of a module
    kserial.register_module(module, { [cn] = C })
    return {}, function() kserial.register_module(module, {}) end
  end
  assert(rn == cn, "a document these tests do not cover")
  return { [cn] = C }, function() end
end

-- min_protocol: how many files at least must take the protocol route.
local function check(dir, styles, min_protocol)
  local files = list(dir)
  local protocol = 0

  it("has a style for every file, and a file for every style", function()
    assert.is_true(#files > 0, "no .json file in " .. dir)
    local listed = {}
    for _, name in ipairs(files) do
      listed[name] = true
      assert.is_not_nil(styles[name], "no style recorded for " .. name)
    end
    for name in pairs(styles) do
      assert.is_true(listed[name], "a style for a missing file: " .. name)
    end
  end)

  for _, name in ipairs(files) do
    local style = styles[name] or {}

    it("codec: " .. name, function()
      local text = read(dir .. "/" .. name)
      same_bytes(text, json.encode(json.decode(text, { keep_order = true }), style))
    end)

    it("protocol, through classes that keep their config: " .. name, function()
      local text = read(dir .. "/" .. name)
      local custom, undo = keep_class(json.decode(text, { keep_order = true }))
      if custom == nil then return end   -- a top level that is no Keras 3 envelope
      protocol = protocol + 1
      local ok, err = pcall(function()
        local obj = kserial.loads(text, { keep_order = true, custom_objects = custom })
        same_bytes(text, kserial.dumps(obj, style))
      end)
      undo()
      assert(ok, err)
    end)
  end

  it("took at least " .. min_protocol .. " files through the protocol", function()
    assert.is_true(protocol >= min_protocol, protocol .. " files")
  end)
end

describe("Keras files byte for byte", function()
  local corpus = require "corpus"
  local dir = corpus.dir("keras")
  local full = corpus.external() ~= nil
  local styles, keras3 = {}, 0
  for _, name in ipairs(list(dir)) do
    styles[name] = CORPUS_STYLES[name]
    -- 01 to 16 have a Keras 3 envelope at the top: they take the protocol route
    if tonumber(name:sub(1, 2)) <= 16 then keras3 = keras3 + 1 end
  end
  if full then styles = CORPUS_STYLES end
  check(dir, styles, full and 16 or keras3)

  it("keeps the redistributable files in spec/data, each with its style", function()
    local kept = list(corpus.data .. "/keras")
    assert.is_true(#kept >= 7, "spec/data/keras holds " .. #kept .. " files")
    for _, name in ipairs(kept) do assert.is_not_nil(CORPUS_STYLES[name], name) end
  end)

  it("without keep_order the files do not come back (the check can fail)", function()
    local text = read(dir .. "/17_tfkeras2.13-to_json-big-hybrid-efficientnet-vit.json")
    assert.are_not.equal(text, json.encode(json.decode(text), KERAS))
  end)
end)
