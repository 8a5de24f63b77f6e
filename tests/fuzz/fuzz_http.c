/*
 * fuzz_http.c: libFuzzer target for the test server's request parser
 * (harness/server/srv_http.c), built with clang -fsanitize=fuzzer,address,
 * undefined (make fuzz, make test-fuzz). Besides "no crash, no sanitizer
 * report", it checks what srv_http_parse() promises (srv_http.h):
 *   - it never takes more than it was given, and answers 0 only for an
 *     incomplete request that still fits in SRV_HEAD_MAX;
 *   - a request it accepts is within the documented bounds (status 200..599,
 *     body <= SRV_BODY_MAX, latency <= SRV_LATENCY_MAX_NS), and an error is
 *     400 or 405 with keep-alive off;
 *   - the answer depends only on the bytes it took: parsing exactly those
 *     bytes gives the same request (what the server relies on when it keeps
 *     a pipelined rest for later), and every shorter prefix of an accepted
 *     request is incomplete or an error, never a different request;
 *   - the heads it leads to fit in SRV_RESP_HEAD_MAX.
 */
#include "srv_http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEF_LATENCY 1000000000ULL
#define DEF_BYTES   64

static void check(int ok)
{
    if (!ok)
        abort(); /* libFuzzer saves the input */
}

static int same_req(const struct srv_req *a, const struct srv_req *b)
{
    return a->latency_ns == b->latency_ns && a->body_bytes == b->body_bytes &&
           a->reset_after == b->reset_after && a->status == b->status && a->error == b->error &&
           a->head_only == b->head_only && a->keep_alive == b->keep_alive;
}

static void check_req(const struct srv_req *r)
{
    if (r->error) {
        check(r->error == 400 || r->error == 405);
        check(!r->keep_alive);
        return;
    }
    check(r->status >= 200 && r->status <= 599);
    check(r->body_bytes <= SRV_BODY_MAX);
    check(r->reset_after == UINT64_MAX || r->reset_after <= SRV_BODY_MAX);
    check(r->latency_ns <= SRV_LATENCY_MAX_NS);
}

/* The response heads for r: no overflow, and they fit. The checksum is
 * given, not computed: a body of 4 GiB would take seconds. */
static void check_heads(const struct srv_req *r)
{
    char out[SRV_RESP_HEAD_MAX];
    size_t n = r->error ? srv_http_error(out, r->error)
                        : srv_http_head_sum(out, r, r->keep_alive, 0x0123456789abcdefULL);
    check(n > 0 && n < SRV_RESP_HEAD_MAX);
    check(memcmp(out, "HTTP/1.1 ", 9) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes on the heap: ASan sees any read past
     * the end (the parser must not expect a terminating NUL). */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct srv_req r, again;
    size_t took = srv_http_parse(buf, size, DEF_LATENCY, DEF_BYTES, &r);
    check(took <= size);
    if (took == 0) {
        check(size < SRV_HEAD_MAX);
        free(buf);
        return 0;
    }
    check_req(&r);
    check_heads(&r);
    if (!r.error) {
        /* The same bytes alone give the same request... */
        check(srv_http_parse(buf, took, DEF_LATENCY, DEF_BYTES, &again) == took);
        check(same_req(&r, &again));
        /* ...and a shorter prefix is never a complete request. A few
         * prefixes, not all: the parse of each is linear. */
        for (size_t cut = took / 2; cut < took; cut += (took - cut + 1) / 2) {
            size_t t = srv_http_parse(buf, cut, DEF_LATENCY, DEF_BYTES, &again);
            check(t == 0 || again.error);
        }
        /* What follows is parsed on its own (pipelining) without trouble. */
        if (took < size) {
            size_t t2 = srv_http_parse(buf + took, size - took, DEF_LATENCY, DEF_BYTES, &again);
            check(t2 <= size - took);
        }
    }
    free(buf);
    return 0;
}
