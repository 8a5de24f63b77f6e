/* probe.c: the harness's own GET. See probe.h. */
#include "probe.h"
#include "body.h"
#include "strategy.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sink {
    uint64_t bytes, fnv;
    EVP_MD_CTX *sha;
};

static size_t body_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t len = size * nmemb;
    s->fnv = cb_fnv1a(s->fnv, data, len);
    s->bytes += len;
    EVP_DigestUpdate(s->sha, data, len);
    return len;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = '\0';
}

int cb_probe(const char *url, uint64_t timeout_ns, struct cb_probe *p)
{
    static int curl_ready;
    memset(p, 0, sizeof *p);
    /* The harness is single-threaded: libcurl's global set-up is safe here,
     * once, before the first probe. */
    if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        curl_ready = 1;
    struct sink s = {.fnv = CB_FNV_OFFSET, .sha = EVP_MD_CTX_new()};
    CURL *e = curl_easy_init();
    if (!e || !s.sha || !EVP_DigestInit_ex(s.sha, EVP_sha256(), NULL)) {
        snprintf(p->error, sizeof p->error, "out of memory");
        EVP_MD_CTX_free(s.sha);
        curl_easy_cleanup(e);
        return -ENOMEM;
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout_ns ? timeout_ns / 1000000 : 30000));
    uint64_t t0 = cb_now_ns();
    CURLcode rc = curl_easy_perform(e);
    p->latency_ns = cb_now_ns() - t0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &p->status);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_DigestFinal_ex(s.sha, md, &mdlen);
    hex(md, mdlen, p->sha256);
    p->bytes = s.bytes;
    p->fnv = s.fnv;
    if (rc != CURLE_OK)
        snprintf(p->error, sizeof p->error, "%s", curl_easy_strerror(rc));
    EVP_MD_CTX_free(s.sha);
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? 0 : -EIO;
}

int cb_probe_expect(const struct cb_probe *p, uint64_t expect_bytes, const char *expect_sha256,
                    uint64_t *checksum, const char **label, char *why, size_t len)
{
    if (p->status != 200) {
        snprintf(why, len, "the probe GET answered status %ld, not 200", p->status);
        return -EINVAL;
    }
    if (expect_bytes && p->bytes != expect_bytes) {
        snprintf(why, len, "the body is %llu bytes, not %llu (--expect-bytes)",
                 (unsigned long long)p->bytes, (unsigned long long)expect_bytes);
        return -EINVAL;
    }
    if (expect_sha256 && strcasecmp(expect_sha256, p->sha256) != 0) {
        snprintf(why, len, "the body's SHA-256 is %s, not %.64s (--expect-sha256)", p->sha256,
                 expect_sha256);
        return -EINVAL;
    }
    *checksum = p->fnv;
    *label = expect_bytes && expect_sha256 ? "bytes+sha256" : expect_sha256 ? "sha256" : "bytes";
    return 0;
}
