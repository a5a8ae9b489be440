/* Node-API glue for native/lib/index.ts: argument validation (TypeError/RangeError with the
 * offending option's name), conversions, async connect, and the JS side of the pump's
 * sessions (thread-safe function for CONTROL payloads and the single 'closed' event). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "mptcp.h"
#include "peercred.h"
#include "pump.h"
#include "tun.h"

void braid_register_netlink(napi_env env, napi_value exports); /* addon_netlink.c */
void braid_register_sockopt(napi_env env, napi_value exports); /* addon_sockopt.c */

#define STOP_GRACE_MS 500   /* tunnel.stop(): blocks the JS thread at most this long */
#define CLOSE_GRACE_MS 1000 /* session.close(): asynchronous, in the writer thread */
#define MAX_SAFE_INT 9007199254740991.0
#define CLOSE_REASON_BUF 1025 /* CLOSE frame reason: at most 1024 bytes of UTF-8 */

/* ------------------------------------------------------------------ errors and args */

#define NAPI_OK(call)                        \
  do {                                       \
    if ((call) != napi_ok) return throw_napi(env); \
  } while (0)

static napi_value throw_napi(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, NULL, info && info->error_message ? info->error_message : "N-API call failed");
  }
  return NULL;
}

static napi_value throw_type(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static napi_value throw_type(napi_env env, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

static napi_value throw_range(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static napi_value throw_range(napi_env env, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return NULL;
}

/* Error like Node's system errors: "what: description", code "ECONNREFUSED", errno -111. */
static napi_value make_errno_error(napi_env env, const char *what, int err) {
  const char *name = strerrorname_np(err);
  const char *desc = strerrordesc_np(err);
  char msg[512];
  snprintf(msg, sizeof(msg), "%s: %s (%s)", what, desc ? desc : "unknown error", name ? name : "E?");
  napi_value m, code, e, eno;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, m, &e);
  napi_create_int32(env, -err, &eno);
  napi_set_named_property(env, e, "errno", eno);
  return e;
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  napi_throw(env, make_errno_error(env, what, err));
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv,
                    napi_value *this_arg, void **data) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, this_arg, data) != napi_ok) return -1;
  for (size_t i = argc; i < want; i++) napi_get_undefined(env, &argv[i]);
  return 0;
}

static napi_valuetype type_of(napi_env env, napi_value v) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  return t;
}

/* Integer in [min, max]; throws (and returns -1) otherwise. */
static int get_integer(napi_env env, napi_value v, const char *name, double min, double max,
                       double *out) {
  if (type_of(env, v) != napi_number) {
    throw_type(env, "%s must be a number", name);
    return -1;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (d != d || d < min || d > max || d != (double)(long long)d) {
    throw_range(env, "%s must be an integer in %.0f..%.0f, got %g", name, min, max, d);
    return -1;
  }
  *out = d;
  return 0;
}

static int get_fd(napi_env env, napi_value v, const char *name, int *fd) {
  double d;
  if (get_integer(env, v, name, 0, 2147483647.0, &d) != 0) return -1;
  *fd = (int)d;
  return 0;
}

static int get_object(napi_env env, napi_value v, const char *name) {
  if (type_of(env, v) != napi_object) {
    throw_type(env, "%s must be an object", name);
    return -1;
  }
  return 0;
}

/* Property that may be absent (undefined/null): *present = 0. */
static int get_prop(napi_env env, napi_value obj, const char *key, napi_value *out, int *present) {
  if (napi_get_named_property(env, obj, key, out) != napi_ok) {
    throw_napi(env);
    return -1;
  }
  napi_valuetype t = type_of(env, *out);
  *present = !(t == napi_undefined || t == napi_null);
  return 0;
}

/* Copies a string (UTF-8) of at most cap-1 bytes. */
static int get_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap) {
  if (type_of(env, v) != napi_string) {
    throw_type(env, "%s must be a string", name);
    return -1;
  }
  size_t len = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  if (len >= cap) {
    throw_range(env, "%s is too long (%zu bytes, at most %zu)", name, len, cap - 1);
    return -1;
  }
  napi_get_value_string_utf8(env, v, buf, cap, &len);
  if (strlen(buf) != len) {
    throw_type(env, "%s must not contain NUL characters", name);
    return -1;
  }
  return 0;
}

static int get_opt_string(napi_env env, napi_value obj, const char *key, const char *name,
                          char *buf, size_t cap) {
  napi_value v;
  int present;
  buf[0] = 0;
  if (get_prop(env, obj, key, &v, &present) != 0) return -1;
  if (!present) return 0;
  return get_string(env, v, name, buf, cap);
}

static int get_buffer(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
  bool is = false;
  napi_is_buffer(env, v, &is);
  if (!is) {
    bool ta = false;
    napi_is_typedarray(env, v, &ta);
    if (ta) {
      napi_typedarray_type tt;
      size_t n;
      void *d;
      napi_get_typedarray_info(env, v, &tt, &n, &d, NULL, NULL);
      if (tt == napi_uint8_array) {
        *data = d;
        *len = n;
        return 0;
      }
    }
    throw_type(env, "%s must be a Buffer", name);
    return -1;
  }
  void *d = NULL;
  napi_get_buffer_info(env, v, &d, len);
  *data = d;
  return 0;
}

