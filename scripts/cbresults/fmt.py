"""How figures are written: with the digits their size needs, never "0%"."""


def secs(v):
    """Seconds, with as many digits as the size needs."""
    if v is None:
        return ""
    if v >= 100:
        return "%.1f" % v
    if v >= 0.1:
        return "%.3f" % v
    return "%.3g" % v


def nbytes(v):
    """Bytes in B, KiB, MiB, GiB (binary prefixes, said so)."""
    if v is None:
        return ""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(v) >= size:
            return "%.3g %s" % (v / size, unit)
    return "%.0f B" % v


def kib(v):
    return nbytes(v * 1024) if v is not None else ""


def count(n):
    """1 000 000: thin spaces of the README's tables."""
    return "{:,}".format(int(n)).replace(",", " ") if n is not None else ""


def pct(x):
    """A fraction as a percentage with two significant digits at least:
    0.0014 -> "0.14%", 0.25 -> "25%", 1e-6 -> "0.0001%"; exactly 0 -> "0%"."""
    p = abs(100.0 * x)
    if p == 0:
        return "0%"
    if p >= 10:
        return "%.0f%%" % p
    return "%s%%" % ("%.2g" % p if p >= 1e-4 else "%.1e" % p)


def above(v, ref):
    """How v compares with ref: "0.14% above", "2.3% below", "equal"."""
    if ref is None or v is None or ref == 0:
        return ""
    d = v / ref - 1
    if d == 0:
        return "equal"
    return "%s %s" % (pct(d), "above" if d > 0 else "below")


def note(text, limit=110):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(out)
