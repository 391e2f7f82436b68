//! A loopback HTTP server that gives one fixed answer: what a presigned download URL or an AWS
//! endpoint says, where moto cannot say it (moto's code URLs do not resolve; its S3 sends no
//! extended request id).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Answers up to `answers` connections, one request each, then stops.
pub struct FakeHttp {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    thread: Option<JoinHandle<Vec<String>>>,
}

impl FakeHttp {
    /// `head` is the status line and headers without the blank line, e.g.
    /// `"HTTP/1.1 200 OK\r\nx-amz-request-id: R1"`; Content-Length and Connection are added.
    pub fn serve(head: &str, body: &[u8], answers: usize) -> FakeHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let response = [
            format!(
                "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes(),
            body.to_vec(),
        ]
        .concat();
        let thread = std::thread::spawn(move || {
            let mut seen = Vec::new();
            // A client that never comes must not hang the test binary.
            let deadline = Instant::now() + Duration::from_secs(20);
            while seen.len() < answers && Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                stream.set_nonblocking(false).ok();
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut reader = BufReader::new(stream);
                let mut request_line = String::new();
                reader.read_line(&mut request_line).ok();
                // The head, then as much body as it announces: a client whose body was not
                // read may see a reset instead of the answer.
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).ok();
                let mut stream = reader.into_inner();
                stream.write_all(&response).ok();
                stream.flush().ok();
                seen.push(request_line.trim_end().to_owned());
            }
            seen
        });
        FakeHttp {
            url,
            thread: Some(thread),
        }
    }

    /// The request lines received ("GET /path?query HTTP/1.1"), once every answer was given
    /// (or 20 s passed).
    pub fn requests(mut self) -> Vec<String> {
        self.thread
            .take()
            .map(|t| t.join().expect("the fake server's thread"))
            .unwrap_or_default()
    }
}
