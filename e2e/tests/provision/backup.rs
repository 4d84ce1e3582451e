//! Backups as a user takes them: `moat backup FILE` while the real server saves designs under
//! load, then `moat restore FILE` into a new data directory and a new server on it, which
//! holds every save acknowledged before the backup began (and signs the same users in).

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use e2e::{MoatServer, TestUser};
use serde_json::{Value, json};

const DESIGNER: TestUser = TestUser {
    name: "backups",
    role: "designer",
    password: "correct horse battery",
};

fn moat(arguments: &[&str]) -> std::process::Output {
    Command::new(e2e::moat_binary().expect("the moat binary"))
        .args(arguments)
        .output()
        .expect("moat runs")
}

/// A design's document with a name that records which save it was.
fn document(name: &str) -> Value {
    let mut document: Value =
        serde_json::from_str(shared::templates::template("mvp").unwrap().document).unwrap();
    document["name"] = json!(name);
    document
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_acknowledged_save() {
    // No AWS call is made: the endpoint is never reached.
    let server = MoatServer::start("http://127.0.0.1:9", &[DESIGNER]).unwrap();
    let base = server.url.trim_end_matches('/').to_string();
    let client = e2e::http::client();
    let session = e2e::http::sign_in(&client, &base, DESIGNER.name, DESIGNER.password)
        .await
        .unwrap();

    // Four writers: each creates a design, then saves new revisions of it, recording what the
    // server acknowledged (design id → last acknowledged revision and name).
    let acknowledged: Arc<Mutex<Vec<(String, i64, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (client, base, session) = (client.clone(), base.clone(), session.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let name = format!("writer {writer} save 0");
            let (status, created, _) = e2e::http::call(
                &client,
                "POST",
                &format!("{base}/api/v1/designs"),
                Some(&session),
                Some(&json!({"document": document(&name)})),
            )
            .await
            .unwrap();
            assert_eq!(status, 201, "{created}");
            let id = created["id"].as_str().unwrap().to_string();
            let mut revision = created["revision"].as_i64().unwrap();
            acknowledged
                .lock()
                .unwrap()
                .push((id.clone(), revision, name));
            let mut save = 1;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let name = format!("writer {writer} save {save}");
                let (status, saved, _) = e2e::http::call(
                    &client,
                    "PUT",
                    &format!("{base}/api/v1/designs/{id}"),
                    Some(&session),
                    Some(&json!({"document": document(&name), "base_revision": revision})),
                )
                .await
                .unwrap();
                assert_eq!(status, 200, "{saved}");
                revision = saved["revision"].as_i64().unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((id.clone(), revision, name));
                save += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    // What was acknowledged before the backup began must all be in it.
    let before: Vec<(String, i64, String)> = acknowledged.lock().unwrap().clone();
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("moat-backup.sqlite");
    let data_dir = server.data_dir().to_str().unwrap().to_string();
    let backed_up = tokio::task::spawn_blocking({
        let file = file.clone();
        move || moat(&["backup", file.to_str().unwrap(), "--data-dir", &data_dir])
    })
    .await
    .unwrap();
    assert!(
        backed_up.status.success(),
        "{}",
        String::from_utf8_lossy(&backed_up.stderr)
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    let after = acknowledged.lock().unwrap().len();
    eprintln!(
        "saves acknowledged before the backup: {}, in all: {after}",
        before.len()
    );
    assert!(before.len() >= 8, "the load ran: {} saves", before.len());
    assert!(after > before.len(), "saves went on during the backup");
    // A backup never overwrites a file.
    let again = moat(&[
        "backup",
        file.to_str().unwrap(),
        "--data-dir",
        server.data_dir().to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    drop(server);

    // Restored into a new data directory, served by a new server.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = moat(&[
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        restored_dir.path().to_str().unwrap(),
    ]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let server = MoatServer::start_in(restored_dir, "http://127.0.0.1:9", &[], &[]).unwrap();
    let base = server.url.trim_end_matches('/').to_string();
    let session = e2e::http::sign_in(&client, &base, DESIGNER.name, DESIGNER.password)
        .await
        .expect("the users come back with the backup");
    for (id, revision, name) in &before {
        let (status, revision_document, _) = e2e::http::call(
            &client,
            "GET",
            &format!("{base}/api/v1/designs/{id}/revisions/{revision}"),
            Some(&session),
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{id} revision {revision}: {revision_document}");
        assert!(
            revision_document.to_string().contains(name.as_str()),
            "{id} revision {revision} is {name}: {revision_document}"
        );
    }
    // Not a Moat database: refused, nothing replaced.
    let stranger = directory.path().join("notes.txt");
    std::fs::write(&stranger, "not a database").unwrap();
    let refused = moat(&[
        "restore",
        stranger.to_str().unwrap(),
        "--data-dir",
        server.data_dir().to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not a SQLite database"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
