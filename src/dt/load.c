/* SPDX-License-Identifier: MIT
 *
 * load.c - read a device-tree file: sniff DTB or DTS, and compile a DTS with
 * the dtc program found at configure time (RVIOMMU_DTC_PATH).
 *
 * dtc runs through posix_spawn() with an argument vector (no shell), stdin
 * from /dev/null, its DTB written to a mkstemp() file and its stdout/stderr
 * to a second mkstemp() file whose text goes into the error message when
 * dtc fails.  Both files are unlinked before returning.
 *
 * Implements the FDT header magic of the Devicetree Specification v0.4
 * §5.2 (0xd00dfeed, big-endian).  No state.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt/dt_internal.h"

#ifndef RVIOMMU_DTC_PATH
#define RVIOMMU_DTC_PATH ""
#endif

#define MAX_FILE (64u << 20) /* refuse device trees above 64 MiB */

extern char **environ;

const char *rvdt_dtc_path_(void)
{
	return RVIOMMU_DTC_PATH;
}

/* Read a whole file; *buf gets a NUL after the data. */
static int read_file_(const char *path, char **buf, size_t *size, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, got;
	char *b, *nb;

	*buf = NULL;
	*size = 0;
	if (!f)
		return rvdt_errf_(err, errlen, RVDT_ERR_IO, "%s: cannot open: %s", path,
		                  strerror(errno));
	b = malloc(cap + 1);
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			if (cap >= MAX_FILE) {
				free(b);
				fclose(f);
				return rvdt_errf_(err, errlen, RVDT_ERR_IO,
				                  "%s: larger than %u bytes", path, MAX_FILE);
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (!b) {
		fclose(f);
		return rvdt_errf_(err, errlen, RVDT_ERR_NOMEM, "%s: out of memory", path);
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return rvdt_errf_(err, errlen, RVDT_ERR_IO, "%s: read error", path);
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*size = n;
	return 0;
}

static int make_temp_(char *name, size_t len)
{
	const char *dir = getenv("TMPDIR");

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(name, len, "%s/rvdt-XXXXXX", dir) >= len)
		return -1;
	return mkstemp(name);
}

/* Copy up to errlen bytes of the dtc output file into the message. */
static void append_output_(int fd, char *err, size_t errlen)
{
	size_t used = err ? strlen(err) : 0;
	ssize_t n;

	if (!err || used + 1 >= errlen || lseek(fd, 0, SEEK_SET) < 0)
		return;
	n = read(fd, err + used, errlen - used - 1);
	if (n <= 0)
		return;
	used += (size_t)n;
	err[used] = '\0';
	while (used && err[used - 1] == '\n')
		err[--used] = '\0';
}

int rvdt_dtc_compile(const char *path, void **blob, size_t *size, char *err, size_t errlen)
{
	const char *dtc = rvdt_dtc_path_();
	char out[4096], log[4096];
	int outfd = -1, logfd = -1, ret, status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char *data;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !blob || !size)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADPARAM,
		                  "rvdt_dtc_compile: NULL argument");
	*blob = NULL;
	*size = 0;
	if (!*dtc)
		return rvdt_errf_(err, errlen, RVDT_ERR_NODTC,
		                  "%s: is a DTS, but dtc was not found when "
		                  "rviommu was configured; compile it to a "
		                  "DTB first",
		                  path);
	outfd = make_temp_(out, sizeof(out));
	logfd = make_temp_(log, sizeof(log));
	if (outfd < 0 || logfd < 0) {
		ret = rvdt_errf_(err, errlen, RVDT_ERR_IO, "%s: cannot create a temporary file: %s",
		                 path, strerror(errno));
		goto out;
	}
	{
		char *const argv[] = {(char *)dtc, "-I", "dts",        "-O", "dtb",
		                      "-o",        out,  (char *)path, NULL};

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, logfd, 1);
		posix_spawn_file_actions_adddup2(&fa, logfd, 2);
		ret = posix_spawn(&pid, dtc, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (ret) {
		ret = rvdt_errf_(err, errlen, RVDT_ERR_DTC, "%s: cannot run %s: %s", path, dtc,
		                 strerror(ret));
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = rvdt_errf_(err, errlen, RVDT_ERR_DTC, "%s: waiting for dtc: %s", path,
			                 strerror(errno));
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ret = rvdt_errf_(err, errlen, RVDT_ERR_DTC, "%s: dtc failed (status %d): ", path,
		                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		append_output_(logfd, err, errlen);
		goto out;
	}
	ret = read_file_(out, &data, size, err, errlen);
	if (!ret)
		*blob = data;
out:
	if (outfd >= 0) {
		close(outfd);
		unlink(out);
	}
	if (logfd >= 0) {
		close(logfd);
		unlink(log);
	}
	return ret;
}

static bool is_dtb_(const char *b, size_t n)
{
	return n >= 4 && (uint8_t)b[0] == 0xd0 && (uint8_t)b[1] == 0x0d && (uint8_t)b[2] == 0xfe &&
	       (uint8_t)b[3] == 0xed;
}

static bool is_dts_(const char *b, size_t n)
{
	/* the version tag must come before any node; look in the head */
	const char *tag = "/dts-v1/";
	size_t lim = n < 65536 ? n : 65536, tl = strlen(tag);

	for (size_t i = 0; i + tl <= lim; i++)
		if (!memcmp(b + i, tag, tl))
			return true;
	return false;
}

int rvdt_load_file(const char *path, struct rvdt_platform **out, char *err, size_t errlen)
{
	size_t size, dsize;
	void *dtb;
	char *buf;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !out)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADPARAM, "rvdt_load_file: NULL argument");
	*out = NULL;
	ret = read_file_(path, &buf, &size, err, errlen);
	if (ret)
		return ret;
	if (size == 0) {
		free(buf);
		return rvdt_errf_(err, errlen, RVDT_ERR_BADDTB, "%s: file is empty", path);
	}
	if (is_dtb_(buf, size)) {
		ret = rvdt_load_dtb(buf, size, out, err, errlen);
	} else if (is_dts_(buf, size)) {
		ret = rvdt_dtc_compile(path, &dtb, &dsize, err, errlen);
		if (!ret) {
			ret = rvdt_load_dtb(dtb, dsize, out, err, errlen);
			free(dtb);
		}
	} else {
		free(buf);
		return rvdt_errf_(err, errlen, RVDT_ERR_BADDTB,
		                  "%s: neither a DTB (magic d00dfeed) nor a "
		                  "DTS (/dts-v1/)",
		                  path);
	}
	free(buf);
	if (ret == -RVDT_ERR_BADDTB && err && errlen) {
		/* name the file: the blob checks do not know it */
		char *msg = strdup(err);

		if (msg) {
			snprintf(err, errlen, "%s: %s", path, msg);
			free(msg);
		}
	}
	return ret;
}
