/* MPTCP socket helpers: create/connect/listen with Braid's options, fallback detection,
 * MPTCP_INFO and MPTCP_FULL_INFO snapshots (plus backup flag and ifindex per subflow from
 * sock_diag, which MPTCP_FULL_INFO does not carry). */
#include "mptcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SET_WHAT(...) snprintf(what, what_len, __VA_ARGS__)

static int setopt_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : -errno;
}

/* Options that are nice to have but not worth failing for on kernels without them. */
static int optional_rc(int rc) { return (rc == -ENOPROTOOPT || rc == -EOPNOTSUPP) ? 0 : rc; }

static int apply_options(int fd, int family, const braid_sockopts *o, int listening, char *what,
                         size_t what_len) {
  int rc;
  if (listening && (rc = setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) != 0) {
    SET_WHAT("setsockopt SO_REUSEADDR");
    return rc;
  }
  if (o->congestion[0] &&
      setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, o->congestion, strlen(o->congestion)) != 0) {
    rc = -errno;
    SET_WHAT("setsockopt TCP_CONGESTION \"%s\"", o->congestion);
    return rc;
  }
  if (o->notsent_lowat >= 0 &&
      (rc = setopt_int(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, (int)o->notsent_lowat)) != 0) {
    SET_WHAT("setsockopt TCP_NOTSENT_LOWAT %ld", o->notsent_lowat);
    return rc;
  }
  if (o->bind_device[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->bind_device,
                                      strlen(o->bind_device)) != 0) {
    rc = -errno;
    SET_WHAT("setsockopt SO_BINDTODEVICE \"%s\"", o->bind_device);
    return rc;
  }
  if (o->has_mark && (rc = setopt_int(fd, SOL_SOCKET, SO_MARK, (int)o->mark)) != 0) {
    SET_WHAT("setsockopt SO_MARK %u", o->mark);
    return rc;
  }
  /* Fast dead-peer detection: 5 s idle, then 3 probes 2 s apart. */
  if ((rc = optional_rc(setopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1))) != 0 ||
      (rc = optional_rc(setopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 5))) != 0 ||
      (rc = optional_rc(setopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 2))) != 0 ||
      (rc = optional_rc(setopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 3))) != 0) {
    SET_WHAT("setsockopt keepalive");
    return rc;
  }
  if ((rc = optional_rc(setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1))) != 0) {
    SET_WHAT("setsockopt TCP_NODELAY");
    return rc;
  }
  if (o->local_address[0] && !listening) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (family == AF_INET) {
      struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
      sin->sin_family = AF_INET;
      if (inet_pton(AF_INET, o->local_address, &sin->sin_addr) != 1) {
        SET_WHAT("localAddress \"%s\" is not an IPv4 address like the destination",
                 o->local_address);
        return -EAFNOSUPPORT;
      }
      len = sizeof(*sin);
    } else {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
      sin6->sin6_family = AF_INET6;
      if (inet_pton(AF_INET6, o->local_address, &sin6->sin6_addr) != 1) {
        SET_WHAT("localAddress \"%s\" is not an IPv6 address like the destination",
                 o->local_address);
        return -EAFNOSUPPORT;
      }
      len = sizeof(*sin6);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
      rc = -errno;
      SET_WHAT("bind %s", o->local_address);
      return rc;
    }
  }
  return 0;
}

/* MPTCP socket, or plain TCP when the kernel has MPTCP disabled (net.mptcp.enabled=0). */
static int mptcp_socket(int family, int extra_flags) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, IPPROTO_MPTCP);
  if (fd < 0 && (errno == EPROTONOSUPPORT || errno == ENOPROTOOPT || errno == EINVAL))
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, IPPROTO_TCP);
  return fd < 0 ? -errno : fd;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void format_addr(const struct sockaddr *sa, char *buf, size_t len) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
    port = ntohs(s->sin_port);
    snprintf(buf, len, "%s:%d", host, port);
  } else {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
    port = ntohs(s->sin6_port);
    snprintf(buf, len, "[%s]:%d", host, port);
  }
}

