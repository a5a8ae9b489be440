/* Packet pump: TUN <-> sealed frames <-> MPTCP socket, entirely in C threads.
 *
 *   TUN reader thread (one per tunnel): read vnet_hdr+packet, pick the session (client: the
 *     newest live one; server: by destination address), append to its bounded data queue
 *     (small packets to a priority lane; bulk to a queue managed by CoDel at dequeue).
 *   session writer thread: control frames first, then a batch of data frames; seal in place
 *     (REKEY inserted when a limit is reached) and send the batch with one sendmsg.
 *   session reader thread: read big chunks, parse length-prefixed frames, open in place,
 *     DATA -> TUN write, CONTROL -> JS callback, REKEY -> next rx key, CLOSE -> peer-bye.
 *
 * Sockets and the TUN fd are non-blocking; every thread that may wait polls an eventfd too,
 * so stop/close never leaves a thread blocked. Any thread of a session that exits forces the
 * other one out; the last one closes the socket and reports 'closed' exactly once. */
#include "pump.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "codel.h"
#include "tun.h"

#define VNET BRAID_VNET_HDR_LEN
/* Largest packet read from the TUN: an IPv6 GSO super-packet may exceed 65535 bytes (payload
 * length 65535 + 40-byte header), so read as much as one frame can carry (70000 plaintext). */
#define MAX_PACKET (BRAID_PLAINTEXT_MAX - 1 - VNET)
#define FRAME_DATA 1
#define FRAME_CONTROL 2
#define FRAME_REKEY 3
#define FRAME_CLOSE 4
/* Sealed frame bytes around a plaintext: length prefix + tag. */
#define SEAL_OVERHEAD (BRAID_LEN_PREFIX + BRAID_TAG_LEN)
/* Packets up to this size are copied into an exact-size buffer; bigger ones (GSO) keep the
 * read buffer, so the TUN reader never copies a super-packet. */
#define SMALL_COPY 4096
#define WRITE_BATCH 64
/* A batch waiting for socket space is queue CoDel cannot see: keep it near one GSO frame. */
#define WRITE_BATCH_BYTES (72 * 1024)
/* Packets this small (pings, DNS, TCP ACKs, voice) skip the bulk queue: interactive traffic
 * never waits behind a bulk transfer inside the tunnel. Bounded so it cannot starve bulk. */
#define SPARSE_PACKET_MAX 512
#define SPARSE_QUEUE_MAX (64 * 1024)
#define FLOW_BUCKETS 1024
#define CODEL_TARGET_NS (5 * 1000000LL)
#define CODEL_INTERVAL_NS (100 * 1000000LL)
#define READ_BUF (512 * 1024)
#define CLOSE_REASON_MAX 1024

typedef struct frame {
  struct frame *next;
  size_t pt_len;    /* plaintext: type byte + body */
  uint32_t pkt_len; /* IP packet bytes (stats), 0 for non-DATA */
  int64_t enq_ns;   /* when it entered the send queue (CoDel sojourn time) */
  uint16_t flow;    /* flow bucket (5-tuple hash) of a DATA frame */
  uint8_t bulk;     /* sits in the bulk queue (counted in the session's flow table) */
  uint8_t data[];   /* 4-byte length | plaintext | 16-byte tag */
} frame;

struct route {
  braid_addr addr;
  braid_session *s;
};

struct braid_tunnel {
  atomic_int refs;
  int tun_fd;
  int tun_flags; /* original file status flags, restored on stop */
  int vnet;
  braid_mode mode;
  int stop_fd;
  pthread_t reader;
  int stopped; /* JS thread only */
  pthread_rwlock_t lock; /* sessions, routes, client */
  braid_session **sessions;
  size_t nsessions, csessions;
  struct route *routes;
  size_t nroutes, croutes;
  braid_session *client;
};

struct braid_session {
  atomic_int refs;
  braid_tunnel *t;
  int fd;
  int stop_fd; /* written once: every thread of the session must leave now */
  int kick_fd; /* wakes the writer out of a socket poll (close requested) */
  braid_aead tx, rx;
  uint64_t rekey_frames, rekey_bytes, tx_epoch_bytes;
  size_t queue_limit;
  braid_addr addrs[BRAID_MAX_SESSION_ADDRESSES];
  size_t naddrs;
  uint8_t *pending;
  size_t pending_len;
  braid_session_callbacks cb;

  pthread_mutex_t mu;
  pthread_cond_t cv;      /* writer: queue not empty / closing */
  pthread_cond_t done_cv; /* writer: reader finished (graceful close) */
  frame *dq_head, *dq_tail;
  size_t dq_bytes;
  frame *cq_head, *cq_tail;
  size_t cq_bytes;
  frame *sq_head, *sq_tail; /* sparse (small) data packets, served before bulk */
  size_t sq_bytes;
  /* frames per flow bucket in the bulk queue: a small packet of a flow that has bulk frames
   * queued goes behind them, so the priority lane never reorders a flow */
  uint16_t bulk_per_flow[FLOW_BUCKETS];
  codel_state codel;
  int writer_waiting;
  int start_state; /* 0 waiting, 1 go, -1 abort */
  int closing;
  int local_close;
  int reader_done;
  int fd_closed;
  int64_t close_deadline_ms;
  int grace_ms;
  char bye[CLOSE_REASON_MAX + 1];
  braid_close_reason reason;
  char message[256];

  pthread_t reader, writer;
  int joined; /* JS thread only */
  atomic_int live;
  atomic_int finished;
  atomic_int stop_now; /* mirrors stop_fd for threads that are busy, not polling */

