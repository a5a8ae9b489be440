/* rtnetlink and MPTCP path-manager event watchers (see include/netlink.h). */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define NL_BUF 65536

struct nl_watch {
  int sock;
  int stop_fd;
  pthread_t thread;
  int is_mptcp;
  rtnl_notify_fn rtnl_fn;
  mptcp_notify_fn mptcp_fn;
  void *ctx;
  uint16_t family_id;
};

static int open_netlink(int protocol, uint32_t groups) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return -errno;
  int size = 1 << 20; /* bursts (a link with many routes going away) must not overflow */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  return fd;
}

static unsigned rtnl_kind(uint16_t type) {
  switch (type) {
    case RTM_NEWLINK: case RTM_DELLINK: return NL_KIND_LINK;
    case RTM_NEWADDR: case RTM_DELADDR: return NL_KIND_ADDR;
    case RTM_NEWROUTE: case RTM_DELROUTE: return NL_KIND_ROUTE;
    default: return 0;
  }
}

static void format_addr(int family, const void *data, char *out) {
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, data, out, INET6_ADDRSTRLEN);
}

static void parse_mptcp_event(nl_watch *w, struct nlmsghdr *nh) {
  struct genlmsghdr *gh = NLMSG_DATA(nh);
  mptcp_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.type = gh->cmd;
  ev.ifindex = -1;
  ev.error = -1;
  int len = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
  struct nlattr *a = (struct nlattr *)((char *)gh + GENL_HDRLEN);
  while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
    void *d = (char *)a + NLA_HDRLEN;
    int dlen = a->nla_len - NLA_HDRLEN;
    switch (a->nla_type & NLA_TYPE_MASK) {
      case MPTCP_ATTR_TOKEN: if (dlen >= 4) memcpy(&ev.token, d, 4); break;
      case MPTCP_ATTR_LOC_ID: if (dlen >= 1) ev.loc_id = *(uint8_t *)d; break;
      case MPTCP_ATTR_REM_ID: if (dlen >= 1) ev.rem_id = *(uint8_t *)d; break;
      case MPTCP_ATTR_SADDR4: if (dlen >= 4) { ev.family = 4; format_addr(4, d, ev.saddr); } break;
      case MPTCP_ATTR_DADDR4: if (dlen >= 4) { ev.family = 4; format_addr(4, d, ev.daddr); } break;
      case MPTCP_ATTR_SADDR6: if (dlen >= 16) { ev.family = 6; format_addr(6, d, ev.saddr); } break;
      case MPTCP_ATTR_DADDR6: if (dlen >= 16) { ev.family = 6; format_addr(6, d, ev.daddr); } break;
      case MPTCP_ATTR_SPORT: if (dlen >= 2) { uint16_t p; memcpy(&p, d, 2); ev.sport = ntohs(p); } break;
      case MPTCP_ATTR_DPORT: if (dlen >= 2) { uint16_t p; memcpy(&p, d, 2); ev.dport = ntohs(p); } break;
      case MPTCP_ATTR_BACKUP: if (dlen >= 1) ev.backup = *(uint8_t *)d; break;
      case MPTCP_ATTR_ERROR: if (dlen >= 1) ev.error = *(uint8_t *)d; break;
      case MPTCP_ATTR_IF_IDX: if (dlen >= 4) { int32_t i; memcpy(&i, d, 4); ev.ifindex = i; } break;
      default: break;
    }
    int step = NLA_ALIGN(a->nla_len);
    len -= step;
    a = (struct nlattr *)((char *)a + step);
  }
  w->mptcp_fn(w->ctx, &ev);
}

static void *watch_thread(void *arg) {
  nl_watch *w = arg;
  char *buf = malloc(NL_BUF);
  if (!buf) return NULL;
  struct pollfd fds[2] = {{.fd = w->sock, .events = POLLIN}, {.fd = w->stop_fd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    ssize_t n = recv(w->sock, buf, NL_BUF, 0);
    if (n < 0) {
      int err = errno;
      /* ENOBUFS: we lost events; tell the listener that everything may have changed */
      if (err == ENOBUFS && !w->is_mptcp) w->rtnl_fn(w->ctx, NL_KIND_LINK | NL_KIND_ADDR | NL_KIND_ROUTE);
      if (err == EBADF || err == ENOTSOCK) break; /* the socket is gone: only stop() does that */
      /* anything else is transient: never stop watching silently; do not spin either */
      if (err != EINTR && err != ENOBUFS && err != EAGAIN) poll(NULL, 0, 100);
      continue;
    }
    unsigned kinds = 0;
    for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
      if (w->is_mptcp) {
        if (nh->nlmsg_type == w->family_id && nh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN)) parse_mptcp_event(w, nh);
      } else {
        kinds |= rtnl_kind(nh->nlmsg_type);
      }
    }
    if (kinds) w->rtnl_fn(w->ctx, kinds);
  }
  free(buf);
  return NULL;
}

