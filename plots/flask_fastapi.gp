# flask_fastapi.gp: the article's unwritten section. N GETs at once against
# Flask under gunicorn's sync workers (W processes, one request at a time
# each) and FastAPI under uvicorn, wall time against N, from each client.
# A colour per server, a point shape per client (filled: the C client; open:
# the Python client); dotted steps: ceil(N/W) x L, what W blocking workers
# allow; a cross on them marks a run skipped because ceil(N/W) x L exceeded
# the budget.
# Set by cbresults/reproduce.py: in (client server n status wall_s expected_s),
#   out, fmt, plotdir, datadir (styles.gp, servers.gp), servers, clients, latency.
load plotdir.'/common.gp'
load datadir.'/servers.gp'
stats in using 'n' nooutput name 'N'
set title sprintf('Flask (gunicorn sync, W workers) vs FastAPI (uvicorn): N GETs at once, L = %g s', latency)
set xlabel 'N (requests at once, log scale)'
set ylabel 'wall time (s, log scale)'
set logscale xy
set format y '%g'
@secs_ytics
set xrange [0.7:N_max * 1.5]
set yrange [latency * 0.7:*]
set key inside top left vertical Left reverse noautotitle spacing 1.2 box opaque
workers(sv) = strstrt(sv, 'flask:') == 1 ? real(sv[7:]) : 0
pick(sv, cl, v) = (strcol('server') eq sv && strcol('client') eq cl) ? v : NaN
# Filled shapes for the first (Python) client, open for the second (C)? The
# shape follows the client's place in `clients`: 7 (filled circle), 6 (open).
cshape(i) = i == 1 ? 6 : 7
set samples 400
plot for [sv in servers] for [i=1:words(clients)] in \
        using 'n':(pick(sv, word(clients, i), column('wall_s'))) \
        with linespoints lw 2.5 pt cshape(i) ps 1.4 lc rgb svcolor(sv) notitle, \
     for [sv in servers] '+' using (floor($1)):(workers(sv) > 0 ? ceil(floor($1) / workers(sv)) * latency : NaN) \
        with steps dt 3 lw 2 lc rgb svcolor(sv) notitle, \
     for [sv in servers] in using 'n':(strcol('status') eq 'skipped' && strcol('server') eq sv ? column('expected_s') : NaN) \
        with points pt 2 ps 2 lw 2 lc rgb svcolor(sv) notitle, \
     for [sv in servers] NaN with lines lw 6 lc rgb svcolor(sv) title sv.' server', \
     for [i=1:words(clients)] NaN with points pt cshape(i) ps 1.4 lc rgb '#444444' title word(clients, i).' client', \
     NaN with lines dt 3 lw 1.5 lc rgb '#444444' title 'ceil(N/W) x L (Flask, W workers)', \
     NaN with points pt 2 ps 2 lw 2 lc rgb '#444444' title 'skipped: ceil(N/W) x L over the budget'
