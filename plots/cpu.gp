# cpu.gp: CPU time (user + system, the process and its children) against N,
# one line per strategy, log-log, for one workload.
# Set by plot.sh: in, out, fmt, plotdir, datadir, wl, strategies.
load plotdir.'/common.gp'
set title sprintf('%s workload: CPU time (user + system) against N (median; runs not ok not drawn)', wl)
set xlabel 'N (tasks, log scale)'
set ylabel 'CPU time (s, log scale)'
set logscale xy
set format y '%g'
@secs_ytics
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('cpu_med_s') > 0 ? column('cpu_med_s') : NaN)) \
        with linespoints lw 2 pt shape(s) ps 1.3 lc rgb color(s) title s
