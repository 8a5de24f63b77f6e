# micro.gp: the micro-benchmarks as horizontal bars, one per benchmark,
# median time per operation on a log scale, coloured by group.
# Usage: gnuplot -e "datafile='results/latest/micro.dat'; outbase='results/latest/micro'" plots/micro.gp
# The data comes from scripts/micro_to_dat.py:
#   index name group_index median_ns "label" cv
if (!exists("datafile")) datafile = 'results/latest/micro.dat'
if (!exists("outbase")) outbase = 'results/latest/micro'

set encoding utf8
# The group names, in order, are in the header line "# groups: ...".
groups = system(sprintf("sed -n 's/^# groups: //p' '%s'", datafile))
ngroups = words(groups)
stats datafile using 4 nooutput
n = STATS_records
vmin = STATS_min
vmax = STATS_max

set title "concbench micro-benchmarks: median time per operation, log scale (shorter is faster)\n{/*0.8 switch: one one-way switch (half a round trip);  spawn: start and reap one task;  timer/heap: one push + one pop}\n{/*0.8 task: one zero-length sleep task through a strategy, 100 per run;  http: one GET, test server with L = 0}\n{/*0.8 (cv N%): the repetitions spread more than 10%}" font ",14"
set xlabel "time per operation (ns, log scale)"
set logscale x
# Bars start at the left edge; room on the right for the value labels.
xlo = 10 ** floor(log10(vmin / 2))
set xrange [xlo : vmax * 12]
set format x "10^{%T}"
set yrange [n - 0.4 : -0.6]
set ytics scale 0 font ",11" noenhanced
set grid xtics mxtics lc rgb "#dddddd"
set border 3
set xtics nomirror
set key below horizontal
set bmargin 5.5
set style fill solid 0.85 noborder
colors = "#4e79a7 #f28e2b #59a14f #e15759 #b07aa1 #76b7b2 #edc948"

set terminal pngcairo size 1200,700 font "sans,11"
set output outbase.'.png'
# First the benchmark names as y tics (invisible points), then one bar
# series per group (a NaN x skips the other groups' rows), then the values.
plot datafile using 4:1:ytic(2) with points ps 0 notitle, \
     for [k=0:ngroups-1] datafile \
        using ($3 == k ? $4 : NaN):1:(xlo):4:($1 - 0.38):($1 + 0.38) \
        with boxxyerror lc rgb word(colors, k % 7 + 1) title word(groups, k + 1), \
     datafile using 4:1:5 with labels left offset char 0.6,0 font ",10" notitle

set terminal svg size 1200,700 dynamic font "sans,11"
set output outbase.'.svg'
replot
set output