static int get_key(napi_env env, napi_value v, const char *name, uint8_t out[BRAID_KEY_LEN]) {
  uint8_t *d;
  size_t n;
  if (get_buffer(env, v, name, &d, &n) != 0) return -1;
  if (n != BRAID_KEY_LEN) {
    throw_range(env, "%s must be %d bytes, got %zu", name, BRAID_KEY_LEN, n);
    return -1;
  }
  memcpy(out, d, BRAID_KEY_LEN);
  return 0;
}

static int get_cipher(napi_env env, napi_value v, const char *name, braid_cipher *out) {
  char buf[32];
  if (get_string(env, v, name, buf, sizeof(buf)) != 0) return -1;
  *out = braid_cipher_from_name(buf);
  if (!*out) {
    throw_range(env, "%s must be 'aes-256-gcm' or 'chacha20-poly1305', got '%s'", name, buf);
    return -1;
  }
  return 0;
}

static napi_value make_u64(napi_env env, uint64_t v) {
  napi_value r;
  napi_create_double(env, (double)v, &r);
  return r;
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

static void set_bool(napi_env env, napi_value obj, const char *key, int v) {
  napi_value b;
  napi_get_boolean(env, v != 0, &b);
  napi_set_named_property(env, obj, key, b);
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, obj, key, s);
}

/* ------------------------------------------------------------------ crypto */

static napi_value js_seal_frame(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv, NULL, NULL)) return throw_napi(env);
  braid_cipher c;
  uint8_t key[BRAID_KEY_LEN];
  double counter;
  uint8_t *pt;
  size_t pt_len;
  if (get_cipher(env, argv[0], "cipher", &c) || get_key(env, argv[1], "key", key) ||
      get_integer(env, argv[2], "counter", 0, MAX_SAFE_INT, &counter) ||
      get_buffer(env, argv[3], "plaintext", &pt, &pt_len))
    return NULL;
  if (pt_len < 1 || pt_len > BRAID_PLAINTEXT_MAX) {
    braid_wipe(key, sizeof(key));
    return throw_range(env, "plaintext must be 1..%d bytes (type byte + body), got %zu",
                       BRAID_PLAINTEXT_MAX, pt_len);
  }
  napi_value out;
  void *buf;
  size_t total = BRAID_LEN_PREFIX + pt_len + BRAID_TAG_LEN;
  NAPI_OK(napi_create_buffer(env, total, &buf, &out));
  memcpy((uint8_t *)buf + BRAID_LEN_PREFIX, pt, pt_len);
  braid_aead a;
  int rc = braid_aead_init(&a, c, key, (uint64_t)counter, 1);
  if (rc == 0) rc = braid_aead_seal(&a, buf, pt_len);
  braid_aead_free(&a);
  braid_wipe(key, sizeof(key));
  if (rc != 0) {
    napi_throw_error(env, "ERR_BRAID_CRYPTO", "sealing failed (OpenSSL)");
    return NULL;
  }
  return out;
}

static napi_value js_open_frame(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv, NULL, NULL)) return throw_napi(env);
  braid_cipher c;
  uint8_t key[BRAID_KEY_LEN];
  double counter;
  uint8_t *fr;
  size_t fr_len;
  if (get_cipher(env, argv[0], "cipher", &c) || get_key(env, argv[1], "key", key) ||
      get_integer(env, argv[2], "counter", 0, MAX_SAFE_INT, &counter) ||
      get_buffer(env, argv[3], "frame", &fr, &fr_len))
    return NULL;
  if (fr_len < BRAID_LEN_PREFIX + BRAID_FRAME_MIN) {
    braid_wipe(key, sizeof(key));
    return throw_range(env, "frame too short (%zu bytes)", fr_len);
  }
  uint32_t L = (uint32_t)fr[0] << 24 | (uint32_t)fr[1] << 16 | (uint32_t)fr[2] << 8 | fr[3];
  if (L < BRAID_FRAME_MIN || L > BRAID_FRAME_MAX || (size_t)L + BRAID_LEN_PREFIX != fr_len) {
    braid_wipe(key, sizeof(key));
    return throw_range(env, "frame length prefix %u does not match a %zu-byte frame (17..%d)", L,
                       fr_len, BRAID_FRAME_MAX);
  }
  uint8_t *copy = malloc(fr_len);
  if (!copy) {
    braid_wipe(key, sizeof(key));
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  memcpy(copy, fr, fr_len);
  braid_aead a;
  int rc = braid_aead_init(&a, c, key, (uint64_t)counter, 0);
  if (rc == 0) rc = braid_aead_open(&a, copy, L);
  braid_aead_free(&a);
  braid_wipe(key, sizeof(key));
  if (rc != 0) {
    free(copy);
    napi_throw_error(env, "ERR_BRAID_AUTH",
                     "frame failed authentication (wrong key or counter, or tampered)");
    return NULL;
  }
  napi_value out;
  napi_status st = napi_create_buffer_copy(env, L - BRAID_TAG_LEN, copy + BRAID_LEN_PREFIX, NULL, &out);
  braid_wipe(copy, fr_len);
  free(copy);
  if (st != napi_ok) return throw_napi(env);
  return out;
}

