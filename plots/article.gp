# article.gp: the article's timings beside ours, experiment by experiment.
# Grey bar: the article's figure (CPython on its author's machine, a remote
# site). Coloured bar: a run measured here, in the colour of its strategy;
# the key says which strategies are the article's own code (py-*) and which
# are ours (C). Seconds, or why a run has no figure, at the bar ends.
#
# One line of the data file is one bar, or, when a line has both article_s
# and ours_s (results.py's reproduce.tsv), the two side by side.
# Set by the caller: in (columns y, experiment, article_s, ours_s, strategy;
#   with_text=1: also text, printed at the bar's end), out, fmt, plotdir,
#   datadir, strategies (the key), and optionally article_code (the
#   strategies that are the article's programs), height (pixels, common.gp),
#   label_chars (the left margin), title.
load plotdir.'/common.gp'
if (!exists("article_code")) article_code = ''
if (!exists("with_text")) with_text = 0
# The column of the bar-end texts, when there is one.
textcol = with_text ? 'text' : 'experiment'
if (!exists("title")) title = 'The article''s timings beside ours (wall time, s)'
# Room on the left for the bar labels, in characters.
if (!exists("label_chars")) label_chars = 36
stats in using 'article_s' nooutput name 'A'
stats in using 'ours_s' nooutput name 'O'
stats in using 'y' nooutput name 'Y'
top = (A_max > O_max ? A_max : O_max)
set title title
unset xlabel
set xrange [0:top * 1.3]
set yrange [0.4:Y_max + 0.6]
set ytics 1 nomirror
set mytics 1
set grid noytics nomytics
set lmargin label_chars
set key outside bottom center vertical maxrows 7 nobox width -12 font ",10"
set style fill solid 0.85 border -1
has(c) = !(strcol(c) eq '')
# A line with both figures draws them as two half bars; else one full bar.
both = 0
half(x) = both ? 0.17 : 0.36
row_both(x) = (both = has('article_s') && has('ours_s'), both)
is_article(s) = strstrt(' '.article_code.' ', ' '.s.' ') > 0
# The article's programs measured here are hatched, C solid: colours of a
# py-* strategy and of its C counterpart may be alike.
pyrow(v) = is_article(strcol('strategy')) ? v : NaN
crow(v) = is_article(strcol('strategy')) ? NaN : v
plot in using (column('article_s') / 2):(column('y') + (row_both(0) ? 0.19 : 0)):(column('article_s') / 2):(half(0)):ytic(strcol('experiment')) \
        with boxxyerror lc rgb '#bbbbbb' title 'the article (its machine)', \
     '' using (crow(column('ours_s')) / 2):(column('y') - (row_both(0) ? 0.19 : 0)):(column('ours_s') / 2):(half(0)):(colnum(strcol('strategy'))) \
        with boxxyerror lc rgb variable notitle, \
     '' using (pyrow(column('ours_s')) / 2):(column('y') - (row_both(0) ? 0.19 : 0)):(column('ours_s') / 2):(half(0)):(colnum(strcol('strategy'))) \
        with boxxyerror fs pattern 5 lc rgb variable notitle, \
     '' using (with_text ? NaN : column('article_s') + top * 0.01):(column('y') + (row_both(0) ? 0.19 : 0)):(sprintf('%.2f', column('article_s'))) \
        with labels left font ',9' notitle, \
     '' using (with_text ? NaN : column('ours_s') + top * 0.01):(column('y') - (row_both(0) ? 0.19 : 0)):(sprintf('%.2f', column('ours_s'))) \
        with labels left font ',9' notitle, \
     for [k=1:with_text] '' using ((has('ours_s') ? column('ours_s') : has('article_s') ? column('article_s') : 0) + top * 0.01):'y':(strcol(textcol)) \
        with labels left font ',9' notitle, \
     for [s in strategies] NaN with boxes fs solid 0.85 lc rgb color(s) title (is_article(s) ? '' : 'ours: '.s), \
     for [s in strategies] NaN with boxes fs pattern 5 lc rgb color(s) title (is_article(s) ? 'article''s code: '.s : '')