/* Resolves the mptcp_pm family id and its event group id with CTRL_CMD_GETFAMILY. */
static int resolve_mptcp_family(uint16_t *family_id, uint32_t *group_id) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) return -errno;
  struct {
    struct nlmsghdr nh;
    struct genlmsghdr gh;
    char attrs[64];
  } req;
  memset(&req, 0, sizeof(req));
  req.nh.nlmsg_type = GENL_ID_CTRL;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  req.nh.nlmsg_seq = 1;
  req.gh.cmd = CTRL_CMD_GETFAMILY;
  req.gh.version = 1;
  struct nlattr *na = (struct nlattr *)req.attrs;
  na->nla_type = CTRL_ATTR_FAMILY_NAME;
  na->nla_len = NLA_HDRLEN + sizeof(MPTCP_PM_NAME);
  memcpy((char *)na + NLA_HDRLEN, MPTCP_PM_NAME, sizeof(MPTCP_PM_NAME));
  req.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
  if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  char buf[8192];
  struct timeval tv = {.tv_sec = 2};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  close(fd);
  if (n < 0) return -errno;
  struct nlmsghdr *nh = (struct nlmsghdr *)buf;
  if (!NLMSG_OK(nh, (size_t)n)) return -EPROTO;
  if (nh->nlmsg_type == NLMSG_ERROR) {
    struct nlmsgerr *e = NLMSG_DATA(nh);
    return e->error ? e->error : -ENOENT;
  }
  *family_id = 0;
  *group_id = 0;
  int len = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
  struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
  while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
    if (a->nla_type == CTRL_ATTR_FAMILY_ID) memcpy(family_id, (char *)a + NLA_HDRLEN, 2);
    if (a->nla_type == CTRL_ATTR_MCAST_GROUPS) {
      int glen = a->nla_len - NLA_HDRLEN;
      struct nlattr *g = (struct nlattr *)((char *)a + NLA_HDRLEN);
      while (glen >= (int)sizeof(*g) && g->nla_len >= sizeof(*g) && g->nla_len <= glen) {
        int ilen = g->nla_len - NLA_HDRLEN;
        struct nlattr *i = (struct nlattr *)((char *)g + NLA_HDRLEN);
        const char *name = NULL;
        uint32_t id = 0;
        while (ilen >= (int)sizeof(*i) && i->nla_len >= sizeof(*i) && i->nla_len <= ilen) {
          if (i->nla_type == CTRL_ATTR_MCAST_GRP_NAME) name = (const char *)i + NLA_HDRLEN;
          if (i->nla_type == CTRL_ATTR_MCAST_GRP_ID) memcpy(&id, (char *)i + NLA_HDRLEN, 4);
          int step = NLA_ALIGN(i->nla_len);
          ilen -= step;
          i = (struct nlattr *)((char *)i + step);
        }
        if (name && strcmp(name, MPTCP_PM_EV_GRP_NAME) == 0) *group_id = id;
        int step = NLA_ALIGN(g->nla_len);
        glen -= step;
        g = (struct nlattr *)((char *)g + step);
      }
    }
    int step = NLA_ALIGN(a->nla_len);
    len -= step;
    a = (struct nlattr *)((char *)a + step);
  }
  return *family_id && *group_id ? 0 : -ENOENT;
}

static int start(nl_watch *w, nl_watch **out) {
  w->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (w->stop_fd < 0) {
    int err = -errno;
    close(w->sock);
    free(w);
    return err;
  }
  int rc = pthread_create(&w->thread, NULL, watch_thread, w);
  if (rc != 0) {
    close(w->sock);
    close(w->stop_fd);
    free(w);
    return -rc;
  }
  *out = w;
  return 0;
}

int rtnl_watch_start(nl_watch **out, rtnl_notify_fn fn, void *ctx) {
  nl_watch *w = calloc(1, sizeof(*w));
  if (!w) return -ENOMEM;
  w->rtnl_fn = fn;
  w->ctx = ctx;
  w->sock = open_netlink(NETLINK_ROUTE, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE);
  if (w->sock < 0) {
    int err = w->sock;
    free(w);
    return err;
  }
  return start(w, out);
}

int mptcp_watch_start(nl_watch **out, mptcp_notify_fn fn, void *ctx) {
  uint16_t family_id;
  uint32_t group_id;
  int rc = resolve_mptcp_family(&family_id, &group_id);
  if (rc < 0) return rc;
  nl_watch *w = calloc(1, sizeof(*w));
  if (!w) return -ENOMEM;
  w->is_mptcp = 1;
  w->mptcp_fn = fn;
  w->ctx = ctx;
  w->family_id = family_id;
  w->sock = open_netlink(NETLINK_GENERIC, 0);
  if (w->sock < 0) {
    int err = w->sock;
    free(w);
    return err;
  }
  /* genl groups above 32 need NETLINK_ADD_MEMBERSHIP rather than the bind mask */
  if (setsockopt(w->sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group_id, sizeof(group_id)) < 0) {
    int err = -errno; /* EPERM without CAP_NET_ADMIN */
    close(w->sock);
    free(w);
    return err;
  }
  return start(w, out);
}

void nl_watch_stop(nl_watch *w) {
  if (!w) return;
  uint64_t one = 1;
  if (write(w->stop_fd, &one, sizeof(one)) < 0) { /* the thread also ends on socket close */ }
  pthread_join(w->thread, NULL);
  close(w->sock);
  close(w->stop_fd);
  free(w);
}
