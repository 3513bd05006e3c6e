-- json.lua: the fuzz_json_decode harness (also replayed by
-- spec/hostile/fuzz_regressions_spec.lua). Input: one option byte, then the text.
--
--   opt & 0x01  allow_nan
--   opt & 0x0e  max_depth: default, 1, 2, 3, 5, 16, 64, 512
--   opt & 0x10  max_size = #text (must not matter); with 0x20 too,
--               max_size = #text - 1 (must refuse a text of 2+ bytes)
--   opt & 0x60  indent: none, 0, 2, 4 (when 0x10 is clear)
--   opt & 0x80  ensure_ascii and Keras's separators {", ", ": "}
--
-- Invariants (hooks.fail aborts the fuzzer when one breaks):
-- - decode either returns or raises a "kserial: " message (valid UTF-8);
-- - what decodes encodes (same allow_nan and max_depth); the text decodes
--   again and encodes to the same bytes; encode(decode(encode(v))) is
--   stable for the compact form too, and sort_keys = false gives the same
--   value back;
-- - loosening the options (a larger max_depth, allow_nan) never turns a
--   success into a failure or changes the value;
-- - ensure_ascii output is ASCII, every output is valid UTF-8;
-- - the cJSON bridge gives the same value back (it may refuse NUL bytes),
--   and cJSON's own print of the tree reads back to the same value.
local kserial, hooks = ...
local json = kserial.json

local DEPTHS = { false, 1, 2, 3, 5, 16, 64, 512 }
local INDENTS = { false, 0, 2, 4 }

local function fail(fmt, ...) hooks.fail(string.format(fmt, ...)) end

-- Errors are "kserial: " messages, valid UTF-8 whatever the input (bad
-- bytes are quoted as \xNN).
local function clean_error(err, what)
  if type(err) ~= "string" or err:sub(1, 9) ~= "kserial: " then
    fail("%s raised an unclean error: %s", what, tostring(err))
  end
  if not utf8.len(err) then fail("%s raised a message that is not valid UTF-8: %s", what, err) end
end

local function must(what, ok, v)
  if not ok then fail("%s failed: %s", what, tostring(v)) end
  return v
end

local function utf8_ok(s) return utf8.len(s) ~= nil end

local M = {}

function M.run(data)
  local opt = data:byte(1) or 0
  local text = data:sub(2)
  local allow_nan = opt & 1 ~= 0
  local depth = DEPTHS[((opt >> 1) & 7) + 1] or nil
  local dopts = { allow_nan = allow_nan, max_depth = depth or nil }
  local size_mode = (opt >> 4) & 3
  if size_mode == 1 then dopts.max_size = #text
  elseif size_mode == 3 and #text > 1 then dopts.max_size = #text - 1 end

  -- cJSON's parser and the bridge back into Lua values: may refuse, never crash
  local okp, perr = pcall(hooks.cjson_parse, text, depth or nil)
  if not okp then clean_error(perr, "testhooks.cjson_parse") end

  local ok, v = pcall(json.decode, text, dopts)
  if not ok then
    clean_error(v, "json.decode")
    -- a size limit alone must not be the only reason, unless it is exceeded
    if dopts.max_size == #text then
      dopts.max_size = nil
      if pcall(json.decode, text, dopts) then fail("max_size = #text refused the text") end
    end
    return
  end
  if dopts.max_size and dopts.max_size < #text then
    fail("max_size = %d accepted a text of %d bytes", dopts.max_size, #text)
  end

  local copts = { allow_nan = allow_nan, max_depth = depth or nil }
  local eopts = { allow_nan = allow_nan, max_depth = depth or nil }
  if size_mode == 0 then eopts.indent = INDENTS[((opt >> 5) & 3) + 1] or nil end
  if opt & 0x80 ~= 0 then
    eopts.ensure_ascii = true
    eopts.separators = { ", ", ": " }
  end
  local rdopts = { allow_nan = allow_nan, max_depth = depth or nil }

  -- the canonical (compact) text, and its fixed point
  local c1 = must("json.encode of a decoded value", pcall(json.encode, v, copts))
  if not utf8_ok(c1) then fail("json.encode wrote invalid UTF-8") end
  local c2 = must("json.decode of encode's output", pcall(json.decode, c1, rdopts))
  if must("json.encode (2)", pcall(json.encode, c2, copts)) ~= c1 then
    fail("encode(decode(encode(v))) ~= encode(v):\n%s", c1)
  end

  -- with the varied encode options
  local e1 = must("json.encode with options", pcall(json.encode, v, eopts))
  if not utf8_ok(e1) then fail("json.encode wrote invalid UTF-8 (options)") end
  if eopts.ensure_ascii and e1:find("[\128-\255]") then fail("ensure_ascii wrote a non-ASCII byte") end
  local v2 = must("json.decode of encode's output (options)", pcall(json.decode, e1, rdopts))
  if must("json.encode (3)", pcall(json.encode, v2, copts)) ~= c1 then
    fail("the options changed the value:\n%s\n%s", e1, c1)
  end
  if must("json.encode (4)", pcall(json.encode, v2, eopts)) ~= e1 then
    fail("encode with options is not stable:\n%s", e1)
  end

  -- unsorted keys: another order, the same value
  local uopts = { allow_nan = allow_nan, max_depth = depth or nil, sort_keys = false }
  local u1 = must("json.encode sort_keys = false", pcall(json.encode, v, uopts))
  local u2 = must("json.decode (unsorted)", pcall(json.decode, u1, rdopts))
  if must("json.encode (5)", pcall(json.encode, u2, copts)) ~= c1 then
    fail("sort_keys = false changed the value:\n%s", u1)
  end

  -- looser options accept the same text and give the same value
  if depth and depth < 512 then
    local w = must("json.decode with the default max_depth",
                   pcall(json.decode, text, { allow_nan = allow_nan }))
    if must("json.encode (6)", pcall(json.encode, w, { allow_nan = allow_nan })) ~= c1 then
      fail("max_depth changed the value")
    end
  end
  if not allow_nan then
    local w = must("json.decode with allow_nan",
                   pcall(json.decode, text, { allow_nan = true, max_depth = depth or nil }))
    if must("json.encode (7)", pcall(json.encode, w, copts)) ~= c1 then
      fail("allow_nan changed the value of a text without NaN")
    end
  end

  -- the cJSON bridge
  local okc, v3, ctext = pcall(hooks.cjson_roundtrip, v, copts)
  if okc then
    if must("json.encode (cJSON)", pcall(json.encode, v3, copts)) ~= c1 then
      fail("the cJSON bridge changed the value:\n%s", c1)
    end
    local v4 = must("json.decode of cJSON's print", pcall(json.decode, ctext, rdopts))
    if must("json.encode (cJSON print)", pcall(json.encode, v4, copts)) ~= c1 then
      fail("cJSON's print reads back as another value:\n%s\n%s", ctext, c1)
    end
  else
    clean_error(v3, "testhooks.cjson_roundtrip")
    if not c1:find("\\u0000", 1, true) then
      fail("the cJSON bridge refused a value without NUL bytes: %s", tostring(v3))
    end
  end
end

return M
