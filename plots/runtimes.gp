# runtimes.gp: across runtimes (PROFILE=peers): memory per task (upper panel)
# and wall time (lower panel) against N for N sleeps, every strategy of the
# folder, one line each; a cross where a runtime stopped (a limit, labelled),
# and the published figures at 1,000,000 tasks (another machine, another
# method: grey diamonds, labelled) for context.
# Set by plot.sh: in (main.tsv), out, fmt, plotdir, datadir, wl, strategies, nmin,
#   stops (stops_WL.tsv: strategy n mem_b wall_s text), nstops (its rows),
#   published (plots/published.tsv).
load plotdir.'/common.gp'
# The stops, only when there are any (gnuplot warns on a file with no points).
stops_mem = nstops > 0 ? "stops using (column('n')):(column('mem_b') > 0 ? column('mem_b') : NaN) with points pt 2 ps 2 lw 2 lc rgb 'black' title 'stopped (limit)', stops using (column('n')):(column('mem_b') > 0 ? column('mem_b') : NaN):'text' with labels left offset 1,0 font ',8' notitle," : ""
stops_wall = nstops > 0 ? ", stops using (column('n')):(column('wall_s') > 0 ? column('wall_s') : NaN) with points pt 2 ps 2 lw 2 lc rgb 'black' notitle" : ""
set multiplot
set lmargin at screen 0.10
set rmargin at screen 0.72
set logscale xy
set xrange [nmin * 0.7:2e6]
set offsets 0, 0, graph 0.1, graph 0.1

set tmargin at screen 0.93
set bmargin at screen 0.55
# One key for both panels, to the right of them, as long as it needs.
set key at screen 0.73, screen 0.93 top left vertical Left reverse box
set title sprintf('Across runtimes: N sleeps (median; runs not ok not drawn; x = where it stopped)')
@bytes_ytics
set ylabel 'memory per task (bytes)'
set format x ''
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('mem_per_task_med_b') > 0 ? column('mem_per_task_med_b') : NaN)) \
        with linespoints lw 2 pt shape(s) ps 1.1 lc rgb color(s) title s, \
     @stops_mem \
     published using 2:4 with points pt 12 ps 1.8 lc rgb '#777777' title 'published, other machine', \
     published using 2:5:(sprintf('%s: %g MB at 1M', strcol(1), column(3))) with labels right offset -1.2,0 font ',8' tc rgb '#555555' notitle

unset title
set tmargin at screen 0.48
set bmargin at screen 0.08
set format x '%.0s%c'
set xlabel 'N (tasks, log scale)'
set ylabel 'wall time (s)'
set format y '%g'
@secs_ytics
set key off
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('wall_med_s'))) \
        with linespoints lw 2 pt shape(s) ps 1.1 lc rgb color(s) notitle \
     @stops_wall
unset multiplot
