//! `xibu serve`: a local web page (and the small JSON API it uses) where
//! the office runs a whole allocation without a terminal. Everything is
//! in the binary: the page carries no external URL, font or script, and no
//! data leaves the machine. Jobs are folders of `--data` holding exactly
//! the files the CLI writes (`jobs`).

pub mod jobs;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::commands;
use crate::error::{Diagnostic, Error, Msg};
use crate::lang::Lang;
use crate::msg;
use jobs::{is_id, new_id, Job, Kind, Settings, Store};

/// How `xibu serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (127.0.0.1 unless asked otherwise).
    pub bind: IpAddr,
    /// Port (0: any free port, printed).
    pub port: u16,
    /// Where jobs live.
    pub data: PathBuf,
    /// Required on every request when set; a non-local bind without one
    /// gets a generated token.
    pub token: Option<String>,
    /// Language of the page, errors and lists.
    pub lang: Lang,
    /// Largest upload, in bytes.
    pub max_upload: usize,
    /// Rounds that solve at once (each with its own solver thread).
    pub workers: usize,
}

impl ServeOptions {
    /// The token to require: the one given, else a fresh one when the
    /// address is reachable from other machines.
    pub fn effective_token(&self) -> Option<String> {
        self.token
            .clone()
            .or_else(|| (!self.bind.is_loopback()).then(new_id))
    }
}

/// What every handler shares.
struct App {
    store: Arc<Store>,
    token: Option<String>,
    lang: Lang,
    max_upload: usize,
}

/// The page, with `{{LANG}}` replaced by `zh` or `en`.
const PAGE: &str = include_str!("page.html");

/// Listen, then call `ready` with the page's address (token included) and
/// serve until the process ends.
pub fn serve(opts: ServeOptions, ready: impl FnOnce(&str)) -> crate::Result<()> {
    let store = Store::open(&opts.data, opts.lang, opts.workers).map_err(|e| {
        let d = opts.data.display();
        Error::io(
            msg!("无法打开数据文件夹 {d}", "cannot open the data folder {d}"),
            e,
        )
    })?;
    let token = opts.effective_token();
    let app = Arc::new(App {
        store,
        token: token.clone(),
        lang: opts.lang,
        max_upload: opts.max_upload,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io(msg!("无法启动网络服务", "cannot start the web server"), e))?;
    rt.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::io(msg!("无法监听 {addr}", "cannot listen on {addr}"), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::io(msg!("无法监听 {addr}", "cannot listen on {addr}"), e))?;
        let url = match &token {
            Some(t) => format!("http://{local}/?token={}", encode(t)),
            None => format!("http://{local}/"),
        };
        ready(&url);
        axum::serve(listener, router(app))
            .await
            .map_err(|e| Error::io(msg!("网络服务出错", "the web server failed"), e))
    })
}

fn router(app: Arc<App>) -> Router {
    let limit = app.max_upload;
    Router::new()
        .route("/", get(page))
        .route("/api/jobs", get(list_jobs).post(create_job))
        .route("/api/jobs/{id}", get(job_detail))
        .route("/api/jobs/{id}/files/{set}/{name}", get(job_file))
        .route("/api/jobs/{id}/zip/{set}", get(job_zip))
        .route("/api/jobs/{id}/backfill", post(backfill))
        .route("/api/jobs/{id}/scenarios", post(scenarios))
        .route("/api/jobs/{id}/cancel", post(cancel))
        .route("/api/jobs/{id}/verify", post(verify))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(app.clone(), auth))
        .with_state(app)
}

/// `{"errors": [...]}` with a status.
fn errors(status: StatusCode, list: Vec<Value>) -> Response {
    (status, Json(json!({ "errors": list }))).into_response()
}

/// One error not tied to a file position.
fn error(status: StatusCode, app: &App, m: Msg) -> Response {
    errors(
        status,
        vec![json!({"file": "", "line": 1, "column": 1, "message": m.get(app.lang)})],
    )
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &app,
        msg!("没有这个页面或文件", "not found"),
    )
}