  _Atomic uint64_t tx_bytes, rx_bytes, tx_packets, rx_packets, tx_frames, rx_frames;
  _Atomic uint64_t tx_drops, rx_drops, tx_epoch, rx_epoch;
  _Atomic uint64_t aqm_drops; /* dropped by CoDel to keep the queue's delay down */
};

#define INC(field, n) atomic_fetch_add_explicit(&(field), (n), memory_order_relaxed)
#define LOAD(field) atomic_load_explicit(&(field), memory_order_relaxed)

const char *braid_close_reason_name(braid_close_reason r) {
  switch (r) {
    case BRAID_CLOSE_LOCAL: return "local";
    case BRAID_CLOSE_PEER_CLOSED: return "peer-closed";
    case BRAID_CLOSE_PEER_BYE: return "peer-bye";
    case BRAID_CLOSE_AUTH_FAILED: return "auth-failed";
    case BRAID_CLOSE_BAD_FRAME: return "bad-frame";
    case BRAID_CLOSE_SOCKET_ERROR:
    default: return "socket-error";
  }
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void signal_fd(int fd) {
  uint64_t one = 1;
  ssize_t r = write(fd, &one, sizeof(one));
  (void)r; /* an eventfd only fails when its counter would overflow: it is then readable */
}

static void drain_fd(int fd) {
  uint64_t v;
  ssize_t r = read(fd, &v, sizeof(v));
  (void)r;
}

static void force_stop(braid_session *s);

static frame *frame_alloc(size_t pt_len) {
  frame *f = malloc(sizeof(frame) + pt_len + SEAL_OVERHEAD);
  if (f) {
    f->next = NULL;
    f->pt_len = pt_len;
    f->pkt_len = 0;
  }
  return f;
}

static void free_list(frame *f) {
  while (f) {
    frame *n = f->next;
    free(f);
    f = n;
  }
}

/* Threads of the pump never take Node's signals. */
static int start_thread(pthread_t *th, void *(*fn)(void *), void *arg) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(th, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* ------------------------------------------------------------------ session basics */

void braid_session_ref(braid_session *s) { atomic_fetch_add(&s->refs, 1); }

static void tunnel_ref(braid_tunnel *t) { atomic_fetch_add(&t->refs, 1); }

void braid_session_unref(braid_session *s) {
  if (atomic_fetch_sub(&s->refs, 1) != 1) return;
  braid_aead_free(&s->tx);
  braid_aead_free(&s->rx);
  free_list(s->dq_head);
  free_list(s->sq_head);
  free_list(s->cq_head);
  if (s->pending) {
    braid_wipe(s->pending, s->pending_len);
    free(s->pending);
  }
  if (s->stop_fd >= 0) close(s->stop_fd);
  if (s->kick_fd >= 0) close(s->kick_fd);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  pthread_cond_destroy(&s->done_cv);
  braid_tunnel *t = s->t;
  free(s);
  if (t) braid_tunnel_unref(t);
}

static void force_stop(braid_session *s) {
  atomic_store(&s->stop_now, 1);
  signal_fd(s->stop_fd);
}

/* Records the first reason only (under s->mu). */
static void set_reason_locked(braid_session *s, braid_close_reason r, const char *fmt, va_list ap) {
  if (s->reason != BRAID_CLOSE_NONE) return;
  s->reason = r;
  vsnprintf(s->message, sizeof(s->message), fmt, ap);
}

/* Ends the session now with a reason: no CLOSE frame, both threads leave. */
static void session_fail(braid_session *s, braid_close_reason r, const char *fmt, ...) {
  pthread_mutex_lock(&s->mu);
  va_list ap;
  va_start(ap, fmt);
  set_reason_locked(s, r, fmt, ap);
  va_end(ap);
  s->closing = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_cond_broadcast(&s->done_cv);
  pthread_mutex_unlock(&s->mu);
  force_stop(s);
}

static void tunnel_remove_session(braid_tunnel *t, braid_session *s);

/* Last thread out: unroute, close the socket, report. */
static void session_thread_exit(braid_session *s) {
  if (atomic_fetch_sub(&s->live, 1) != 1) return;
  tunnel_remove_session(s->t, s);
  pthread_mutex_lock(&s->mu);
  if (!s->fd_closed) {
    /* shutdown first: another fd (a dup kept by JS) must not keep the connection alive */
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    s->fd_closed = 1;
  }
  free_list(s->dq_head);
  free_list(s->sq_head);
  free_list(s->cq_head);
  s->dq_head = s->dq_tail = s->cq_head = s->cq_tail = s->sq_head = s->sq_tail = NULL;
  memset(s->bulk_per_flow, 0, sizeof(s->bulk_per_flow));
  s->dq_bytes = s->cq_bytes = s->sq_bytes = 0;
  if (s->reason == BRAID_CLOSE_NONE) {
    s->reason = BRAID_CLOSE_SOCKET_ERROR;
    snprintf(s->message, sizeof(s->message), "session ended");
  }
  braid_close_reason reason = s->reason;
  char message[sizeof(s->message)];
  memcpy(message, s->message, sizeof(message));
  pthread_mutex_unlock(&s->mu);
  atomic_store(&s->finished, 1);
  if (s->cb.on_closed) s->cb.on_closed(s->cb.ctx, reason, message);
}

static int wait_start(braid_session *s) {
  pthread_mutex_lock(&s->mu);
  while (s->start_state == 0) pthread_cond_wait(&s->cv, &s->mu);
  int go = s->start_state > 0;
  pthread_mutex_unlock(&s->mu);
  return go;
}

/* ------------------------------------------------------------------ writer */

/* Sends every iov fully. deadline 0 = none (it is picked up from a close request). Returns 0,
 * -ECANCELED when the session is being stopped, -ETIMEDOUT past the close deadline, -errno. */
static int write_all(braid_session *s, struct iovec *iov, int cnt, int64_t deadline) {
  while (cnt > 0) {
    if (atomic_load_explicit(&s->stop_now, memory_order_relaxed)) return -ECANCELED;
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)(cnt > IOV_MAX ? IOV_MAX : cnt)};
    ssize_t n = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
    if (n > 0) {
      size_t left = (size_t)n;
      while (cnt > 0 && left >= iov->iov_len) {
        left -= iov->iov_len;
        iov++;
        cnt--;
      }
      if (cnt > 0 && left) {
        iov->iov_base = (uint8_t *)iov->iov_base + left;
        iov->iov_len -= left;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
    for (;;) {
      int timeout = -1;
      if (deadline) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return -ETIMEDOUT;
        timeout = (int)left;
      }
      struct pollfd p[3] = {{.fd = s->fd, .events = POLLOUT},
                            {.fd = s->stop_fd, .events = POLLIN},
                            {.fd = s->kick_fd, .events = POLLIN}};
      int r = poll(p, 3, timeout);
      if (r < 0 && errno != EINTR) return -errno;
      if (r <= 0) continue;
      if (p[1].revents) return -ECANCELED;
      if (p[2].revents) {
        drain_fd(s->kick_fd);
        pthread_mutex_lock(&s->mu);
        if (s->closing && !deadline) deadline = s->close_deadline_ms;
        pthread_mutex_unlock(&s->mu);
      }
      if (p[0].revents) break;
    }
  }
  return 0;
}

/* Seals one frame, first inserting a REKEY frame (and switching keys) when a limit is
 * reached. rekey_buf holds SEAL_OVERHEAD+1 bytes. Returns the number of iovs added or -1. */
static int seal_into(braid_session *s, frame *f, uint8_t *rekey_buf, struct iovec *iov) {
  int n = 0;
  if (s->tx.counter >= s->rekey_frames || s->tx_epoch_bytes >= s->rekey_bytes) {
    rekey_buf[BRAID_LEN_PREFIX] = FRAME_REKEY;
    if (braid_aead_seal(&s->tx, rekey_buf, 1) != 0 || braid_aead_rekey(&s->tx) != 0) return -1;
    iov[n++] = (struct iovec){rekey_buf, 1 + SEAL_OVERHEAD};
    s->tx_epoch_bytes = 0;
    INC(s->tx_epoch, 1);
    INC(s->tx_frames, 1);
  }
  if (braid_aead_seal(&s->tx, f->data, f->pt_len) != 0) return -1;
  iov[n++] = (struct iovec){f->data, f->pt_len + SEAL_OVERHEAD};
  s->tx_epoch_bytes += f->pt_len;
  INC(s->tx_frames, 1);
  if (f->pkt_len) {
    INC(s->tx_packets, 1);
    INC(s->tx_bytes, f->pkt_len);
  }
  return n;
}

static int send_frames(braid_session *s, frame *list, int64_t deadline) {
  static __thread struct iovec iov[2 * WRITE_BATCH + 2];
  static __thread uint8_t rekey_bufs[WRITE_BATCH + 1][1 + SEAL_OVERHEAD];
  int rc = 0;
  while (list && rc == 0) {
    int n = 0, k = 0;
    frame *batch = list;
    while (list && k < WRITE_BATCH) {
      int added = seal_into(s, list, rekey_bufs[k], iov + n);
      if (added < 0) {
        free_list(batch); /* batch..list and everything after it: nothing of it was sent */
        return -EPROTO;
      }
      n += added;
      k++;
      list = list->next;
    }
    rc = write_all(s, iov, n, deadline);
    /* free the sent part of the list */
    while (batch != list) {
      frame *next = batch->next;
      free(batch);
      batch = next;
    }
  }
  free_list(list);
  return rc;
}

static void *writer_main(void *arg) {
  braid_session *s = arg;
  if (!wait_start(s)) return NULL;
  pthread_setname_np(pthread_self(), "braid-tx");
  int rc = 0;
  for (;;) {
    pthread_mutex_lock(&s->mu);
    while (!s->cq_head && !s->sq_head && !s->dq_head && !s->closing) {
      s->writer_waiting = 1;
      pthread_cond_wait(&s->cv, &s->mu);
      s->writer_waiting = 0;
    }
    if (s->closing) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    /* control first: it must never wait behind a full data queue */
    frame *head = NULL, **tail = &head;
    size_t bytes = 0;
    int k = 0;
    while (s->cq_head && k < WRITE_BATCH) {
      frame *f = s->cq_head;
      s->cq_head = f->next;
      s->cq_bytes -= f->pt_len;
      *tail = f;
      tail = &f->next;
      k++;
    }
    if (!s->cq_head) s->cq_tail = NULL;
    while (s->sq_head && k < WRITE_BATCH) {
      frame *f = s->sq_head;
      s->sq_head = f->next;
      s->sq_bytes -= f->pt_len;
      *tail = f;
      tail = &f->next;
      k++;
    }
    if (!s->sq_head) s->sq_tail = NULL;
    int64_t now = codel_now_ns();
    frame *dropped = NULL;
    while (s->dq_head && k < WRITE_BATCH && bytes < WRITE_BATCH_BYTES) {
      frame *f = s->dq_head;
      s->dq_head = f->next;
      if (s->bulk_per_flow[f->flow]) s->bulk_per_flow[f->flow]--;
      if (codel_should_drop(&s->codel, now, now - f->enq_ns, s->dq_bytes)) {
        s->dq_bytes -= f->pt_len;
        f->next = dropped;
        dropped = f;
        continue;
      }
      s->dq_bytes -= f->pt_len;
      bytes += f->pt_len;
      *tail = f;
      tail = &f->next;
      k++;
    }
    if (!s->dq_head) s->dq_tail = NULL;
    *tail = NULL;
    pthread_mutex_unlock(&s->mu);
    for (frame *d = dropped; d;) {
      frame *next = d->next;
      INC(s->aqm_drops, 1);
      free(d);
      d = next;
    }
    if (!head) continue; /* everything taken was dropped */
    rc = send_frames(s, head, 0);
    if (rc != 0) break;
  }

  pthread_mutex_lock(&s->mu);
  int graceful = s->local_close && rc == 0 && s->reason == BRAID_CLOSE_LOCAL;
  int64_t deadline = s->close_deadline_ms;
  frame *ctl = s->cq_head;
  s->cq_head = s->cq_tail = NULL;
  s->cq_bytes = 0;
  pthread_mutex_unlock(&s->mu);

  if (rc == -EPROTO) {
    free_list(ctl);
    session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "sealing a frame failed (OpenSSL)");
  } else if (rc != 0 && rc != -ECANCELED && rc != -ETIMEDOUT) {
    free_list(ctl);
    session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "write: %s", strerror(-rc));
  } else if (graceful) {
    /* Best effort: pending control frames, then CLOSE(reason), then our FIN; then give the
     * peer until the deadline to close its side so no RST races the CLOSE frame. */
    size_t blen = strlen(s->bye);
    frame *bye = frame_alloc(1 + blen);
    if (bye) {
      bye->data[BRAID_LEN_PREFIX] = FRAME_CLOSE;
      memcpy(bye->data + BRAID_LEN_PREFIX + 1, s->bye, blen);
      frame **t = &ctl;
      while (*t) t = &(*t)->next;
      *t = bye;
    }
    int wrc = send_frames(s, ctl, deadline);
    ctl = NULL;
    if (wrc == 0) {
      shutdown(s->fd, SHUT_WR);
      pthread_mutex_lock(&s->mu);
      while (!s->reader_done) {
        int64_t left = deadline - now_ms();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
          ts.tv_sec++;
          ts.tv_nsec -= 1000000000;
        }
        if (pthread_cond_timedwait(&s->done_cv, &s->mu, &ts) == ETIMEDOUT) break;
      }
      pthread_mutex_unlock(&s->mu);
    }
  }
  free_list(ctl);
  force_stop(s); /* the reader leaves too */
  session_thread_exit(s);
  return NULL;
}

