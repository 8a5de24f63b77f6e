//! rust-tokio: a concbench peer strategy (strategies/PROTOCOL.md) written
//! the way tokio's users write it: `#[tokio::main]`, a `tokio::spawn` per
//! task awaited through its JoinHandle, `tokio::time::sleep` for the sleep
//! workload, hyper 0.14's pooled Client for the HTTP one, and a
//! `tokio::sync::Semaphore` for max_in_flight.

mod cbproto;

use cbproto::{fnv1a, now_ns, Proto, Task, FNV_OFFSET};
use hyper::body::HttpBody;
use hyper::client::HttpConnector;
use hyper::{Client, Uri};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// The first "too many open files", for the limit line.
static LIMIT: Mutex<Option<String>> = Mutex::new(None);

// The spec and "ready"/"go" are read with blocking calls inside the async
// main: nothing else runs on the runtime before "go", so nothing waits.
#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("tokio {} ({})", env!("CB_TOKIO_VERSION"), env!("CB_RUSTC_VERSION"));
        return;
    }
    let (mut proto, spec) = Proto::open();
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let in_flight = if spec.max_in_flight > 0 { spec.max_in_flight.min(spec.n) } else { spec.n };
    let (tasks, t0, t1) = match spec.kind.as_str() {
        "sleep" => {
            proto.policy(format!(
                "tokio {} multi-thread runtime ({} workers), tokio::spawn per task, tokio::time::sleep",
                env!("CB_TOKIO_VERSION"),
                workers
            ));
            let d = spec.sleep;
            proto.ready();
            run_all(spec.n, spec.max_in_flight, move |k| async move {
                let started = now_ns();
                tokio::time::sleep(d).await;
                Task { started, finished: now_ns(), value: k as u64, ..Task::default() }
            })
            .await
        }
        "http" => {
            let uri: Uri = match spec.url.parse() {
                Ok(u) => u,
                Err(e) => proto.skip(&format!("bad url {}: {}", spec.url, e)),
            };
            // hyper's Client keeps every connection alive in its pool; it
            // has no cap of its own on connections, so up to in_flight open.
            let client: Client<HttpConnector> =
                Client::builder().pool_max_idle_per_host(in_flight).build_http();
            proto.policy(format!(
                "tokio {} multi-thread runtime ({} workers), tokio::spawn per task, hyper 0.14 \
                 Client, keep-alive pool (max idle per host {})",
                env!("CB_TOKIO_VERSION"),
                workers,
                in_flight
            ));
            let timeout = spec.timeout;
            proto.ready();
            run_all(spec.n, spec.max_in_flight, move |k| {
                let (client, uri) = (client.clone(), uri.clone());
                async move {
                    let started = now_ns();
                    let mut t = get(&client, uri, timeout, k).await;
                    t.started = started;
                    t.finished = now_ns();
                    t
                }
            })
            .await
        }
        other => proto.skip(&format!("unknown kind {}", other)),
    };
    if spec.max_in_flight > 0 {
        proto.policy(format!("at most {} in flight: a tokio::sync::Semaphore", spec.max_in_flight));
    }
    if let Some(l) = LIMIT.lock().unwrap().take() {
        proto.limit(l);
    }
    if let Err(e) = proto.report(&tasks, t0, t1, spec.kind == "http") {
        eprintln!("rust-tokio: writing results: {}", e);
        std::process::exit(1);
    }
}

/// Spawns a task per index (each waiting for a semaphore permit first when
/// max_in_flight > 0), awaits every JoinHandle in order, and returns the
/// slots with t0 and t1. `work(k)` stamps its own start and finish: a
/// wrapping async block that awaited it would hold the inner future twice
/// (rustc 1.63 does not overlap a moved-in future with its awaited copy),
/// and tokio 1.24's Sleep alone is 640 bytes.
async fn run_all<F, Fut>(n: usize, max_in_flight: usize, work: F) -> (Vec<Task>, u64, u64)
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Task> + Send + 'static,
{
    let sem = (max_in_flight > 0).then(|| Arc::new(Semaphore::new(max_in_flight)));
    let t0 = now_ns();
    let mut handles = Vec::with_capacity(n);
    for k in 0..n {
        let fut = work(k);
        match &sem {
            None => handles.push(tokio::spawn(fut)),
            Some(s) => {
                let permit = s.clone().acquire_owned().await.expect("semaphore closed");
                handles.push(tokio::spawn(async move {
                    let t = fut.await;
                    drop(permit);
                    t
                }));
            }
        }
    }
    let mut tasks = Vec::with_capacity(n);
    for h in handles {
        tasks.push(h.await.unwrap_or_else(|e| Task::failed("other", format!("task failed: {}", e))));
    }
    (tasks, t0, now_ns())
}

/// One GET: status, body bytes and their FNV-1a 64 as received; the
/// harness judges them.
async fn get(client: &Client<HttpConnector>, uri: Uri, timeout: Duration, k: usize) -> Task {
    let mut t = Task { value: FNV_OFFSET, ..Task::default() };
    let mut in_body = false;
    let res = tokio::time::timeout(timeout, async {
        let resp = client.get(uri).await?;
        t.status = resp.status().as_u16();
        in_body = true;
        let mut body = resp.into_body();
        while let Some(chunk) = body.data().await {
            let chunk = chunk?;
            t.bytes += chunk.len() as u64;
            t.value = fnv1a(t.value, &chunk);
        }
        Ok::<_, hyper::Error>(())
    })
    .await;
    match res {
        Ok(Ok(())) => {}
        Err(_) => {
            t.error = "timeout";
            t.detail = Some(format!("no response within {:?}", timeout));
        }
        Ok(Err(e)) => {
            t.error = classify(&e, in_body);
            let text = error_chain(&e);
            if t.error == "emfile" {
                let mut l = LIMIT.lock().unwrap();
                if l.is_none() {
                    *l = Some(format!("{} (RLIMIT_NOFILE {}, first at task {})", text, nofile(), k));
                }
            }
            t.detail = Some(text);
        }
    }
    t
}

/// The error and those of its sources its text does not already include,
/// as one line ("error trying to connect: tcp open error: Too many open
/// files (os error 24)").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let more = c.to_string();
        if !s.contains(&more) {
            s.push_str(": ");
            s.push_str(&more);
        }
        src = c.source();
    }
    s
}

/// The protocol's error name (cb_error_name()) for a hyper error: the OS
/// error underneath where there is one.
fn classify(e: &hyper::Error, in_body: bool) -> &'static str {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = src {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.raw_os_error() {
                Some(libc::EMFILE) | Some(libc::ENFILE) => return "emfile",
                Some(libc::ECONNREFUSED) => return "refused",
                Some(libc::ECONNRESET) | Some(libc::EPIPE) => return "reset",
                Some(libc::EADDRNOTAVAIL) => return "eaddrnotavail",
                Some(libc::ENOMEM) => return "nomem",
                Some(libc::ETIMEDOUT) => return "timeout",
                _ => {}
            }
        }
        src = c.source();
    }
    if e.is_timeout() {
        "timeout"
    } else if e.is_incomplete_message() && in_body {
        "bad_body"
    } else if e.is_incomplete_message() || e.is_closed() {
        "reset"
    } else {
        "other"
    }
}

/// RLIMIT_NOFILE's soft limit.
fn nofile() -> u64 {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: rl is a valid rlimit.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) };
    rl.rlim_cur as u64
}
