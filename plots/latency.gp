# latency.gp: per-task latency (finish - start of each task, as wrk and hey
# report it) against N for one workload: one panel per percentile (p50, p90,
# p99, p99.9), one line per strategy, log-log. Only runs that did all their
# work (status ok) are drawn.
# Set by plot.sh: in, out, fmt, plotdir, datadir, wl, strategies.
load plotdir.'/common.gp'
set multiplot layout 2,2 columnsfirst title sprintf('%s: per-task latency (finish - start) against N, median of repetitions; runs not ok not drawn', wl)
set logscale xy
set key inside top left vertical Left reverse noautotitle spacing 1 box opaque font ',9'
set lmargin 10
set rmargin 2
set xlabel 'N (log)'
set ylabel 'latency (s)'
set offsets graph 0.03, graph 0.03, graph 0.1, graph 0.1
do for [p in 'p50 p90 p99 p999'] {
    c = sprintf('lat_%s_med_s', p)
    set title (p eq 'p999' ? 'p99.9' : p)
    stats in using (in_wl(column(c))) nooutput name 'P'
    eval secs_axis('y', P_min, P_max)
    plot for [s in strategies] in using (nx(s, wl)):(pick(s, wl, column(c) > 0 ? column(c) : NaN)) \
        with linespoints lw 2 pt shape(s) ps 0.9 lc rgb color(s) title s
    unset key
}
unset multiplot
