# article.gp: the article's timings beside ours, experiment by experiment:
# grey bar = article (CPython, aiohttp, a remote site), coloured bar = ours
# (colour of the strategy used), seconds printed at the bar ends.
# Set by plot.sh: in (reproduce.tsv: y experiment article_s ours_s ratio cpu_s strategy), out, fmt,
#   plotdir, datadir, strategies (those of the rows, for the key).
load plotdir.'/common.gp'
stats in using 3 skip 1 nooutput name 'A'
stats in using 4 skip 1 nooutput name 'O'
stats in using 1 skip 1 nooutput name 'Y'
top = (A_max > O_max ? A_max : O_max)
set title 'The article''s timings beside ours (wall time, s)'
set xlabel 'wall time (s)'
set xrange [0:top * 1.18]
set yrange [0.4:Y_max + 0.6]
set ytics 1 nomirror
set mytics 1
set grid noytics nomytics
set lmargin 36
set key outside bottom center horizontal nobox
set style fill solid 0.85 border -1
plot in using (column('article_s') / 2):(column('y') + 0.19):(column('article_s') / 2):(0.17):ytic(strcol('experiment')) \
        with boxxyerror lc rgb '#bbbbbb' title 'article', \
     '' using (column('ours_s') / 2):(column('y') - 0.19):(column('ours_s') / 2):(0.17):(colnum(strcol('strategy'))) \
        with boxxyerror lc rgb variable notitle, \
     '' using (column('article_s') + top * 0.01):(column('y') + 0.19):(sprintf('%.2f', column('article_s'))) with labels left font ',9' notitle, \
     '' using (column('ours_s') + top * 0.01):(column('y') - 0.19):(sprintf('%.2f', column('ours_s'))) with labels left font ',9' notitle, \
     for [s in strategies] NaN with boxes fs solid 0.85 lc rgb color(s) title 'ours: '.s