static napi_value js_next_key(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  uint8_t key[BRAID_KEY_LEN], next[BRAID_KEY_LEN];
  if (get_key(env, argv[0], "key", key)) return NULL;
  int rc = braid_next_key(key, next);
  braid_wipe(key, sizeof(key));
  if (rc != 0) {
    napi_throw_error(env, "ERR_BRAID_CRYPTO", "HKDF failed (OpenSSL)");
    return NULL;
  }
  napi_value out;
  napi_status st = napi_create_buffer_copy(env, BRAID_KEY_LEN, next, NULL, &out);
  braid_wipe(next, sizeof(next));
  if (st != napi_ok) return throw_napi(env);
  return out;
}

/* ------------------------------------------------------------------ TUN, fds, peercred */

static napi_value js_open_tun(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  char name[IFNAMSIZ] = "";
  napi_valuetype t = type_of(env, argv[0]);
  if (t != napi_undefined) {
    if (get_object(env, argv[0], "options")) return NULL;
    if (get_opt_string(env, argv[0], "name", "options.name", name, sizeof(name))) return NULL;
  }
  braid_tun tun;
  const char *what = "open TUN";
  int rc = braid_tun_open(name, &tun, &what);
  if (rc != 0) return throw_errno(env, what, -rc);
  napi_value out;
  NAPI_OK(napi_create_object(env, &out));
  set_num(env, out, "fd", tun.fd);
  set_str(env, out, "name", tun.name);
  set_bool(env, out, "offload", tun.offload);
  return out;
}

static napi_value js_dup(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (nfd < 0) return throw_errno(env, "dup", errno);
  napi_value out;
  napi_create_int32(env, nfd, &out);
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  if (close(fd) != 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return NULL;
}

static napi_value js_peer_cred(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  pid_t pid;
  uid_t uid;
  gid_t gid;
  int rc = braid_peercred(fd, &pid, &uid, &gid);
  if (rc != 0) return throw_errno(env, "getsockopt SO_PEERCRED", -rc);
  napi_value out;
  NAPI_OK(napi_create_object(env, &out));
  set_num(env, out, "pid", pid);
  set_num(env, out, "uid", uid);
  set_num(env, out, "gid", gid);
  return out;
}

/* ------------------------------------------------------------------ MPTCP */

static int get_sockopts(napi_env env, napi_value o, braid_sockopts *so) {
  memset(so, 0, sizeof(*so));
  so->notsent_lowat = -1;
  napi_value v;
  int present;
  double d;
  if (get_opt_string(env, o, "congestion", "options.congestion", so->congestion,
                     sizeof(so->congestion)) ||
      get_opt_string(env, o, "bindDevice", "options.bindDevice", so->bind_device,
                     sizeof(so->bind_device)) ||
      get_opt_string(env, o, "localAddress", "options.localAddress", so->local_address,
                     sizeof(so->local_address)))
    return -1;
  if (get_prop(env, o, "notsentLowat", &v, &present)) return -1;
  if (present) {
    if (get_integer(env, v, "options.notsentLowat", 0, 2147483647.0, &d)) return -1;
    so->notsent_lowat = (long)d;
  }
  if (get_prop(env, o, "mark", &v, &present)) return -1;
  if (present) {
    if (get_integer(env, v, "options.mark", 0, 4294967295.0, &d)) return -1;
    so->has_mark = 1;
    so->mark = (uint32_t)d;
  }
  return 0;
}

static int get_host_port(napi_env env, napi_value o, char *host, size_t cap, int *port) {
  napi_value v;
  int present;
  double d;
  if (get_prop(env, o, "host", &v, &present)) return -1;
  if (!present) {
    throw_type(env, "options.host must be a string");
    return -1;
  }
  if (get_string(env, v, "options.host", host, cap)) return -1;
  if (get_prop(env, o, "port", &v, &present)) return -1;
  if (!present) {
    throw_type(env, "options.port must be a number");
    return -1;
  }
  if (get_integer(env, v, "options.port", 0, 65535, &d)) return -1;
  *port = (int)d;
  return 0;
}

typedef struct connect_work {
  napi_async_work work;
  napi_deferred deferred;
  char host[256];
  int port;
  int timeout_ms;
  braid_sockopts so;
  int result; /* fd or -errno */
  char what[200];
} connect_work;

static void connect_execute(napi_env env, void *data) {
  (void)env;
  connect_work *w = data;
  w->result = braid_mptcp_connect(w->host, w->port, w->timeout_ms, &w->so, w->what, sizeof(w->what));
}

static void connect_complete(napi_env env, napi_status status, void *data) {
  connect_work *w = data;
  if (status != napi_ok) {
    if (w->result >= 0) close(w->result);
    napi_value m, e;
    napi_create_string_utf8(env, "mptcpConnect was cancelled", NAPI_AUTO_LENGTH, &m);
    napi_create_error(env, NULL, m, &e);
    napi_reject_deferred(env, w->deferred, e);
  } else if (w->result >= 0) {
    napi_value fd;
    napi_create_int32(env, w->result, &fd);
    napi_resolve_deferred(env, w->deferred, fd);
  } else {
    napi_reject_deferred(env, w->deferred, make_errno_error(env, w->what, -w->result));
  }
  napi_delete_async_work(env, w->work);
  free(w);
}

static napi_value js_mptcp_connect(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_object(env, argv[0], "options")) return NULL;
  connect_work *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_value v;
  int present;
  double d = 0;
  if (get_host_port(env, argv[0], w->host, sizeof(w->host), &w->port) ||
      get_sockopts(env, argv[0], &w->so) || get_prop(env, argv[0], "timeoutMs", &v, &present)) {
    free(w);
    return NULL;
  }
  if (!present) {
    free(w);
    return throw_type(env, "options.timeoutMs must be a number");
  }
  if (get_integer(env, v, "options.timeoutMs", 1, 600000, &d)) {
    free(w);
    return NULL;
  }
  w->timeout_ms = (int)d;
  napi_value promise, name;
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "braid:mptcpConnect", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, connect_execute, connect_complete, w, &w->work) != napi_ok ||
      napi_queue_async_work(env, w->work) != napi_ok) {
    free(w);
    return throw_napi(env);
  }
  return promise;
}