/* ------------------------------------------------------------------ reader */

static uint16_t rd16le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* For a TUN without IFF_VNET_HDR: finish a partial checksum the sender's kernel left to
 * offload (VIRTIO_NET_HDR_F_NEEDS_CSUM). Returns 0, or -1 when the packet cannot be written. */
static int finish_without_vnet(const uint8_t *hdr, uint8_t *pkt, size_t len) {
  uint8_t flags = hdr[0], gso_type = hdr[1];
  if (gso_type != 0) return -1; /* a GSO super-packet needs a vnet-capable TUN */
  if (!(flags & 1)) return 0;
  size_t start = rd16le(hdr + 6), off = rd16le(hdr + 8);
  if (start + off + 2 > len || start >= len) return -1;
  uint32_t sum = 0;
  size_t i = start;
  for (; i + 1 < len; i += 2) sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
  if (i < len) sum += (uint32_t)(pkt[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t c = (uint16_t)~sum;
  pkt[start + off] = (uint8_t)(c >> 8);
  pkt[start + off + 1] = (uint8_t)c;
  return 0;
}

static int source_allowed(braid_session *s, const uint8_t *pkt, size_t len) {
  int family;
  const uint8_t *src;
  size_t alen;
  if (len >= 20 && (pkt[0] >> 4) == 4) {
    family = AF_INET;
    src = pkt + 12;
    alen = 4;
  } else if (len >= 40 && (pkt[0] >> 4) == 6) {
    family = AF_INET6;
    src = pkt + 8;
    alen = 16;
  } else {
    return 0;
  }
  for (size_t i = 0; i < s->naddrs; i++)
    if (s->addrs[i].family == family && memcmp(s->addrs[i].bytes, src, alen) == 0) return 1;
  return 0;
}

static void deliver_data(braid_session *s, uint8_t *body, size_t len) {
  braid_tunnel *t = s->t;
  uint8_t *pkt = body + VNET;
  size_t pkt_len = len - VNET;
  if (pkt_len == 0 || (t->mode == BRAID_MODE_SERVER && !source_allowed(s, pkt, pkt_len))) {
    INC(s->rx_drops, 1);
    return;
  }
  ssize_t w;
  if (t->vnet) {
    w = write(t->tun_fd, body, len);
  } else {
    if (finish_without_vnet(body, pkt, pkt_len) != 0) {
      INC(s->rx_drops, 1);
      return;
    }
    w = write(t->tun_fd, pkt, pkt_len);
  }
  if (w < 0) {
    INC(s->rx_drops, 1);
    return;
  }
  INC(s->rx_packets, 1);
  INC(s->rx_bytes, pkt_len);
}

/* Returns 0 to go on, -1 when the session ended. frame = prefix + L sealed bytes. */
static int handle_frame(braid_session *s, uint8_t *frm, size_t L) {
  uint64_t counter = s->rx.counter;
  if (braid_aead_open(&s->rx, frm, L) != 0) {
    session_fail(s, BRAID_CLOSE_AUTH_FAILED, "frame %llu of rx epoch %llu failed authentication",
                 (unsigned long long)counter, (unsigned long long)LOAD(s->rx_epoch));
    return -1;
  }
  INC(s->rx_frames, 1);
  uint8_t *pt = frm + BRAID_LEN_PREFIX;
  size_t pt_len = L - BRAID_TAG_LEN;
  switch (pt[0]) {
    case FRAME_DATA:
      if (pt_len < 1 + VNET) {
        session_fail(s, BRAID_CLOSE_BAD_FRAME, "DATA frame shorter than its virtio_net_hdr");
        return -1;
      }
      deliver_data(s, pt + 1, pt_len - 1);
      return 0;
    case FRAME_CONTROL: {
      uint8_t *copy = malloc(pt_len > 1 ? pt_len - 1 : 1);
      if (!copy) {
        session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "out of memory");
        return -1;
      }
      memcpy(copy, pt + 1, pt_len - 1);
      if (!s->cb.on_control) {
        free(copy);
        return 0;
      }
      if (s->cb.on_control(s->cb.ctx, copy, pt_len - 1) != 0) {
        session_fail(s, BRAID_CLOSE_BAD_FRAME,
                     "peer sent CONTROL frames faster than the engine handles them (over %u bytes waiting)",
                     BRAID_CONTROL_BACKLOG_MAX);
        return -1;
      }
      return 0;
    }
    case FRAME_REKEY:
      if (pt_len != 1) {
        session_fail(s, BRAID_CLOSE_BAD_FRAME, "REKEY frame with a body");
        return -1;
      }
      if (braid_aead_rekey(&s->rx) != 0) {
        session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "rekey failed (OpenSSL)");
        return -1;
      }
      INC(s->rx_epoch, 1);
      return 0;
    case FRAME_CLOSE: {
      char text[200];
      size_t n = pt_len - 1 < sizeof(text) - 1 ? pt_len - 1 : sizeof(text) - 1;
      for (size_t i = 0; i < n; i++) {
        uint8_t c = pt[1 + i];
        text[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c; /* keep it printable */
      }
      text[n] = 0;
      session_fail(s, BRAID_CLOSE_PEER_BYE, "%s", text);
      return -1;
    }
    default:
      session_fail(s, BRAID_CLOSE_BAD_FRAME, "unknown frame type %u", pt[0]);
      return -1;
  }
}

/* Consumes whole frames from buf[0..have); returns bytes consumed or -1. */
static ssize_t parse_frames(braid_session *s, uint8_t *buf, size_t have) {
  size_t off = 0;
  while (have - off >= BRAID_LEN_PREFIX) {
    uint8_t *p = buf + off;
    uint32_t L = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (L < BRAID_FRAME_MIN || L > BRAID_FRAME_MAX) {
      session_fail(s, BRAID_CLOSE_BAD_FRAME, "frame length %u outside %u..%u", L,
                   BRAID_FRAME_MIN, BRAID_FRAME_MAX);
      return -1;
    }
    if (have - off < BRAID_LEN_PREFIX + (size_t)L) break;
    if (handle_frame(s, p, L) != 0) return -1;
    off += BRAID_LEN_PREFIX + L;
  }
  return (ssize_t)off;
}

static void *reader_main(void *arg) {
  braid_session *s = arg;
  if (!wait_start(s)) return NULL;
  pthread_setname_np(pthread_self(), "braid-rx");
  size_t size = READ_BUF;
  if (s->pending_len + BRAID_LEN_PREFIX + BRAID_FRAME_MAX > size)
    size = s->pending_len + BRAID_LEN_PREFIX + BRAID_FRAME_MAX;
  uint8_t *buf = malloc(size);
  size_t have = 0;
  if (!buf) {
    session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "out of memory");
    goto out;
  }
  if (s->pending_len) {
    memcpy(buf, s->pending, s->pending_len);
    have = s->pending_len;
    braid_wipe(s->pending, s->pending_len);
  }
  for (;;) {
    if (atomic_load_explicit(&s->stop_now, memory_order_relaxed)) break;
    if (have) {
      ssize_t used = parse_frames(s, buf, have);
      if (used < 0) break;
      if (used > 0) {
        memmove(buf, buf + used, have - (size_t)used);
        have -= (size_t)used;
      }
    }
    ssize_t n = read(s->fd, buf + have, size - have);
    if (n > 0) {
      have += (size_t)n;
      continue;
    }
    if (n == 0) {
      session_fail(s, BRAID_CLOSE_PEER_CLOSED, "peer closed the connection");
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN}, {.fd = s->stop_fd, .events = POLLIN}};
      int r = poll(p, 2, -1);
      if (r < 0 && errno != EINTR) {
        session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "poll: %s", strerror(errno));
        break;
      }
      if (r > 0 && p[1].revents) break;
      continue;
    }
    session_fail(s, BRAID_CLOSE_SOCKET_ERROR, "read: %s", strerror(errno));
    break;
  }
