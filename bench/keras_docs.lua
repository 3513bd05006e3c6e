-- bench/keras_docs.lua - the Keras documents the codec benchmarks read
-- (json_quick.lua, decode_corpus.lua): spec/data/keras, or
-- KSERIAL_CORPUS_DIR/keras when that is set (docs/testing.md). Not a test.
local M = {}

-- Returns the documents as a list of {name = file name, text = contents},
-- sorted by name, and their total size in bytes.
function M.load()
  local corpus = os.getenv("KSERIAL_CORPUS_DIR")
  local dir = (corpus and corpus ~= "" and corpus or "spec/data") .. "/keras/"
  local docs, total = {}, 0
  local p = assert(io.popen('ls -1 "' .. dir .. '"'))
  for name in p:lines() do
    if name:match("%.json$") then
      local f = assert(io.open(dir .. name, "rb"))
      local text = f:read("a")
      f:close()
      docs[#docs + 1] = { name = name, text = text }
      total = total + #text
    end
  end
  p:close()
  table.sort(docs, function(a, b) return a.name < b.name end)
  return docs, total
end

return M
