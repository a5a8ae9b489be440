/* Frame sealing for the braid tunnel (docs/protocol.md, "Frames"): OpenSSL EVP AEAD with
 * nonce = 4 zero bytes | u64 BE counter, ad = the 4-byte BE length prefix, 16-byte tag,
 * and the HKDF-SHA256 rekey step. One braid_aead per direction keeps its EVP context so the
 * key schedule is computed once per key, not once per frame. */
#ifndef BRAID_CRYPTO_H
#define BRAID_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define BRAID_KEY_LEN 32
#define BRAID_TAG_LEN 16
#define BRAID_LEN_PREFIX 4
#define BRAID_FRAME_MIN 17     /* sealed part: 1 type byte + tag */
#define BRAID_FRAME_MAX 70016  /* sealed part upper bound */
#define BRAID_PLAINTEXT_MAX (BRAID_FRAME_MAX - BRAID_TAG_LEN)

typedef enum { BRAID_AES_256_GCM = 1, BRAID_CHACHA20_POLY1305 = 2 } braid_cipher;

typedef struct braid_aead {
  void *ctx; /* EVP_CIPHER_CTX*, opaque here so OpenSSL headers stay in crypto.c */
  braid_cipher cipher;
  int encrypt;
  uint8_t key[BRAID_KEY_LEN];
  uint64_t counter;
} braid_aead;

/* Parses "aes-256-gcm" / "chacha20-poly1305"; returns 0 when unknown. */
braid_cipher braid_cipher_from_name(const char *name);

/* 0 on success, -1 on OpenSSL failure. */
int braid_aead_init(braid_aead *a, braid_cipher cipher, const uint8_t key[BRAID_KEY_LEN],
                    uint64_t counter, int encrypt);
void braid_aead_free(braid_aead *a);

/* frame points at 4 + pt_len + 16 bytes; the plaintext is at frame+4. Writes the length
 * prefix, encrypts in place, appends the tag and advances the counter. 0 / -1. */
int braid_aead_seal(braid_aead *a, uint8_t *frame, size_t pt_len);

/* frame = the 4-byte prefix followed by L sealed bytes (L taken from the prefix, already
 * range-checked by the caller). Decrypts in place into frame+4 (L-16 bytes) and advances the
 * counter on success. 0 on success, -1 on authentication failure. */
int braid_aead_open(braid_aead *a, uint8_t *frame, size_t sealed_len);

/* Switches to nextKey(key), counter 0, wiping the old key. 0 / -1. */
int braid_aead_rekey(braid_aead *a);

/* next = HKDF-SHA256(ikm = key, salt = "", info = "braid v1 rekey", L = 32). 0 / -1. */
int braid_next_key(const uint8_t key[BRAID_KEY_LEN], uint8_t out[BRAID_KEY_LEN]);

void braid_wipe(void *p, size_t n);

#endif
