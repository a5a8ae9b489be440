/* Node-API: socket tuning the engine adjusts while a session runs.
 *   setSendBuffer(fd, bytes) -> granted: SO_SNDBUF (MPTCP copies it to every subflow and stops
 *   autotuning; the kernel grants twice the request because it counts bookkeeping too) */
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static napi_value set_send_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1, bytes = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &bytes) != napi_ok ||
      fd < 0 || bytes < 4096) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setSendBuffer(fd, bytes): fd >= 0 and bytes >= 4096");
    return NULL;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) != 0) {
    char msg[128];
    snprintf(msg, sizeof(msg), "setsockopt SO_SNDBUF: %s", strerror(errno));
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  int granted = 0;
  socklen_t len = sizeof(granted);
  getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &granted, &len);
  napi_value result;
  napi_create_int32(env, granted, &result);
  return result;
}

void braid_register_sockopt(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"setSendBuffer", NULL, set_send_buffer, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 1, props);
}
