-- Where the specs find their test data (docs/testing.md).
--
-- The repository carries the redistributable part of the corpus in
-- spec/data; the full corpus is optional and named by KSERIAL_CORPUS_DIR
-- (ctest sets it from the CMake cache variable of the same name). A spec
-- that can run on either asks dir(part); a spec that needs the full corpus
-- asks external_or_skip().
local M = {}

local function is_dir(path)
  local f = io.open(path .. "/.", "rb")
  if f then f:close() return true end
  return false
end

-- The checkout: KSERIAL_SOURCE under ctest, else found from this file's
-- own name (spec/helpers/corpus.lua), else the current folder.
local function source_dir()
  local s = os.getenv("KSERIAL_SOURCE")
  if s and s ~= "" then return s end
  local here = debug.getinfo(1, "S").source:match("^@(.-)/?spec/helpers/corpus%.lua$")
  if here and here ~= "" then return here end
  return "."
end

M.source = source_dir()
M.data = M.source .. "/spec/data"

-- The full corpus's folder (holding keras/ and jsontestsuite/), or nil
-- when KSERIAL_CORPUS_DIR is unset, empty or not a folder.
function M.external()
  local d = os.getenv("KSERIAL_CORPUS_DIR")
  if d and d ~= "" and is_dir(d) then return d end
  return nil
end

-- The folder of one part ("keras", "jsontestsuite"): from the full corpus
-- when it is present, else the copy in spec/data.
function M.dir(part)
  return (M.external() or M.data) .. "/" .. part
end

M.reason = "the full corpus is not present: configure with "
  .. "-DKSERIAL_CORPUS_DIR=<folder with keras/ and jsontestsuite/> "
  .. "(or set KSERIAL_CORPUS_DIR for plain busted)"

-- For a spec that needs the full corpus: its folder. When it is absent,
-- under ctest (which sets KSERIAL_SKIP_CODE) the process prints why and
-- exits with that code, so ctest reports the spec as not run; under plain
-- busted it returns nil and the reason, and the spec declares itself
-- pending:
--   local root, why = corpus.external_or_skip()
--   if not root then pending(why) return end
function M.external_or_skip()
  local d = M.external()
  if d then return d end
  local code = tonumber(os.getenv("KSERIAL_SKIP_CODE") or "")
  if code then
    io.stderr:write("skipped: ", M.reason, "\n")
    io.stderr:flush()
    os.exit(code, true)
  end
  return nil, M.reason
end

return M