static napi_value js_mptcp_listen(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_object(env, argv[0], "options")) return NULL;
  char host[256];
  int port;
  braid_sockopts so;
  if (get_host_port(env, argv[0], host, sizeof(host), &port) || get_sockopts(env, argv[0], &so))
    return NULL;
  char what[200] = "listen";
  int fd = braid_mptcp_listen(host, port, &so, what, sizeof(what));
  if (fd < 0) return throw_errno(env, what, -fd);
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value js_is_mptcp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  int r = braid_is_mptcp(fd);
  if (r < 0) return throw_errno(env, "getsockopt TCP_IS_MPTCP", -r);
  napi_value out;
  napi_get_boolean(env, r == 1, &out);
  return out;
}

#define MI_HAS(field) \
  (offsetof(struct braid_mptcp_info, field) + sizeof(((struct braid_mptcp_info *)0)->field) <= filled)

static napi_value mptcp_info_object(napi_env env, const struct braid_mptcp_info *mi, size_t filled) {
  napi_value o;
  if (napi_create_object(env, &o) != napi_ok) return NULL;
  if (MI_HAS(mptcpi_subflows)) set_num(env, o, "subflows", mi->mptcpi_subflows);
  if (MI_HAS(mptcpi_add_addr_signal)) set_num(env, o, "addAddrSignal", mi->mptcpi_add_addr_signal);
  if (MI_HAS(mptcpi_add_addr_accepted)) set_num(env, o, "addAddrAccepted", mi->mptcpi_add_addr_accepted);
  if (MI_HAS(mptcpi_subflows_max)) set_num(env, o, "subflowsMax", mi->mptcpi_subflows_max);
  if (MI_HAS(mptcpi_local_addr_used)) set_num(env, o, "localAddrUsed", mi->mptcpi_local_addr_used);
  if (MI_HAS(mptcpi_local_addr_max)) set_num(env, o, "localAddrMax", mi->mptcpi_local_addr_max);
  if (MI_HAS(mptcpi_csum_enabled)) set_bool(env, o, "csumEnabled", mi->mptcpi_csum_enabled);
  if (MI_HAS(mptcpi_retransmits)) set_num(env, o, "retransmits", mi->mptcpi_retransmits);
  if (MI_HAS(mptcpi_bytes_retrans)) set_num(env, o, "bytesRetrans", (double)mi->mptcpi_bytes_retrans);
  if (MI_HAS(mptcpi_bytes_sent)) set_num(env, o, "bytesSent", (double)mi->mptcpi_bytes_sent);
  if (MI_HAS(mptcpi_bytes_received)) set_num(env, o, "bytesReceived", (double)mi->mptcpi_bytes_received);
  if (MI_HAS(mptcpi_bytes_acked)) set_num(env, o, "bytesAcked", (double)mi->mptcpi_bytes_acked);
  if (MI_HAS(mptcpi_subflows_total)) set_num(env, o, "subflowsTotal", mi->mptcpi_subflows_total);
  return o;
}

static napi_value js_mptcp_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  struct braid_mptcp_info mi;
  socklen_t filled;
  int rc = braid_mptcp_info(fd, &mi, &filled);
  if (rc != 0) return throw_errno(env, "getsockopt MPTCP_INFO", -rc);
  napi_value o = mptcp_info_object(env, &mi, filled);
  return o ? o : throw_napi(env);
}

