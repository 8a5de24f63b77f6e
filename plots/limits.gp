# limits.gp: where each strategy stopped, per workload: a bar to the N at
# which its status became limit (or the sweep skipped it: over the time
# budget), labelled with the limit that bound. A solid bar stopped there; a
# hatched bar ran every N of the sweep. Bars take the strategy's colour (the
# strategy is named on the left); the label sits above each bar, so the x
# axis ends at the largest N of the data.
# Set by plot.sh: in (breaks.tsv: y label strategy n kind text), out, fmt,
#   plotdir, datadir, nmax (the largest N in the file).
load plotdir.'/common.gp'
stats in using 1 skip 1 nooutput
rows = STATS_records
set title 'Where each strategy stopped: N of the first limit or time-budget skip'
set xlabel 'N (tasks, log scale)'
set logscale x
set xrange [0.7:(nmax > 1 ? nmax * 1.5 : 10)]
set yrange [0.4:rows + 0.75]
set offsets 0, 0, 0, 0
set ytics 1 nomirror
set grid noytics nomytics
set mytics 1
set lmargin 26
set key outside bottom center horizontal nobox
stopped(k) = k eq 'limit' || k eq 'skipped'
plot in using (stopped(strcol('kind')) ? column('n') : NaN):'y':(0.7):(column('n')):(column('y') - 0.3):(column('y') + 0.05):(colnum(strcol('strategy'))):ytic(strcol('label')) \
        with boxxyerror fs solid 0.85 border lc rgb '#333333' lc rgb variable notitle, \
     '' using (stopped(strcol('kind')) ? NaN : column('n')):'y':(0.7):(column('n')):(column('y') - 0.3):(column('y') + 0.05):(colnum(strcol('strategy'))) \
        with boxxyerror fs pattern 5 border lc rgb variable lc rgb variable notitle, \
     '' using (0.75):(column('y') + 0.25):'text' with labels left font ',9' notitle, \
     NaN with boxes fs solid 0.85 lc rgb '#888888' title 'stopped at that N (limit or budget)', \
     NaN with boxes fs pattern 5 lc rgb '#888888' title 'ran every N of the sweep'
