/* Opens a TUN device with virtio-net headers and offloads, falling back step by step:
 * VNET_HDR + TSO/USO -> VNET_HDR + TSO -> VNET_HDR only -> plain IFF_TUN. */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

static int set_iff(int fd, const char *name, short flags, struct ifreq *ifr) {
  memset(ifr, 0, sizeof(*ifr));
  ifr->ifr_flags = flags;
  if (name && *name) strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
  return ioctl(fd, TUNSETIFF, ifr) == 0 ? 0 : -errno;
}

int braid_tun_open(const char *name, braid_tun *out, const char **err_what) {
  memset(out, 0, sizeof(*out));
  out->fd = -1;
  if (name && strlen(name) >= IFNAMSIZ) {
    *err_what = "interface name too long";
    return -EINVAL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *err_what = "open /dev/net/tun";
    return -errno;
  }
  struct ifreq ifr;
  int vnet = 1;
  int rc = set_iff(fd, name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, &ifr);
  if (rc == -EINVAL) {
    vnet = 0;
    rc = set_iff(fd, name, IFF_TUN | IFF_NO_PI, &ifr);
  }
  if (rc != 0) {
    close(fd);
    *err_what = "ioctl TUNSETIFF";
    return rc;
  }
  int offload = 0;
  if (vnet) {
    int hdr = BRAID_VNET_HDR_LEN;
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0) {
      /* Without a known header size the framing would be wrong: give up on vnet. */
      close(fd);
      *err_what = "ioctl TUNSETVNETHDRSZ";
      return -errno;
    }
    unsigned long base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    if (ioctl(fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6) == 0 ||
        ioctl(fd, TUNSETOFFLOAD, base) == 0) {
      offload = 1;
    } else {
      ioctl(fd, TUNSETOFFLOAD, 0UL);
    }
  }
  out->fd = fd;
  memcpy(out->name, ifr.ifr_name, IFNAMSIZ);
  out->name[IFNAMSIZ - 1] = 0;
  out->vnet_hdr = vnet;
  out->offload = offload;
  return 0;
}

int braid_tun_has_vnet_hdr(int fd) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  if (ioctl(fd, TUNGETIFF, &ifr) != 0) return -errno;
  return (ifr.ifr_flags & IFF_VNET_HDR) ? 1 : 0;
}