/// Every request carries the token when one is set: `Authorization:
/// Bearer …`, or `?token=…` (the page's own links).
async fn auth(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let Some(token) = &app.token else {
        return next.run(req).await;
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let query = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .map(decode);
    if bearer == Some(token.as_str()) || query.as_deref() == Some(token.as_str()) {
        next.run(req).await
    } else {
        error(
            StatusCode::UNAUTHORIZED,
            &app,
            msg!(
                "需要令牌：请用启动时显示的地址（含 ?token=）打开",
                "a token is required: open the address printed at start (with ?token=)"
            ),
        )
    }
}

async fn page(State(app): State<Arc<App>>) -> Html<String> {
    Html(PAGE.replace("{{LANG}}", app.lang.key()))
}

async fn list_jobs(State(app): State<Arc<App>>) -> Json<Value> {
    let list: Vec<Value> = app
        .store
        .list()
        .iter()
        .map(|j| {
            let last = j.rounds.last();
            json!({
                "id": j.id,
                "created": j.created,
                "status": last.map(|r| r.status),
                "rounds": j.rounds.len(),
            })
        })
        .collect();
    Json(json!({ "jobs": list }))
}

/// An upload that could not be read: too large (413) or malformed (400).
fn upload_error(app: &App, e: axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let mb = app.max_upload / (1 << 20);
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            app,
            msg!(
                "上传的文件超过 {mb} MB 的上限；请拆分文件，或用 --max-upload-mb 启动",
                "the upload is larger than the {mb} MB limit; split it, or start with --max-upload-mb"
            ),
        )
    } else {
        let e = e.body_text();
        error(
            StatusCode::BAD_REQUEST,
            app,
            msg!("无法读取上传：{e}", "cannot read the upload: {e}"),
        )
    }
}

/// The fields of a multipart form: files (name → (file name, bytes)) and
/// text values.
struct Form {
    files: BTreeMap<String, (String, Vec<u8>)>,
    values: BTreeMap<String, String>,
}

async fn read_form(app: &App, mut mp: Multipart) -> Result<Form, Response> {
    let mut form = Form {
        files: BTreeMap::new(),
        values: BTreeMap::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(|e| upload_error(app, e))? {
        let name = field.name().unwrap_or_default().to_string();
        let file = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| upload_error(app, e))?;
        match file {
            // An empty file input of the page sends no name and no bytes.
            Some(f) if !(f.is_empty() && bytes.is_empty()) => {
                form.files.insert(name, (f, bytes.to_vec()));
            }
            Some(_) => {}
            None => {
                let v = String::from_utf8_lossy(&bytes).trim().to_string();
                form.values.insert(name, v);
            }
        }
    }
    Ok(form)
}

/// `csv`, `xlsx`, `xls`, `xlsm` or `toml` from an uploaded name (never a
/// path taken from the request); the role's usual one otherwise.
fn extension(upload: &str, role: &str) -> &'static str {
    let lower = upload.to_lowercase();
    for ext in ["xlsx", "xlsm", "xls", "toml", "csv"] {
        if lower.ends_with(&format!(".{ext}")) {
            return ext;
        }
    }
    if matches!(role, "model") || role.starts_with("scenarios") {
        "toml"
    } else {
        "csv"
    }
}

/// The solve settings from the form, or every problem with them.
fn settings(app: &App, v: &BTreeMap<String, String>) -> Result<Settings, Vec<Value>> {
    let mut errs = Vec::new();
    let mut bad = |field: &str, m: Msg| {
        errs.push(json!({"file": field, "line": 1, "column": 1, "message": m.get(app.lang)}))
    };
    let get = |k: &str| v.get(k).map(String::as_str).filter(|s| !s.is_empty());
    let seed = match get("seed").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            bad(
                "seed",
                msg!(
                    "随机种子应为不小于 0 的整数",
                    "seed must be a whole number ≥ 0"
                ),
            );
            0
        }
    };
    let time_limit = match get("time_limit").map(str::parse::<f64>) {
        None => None,
        Some(Ok(t)) if t.is_finite() && t > 0.0 => Some(t),
        Some(_) => {
            bad(
                "time_limit",
                msg!(
                    "时间限制应为正的秒数",
                    "time_limit must be a positive number of seconds"
                ),
            );
            None
        }
    };
    let engine = get("engine").unwrap_or("exact").to_string();
    if engine.parse::<crate::solve::Engine>().is_err() {
        bad(
            "engine",
            msg!(
                "引擎应为 exact、fast 或 da",
                "engine must be exact, fast or da"
            ),
        );
    }
    if errs.is_empty() {
        Ok(Settings {
            seed,
            time_limit,
            engine,
        })
    } else {
        Err(errs)
    }
}

