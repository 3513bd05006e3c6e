-- The verdict of kserial.scan and kserial-lua --scan on every Keras
-- document: the full corpus when it is present (31 files, three of them
-- with code), else the redistributable copy in spec/data/keras (which holds
-- no code, so every file there must come out clean).
local kserial = require "kserial"
local H = require "ks_helpers"
local corpus = require "corpus"

local DIR = corpus.dir("keras")
local FULL = corpus.external() ~= nil
local files = H.list(DIR, "%.json$")

-- The code each file holds, as "<kind> <path>" (nothing: no code). Every
-- other file has no code: exit status 0.
local CODE = {
  ["03_k3-sequential-cnn-lambda.json"] = {
    "code $.config.layers[8]",                    -- a Keras 3 Lambda layer
    "lambda $.config.layers[8].config.function",  -- its __lambda__
  },
  ["25_k2.0.6-to_json-sequential-lambda-marshal.json"] = {
    "code $.config[0]",
    "lambda $.config[0].config.function",         -- marshal bytecode, a list
  },
  ["31_k1.2.1-to_json-sequential-legacy.json"] = {
    "code $.config[1]",
    "lambda $.config[1].config.function",
  },
}

local function code_of(report)
  local out = {}
  for _, it in ipairs(report.items) do
    if it.kind == "code" or it.kind == "lambda" then out[#out + 1] = it.kind .. " " .. it.path end
  end
  return out
end

describe("scan over the Keras corpus", function()
  before_each(function() kserial.clear_custom_objects() end)

  it("has every file and an expectation for each file with code", function()
    assert.is_true(#files >= 7, DIR)
    if not FULL then return end
    assert.equal(31, #files)
    local seen = {}
    for _, f in ipairs(files) do seen[f] = true end
    for f in pairs(CODE) do assert.is_true(seen[f], f) end
  end)

  for _, f in ipairs(files) do
    it("gives the right verdict: " .. f, function()
      local r = kserial.scan(H.read(DIR .. "/" .. f), { allow_nan = true })
      assert.same(CODE[f] or {}, code_of(r), f)
      assert.equal(CODE[f] ~= nil, r.unsafe, f)
      assert.is_false(r.invalid, f)   -- Keras's own envelopes are well formed
    end)
  end

  it("kserial-lua --scan --json gives every file its exit status", function()
    local build = os.getenv("KSERIAL_BUILD")
    local exe = build and (build .. "/kserial-lua")
    if not exe or not io.open(exe) then
      pending("skipped: kserial-lua not built (KSERIAL_BUILD)")
      return
    end
    local args = {}
    for i, f in ipairs(files) do args[i] = "'" .. DIR .. "/" .. f .. "'" end
    local p = io.popen("'" .. exe .. "' --scan --json " .. table.concat(args, " "))
    local report = kserial.json.decode(p:read("a"))
    local _, _, rc = p:close()
    local worst = 0
    for _, f in ipairs(files) do if CODE[f] then worst = 3 end end
    assert.equal(FULL and 3 or 0, worst)   -- the full corpus holds code, spec/data none
    assert.equal(worst, rc)
    assert.equal(worst, report.exit_code)
    assert.equal(#files, #report.files)
    for i, entry in ipairs(report.files) do
      local want = CODE[files[i]] and 3 or 0
      assert.equal(want, entry.exit_code, files[i])
      assert.equal(want == 3 and "unsafe" or "missing", entry.verdict, files[i])
    end
  end)
end)