static int connect_one(const struct addrinfo *ai, int64_t deadline, const braid_sockopts *o,
                       char *what, size_t what_len) {
  char dest[80];
  format_addr(ai->ai_addr, dest, sizeof(dest));
  int fd = mptcp_socket(ai->ai_family, SOCK_NONBLOCK);
  if (fd < 0) {
    SET_WHAT("socket for %s", dest);
    return fd;
  }
  int rc = apply_options(fd, ai->ai_family, o, 0, what, what_len);
  if (rc != 0) goto fail;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      rc = -errno;
      SET_WHAT("connect %s", dest);
      goto fail;
    }
    for (;;) {
      int64_t left = deadline - now_ms();
      if (left <= 0) {
        rc = -ETIMEDOUT;
        SET_WHAT("connect %s timed out", dest);
        goto fail;
      }
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      int n = poll(&p, 1, (int)left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        rc = -errno;
        SET_WHAT("poll connect %s", dest);
        goto fail;
      }
      if (n == 0) continue; /* re-checks the deadline */
      int err = 0;
      socklen_t elen = sizeof(err);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
      if (err != 0) {
        rc = -err;
        SET_WHAT("connect %s", dest);
        goto fail;
      }
      break;
    }
  }
  /* Hand back a blocking fd; whoever uses it next (libuv or the pump) sets its own mode. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
fail:
  close(fd);
  return rc;
}

int braid_mptcp_connect(const char *host, int port, int timeout_ms, const braid_sockopts *o,
                        char *what, size_t what_len) {
  int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
  char service[8];
  snprintf(service, sizeof(service), "%d", port);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
  struct addrinfo *res = NULL;
  int gai = getaddrinfo(host, service, &hints, &res);
  if (gai != 0) {
    SET_WHAT("resolve \"%s\": %s", host, gai_strerror(gai));
    return gai == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
  }
  int rc = -EHOSTUNREACH;
  SET_WHAT("no usable address for \"%s\"", host);
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    rc = connect_one(ai, deadline, o, what, what_len);
    if (rc >= 0 || rc == -ETIMEDOUT) break;
  }
  freeaddrinfo(res);
  return rc;
}

int braid_mptcp_listen(const char *host, int port, const braid_sockopts *o, char *what,
                       size_t what_len) {
  char service[8];
  snprintf(service, sizeof(service), "%d", port);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
  struct addrinfo *res = NULL;
  int gai = getaddrinfo(host && *host ? host : NULL, service, &hints, &res);
  if (gai != 0) {
    SET_WHAT("resolve \"%s\": %s", host, gai_strerror(gai));
    return gai == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
  }
  struct addrinfo *ai = res;
  while (ai && ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ai = ai->ai_next;
  if (!ai) {
    freeaddrinfo(res);
    SET_WHAT("no IPv4/IPv6 address for \"%s\"", host);
    return -EADDRNOTAVAIL;
  }
  char local[80];
  format_addr(ai->ai_addr, local, sizeof(local));
  int fd = mptcp_socket(ai->ai_family, 0);
  int rc;
  if (fd < 0) {
    rc = fd;
    SET_WHAT("socket for %s", local);
    goto out;
  }
  if ((rc = apply_options(fd, ai->ai_family, o, 1, what, what_len)) != 0) goto fail;
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    rc = -errno;
    SET_WHAT("bind %s", local);
    goto fail;
  }
  if (listen(fd, 128) != 0) {
    rc = -errno;
    SET_WHAT("listen %s", local);
    goto fail;
  }
  rc = fd;
  goto out;
fail:
  close(fd);
out:
  freeaddrinfo(res);
  return rc;
}

int braid_is_mptcp(int fd) {
  int v = 0;
  socklen_t len = sizeof(v);
  if (getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &v, &len) != 0) {
    /* A plain TCP socket on kernels predating TCP_IS_MPTCP. */
    if (errno == ENOPROTOOPT || errno == EOPNOTSUPP) return 0;
    return -errno;
  }
  return v ? 1 : 0;
}

int braid_mptcp_info(int fd, struct braid_mptcp_info *info, socklen_t *filled) {
  memset(info, 0, sizeof(*info));
  socklen_t len = sizeof(*info);
  *filled = 0;
  if (getsockopt(fd, SOL_MPTCP, BRAID_MPTCP_INFO, info, &len) != 0) {
    /* Not an MPTCP socket / fell back: no info, not an error. */
    if (errno == EOPNOTSUPP || errno == ENOPROTOOPT) return 0;
    return -errno;
  }
  *filled = len > sizeof(*info) ? sizeof(*info) : len;
  return 0;
}

/* ---- per-subflow extras from sock_diag: backup flags and bound interface ---- */

