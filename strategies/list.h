/*
 * list.h: every strategy, once. Adding a strategy is one file that defines
 * `const struct cb_strategy cb_strategy_<name>` and one line here; the
 * registry, `concbench list`, the tests and the micro-benchmarks all read
 * this list.
 *
 * Usage: #define CB_STRATEGY(name) ...  #include "list.h"
 */
CB_STRATEGY(sequential)
CB_STRATEGY(threads)
CB_STRATEGY(fork)
CB_STRATEGY(epoll)
CB_STRATEGY(coro)
CB_STRATEGY(busypoll)
#undef CB_STRATEGY
