/* Argon2id password hashing, the password policy and random secrets. */
#include "auth/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/limits.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = -1;

static void do_init(void)
{
	init_rc = sodium_init() < 0 ? -1 : 0;
}

vg_err vg_auth_init(void)
{
	pthread_once(&init_once, do_init);
	return init_rc == 0 ? VG_OK : VG_ERR_INTERNAL;
}

/* VIGIE_TEST_FAST_HASH=1: library minimum cost, for unit tests only. */
static bool fast_hash(void)
{
	const char *v = getenv("VIGIE_TEST_FAST_HASH");
	return v && strcmp(v, "1") == 0;
}

static unsigned long long opslimit(void)
{
	return fast_hash() ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
}

static size_t memlimit(void)
{
	return fast_hash() ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

vg_err vg_password_hash(const char *password, char *out, size_t outsz, vg_diag *d)
{
	size_t n = strlen(password);
	if (vg_auth_init())
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "libsodium initialisation failed");
	if (outsz < crypto_pwhash_STRBYTES)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "password hash buffer too small");
	if (n > VG_PASSWORD_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "password", "password longer than %d bytes", VG_PASSWORD_MAX);
	if (crypto_pwhash_str_alg(out, password, n, opslimit(), memlimit(), crypto_pwhash_ALG_ARGON2ID13) != 0)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "password hashing ran out of memory");
	return VG_OK;
}

bool vg_password_verify(const char *hash, const char *password)
{
	size_t n = strlen(password);
	if (vg_auth_init() || n > VG_PASSWORD_MAX || !hash || strncmp(hash, "$argon2id$", 10) != 0)
		return false;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

bool vg_password_needs_rehash(const char *hash)
{
	if (vg_auth_init())
		return false;
	return crypto_pwhash_str_needs_rehash(hash, opslimit(), memlimit()) != 0;
}

void vg_password_dummy_verify(const char *password)
{
	/* a hash of a random password with the current parameters, made once per process */
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static char dummy[crypto_pwhash_STRBYTES];
	static unsigned long long dummy_ops;
	char buf[crypto_pwhash_STRBYTES];
	pthread_mutex_lock(&mu);
	if (!dummy[0] || dummy_ops != opslimit()) {
		char pw[VG_PASSWORD_GEN_LEN + 1];
		if (vg_password_generate(pw, sizeof pw) == VG_OK &&
		    vg_password_hash(pw, dummy, sizeof dummy, NULL) == VG_OK)
			dummy_ops = opslimit();
		else
			dummy[0] = '\0';
	}
	memcpy(buf, dummy, sizeof buf);
	pthread_mutex_unlock(&mu);
	if (buf[0])
		(void)vg_password_verify(buf, password);
}

vg_err vg_password_check_policy(const char *password, const char *username, vg_diag *d)
{
	size_t n;
	vg_err e;
	if (!password)
		return vg_diag_set(d, VG_ERR_INVALID, "password", "required");
	n = strlen(password);
	if (n < VG_PASSWORD_MIN)
		return vg_diag_set(d, VG_ERR_INVALID, "password", "must be at least %d characters", VG_PASSWORD_MIN);
	if (n > VG_PASSWORD_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "password", "must be at most %d bytes", VG_PASSWORD_MAX);
	e = vg_text_check(password, n, VG_PASSWORD_MIN, VG_PASSWORD_MAX, false, "password", d);
	if (e)
		return e;
	if (username && strcasecmp(password, username) == 0)
		return vg_diag_set(d, VG_ERR_INVALID, "password", "must not be the username");
	return VG_OK;
}

vg_err vg_password_generate(char *out, size_t outsz)
{
	/* no 0/O, 1/l/I: readable over the phone */
	static const char alphabet[] = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
	if (outsz < VG_PASSWORD_GEN_LEN + 1 || vg_auth_init())
		return VG_ERR_INTERNAL;
	for (int i = 0; i < VG_PASSWORD_GEN_LEN; i++)
		out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
	out[VG_PASSWORD_GEN_LEN] = '\0';
	return VG_OK;
}

vg_err vg_secret_random_b64url(size_t nbytes, char *out, size_t outsz)
{
	unsigned char raw[64];
	if (nbytes == 0 || nbytes > sizeof raw || outsz < VG_B64URL_LEN(nbytes) + 1 || vg_auth_init())
		return VG_ERR_INTERNAL;
	randombytes_buf(raw, nbytes);
	sodium_bin2base64(out, outsz, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return VG_OK;
}

void vg_secret_sha256(const char *secret, uint8_t out[VG_SHA256_SIZE])
{
	crypto_hash_sha256(out, (const unsigned char *)secret, strlen(secret));
}
