/* MPTCP sockets: creation with the options Braid needs, connect with a timeout, listen,
 * fallback detection and MPTCP_INFO / MPTCP_FULL_INFO snapshots. Errors are returned as
 * -errno with *what naming the failing step, so JS can show "setsockopt TCP_CONGESTION: ...". */
#ifndef BRAID_MPTCP_H
#define BRAID_MPTCP_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mptcp_uapi.h"

typedef struct braid_sockopts {
  char congestion[32];    /* "" = unset */
  long notsent_lowat;     /* < 0 = unset */
  char bind_device[IFNAMSIZ];
  char local_address[64]; /* "" = unset */
  int has_mark;
  uint32_t mark;
} braid_sockopts;

/* Blocking (call from a worker thread). Returns the connected fd or -errno. */
int braid_mptcp_connect(const char *host, int port, int timeout_ms, const braid_sockopts *o,
                        char *what, size_t what_len);
/* Returns a bound, listening fd or -errno. */
int braid_mptcp_listen(const char *host, int port, const braid_sockopts *o, char *what,
                       size_t what_len);

/* 1 = MPTCP, 0 = plain TCP / fallback, -errno on error. */
int braid_is_mptcp(int fd);

/* Fills *info (zeroed first); *filled = bytes the kernel wrote (0 when not MPTCP). 0/-errno. */
int braid_mptcp_info(int fd, struct braid_mptcp_info *info, socklen_t *filled);

typedef struct braid_subflow {
  uint32_t id;
  int family; /* 4 or 6 */
  char local_address[46];
  uint16_t local_port;
  char remote_address[46];
  uint16_t remote_port;
  int ifindex;
  uint32_t rtt_us, rttvar_us, min_rtt_us;
  uint64_t delivery_rate, pacing_rate;
  uint32_t total_retrans, retransmits;
  uint64_t bytes_sent, bytes_acked, bytes_received;
  uint32_t cwnd;
  uint8_t state;
  int backup;
} braid_subflow;

typedef struct braid_full_info {
  struct braid_mptcp_info info;
  socklen_t info_filled; /* bytes of info the kernel filled */
  braid_subflow *subflows; /* malloc'd, free with braid_full_info_free */
  uint32_t count;
} braid_full_info;

int braid_mptcp_full_info(int fd, braid_full_info *out);
void braid_full_info_free(braid_full_info *fi);

#endif
