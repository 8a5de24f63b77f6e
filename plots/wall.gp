# wall.gp: median wall time against N, one line per strategy, log-log, for
# one workload; error bars span min..max of the repetitions. The ideal
# (every task at once: D for sleep, L for HTTP) is the dashed line. Near the
# ideal the concurrent strategies overlap, so a lower panel shows what each
# adds above the ideal (wall - ideal).
# Set by plot.sh: in, out, fmt, plotdir, datadir, wl, strategies, ideal.
load plotdir.'/common.gp'
what = wl eq 'sleep' ? sprintf('N sleeps of %g s each', ideal) : sprintf('N HTTP GETs, server latency L = %g s', ideal)
set multiplot
set lmargin at screen 0.09
set rmargin at screen 0.80
set logscale xy
set format y '%g'
@secs_ytics

set tmargin at screen 0.93
set bmargin at screen 0.43
set autoscale yfix
set offsets graph 0.03, graph 0.03, graph 0.1, graph 0.05
set title sprintf('%s: wall time against N (median; runs not ok not drawn)', what)
set ylabel 'wall time (s, log)'
set format x ''
set xlabel ''
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('wall_med_s'))):(pick(s, wl, column('wall_min_s'))):(pick(s, wl, column('wall_max_s'))) \
        with yerrorlines lw 2 pt shape(s) ps 1.3 lc rgb color(s) title s, \
     ideal with lines dt 2 lw 2 lc rgb 'black' title sprintf('ideal (%g s)', ideal)

unset title
set tmargin at screen 0.37
set bmargin at screen 0.10
set format x '%.0s%c'
set xlabel 'N (tasks, log scale)'
set ylabel 'above ideal (s, log)'
set ytics autofreq
set format y '%g'
set key off
over(v) = v - ideal > 0 ? v - ideal : NaN
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, over(column('wall_med_s')))) \
        with linespoints lw 2 pt shape(s) ps 1.1 lc rgb color(s) notitle
unset multiplot
