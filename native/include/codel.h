/* CoDel (RFC 8289) for the pump's per-session send queue: bulk flows keep the link busy while
 * the standing queue, and so the latency every packet sees, stays near `target`. The queue is
 * managed by sojourn time at dequeue, so its size in bytes no longer decides the delay. */
#ifndef BRAID_CODEL_H
#define BRAID_CODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int64_t target_ns;
  int64_t interval_ns;
  size_t min_backlog; /* never drop while less than this is queued (one big frame) */
  int64_t first_above_ns;
  int64_t drop_next_ns;
  uint32_t count;
  uint32_t last_count;
  int dropping;
} codel_state;

void codel_init(codel_state *c, int64_t target_ns, int64_t interval_ns, size_t min_backlog);

/* Called for the frame at the head of the queue: returns 1 when it must be dropped.
 * backlog = bytes queued including this frame. */
int codel_should_drop(codel_state *c, int64_t now_ns, int64_t sojourn_ns, size_t backlog);

int64_t codel_now_ns(void);

#endif
