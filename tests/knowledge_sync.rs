//! `adf knowledge sync` against a loopback server in the PyPI JSON API shape: a fictitious
//! torch-npu 9.9.9 that requires torch==9.9.9 (x86_64 wheels: 9.9.9+cpu) with only cp311 wheels.
//! After the sync every command knows it; with the server gone the sync fails clearly and the
//! overlay is byte-identical.

mod common;
use common::{adf_with, Output};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A tiny HTTP/1.1 server on 127.0.0.1 (a port in 5130–5139) serving fixed bodies.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(files: HashMap<String, String>) -> Server {
        let listener = (5130..=5139)
            .find_map(|p| TcpListener::bind(("127.0.0.1", p)).ok())
            .expect("a free port in 5130-5139");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (s, h) = (stop.clone(), hits.clone());
        let files: HashMap<String, String> = files
            .into_iter()
            .map(|(k, v)| (k, v.replace("{PORT}", &port.to_string())))
            .collect();
        let handle = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                h.lock().expect("lock").push(path.clone());
                let (status, body) = match files.get(&path) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", "not found".to_string()),
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Server {
            port,
            stop,
            handle: Some(handle),
            hits,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wheel(file: &str) -> String {
    format!(
        r#"{{"filename": "{file}", "url": "http://127.0.0.1:{{PORT}}/files/{file}", "packagetype": "bdist_wheel", "requires_python": null, "yanked": false, "core_metadata": {{"sha256": "0"}}}}"#
    )
}

/// The fixture index: torch-npu 9.9.9 (new to adf) and 2.7.1 (known: wheels cp39–cp311).
fn fixture() -> HashMap<String, String> {
    let a = "torch_npu-9.9.9-cp311-cp311-manylinux_2_28_aarch64.whl";
    let x = "torch_npu-9.9.9-cp311-cp311-manylinux_2_28_x86_64.whl";
    let old: Vec<String> = ["cp39", "cp310", "cp311"]
        .iter()
        .map(|t| {
            wheel(&format!(
                "torch_npu-2.7.1-{t}-{t}-manylinux_2_28_aarch64.whl"
            ))
        })
        .collect();
    let project = format!(
        r#"{{"info": {{"name": "torch-npu", "version": "9.9.9", "requires_dist": ["torch==9.9.9"], "requires_python": null}},
            "releases": {{"9.9.9": [{}, {}], "2.7.1": [{}], "0.0.1": []}}}}"#,
        wheel(a),
        wheel(x),
        old.join(", ")
    );
    let release = r#"{"info": {"name": "torch-npu", "version": "9.9.9", "requires_dist": ["torch==9.9.9"], "requires_python": null}, "urls": []}"#;
    let mut m = HashMap::new();
    m.insert("/pypi/torch-npu/json".to_string(), project);
    m.insert(
        "/pypi/torch-npu/9.9.9/json".to_string(),
        release.to_string(),
    );
    m.insert(
        format!("/files/{a}.metadata"),
        "Metadata-Version: 2.1\nName: torch_npu\nVersion: 9.9.9\nRequires-Dist: torch==9.9.9\n\nDescription".into(),
    );
    m.insert(
        format!("/files/{x}.metadata"),
        "Metadata-Version: 2.1\nName: torch_npu\nVersion: 9.9.9\nRequires-Dist: torch==9.9.9+cpu\n"
            .into(),
    );
    m
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }
    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }
    fn overlay(&self) -> PathBuf {
        self.cache().join("knowledge-overlay.toml")
    }
    /// adf with this cache directory and no index in the environment (unless given).
    fn adf(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let cache = self.cache();
        let mut all: Vec<(&str, &str)> = vec![
            ("ADF_CACHE_DIR", cache.to_str().expect("utf8")),
            ("ADF_PYPI_INDEX", ""),
            ("PIP_INDEX_URL", ""),
        ];
        all.extend_from_slice(env);
        adf_with(self.dir.path(), args, &all)
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("overlay exists")
}

