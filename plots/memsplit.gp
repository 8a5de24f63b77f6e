# memsplit.gp: where a task's memory goes, per strategy, at one N: the run's
# peak split into user pages and kernel parts (stacks, page tables, slab,
# socket buffers, other kernel: what the method reports; the rest of the
# peak beyond the sample that was split), each divided by N,
# stacked. The black diamond is memory per task as the report ranks it:
# (peak - baseline) / tasks started. Only runs that did all their work.
# Set by plot.sh: in (memsplit_WL.tsv: x strategy n method per_task_b total_b
#   lo0 hi0 .. lo6 hi6), out, fmt, plotdir, datadir, wl, n, method (the
#   method of most bars), rotate (1: slant the names); the parts' names and
#   colours are styles.gp's part_label and part_color.
load plotdir.'/common.gp'
stats in using (column('x')) nooutput name 'X'
stats in using (column('total_b') > column('per_task_b') ? column('total_b') : column('per_task_b')) nooutput name 'Y'
set title sprintf("%s, N = %d: memory per task, user and kernel (the peak / N, split at the peak; method %s)", wl, n, method)
set ylabel 'bytes per task (k = 1000)'
set xlabel 'strategy ([method] where it is not the others'')'
set bmargin (rotate ? 7 : 4)
if (rotate) { set xtics rotate by -30 left }
unset logscale
set format y '%.0s %cB'
set xrange [-0.6:X_max + 0.6]
set yrange [0:Y_max * 1.15]
set offsets 0, 0, 0, 0
set xtics 1 scale 0 font ',9'
set mxtics 1
set grid noxtics nomxtics
set style fill solid 0.9 border lc rgb '#333333'
lo(k) = column(sprintf('lo%d', k - 1))
hi(k) = column(sprintf('hi%d', k - 1))
plot for [k=1:|part_label|] in using (column('x')):((lo(k) + hi(k)) / 2):(0.35):(hi(k) > lo(k) ? (hi(k) - lo(k)) / 2 : NaN):xtic(strcol('strategy')) \
        with boxxyerror lc rgb part_color[k] title part_label[k], \
     in using (column('x')):(column('per_task_b')) with points pt 13 ps 1.8 lc rgb 'black' title '(peak - baseline) / started', \
     in using (column('x')):(column('total_b') > column('per_task_b') ? column('total_b') : column('per_task_b')):(gprintf('%.1s %cB', column('total_b'))) \
        with labels offset 0,1.2 font ',9' notitle
