-- luacheck configuration: `luacheck .` in the root is clean (CI and the
-- ctest test `luacheck` check it).
std = "lua54"
-- methods (function C:m()) need not use self
self = false
-- a name starting with "_" is unused on purpose (a to-be-closed scope held
-- for its lifetime: `local _scope <close> = kserial.custom_object_scope{...}`)
ignore = { "21[123]/_.*" }
-- long lines are long strings (expected messages, JSON documents)
max_code_line_length = 120
max_comment_line_length = 120
max_string_line_length = false
exclude_files = { "build*/**", "_build/**", ".luarocks/**", "lua_modules/**" }

-- the specs hold expected messages and JSON documents whole, one per line
-- the LuaLS stubs declare functions: their parameters are names, not code
files["library"] = { unused_args = false }
files["spec"] = { max_code_line_length = false }
files["spec/**/*_spec.lua"] = { std = "+busted" }
files["spec/helpers/gc_stress.lua"] = { std = "+busted" }
-- scripts kserial-lua runs, with its global `kserial`
files["spec/cli/fixtures/**/*.lua"] = { read_globals = { "kserial" } }
files["spec/cli/fixtures/mods/scan_stub.lua"] = { globals = { "kserial" } }
files["fuzz/make_seeds.lua"] = { read_globals = { "kserial" } }
files["examples/*.lua"] = { read_globals = { "kserial" } }
