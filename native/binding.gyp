{
  # Built by the root package.json "install" script: node-gyp rebuild --directory=native
  # -> native/build/Release/braid_native.node. Headers come from the local Node (nodedir).
  "targets": [
    {
      "target_name": "braid_native",
      "sources": [
        "src/addon.c",
        "src/crypto.c",
        "src/tun.c",
        "src/mptcp.c",
        "src/peercred.c",
        "src/pump.c",
        "src/netlink.c",
        "src/codel.c",
        "src/addon_netlink.c",
        "src/addon_sockopt.c"
      ],
      "include_dirs": ["include"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"],
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-pthread", "-fvisibility=hidden"],
      "cflags_c": ["-std=c11"],
      "ldflags": ["-pthread"],
      "libraries": ["-lcrypto", "-lpthread", "-lm"]
    }
  ]
}