/// `POST /api/jobs`: save the inputs, read them as `xibu check` would, and
/// queue the allocation; every problem at once otherwise.
async fn create_job(State(app): State<Arc<App>>, mp: Multipart) -> Response {
    let form = match read_form(&app, mp).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let settings = match settings(&app, &form.values) {
        Ok(s) => s,
        Err(e) => return errors(StatusCode::BAD_REQUEST, e),
    };
    let missing: Vec<Value> = ["candidates", "posts"]
        .iter()
        .filter(|r| !form.files.contains_key(**r))
        .map(|r| {
            let m = msg!("缺少文件 {r}", "the {r} file is missing");
            json!({"file": r, "line": 1, "column": 1, "message": m.get(app.lang)})
        })
        .collect();
    if !missing.is_empty() {
        return errors(StatusCode::BAD_REQUEST, missing);
    }
    let id = new_id();
    let mut job = Job {
        id: id.clone(),
        created: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        settings,
        inputs: BTreeMap::new(),
        rounds: Vec::new(),
    };
    let dir = job.dir(&app.store.data).join("inputs");
    // The file as the office named it, for the problems' `file`.
    let mut shown: BTreeMap<String, String> = BTreeMap::new();
    let mut write = |role: &str, upload: &str, bytes: &[u8]| -> std::io::Result<()> {
        let file = format!("{role}.{}", extension(upload, role));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(&file), bytes)?;
        let base = Path::new(upload)
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        shown.insert(dir.join(&file).display().to_string(), base);
        job.inputs.insert(role.to_string(), file);
        Ok(())
    };
    // The bundled 2023–2024 model of the policy notice, unless one is given.
    let bundled = (
        "inner-mongolia-2023-2024.toml".to_string(),
        crate::generate::MODEL_2023.as_bytes().to_vec(),
    );
    for role in commands::INPUT_ROLES {
        let given = form.files.get(*role);
        let file = given.or((*role == "model").then_some(&bundled));
        if let Some((name, bytes)) = file {
            if let Err(e) = write(role, name, bytes) {
                return server_error(&app, e);
            }
        }
    }
    let inputs = job.cli_inputs(&app.store.data);
    let checked = tokio::task::spawn_blocking(move || {
        let (columns, built) = commands::check(&inputs)?;
        Ok::<_, Error>((columns, built.map(|pb| pb.notes().to_vec())))
    })
    .await;
    // What each header row was read as, each file by its uploaded name.
    let columns = |c: &[crate::domain::records::ColumnReport]| -> Value {
        c.iter()
            .map(|r| {
                let file = shown.get(&r.file).cloned().unwrap_or_default();
                json!({"file": file, "recognised": r.recognised, "ignored": r.ignored})
            })
            .collect()
    };
    match checked {
        Ok(Ok((c, Ok(notes)))) => {
            app.store.add(job);
            let notes: Vec<&str> = notes.iter().map(|n| n.get(app.lang)).collect();
            let body = json!({ "id": id, "columns": columns(&c), "notes": notes });
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Ok(Ok((c, Err(Error::Input(d))))) => {
            let _ = std::fs::remove_dir_all(job.dir(&app.store.data));
            let body = json!({
                "errors": diagnostics(&app, &d, &shown),
                "columns": columns(&c),
            });
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
        Ok(Ok((_, Err(e)))) => {
            let _ = std::fs::remove_dir_all(job.dir(&app.store.data));
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &app,
                Msg::same(e.render(app.lang)),
            )
        }
        Ok(Err(Error::Input(d))) => {
            let _ = std::fs::remove_dir_all(job.dir(&app.store.data));
            errors(StatusCode::BAD_REQUEST, diagnostics(&app, &d, &shown))
        }
        Ok(Err(e)) => {
            let _ = std::fs::remove_dir_all(job.dir(&app.store.data));
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &app,
                Msg::same(e.render(app.lang)),
            )
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &app,
            Msg::same(e.to_string()),
        ),
    }
}

fn server_error(app: &App, e: std::io::Error) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        app,
        msg!("无法保存上传的文件：{e}", "cannot save the upload: {e}"),
    )
}

