/* Kernel event watchers: rtnetlink (links, addresses, routes) and the MPTCP path manager's
 * generic-netlink event group. Each watcher is one thread blocked in poll(); it calls back from
 * that thread, so callers hand the data to JS through a thread-safe function. */
#ifndef BRAID_NETLINK_H
#define BRAID_NETLINK_H

#include <netinet/in.h>
#include <stdint.h>

enum { NL_KIND_LINK = 1, NL_KIND_ADDR = 2, NL_KIND_ROUTE = 4 };

typedef struct {
  int type; /* MPTCP_EVENT_* */
  uint32_t token;
  int family; /* 4, 6 or 0 when the event has no addresses */
  char saddr[INET6_ADDRSTRLEN];
  char daddr[INET6_ADDRSTRLEN];
  uint16_t sport, dport;
  int loc_id, rem_id;
  int ifindex;
  int error;
  int backup;
} mptcp_event;

typedef struct nl_watch nl_watch;

/* kinds: bitmask of NL_KIND_* seen in one batch of messages */
typedef void (*rtnl_notify_fn)(void *ctx, unsigned kinds);
typedef void (*mptcp_notify_fn)(void *ctx, const mptcp_event *event);

/* 0 or -errno */
int rtnl_watch_start(nl_watch **out, rtnl_notify_fn fn, void *ctx);
/* 0 or -errno (-ENOENT: the kernel has no mptcp_pm family) */
int mptcp_watch_start(nl_watch **out, mptcp_notify_fn fn, void *ctx);
/* wakes and joins the thread, closes the sockets; no callback runs after it returns */
void nl_watch_stop(nl_watch *w);

#endif