struct diag_req {
  struct nlmsghdr nlh;
  struct inet_diag_req_v2 r;
  struct rtattr rta;
  struct inet_diag_bc_op bc[4];
};

static void diag_parse_ulp(struct rtattr *ulp, int *backup) {
  int len = RTA_PAYLOAD(ulp);
  for (struct rtattr *a = RTA_DATA(ulp); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type != BRAID_INET_ULP_INFO_MPTCP) continue;
    int ilen = RTA_PAYLOAD(a);
    for (struct rtattr *b = RTA_DATA(a); RTA_OK(b, ilen); b = RTA_NEXT(b, ilen)) {
      if (b->rta_type == BRAID_MPTCP_SUBFLOW_ATTR_FLAGS && RTA_PAYLOAD(b) >= 4) {
        uint32_t flags;
        memcpy(&flags, RTA_DATA(b), 4);
        *backup = (flags & (BRAID_MPTCP_SUBFLOW_FLAG_BKUP_REM | BRAID_MPTCP_SUBFLOW_FLAG_BKUP_LOC))
                      ? 1
                      : 0;
      }
    }
  }
}

static int addr_eq(int family, const __be32 *diag, const struct sockaddr *sa) {
  if (family == AF_INET)
    return memcmp(diag, &((const struct sockaddr_in *)sa)->sin_addr, 4) == 0;
  return memcmp(diag, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0;
}

/* One filtered dump (local port AND remote port) per subflow, matched on the full 4-tuple. */
static void diag_subflow(int nl, const struct braid_mptcp_subflow_addrs *a, int *ifindex,
                         int *backup) {
  int family = a->sa_local.sa_family;
  uint16_t lport, rport;
  if (family == AF_INET) {
    lport = ntohs(a->sin_local.sin_port);
    rport = ntohs(a->sin_remote.sin_port);
  } else {
    lport = ntohs(a->sin6_local.sin6_port);
    rport = ntohs(a->sin6_remote.sin6_port);
  }
  struct diag_req req;
  memset(&req, 0, sizeof(req));
  req.nlh.nlmsg_len = sizeof(req);
  req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.r.sdiag_family = (uint8_t)family;
  req.r.sdiag_protocol = IPPROTO_TCP;
  req.r.idiag_states = ~0u;
  req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1); /* also asks for ULP (MPTCP subflow) info */
  req.rta.rta_type = INET_DIAG_REQ_BYTECODE;
  req.rta.rta_len = RTA_LENGTH(sizeof(req.bc));
  /* sport == lport ? next : reject;  dport == rport ? accept : reject */
  req.bc[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_EQ, 8, 20};
  req.bc[1] = (struct inet_diag_bc_op){0, 0, lport};
  req.bc[2] = (struct inet_diag_bc_op){INET_DIAG_BC_D_EQ, 8, 12};
  req.bc[3] = (struct inet_diag_bc_op){0, 0, rport};
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) return;
  static __thread char buf[16384] __attribute__((aligned(8)));
  for (;;) {
    ssize_t n = recv(nl, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return;
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) continue;
      struct inet_diag_msg *m = NLMSG_DATA(h);
      if (!addr_eq(family, m->id.idiag_src, &a->sa_local) ||
          !addr_eq(family, m->id.idiag_dst, &a->sa_remote))
        continue;
      if (m->id.idiag_if) *ifindex = (int)m->id.idiag_if;
      int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
      for (struct rtattr *at = (struct rtattr *)(m + 1); RTA_OK(at, alen);
           at = RTA_NEXT(at, alen))
        if (at->rta_type == INET_DIAG_ULP_INFO) diag_parse_ulp(at, backup);
    }
  }
}

/* Egress interface the kernel routes local -> remote through (source policy routing included):
 * RTM_GETROUTE, as `ip route get REMOTE from LOCAL` does. 0 when unknown. */
