"""The strategy list: names in registry order, language, kind, workloads,
availability, version and colour, from `concbench list --tsv`, the one list.

Where it comes from, first found:
  1. CB_LIST_TSV=path (tests point it at a fixture)
  2. DIR/strategies.tsv, the list as it was when the bench ran (bench.sh
     writes it)
  3. `$CB_BIN list --tsv` (CB_BIN defaults to build/concbench)
A strategy in the data that the list does not name goes last, in black.
"""
import os
import subprocess

FIELDS = ("name", "language", "kind", "workloads", "available", "version", "color", "summary")
UNKNOWN = "#000000"
# Point shapes of gnuplot's pngcairo/svg terminals, handed out in list order.
SHAPES = (4, 7, 5, 9, 13, 11, 6, 8, 10, 12, 14, 1, 2, 3)


class Strategy:
    def __init__(self, fields, index):
        for k, v in zip(FIELDS, fields + [""] * len(FIELDS)):
            setattr(self, k, v.strip())
        self.index = index
        if not self.color.startswith("#"):
            self.color = UNKNOWN
        self.shape = SHAPES[index % len(SHAPES)]

    def does(self, wl):
        return wl in self.workloads.split(",")


def parse(text):
    """[Strategy] of `concbench list --tsv` output (a header line, then rows)."""
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines or lines[0].split("\t")[0] != "name":
        return []
    return [Strategy(l.split("\t"), i) for i, l in enumerate(lines[1:])]


def sources(folder=None):
    """(text, where) of each place the list may come from, in order."""
    path = os.environ.get("CB_LIST_TSV")
    if path:
        with open(path) as f:
            yield f.read(), path
    saved = os.path.join(folder, "strategies.tsv") if folder else None
    if saved and os.path.exists(saved):
        with open(saved) as f:
            yield f.read(), saved
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cb = os.environ.get("CB_BIN") or os.path.join(here, "build", "concbench")
    try:
        out = subprocess.run([cb, "list", "--tsv"], capture_output=True, text=True, timeout=60)
        yield out.stdout, "%s list --tsv" % cb
    except OSError:
        yield "", cb


class Strategies:
    """The list, with a rank and a colour for any name (unknown: last, black)."""

    def __init__(self, folder=None, text=None):
        self.list, self.source = parse(text or ""), "given text"
        for text, where in (sources(folder) if text is None else ()):
            self.list, self.source = parse(text), where
            if self.list:
                break
        self.by_name = {s.name: s for s in self.list}

    def known(self):
        return bool(self.list)

    def get(self, name):
        s = self.by_name.get(name)
        if s is None:
            s = Strategy([name, "", "", "", "", "", UNKNOWN, ""], len(self.list) + len(self.by_name))
            self.by_name[name] = s
        return s

    def rank(self, name):
        s = self.by_name.get(name)
        return (0, s.index, name) if s is not None and s in self.list else (1, 0, name)

    def order(self, names):
        return sorted(set(names), key=self.rank)

    def language(self, name):
        return self.get(name).language or "?"
