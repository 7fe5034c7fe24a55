/* Content-addressed files under the data directory: <dir>/<sub>/ab/cd/<sha256>.
 * Written to a temporary name, fsync'd, renamed; an existing file with the
 * same hash is the same content and is kept. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/intake.h"

static int mkdir_p(const char *path)
{
	char tmp[VG_CONFIG_PATH_MAX + 128];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(tmp, 0750) && errno != EEXIST)
		return -1;
	return 0;
}

vg_err vg_blob_store(const char *data_dir, const char *sub, const void *data, size_t len, char hex[65], vg_diag *d)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char dir[VG_CONFIG_PATH_MAX + 128], path[VG_CONFIG_PATH_MAX + 256], tmp[VG_CONFIG_PATH_MAX + 300];
	struct stat sb;
	int fd = -1;
	const char *p = data;
	size_t left = len;

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, 65, h, sizeof h);
	snprintf(dir, sizeof dir, "%s/%s/%.2s/%.2s", data_dir, sub, hex, hex + 2);
	snprintf(path, sizeof path, "%s/%s", dir, hex);
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
		return VG_OK;
	if (mkdir_p(dir))
		return vg_diag_set(d, VG_ERR_IO, "data_dir", "cannot create %s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return vg_diag_set(d, VG_ERR_IO, "data_dir", "cannot write %s: %s", tmp, strerror(errno));
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd))
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return VG_OK;
fail: {
	int err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return vg_diag_set(d, VG_ERR_IO, "data_dir", "cannot store %s: %s", path, strerror(err));
}
}
