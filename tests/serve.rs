//! `xibu serve`: the server started on a free port, called through its API
//! (errors of a broken file, byte-equality with `xibu allocate`, backfill
//! and scenarios rounds, traversal, the token, jobs listed after a restart)
//! and its page driven in headless Chromium.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// A running `xibu serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xibu"))
            .args(["serve", "--port", "0", "--data"])
            .arg(data)
            .args(extra)
            .env_remove("LC_ALL")
            .env("LANG", "zh_CN.UTF-8")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start xibu serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("http://"),
            "first line is the address: {line:?}"
        );
        Server {
            child,
            url: line.trim().to_string(),
        }
    }

    /// `path` on this server (the token of the address kept).
    fn at(&self, path: &str) -> String {
        let (base, query) = self.url.split_once('?').unwrap_or((&self.url, ""));
        let base = base.trim_end_matches('/');
        let sep = if path.contains('?') { '&' } else { '?' };
        if query.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}{sep}{query}")
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (status, body) of a request; 4xx and 5xx are answers too.
fn call(r: Result<ureq::Response, ureq::Error>) -> (u16, Vec<u8>) {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
    (status, body)
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

/// A multipart form: (field, Some(file name), bytes) for files, None for values.
fn multipart(parts: &[(&str, Option<&str>, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "xibu-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{boundary}\r\n").bytes());
        match file {
            Some(f) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes()),
        }
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post(url: &str, parts: &[(&str, Option<&str>, Vec<u8>)]) -> (u16, Value) {
    let (kind, body) = multipart(parts);
    let (status, bytes) = call(ureq::post(url).set("Content-Type", &kind).send_bytes(&body));
    (status, json(&bytes))
}

/// The example's files as form fields.
fn example_parts(dir: &Path) -> Vec<(&'static str, Option<&'static str>, Vec<u8>)> {
    [
        ("candidates", "candidates.csv"),
        ("posts", "posts.csv"),
        ("counties", "counties.csv"),
        ("incumbents", "incumbents.csv"),
        ("model", "model.toml"),
    ]
    .into_iter()
    .map(|(role, name)| (role, Some(name), std::fs::read(dir.join(name)).unwrap()))
    .collect()
}

/// Poll a job until its latest round has finished.
fn wait(s: &Server, id: &str) -> Value {
    let t = Instant::now();
    loop {
        let (code, body) = call(ureq::get(&s.at(&format!("/api/jobs/{id}"))).call());
        assert_eq!(code, 200);
        let j = json(&body);
        if !matches!(j["status"].as_str(), Some("queued" | "running")) {
            return j;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "job never finished: {j}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn get(s: &Server, url: &str) -> (u16, Vec<u8>) {
    call(ureq::get(&s.at(url)).call())
}

#[test]
fn the_api_runs_a_job_as_the_cli_does_and_keeps_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let s = Server::start(&data, &[]);
    let dir = example_dir("rules-ties-incumbents");

    // A broken file: every problem at once, at its file, line and column.
    let mut parts = example_parts(&dir);
    parts[0].2 = "id,score,preferences,体检结论\nC1,x,G9999,合格\n".into();
    let (code, body) = post(&s.at("/api/jobs"), &parts);
    assert_eq!(code, 400, "{body}");
    let errs = body["errors"].as_array().unwrap();
    let at = |line: u64, col: u64| {
        errs.iter()
            .find(|e| e["line"] == line && e["column"] == col)
            .unwrap_or_else(|| panic!("no problem at {line}:{col} in {body}"))
    };
    assert_eq!(at(1, 4)["file"], "candidates.csv");
    assert!(at(2, 2)["message"]
        .as_str()
        .unwrap()
        .contains("不是有效的数"));
    assert!(
        !body.to_string().contains(data.to_str().unwrap()),
        "the server's folders are never shown: {body}"
    );

    // The example: the same dispatch, unplaced and reserves as the CLI.
    let mut parts = example_parts(&dir);
    parts.push(("seed", None, b"0".to_vec()));
    let (code, body) = post(&s.at("/api/jobs"), &parts);
    assert_eq!(code, 201, "{body}");
    // Each file's columns as `check` reads them, by the uploaded name.
    let cols = &body["columns"];
    assert!(
        cols.as_array()
            .unwrap()
            .iter()
            .any(|c| c["file"] == "posts.csv"
                && c["recognised"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["column"] == "seats")),
        "{body}"
    );
    let id = body["id"].as_str().unwrap().to_string();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let job = wait(&s, &id);
    assert_eq!(job["status"], "done", "{job}");
    let expected = expected("rules-ties-incumbents");
    let cli = tmp.path().join("cli");
    let o = allocate_into(&inputs_in(&dir, "csv", 0), &cli, &[]);
    assert_eq!(o.status.code(), Some(0));
    for f in ["dispatch.csv", "unplaced.csv", "reserves.csv"] {
        let url = job["files"][f]
            .as_str()
            .unwrap_or_else(|| panic!("{f} in {job}"));
        let (code, bytes) = get(&s, url);
        assert_eq!(code, 200);
        assert_eq!(
            bytes,
            std::fs::read(cli.join(f)).unwrap(),
            "{f} differs from the CLI's"
        );
    }
    assert_eq!(
        job["summary"]["objective"], expected["objective"],
        "the example's proven optimum"
    );
    // The county workbooks in one zip.
    let (code, zip) = get(&s, job["files"]["各旗县名单.zip"].as_str().unwrap());
    assert_eq!(code, 200);
    let n = zip::ZipArchive::new(std::io::Cursor::new(zip))
        .unwrap()
        .len();
    assert_eq!(n, 10, "one workbook per county of counties.csv");

    // File names come from the folder's listing, never from the path.
    for bad in [
        format!("/api/jobs/{id}/files/out/..%2Fjob.json"),
        format!("/api/jobs/{id}/files/inputs/candidates.csv"),
        format!("/api/jobs/{id}/files/..%2F..%2Fjobs/job.json"),
        "/api/jobs/..%2F..%2Fetc/files/out/passwd".to_string(),
        format!("/api/jobs/{}/files/out/dispatch.csv", "0".repeat(32)),
    ] {
        assert_eq!(get(&s, &bad).0, 404, "{bad}");
    }

    // A backfill round on the dispatch, then scenarios on the inputs.
    let dispatch = std::fs::read_to_string(cli.join("dispatch.csv")).unwrap();
    let gone = dispatch.lines().nth(1).unwrap().split(',').next().unwrap();
    let withdrawn = format!("id\n{gone}\n").into_bytes();
    let (code, body) = post(
        &s.at(&format!("/api/jobs/{id}/backfill")),
        &[
            ("withdrawn", Some("withdrawn.csv"), withdrawn),
            ("allow_shortfall", None, b"1".to_vec()),
        ],
    );
    assert_eq!(code, 202, "{body}");
    assert_eq!(body["set"], "backfill-1");
    let job = wait(&s, &id);
    assert_eq!(job["status"], "done", "{job}");
    let (code, changes) = get(
        &s,
        job["files"]["backfill-1/dispatch.csv"].as_str().unwrap(),
    );
    assert_eq!(code, 200);
    assert!(!String::from_utf8_lossy(&changes).contains(&format!("\n{gone},")));
    let toml = b"[[scenario]]\nname = \"base\"\n\n[[scenario]]\nname = \"edu30\"\nset = { \"rule.rural_education_share.share\" = 0.30 }\n".to_vec();
    let (code, body) = post(
        &s.at(&format!("/api/jobs/{id}/scenarios")),
        &[("scenarios", Some("s.toml"), toml)],
    );
    assert_eq!(code, 202, "{body}");
    let job = wait(&s, &id);
    assert_eq!(job["status"], "done", "{job}");
    assert!(
        job["files"]["scenarios-1/comparison.html"].is_string(),
        "{job}"
    );

    // verify: the job's run.json reproduces.
    let (code, body) = call(ureq::post(&s.at(&format!("/api/jobs/{id}/verify"))).call());
    assert_eq!(code, 200);
    assert_eq!(
        json(&body)["reproduced"],
        true,
        "{}",
        String::from_utf8_lossy(&body)
    );

    // After a restart the job is listed again, with its files.
    drop(s);
    let s = Server::start(&data, &[]);
    let (_, body) = get(&s, "/api/jobs");
    let list = json(&body);
    assert!(
        list["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == id.as_str()),
        "{list}"
    );
    assert_eq!(
        get(&s, &format!("/api/jobs/{id}/files/out/dispatch.csv")).0,
        200
    );
}

#[test]
fn a_non_local_address_needs_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(
        &tmp.path().join("d"),
        &["--bind", "0.0.0.0", "--token", "sesame"],
    );
    assert!(s.url.ends_with("?token=sesame"), "{}", s.url);
    let port = s.url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let bare = format!("http://127.0.0.1:{port}/api/jobs");
    let (code, body) = call(ureq::get(&bare).call());
    assert_eq!(code, 401, "{}", String::from_utf8_lossy(&body));
    let (code, _) = call(
        ureq::get(&bare)
            .set("Authorization", "Bearer sesame")
            .call(),
    );
    assert_eq!(code, 200);
    let (code, _) = call(ureq::get(&format!("{bare}?token=sesame")).call());
    assert_eq!(code, 200);
    let (code, _) = call(ureq::get(&bare).set("Authorization", "Bearer wrong").call());
    assert_eq!(code, 401);
    // A token with characters a URL escapes, as the page sends it.
    let s = Server::start(
        &tmp.path().join("f"),
        &["--bind", "0.0.0.0", "--token", "a b&c%"],
    );
    let port = s.url.split(':').nth(2).unwrap().split('/').next().unwrap();
    assert!(s.url.ends_with("?token=a%20b%26c%25"), "{}", s.url);
    let url = format!("http://127.0.0.1:{port}/api/jobs?token=a%20b%26c%25");
    assert_eq!(call(ureq::get(&url).call()).0, 200);
    // Without --token, a generated one is printed and required.
    let s = Server::start(&tmp.path().join("e"), &["--bind", "0.0.0.0"]);
    let token = s.url.split("?token=").nth(1).expect("a generated token");
    assert!(token.len() >= 32, "{token}");
}

#[test]
fn an_upload_over_the_limit_gets_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("d"), &["--max-upload-mb", "1"]);
    // Just over the limit: a body far larger is cut off mid-write when the
    // server answers early and closes (a broken pipe in the client,
    // seen once under load), which says nothing about the answer.
    let big = vec![b'x'; (1 << 20) + (16 << 10)];
    let (code, body) = post(
        &s.at("/api/jobs"),
        &[("candidates", Some("candidates.csv"), big.clone())],
    );
    assert_eq!(code, 413, "{body}");
    assert!(body.to_string().contains("1 MB"), "{body}");
    assert!(
        body.to_string().contains("上限"),
        "Chinese by default: {body}"
    );
    // With --lang en, the page and the errors are English.
    let s = Server::start(
        &tmp.path().join("e"),
        &["--max-upload-mb", "1", "--lang", "en"],
    );
    let (code, body) = post(
        &s.at("/api/jobs"),
        &[("candidates", Some("candidates.csv"), big.clone())],
    );
    assert_eq!(code, 413);
    assert!(
        body.to_string().contains("larger than the 1 MB limit"),
        "{body}"
    );
    let (_, page) = get(&s, "/");
    assert!(String::from_utf8_lossy(&page).contains("<html lang=\"en\">"));
}

