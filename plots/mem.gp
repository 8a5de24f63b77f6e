# mem.gp: memory against N for one workload, one line per strategy, log-log.
# Upper panel: the whole run's peak (every process it started, user pages +
# kernel memory, mem_med_kb). Lower panel: memory per task, (peak - the
# run's baseline before any task started) / tasks started.
# Set by plot.sh: in, out, fmt, plotdir, datadir, wl, strategies. A panel
# with no data at all (no memory column in an older folder) is left empty.
load plotdir.'/common.gp'
set multiplot
set lmargin at screen 0.10
set rmargin at screen 0.80
set logscale xy
kb(v) = v > 0 ? v * 1024 : NaN
stats in using (in_wl(kb(column('mem_med_kb')))) nooutput name 'M'
stats in using (in_wl(column('mem_per_task_med_b'))) nooutput name 'T'

set tmargin at screen 0.92
set bmargin at screen 0.55
set title sprintf("%s workload: memory against N (median; whole run, user + kernel; runs not ok not drawn)", wl)
set ylabel 'peak, whole run (bytes)'
eval bytes_axis(M_min, M_max)
set format x ''
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, kb(column('mem_med_kb')))) \
        with linespoints lw 2 pt shape(s) ps 1.2 lc rgb color(s) title s

unset title
set tmargin at screen 0.48
set bmargin at screen 0.14
set format x '%.0s%c'
set xlabel "N (tasks, log scale)\nper task = (peak - baseline) / tasks started; 0 (no growth the meter saw) is not drawn on the log axis"
set ylabel 'per task (bytes)'
eval bytes_axis(T_min, T_max)
set key off
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('mem_per_task_med_b') > 0 ? column('mem_per_task_med_b') : NaN)) \
        with linespoints lw 2 pt shape(s) ps 1.2 lc rgb color(s) notitle
unset multiplot
