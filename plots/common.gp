# common.gp: what every concbench chart shares; each chart script loads it
# first. The caller (scripts/plot.sh) sets:
#   out  the output file      fmt  'png' or 'svg'
# One colour and one point shape per strategy, the same in every chart, so a
# strategy is recognised at a glance; unknown names are drawn in black.
if (!exists("fmt")) fmt = 'png'
if (fmt eq 'svg') {
    set terminal svg size 1000,600 dynamic noenhanced font 'DejaVu Sans,13' background rgb 'white'
} else {
    set terminal pngcairo size 1000,600 noenhanced font 'DejaVu Sans,11' background rgb 'white'
}
set output out
set datafile separator "\t"
set key outside right top vertical Left reverse noautotitle spacing 1.3 box
set grid xtics ytics mxtics mytics lc rgb '#dddddd' lw 1 dt 1
set border 3
set tics nomirror
set mxtics 10
set mytics 10
set lmargin 12

colnum(s) = s eq 'sequential' ? 0x7f7f7f : \
            s eq 'threads'    ? 0x1f77b4 : \
            s eq 'fork'       ? 0xd62728 : \
            s eq 'epoll'      ? 0x2ca02c : \
            s eq 'coro'       ? 0x9467bd : \
            s eq 'busypoll'   ? 0xff7f0e : \
            s eq 'event'      ? 0x2ca02c : \
            s eq 'blocking:1' ? 0x7f2704 : \
            s eq 'blocking:2' ? 0xb34200 : \
            s eq 'blocking:3' ? 0xd0650a : \
            s eq 'blocking:4' ? 0xe08214 : 0x000000
color(s) = sprintf('#%06x', colnum(s))
shape(s) = s eq 'sequential' ? 4 : s eq 'threads' ? 7 : s eq 'fork' ? 5 : \
           s eq 'epoll' ? 9 : s eq 'coro' ? 13 : s eq 'busypoll' ? 11 : 6

# Task counts read 1, 10, 100, 1k, 10k, 100k, 1M.
set format x '%.0s%c'
# Keep row s of workload w, else NaN (gnuplot skips NaN points).
pick(s, w, v) = (strcol('strategy') eq s && strcol('workload') eq w) ? v : NaN
# Ranges hug the data with a margin, so no point sits on the border.
set autoscale fix
set offsets graph 0.03, graph 0.03, graph 0.06, graph 0.06
# Seconds on a log axis: label 1-2-5 steps, not only the decades.
secs_ytics = 'set ytics ("1e-05" 1e-05, "2e-05" 2e-05, "5e-05" 5e-05, "0.0001" 0.0001, "0.0002" 0.0002, "0.0005" 0.0005, "0.001" 0.001, "0.002" 0.002, "0.005" 0.005, "0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100, "200" 200, "500" 500, "1000" 1000, "2000" 2000, "5000" 5000, "10000" 10000, "20000" 20000, "50000" 50000)'
# Bytes on a log axis, 1-2-5 steps, decimal prefixes (k = 1000).
bytes_ytics = 'set ytics ("1 B" 1, "2 B" 2, "5 B" 5, "10 B" 10, "20 B" 20, "50 B" 50, "100 B" 100, "200 B" 200, "500 B" 500, "1 kB" 1000, "2 kB" 2000, "5 kB" 5000, "10 kB" 10000, "20 kB" 20000, "50 kB" 50000, "100 kB" 100000, "200 kB" 200000, "500 kB" 500000, "1 MB" 1000000, "2 MB" 2000000, "5 MB" 5000000, "10 MB" 10000000, "20 MB" 20000000, "50 MB" 50000000, "100 MB" 100000000, "200 MB" 200000000, "500 MB" 500000000, "1000 MB" 1000000000, "2000 MB" 2000000000, "5000 MB" 5000000000)'