out:
  if (buf) {
    braid_wipe(buf, size);
    free(buf);
  }
  pthread_mutex_lock(&s->mu);
  s->reader_done = 1;
  pthread_cond_broadcast(&s->done_cv);
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  force_stop(s); /* the writer leaves too */
  session_thread_exit(s);
  return NULL;
}

/* ------------------------------------------------------------------ session API */

/* Bucket of a packet's flow: addresses, protocol and (TCP/UDP) ports, FNV-1a hashed. */
static uint16_t flow_bucket(const uint8_t *pkt, size_t len) {
  uint32_t h = 2166136261u;
#define MIX(p, n) for (size_t i_ = 0; i_ < (n); i_++) h = (h ^ (p)[i_]) * 16777619u
  size_t l4 = 0;
  uint8_t proto = 0;
  if (len >= 20 && (pkt[0] >> 4) == 4) {
    MIX(pkt + 12, 8);
    proto = pkt[9];
    l4 = (size_t)(pkt[0] & 15) * 4;
  } else if (len >= 40 && (pkt[0] >> 4) == 6) {
    MIX(pkt + 8, 32);
    proto = pkt[6];
    l4 = 40;
  }
  MIX(&proto, 1);
  if ((proto == 6 || proto == 17) && l4 && len >= l4 + 4) MIX(pkt + l4, 4);
#undef MIX
  return (uint16_t)(h % FLOW_BUCKETS);
}

