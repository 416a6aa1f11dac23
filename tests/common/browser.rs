//! Headless Chromium for the tests that need a real browser (Debian's
//! `chromium`, installed by `scripts/setup --test`; `XIBU_CHROMIUM` picks
//! another binary).

use std::path::PathBuf;
use std::process::Command;

/// The Chromium binary: `XIBU_CHROMIUM`, else the first on PATH.
pub fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("XIBU_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Ok(o) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            if o.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            }
        }
    }
    panic!("no Chromium found: run scripts/setup --test (installs Debian's chromium) or set XIBU_CHROMIUM");
}

/// Run headless Chromium on a URL; returns (DOM after scripts, console lines).
pub fn render(url: &str, extra: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {out:?}");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// Headless Chromium driven through the DevTools protocol: a real browser
/// that fills forms, clicks and downloads. Killed when dropped.
pub struct Cdp {
    child: std::process::Child,
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    session: String,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Cdp {
    /// Start the browser with one blank tab.
    pub fn launch() -> Cdp {
        use std::io::BufRead;
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("run chromium");
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut url = None;
        for line in stderr.lines() {
            let line = line.unwrap();
            if let Some(u) = line.strip_prefix("DevTools listening on ") {
                url = Some(u.trim().to_string());
                break;
            }
        }
        let url = url.expect("chromium printed its DevTools address");
        let (ws, _) = tungstenite::connect(url.as_str()).expect("connect to DevTools");
        let mut cdp = Cdp {
            child,
            ws,
            session: String::new(),
            next: 0,
            _profile: profile,
        };
        let target = cdp.call(
            "Target.createTarget",
            serde_json::json!({"url": "about:blank"}),
        );
        let id = target["targetId"].as_str().unwrap().to_string();
        let attached = cdp.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": id, "flatten": true}),
        );
        cdp.session = attached["sessionId"].as_str().unwrap().to_string();
        cdp
    }

    /// One DevTools command (on the tab once attached); its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next += 1;
        let id = self.next;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty()
            && !method.starts_with("Target.")
            && !method.starts_with("Browser.")
        {
            msg["sessionId"] = self.session.clone().into();
        }
        self.ws
            .send(tungstenite::Message::Text(msg.to_string().into()))
            .unwrap();
        loop {
            let m = self.ws.read().expect("a DevTools message");
            let Ok(text) = m.to_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the tab (promises awaited).
    pub fn eval(&mut self, expr: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Wait until `expr` is truthy (polling), at most `secs` seconds.
    pub fn wait_for(&mut self, expr: &str, secs: u64) {
        let t = std::time::Instant::now();
        while self.eval(&format!("!!({expr})")) != serde_json::Value::Bool(true) {
            assert!(t.elapsed().as_secs() < secs, "never true: {expr}");
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// Choose `files` in the page's file input matching `selector`.
    pub fn set_files(&mut self, selector: &str, files: &[&std::path::Path]) {
        let doc = self.call("DOM.getDocument", serde_json::json!({}));
        let root = doc["root"]["nodeId"].clone();
        let node = self.call(
            "DOM.querySelector",
            serde_json::json!({"nodeId": root, "selector": selector}),
        );
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.call(
            "DOM.setFileInputFiles",
            serde_json::json!({"nodeId": node["nodeId"], "files": files}),
        );
    }
}

impl Drop for Cdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
