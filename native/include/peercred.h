/* SO_PEERCRED of a connected unix socket: who is on the other end of the control socket. */
#ifndef BRAID_PEERCRED_H
#define BRAID_PEERCRED_H

#include <sys/types.h>

/* 0 or -errno. */
int braid_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

#endif
