/* Node-API glue for the kernel event watchers (netlink.c):
 *   watchNetlink(cb)      cb({link, addr, route}) coalesced: at most one call queued at a time
 *   watchMptcpEvents(cb)  cb({type, token, family, saddr, daddr, sport, dport, locId, remId,
 *                            ifindex, error, backup}) per MPTCP path-manager event
 * Both return {stop()}; watchers are also stopped when the environment is torn down. */
#include <errno.h>
#include <node_api.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

typedef struct {
  napi_threadsafe_function tsfn;
  nl_watch *watch;
  atomic_uint pending_kinds; /* rtnl: kinds not yet delivered */
  int stopped;
  /* JS thread only: the returned object and its stop function each hold one. A stop function
   * kept alone outlives the object, so the object's finalizer must not free the watcher. */
  int refs;
  napi_env env;
} watcher;

static void set_bool(napi_env env, napi_value obj, const char *name, int value) {
  napi_value v;
  napi_get_boolean(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

static void set_int(napi_env env, napi_value obj, const char *name, int64_t value) {
  napi_value v;
  napi_create_int64(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

static void set_str(napi_env env, napi_value obj, const char *name, const char *value) {
  napi_value v;
  napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, name, v);
}

static void stop_watcher(watcher *w) {
  if (w->stopped) return;
  w->stopped = 1;
  nl_watch_stop(w->watch); /* joins the thread: no call into the tsfn after this */
  w->watch = NULL;
  napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
}

static void env_cleanup(void *arg) { stop_watcher(arg); }

/* ---- rtnetlink ---- */

static void rtnl_notify(void *ctx, unsigned kinds) {
  watcher *w = ctx;
  unsigned before = atomic_fetch_or(&w->pending_kinds, kinds);
  if (before == 0) napi_call_threadsafe_function(w->tsfn, NULL, napi_tsfn_nonblocking);
}

static void rtnl_call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)data;
  watcher *w = context;
  if (!env || !cb) return;
  unsigned kinds = atomic_exchange(&w->pending_kinds, 0);
  napi_value arg, undefined;
  napi_create_object(env, &arg);
  set_bool(env, arg, "link", kinds & NL_KIND_LINK);
  set_bool(env, arg, "addr", kinds & NL_KIND_ADDR);
  set_bool(env, arg, "route", kinds & NL_KIND_ROUTE);
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, cb, 1, &arg, NULL);
}

/* ---- MPTCP events ---- */

static void mptcp_notify(void *ctx, const mptcp_event *event) {
  watcher *w = ctx;
  mptcp_event *copy = malloc(sizeof(*copy));
  if (!copy) return;
  memcpy(copy, event, sizeof(*copy));
  if (napi_call_threadsafe_function(w->tsfn, copy, napi_tsfn_nonblocking) != napi_ok) free(copy);
}

static const char *mptcp_event_name(int type) {
  switch (type) {
    case 1: return "created";
    case 2: return "established";
    case 3: return "closed";
    case 6: return "announced";
    case 7: return "removed";
    case 10: return "sub-established";
    case 11: return "sub-closed";
    case 13: return "sub-priority";
    case 15: return "listener-created";
    case 16: return "listener-closed";
    default: return "unknown";
  }
}

static void mptcp_call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  mptcp_event *ev = data;
  if (env && cb) {
    napi_value arg, undefined;
    napi_create_object(env, &arg);
    set_str(env, arg, "type", mptcp_event_name(ev->type));
    set_int(env, arg, "token", ev->token);
    set_int(env, arg, "family", ev->family);
    set_str(env, arg, "saddr", ev->saddr);
    set_str(env, arg, "daddr", ev->daddr);
    set_int(env, arg, "sport", ev->sport);
    set_int(env, arg, "dport", ev->dport);
    set_int(env, arg, "locId", ev->loc_id);
    set_int(env, arg, "remId", ev->rem_id);
    set_int(env, arg, "ifindex", ev->ifindex);
    set_int(env, arg, "error", ev->error);
    set_bool(env, arg, "backup", ev->backup);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, cb, 1, &arg, NULL);
  }
  free(ev);
}

/* ---- JS entry points ---- */

static napi_value watcher_stop(napi_env env, napi_callback_info info) {
  void *data;
  napi_get_cb_info(env, info, NULL, NULL, NULL, &data);
  watcher *w = data;
  if (!w->stopped) {
    napi_remove_env_cleanup_hook(env, env_cleanup, w);
    stop_watcher(w);
  }
  return NULL;
}

static void watcher_unref(watcher *w) {
  if (--w->refs == 0) free(w);
}

/* the object is gone: nobody can receive events any more, so watching ends */
static void watcher_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  watcher *w = data;
  if (!w->stopped) {
    napi_remove_env_cleanup_hook(env, env_cleanup, w);
    stop_watcher(w);
  }
  watcher_unref(w);
}

static void stop_fn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  watcher_unref(data);
}

static napi_value start_watch(napi_env env, napi_callback_info info, int mptcp) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype type = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &type);
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "callback must be a function");
    return NULL;
  }
  watcher *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  w->env = env;
  napi_value name;
  napi_create_string_utf8(env, mptcp ? "braid-mptcp-events" : "braid-rtnl", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, w,
                                      mptcp ? mptcp_call_js : rtnl_call_js, &w->tsfn) != napi_ok) {
    free(w);
    napi_throw_error(env, NULL, "cannot create thread-safe function");
    return NULL;
  }
  napi_unref_threadsafe_function(env, w->tsfn); /* watching must not keep the process alive */
  int rc = mptcp ? mptcp_watch_start(&w->watch, mptcp_notify, w) : rtnl_watch_start(&w->watch, rtnl_notify, w);
  if (rc < 0) {
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    free(w);
    char msg[160];
    snprintf(msg, sizeof(msg), "%s: %s", mptcp ? "cannot watch MPTCP events" : "cannot watch rtnetlink", strerror(-rc));
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  napi_add_env_cleanup_hook(env, env_cleanup, w);
  napi_value obj, stop;
  napi_create_object(env, &obj);
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, watcher_stop, w, &stop);
  w->refs = 1;
  if (napi_add_finalizer(env, stop, w, stop_fn_finalize, NULL, NULL) != napi_ok) w->refs++; /* leak, never free early */
  napi_set_named_property(env, obj, "stop", stop);
  w->refs++;
  if (napi_wrap(env, obj, w, watcher_finalize, NULL, NULL) != napi_ok) w->refs++;
  return obj;
}

static napi_value watch_netlink(napi_env env, napi_callback_info info) { return start_watch(env, info, 0); }
static napi_value watch_mptcp_events(napi_env env, napi_callback_info info) { return start_watch(env, info, 1); }

void braid_register_netlink(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"watchNetlink", NULL, watch_netlink, NULL, NULL, NULL, napi_default, NULL},
      {"watchMptcpEvents", NULL, watch_mptcp_events, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