/// The page in a real browser: it lists the job, shows the report's
/// numbers and links the dispatch list for download.
#[test]
fn the_page_shows_a_job_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("d"), &[]);
    let dir = example_dir("rules-ties-incumbents");
    let (code, body) = post(&s.at("/api/jobs"), &example_parts(&dir));
    assert_eq!(code, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let job = wait(&s, &id);
    let placed = job["summary"]["placed"].as_u64().unwrap();
    let (dom, console) = browser::render(
        &format!("{}#{id}", s.at("/")),
        &["--dump-dom", "--virtual-time-budget=5000"],
    );
    assert!(
        console.iter().all(|l| !l.contains("Uncaught")),
        "{console:?}"
    );
    assert!(dom.contains("西部计划志愿者分配"), "the page is Chinese");
    assert!(
        dom.contains(&format!("id=\"placed\">{placed}<")),
        "the summary's placed count in the page: {dom}"
    );
    assert!(dom.contains(&id[..8]), "the job is listed");
    let link = format!("/api/jobs/{id}/files/out/dispatch.csv");
    assert!(dom.contains(&link), "the dispatch list is linked");
    assert!(dom.contains("report.html"), "the report is shown inline");
    // No external URL, font or script.
    let (_, page) = get(&s, "/");
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("https://") && !page.contains("src=\"http"));
}

