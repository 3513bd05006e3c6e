-- Every document in spec/hostile/docs/ gives exactly the outcome written in
-- spec/hostile/expected.lua, reaches nothing it should not (spies on os,
-- io, _G, package, debug, string, coroutine and kserial itself), and leaves
-- the engine exactly as it was. kserial.scan reads each one without
-- instantiating anything and flags every lambda.
local kserial = require "kserial"
local H = require "hostile"
local ks = require "ks_helpers"

local DIR = (os.getenv("KSERIAL_SOURCE") or ".") .. "/spec/hostile/docs"
local EXPECTED = dofile((os.getenv("KSERIAL_SOURCE") or ".") .. "/spec/hostile/expected.lua")

local files = ks.list(DIR, "%.json$")

local function outcome(name, text, opts)
  local before = H.state()
  local log, ok, v = H.watch(kserial.loads, text, opts)
  assert.same({}, log, name)
  assert.same(before, H.state(), name)
  if ok then assert.is_nil(H.reaches(v), name) end
  return ok, v
end

describe("hostile documents", function()
  setup(H.setup)

  it("every document has an expected outcome and every outcome a document", function()
    assert.is_true(#files >= 70)
    local seen = {}
    for _, f in ipairs(files) do
      local name = f:gsub("%.json$", "")
      assert.is_table(EXPECTED[name], "no expected outcome for " .. f)
      seen[name] = true
    end
    for name in pairs(EXPECTED) do assert.is_true(seen[name], "no document " .. name) end
  end)

  it("give exactly their expected outcome, in safe mode", function()
    for _, f in ipairs(files) do
      local name = f:gsub("%.json$", "")
      local want = EXPECTED[name]
      local ok, v = outcome(name, ks.read(DIR .. "/" .. f))
      if want.error then
        assert.is_false(ok, name .. " loaded")
        assert.equal(want.error, v, name)
      else
        assert.is_true(ok, name .. ": " .. tostring(v))
        assert.is_true(want.check(v, H), name)
      end
    end
  end)

  it("lambdas with safe mode off are checked, never run as source", function()
    local n = 0
    for _, f in ipairs(files) do
      local name = f:gsub("%.json$", "")
      local want = EXPECTED[name]
      if want.unsafe_error then
        n = n + 1
        local ok, v = outcome(name, ks.read(DIR .. "/" .. f), { safe_mode = false })
        assert.is_false(ok, name .. " loaded")
        assert.equal(want.unsafe_error, v, name)
      end
    end
    assert.is_true(n >= 10)
  end)

  it("are read by scan without instantiating anything; lambdas are flagged", function()
    local scanned = 0
    for _, f in ipairs(files) do
      local name = f:gsub("%.json$", "")
      local text = ks.read(DIR .. "/" .. f)
      local okd, doc = pcall(kserial.json.decode, text)
      if okd then
        local before = H.state()
        local log, ok, report = H.watch(kserial.scan, doc)
        assert.same({}, log, name)
        assert.is_true(ok, name .. ": " .. tostring(report))
        assert.same(before, H.state(), name)
        local lambdas = 0
        for _, item in ipairs(report.items) do
          if item.kind == "lambda" then lambdas = lambdas + 1 end
          assert.is_string(item.path, name)
        end
        local has_lambda = text:find('"__lambda__"', 1, true) ~= nil
        assert.equal(has_lambda, report.unsafe, name)
        assert.equal(has_lambda, lambdas > 0, name)
        scanned = scanned + 1
      else
        assert.matches("^kserial: json%.decode: ", doc, 1, false, name)
      end
    end
    assert.is_true(scanned >= 55)
  end)
end)
