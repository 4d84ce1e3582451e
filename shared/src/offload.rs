//! Work the browser hands to its second wasm module, loaded on demand in a Web Worker: the
//! code exports and the IAM policy a deployment needs (the planner and every exporter, which
//! a first edit never uses and which are kept out of the first load). The page sends a
//! [`OffloadRequest`] as JSON text and gets an [`OffloadAnswer`] back; [`answer`] does the
//! work, purely, so the worker and native tests run the same code.

use serde::{Deserialize, Serialize};

use crate::export::{ExportedFile, Format};

/// One piece of work, on the design `document` (its JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffloadRequest {
    /// The page's number for the request, sent back with the answer.
    pub id: u64,
    pub job: OffloadJob,
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OffloadJob {
    /// The files of an export (`format` as `Format::parse` reads it), owned by `design_id`.
    Export { format: String, design_id: String },
    /// The IAM policy the server's credentials need to deploy the design, as JSON text.
    IamPolicy,
}

/// What a request gave: its files or text, or why not, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffloadAnswer {
    pub id: u64,
    pub outcome: Result<OffloadOutcome, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OffloadOutcome {
    Files(Vec<ExportedFile>),
    Text(String),
}

/// Does `request`'s work.
pub fn answer(request: &OffloadRequest) -> OffloadAnswer {
    OffloadAnswer {
        id: request.id,
        outcome: outcome(request),
    }
}

fn outcome(request: &OffloadRequest) -> Result<OffloadOutcome, String> {
    let design = crate::spec::load_design(&request.document)
        .map_err(|error| format!("the design does not load: {error}"))?;
    match &request.job {
        OffloadJob::Export { format, design_id } => {
            let format = Format::parse(format)
                .ok_or_else(|| format!("there is no export format called {format:?}"))?;
            crate::export::export(&design, format, design_id)
                .map(OffloadOutcome::Files)
                .map_err(|refused| format!("export refused: {refused}"))
        }
        OffloadJob::IamPolicy => {
            crate::limits::check(&design).map_err(|refused| format!("refused: {refused}"))?;
            let desired = crate::plan::desired_resources(&design);
            Ok(OffloadOutcome::Text(
                serde_json::to_string_pretty(&crate::plan::iam::policy(&desired))
                    .unwrap_or_default(),
            ))
        }
    }
}

/// The answer to a request that could not be read at all.
pub fn unreadable(message: &str) -> OffloadAnswer {
    OffloadAnswer {
        id: 0,
        outcome: Err(format!("the request could not be read: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(request: &OffloadRequest) -> OffloadAnswer {
        // As the page and the worker exchange them: JSON text each way.
        let sent = serde_json::to_string(request).unwrap();
        let received: OffloadRequest = serde_json::from_str(&sent).unwrap();
        let answered = serde_json::to_string(&answer(&received)).unwrap();
        serde_json::from_str(&answered).unwrap()
    }

    #[test]
    fn each_job_gives_what_the_direct_call_gives() {
        for template in crate::templates::TEMPLATES {
            let design = template.design().unwrap();
            let document = crate::spec::save_design(&design);
            for format in [
                "terraform",
                "cloudformation-yaml",
                "cli",
                "drawio",
                "svg",
                "json",
            ] {
                let request = OffloadRequest {
                    id: 7,
                    job: OffloadJob::Export {
                        format: format.to_string(),
                        design_id: "d-1".to_string(),
                    },
                    document: document.clone(),
                };
                let expected =
                    crate::export::export(&design, Format::parse(format).unwrap(), "d-1").unwrap();
                assert_eq!(
                    round_trip(&request),
                    OffloadAnswer {
                        id: 7,
                        outcome: Ok(OffloadOutcome::Files(expected))
                    },
                    "{} {format}",
                    template.name
                );
            }
            let policy = round_trip(&OffloadRequest {
                id: 8,
                job: OffloadJob::IamPolicy,
                document,
            });
            let expected = serde_json::to_string_pretty(&crate::plan::iam::policy(
                &crate::plan::desired_resources(&design),
            ))
            .unwrap();
            assert_eq!(policy.outcome, Ok(OffloadOutcome::Text(expected)));
        }
    }

    #[test]
    fn a_bad_request_is_answered_in_words() {
        let broken = answer(&OffloadRequest {
            id: 1,
            job: OffloadJob::IamPolicy,
            document: "{\"schema_version\": 2".to_string(),
        });
        assert!(
            matches!(&broken.outcome, Err(message) if message.starts_with("the design does not load")),
            "{broken:?}"
        );
        let template = crate::templates::TEMPLATES[0].document.to_string();
        let unknown = answer(&OffloadRequest {
            id: 2,
            job: OffloadJob::Export {
                format: "pdf".to_string(),
                design_id: "d".to_string(),
            },
            document: template.clone(),
        });
        assert_eq!(
            unknown.outcome,
            Err("there is no export format called \"pdf\"".to_string())
        );
        let mut design = crate::spec::load_design(&template).unwrap();
        design.name = "x".repeat(2_000);
        let over = answer(&OffloadRequest {
            id: 3,
            job: OffloadJob::IamPolicy,
            document: crate::spec::save_design(&design),
        });
        assert!(
            matches!(&over.outcome, Err(message) if message.contains("limit")),
            "{over:?}"
        );
    }
}
