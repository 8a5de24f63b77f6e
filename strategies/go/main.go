// go-goroutines: a concbench peer strategy (strategies/PROTOCOL.md) written
// the way Go users write it: a goroutine per task joined by a
// sync.WaitGroup, time.Sleep for the sleep workload, net/http's Client for
// the HTTP one, and a buffered channel as the semaphore of max_in_flight.
package main

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println(runtime.Version())
		return
	}
	p, s := newProto()
	tasks := make([]Task, s.N)
	var work func(k int, t *Task)
	switch s.Kind {
	case "sleep":
		work = func(k int, t *Task) {
			time.Sleep(s.Sleep)
			t.Value = uint64(k)
		}
		p.Policy(fmt.Sprintf("goroutine per task (%s, GOMAXPROCS=%d), time.Sleep",
			runtime.Version(), runtime.GOMAXPROCS(0)))
	case "http":
		work = httpWork(p, s)
	default:
		p.Skip("unknown kind " + s.Kind)
	}
	if s.MaxInFlight > 0 {
		p.Policy(fmt.Sprintf("at most %d in flight: a buffered-channel semaphore", s.MaxInFlight))
	}
	p.Ready()

	t0 := p.Now()
	runAll(p, s.MaxInFlight, tasks, work)
	t1 := p.Now()
	if err := p.Report(tasks, t0, t1, s.Kind == "http"); err != nil {
		fmt.Fprintln(os.Stderr, "go-goroutines: writing results:", err)
		os.Exit(1)
	}
}

// runAll starts a goroutine per task and waits for all of them. With
// maxInFlight > 0, a send into a buffered channel of that size takes a slot
// before each goroutine starts, and the goroutine gives it back when done.
func runAll(p *Proto, maxInFlight int, tasks []Task, work func(int, *Task)) {
	var wg sync.WaitGroup
	var sem chan struct{}
	if maxInFlight > 0 {
		sem = make(chan struct{}, maxInFlight)
	}
	for k := range tasks {
		if sem != nil {
			sem <- struct{}{}
		}
		wg.Add(1)
		go func(k int, t *Task) {
			defer wg.Done()
			t.Started = p.Now()
			work(k, t)
			t.Finished = p.Now()
			if sem != nil {
				<-sem
			}
		}(k, &tasks[k])
	}
	wg.Wait()
}

// httpWork returns the work of one GET: the body is hashed (FNV-1a 64,
// strategies/body.h) and counted as it streams in, and judged by the
// harness, not here.
func httpWork(p *Proto, s *Spec) func(int, *Task) {
	inFlight := s.N
	if s.MaxInFlight > 0 {
		inFlight = s.MaxInFlight
	}
	// The default Transport keeps only 2 idle connections per host, so
	// every further request would close its connection after use; a client
	// meant to hold inFlight requests at once keeps that many alive.
	tr := &http.Transport{
		MaxIdleConns:        0, // no overall limit
		MaxIdleConnsPerHost: inFlight,
		MaxConnsPerHost:     inFlight,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: tr, Timeout: s.Timeout}
	p.Policy(fmt.Sprintf("goroutine per task (%s, GOMAXPROCS=%d), net/http Client, keep-alive, "+
		"MaxConnsPerHost=MaxIdleConnsPerHost=%d", runtime.Version(), runtime.GOMAXPROCS(0), inFlight))

	var limitOnce sync.Once
	return func(k int, t *Task) {
		t.Err, t.Detail = get(client, s.URL, t)
		if t.Err == "emfile" {
			limitOnce.Do(func() {
				var rl syscall.Rlimit
				syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
				p.Limit(fmt.Sprintf("%s (RLIMIT_NOFILE %d, first at task %d)", t.Detail, rl.Cur, k))
			})
		}
	}
}

// get performs one GET into t and returns the error name and detail
// ("", "" when the response arrived whole).
func get(client *http.Client, url string, t *Task) (string, string) {
	resp, err := client.Get(url)
	if err != nil {
		return classify(err), err.Error()
	}
	defer resp.Body.Close()
	h := fnv.New64a()
	n, err := io.Copy(h, resp.Body)
	t.Status, t.Bytes, t.Value = resp.StatusCode, n, h.Sum64()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "bad_body", err.Error()
		}
		return classify(err), err.Error()
	}
	return "", ""
}

// classify names an error as the protocol does (cb_error_name()).
func classify(err error) string {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "emfile"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "eaddrnotavail"
	case errors.Is(err, syscall.ENOMEM):
		return "nomem"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	case errors.As(err, &dns):
		return "resolve"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "other"
}
