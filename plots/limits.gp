# limits.gp: where each strategy stopped, per workload: a bar to the N at
# which its status became limit (or the sweep skipped it: over the time
# budget), labelled with the limit that bound. A solid bar stopped there; a
# hatched bar ran every N of the sweep. Bars take the strategy's colour.
# Set by plot.sh: in (breaks.tsv: y label strategy n kind text), out, fmt, plotdir.
load plotdir.'/common.gp'
stats in using 1:4 skip 1 nooutput
rows = STATS_records
set title 'Where each strategy stopped: N of the first limit or time-budget skip'
set xlabel 'N (tasks, log scale)'
set logscale x
set xrange [0.7:STATS_max_y * 20000]
set yrange [0.4:rows + 0.6]
set ytics 1 nomirror
set grid noytics nomytics
set mytics 1
set lmargin 20
set key outside bottom center horizontal nobox
stopped(k) = k eq 'limit' || k eq 'skipped'
plot in using (stopped(strcol('kind')) ? column('n') : NaN):'y':(0.7):(column('n')):(column('y') - 0.35):(column('y') + 0.35):(colnum(strcol('strategy'))):ytic(strcol('label')) \
        with boxxyerror fs solid 0.85 border lc rgb '#333333' lc rgb variable notitle, \
     '' using (stopped(strcol('kind')) ? NaN : column('n')):'y':(0.7):(column('n')):(column('y') - 0.35):(column('y') + 0.35):(colnum(strcol('strategy'))) \
        with boxxyerror fs pattern 5 border lc rgb variable lc rgb variable notitle, \
     '' using (column('n') * 1.3):'y':'text' with labels left font ',9' notitle, \
     NaN with boxes fs solid 0.85 lc rgb '#888888' title 'stopped at that N (limit or budget)', \
     NaN with boxes fs pattern 5 lc rgb '#888888' title 'ran every N of the sweep'