static napi_value js_mptcp_full_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL, NULL)) return throw_napi(env);
  if (get_fd(env, argv[0], "fd", &fd)) return NULL;
  braid_full_info fi;
  int rc = braid_mptcp_full_info(fd, &fi);
  if (rc != 0) return throw_errno(env, "getsockopt MPTCP_FULL_INFO", -rc);
  napi_value out, arr, minfo;
  minfo = mptcp_info_object(env, &fi.info, fi.info_filled);
  if (!minfo || napi_create_object(env, &out) != napi_ok ||
      napi_create_array_with_length(env, fi.count, &arr) != napi_ok) {
    braid_full_info_free(&fi);
    return throw_napi(env);
  }
  for (uint32_t i = 0; i < fi.count; i++) {
    const braid_subflow *s = &fi.subflows[i];
    napi_value o;
    napi_create_object(env, &o);
    set_num(env, o, "id", s->id);
    set_num(env, o, "family", s->family);
    set_str(env, o, "localAddress", s->local_address);
    set_num(env, o, "localPort", s->local_port);
    set_str(env, o, "remoteAddress", s->remote_address);
    set_num(env, o, "remotePort", s->remote_port);
    set_num(env, o, "ifindex", s->ifindex);
    set_num(env, o, "rttUs", s->rtt_us);
    set_num(env, o, "rttVarUs", s->rttvar_us);
    set_num(env, o, "minRttUs", s->min_rtt_us);
    set_num(env, o, "deliveryRate", (double)s->delivery_rate);
    set_num(env, o, "pacingRate", (double)s->pacing_rate);
    set_num(env, o, "totalRetrans", s->total_retrans);
    set_num(env, o, "retransmits", s->retransmits);
    set_num(env, o, "bytesSent", (double)s->bytes_sent);
    set_num(env, o, "bytesAcked", (double)s->bytes_acked);
    set_num(env, o, "bytesReceived", (double)s->bytes_received);
    set_num(env, o, "cwnd", s->cwnd);
    set_num(env, o, "state", s->state);
    set_bool(env, o, "backup", s->backup);
    napi_set_element(env, arr, i, o);
  }
  braid_full_info_free(&fi);
  napi_set_named_property(env, out, "info", minfo);
  napi_set_named_property(env, out, "subflows", arr);
  return out;
}

/* ------------------------------------------------------------------ sessions */

typedef struct session_js {
  braid_session *s;
  napi_env env;
  napi_threadsafe_function tsfn;
  atomic_int tsfn_dead; /* a call returned napi_closing: never touch the tsfn again */
  atomic_size_t control_backlog; /* CONTROL bytes (+ per-event cost) queued for JS */
  int hook;             /* env cleanup hook registered (JS thread only) */
} session_js;

typedef struct session_event {
  int closed;
  uint8_t *data;
  size_t len;
  size_t cost; /* charged to control_backlog until JS has seen it */
  braid_close_reason reason;
  char message[256];
} session_event;

static void session_call_js(napi_env env, napi_value cb, void *context, void *data) {
  session_js *sj = context;
  session_event *ev = data;
  /* env is NULL when Node empties the queue at teardown, after the finalizer freed sj */
  if (env && ev->cost) atomic_fetch_sub(&sj->control_backlog, ev->cost);
  if (env && cb) {
    napi_value obj, type, undef;
    napi_create_object(env, &obj);
    if (ev->closed) {
      napi_create_string_utf8(env, "closed", NAPI_AUTO_LENGTH, &type);
      set_str(env, obj, "reason", braid_close_reason_name(ev->reason));
      set_str(env, obj, "message", ev->message);
    } else {
      napi_value buf;
      napi_create_string_utf8(env, "control", NAPI_AUTO_LENGTH, &type);
      napi_create_buffer_copy(env, ev->len, ev->data ? ev->data : (uint8_t *)"", NULL, &buf);
      napi_set_named_property(env, obj, "data", buf);
    }
    napi_set_named_property(env, obj, "type", type);
    napi_get_undefined(env, &undef);
    napi_call_function(env, undef, cb, 1, &obj, NULL);
  }
  free(ev->data);
  free(ev);
}

static void session_push(session_js *sj, session_event *ev) {
  if (atomic_load(&sj->tsfn_dead) ||
      napi_call_threadsafe_function(sj->tsfn, ev, napi_tsfn_nonblocking) != napi_ok) {
    atomic_store(&sj->tsfn_dead, 1);
    if (ev->cost) atomic_fetch_sub(&sj->control_backlog, ev->cost);
    free(ev->data);
    free(ev);
  }
}

/* The tsfn queue is unbounded: the backlog bound keeps a peer from filling memory with CONTROL
 * frames while the JS thread is busy (or slower than the network). */
static int on_control(void *ctx, uint8_t *data, size_t len) {
  session_js *sj = ctx;
  size_t cost = len + BRAID_CONTROL_EVENT_COST;
  if (atomic_fetch_add(&sj->control_backlog, cost) + cost > BRAID_CONTROL_BACKLOG_MAX) {
    atomic_fetch_sub(&sj->control_backlog, cost);
    free(data);
    return -1;
  }
  session_event *ev = calloc(1, sizeof(*ev));
  if (!ev) {
    atomic_fetch_sub(&sj->control_backlog, cost);
    free(data);
    return 0; /* out of memory: this one is lost, the session goes on */
  }
  ev->data = data;
  ev->len = len;
  ev->cost = cost;
  session_push(sj, ev);
  return 0;
}

