# servers.gp: one client strategy against the blocking test server with W
# workers (one request at a time each, like Flask under gunicorn) and the
# event server (like FastAPI under an ASGI server): wall time against N.
# Dotted steps: ceil(N/W) x L, what a W-worker blocking server allows; an
# open circle on them marks an N the sweep skipped as over its time budget.
# Set by plot.sh: in, out, fmt, plotdir, datadir, strategy, servers, latency.
load plotdir.'/common.gp'
# The x range is the one of the blocking runs (the event rows may go further).
stats in using (strcol('server') ne 'event' ? column('n') : NaN) nooutput
nmax = STATS_max * 1.3
set title sprintf('Blocking vs event server: %s client, server latency L = %g s (median)', strategy, latency)
set xlabel 'N (concurrent requests, log scale)'
set ylabel 'wall time (s, log scale)'
set logscale xy
set format y '%g'
@secs_ytics
set xrange [0.8:nmax]
set yrange [latency * 0.7:*]
workers(sv) = sv[1:9] eq 'blocking:' ? real(sv[10:]) : 0
spick(sv, v) = (strcol('server') eq sv && strcol('strategy') eq strategy) ? v : NaN
set samples 400
plot for [sv in servers] in \
        using (column('n')):(spick(sv, column('wall_med_s'))) \
        with linespoints lw 2 pt 7 ps 1.3 lc rgb color(sv) title sprintf('%s server', sv), \
     for [sv in servers] '+' using (floor($1)):(workers(sv) > 0 ? ceil(floor($1) / workers(sv)) * latency : NaN) \
        with steps dt 3 lw 1.5 lc rgb color(sv) title (workers(sv) > 0 ? sprintf('ceil(N/%d) x L', workers(sv)) : ''), \
     for [sv in servers] in \
        using (column('n')):(strcol('status') eq 'skipped' && workers(sv) > 0 ? spick(sv, ceil(column('n') / workers(sv)) * latency) : NaN) \
        with points pt 6 ps 2 lw 2 lc rgb color(sv) notitle, \
     for [sv in servers] in \
        using (column('n')):(strcol('status') eq 'skipped' && workers(sv) > 0 ? spick(sv, ceil(column('n') / workers(sv)) * latency) : NaN):(sprintf('skipped: ~%.0f s expected, over budget', ceil(column('n') / workers(sv)) * latency)) \
        with labels right offset -1.5,0 font ',9' tc rgb color(sv) notitle
