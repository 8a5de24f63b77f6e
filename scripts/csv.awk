# csv.awk: one CSV parser for the awk passes of scripts/*.sh.
# csvsplit(line, f) splits one CSV line into f[1..n] and returns n. Fields
# may be quoted; "" inside quotes is a quote. Fields come back as strings:
# add 0 before comparing numbers.
function csvsplit(line, f,    n, i, c, field, inq, len) {
    n = 0; field = ""; inq = 0; len = length(line)
    for (i = 1; i <= len; i++) {
        c = substr(line, i, 1)
        if (inq) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
                else inq = 0
            } else field = field c
        } else if (c == "\"") inq = 1
        else if (c == ",") { f[++n] = field; field = "" }
        else field = field c
    }
    f[++n] = field
    return n
}
function clean(s) { gsub(/[\t\r\n]/, " ", s); return s }
function tsvsplit(line, f) { return split(line, f, "\t") }
# Strategies in the order of the design, then any other name.
function srank(s) {
    if (s == "sequential") return 1; if (s == "threads") return 2
    if (s == "fork") return 3;       if (s == "epoll") return 4
    if (s == "coro") return 5;       if (s == "busypoll") return 6
    return 9
}
function safe(s) { gsub(/[^A-Za-z0-9_:.+-]/, "_", s); return s }