/// The CLI's problems as JSON, each file by the name it was uploaded as
/// (the server's folders never shown).
fn diagnostics(app: &App, d: &[Diagnostic], shown: &BTreeMap<String, String>) -> Vec<Value> {
    d.iter()
        .map(|x| {
            let mut message = x.message.get(app.lang).to_string();
            for (path, name) in shown {
                message = message.replace(path.as_str(), name);
            }
            let file = shown.get(&x.file).cloned().unwrap_or_else(|| {
                Path::new(&x.file)
                    .file_name()
                    .map_or(x.file.clone(), |n| n.to_string_lossy().into_owned())
            });
            json!({
                "file": file,
                "line": x.line,
                "column": x.column,
                "message": message,
            })
        })
        .collect()
}

/// The job named in the path.
fn find(app: &App, id: &str) -> Option<Job> {
    is_id(id).then(|| app.store.get(id)).flatten()
}

/// The answer for a job id that names no job.
fn no_job(app: &App) -> Response {
    error(
        StatusCode::NOT_FOUND,
        app,
        msg!("没有这个任务", "no such job"),
    )
}

/// Percent-encode a path segment (file names are Chinese).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Undo `encode` (and the page's `encodeURIComponent`): `%XX` escapes.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The files of a round's folder, sorted (hidden ones left out).
fn files_of(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The name of the zip of a round's county workbooks.
const COUNTY_ZIP: &str = "各旗县名单.zip";

async fn job_detail(State(app): State<Arc<App>>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = find(&app, &id) else {
        return no_job(&app);
    };
    let dir = job.dir(&app.store.data);
    let mut all_files = serde_json::Map::new();
    let rounds: Vec<Value> = job
        .rounds
        .iter()
        .map(|r| {
            let set_dir = dir.join(&r.set);
            let names = files_of(&set_dir);
            let mut files = serde_json::Map::new();
            for n in &names {
                let url = format!("/api/jobs/{id}/files/{}/{}", r.set, encode(n));
                files.insert(n.clone(), Value::String(url));
            }
            if names.iter().any(|n| n.starts_with("旗县-")) {
                let url = format!("/api/jobs/{id}/zip/{}", r.set);
                files.insert(COUNTY_ZIP.into(), Value::String(url));
            }
            for (n, url) in &files {
                let key = if r.set == "out" {
                    n.clone()
                } else {
                    format!("{}/{n}", r.set)
                };
                all_files.insert(key, url.clone());
            }
            let summary = std::fs::read(set_dir.join("summary.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
            json!({
                "kind": r.kind,
                "set": r.set,
                "status": r.status,
                "error": r.error,
                "progress": r.progress.snapshot(),
                "summary": summary,
                "files": files,
            })
        })
        .collect();
    let last = rounds.last().cloned().unwrap_or(Value::Null);
    Json(json!({
        "id": job.id,
        "created": job.created,
        "settings": job.settings,
        "status": last["status"],
        "error": last["error"],
        "progress": last["progress"],
        "summary": last["summary"],
        "files": all_files,
        "rounds": rounds,
    }))
    .into_response()
}

/// A round's folder, when `set` names one of the job's rounds.
fn round_dir(app: &App, job: &Job, set: &str) -> Option<PathBuf> {
    job.rounds
        .iter()
        .find(|r| r.set == set)
        .map(|r| job.dir(&app.store.data).join(&r.set))
}

/// A file of a round: looked up among the folder's files by name, so a
/// path in the request never reaches the file system.
async fn job_file(
    State(app): State<Arc<App>>,
    UrlPath((id, set, name)): UrlPath<(String, String, String)>,
) -> Response {
    let Some(job) = find(&app, &id) else {
        return no_job(&app);
    };
    let Some(dir) = round_dir(&app, &job, &set) else {
        return not_found(State(app)).await;
    };
    let Some(file) = files_of(&dir).into_iter().find(|n| *n == name) else {
        return not_found(State(app)).await;
    };
    match std::fs::read(dir.join(&file)) {
        Ok(bytes) => download(&file, bytes),
        Err(_) => not_found(State(app)).await,
    }
}

/// The bytes with their type; pages and text shown inline, the rest saved.
fn download(name: &str, bytes: Vec<u8>) -> Response {
    let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
    let (kind, inline) = match ext.as_str() {
        "html" => ("text/html; charset=utf-8", true),
        "json" => ("application/json", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "csv" => ("text/csv; charset=utf-8", false),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            false,
        ),
        "zip" => ("application/zip", false),
        _ => ("application/octet-stream", false),
    };
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encode(name)
    );
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Every county workbook of a round in one zip.
async fn job_zip(
    State(app): State<Arc<App>>,
    UrlPath((id, set)): UrlPath<(String, String)>,
) -> Response {
    let Some(job) = find(&app, &id) else {
        return no_job(&app);
    };
    let Some(dir) = round_dir(&app, &job, &set) else {
        return not_found(State(app)).await;
    };
    let names: Vec<String> = files_of(&dir)
        .into_iter()
        .filter(|n| n.starts_with("旗县-"))
        .collect();
    if names.is_empty() {
        return not_found(State(app)).await;
    }
    let zipped = (|| -> zip::result::ZipResult<Vec<u8>> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for n in &names {
            w.start_file(n.as_str(), opts)?;
            std::io::Write::write_all(&mut w, &std::fs::read(dir.join(n))?)?;
        }
        Ok(w.finish()?.into_inner())
    })();
    match zipped {
        Ok(bytes) => download(COUNTY_ZIP, bytes),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &app,
            Msg::same(e.to_string()),
        ),
    }
}

/// Save a round's upload (field `field`) and queue the round.
async fn add_round(app: Arc<App>, id: String, mp: Multipart, kind: Kind, field: &str) -> Response {
    let Some(job) = find(&app, &id) else {
        return no_job(&app);
    };
    let form = match read_form(&app, mp).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some((upload, bytes)) = form.files.get(field) else {
        return error(
            StatusCode::BAD_REQUEST,
            &app,
            msg!("缺少文件 {field}", "the {field} file is missing"),
        );
    };
    if kind == Kind::Backfill
        && !job
            .rounds
            .iter()
            .any(|r| r.kind != Kind::Scenarios && r.status == jobs::Status::Done)
    {
        return error(
            StatusCode::CONFLICT,
            &app,
            msg!(
                "还没有完成的派遣名单可以递补",
                "there is no finished dispatch to backfill yet"
            ),
        );
    }
    let ext = extension(
        upload,
        if kind == Kind::Scenarios {
            "scenarios"
        } else {
            "withdrawn"
        },
    );
    let tmp = job
        .dir(&app.store.data)
        .join("inputs")
        .join(format!(".upload-{}", new_id()));
    if let Err(e) = std::fs::write(&tmp, bytes) {
        return server_error(&app, e);
    }
    let allow = form
        .values
        .get("allow_shortfall")
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "on" | "yes"));
    match app.store.add_round(&id, kind, allow, &tmp, ext) {
        Some(set) => (StatusCode::ACCEPTED, Json(json!({ "id": id, "set": set }))).into_response(),
        None => {
            let _ = std::fs::remove_file(&tmp);
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &app,
                msg!("无法保存上传的文件", "cannot save the upload"),
            )
        }
    }
}

async fn backfill(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    mp: Multipart,
) -> Response {
    add_round(app, id, mp, Kind::Backfill, "withdrawn").await
}

async fn scenarios(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    mp: Multipart,
) -> Response {
    add_round(app, id, mp, Kind::Scenarios, "scenarios").await
}

async fn cancel(State(app): State<Arc<App>>, UrlPath(id): UrlPath<String>) -> Response {
    match find(&app, &id) {
        Some(_) => Json(json!({ "cancelled": app.store.cancel(&id) })).into_response(),
        None => no_job(&app),
    }
}

/// `xibu verify --manifest` on the allocation's run.json.
async fn verify(State(app): State<Arc<App>>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(job) = find(&app, &id) else {
        return no_job(&app);
    };
    let manifest = job.dir(&app.store.data).join("out").join("run.json");
    let checked =
        tokio::task::spawn_blocking(move || commands::audit::verify_manifest(&manifest)).await;
    match checked {
        Ok(Ok(c)) => Json(json!({ "reproduced": c.reproduced, "lines": c.lines })).into_response(),
        Ok(Err(e)) => error(StatusCode::CONFLICT, &app, Msg::same(e.render(app.lang))),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &app,
            Msg::same(e.to_string()),
        ),
    }
}
