/* CoDel control law, after RFC 8289 section 5 (pseudocode structure, not its code). */
#include "codel.h"

#include <math.h>
#include <time.h>

void codel_init(codel_state *c, int64_t target_ns, int64_t interval_ns, size_t min_backlog) {
  c->target_ns = target_ns;
  c->interval_ns = interval_ns;
  c->min_backlog = min_backlog;
  c->first_above_ns = 0;
  c->drop_next_ns = 0;
  c->count = 0;
  c->last_count = 0;
  c->dropping = 0;
}

int64_t codel_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t control_law(const codel_state *c, int64_t t) {
  return t + (int64_t)((double)c->interval_ns / sqrt((double)(c->count ? c->count : 1)));
}

/* has the sojourn time stayed above target for a whole interval? */
static int ok_to_drop(codel_state *c, int64_t now, int64_t sojourn, size_t backlog) {
  if (sojourn < c->target_ns || backlog <= c->min_backlog) {
    c->first_above_ns = 0;
    return 0;
  }
  if (c->first_above_ns == 0) {
    c->first_above_ns = now + c->interval_ns;
    return 0;
  }
  return now >= c->first_above_ns;
}

int codel_should_drop(codel_state *c, int64_t now, int64_t sojourn, size_t backlog) {
  int ok = ok_to_drop(c, now, sojourn, backlog);
  if (c->dropping) {
    if (!ok) {
      c->dropping = 0;
      return 0;
    }
    if (now >= c->drop_next_ns) {
      c->count++;
      c->drop_next_ns = control_law(c, c->drop_next_ns);
      return 1;
    }
    return 0;
  }
  if (!ok) return 0;
  c->dropping = 1;
  /* re-entering soon after the last dropping state: resume near the previous rate */
  uint32_t delta = c->count - c->last_count;
  c->count = (delta > 1 && now - c->drop_next_ns < 16 * c->interval_ns) ? delta : 1;
  c->drop_next_ns = control_law(c, now);
  c->last_count = c->count;
  return 1;
}
