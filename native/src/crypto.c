/* AEAD frame sealing and the rekey KDF, all through OpenSSL libcrypto (no home-made crypto). */
#include "crypto.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

braid_cipher braid_cipher_from_name(const char *name) {
  if (strcmp(name, "aes-256-gcm") == 0) return BRAID_AES_256_GCM;
  if (strcmp(name, "chacha20-poly1305") == 0) return BRAID_CHACHA20_POLY1305;
  return 0;
}

void braid_wipe(void *p, size_t n) { OPENSSL_cleanse(p, n); }

static const EVP_CIPHER *evp_cipher(braid_cipher c) {
  return c == BRAID_AES_256_GCM ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
}

static void make_nonce(uint8_t nonce[12], uint64_t counter) {
  memset(nonce, 0, 4);
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(counter >> (56 - 8 * i));
}

int braid_aead_init(braid_aead *a, braid_cipher cipher, const uint8_t key[BRAID_KEY_LEN],
                    uint64_t counter, int encrypt) {
  memset(a, 0, sizeof(*a));
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return -1;
  /* Key set once here; per frame only the IV changes, which keeps the expanded key. */
  if (EVP_CipherInit_ex(ctx, evp_cipher(cipher), NULL, key, NULL, encrypt ? 1 : 0) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return -1;
  }
  a->ctx = ctx;
  a->cipher = cipher;
  a->encrypt = encrypt ? 1 : 0;
  memcpy(a->key, key, BRAID_KEY_LEN);
  a->counter = counter;
  return 0;
}

void braid_aead_free(braid_aead *a) {
  if (a->ctx) EVP_CIPHER_CTX_free((EVP_CIPHER_CTX *)a->ctx);
  braid_wipe(a, sizeof(*a));
}

int braid_aead_seal(braid_aead *a, uint8_t *frame, size_t pt_len) {
  EVP_CIPHER_CTX *ctx = (EVP_CIPHER_CTX *)a->ctx;
  uint32_t sealed = (uint32_t)(pt_len + BRAID_TAG_LEN);
  frame[0] = (uint8_t)(sealed >> 24);
  frame[1] = (uint8_t)(sealed >> 16);
  frame[2] = (uint8_t)(sealed >> 8);
  frame[3] = (uint8_t)sealed;
  uint8_t nonce[12];
  make_nonce(nonce, a->counter);
  int outl = 0, fin = 0;
  uint8_t *pt = frame + BRAID_LEN_PREFIX;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) != 1) return -1;
  if (EVP_CipherUpdate(ctx, NULL, &outl, frame, BRAID_LEN_PREFIX) != 1) return -1;
  if (pt_len && EVP_CipherUpdate(ctx, pt, &outl, pt, (int)pt_len) != 1) return -1;
  if (EVP_CipherFinal_ex(ctx, pt + pt_len, &fin) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, BRAID_TAG_LEN, pt + pt_len) != 1) return -1;
  a->counter++;
  return 0;
}

int braid_aead_open(braid_aead *a, uint8_t *frame, size_t sealed_len) {
  EVP_CIPHER_CTX *ctx = (EVP_CIPHER_CTX *)a->ctx;
  if (sealed_len < BRAID_TAG_LEN) return -1;
  size_t ct_len = sealed_len - BRAID_TAG_LEN;
  uint8_t *ct = frame + BRAID_LEN_PREFIX;
  uint8_t nonce[12];
  make_nonce(nonce, a->counter);
  int outl = 0, fin = 0;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) != 1) return -1;
  if (EVP_CipherUpdate(ctx, NULL, &outl, frame, BRAID_LEN_PREFIX) != 1) return -1;
  if (ct_len && EVP_CipherUpdate(ctx, ct, &outl, ct, (int)ct_len) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, BRAID_TAG_LEN, ct + ct_len) != 1) return -1;
  if (EVP_CipherFinal_ex(ctx, ct + ct_len, &fin) != 1) {
    /* Do not leave unauthenticated plaintext behind. */
    braid_wipe(ct, ct_len);
    return -1;
  }
  a->counter++;
  return 0;
}

int braid_next_key(const uint8_t key[BRAID_KEY_LEN], uint8_t out[BRAID_KEY_LEN]) {
  static const char info[] = "braid v1 rekey";
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  if (!kdf) return -1;
  EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!kctx) return -1;
  /* An absent salt is HashLen zero bytes (RFC 5869), identical to an empty salt. */
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, BRAID_KEY_LEN),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, sizeof(info) - 1),
      OSSL_PARAM_construct_end(),
  };
  int ok = EVP_KDF_derive(kctx, out, BRAID_KEY_LEN, params) == 1;
  EVP_KDF_CTX_free(kctx);
  return ok ? 0 : -1;
}

int braid_aead_rekey(braid_aead *a) {
  uint8_t next[BRAID_KEY_LEN];
  if (braid_next_key(a->key, next) != 0) return -1;
  EVP_CIPHER_CTX *ctx = (EVP_CIPHER_CTX *)a->ctx;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, next, NULL, a->encrypt) != 1) {
    braid_wipe(next, sizeof(next));
    return -1;
  }
  memcpy(a->key, next, BRAID_KEY_LEN);
  braid_wipe(next, sizeof(next));
  a->counter = 0;
  return 0;
}
