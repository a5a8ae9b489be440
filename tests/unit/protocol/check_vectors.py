#!/usr/bin/env python3
"""Independent check of tests/unit/protocol/vectors.json against docs/protocol.md.

Written from the protocol document alone with pyca/cryptography (OpenSSL underneath, but none of
our TypeScript), so a byte-layout mistake shared by the TypeScript code and the vectors it
generated shows up here. Usage: check_vectors.py [vectors.json]; prints "ok N checks" or fails.
"""
import hashlib
import json
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = dict(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)
checks = 0


def same(name, got, want):
    global checks
    checks += 1
    if got != want:
        raise SystemExit(f"MISMATCH {name}:\n  computed {got.hex() if isinstance(got, bytes) else got}\n  vectors  {want.hex() if isinstance(want, bytes) else want}")


def hkdf(ikm, salt, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def aead(cipher, key):
    return AESGCM(key) if cipher == "aes-256-gcm" else ChaCha20Poly1305(key)


def nonce(counter):
    return b"\0\0\0\0" + struct.pack(">Q", counter)


def seal_frame(cipher, key, counter, plaintext):
    header = struct.pack(">I", len(plaintext) + 16)
    return header + aead(cipher, key).encrypt(nonce(counter), plaintext, header)


def message(msg_type, payload):
    return struct.pack(">HB", 1 + len(payload), msg_type) + payload


def main(path):
    v = json.load(open(path))
    i = {k: (bytes.fromhex(x) if k != "welcome" else x) for k, x in v["inputs"].items()}
    device = Ed25519PrivateKey.from_private_bytes(i["deviceSecret"])
    server = Ed25519PrivateKey.from_private_bytes(i["serverSecret"])
    eph_c = X25519PrivateKey.from_private_bytes(i["clientEphemeralSecret"])
    eph_s = X25519PrivateKey.from_private_bytes(i["serverEphemeralSecret"])
    device_pub = device.public_key().public_bytes(**RAW)
    server_pub = server.public_key().public_bytes(**RAW)
    same("devicePublic", device_pub, i["devicePublic"])
    same("serverPublic", server_pub, i["serverPublic"])
    same("clientEphemeralPublic", eph_c.public_key().public_bytes(**RAW), i["clientEphemeralPublic"])
    same("serverEphemeralPublic", eph_s.public_key().public_bytes(**RAW), i["serverEphemeralPublic"])

    for h in v["handshakes"]:
        cipher_id = {"aes-256-gcm": 1, "chacha20-poly1305": 2}[h["cipher"]]
        # the server prefers AES-256-GCM among what the client offers
        same("server choice", cipher_id, 1 if h["offered"] & 1 else 2)
        h1 = message(1, b"BRAID" + bytes([1, h["offered"]]) + i["clientEphemeralPublic"])
        same("hello", h1, bytes.fromhex(h["hello"]))
        body = bytes([cipher_id]) + i["serverEphemeralPublic"] + server_pub
        h2 = struct.pack(">HB", 1 + len(body) + 64, 2) + body
        sig_s = server.sign(b"braid v1 server" + hashlib.sha256(h1 + h2).digest())
        same("serverHello", h2 + sig_s, bytes.fromhex(h["serverHello"]))
        transcript = hashlib.sha256(h1 + h2 + sig_s).digest()
        same("transcriptHash", transcript, bytes.fromhex(h["transcriptHash"]))
        shared = eph_c.exchange(X25519PublicKey.from_public_bytes(i["serverEphemeralPublic"]))
        same("shared (server view)", eph_s.exchange(X25519PublicKey.from_public_bytes(i["clientEphemeralPublic"])), shared)
        same("sharedSecret", shared, bytes.fromhex(h["sharedSecret"]))
        okm = hkdf(shared, transcript, b"braid v1 keys", 96)
        k_hs, k_c2s, k_s2c = okm[:32], okm[32:64], okm[64:]
        same("kHs", k_hs, bytes.fromhex(h["kHs"]))
        same("kC2s", k_c2s, bytes.fromhex(h["kC2s"]))
        same("kS2c", k_s2c, bytes.fromhex(h["kS2c"]))
        sig_c = device.sign(b"braid v1 client" + transcript)
        header = struct.pack(">HB", 1 + 96 + 16, 3)
        auth = header + aead(h["cipher"], k_hs).encrypt(nonce(0), device_pub + sig_c, header)
        same("clientAuth", auth, bytes.fromhex(h["clientAuth"]))
        welcome = seal_frame(h["cipher"], k_s2c, 0, b"\x02" + i["welcome"].encode())
        same("welcomeFrame", welcome, bytes.fromhex(h["welcomeFrame"]))

    for f in v["frames"]:
        frame = seal_frame(f["cipher"], bytes.fromhex(f["key"]), f["counter"], bytes.fromhex(f["plaintext"]))
        same(f"frame {f['cipher']} #{f['counter']}", frame, bytes.fromhex(f["frame"]))

    r = v["rekey"]
    nxt = hkdf(bytes.fromhex(r["key"]), b"", b"braid v1 rekey", 32)
    same("rekey next", nxt, bytes.fromhex(r["next"]))
    same("rekey nextNext", hkdf(nxt, b"", b"braid v1 rekey", 32), bytes.fromhex(r["nextNext"]))
    print(f"ok {checks} checks")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json"))