static void on_closed(void *ctx, braid_close_reason reason, const char *message) {
  session_js *sj = ctx;
  session_event *ev = calloc(1, sizeof(*ev));
  if (ev) {
    ev->closed = 1;
    ev->reason = reason;
    snprintf(ev->message, sizeof(ev->message), "%s", message);
    session_push(sj, ev);
  }
  /* After 'closed' the JS callback is let go. */
  if (!atomic_load(&sj->tsfn_dead)) napi_release_threadsafe_function(sj->tsfn, napi_tsfn_release);
}

/* Environment teardown (worker exit, process exit): stop the threads before Node frees the
 * thread-safe function they use. Registered after the tsfn, so it runs before its cleanup. */
static void session_cleanup_hook(void *arg) {
  session_js *sj = arg;
  sj->hook = 0;
  braid_session_close(sj->s, "shutting down", 0);
  braid_session_join(sj->s);
}

static void session_tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  session_js *sj = data;
  if (sj->s) {
    braid_session_join(sj->s); /* the threads are past their last callback */
    if (sj->hook) napi_remove_env_cleanup_hook(env, session_cleanup_hook, sj);
    braid_session_unref(sj->s);
  }
  free(sj);
}

static void session_fn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  braid_session_unref((braid_session *)data);
}

static napi_value js_session_send_control(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  if (get_args(env, info, 1, argv, NULL, &data)) return throw_napi(env);
  uint8_t *d;
  size_t n;
  if (get_buffer(env, argv[0], "data", &d, &n)) return NULL;
  int rc = braid_session_send_control((braid_session *)data, d, n);
  if (rc == -EMSGSIZE) return throw_range(env, "control payload too large (%zu bytes)", n);
  if (rc == -EPIPE) {
    napi_throw_error(env, "ERR_BRAID_SESSION_CLOSED", "the session is closed");
    return NULL;
  }
  if (rc == -ENOBUFS) {
    napi_throw_error(env, "ERR_BRAID_CONTROL_QUEUE_FULL",
                     "control queue full (the peer is not reading)");
    return NULL;
  }
  if (rc != 0) return throw_errno(env, "sendControl", -rc);
  return NULL;
}

static napi_value js_session_stats(napi_env env, napi_callback_info info) {
  void *data;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, NULL, &data) != napi_ok) return throw_napi(env);
  braid_session_stats st;
  braid_session_stats_get((braid_session *)data, &st);
  napi_value o;
  NAPI_OK(napi_create_object(env, &o));
  napi_set_named_property(env, o, "txBytes", make_u64(env, st.tx_bytes));
  napi_set_named_property(env, o, "rxBytes", make_u64(env, st.rx_bytes));
  napi_set_named_property(env, o, "txPackets", make_u64(env, st.tx_packets));
  napi_set_named_property(env, o, "rxPackets", make_u64(env, st.rx_packets));
  napi_set_named_property(env, o, "txFrames", make_u64(env, st.tx_frames));
  napi_set_named_property(env, o, "rxFrames", make_u64(env, st.rx_frames));
  napi_set_named_property(env, o, "txDrops", make_u64(env, st.tx_drops));
  napi_set_named_property(env, o, "aqmDrops", make_u64(env, st.aqm_drops));
  napi_set_named_property(env, o, "rxDrops", make_u64(env, st.rx_drops));
  napi_set_named_property(env, o, "txEpoch", make_u64(env, st.tx_epoch));
  napi_set_named_property(env, o, "rxEpoch", make_u64(env, st.rx_epoch));
  return o;
}

static napi_value js_session_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  if (get_args(env, info, 1, argv, NULL, &data)) return throw_napi(env);
  char reason[CLOSE_REASON_BUF];
  reason[0] = 0;
  napi_valuetype t = type_of(env, argv[0]);
  if (t != napi_undefined && t != napi_null &&
      get_string(env, argv[0], "reason", reason, sizeof(reason)))
    return NULL;
  braid_session_close((braid_session *)data, reason, CLOSE_GRACE_MS);
  return NULL;
}

static int add_method(napi_env env, napi_value obj, const char *name, napi_callback cb,
                      braid_session *s) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, s, &fn) != napi_ok) return -1;
  braid_session_ref(s);
  if (napi_add_finalizer(env, fn, s, session_fn_finalize, NULL, NULL) != napi_ok) {
    braid_session_unref(s);
    return -1;
  }
  return napi_set_named_property(env, obj, name, fn) == napi_ok ? 0 : -1;
}

/* "10.77.0.2", "10.77.0.2/24" (prefix ignored) or an IPv6 address. */
static int parse_address(const char *text, braid_addr *out) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%s", text);
  char *slash = strchr(buf, '/');
  if (slash) *slash = 0;
  memset(out, 0, sizeof(*out));
  if (inet_pton(AF_INET, buf, out->bytes) == 1) {
    out->family = AF_INET;
    return 0;
  }
  if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
    out->family = AF_INET6;
    return 0;
  }
  return -1;
}

typedef struct tunnel_js {
  braid_tunnel *t;
  braid_mode mode;
  int fn_refs; /* JS functions alive (JS thread only) */
  int hook;    /* cleanup hook still registered: the tunnel was not stopped */
} tunnel_js;

