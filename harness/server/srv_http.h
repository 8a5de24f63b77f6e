/*
 * srv_http.h: the test server's HTTP/1.1 pieces that do no I/O: parsing one
 * request, formatting a response head, and the response body (a shared
 * read-only pattern plus a cached checksum). server.c does the I/O.
 *
 * Everything here is thread-safe: the parser and formatters touch only
 * their arguments, the body pattern is built once (pthread_once) and then
 * only read, and the checksum cache is per thread.
 */
#ifndef CB_SRV_HTTP_H
#define CB_SRV_HTTP_H

#include "body.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request we accept: head plus any Content-Length body. A longer
 * one is answered 400. */
#define SRV_HEAD_MAX 16384
/* Largest body a URL (bytes=, reset=) or --body may ask for: 4 GiB. Its
 * checksum alone costs about 6 s of one core (FNV-1a cannot skip ahead);
 * the event model computes it in slices, so it slows that request only. */
#define SRV_BODY_MAX (1ULL << 32)
/* Longest latency a URL may ask for (ms=, /delay/): one day. */
#define SRV_LATENCY_MAX_NS (86400ULL * 1000000000ULL)
/* Largest piece srv_body_chunk() hands out. */
#define SRV_CHUNK 65536
/* Room for any head srv_http_head() or srv_http_error() writes. */
#define SRV_RESP_HEAD_MAX 256

/* What one request asks for. */
struct srv_req {
    uint64_t latency_ns;  /* wait this long before answering */
    uint64_t body_bytes;  /* Content-Length of the response */
    uint64_t reset_after; /* send this many body bytes, then reset;
                             UINT64_MAX: no reset */
    int status;           /* response status */
    int error;            /* 0, or 400/405: answer srv_http_error(), close */
    bool head_only;       /* HEAD: no body on the wire */
    bool keep_alive;      /* the client allows another request after this */
};

/*
 * Parse one request from buf[0..len). Returns 0 when the request is not
 * complete yet (read more and call again with everything), otherwise the
 * number of bytes it took (head plus any Content-Length body), with *r
 * filled. r->error != 0 means the request was malformed: answer with
 * srv_http_error() and close; this is also what a request that has not
 * ended within SRV_HEAD_MAX bytes gets (the return value is then len).
 * def_latency_ns and def_bytes apply when the target does not say.
 *
 * Targets: "/delay/<ms>" and the query parameters ms=<ms> (may have a
 * fraction: 0.5), bytes=<n>, status=<200..599>, reset=<n>. Any other path
 * or parameter is ignored; a bad number is an error.
 */
size_t srv_http_parse(const char *buf, size_t len, uint64_t def_latency_ns, uint64_t def_bytes,
                      struct srv_req *r);

/* Write the response head for r (status line, Content-Length, Content-Type,
 * X-Checksum of a body of r->body_bytes, Connection) into out, which holds
 * SRV_RESP_HEAD_MAX bytes. Returns its length. Computes the checksum
 * (srv_body_checksum: as slow as the body is long, unless cached). */
size_t srv_http_head(char *out, const struct srv_req *r, bool keep_alive);

/* The same with the body's checksum given: sum = cb_body_checksum(
 * r->body_bytes), which the caller computed (srv_sum_step) or looked up. */
size_t srv_http_head_sum(char *out, const struct srv_req *r, bool keep_alive, uint64_t sum);

/* Write a complete error response (head and a short text body, with
 * Connection: close) for status into out (SRV_RESP_HEAD_MAX bytes).
 * Returns its length. */
size_t srv_http_error(char *out, int status);

/* "OK", "Not Found"...; a generic phrase for codes it does not know. */
const char *srv_http_reason(int status);

/*
 * Build the body pattern. 0, or -EINVAL if body.h's cb_body_byte() no
 * longer has the period this file relies on (then no body can be served
 * fast; the server refuses to start rather than serve wrong bytes).
 * Idempotent and thread-safe; the functions below call it too.
 */
int srv_body_init(void);

/* Bytes [off, off + *n) of every body, with *n clipped to SRV_CHUNK. The
 * pointer is into shared read-only memory: never write through it. */
const unsigned char *srv_body_chunk(uint64_t off, size_t *n);

/* cb_body_checksum(len), computed fast and cached per thread (benchmarks
 * ask for the same length over and over). */
uint64_t srv_body_checksum(uint64_t len);

/* The cache alone: true with *sum when this thread knows the checksum of a
 * body of len bytes (always for len <= SRV_SUM_INLINE, which costs less to
 * compute than to look up); srv_body_checksum_put() adds one. */
#define SRV_SUM_INLINE 65536
bool srv_body_checksum_get(uint64_t len, uint64_t *sum);
void srv_body_checksum_put(uint64_t len, uint64_t sum);

/* A checksum computed a slice at a time, so that one big body does not
 * hold up a loop that serves others. */
struct srv_sum {
    uint64_t len, off, h;
};

static inline void srv_sum_init(struct srv_sum *s, uint64_t len)
{
    *s = (struct srv_sum){.len = len, .off = 0, .h = CB_FNV_OFFSET};
}

/* Advance s by at most max_bytes. true when done: s->h is the checksum. */
bool srv_sum_step(struct srv_sum *s, uint64_t max_bytes);

#endif
