/* Copies of the kernel's MPTCP uapi structs (include/uapi/linux/mptcp.h, Linux 6.18) under
 * braid_ names: the build machine's headers may be older than the running kernel. These
 * structs only grow; callers zero them, pass their size and check the returned length
 * against each field's offset. */
#ifndef BRAID_MPTCP_UAPI_H
#define BRAID_MPTCP_UAPI_H

#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP 43
#endif
#define BRAID_MPTCP_INFO 1
#define BRAID_MPTCP_FULL_INFO 4

#define BRAID_MPTCP_SUBFLOW_FLAG_BKUP_REM (1u << 4)
#define BRAID_MPTCP_SUBFLOW_FLAG_BKUP_LOC (1u << 5)
#define BRAID_MPTCP_SUBFLOW_ATTR_FLAGS 8
#define BRAID_INET_ULP_INFO_MPTCP 3

struct braid_mptcp_info {
  __u8 mptcpi_subflows;
  __u8 mptcpi_add_addr_signal;
  __u8 mptcpi_add_addr_accepted;
  __u8 mptcpi_subflows_max;
  __u8 mptcpi_add_addr_signal_max;
  __u8 mptcpi_add_addr_accepted_max;
  __u32 mptcpi_flags;
  __u32 mptcpi_token;
  __u64 mptcpi_write_seq;
  __u64 mptcpi_snd_una;
  __u64 mptcpi_rcv_nxt;
  __u8 mptcpi_local_addr_used;
  __u8 mptcpi_local_addr_max;
  __u8 mptcpi_csum_enabled;
  __u32 mptcpi_retransmits;
  __u64 mptcpi_bytes_retrans;
  __u64 mptcpi_bytes_sent;
  __u64 mptcpi_bytes_received;
  __u64 mptcpi_bytes_acked;
  __u8 mptcpi_subflows_total;
  __u8 reserved[3];
  __u32 mptcpi_last_data_sent;
  __u32 mptcpi_last_data_recv;
  __u32 mptcpi_last_ack_recv;
};

struct braid_mptcp_subflow_addrs {
  union {
    sa_family_t sa_family;
    struct sockaddr sa_local;
    struct sockaddr_in sin_local;
    struct sockaddr_in6 sin6_local;
    struct sockaddr_storage ss_local;
  };
  union {
    struct sockaddr sa_remote;
    struct sockaddr_in sin_remote;
    struct sockaddr_in6 sin6_remote;
    struct sockaddr_storage ss_remote;
  };
};

struct braid_mptcp_subflow_info {
  __u32 id;
  struct braid_mptcp_subflow_addrs addrs;
};

struct braid_mptcp_full_info {
  __u32 size_tcpinfo_kernel; /* set by kernel */
  __u32 size_tcpinfo_user;
  __u32 size_sfinfo_kernel; /* set by kernel */
  __u32 size_sfinfo_user;
  __u32 num_subflows; /* set by kernel: real subflow count */
  __u32 size_arrays_user;
  __aligned_u64 subflow_info;
  __aligned_u64 tcp_info;
  struct braid_mptcp_info mptcp_info;
};

#endif