static void enqueue_data(braid_session *s, frame *f) {
  f->enq_ns = codel_now_ns();
  f->flow = flow_bucket(f->data + BRAID_LEN_PREFIX + 1 + VNET, f->pkt_len);
  pthread_mutex_lock(&s->mu);
  int sparse = f->pkt_len <= SPARSE_PACKET_MAX && s->bulk_per_flow[f->flow] == 0;
  if (s->closing) {
    pthread_mutex_unlock(&s->mu);
    free(f);
    return;
  }
  /* hard byte limits only guard memory; CoDel at dequeue keeps the delay low */
  size_t queued = sparse ? s->sq_bytes : s->dq_bytes;
  size_t limit = sparse ? SPARSE_QUEUE_MAX : s->queue_limit;
  if (queued && queued + f->pt_len > limit) {
    pthread_mutex_unlock(&s->mu);
    INC(s->tx_drops, 1);
    free(f);
    return;
  }
  frame **head = sparse ? &s->sq_head : &s->dq_head;
  frame **tail = sparse ? &s->sq_tail : &s->dq_tail;
  if (*tail) (*tail)->next = f;
  else *head = f;
  *tail = f;
  f->bulk = !sparse;
  if (sparse) s->sq_bytes += f->pt_len;
  else {
    s->dq_bytes += f->pt_len;
    if (s->bulk_per_flow[f->flow] < UINT16_MAX) s->bulk_per_flow[f->flow]++;
  }
  if (s->writer_waiting) pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

int braid_session_send_control(braid_session *s, const uint8_t *data, size_t len) {
  if (len + 1 > BRAID_PLAINTEXT_MAX) return -EMSGSIZE;
  frame *f = frame_alloc(1 + len);
  if (!f) return -ENOMEM;
  f->data[BRAID_LEN_PREFIX] = FRAME_CONTROL;
  if (len) memcpy(f->data + BRAID_LEN_PREFIX + 1, data, len);
  pthread_mutex_lock(&s->mu);
  int rc = 0;
  if (s->closing) rc = -EPIPE;
  else if (s->cq_bytes + f->pt_len > BRAID_CONTROL_QUEUE_MAX) rc = -ENOBUFS;
  if (rc) {
    pthread_mutex_unlock(&s->mu);
    free(f);
    return rc;
  }
  if (s->cq_tail) s->cq_tail->next = f;
  else s->cq_head = f;
  s->cq_tail = f;
  s->cq_bytes += f->pt_len;
  if (s->writer_waiting) pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
  return 0;
}

void braid_session_close(braid_session *s, const char *reason, int grace_ms) {
  pthread_mutex_lock(&s->mu);
  if (s->closing) {
    /* Already ending; a second close with no grace hurries it up. */
    pthread_mutex_unlock(&s->mu);
    if (grace_ms <= 0 && !atomic_load(&s->finished)) force_stop(s);
    return;
  }
  s->closing = 1;
  s->local_close = 1;
  s->reason = BRAID_CLOSE_LOCAL;
  snprintf(s->message, sizeof(s->message), "%s", reason && *reason ? reason : "closed locally");
  snprintf(s->bye, sizeof(s->bye), "%s", reason ? reason : "");
  s->close_deadline_ms = now_ms() + (grace_ms > 0 ? grace_ms : 1);
  /* Data still queued is dropped; control frames are still sent before CLOSE. */
  free_list(s->dq_head);
  free_list(s->sq_head);
  s->dq_head = s->dq_tail = s->sq_head = s->sq_tail = NULL;
  s->dq_bytes = s->sq_bytes = 0;
  memset(s->bulk_per_flow, 0, sizeof(s->bulk_per_flow));
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  signal_fd(s->kick_fd);
}

void braid_session_join(braid_session *s) {
  if (s->joined) return;
  s->joined = 1;
  pthread_join(s->writer, NULL);
  pthread_join(s->reader, NULL);
  braid_session_unref(s); /* the threads' reference */
}

int braid_session_finished(braid_session *s) { return atomic_load(&s->finished); }

void braid_session_stats_get(braid_session *s, braid_session_stats *o) {
  o->tx_bytes = LOAD(s->tx_bytes);
  o->rx_bytes = LOAD(s->rx_bytes);
  o->tx_packets = LOAD(s->tx_packets);
  o->rx_packets = LOAD(s->rx_packets);
  o->tx_frames = LOAD(s->tx_frames);
  o->rx_frames = LOAD(s->rx_frames);
  o->tx_drops = LOAD(s->tx_drops);
  o->aqm_drops = LOAD(s->aqm_drops);
  o->rx_drops = LOAD(s->rx_drops);
  o->tx_epoch = LOAD(s->tx_epoch);
  o->rx_epoch = LOAD(s->rx_epoch);
}

/* ------------------------------------------------------------------ tunnel routing */

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t ncap = *cap ? *cap * 2 : 8;
  while (ncap < need) ncap *= 2;
  void *p = realloc(*arr, ncap * elem);
  if (!p) return -1;
  *arr = p;
  *cap = ncap;
  return 0;
}

