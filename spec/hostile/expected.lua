-- The exact outcome of every document in spec/hostile/docs/ (name without
-- ".json"), loaded with kserial.loads while the classes of
-- spec/helpers/hostile.lua (hostile>Probe, hostile>Other) are registered:
--   error         the whole message in safe mode (the default)
--   unsafe_error  the whole message with safe_mode = false (lambdas only: the
--                 bytecode is checked only once safe mode allows looking at it)
--   check(v, H)   for documents that load: true when the value is right
return {
  ["bom"] = { error = "kserial: loads: the document starts with a UTF-8 byte order mark (BOM), which JSON text must not have at line 1, column 1 (byte 0)" },
  ["comment"] = { error = "kserial: loads: unexpected character '/', expected a string key at line 1, column 24 (byte 23)" },
  ["dup_class_name"] = {
    check = function(v, H)  -- last key wins; registered_name still names Probe
      return getmetatable(v) == H.Probe end },
  ["dup_config"] = {
    check = function(v, H)  -- the last "config" wins
      return getmetatable(v) == H.Probe and v.config.b == 2 and v.config.a == nil end },
  ["dup_registered_name"] = { error = "kserial: Could not locate class 'os>execute'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["dup_safe_lambda"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)" },
  ["empty"] = { error = "kserial: loads: unexpected end of input, expected a JSON value at line 1, column 1 (byte 0)" },
  ["escape_lone_surrogate"] = { error = "kserial: loads: lone high surrogate \\ud800 in a string (it must be followed by a \\uDC00-\\uDFFF escape) at line 1, column 16 (byte 15)" },
  ["inconsistent_envelope"] = { error = "kserial: Could not locate class 'os>execute'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["lambda_bad_base64"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: a lambda's \"value\" is not valid base64 (at $.config)" },
  ["lambda_in_probe_config"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $.config.fn)",
    unsafe_error = "kserial: malformed lambda bytecode: (lambda): bad binary format (truncated chunk) (at $.config.fn.config)" },
  ["lambda_lua53"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: a lambda's bytecode is not a Lua 5.4 binary chunk (at $.config)" },
  ["lambda_nested"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $[1].k)",
    unsafe_error = "kserial: malformed lambda bytecode: (lambda): bad binary format (truncated chunk) (at $[1].k.config)" },
  ["lambda_no_format"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: a lambda must have \"format\": \"lua54-bytecode\" (at $.config)" },
  ["lambda_python"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: this lambda holds Python bytecode (Keras); only Lua 5.4 lambdas (format \"lua54-bytecode\") can be loaded (at $.config)" },
  ["lambda_text_source"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: a lambda's bytecode is not a Lua 5.4 binary chunk (at $.config)" },
  ["lambda_truncated_header"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: malformed lambda bytecode: (lambda): bad binary format (truncated chunk) (at $.config)" },
  ["lambda_value_null"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: a lambda's \"value\" must be a base64 string (at $.config)" },
  ["lambda_with_safe_mode_key"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)",
    unsafe_error = "kserial: malformed lambda bytecode: (lambda): bad binary format (truncated chunk) (at $.config)" },
  ["name_newlines"] = { error = "kserial: Could not locate class 'Probe\\u000akserial: fake message (at $)'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["name_very_long"] = { error = "kserial: Could not locate class 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["name_with_nul"] = { error = "kserial: Could not locate class 'Probe\\u0000os.execute'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["nan_token"] = { error = "kserial: loads: unexpected character 'N', expected a JSON value (NaN and Infinity need allow_nan) at line 1, column 2 (byte 1)" },
  ["nul_byte_raw"] = { error = "kserial: loads: unescaped control character \\x00 in a string at line 1, column 21 (byte 20)" },
  ["number_huge_digits"] = { error = "kserial: loads: number out of range (it would be infinite; allow_nan accepts it) at line 1, column 2 (byte 1)" },
  ["number_int_edges"] = {
    check = function(v)
      return math.type(v[1]) == "integer" and v[1] == math.maxinteger
        and math.type(v[2]) == "integer" and v[2] == math.mininteger
        and math.type(v[3]) == "float" and v[3] == 2.0^63
        and math.type(v[4]) == "float" and v[4] == -(2.0^63) end },
  ["number_overflow"] = { error = "kserial: loads: number out of range (it would be infinite; allow_nan accepts it) at line 1, column 71 (byte 70)" },
  ["number_overflow_negative"] = { error = "kserial: loads: number out of range (it would be infinite; allow_nan accepts it) at line 1, column 2 (byte 1)" },
  ["number_underflow"] = {
    check = function(v)  -- underflow gives zeros that keep their sign
      return v[1] == 0 and 1 / v[1] > 0 and v[2] == 0 and 1 / v[2] < 0
        and math.type(v[1]) == "float" end },
  ["shared_in_marker"] = {
    check = function(v)  -- an unknown marker is kept whole, id included
      return getmetatable(v).__name == "kserial.marker" and v.shared_object_id == 1 end },
  ["shared_inside_itself"] = { error = "kserial: shared_object_id 1 is used inside its own object's config (the object is still being built) (at $.config.self)" },
  ["shared_on_function"] = {
    check = function(v, H)  -- a function envelope's id is not a shared object
      return v[1] == H.Probe and getmetatable(v[2]) == H.Probe end },
  ["shared_two_classes"] = { error = "kserial: shared_object_id 1 belongs to a 'Probe' object, but this envelope resolves to another class ('Other') (at $[1])" },
  ["shared_zero_negative_huge"] = {
    check = function(v, H)  -- ids are opaque integers: 0 twice is one object
      for i = 1, 5 do if getmetatable(v[i]) ~= H.Probe then return false end end
      return v[1] == v[5] and v[1] ~= v[2] and v[2] ~= v[3] and v[3] ~= v[4] end },
  ["trailing_garbage"] = { error = "kserial: loads: unexpected character 'o', expected the end of the document after the JSON value at line 1, column 70 (byte 69)" },
  ["type_build_config_array"] = { error = "kserial: the envelope's \"build_config\" must be a dict or null, not array (at $)" },
  ["type_build_config_int"] = { error = "kserial: the envelope's \"build_config\" must be a dict or null, not integer (at $)" },
  ["type_build_config_string"] = { error = "kserial: the envelope's \"build_config\" must be a dict or null, not string (at $)" },
  ["type_bytes_config_string"] = { error = "kserial: a __bytes__ config must be a dict (at $.config)" },
  ["type_bytes_encoding_int"] = { error = "kserial: unknown __bytes__ encoding (only \"base64\" is known) (at $.config)" },
  ["type_bytes_value_int"] = { error = "kserial: a __bytes__ \"value\" must be a string (at $.config)" },
  ["type_class_name_array"] = { error = "kserial: the envelope's \"class_name\" must be a string, not array (at $)" },
  ["type_class_name_bool"] = { error = "kserial: the envelope's \"class_name\" must be a string, not boolean (at $)" },
  ["type_class_name_dict"] = { error = "kserial: the envelope's \"class_name\" must be a string, not dict (at $)" },
  ["type_class_name_float"] = { error = "kserial: the envelope's \"class_name\" must be a string, not float (at $)" },
  ["type_class_name_int"] = { error = "kserial: the envelope's \"class_name\" must be a string, not integer (at $)" },
  ["type_class_name_null"] = { error = "kserial: the envelope's \"class_name\" must be a string, not null (at $)" },
  ["type_compile_config_array"] = { error = "kserial: the envelope's \"compile_config\" must be a dict or null, not array (at $)" },
  ["type_compile_config_int"] = { error = "kserial: the envelope's \"compile_config\" must be a dict or null, not integer (at $)" },
  ["type_compile_config_string"] = { error = "kserial: the envelope's \"compile_config\" must be a dict or null, not string (at $)" },
  ["type_config_bool"] = { error = "kserial: the envelope's \"config\" of 'Probe' must be a dict, not boolean (at $)" },
  ["type_config_int"] = { error = "kserial: the envelope's \"config\" of 'Probe' must be a dict, not integer (at $)" },
  ["type_config_string"] = { error = "kserial: the envelope's \"config\" of 'Probe' must be a dict, not string (at $)" },
  ["type_function_config_array"] = { error = "kserial: a function's config must be its name (a string), not array (at $.config)" },
  ["type_function_config_dict"] = { error = "kserial: a function's config must be its name (a string), not dict (at $.config)" },
  ["type_function_config_int"] = { error = "kserial: a function's config must be its name (a string), not integer (at $.config)" },
  ["type_function_config_null"] = { error = "kserial: a function's config must be its name (a string), not null (at $.config)" },
  ["type_function_module_int"] = { error = "kserial: the envelope's \"module\" must be a string or null, not integer (at $)" },
  ["type_lambda_config_string"] = { error = "kserial: Requested the deserialization of a lambda object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization(). (at $)" },
  ["type_module_array"] = { error = "kserial: the envelope's \"module\" must be a string or null, not array (at $)" },
  ["type_module_bool"] = { error = "kserial: the envelope's \"module\" must be a string or null, not boolean (at $)" },
  ["type_module_dict"] = { error = "kserial: the envelope's \"module\" must be a string or null, not dict (at $)" },
  ["type_module_int"] = { error = "kserial: the envelope's \"module\" must be a string or null, not integer (at $)" },
  ["type_registered_name_array"] = { error = "kserial: the envelope's \"registered_name\" must be a string or null, not array (at $)" },
  ["type_registered_name_bool"] = { error = "kserial: the envelope's \"registered_name\" must be a string or null, not boolean (at $)" },
  ["type_registered_name_dict"] = { error = "kserial: the envelope's \"registered_name\" must be a string or null, not dict (at $)" },
  ["type_registered_name_int"] = { error = "kserial: the envelope's \"registered_name\" must be a string or null, not integer (at $)" },
  ["type_shared_object_id_array"] = { error = "kserial: shared_object_id must be an integer, not array (at $)" },
  ["type_shared_object_id_bool"] = { error = "kserial: shared_object_id must be an integer, not boolean (at $)" },
  ["type_shared_object_id_dict"] = { error = "kserial: shared_object_id must be an integer, not dict (at $)" },
  ["type_shared_object_id_float"] = { error = "kserial: shared_object_id must be an integer, not float (at $)" },
  ["type_shared_object_id_string"] = { error = "kserial: shared_object_id must be an integer, not string (at $)" },
  ["utf8_invalid_in_name"] = { error = "kserial: loads: invalid UTF-8 byte \\xff in a string at line 1, column 19 (byte 18)" },
  ["utf8_overlong"] = { error = "kserial: loads: invalid UTF-8 byte \\xc0 in a string at line 1, column 3 (byte 2)" },
  ["utf8_surrogate_bytes"] = { error = "kserial: loads: invalid UTF-8 byte \\xed in a string at line 1, column 3 (byte 2)" },

  -- a NUL byte makes another name: neither a lambda nor a function envelope
  ["name_lambda_with_nul"] = { error = "kserial: Could not locate class '__lambda__\\u0000x'. Make sure custom classes are registered with kserial.register_serializable(). (at $)",
    unsafe_error = "kserial: Could not locate class '__lambda__\\u0000x'. Make sure custom classes are registered with kserial.register_serializable(). (at $)" },
  ["name_function_with_nul"] = { error = "kserial: the envelope's \"config\" of 'function\\u0000' must be a dict, not string (at $[0])" },
}