static int route_oif(const struct sockaddr *local, const struct sockaddr *remote) {
  struct {
    struct nlmsghdr nlh;
    struct rtmsg rtm;
    char attrs[2 * RTA_SPACE(16)];
  } req;
  memset(&req, 0, sizeof(req));
  int family = remote->sa_family;
  size_t alen = family == AF_INET ? 4 : 16;
  const void *src = family == AF_INET ? (const void *)&((const struct sockaddr_in *)local)->sin_addr
                                      : (const void *)&((const struct sockaddr_in6 *)local)->sin6_addr;
  const void *dst = family == AF_INET ? (const void *)&((const struct sockaddr_in *)remote)->sin_addr
                                      : (const void *)&((const struct sockaddr_in6 *)remote)->sin6_addr;
  req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
  req.nlh.nlmsg_type = RTM_GETROUTE;
  req.nlh.nlmsg_flags = NLM_F_REQUEST;
  req.rtm.rtm_family = (unsigned char)family;
  req.rtm.rtm_dst_len = (unsigned char)(alen * 8);
  req.rtm.rtm_src_len = (unsigned char)(alen * 8);
  struct rtattr *rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nlh.nlmsg_len));
  rta->rta_type = RTA_DST;
  rta->rta_len = RTA_LENGTH(alen);
  memcpy(RTA_DATA(rta), dst, alen);
  req.nlh.nlmsg_len = NLMSG_ALIGN(req.nlh.nlmsg_len) + RTA_SPACE(alen);
  rta = (struct rtattr *)((char *)&req + req.nlh.nlmsg_len);
  rta->rta_type = RTA_SRC;
  rta->rta_len = RTA_LENGTH(alen);
  memcpy(RTA_DATA(rta), src, alen);
  req.nlh.nlmsg_len += RTA_SPACE(alen);
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl < 0) return 0;
  struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
  setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int oif = 0;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(nl, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) > 0) {
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n = recv(nl, buf, sizeof(buf), 0);
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type != RTM_NEWROUTE) break;
      struct rtmsg *r = NLMSG_DATA(h);
      int alen2 = (int)RTM_PAYLOAD(h);
      for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, alen2); a = RTA_NEXT(a, alen2))
        if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= 4) memcpy(&oif, RTA_DATA(a), 4);
      break;
    }
  }
  close(nl);
  return oif;
}

/* Interface owning a local address: the last resort when routing says nothing. */
static int ifindex_of_address(const struct ifaddrs *list, const struct sockaddr *sa) {
  for (const struct ifaddrs *i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != sa->sa_family) continue;
    int eq = sa->sa_family == AF_INET
                 ? memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr,
                          &((const struct sockaddr_in *)sa)->sin_addr, 4) == 0
                 : memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
                          &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0;
    if (eq) return (int)if_nametoindex(i->ifa_name);
  }
  return 0;
}

static void fill_addr(const struct sockaddr *sa, int *family, char *addr, uint16_t *port) {
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
    *family = 4;
    inet_ntop(AF_INET, &s->sin_addr, addr, 46);
    *port = ntohs(s->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
    *port = ntohs(s->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
      *family = 4;
      inet_ntop(AF_INET, &s->sin6_addr.s6_addr[12], addr, 46);
    } else {
      *family = 6;
      inet_ntop(AF_INET6, &s->sin6_addr, addr, 46);
    }
  } else {
    *family = 4;
    addr[0] = 0;
    *port = 0;
  }
}

#define TI_HAS(field) \
  (offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field) <= ti_size)

