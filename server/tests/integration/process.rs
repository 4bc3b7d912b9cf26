//! The connection and the process: bounds that hold whatever a client sends, over real TCP.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use server::serve::{ConnectionLimits, serve};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use crate::helpers::{PUBLIC_URL, TestApp};

/// Serves `app` on a loopback port with `limits`; returns the address. The server stops with the test.
async fn start(app: Router, limits: ConnectionLimits) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(serve(listener, app, limits, std::future::pending()));
    addr
}

/// Whether the server has closed `stream` (a read gives end of file or an error) within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0_u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return true,
            // An error answer (408) before closing is fine; keep reading until the close.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_its_headers_a_byte_at_a_time_is_cut_off() {
    let limits = ConnectionLimits { header_read_timeout: Duration::from_secs(1), ..ConnectionLimits::default() };
    let addr = start(Router::new().route("/", get(|| async { "hello" })), limits).await;
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    let header = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut closed = false;
    for byte in header {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        if closed_within(&mut slow, Duration::from_millis(200)).await {
            closed = true;
            break;
        }
    }
    assert!(closed, "the connection was still open after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5), "closed after {:?}", started.elapsed());

    // An ordinary client on the same server is served.
    let mut quick = TcpStream::connect(addr).await.expect("connect");
    quick.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut answer = String::new();
    quick.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("hello"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let limits = ConnectionLimits { max_connections: 2, ..ConnectionLimits::default() };
    let addr = start(Router::new().route("/", get(|| async { "hello" })), limits).await;
    let _held: Vec<TcpStream> =
        futures_util::future::join_all((0..2).map(|_| TcpStream::connect(addr))).await.into_iter().flatten().collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.expect("the kernel accepts it into the backlog");
    third.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut buffer = [0_u8; 64];
    let waited = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buffer)).await;
    assert!(waited.is_err(), "a third connection is not served while two are open");
    drop(_held);
    let served = tokio::time::timeout(Duration::from_secs(5), third.read(&mut buffer)).await;
    assert!(matches!(served, Ok(Ok(n)) if n > 0), "served once a slot is free: {served:?}");
}

async fn boom() -> &'static str {
    panic!("boom")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_answers_500_with_the_security_headers() {
    let app = TestApp::empty().await;
    let router: Router =
        server::router::with_site_middleware(Router::new().route("/boom", get(boom)), app.pool.clone(), PUBLIC_URL);
    let request = axum::http::Request::get("/boom").body(axum::body::Body::empty()).expect("request");
    let response = router.oneshot(request).await.expect("an answer, not a dropped connection");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().contains_key("content-security-policy"));
    assert_eq!(response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
}

/// Sends a GET of `path` on `stream` and reads the whole answer (the request asks to close).
async fn get_on(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight_refuses_new_ones_and_is_bounded() {
    // Each handler says when it has begun, so that shutdown starts with both requests in flight.
    let (began_tx, mut began_rx) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let (slow_began, stuck_began) = (began_tx.clone(), began_tx);
    let slow = Router::new()
        .route(
            "/slow",
            get(move || {
                let began = slow_began.clone();
                async move {
                    let _ = began.send("slow");
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    "finished"
                }
            }),
        )
        .route(
            "/stuck",
            get(move || {
                let began = stuck_began.clone();
                async move {
                    let _ = began.send("stuck");
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    "never"
                }
            }),
        );
    let limits = ConnectionLimits { shutdown_grace: Duration::from_secs(2), ..ConnectionLimits::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, slow, limits, async {
        let _ = stopped.await;
    }));

    // A request in flight when shutdown begins is answered in full.
    let mut in_flight = TcpStream::connect(addr).await.expect("connect");
    let answer = tokio::spawn(async move { get_on(&mut in_flight, "/slow").await });
    // And one that would outlast the grace period holds shutdown no longer than that.
    let mut stuck = TcpStream::connect(addr).await.expect("connect");
    let stuck_answer = tokio::spawn(async move { get_on(&mut stuck, "/stuck").await });
    for _ in 0..2 {
        let handler = tokio::time::timeout(Duration::from_secs(10), began_rx.recv()).await;
        assert!(matches!(handler, Ok(Some(_))), "both requests reach their handlers: {handler:?}");
    }
    let began = Instant::now();
    stop.send(()).expect("the server is running");

    let answer = answer.await.expect("task");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("finished"), "{answer}");
    // Once shutdown began, the listener is closed: a new connection is refused.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "a new connection after shutdown is refused");

    let served = tokio::time::timeout(Duration::from_secs(10), server).await;
    let took = began.elapsed();
    assert!(matches!(served, Ok(Ok(Ok(())))), "serve returns: {served:?}");
    assert!(took >= Duration::from_millis(1_900), "it waited for the stuck request's grace: {took:?}");
    assert!(took < Duration::from_secs(5), "shutdown is bounded by the grace period: {took:?}");
    let stuck_answer = tokio::time::timeout(Duration::from_secs(5), stuck_answer).await.expect("closed").expect("task");
    assert!(!stuck_answer.contains("never"), "the stuck request was cut off: {stuck_answer}");
}