static napi_value js_add_session(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  if (get_args(env, info, 1, argv, NULL, &data)) return throw_napi(env);
  tunnel_js *tj = data;
  napi_value o = argv[0], v, keys, cbfn;
  int present;
  double d;
  braid_session_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  braid_addr addrs[BRAID_MAX_SESSION_ADDRESSES];
  uint8_t *pending = NULL;
  size_t pending_len = 0;
  int rc = -1;

  if (get_object(env, o, "options")) return NULL;
  if (get_prop(env, o, "fd", &v, &present)) return NULL;
  if (!present) return throw_type(env, "options.fd must be a number");
  if (get_fd(env, v, "options.fd", &cfg.fd)) return NULL;
  struct stat stt;
  if (fstat(cfg.fd, &stt) != 0) return throw_errno(env, "options.fd", errno);
  if (!S_ISSOCK(stt.st_mode)) return throw_type(env, "options.fd must be a connected socket");

  if (get_prop(env, o, "keys", &keys, &present)) return NULL;
  if (!present || get_object(env, keys, "options.keys")) {
    if (!present) throw_type(env, "options.keys must be an object");
    return NULL;
  }
  if (get_prop(env, keys, "cipher", &v, &present)) return NULL;
  if (get_cipher(env, v, "options.keys.cipher", &cfg.cipher)) return NULL;
  if (get_prop(env, keys, "txKey", &v, &present) || get_key(env, v, "options.keys.txKey", cfg.tx_key))
    goto out;
  if (get_prop(env, keys, "rxKey", &v, &present) || get_key(env, v, "options.keys.rxKey", cfg.rx_key))
    goto out;
  if (get_prop(env, keys, "txCounter", &v, &present) ||
      get_integer(env, v, "options.keys.txCounter", 0, MAX_SAFE_INT, &d))
    goto out;
  cfg.tx_counter = (uint64_t)d;
  if (get_prop(env, keys, "rxCounter", &v, &present) ||
      get_integer(env, v, "options.keys.rxCounter", 0, MAX_SAFE_INT, &d))
    goto out;
  cfg.rx_counter = (uint64_t)d;

  if (get_prop(env, o, "pending", &v, &present)) goto out;
  if (present && get_buffer(env, v, "options.pending", &pending, &pending_len)) goto out;
  cfg.pending = pending;
  cfg.pending_len = pending_len;

  if (get_prop(env, o, "addresses", &v, &present)) goto out;
  if (present) {
    bool is_arr = false;
    napi_is_array(env, v, &is_arr);
    if (!is_arr) {
      throw_type(env, "options.addresses must be an array of strings");
      goto out;
    }
    uint32_t n = 0;
    napi_get_array_length(env, v, &n);
    if (n > BRAID_MAX_SESSION_ADDRESSES) {
      throw_range(env, "options.addresses has %u entries, at most %d", n, BRAID_MAX_SESSION_ADDRESSES);
      goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
      napi_value el;
      char text[64], name[48];
      snprintf(name, sizeof(name), "options.addresses[%u]", i);
      napi_get_element(env, v, i, &el);
      if (get_string(env, el, name, text, sizeof(text))) goto out;
      if (parse_address(text, &addrs[i]) != 0) {
        throw_type(env, "%s is not an IPv4 or IPv6 address: '%s'", name, text);
        goto out;
      }
    }
    cfg.addresses = addrs;
    cfg.address_count = n;
  }

  cfg.rekey_after_frames = 1ull << 30;
  cfg.rekey_after_bytes = 1ull << 36;
  cfg.queue_bytes = 4 * 1024 * 1024; /* a memory guard: CoDel keeps the delay low */
  if (get_prop(env, o, "rekeyAfterFrames", &v, &present)) goto out;
  if (present) {
    if (get_integer(env, v, "options.rekeyAfterFrames", 1, MAX_SAFE_INT, &d)) goto out;
    cfg.rekey_after_frames = (uint64_t)d;
  }
  if (get_prop(env, o, "rekeyAfterBytes", &v, &present)) goto out;
  if (present) {
    if (get_integer(env, v, "options.rekeyAfterBytes", 1, MAX_SAFE_INT, &d)) goto out;
    cfg.rekey_after_bytes = (uint64_t)d;
  }
  if (get_prop(env, o, "queueBytes", &v, &present)) goto out;
  if (present) {
    if (get_integer(env, v, "options.queueBytes", 1, 1u << 30, &d)) goto out;
    cfg.queue_bytes = (size_t)d;
  }
  if (get_prop(env, o, "onEvent", &cbfn, &present)) goto out;
  if (type_of(env, cbfn) != napi_function) {
    throw_type(env, "options.onEvent must be a function");
    goto out;
  }

  session_js *sj = calloc(1, sizeof(*sj));
  if (!sj) {
    napi_throw_error(env, NULL, "out of memory");
    goto out;
  }
  sj->env = env;
  napi_value name;
  napi_create_string_utf8(env, "braid:session", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, cbfn, NULL, name, 0, 1, sj, session_tsfn_finalize, sj,
                                      session_call_js, &sj->tsfn) != napi_ok) {
    free(sj);
    throw_napi(env);
    goto out;
  }
  /* The tsfn must not finalize before the session is attached: hold it while starting. */
  cfg.cb = (braid_session_callbacks){.ctx = sj, .on_control = on_control, .on_closed = on_closed};
  const char *err = NULL;
  braid_session *s = braid_session_start(tj->t, &cfg, &err);
  if (!s) {
    /* No thread ever saw sj: release and let the finalizer free it (s is NULL there). */
    sj->s = NULL;
    napi_release_threadsafe_function(sj->tsfn, napi_tsfn_abort);
    napi_throw_error(env, "ERR_BRAID_SESSION", err ? err : "could not start the session");
    goto out;
  }
  sj->s = s;
  if (napi_add_env_cleanup_hook(env, session_cleanup_hook, sj) == napi_ok) sj->hook = 1;

  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok ||
      add_method(env, obj, "sendControl", js_session_send_control, s) ||
      add_method(env, obj, "stats", js_session_stats, s) ||
      add_method(env, obj, "close", js_session_close, s)) {
    throw_napi(env);
    goto out;
  }
  rc = 0;
  braid_wipe(&cfg, sizeof(cfg));
  return obj;