int braid_mptcp_full_info(int fd, braid_full_info *out) {
  memset(out, 0, sizeof(*out));
  uint32_t cap = 8;
  struct braid_mptcp_subflow_info *sfi = NULL;
  struct tcp_info *ti = NULL;
  struct braid_mptcp_full_info mfi;
  socklen_t len;
  for (;;) {
    free(sfi);
    free(ti);
    sfi = calloc(cap, sizeof(*sfi));
    ti = calloc(cap, sizeof(*ti));
    if (!sfi || !ti) {
      free(sfi);
      free(ti);
      return -ENOMEM;
    }
    memset(&mfi, 0, sizeof(mfi));
    mfi.size_tcpinfo_user = sizeof(struct tcp_info);
    mfi.size_sfinfo_user = sizeof(struct braid_mptcp_subflow_info);
    mfi.size_arrays_user = cap;
    mfi.subflow_info = (uintptr_t)sfi;
    mfi.tcp_info = (uintptr_t)ti;
    len = sizeof(mfi);
    if (getsockopt(fd, SOL_MPTCP, BRAID_MPTCP_FULL_INFO, &mfi, &len) != 0) {
      int e = errno;
      free(sfi);
      free(ti);
      /* Fallback / plain TCP / pre-6.5 kernel: no per-subflow view. */
      if (e == EOPNOTSUPP || e == ENOPROTOOPT) return 0;
      return -e;
    }
    if (mfi.num_subflows <= cap || cap >= 256) break;
    cap = mfi.num_subflows > 256 ? 256 : mfi.num_subflows;
  }
  size_t info_off = offsetof(struct braid_mptcp_full_info, mptcp_info);
  out->info = mfi.mptcp_info;
  out->info_filled = len > info_off ? (socklen_t)(len - info_off) : 0;
  if (out->info_filled > sizeof(out->info)) out->info_filled = sizeof(out->info);
  uint32_t n = mfi.num_subflows < cap ? mfi.num_subflows : cap;
  size_t ti_size = mfi.size_tcpinfo_kernel < sizeof(struct tcp_info) ? mfi.size_tcpinfo_kernel
                                                                     : sizeof(struct tcp_info);
  size_t sf_size = mfi.size_sfinfo_kernel < sizeof(*sfi) ? mfi.size_sfinfo_kernel : sizeof(*sfi);
  out->subflows = calloc(n ? n : 1, sizeof(braid_subflow));
  if (!out->subflows) {
    free(sfi);
    free(ti);
    return -ENOMEM;
  }
  out->count = n;
  struct ifaddrs *ifs = NULL;
  if (getifaddrs(&ifs) != 0) ifs = NULL;
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (nl >= 0) {
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000}; /* never hang the caller */
    setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  for (uint32_t i = 0; i < n; i++) {
    braid_subflow *s = &out->subflows[i];
    const struct braid_mptcp_subflow_info *f = &sfi[i];
    const struct tcp_info *t = &ti[i];
    if (sf_size >= offsetof(struct braid_mptcp_subflow_info, addrs) + sizeof(f->addrs)) {
      s->id = f->id;
      fill_addr(&f->addrs.sa_local, &s->family, s->local_address, &s->local_port);
      fill_addr(&f->addrs.sa_remote, &s->family, s->remote_address, &s->remote_port);
      if (nl >= 0 && (f->addrs.sa_family == AF_INET || f->addrs.sa_family == AF_INET6))
        diag_subflow(nl, &f->addrs, &s->ifindex, &s->backup);
      /* bound subflows (endpoint "dev X") report their device through sock_diag; otherwise
       * ask routing, which honours per-source policy rules */
      if (!s->ifindex && f->addrs.sa_local.sa_family == f->addrs.sa_remote.sa_family &&
          (f->addrs.sa_family == AF_INET || f->addrs.sa_family == AF_INET6))
        s->ifindex = route_oif(&f->addrs.sa_local, &f->addrs.sa_remote);
      if (!s->ifindex && ifs) s->ifindex = ifindex_of_address(ifs, &f->addrs.sa_local);
    } else if (sf_size >= sizeof(f->id)) {
      s->id = f->id;
      s->family = 4;
    }
    if (TI_HAS(tcpi_state)) s->state = t->tcpi_state;
    if (TI_HAS(tcpi_retransmits)) s->retransmits = t->tcpi_retransmits;
    if (TI_HAS(tcpi_rtt)) s->rtt_us = t->tcpi_rtt;
    if (TI_HAS(tcpi_rttvar)) s->rttvar_us = t->tcpi_rttvar;
    if (TI_HAS(tcpi_min_rtt)) s->min_rtt_us = t->tcpi_min_rtt;
    if (TI_HAS(tcpi_snd_cwnd)) s->cwnd = t->tcpi_snd_cwnd;
    if (TI_HAS(tcpi_total_retrans)) s->total_retrans = t->tcpi_total_retrans;
    if (TI_HAS(tcpi_pacing_rate)) s->pacing_rate = t->tcpi_pacing_rate;
    if (TI_HAS(tcpi_bytes_acked)) s->bytes_acked = t->tcpi_bytes_acked;
    if (TI_HAS(tcpi_bytes_received)) s->bytes_received = t->tcpi_bytes_received;
    if (TI_HAS(tcpi_delivery_rate)) s->delivery_rate = t->tcpi_delivery_rate;
    if (TI_HAS(tcpi_bytes_sent)) s->bytes_sent = t->tcpi_bytes_sent;
  }
  if (nl >= 0) close(nl);
  if (ifs) freeifaddrs(ifs);
  free(sfi);
  free(ti);
  return 0;
}

void braid_full_info_free(braid_full_info *fi) {
  free(fi->subflows);
  fi->subflows = NULL;
  fi->count = 0;
}
