/* TUN device: opened with IFF_VNET_HDR + TSO/CSUM offloads when the kernel allows it, so one
 * read returns a whole GSO super-packet (up to 64 KiB) behind a 10-byte virtio_net_hdr. */
#ifndef BRAID_TUN_H
#define BRAID_TUN_H

#include <net/if.h>

#define BRAID_VNET_HDR_LEN 10

typedef struct braid_tun {
  int fd;
  char name[IFNAMSIZ];
  int vnet_hdr; /* IFF_VNET_HDR active: every read/write carries the 10-byte header */
  int offload;  /* TSO offloads accepted (reads may return GSO super-packets) */
} braid_tun;

/* Returns 0 or -errno; *err_what names the failing step. */
int braid_tun_open(const char *name, braid_tun *out, const char **err_what);

/* Whether an existing TUN fd was opened with IFF_VNET_HDR (TUNGETIFF). 1, 0 or -errno. */
int braid_tun_has_vnet_hdr(int fd);

#endif
