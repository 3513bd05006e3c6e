/*
** lookup.c - get_registered_object's precedence: the custom-object scopes,
** the global dict, the call's custom_objects, the call's module_objects.
*/
#include "ks_core.h"

KSL_HOT ks_handle ks_lookup(const ks_engine *e, const char *name, size_t len,
                    const ks_map *custom_objects, const ks_map *module_objects,
                    ks_source *src) {
  ks_source from = KS_FROM_NONE;
  ks_handle h;
  if ((h = ks_scope_lookup(e, name, len)) != KS_NOHANDLE)
    from = KS_FROM_SCOPE;
  else if ((h = ks_custom_get(e, name, len)) != KS_NOHANDLE)
    from = KS_FROM_REGISTRY;
  else if ((h = ks_map_get(custom_objects, name, len)) != KS_NOHANDLE)
    from = KS_FROM_CUSTOM;
  else if ((h = ks_map_get(module_objects, name, len)) != KS_NOHANDLE)
    from = KS_FROM_MODULE;
  if (src) *src = from;
  return h;
}

KSL_HOT uint64_t ks_lookup_stamp(const ks_engine *e) {
  if (e == NULL || ks_scope_has_objects(e)) return 0;
  return e->stamp;
}