out:
  (void)rc;
  braid_wipe(&cfg, sizeof(cfg));
  return NULL;
}

/* ------------------------------------------------------------------ tunnels */

static void tunnel_maybe_free(tunnel_js *tj) {
  if (tj->fn_refs > 0 || tj->hook) return;
  braid_tunnel_unref(tj->t);
  free(tj);
}

static void tunnel_cleanup_hook(void *arg) {
  tunnel_js *tj = arg;
  tj->hook = 0;
  braid_tunnel_stop(tj->t, 0);
  tunnel_maybe_free(tj);
}

/* Dropping the JS object does not stop the tunnel (its sessions may still be in use); only
 * stop() or environment teardown does. */
static void tunnel_fn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tunnel_js *tj = data;
  tj->fn_refs--;
  tunnel_maybe_free(tj);
}

static napi_value js_tunnel_stop(napi_env env, napi_callback_info info) {
  void *data;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, NULL, &data) != napi_ok) return throw_napi(env);
  tunnel_js *tj = data;
  braid_tunnel_stop(tj->t, STOP_GRACE_MS);
  if (tj->hook) {
    napi_remove_env_cleanup_hook(env, tunnel_cleanup_hook, tj);
    tj->hook = 0;
  }
  return NULL;
}

static int add_tunnel_method(napi_env env, napi_value obj, const char *name, napi_callback cb,
                             tunnel_js *tj) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, tj, &fn) != napi_ok) return -1;
  tj->fn_refs++;
  if (napi_add_finalizer(env, fn, tj, tunnel_fn_finalize, NULL, NULL) != napi_ok) {
    tj->fn_refs--;
    return -1;
  }
  return napi_set_named_property(env, obj, name, fn) == napi_ok ? 0 : -1;
}

static napi_value js_create_tunnel(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv, NULL, NULL)) return throw_napi(env);
  int fd;
  char mode_s[16];
  if (get_fd(env, argv[0], "tunFd", &fd) || get_string(env, argv[1], "mode", mode_s, sizeof(mode_s)))
    return NULL;
  braid_mode mode;
  if (strcmp(mode_s, "client") == 0) mode = BRAID_MODE_CLIENT;
  else if (strcmp(mode_s, "server") == 0) mode = BRAID_MODE_SERVER;
  else return throw_range(env, "mode must be 'client' or 'server', got '%s'", mode_s);
  tunnel_js *tj = calloc(1, sizeof(*tj));
  if (!tj) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  const char *err = NULL;
  tj->t = braid_tunnel_create(fd, mode, &err);
  if (!tj->t) {
    free(tj);
    napi_throw_error(env, "ERR_BRAID_TUNNEL", err ? err : "could not create the tunnel");
    return NULL;
  }
  tj->mode = mode;
  if (napi_add_env_cleanup_hook(env, tunnel_cleanup_hook, tj) == napi_ok) tj->hook = 1;
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok ||
      add_tunnel_method(env, obj, "addSession", js_add_session, tj) ||
      add_tunnel_method(env, obj, "stop", js_tunnel_stop, tj))
    return throw_napi(env);
  return obj;
}

/* ------------------------------------------------------------------ module */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openTun", NULL, js_open_tun, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mptcpConnect", NULL, js_mptcp_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mptcpListen", NULL, js_mptcp_listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"isMptcp", NULL, js_is_mptcp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mptcpInfo", NULL, js_mptcp_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mptcpFullInfo", NULL, js_mptcp_full_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerCred", NULL, js_peer_cred, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dup", NULL, js_dup, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createTunnel", NULL, js_create_tunnel, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sealFrame", NULL, js_seal_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openFrame", NULL, js_open_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"nextKey", NULL, js_next_key, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok)
    return throw_napi(env);
  braid_register_netlink(env, exports);
  braid_register_sockopt(env, exports);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