/// The office's way: in a real browser, choose the files, run, see the
/// report's numbers and download the dispatch list, byte for byte the
/// CLI's.
#[test]
fn the_page_uploads_runs_and_downloads_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start(&tmp.path().join("d"), &[]);
    let dir = example_dir("rules-ties-incumbents");
    let mut b = browser::Cdp::launch();
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    b.call(
        "Browser.setDownloadBehavior",
        serde_json::json!({"behavior": "allow", "downloadPath": downloads.display().to_string()}),
    );
    b.call("Page.enable", serde_json::json!({}));
    b.call("Page.navigate", serde_json::json!({"url": s.at("/")}));
    b.wait_for(
        "document.readyState === 'complete' && document.getElementById('run')",
        20,
    );
    for role in ["candidates", "posts", "counties", "incumbents"] {
        let f = dir.join(format!("{role}.csv"));
        b.set_files(&format!("input[name={role}]"), &[&f]);
    }
    b.set_files("input[name=model]", &[&dir.join("model.toml")]);
    // A broken candidates file: the page lists the problems at their place.
    let broken = tmp.path().join("candidates.csv");
    std::fs::write(&broken, "id,score,preferences\nC1,x,G0001\n").unwrap();
    b.set_files("input[name=candidates]", &[&broken]);
    b.eval("document.getElementById('run').click()");
    b.wait_for(
        "document.getElementById('errors').innerText.includes('不是有效的数')",
        20,
    );
    let row = b.eval("document.querySelector('#errors tr:nth-child(2)').innerText");
    assert!(
        row.as_str().unwrap().starts_with("candidates.csv\t2\t2"),
        "{row}"
    );
    b.set_files("input[name=candidates]", &[&dir.join("candidates.csv")]);
    b.eval("document.getElementById('run').click()");
    b.wait_for("document.getElementById('placed')", 60);
    let placed = b.eval("document.getElementById('placed').textContent");
    let expected = expected("rules-ties-incumbents");
    assert_eq!(
        placed.as_str(),
        Some(expected["placed"].to_string().as_str())
    );
    let envy = b.eval("document.getElementById('envy').textContent");
    assert_eq!(
        envy.as_str(),
        Some(expected["objective"]["envy"].to_string().as_str())
    );
    // The report is shown in the page, and its numbers are the summary's.
    let shown =
        "document.getElementById('report').contentDocument?.body?.innerText.includes('安置人数')";
    let t = Instant::now();
    while b.eval(&format!("!!({shown})")) != Value::Bool(true) {
        let state = b.eval("[document.getElementById('report').src, document.getElementById('report').contentDocument?.body?.innerText?.slice(0, 200)]");
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the report is not shown: {state}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Download the dispatch list by its link.
    b.eval("[...document.querySelectorAll('#files a')].find(a => a.textContent === 'dispatch.csv').click()");
    let got = downloads.join("dispatch.csv");
    let t = Instant::now();
    while !got.exists() {
        assert!(t.elapsed() < Duration::from_secs(20), "no download");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let cli = tmp.path().join("cli");
    let o = allocate_into(&inputs_in(&dir, "csv", 0), &cli, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read(got).unwrap(),
        std::fs::read(cli.join("dispatch.csv")).unwrap()
    );
    // What each file's header was read as.
    let cols = b.eval("document.getElementById('columns').innerText");
    assert!(
        cols.as_str().unwrap().contains("candidates.csv 识别的列"),
        "{cols}"
    );

    // A backfill round by ticking who withdrew in the dispatch list.
    b.wait_for("document.querySelector('.gone')", 20);
    let gone = b.eval("document.querySelector('.gone').value");
    b.eval("document.querySelector('.gone').click(); document.querySelector('input[name=allow_shortfall]').click(); document.getElementById('bfrun').click()");
    b.wait_for(
        "document.getElementById('rounds').innerText.includes('backfill-1\t完成')",
        60,
    );
    let job_id = b.eval("location.hash.slice(1)");
    let (_, body) = get(&s, &format!("/api/jobs/{}", job_id.as_str().unwrap()));
    let job = json(&body);
    let (_, after) = get(
        &s,
        job["files"]["backfill-1/dispatch.csv"].as_str().unwrap(),
    );
    let gone = gone.as_str().unwrap();
    assert!(
        !String::from_utf8_lossy(&after).contains(&format!("\n{gone},")),
        "{gone} left"
    );

    // Scenarios defined in the form; the comparison is shown in the page.
    b.eval(
        "document.querySelector('.scn').value = 'base'; \
         document.getElementById('scadd').click(); \
         const r = document.querySelectorAll('#scrows tr')[2]; \
         r.querySelector('.scn').value = 'edu30'; \
         r.querySelector('.sck').value = 'rule.rural_education_share.share'; \
         r.querySelector('.scv').value = '0.3'; \
         document.getElementById('scrun').click()",
    );
    b.wait_for(
        "document.getElementById('rounds').innerText.includes('scenarios-1\t完成')",
        60,
    );
    b.wait_for(
        "document.getElementById('report').src.endsWith('comparison.html')",
        20,
    );
    let (_, body) = get(&s, &format!("/api/jobs/{}", job_id.as_str().unwrap()));
    let job = json(&body);
    assert!(
        job["files"]["scenarios-1/edu30/dispatch.csv"].is_null(),
        "only the round's top files are listed"
    );
    assert!(
        job["files"]["scenarios-1/comparison.csv"].is_string(),
        "{job}"
    );
}

/// Two jobs solve at once, each on its own thread, and a solve in progress
/// stops soon after it is cancelled.
#[test]
fn two_jobs_run_at_once_and_a_running_solve_can_be_cancelled() {
    let tmp = tempfile::tempdir().unwrap();
    let inst = tmp.path().join("inst");
    let g = xibu_str(&[
        "generate",
        "--candidates",
        "1000",
        "--posts",
        "200",
        "--seed",
        "1",
        "--out",
        inst.to_str().unwrap(),
    ]);
    assert_eq!(g.status.code(), Some(0));
    let s = Server::start(&tmp.path().join("d"), &[]);
    let parts = || {
        let mut p: Vec<(&str, Option<&str>, Vec<u8>)> =
            ["candidates", "posts", "counties", "incumbents"]
                .iter()
                .map(|r| {
                    (
                        *r,
                        Some("x.csv"),
                        std::fs::read(inst.join(format!("{r}.csv"))).unwrap(),
                    )
                })
                .collect();
        p.push((
            "model",
            Some("model.toml"),
            std::fs::read(inst.join("model.toml")).unwrap(),
        ));
        p.push(("time_limit", None, b"300".to_vec()));
        p
    };
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let (code, body) = post(&s.at("/api/jobs"), &parts());
            assert_eq!(code, 201, "{body}");
            body["id"].as_str().unwrap().to_string()
        })
        .collect();
    let status = |id: &str| {
        let (_, b) = get(&s, &format!("/api/jobs/{id}"));
        json(&b)
    };
    let t = Instant::now();
    while !ids.iter().all(|id| status(id)["status"] == "running") {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "both never ran at once"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Wait until HiGHS is searching (a stage with a bound), then cancel.
    while status(&ids[0])["progress"]["stage"] == "" {
        assert!(t.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(100));
    }
    // The page follows the running solve: its stage by name, and Cancel.
    let (dom, _) = browser::render(
        &format!("{}#{}", s.at("/"), ids[0]),
        &["--dump-dom", "--virtual-time-budget=3000"],
    );
    assert!(dom.contains("求解中") && dom.contains("阶段 "), "{dom}");
    for id in &ids {
        let (code, _) = call(ureq::post(&s.at(&format!("/api/jobs/{id}/cancel"))).call());
        assert_eq!(code, 200);
    }
    let cancelled = Instant::now();
    for id in &ids {
        let j = wait(&s, id);
        assert!(
            matches!(j["status"].as_str(), Some("done" | "failed")),
            "{j}"
        );
        assert_eq!(j["progress"]["cancelled"], true, "{j}");
    }
    assert!(
        cancelled.elapsed() < Duration::from_secs(15),
        "a cancelled solve stops soon: {:?}",
        cancelled.elapsed()
    );
}
