//! The concbench external-strategy protocol (strategies/PROTOCOL.md,
//! version 1) for Rust, in one place: read the spec, say ready, wait for
//! go, stamp times on CLOCK_MONOTONIC, write one line per task and the end
//! line.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::os::unix::io::FromRawFd;
use std::time::Duration;

/// The spec line's key=value pairs that this program uses.
pub struct Spec {
    pub kind: String,
    pub n: usize,
    pub max_in_flight: usize,
    pub sleep: Duration,
    pub timeout: Duration,
    pub url: String,
}

/// One result slot. `value` is the task's index for a sleep and the body's
/// FNV-1a 64 for a GET.
#[derive(Default)]
pub struct Task {
    pub started: u64,
    pub finished: u64,
    pub error: &'static str,
    pub status: u16,
    pub bytes: u64,
    pub value: u64,
    pub detail: Option<String>,
}

impl Task {
    /// A slot for a task that failed with `error` before any result.
    pub fn failed(error: &'static str, detail: String) -> Task {
        Task { error, detail: Some(detail), ..Task::default() }
    }
}

/// CLOCK_MONOTONIC in nanoseconds, the clock the harness reads (through
/// glibc's vDSO: no system call).
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The result descriptor and the report's policy and limit lines.
pub struct Proto {
    out: BufWriter<File>,
    policy: Vec<String>,
    limits: Vec<String>,
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Proto {
    /// Reads the spec line from stdin and opens the result descriptor
    /// (CB_RESULT_FD, default 3). Exits the program on a malformed spec.
    pub fn open() -> (Proto, Spec) {
        let fd = std::env::var("CB_RESULT_FD").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
        // SAFETY: the harness opened this descriptor for us and nothing
        // else in the program uses it.
        let out = BufWriter::with_capacity(1 << 16, unsafe { File::from_raw_fd(fd) });
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line).ok();
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 2 || f[0] != "concbench-spec" || f[1] != "1" {
            eprintln!("rust-tokio: bad spec line {:?}", line);
            std::process::exit(2);
        }
        let mut s = Spec {
            kind: String::new(),
            n: 0,
            max_in_flight: 0,
            sleep: Duration::ZERO,
            timeout: Duration::from_secs(60),
            url: String::new(),
        };
        for kv in &f[2..] {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let num = v.parse::<u64>().unwrap_or(0);
            match k {
                "kind" => s.kind = v.to_string(),
                "n" => s.n = num as usize,
                "max_in_flight" => s.max_in_flight = num as usize,
                "sleep_ns" => s.sleep = Duration::from_nanos(num),
                "timeout_ns" => s.timeout = Duration::from_nanos(num),
                "url" => s.url = v.to_string(),
                _ => {}
            }
        }
        if s.n == 0 {
            eprintln!("rust-tokio: bad n in {:?}", line);
            std::process::exit(2);
        }
        (Proto { out, policy: Vec::new(), limits: Vec::new() }, s)
    }

    /// Tells the harness this spec cannot run here, and exits.
    pub fn skip(&mut self, why: &str) -> ! {
        let _ = writeln!(self.out, "skip {}", one_line(why));
        let _ = self.out.flush();
        std::process::exit(0);
    }

    /// Writes "ready" and waits for "go"; at EOF or anything else, exits
    /// with status 0 as the protocol asks.
    pub fn ready(&mut self) {
        if writeln!(self.out, "ready").and_then(|_| self.out.flush()).is_err() {
            eprintln!("rust-tokio: cannot write to the result descriptor");
            std::process::exit(1);
        }
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line).ok();
        if line.trim() != "go" {
            std::process::exit(0);
        }
    }

    pub fn policy(&mut self, text: String) {
        self.policy.push(text);
    }

    pub fn limit(&mut self, text: String) {
        self.limits.push(text);
    }

    /// Writes every slot, the policy and limit lines, and the end line.
    /// `hex_value`: VALUE is a body checksum (16 hex digits), else an index.
    pub fn report(&mut self, tasks: &[Task], t0: u64, t1: u64, hex_value: bool) -> io::Result<()> {
        let w = &mut self.out;
        let mut started = 0;
        for (k, t) in tasks.iter().enumerate() {
            if t.started != 0 {
                started += 1;
            }
            let error = if t.error.is_empty() { "ok" } else { t.error };
            write!(w, "task {} {} {} {} {} {} ", k, t.started, t.finished, error, t.status, t.bytes)?;
            if hex_value {
                write!(w, "{:016x}", t.value)?;
            } else {
                write!(w, "{}", t.value)?;
            }
            match &t.detail {
                Some(d) => writeln!(w, " {}", one_line(d))?,
                None => writeln!(w)?,
            }
        }
        // The protocol keeps one policy line: the choices, joined.
        if !self.policy.is_empty() {
            writeln!(w, "policy {}", one_line(&self.policy.join("; ")))?;
        }
        for l in &self.limits {
            writeln!(w, "limit {}", one_line(l))?;
        }
        writeln!(w, "end {} {} {}", t0, t1, started)?;
        w.flush()
    }
}

/// Continues an FNV-1a 64 checksum (strategies/body.h) over `data`.
pub fn fnv1a(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub const FNV_OFFSET: u64 = 0xcbf29ce484222325;