#[test]
fn sync_teaches_every_command_and_a_dead_index_leaves_the_overlay_alone() {
    let home = Home::new();
    // before the sync: 9.9.9 is newer than the built-in knowledge
    let before = home.adf(
        &["compat", "--check", "torch_npu=9.9.9", "torch=9.9.8"],
        &[],
    );
    assert_eq!(before.code, 0, "{}", before.stdout);
    assert!(
        before.stdout.contains("newer than adf's knowledge of")
            && before.stdout.contains("run `adf knowledge sync`"),
        "{}",
        before.stdout
    );

    let mut server = Server::start(fixture());
    let url = server.url();
    let out = home.adf(
        &[
            "knowledge",
            "sync",
            "--index",
            &url,
            "--package",
            "torch-npu",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("new to adf: 9.9.9"), "{}", out.stdout);
    let text = String::from_utf8(read(&home.overlay())).expect("utf8");
    assert!(text.contains(&format!("index = \"{url}\"")), "{text}");
    assert!(text.contains("synced = \"20"), "{text}");
    // only what adf does not know is asked about release by release
    let hits = server.hits.lock().expect("lock").clone();
    assert!(
        hits.contains(&"/pypi/torch-npu/9.9.9/json".to_string()),
        "{hits:?}"
    );
    assert!(!hits.iter().any(|h| h.contains("2.7.1")), "{hits:?}");

    // every command reads the overlay after the built-in data
    let wrong_torch = home.adf(
        &["compat", "--check", "torch_npu=9.9.9", "torch=9.9.8"],
        &[],
    );
    assert_eq!(wrong_torch.code, 2, "{}", wrong_torch.stdout);
    assert!(
        wrong_torch
            .stdout
            .contains("requires torch ==9.9.9 | ==9.9.9+cpu"),
        "{}",
        wrong_torch.stdout
    );
    assert!(
        wrong_torch.stdout.contains(&url),
        "cites the index: {}",
        wrong_torch.stdout
    );
    let wrong_python = home.adf(
        &["compat", "--check", "torch_npu=9.9.9", "python=3.12"],
        &[],
    );
    assert_eq!(wrong_python.code, 2, "{}", wrong_python.stdout);
    assert!(
        wrong_python.stdout.contains("python >=3.11,<3.12"),
        "{}",
        wrong_python.stdout
    );
    let good = home.adf(
        &[
            "compat",
            "--check",
            "torch_npu=9.9.9",
            "torch=9.9.9+cpu",
            "python=3.11",
        ],
        &[],
    );
    assert_eq!(good.code, 0, "{}", good.stdout);
    let answer = home.adf(&["compat", "--torch-npu", "9.9.9"], &[]);
    assert!(answer.stdout.contains("SYNC"), "{}", answer.stdout);
    let df = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG TORCH_VERSION\nARG TORCH_NPU_VERSION\n";
    let yaml = "images:\n  t:\n    build: {context: ., args: {BASE_IMAGE: \"ubuntu:22.04\", TORCH_VERSION: \"9.9.8\", TORCH_NPU_VERSION: \"9.9.9\"}}\n    tags: [x/t:1]\n";
    std::fs::write(home.dir.path().join("Dockerfile"), df).expect("write");
    std::fs::write(home.dir.path().join("dockerfile-compose.yaml"), yaml).expect("write");
    let check = home.adf(&["check"], &[]);
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert!(
        check.stderr.contains("requires torch ==9.9.9"),
        "{}",
        check.stderr
    );

    let status = home.adf(&["knowledge", "status"], &[]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.stdout.contains("built-in knowledge: snapshot 20"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains(&format!("from {url}")) && status.stdout.contains("1 new versions"),
        "{}",
        status.stdout
    );

    // the index goes away: a clear failure, exit 1, the overlay byte-identical
    let saved = read(&home.overlay());
    server.stop();
    let offline = home.adf(
        &[
            "knowledge",
            "sync",
            "--index",
            &url,
            "--package",
            "torch-npu",
        ],
        &[],
    );
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    assert!(
        offline
            .stderr
            .contains("knowledge sync failed: cannot reach")
            && offline.stderr.contains("is unchanged"),
        "{}",
        offline.stderr
    );
    assert_eq!(read(&home.overlay()), saved);
    let still = home.adf(
        &["compat", "--check", "torch_npu=9.9.9", "torch=9.9.8"],
        &[],
    );
    assert_eq!(still.code, 2);
}

#[test]
fn bad_answers_and_bad_input_leave_the_overlay_alone() {
    let home = Home::new();
    let server = Server::start(fixture());
    let url = server.url();
    let ok = home.adf(
        &["knowledge", "sync", "--package", "torch-npu"],
        &[("PIP_INDEX_URL", &format!("{url}/simple/"))],
    );
    assert_eq!(
        ok.code, 0,
        "PIP_INDEX_URL's /simple is dropped: {}",
        ok.stderr
    );
    let saved = read(&home.overlay());
    drop(server);

    // an answer that is not the JSON API: exit 1
    let mut files = HashMap::new();
    files.insert(
        "/pypi/torch-npu/json".to_string(),
        "<html>simple index</html>".to_string(),
    );
    let html = Server::start(files);
    let out = home.adf(
        &[
            "knowledge",
            "sync",
            "--index",
            &html.url(),
            "--package",
            "torch-npu",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not a PyPI JSON API answer"),
        "{}",
        out.stderr
    );
    assert_eq!(read(&home.overlay()), saved);
    // none of the packages on the index: the URL is wrong, exit 2
    let out = home.adf(
        &[
            "knowledge",
            "sync",
            "--index",
            &html.url(),
            "--package",
            "vllm-ascend",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("JSON API base"), "{}", out.stderr);
    assert_eq!(read(&home.overlay()), saved);
    drop(html);

    // no index anywhere: exit 2 naming --index
    let out = home.adf(&["knowledge", "sync"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("pass `--index URL`"), "{}", out.stderr);
    let out = home.adf(&["knowledge", "sync", "--index", "ftp://x/y"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = home.adf(
        &[
            "knowledge",
            "sync",
            "--index",
            "http://127.0.0.1:5139",
            "--package",
            "../x",
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(read(&home.overlay()), saved);
}

#[test]
fn status_without_an_overlay() {
    let home = Home::new();
    let out = home.adf(&["knowledge", "status"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("overlay: none"), "{}", out.stdout);
    let v = home.adf(&["--version"], &[]);
    assert!(v.stdout.contains("knowledge 20"), "{}", v.stdout);
}
