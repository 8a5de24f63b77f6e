// cbproto.go: the concbench external-strategy protocol (strategies/PROTOCOL.md,
// version 1) for Go, in one place: read the spec, say ready, wait for go,
// stamp times on CLOCK_MONOTONIC, write one line per task and the end line.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// Spec is the spec line's key=value pairs that this program uses.
type Spec struct {
	Kind        string
	N           int
	MaxInFlight int
	Sleep       time.Duration
	Timeout     time.Duration
	URL         string
}

// Task is one result slot. The goroutine running task k writes slot k and
// nothing else, so the slots need no lock; WaitGroup.Wait orders every
// write before the report.
type Task struct {
	Started, Finished int64 // CLOCK_MONOTONIC ns; 0: never
	Err               string
	Status            int
	Bytes             int64
	Value             uint64
	Detail            string
}

// Proto holds the result descriptor and the clock anchor.
type Proto struct {
	out      *bufio.Writer
	stdin    *bufio.Reader
	anchorNs int64
	anchor   time.Time
	policy   []string
	limits   []string
}

// The clock. The protocol wants CLOCK_MONOTONIC nanoseconds, the clock the
// harness reads. Go's time.Now() carries a monotonic reading taken by the
// runtime through the vDSO from CLOCK_MONOTONIC itself, but its zero is
// hidden; a raw clock_gettime costs a real system call (Go 1.19's syscall
// package cannot reach the vDSO, and golang.org/x/sys is not in the
// standard library), which a million tasks would pay twice each. So one
// system call at start-up anchors the monotonic readings: now = anchorNs +
// time.Since(anchor), exact to the few hundred nanoseconds between the two
// reads in newProto.
func clockMonotonicRaw() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1 // CLOCK_MONOTONIC in <linux/time.h>
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic,
		uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		fmt.Fprintln(os.Stderr, "clock_gettime:", e)
		os.Exit(1)
	}
	return ts.Nano()
}

// Now returns CLOCK_MONOTONIC in nanoseconds. Safe from any goroutine.
func (p *Proto) Now() int64 {
	return p.anchorNs + int64(time.Since(p.anchor))
}

// newProto reads the spec line from stdin and opens the result descriptor
// (CB_RESULT_FD, default 3). It exits the program on a malformed spec.
func newProto() (*Proto, *Spec) {
	fd := 3
	if v := os.Getenv("CB_RESULT_FD"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			fd = n
		}
	}
	p := &Proto{
		out:   bufio.NewWriterSize(os.NewFile(uintptr(fd), "results"), 1<<16),
		stdin: bufio.NewReader(os.Stdin),
	}
	p.anchor = time.Now()
	p.anchorNs = clockMonotonicRaw()
	line, err := p.stdin.ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) < 2 || f[0] != "concbench-spec" || f[1] != "1" {
		fmt.Fprintf(os.Stderr, "go-goroutines: bad spec line %q\n", line)
		os.Exit(2)
	}
	s := &Spec{}
	for _, kv := range f[2:] {
		k, v, _ := strings.Cut(kv, "=")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "kind":
			s.Kind = v
		case "n":
			s.N = int(n)
		case "max_in_flight":
			s.MaxInFlight = int(n)
		case "sleep_ns":
			s.Sleep = time.Duration(n)
		case "timeout_ns":
			s.Timeout = time.Duration(n)
		case "url":
			s.URL = v
		}
	}
	if s.N < 1 {
		fmt.Fprintf(os.Stderr, "go-goroutines: bad n in %q\n", line)
		os.Exit(2)
	}
	return p, s
}

// Skip tells the harness this spec cannot run here, and exits.
func (p *Proto) Skip(why string) {
	fmt.Fprintf(p.out, "skip %s\n", why)
	p.out.Flush()
	os.Exit(0)
}

// Ready writes "ready" and waits for "go". On EOF or anything else it
// exits with status 0, as the protocol asks.
func (p *Proto) Ready() {
	fmt.Fprintln(p.out, "ready")
	if err := p.out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "go-goroutines: result descriptor:", err)
		os.Exit(1)
	}
	line, _ := p.stdin.ReadString('\n')
	if strings.TrimSpace(line) != "go" {
		os.Exit(0)
	}
}

// Policy and Limit add a policy or limit line to the report.
func (p *Proto) Policy(text string) { p.policy = append(p.policy, text) }
func (p *Proto) Limit(text string)  { p.limits = append(p.limits, text) }

// Report writes every slot, the policy and limit lines, and the end line,
// then flushes. Call it once, after every task is done. hexValue: the
// VALUE field is a body checksum (16 hex digits), else a decimal index.
func (p *Proto) Report(tasks []Task, t0, t1 int64, hexValue bool) error {
	started := 0
	w := p.out
	var b []byte
	for k := range tasks {
		t := &tasks[k]
		if t.Started != 0 {
			started++
		}
		if t.Err == "" {
			t.Err = "ok"
		}
		b = append(b[:0], "task "...)
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, t.Started, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, t.Finished, 10)
		b = append(b, ' ')
		b = append(b, t.Err...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(t.Status), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, t.Bytes, 10)
		b = append(b, ' ')
		if hexValue {
			b = append(b, fmt.Sprintf("%016x", t.Value)...)
		} else {
			b = strconv.AppendUint(b, t.Value, 10)
		}
		if t.Detail != "" {
			b = append(b, ' ')
			b = append(b, oneLine(t.Detail)...)
		}
		b = append(b, '\n')
		w.Write(b)
	}
	// The protocol keeps one policy line: the choices, joined.
	if len(p.policy) > 0 {
		fmt.Fprintf(w, "policy %s\n", oneLine(strings.Join(p.policy, "; ")))
	}
	for _, s := range p.limits {
		fmt.Fprintf(w, "limit %s\n", oneLine(s))
	}
	fmt.Fprintf(w, "end %d %d %d\n", t0, t1, started)
	return w.Flush()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
