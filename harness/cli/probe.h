/*
 * probe.h: one GET of a URL by the harness itself, before a sweep: how
 * long the server takes (for budgets and timeouts against a server whose
 * latency we do not set), and what its body is (so every task's body can
 * be checked against an expectation the user gives: a size or a SHA-256).
 */
#ifndef CB_PROBE_H
#define CB_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct cb_probe {
    uint64_t latency_ns; /* the GET, connect to last byte */
    long status;         /* HTTP status */
    uint64_t bytes;      /* body length */
    uint64_t fnv;        /* FNV-1a 64 of the body (strategies/body.h) */
    char sha256[65];     /* lowercase hex */
    char error[256];     /* libcurl's words when the GET failed */
};

/* GET url once (timeout_ns: 0 for 30 s). 0, or -EIO with p->error set. */
int cb_probe(const char *url, uint64_t timeout_ns, struct cb_probe *p);

/*
 * What every task's body must be, from a probe and the user's
 * expectations (expect_bytes: 0 for none; expect_sha256: NULL for none):
 * the probe's body must meet them, and then every body must be that body
 * (its FNV-1a). 0 with *checksum and *label ("bytes", "sha256",
 * "bytes+sha256") set, or -EINVAL with why in words ("the body is 1024
 * bytes, not 1000").
 */
int cb_probe_expect(const struct cb_probe *p, uint64_t expect_bytes, const char *expect_sha256,
                    uint64_t *checksum, const char **label, char *why, size_t len);

#endif