static int addr_eq(const braid_addr *a, const braid_addr *b) {
  return a->family == b->family &&
         memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

/* Under t->lock (write). Newest session wins an address (a reconnecting peer). */
static int tunnel_add_session(braid_tunnel *t, braid_session *s) {
  if (grow((void **)&t->sessions, &t->csessions, t->nsessions + 1, sizeof(*t->sessions)) ||
      grow((void **)&t->routes, &t->croutes, t->nroutes + s->naddrs, sizeof(*t->routes)))
    return -1;
  t->sessions[t->nsessions++] = s;
  braid_session_ref(s);
  for (size_t i = 0; i < s->naddrs; i++) {
    size_t j = 0;
    for (; j < t->nroutes; j++)
      if (addr_eq(&t->routes[j].addr, &s->addrs[i])) break;
    t->routes[j].addr = s->addrs[i];
    t->routes[j].s = s;
    if (j == t->nroutes) t->nroutes++;
  }
  t->client = s;
  return 0;
}

static void tunnel_remove_session(braid_tunnel *t, braid_session *s) {
  int found = 0;
  pthread_rwlock_wrlock(&t->lock);
  for (size_t i = 0; i < t->nsessions; i++) {
    if (t->sessions[i] == s) {
      memmove(&t->sessions[i], &t->sessions[i + 1], (t->nsessions - i - 1) * sizeof(*t->sessions));
      t->nsessions--;
      found = 1;
      break;
    }
  }
  for (size_t j = 0; j < t->nroutes;) {
    if (t->routes[j].s == s) t->routes[j] = t->routes[--t->nroutes];
    else j++;
  }
  if (t->client == s) t->client = t->nsessions ? t->sessions[t->nsessions - 1] : NULL;
  pthread_rwlock_unlock(&t->lock);
  if (found) braid_session_unref(s);
}

static int parse_dst(const uint8_t *pkt, size_t len, braid_addr *out) {
  if (len >= 20 && (pkt[0] >> 4) == 4) {
    out->family = AF_INET;
    memcpy(out->bytes, pkt + 16, 4);
    return 0;
  }
  if (len >= 40 && (pkt[0] >> 4) == 6) {
    out->family = AF_INET6;
    memcpy(out->bytes, pkt + 24, 16);
    return 0;
  }
  return -1;
}

/* Under t->lock (read). */
static braid_session *route_packet(braid_tunnel *t, const uint8_t *pkt, size_t len) {
  if (t->mode == BRAID_MODE_CLIENT) return t->client;
  braid_addr dst;
  if (parse_dst(pkt, len, &dst) != 0) return NULL;
  for (size_t i = 0; i < t->nroutes; i++)
    if (addr_eq(&t->routes[i].addr, &dst)) return t->routes[i].s;
  return NULL;
}

static void *tun_reader_main(void *arg) {
  braid_tunnel *t = arg;
  pthread_setname_np(pthread_self(), "braid-tun");
  const size_t big_pt = 1 + VNET + MAX_PACKET;
  frame *big = NULL;
  for (;;) {
    if (!big && !(big = frame_alloc(big_pt))) {
      struct pollfd p = {.fd = t->stop_fd, .events = POLLIN};
      if (poll(&p, 1, 100) > 0) break; /* out of memory: wait, but stay stoppable */
      continue;
    }
    uint8_t *hdr = big->data + BRAID_LEN_PREFIX + 1;
    ssize_t n;
    if (t->vnet) {
      n = read(t->tun_fd, hdr, VNET + MAX_PACKET);
    } else {
      memset(hdr, 0, VNET); /* no offloads: an all-zero header (protocol.md) */
      n = read(t->tun_fd, hdr + VNET, MAX_PACKET);
      if (n >= 0) n += VNET;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      int again = errno == EAGAIN || errno == EWOULDBLOCK;
      if (errno == EBADF) break;
      struct pollfd p[2] = {{.fd = t->tun_fd, .events = POLLIN}, {.fd = t->stop_fd, .events = POLLIN}};
      /* After an unexpected error (e.g. the device went down) do not spin: re-poll slowly. */
      int r = poll(p, 2, again ? -1 : 100);
      if (r > 0 && p[1].revents) break;
      continue;
    }
    if ((size_t)n <= VNET) continue;
    size_t pkt_len = (size_t)n - VNET;
    size_t pt_len = 1 + (size_t)n;
    pthread_rwlock_rdlock(&t->lock);
    braid_session *s = route_packet(t, hdr + VNET, pkt_len);
    if (s) {
      frame *f;
      if (pt_len <= SMALL_COPY && (f = frame_alloc(pt_len))) {
        memcpy(f->data + BRAID_LEN_PREFIX + 1, hdr, (size_t)n);
      } else {
        f = big;
        big = NULL;
        f->pt_len = pt_len;
      }
      f->data[BRAID_LEN_PREFIX] = FRAME_DATA;
      f->pkt_len = (uint32_t)pkt_len;
      f->next = NULL;
      enqueue_data(s, f);
    }
    pthread_rwlock_unlock(&t->lock);
  }
  free(big);
  return NULL;
}

/* ------------------------------------------------------------------ tunnel API */

braid_tunnel *braid_tunnel_create(int tun_fd, braid_mode mode, const char **err) {
  int fl = fcntl(tun_fd, F_GETFL);
  if (fl < 0) {
    *err = "tunFd is not an open file descriptor";
    return NULL;
  }
  int vnet = braid_tun_has_vnet_hdr(tun_fd);
  if (vnet < 0) {
    *err = "tunFd is not a TUN device (TUNGETIFF failed)";
    return NULL;
  }
  braid_tunnel *t = calloc(1, sizeof(*t));
  if (!t) {
    *err = "out of memory";
    return NULL;
  }
  atomic_init(&t->refs, 1);
  t->tun_fd = tun_fd;
  t->tun_flags = fl;
  t->vnet = vnet;
  t->mode = mode;
  t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (t->stop_fd < 0) {
    free(t);
    *err = "eventfd failed";
    return NULL;
  }
  pthread_rwlock_init(&t->lock, NULL);
  fcntl(tun_fd, F_SETFL, fl | O_NONBLOCK);
  if (start_thread(&t->reader, tun_reader_main, t) != 0) {
    fcntl(tun_fd, F_SETFL, fl);
    close(t->stop_fd);
    pthread_rwlock_destroy(&t->lock);
    free(t);
    *err = "could not start the TUN reader thread";
    return NULL;
  }
  return t;
}

void braid_tunnel_unref(braid_tunnel *t) {
  if (atomic_fetch_sub(&t->refs, 1) != 1) return;
  close(t->stop_fd);
  pthread_rwlock_destroy(&t->lock);
  free(t->sessions);
  free(t->routes);
  free(t);
}

void braid_tunnel_stop(braid_tunnel *t, int grace_ms) {
  if (t->stopped) return;
  t->stopped = 1;
  signal_fd(t->stop_fd);
  pthread_join(t->reader, NULL);
  fcntl(t->tun_fd, F_SETFL, t->tun_flags);
  pthread_rwlock_rdlock(&t->lock);
  size_t n = t->nsessions;
  braid_session **snap = n ? malloc(n * sizeof(*snap)) : NULL;
  if (snap)
    for (size_t i = 0; i < n; i++) {
      snap[i] = t->sessions[i];
      braid_session_ref(snap[i]);
    }
  pthread_rwlock_unlock(&t->lock);
  if (!snap) return;
  for (size_t i = 0; i < n; i++) braid_session_close(snap[i], "tunnel stopped", grace_ms);
  for (size_t i = 0; i < n; i++) {
    braid_session_join(snap[i]);
    braid_session_unref(snap[i]);
  }
  free(snap);
}

braid_session *braid_session_start(braid_tunnel *t, const braid_session_config *cfg,
                                   const char **err) {
  if (t->stopped) {
    *err = "the tunnel was stopped";
    return NULL;
  }
  if (cfg->address_count > BRAID_MAX_SESSION_ADDRESSES) {
    *err = "too many addresses for one session";
    return NULL;
  }
  int fl = -1;
  braid_session *s = calloc(1, sizeof(*s));
  if (!s) {
    *err = "out of memory";
    return NULL;
  }
  s->stop_fd = s->kick_fd = -1;
  atomic_init(&s->refs, 2); /* caller + threads */
  s->fd = cfg->fd;
  s->rekey_frames = cfg->rekey_after_frames;
  s->rekey_bytes = cfg->rekey_after_bytes;
  s->queue_limit = cfg->queue_bytes;
  codel_init(&s->codel, CODEL_TARGET_NS, CODEL_INTERVAL_NS, 1500);
  s->naddrs = cfg->address_count;
  if (cfg->address_count) memcpy(s->addrs, cfg->addresses, cfg->address_count * sizeof(braid_addr));
  s->cb = cfg->cb;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_cond_init(&s->done_cv, &ca); /* CLOCK_REALTIME: matches the timedwait */
    pthread_condattr_destroy(&ca);
  }
  if (cfg->pending_len) {
    s->pending = malloc(cfg->pending_len);
    if (!s->pending) goto nomem;
    memcpy(s->pending, cfg->pending, cfg->pending_len);
    s->pending_len = cfg->pending_len;
  }
  if (braid_aead_init(&s->tx, cfg->cipher, cfg->tx_key, cfg->tx_counter, 1) != 0 ||
      braid_aead_init(&s->rx, cfg->cipher, cfg->rx_key, cfg->rx_counter, 0) != 0) {
    *err = "OpenSSL cipher initialisation failed";
    goto fail;
  }
  s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  s->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->stop_fd < 0 || s->kick_fd < 0) {
    *err = "eventfd failed";
    goto fail;
  }
  fl = fcntl(s->fd, F_GETFL);
  if (fl < 0 || fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) != 0) {
    fl = -1;
    *err = "fd is not an open file descriptor";
    goto fail;
  }
  atomic_init(&s->live, 2);
  if (start_thread(&s->writer, writer_main, s) != 0) {
    *err = "could not start the session writer thread";
    goto fail;
  }
  if (start_thread(&s->reader, reader_main, s) != 0) {
    pthread_mutex_lock(&s->mu);
    s->start_state = -1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL);
    *err = "could not start the session reader thread";
    goto fail;
  }
  s->t = t;
  tunnel_ref(t);
  pthread_rwlock_wrlock(&t->lock);
  int added = tunnel_add_session(t, s);
  pthread_rwlock_unlock(&t->lock);
  pthread_mutex_lock(&s->mu);
  if (added != 0) {
    /* No route for it: start it only to end it, so 'closed' still follows the rules. */
    s->closing = 1;
    s->reason = BRAID_CLOSE_SOCKET_ERROR;
    snprintf(s->message, sizeof(s->message), "out of memory adding the session");
    force_stop(s);
  }
  s->start_state = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  return s;
nomem:
  *err = "out of memory";
fail:
  if (fl >= 0) fcntl(s->fd, F_SETFL, fl); /* the caller keeps the fd as it gave it */
  s->t = NULL;
  atomic_store(&s->refs, 1);
  braid_session_unref(s);
  return NULL;
}
