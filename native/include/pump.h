/* The packet pump: one TUN reader thread per tunnel, one writer + one reader thread per
 * session (one MPTCP connection). Packets never leave C; only CONTROL payloads and the
 * final 'closed' event go up to JS, through the callbacks below. */
#ifndef BRAID_PUMP_H
#define BRAID_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

typedef struct braid_tunnel braid_tunnel;
typedef struct braid_session braid_session;

typedef enum { BRAID_MODE_CLIENT = 0, BRAID_MODE_SERVER = 1 } braid_mode;

typedef enum {
  BRAID_CLOSE_NONE = 0,
  BRAID_CLOSE_LOCAL,
  BRAID_CLOSE_PEER_CLOSED,
  BRAID_CLOSE_PEER_BYE,
  BRAID_CLOSE_SOCKET_ERROR,
  BRAID_CLOSE_AUTH_FAILED,
  BRAID_CLOSE_BAD_FRAME,
} braid_close_reason;

const char *braid_close_reason_name(braid_close_reason r);

typedef struct braid_session_callbacks {
  void *ctx;
  /* CONTROL payload from the peer; data is malloc'd and owned by the callee. Called from the
   * session's reader thread. Returns 0, or -1 when the callee cannot take more (more than
   * BRAID_CONTROL_BACKLOG_MAX waits for it): the session then ends, because a peer that sends
   * CONTROL frames faster than the engine handles them would otherwise grow its memory. */
  int (*on_control)(void *ctx, uint8_t *data, size_t len);
  /* Exactly once, from the last pump thread of the session, after the socket is closed. No
   * callback follows it. */
  void (*on_closed)(void *ctx, braid_close_reason reason, const char *message);
} braid_session_callbacks;

typedef struct braid_addr {
  int family; /* AF_INET or AF_INET6 */
  uint8_t bytes[16];
} braid_addr;

typedef struct braid_session_config {
  int fd;
  braid_cipher cipher;
  uint8_t tx_key[BRAID_KEY_LEN];
  uint8_t rx_key[BRAID_KEY_LEN];
  uint64_t tx_counter, rx_counter;
  const uint8_t *pending; /* copied */
  size_t pending_len;
  const braid_addr *addresses; /* copied */
  size_t address_count;
  uint64_t rekey_after_frames; /* >= 1 */
  uint64_t rekey_after_bytes;  /* >= 1 */
  size_t queue_bytes;          /* >= 1 */
  braid_session_callbacks cb;
} braid_session_config;

typedef struct braid_session_stats {
  uint64_t tx_bytes, rx_bytes, tx_packets, rx_packets, tx_frames, rx_frames;
  uint64_t tx_drops, rx_drops, tx_epoch, rx_epoch;
  uint64_t aqm_drops;
} braid_session_stats;

#define BRAID_MAX_SESSION_ADDRESSES 16
#define BRAID_CONTROL_QUEUE_MAX (1u << 20)
/* CONTROL payloads received but not yet handled by the callee; each counts its length plus
 * BRAID_CONTROL_EVENT_COST, so empty frames are bounded too. */
#define BRAID_CONTROL_BACKLOG_MAX (1u << 20)
#define BRAID_CONTROL_EVENT_COST 256u

/* Returns NULL with *err set to a static message on failure. The tunnel starts its TUN reader
 * thread immediately and sets the TUN fd non-blocking. */
braid_tunnel *braid_tunnel_create(int tun_fd, braid_mode mode, const char **err);
/* Stops the TUN reader and closes every session (CLOSE frame, then up to grace_ms for the
 * peer to finish), joining all threads before returning. Idempotent. The TUN fd stays open. */
void braid_tunnel_stop(braid_tunnel *t, int grace_ms);
void braid_tunnel_unref(braid_tunnel *t);

/* Starts the session's threads. Returns NULL with *err (static string) on failure; the fd is
 * then still owned by the caller. On success the session owns the fd. The returned session
 * holds one reference for the caller. */
braid_session *braid_session_start(braid_tunnel *t, const braid_session_config *cfg,
                                   const char **err);
void braid_session_ref(braid_session *s);
void braid_session_unref(braid_session *s);

/* Queues a CONTROL frame ahead of data. 0, -EPIPE when the session is closing, -ENOBUFS when
 * the control queue is over BRAID_CONTROL_QUEUE_MAX, -EMSGSIZE when too large. */
int braid_session_send_control(braid_session *s, const uint8_t *data, size_t len);
/* Starts an orderly local close (CLOSE frame with the reason, best effort). Non-blocking. */
void braid_session_close(braid_session *s, const char *reason, int grace_ms);
/* Joins the session's threads if they have not been joined (blocks until they exit). Call
 * only from one thread (the JS thread). */
void braid_session_join(braid_session *s);
/* 1 once the session's threads have all exited. */
int braid_session_finished(braid_session *s);
void braid_session_stats_get(braid_session *s, braid_session_stats *out);

#endif
