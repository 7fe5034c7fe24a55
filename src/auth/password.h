/* Passwords and secrets: Argon2id hashing (libsodium crypto_pwhash_str_alg),
 * the password policy, generated passwords, random URL-safe secrets and
 * SHA-256 of secrets (what sessions and API tokens store).
 *
 * Test-only: VIGIE_TEST_FAST_HASH=1 in the environment lowers the Argon2id
 * cost to the library minimum (OPSLIMIT_MIN/MEMLIMIT_MIN) so unit tests run
 * fast. Never set it on a server; hashes made with it are flagged by
 * vg_password_needs_rehash once the variable is gone. */
#ifndef VG_AUTH_PASSWORD_H
#define VG_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Room for an encoded Argon2id hash (crypto_pwhash_STRBYTES). */
#define VG_PASSWORD_HASH_SIZE 128
/* Length of generated passwords (vg_password_generate), without the NUL. */
#define VG_PASSWORD_GEN_LEN 20
/* base64url (no padding) of n bytes is this many characters. */
#define VG_B64URL_LEN(n) ((((n) * 4) + 2) / 3)
#define VG_SHA256_SIZE 32

/* Initialise libsodium (idempotent, thread-safe). VG_ERR_INTERNAL if it cannot. */
vg_err vg_auth_init(void);

/* Hash a password (Argon2id). out must hold VG_PASSWORD_HASH_SIZE bytes. */
vg_err vg_password_hash(const char *password, char *out, size_t outsz, vg_diag *d);
/* True when password matches the encoded hash. Constant-time in the password. */
bool vg_password_verify(const char *hash, const char *password);
/* True when the hash was made with other parameters than the current ones. */
bool vg_password_needs_rehash(const char *hash);
/* Burn the same time as a verification (for unknown users: no timing oracle). */
void vg_password_dummy_verify(const char *password);
/* Policy: VG_PASSWORD_MIN..VG_PASSWORD_MAX bytes, valid UTF-8 without control
 * characters, not equal (case-insensitively) to the username. field "password". */
vg_err vg_password_check_policy(const char *password, const char *username, vg_diag *d);
/* VG_PASSWORD_GEN_LEN characters from an unambiguous alphabet (no 0/O, 1/l/I). */
vg_err vg_password_generate(char *out, size_t outsz);

/* nbytes random bytes as base64url without padding; out holds VG_B64URL_LEN(nbytes)+1. */
vg_err vg_secret_random_b64url(size_t nbytes, char *out, size_t outsz);
/* SHA-256 of a NUL-terminated secret. */
void vg_secret_sha256(const char *secret, uint8_t out[VG_SHA256_SIZE]);

#endif
